// Malformed and forbidden packets: for each, the exact reason code, rule and reaction the codec
// reports, and part of its message.
//
// Reactions (decode_error.hpp): CONNECT problems in 5.0 get a CONNACK; in 3.x only "unsupported
// protocol version" (0x84 -> return code 1) and "client identifier not valid" (0x85 -> return code
// 2) get one, everything else closes. Problems in other packets: 5.0 sends DISCONNECT, 3.x closes.
// An unknown protocol name closes in every version: the peer may not speak MQTT at all.
//
// Rules: a numbered statement ("MQTT-3.3.1-4") where the spec has one, else the section that states
// the rule ("MQTT-5.0 §3.8.3.1", "MQTT-3.1.1 §2.2.3"); numbers differ between 3.1.1 and 5.0.
//
// CONNECTs are decoded with connection version 3.1.1, as the stream decoder does before a CONNECT.

#include <catch2/catch.hpp>

#include "hex.hpp"

#include <cctype>
#include <cstdio>
#include <list>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "protocol/codec.hpp"
#include "protocol/stream_decoder.hpp"

using namespace std::string_view_literals;
namespace mqtt = unimq::mqtt;
using mqtt::protocol_version;
using mqtt::reaction;
using mqtt::reason_code;
using Catch::Matchers::Contains;

namespace {

constexpr auto v31 = protocol_version::v3_1;
constexpr auto v311 = protocol_version::v3_1_1;
constexpr auto v5 = protocol_version::v5;

using unimq::mqtt::testing::unhex;

// A whole packet: `first` byte, the Remaining Length computed from `body_hex`, then the body.
std::string pkt(std::uint8_t first, std::string_view body_hex) {
  const std::string body = unhex(body_hex);
  std::string out(1, static_cast<char>(first));
  std::size_t n = body.size();
  do {
    std::uint8_t b = n & 0x7F;
    n >>= 7;
    out.push_back(static_cast<char>(n ? b | 0x80 : b));
  } while (n);
  return out + body;
}

mqtt::decode_error fails(const std::string& bytes, protocol_version v,
                         const mqtt::decode_options& options = {}) {
  auto r = mqtt::decode(bytes, v, options);
  if (r.ok()) FAIL("decoded although it should not have");
  return r.error();
}

// Decoded packets point into the bytes they were decoded from; the bytes are kept alive here for
// the rest of the run, so that callers may pass a temporary.
template <class P>
P succeeds(std::string bytes, protocol_version v, const mqtt::decode_options& options = {}) {
  static std::list<std::string> keep_alive;
  const std::string& kept = keep_alive.emplace_back(std::move(bytes));
  auto r = mqtt::decode(kept, v, options);
  if (!r.ok()) FAIL("decode failed: " << r.error().message << " [" << r.error().rule << "]");
  REQUIRE(std::holds_alternative<P>(r.value()));
  return std::get<P>(r.value());
}

#define CHECK_ERROR(e, CODE, RULE, ACTION) \
  do {                                     \
    CHECK((e).code == (CODE));             \
    CHECK((e).rule == (RULE));             \
    CHECK((e).action == (ACTION));         \
  } while (false)

// CONNECT bodies: "MQTT" level 4 / 5 and "MQIsdp" level 3, up to and including the connect flags.
const std::string kMqtt4 = "0004 4d515454 04";
const std::string kMqtt5 = "0004 4d515454 05";
const std::string kMqisdp3 = "0006 4d5149736470 03";

}  // namespace

// ---------------------------------------------------------------------------------------------
// Fixed header
// ---------------------------------------------------------------------------------------------

TEST_CASE("malformed: reserved fixed header flags", "[protocol][malformed]") {
  SECTION("PUBREL with flags 0000 (must be 0010), 3.1.1") {
    auto e = fails(pkt(0x60, "0001"), v311);
    CHECK_ERROR(e, reason_code::malformed_packet, "MQTT-3.6.1-1", reaction::close);
    CHECK_THAT(e.message, Contains("reserved flag bits of PUBREL are 0, must be 2"));
  }
  SECTION("PUBREL with flags 0011, 5.0") {
    auto e = fails(pkt(0x63, "0001"), v5);
    CHECK_ERROR(e, reason_code::malformed_packet, "MQTT-3.6.1-1", reaction::send_disconnect);
    CHECK(e.version == v5);
  }
  SECTION("SUBSCRIBE with flags 0000") {
    auto e = fails(pkt(0x80, "0001 0003 612f62 00"), v311);
    CHECK_ERROR(e, reason_code::malformed_packet, "MQTT-3.8.1-1", reaction::close);
    CHECK_THAT(e.message, Contains("SUBSCRIBE"));
  }
  SECTION("SUBSCRIBE with flags 1010, 5.0") {
    auto e = fails(pkt(0x8A, "0001 00 0003 612f62 00"), v5);
    CHECK_ERROR(e, reason_code::malformed_packet, "MQTT-3.8.1-1", reaction::send_disconnect);
  }
  SECTION("UNSUBSCRIBE with flags 0000") {
    auto e = fails(pkt(0xA0, "0001 0003 612f62"), v311);
    CHECK_ERROR(e, reason_code::malformed_packet, "MQTT-3.10.1-1", reaction::close);
    CHECK_THAT(e.message, Contains("UNSUBSCRIBE"));
  }
  SECTION("PUBACK with flags 0001, 3.1.1") {
    auto e = fails(pkt(0x41, "0001"), v311);
    CHECK_ERROR(e, reason_code::malformed_packet, "MQTT-2.2.2-1", reaction::close);
    CHECK_THAT(e.message, Contains("must be 0"));
  }
  SECTION("PUBACK with flags 0010, 5.0") {
    auto e = fails(pkt(0x42, "0001"), v5);
    CHECK_ERROR(e, reason_code::malformed_packet, "MQTT-2.1.3-1", reaction::send_disconnect);
  }
  SECTION("PINGREQ with flags 1000") {
    auto e = fails(unhex("c8 00"), v311);
    CHECK_ERROR(e, reason_code::malformed_packet, "MQTT-2.2.2-1", reaction::close);
  }
  SECTION("DISCONNECT with flags 0010, 5.0") {
    auto e = fails(unhex("e2 00"), v5);
    CHECK_ERROR(e, reason_code::malformed_packet, "MQTT-2.1.3-1", reaction::send_disconnect);
  }
  SECTION("CONNECT with flags 0010 before any version is known: close") {
    auto e = fails(pkt(0x12, kMqtt4 + "02 003c 0001 63"), v311);
    CHECK_ERROR(e, reason_code::malformed_packet, "MQTT-2.2.2-1", reaction::close);
  }
  SECTION("CONNACK with flags 0001") {
    auto e = fails(unhex("21 02 00 00"), v311);
    CHECK_ERROR(e, reason_code::malformed_packet, "MQTT-2.2.2-1", reaction::close);
  }
}

TEST_CASE("malformed: reserved packet types", "[protocol][malformed]") {
  SECTION("type 0 in 3.1.1") {
    auto e = fails(unhex("00 00"), v311);
    CHECK_ERROR(e, reason_code::malformed_packet, "MQTT-4.8.0-1", reaction::close);
    CHECK_THAT(e.message, Contains("reserved control packet type 0"));
  }
  SECTION("type 0 in 5.0") {
    auto e = fails(unhex("00 00"), v5);
    CHECK_ERROR(e, reason_code::malformed_packet, "MQTT-5.0 §2.1.2", reaction::send_disconnect);
  }
  SECTION("AUTH (15) is reserved in 3.1.1") {
    auto e = fails(unhex("f0 00"), v311);
    CHECK_ERROR(e, reason_code::malformed_packet, "MQTT-4.8.0-1", reaction::close);
    CHECK_THAT(e.message, Contains("reserved control packet type 15"));
  }
  SECTION("AUTH (15) is reserved in 3.1") {
    auto e = fails(unhex("f0 00"), v31);
    CHECK_ERROR(e, reason_code::malformed_packet, "MQTT-4.8.0-1", reaction::close);
  }
  SECTION("AUTH is a packet in 5.0") {
    CHECK(succeeds<mqtt::auth_packet>(unhex("f0 00"), v5).reason == reason_code::success);
  }
}

TEST_CASE("malformed: Remaining Length and the packet's extent", "[protocol][malformed]") {
  SECTION("Remaining Length with a 5th byte, 3.1.1") {
    auto e = fails(unhex("30 80 80 80 80 01"), v311);
    CHECK_ERROR(e, reason_code::malformed_packet, "MQTT-3.1.1 §2.2.3", reaction::close);
    CHECK_THAT(e.message, Contains("longer than 4 bytes"));
  }
  SECTION("Remaining Length with a 5th byte, 5.0") {
    auto e = fails(unhex("30 80 80 80 80 01"), v5);
    CHECK_ERROR(e, reason_code::malformed_packet, "MQTT-5.0 §1.5.5", reaction::send_disconnect);
  }
  SECTION("Remaining Length not minimally encoded (80 00), 3.1.1: allowed") {
    // 3.1.1 has no minimal-encoding rule, so a compliant client may send the longer form.
    auto p = succeeds<mqtt::pingreq_packet>(unhex("c0 80 00"), v311);
    (void)p;
    auto q = succeeds<mqtt::publish_packet>(unhex("30 85 80 00 0003 612f62"), v311);
    CHECK(q.topic == "a/b");
  }
  SECTION("Remaining Length not minimally encoded (80 00), 5.0") {
    auto e = fails(unhex("c0 80 00"), v5);
    CHECK_ERROR(e, reason_code::malformed_packet, "MQTT-1.5.5-1", reaction::send_disconnect);
    CHECK_THAT(e.message, Contains("not minimally encoded"));
  }
  SECTION("Remaining Length shorter than the bytes given (trailing garbage after the packet)") {
    auto e = fails(unhex("c0 00 00"), v311);
    CHECK_ERROR(e, reason_code::malformed_packet, "MQTT-4.8.0-1", reaction::close);
    CHECK_THAT(e.message, Contains("remaining length 0 does not match the 1 bytes given"));
  }
  SECTION("Remaining Length longer than the bytes given") {
    auto e = fails(unhex("40 03 00 01"), v5);
    CHECK_ERROR(e, reason_code::malformed_packet, "MQTT-5.0 §1.2", reaction::send_disconnect);
  }
  SECTION("Remaining Length of a CONNECT not matching the bytes given") {
    auto e = fails(unhex("10 20") + unhex(kMqtt4 + "02 003c 0001 63"), v311);
    CHECK_ERROR(e, reason_code::malformed_packet, "MQTT-3.1.4-1", reaction::close);
  }
  SECTION("trailing bytes inside the body: PINGREQ") {
    auto e = fails(pkt(0xC0, "00"), v311);
    CHECK_ERROR(e, reason_code::malformed_packet, "MQTT-4.8.0-1", reaction::close);
    CHECK_THAT(e.message, Contains("PINGREQ: 1 unexpected bytes at the end of PINGREQ"));
  }
  SECTION("trailing bytes inside the body: 3.1.1 PUBACK") {
    auto e = fails(pkt(0x40, "0001 00"), v311);
    CHECK_ERROR(e, reason_code::malformed_packet, "MQTT-4.8.0-1", reaction::close);
    CHECK_THAT(e.message, Contains("unexpected bytes at the end of PUBACK"));
  }
  SECTION("trailing bytes inside the body: 3.1.1 DISCONNECT") {
    auto e = fails(pkt(0xE0, "00"), v311);
    CHECK_ERROR(e, reason_code::malformed_packet, "MQTT-4.8.0-1", reaction::close);
  }
  SECTION("trailing bytes inside the body: 5.0 PUBACK after its properties") {
    auto e = fails(pkt(0x40, "0001 00 00 ff"), v5);
    CHECK_ERROR(e, reason_code::malformed_packet, "MQTT-5.0 §1.2", reaction::send_disconnect);
  }
  SECTION("trailing bytes inside the body: CONNECT 5.0 after the password") {
    auto e = fails(pkt(0x10, kMqtt5 + "02 003c 00 0001 63 ff"), v311);
    CHECK_ERROR(e, reason_code::malformed_packet, "MQTT-3.1.4-1", reaction::send_connack);
    CHECK(e.version == v5);
    CHECK_THAT(e.message, Contains("unexpected bytes at the end of CONNECT"));
  }
  SECTION("trailing bytes inside the body: 3.1.1 CONNECT") {
    auto e = fails(pkt(0x10, kMqtt4 + "02 003c 0001 63 ff"), v311);
    CHECK_ERROR(e, reason_code::malformed_packet, "MQTT-3.1.4-1", reaction::close);
  }
  SECTION("a string length running past the packet") {
    auto e = fails(pkt(0x30, "0005 612f"), v311);
    CHECK_ERROR(e, reason_code::malformed_packet, "MQTT-4.8.0-1", reaction::close);
    CHECK_THAT(e.message, Contains("packet ends before its declared content"));
  }
  SECTION("a Client Identifier length running past the CONNECT (5.0)") {
    auto e = fails(pkt(0x10, kMqtt5 + "02 003c 00 0009 63"), v311);
    CHECK_ERROR(e, reason_code::malformed_packet, "MQTT-3.1.4-1", reaction::send_connack);
  }
  SECTION("a packet identifier cut short") {
    auto e = fails(pkt(0x40, "00"), v311);
    CHECK_ERROR(e, reason_code::malformed_packet, "MQTT-4.8.0-1", reaction::close);
  }
  SECTION("a string length running past the packet, 5.0") {
    auto e = fails(pkt(0x30, "0005 612f"), v5);
    CHECK_ERROR(e, reason_code::malformed_packet, "MQTT-5.0 §1.2", reaction::send_disconnect);
  }
}

// ---------------------------------------------------------------------------------------------
// PUBLISH
// ---------------------------------------------------------------------------------------------

TEST_CASE("malformed: PUBLISH flags and topic", "[protocol][malformed]") {
  SECTION("QoS 3, 3.1.1") {
    auto e = fails(pkt(0x36, "0003 612f62 0001"), v311);
    CHECK_ERROR(e, reason_code::malformed_packet, "MQTT-3.3.1-4", reaction::close);
    CHECK_THAT(e.message, Contains("PUBLISH: QoS is 3"));
  }
  SECTION("QoS 3, 5.0") {
    auto e = fails(pkt(0x36, "0003 612f62 0001 00"), v5);
    CHECK_ERROR(e, reason_code::malformed_packet, "MQTT-3.3.1-4", reaction::send_disconnect);
  }
  SECTION("DUP on QoS 0, 3.1.1") {
    auto e = fails(pkt(0x38, "0003 612f62"), v311);
    CHECK_ERROR(e, reason_code::malformed_packet, "MQTT-3.3.1-2", reaction::close);
    CHECK_THAT(e.message, Contains("DUP is set on a QoS 0 message"));
  }
  SECTION("DUP on QoS 0, 5.0: Protocol Error") {
    auto e = fails(pkt(0x38, "0003 612f62 00"), v5);
    CHECK_ERROR(e, reason_code::protocol_error, "MQTT-3.3.1-2", reaction::send_disconnect);
  }
  SECTION("DUP on QoS 1 is fine") {
    auto p = succeeds<mqtt::publish_packet>(pkt(0x3A, "0003 612f62 0001"), v311);
    CHECK(p.dup);
    CHECK(p.qos == mqtt::qos::at_least_once);
  }
  SECTION("empty Topic Name, 3.1.1") {
    auto e = fails(pkt(0x30, "0000 6869"), v311);
    CHECK_ERROR(e, reason_code::malformed_packet, "MQTT-4.7.3-1", reaction::close);
    CHECK_THAT(e.message, Contains("Topic Name is empty"));
  }
  SECTION("empty Topic Name, 5.0, no Topic Alias") {
    auto e = fails(pkt(0x30, "0000 00 6869"), v5);
    // 5.0 section 3.3.2.1: "It is a Protocol Error if the Topic Name is zero length and there is no
    // Topic Alias."
    CHECK_ERROR(e, reason_code::protocol_error, "MQTT-5.0 §3.3.2.1", reaction::send_disconnect);
    CHECK_THAT(e.message, Contains("Topic Name is empty"));
  }
  SECTION("empty Topic Name, 5.0, with Topic Alias is fine") {
    auto p = succeeds<mqtt::publish_packet>(pkt(0x30, "0000 03 230001 6869"), v5);
    CHECK(p.topic.empty());
    CHECK(p.props.topic_alias == std::optional<std::uint16_t>(1));
  }
}

// ---------------------------------------------------------------------------------------------
// Packet identifiers
// ---------------------------------------------------------------------------------------------

TEST_CASE("malformed: packet identifier 0", "[protocol][malformed]") {
  // PUBLISH, SUBSCRIBE and UNSUBSCRIBE: 5.0 [MQTT-2.2.1-3], 3.1.1 [MQTT-2.3.1-1]. The
  // acknowledgements have no numbered statement: their sections (5.0 2.2.1, 3.1.1 2.3.1) are cited.
  SECTION("PUBLISH QoS 1, 3.1.1") {
    auto e = fails(pkt(0x32, "0003 612f62 0000"), v311);
    CHECK_ERROR(e, reason_code::protocol_error, "MQTT-2.3.1-1", reaction::close);
    CHECK_THAT(e.message, Contains("PUBLISH has packet identifier 0"));
  }
  SECTION("PUBLISH QoS 2, 5.0") {
    auto e = fails(pkt(0x34, "0003 612f62 0000 00"), v5);
    CHECK_ERROR(e, reason_code::protocol_error, "MQTT-2.2.1-3", reaction::send_disconnect);
  }
  SECTION("PUBLISH QoS 0 has no packet identifier: bytes 00 00 are payload") {
    auto p = succeeds<mqtt::publish_packet>(pkt(0x30, "0003 612f62 0000"), v311);
    CHECK(p.packet_id == 0);
    CHECK(p.payload == "\0\0"sv);
  }
  SECTION("PUBACK") {
    auto e = fails(pkt(0x40, "0000"), v311);
    CHECK_ERROR(e, reason_code::protocol_error, "MQTT-3.1.1 §2.3.1", reaction::close);
    CHECK_THAT(e.message, Contains("PUBACK has packet identifier 0"));
  }
  SECTION("PUBREC 5.0") {
    auto e = fails(pkt(0x50, "0000"), v5);
    CHECK_ERROR(e, reason_code::protocol_error, "MQTT-5.0 §2.2.1", reaction::send_disconnect);
  }
  SECTION("PUBREL") {
    auto e = fails(pkt(0x62, "0000"), v311);
    CHECK_ERROR(e, reason_code::protocol_error, "MQTT-3.1.1 §2.3.1", reaction::close);
  }
  SECTION("PUBCOMP") {
    auto e = fails(pkt(0x70, "0000"), v311);
    CHECK_ERROR(e, reason_code::protocol_error, "MQTT-3.1.1 §2.3.1", reaction::close);
  }
  SECTION("SUBSCRIBE") {
    auto e = fails(pkt(0x82, "0000 0003 612f62 00"), v311);
    CHECK_ERROR(e, reason_code::protocol_error, "MQTT-2.3.1-1", reaction::close);
    CHECK_THAT(e.message, Contains("SUBSCRIBE has packet identifier 0"));
  }
  SECTION("SUBSCRIBE 5.0") {
    auto e = fails(pkt(0x82, "0000 00 0003 612f62 00"), v5);
    CHECK_ERROR(e, reason_code::protocol_error, "MQTT-2.2.1-3", reaction::send_disconnect);
  }
  SECTION("UNSUBSCRIBE") {
    auto e = fails(pkt(0xA2, "0000 0003 612f62"), v311);
    CHECK_ERROR(e, reason_code::protocol_error, "MQTT-2.3.1-1", reaction::close);
  }
  SECTION("SUBACK") {
    auto e = fails(pkt(0x90, "0000 00"), v311);
    CHECK_ERROR(e, reason_code::protocol_error, "MQTT-3.1.1 §2.3.1", reaction::close);
  }
  SECTION("UNSUBACK") {
    auto e = fails(pkt(0xB0, "0000"), v311);
    CHECK_ERROR(e, reason_code::protocol_error, "MQTT-3.1.1 §2.3.1", reaction::close);
  }
}

// ---------------------------------------------------------------------------------------------
// SUBSCRIBE / UNSUBSCRIBE
// ---------------------------------------------------------------------------------------------

TEST_CASE("malformed: SUBSCRIBE and UNSUBSCRIBE payloads", "[protocol][malformed]") {
  SECTION("SUBSCRIBE without a filter, 3.1.1") {
    auto e = fails(pkt(0x82, "0001"), v311);
    CHECK_ERROR(e, reason_code::protocol_error, "MQTT-3.8.3-3", reaction::close);
    CHECK_THAT(e.message, Contains("SUBSCRIBE without a topic filter"));
  }
  SECTION("SUBSCRIBE without a filter, 5.0") {
    auto e = fails(pkt(0x82, "0001 00"), v5);
    CHECK_ERROR(e, reason_code::protocol_error, "MQTT-3.8.3-2", reaction::send_disconnect);
  }
  SECTION("UNSUBSCRIBE without a filter, 3.1.1") {
    auto e = fails(pkt(0xA2, "0001"), v311);
    CHECK_ERROR(e, reason_code::protocol_error, "MQTT-3.10.3-2", reaction::close);
    CHECK_THAT(e.message, Contains("UNSUBSCRIBE without a topic filter"));
  }
  SECTION("UNSUBSCRIBE without a filter, 5.0") {
    auto e = fails(pkt(0xA2, "0001 00"), v5);
    CHECK_ERROR(e, reason_code::protocol_error, "MQTT-3.10.3-2", reaction::send_disconnect);
  }
  SECTION("SUBSCRIBE filter without its options byte") {
    auto e = fails(pkt(0x82, "0001 0003 612f62"), v311);
    CHECK_ERROR(e, reason_code::malformed_packet, "MQTT-4.8.0-1", reaction::close);
  }
  SECTION("3.1.1 options with a reserved bit (bit 2, No Local in 5.0)") {
    auto e = fails(pkt(0x82, "0001 0003 612f62 04"), v311);
    CHECK_ERROR(e, reason_code::malformed_packet, "MQTT-3.8.3-4", reaction::close);
    CHECK_THAT(e.message, Contains("reserved bits of the subscription options are set"));
  }
  SECTION("3.1.1 options with bit 7") {
    auto e = fails(pkt(0x82, "0001 0003 612f62 80"), v311);
    CHECK_ERROR(e, reason_code::malformed_packet, "MQTT-3.8.3-4", reaction::close);
  }
  SECTION("3.1.1 requested QoS 3") {
    auto e = fails(pkt(0x82, "0001 0003 612f62 03"), v311);
    CHECK_ERROR(e, reason_code::malformed_packet, "MQTT-3.8.3-4", reaction::close);
    CHECK_THAT(e.message, Contains("requested QoS is 3"));
  }
  SECTION("5.0 options with reserved bit 6") {
    auto e = fails(pkt(0x82, "0001 00 0003 612f62 40"), v5);
    CHECK_ERROR(e, reason_code::malformed_packet, "MQTT-3.8.3-5", reaction::send_disconnect);
    CHECK_THAT(e.message, Contains("reserved bits of the subscription options are set"));
  }
  SECTION("5.0 options with reserved bit 7") {
    auto e = fails(pkt(0x82, "0001 00 0003 612f62 80"), v5);
    CHECK_ERROR(e, reason_code::malformed_packet, "MQTT-3.8.3-5", reaction::send_disconnect);
  }
  SECTION("5.0 Maximum QoS 3") {
    auto e = fails(pkt(0x82, "0001 00 0003 612f62 03"), v5);
    // 5.0 section 3.8.3.1: "It is a Protocol Error if the Maximum QoS field has the value 3".
    CHECK_ERROR(e, reason_code::protocol_error, "MQTT-5.0 §3.8.3.1", reaction::send_disconnect);
    CHECK_THAT(e.message, Contains("requested QoS is 3"));
  }
  SECTION("5.0 Retain Handling 3") {
    auto e = fails(pkt(0x82, "0001 00 0003 612f62 30"), v5);
    CHECK_ERROR(e, reason_code::protocol_error, "MQTT-5.0 §3.8.3.1", reaction::send_disconnect);
    CHECK_THAT(e.message, Contains("Retain Handling is 3"));
  }
  SECTION("5.0 a bad option in the second pair fails the packet") {
    auto e = fails(pkt(0x82, "0001 00 0003 612f62 01 0001 63 c1"), v5);
    CHECK_ERROR(e, reason_code::malformed_packet, "MQTT-3.8.3-5", reaction::send_disconnect);
  }
  SECTION("5.0 options 0x2e (RH 2, RAP, No Local, QoS 2) are valid") {
    auto s = succeeds<mqtt::subscribe_packet>(pkt(0x82, "0001 00 0003 612f62 2e"), v5);
    REQUIRE(s.subscriptions.size() == 1);
    CHECK(s.subscriptions[0].options.retain_handling == 2);
    CHECK(s.subscriptions[0].options.no_local);
    CHECK(s.subscriptions[0].options.retain_as_published);
    CHECK(s.subscriptions[0].options.max_qos == mqtt::qos::exactly_once);
  }
}

// ---------------------------------------------------------------------------------------------
// CONNECT
// ---------------------------------------------------------------------------------------------

TEST_CASE("malformed: CONNECT flags", "[protocol][malformed]") {
  SECTION("reserved flag, 3.1.1") {
    auto e = fails(pkt(0x10, kMqtt4 + "03 003c 0001 63"), v311);
    CHECK_ERROR(e, reason_code::malformed_packet, "MQTT-3.1.2-3", reaction::close);
    CHECK(e.version == v311);
    CHECK_THAT(e.message, Contains("CONNECT: reserved connect flag is set"));
  }
  SECTION("reserved flag, 5.0") {
    auto e = fails(pkt(0x10, kMqtt5 + "03 003c 00 0001 63"), v311);
    CHECK_ERROR(e, reason_code::malformed_packet, "MQTT-3.1.2-3", reaction::send_connack);
    CHECK(e.version == v5);
  }
  SECTION("reserved flag, 3.1") {
    auto e = fails(pkt(0x10, kMqisdp3 + "03 003c 0001 63"), v311);
    CHECK_ERROR(e, reason_code::malformed_packet, "MQTT-3.1.2-3", reaction::close);
    CHECK(e.version == v31);
  }
  SECTION("Will QoS without Will Flag, 3.1.1") {
    auto e = fails(pkt(0x10, kMqtt4 + "0a 003c 0001 63"), v311);
    CHECK_ERROR(e, reason_code::malformed_packet, "MQTT-3.1.2-13", reaction::close);
    CHECK_THAT(e.message, Contains("Will QoS is set without a Will Flag"));
  }
  SECTION("Will QoS without Will Flag, 5.0") {
    auto e = fails(pkt(0x10, kMqtt5 + "12 003c 00 0001 63"), v311);
    CHECK_ERROR(e, reason_code::malformed_packet, "MQTT-3.1.2-11", reaction::send_connack);
  }
  SECTION("Will QoS 3, 3.1.1") {
    auto e = fails(pkt(0x10, kMqtt4 + "1e 003c 0001 63 0001 74 0000"), v311);
    CHECK_ERROR(e, reason_code::malformed_packet, "MQTT-3.1.2-14", reaction::close);
    CHECK_THAT(e.message, Contains("Will QoS is 3"));
  }
  SECTION("Will QoS 3, 5.0") {
    auto e = fails(pkt(0x10, kMqtt5 + "1e 003c 00 0001 63 00 0001 74 0000"), v311);
    CHECK_ERROR(e, reason_code::malformed_packet, "MQTT-3.1.2-12", reaction::send_connack);
  }
  SECTION("Will Retain without Will Flag, 3.1.1") {
    auto e = fails(pkt(0x10, kMqtt4 + "22 003c 0001 63"), v311);
    CHECK_ERROR(e, reason_code::malformed_packet, "MQTT-3.1.2-15", reaction::close);
    CHECK_THAT(e.message, Contains("Will Retain is set without a Will Flag"));
  }
  SECTION("Will Retain without Will Flag, 5.0") {
    auto e = fails(pkt(0x10, kMqtt5 + "22 003c 00 0001 63"), v311);
    CHECK_ERROR(e, reason_code::malformed_packet, "MQTT-3.1.2-13", reaction::send_connack);
  }
  SECTION("Password without User Name, 3.1.1: error") {
    auto e = fails(pkt(0x10, kMqtt4 + "42 003c 0001 63 0004 70617373"), v311);
    CHECK_ERROR(e, reason_code::malformed_packet, "MQTT-3.1.2-22", reaction::close);
    CHECK_THAT(e.message, Contains("Password Flag is set without a User Name Flag"));
  }
  SECTION("Password without User Name, 3.1: error") {
    auto e = fails(pkt(0x10, kMqisdp3 + "42 003c 0001 63 0004 70617373"), v311);
    CHECK_ERROR(e, reason_code::malformed_packet, "MQTT-3.1.2-22", reaction::close);
  }
  SECTION("Password without User Name, 5.0: allowed") {
    auto c = succeeds<mqtt::connect_packet>(pkt(0x10, kMqtt5 + "42 003c 00 0001 63 0004 70617373"),
                                            v311);
    CHECK_FALSE(c.username);
    CHECK(c.password == std::optional<std::string_view>("pass"));
  }
  SECTION("User Name Flag without the User Name field") {
    auto e = fails(pkt(0x10, kMqtt4 + "82 003c 0001 63"), v311);
    CHECK_ERROR(e, reason_code::malformed_packet, "MQTT-3.1.4-1", reaction::close);
  }
}

TEST_CASE("malformed: CONNECT protocol name, level and client identifier", "[protocol][malformed]") {
  SECTION("unknown protocol name: close without CONNACK, even though 0x84 has a 3.x return code") {
    auto e = fails(pkt(0x10, "0004 4d515458 04 02 003c 0001 63"), v311);
    CHECK_ERROR(e, reason_code::unsupported_protocol_version, "MQTT-3.1.2-1", reaction::close);
    CHECK(e.version == v311);
    CHECK_THAT(e.message, Contains("protocol name is not \"MQTT\""));
  }
  SECTION("lower-case protocol name") {
    auto e = fails(pkt(0x10, "0004 6d717474 04 02 003c 0001 63"), v311);
    CHECK_ERROR(e, reason_code::unsupported_protocol_version, "MQTT-3.1.2-1", reaction::close);
  }
  SECTION("unknown protocol name with level 5 on a 5.0 decoder: still close") {
    auto e = fails(pkt(0x10, "0004 4d515458 05 02 003c 00 0001 63"), v5);
    CHECK_ERROR(e, reason_code::unsupported_protocol_version, "MQTT-3.1.2-1", reaction::close);
  }
  SECTION("unsupported protocol level 6: CONNACK 0x84 / return code 1") {
    auto e = fails(pkt(0x10, "0004 4d515454 06 02 003c 0001 63"), v311);
    CHECK_ERROR(e, reason_code::unsupported_protocol_version, "MQTT-3.1.2-2",
                reaction::send_connack);
    CHECK(e.version == v311);
    CHECK(mqtt::connack_return_code_v3(e.code) == std::optional<std::uint8_t>(1));
    CHECK_THAT(e.message, Contains("protocol level 6"));
  }
  SECTION("\"MQTT\" with level 3 (3.1 is \"MQIsdp\")") {
    auto e = fails(pkt(0x10, "0004 4d515454 03 02 003c 0001 63"), v311);
    CHECK_ERROR(e, reason_code::unsupported_protocol_version, "MQTT-3.1.2-2",
                reaction::send_connack);
  }
  SECTION("\"MQIsdp\" with level 4") {
    auto e = fails(pkt(0x10, "0006 4d5149736470 04 02 003c 0001 63"), v311);
    CHECK_ERROR(e, reason_code::unsupported_protocol_version, "MQTT-3.1.2-2",
                reaction::send_connack);
    CHECK_THAT(e.message, Contains("MQIsdp"));
  }
  SECTION("empty Client Identifier with Clean Session 0, 3.1.1: CONNACK 0x85 / return code 2") {
    auto e = fails(pkt(0x10, kMqtt4 + "00 003c 0000"), v311);
    CHECK_ERROR(e, reason_code::client_identifier_not_valid, "MQTT-3.1.3-8",
                reaction::send_connack);
    CHECK(e.version == v311);
    CHECK(mqtt::connack_return_code_v3(e.code) == std::optional<std::uint8_t>(2));
    CHECK_THAT(e.message, Contains("an empty Client Identifier needs Clean Session set"));
  }
  SECTION("empty Client Identifier with Clean Session 1, 3.1.1: allowed") {
    CHECK(succeeds<mqtt::connect_packet>(pkt(0x10, kMqtt4 + "02 003c 0000"), v311)
              .client_id.empty());
  }
  SECTION("empty Client Identifier with Clean Start 0, 5.0: allowed") {
    CHECK(succeeds<mqtt::connect_packet>(pkt(0x10, kMqtt5 + "00 003c 00 0000"), v311)
              .client_id.empty());
  }
  SECTION("empty Client Identifier in 3.1 (even with Clean Session 1)") {
    auto e = fails(pkt(0x10, kMqisdp3 + "02 003c 0000"), v311);
    CHECK_ERROR(e, reason_code::client_identifier_not_valid, "MQTT-3.1 §3.1 Client Identifier",
                reaction::send_connack);
    CHECK(e.version == v31);
    CHECK(mqtt::connack_return_code_v3(e.code) == std::optional<std::uint8_t>(2));
    CHECK_THAT(e.message, Contains("MQTT 3.1 requires a Client Identifier"));
  }
  SECTION("Client Identifier with invalid UTF-8, 5.0: CONNACK 0x81") {
    auto e = fails(pkt(0x10, kMqtt5 + "02 003c 00 0002 c080"), v311);
    CHECK_ERROR(e, reason_code::malformed_packet, "MQTT-1.5.4-1", reaction::send_connack);
    CHECK_THAT(e.message, Contains("Client Identifier is not well-formed UTF-8"));
  }
  SECTION("Client Identifier with invalid UTF-8, 3.1.1: close") {
    auto e = fails(pkt(0x10, kMqtt4 + "02 003c 0002 eda080"), v311);
    CHECK_ERROR(e, reason_code::malformed_packet, "MQTT-1.5.3-1", reaction::close);
  }
}

// ---------------------------------------------------------------------------------------------
// UTF-8
// ---------------------------------------------------------------------------------------------

TEST_CASE("malformed: UTF-8 Encoded Strings", "[protocol][malformed]") {
  // Topic Name of a 3.1.1 PUBLISH; payload "x".
  auto topic = [](std::string_view bytes_hex) {
    const std::string s = unhex(bytes_hex);
    char len[5];
    std::snprintf(len, sizeof len, "%04zx", s.size());
    return pkt(0x30, std::string(len) + std::string(bytes_hex) + "78");
  };
  SECTION("overlong encoding of '/' (c0 af)") {
    auto e = fails(topic("61 c0af 62"), v311);
    CHECK_ERROR(e, reason_code::malformed_packet, "MQTT-1.5.3-1", reaction::close);
    CHECK_THAT(e.message, Contains("Topic Name is not well-formed UTF-8"));
  }
  SECTION("overlong encoding of U+0000 (c0 80)") {
    auto e = fails(topic("c080"), v311);
    CHECK_ERROR(e, reason_code::malformed_packet, "MQTT-1.5.3-1", reaction::close);
  }
  SECTION("overlong three-byte encoding (e0 80 af)") {
    auto e = fails(topic("e080af"), v5);
    CHECK_ERROR(e, reason_code::malformed_packet, "MQTT-1.5.4-1", reaction::send_disconnect);
  }
  SECTION("overlong four-byte encoding (f0 82 82 ac)") {
    auto e = fails(topic("f08282ac"), v311);
    CHECK_ERROR(e, reason_code::malformed_packet, "MQTT-1.5.3-1", reaction::close);
  }
  SECTION("surrogate U+D800 (ed a0 80)") {
    auto e = fails(topic("eda080"), v311);
    CHECK_ERROR(e, reason_code::malformed_packet, "MQTT-1.5.3-1", reaction::close);
    CHECK_THAT(e.message, Contains("Topic Name contains a UTF-16 surrogate"));
  }
  SECTION("surrogate U+DFFF (ed bf bf)") {
    auto e = fails(topic("61 edbfbf"), v311);
    CHECK_ERROR(e, reason_code::malformed_packet, "MQTT-1.5.3-1", reaction::close);
    CHECK_THAT(e.message, Contains("surrogate"));
  }
  SECTION("U+0000") {
    auto e = fails(topic("61 00 62"), v311);
    CHECK_ERROR(e, reason_code::malformed_packet, "MQTT-1.5.3-2", reaction::close);
    CHECK_THAT(e.message, Contains("Topic Name contains U+0000"));
  }
  SECTION("U+0000 in 5.0") {
    auto e = fails(pkt(0x30, "0001 00 00 78"), v5);
    CHECK_ERROR(e, reason_code::malformed_packet, "MQTT-1.5.4-2", reaction::send_disconnect);
  }
  SECTION("truncated sequence at the end of the string (e2 82)") {
    auto e = fails(topic("61 e282"), v311);
    CHECK_ERROR(e, reason_code::malformed_packet, "MQTT-1.5.3-1", reaction::close);
    CHECK_THAT(e.message, Contains("not well-formed"));
  }
  SECTION("truncated sequence followed by ASCII (e2 82 61)") {
    auto e = fails(topic("e28261"), v311);
    CHECK_ERROR(e, reason_code::malformed_packet, "MQTT-1.5.3-1", reaction::close);
  }
  SECTION("lone continuation byte (80)") {
    auto e = fails(topic("80"), v311);
    CHECK_ERROR(e, reason_code::malformed_packet, "MQTT-1.5.3-1", reaction::close);
  }
  SECTION("code point above U+10FFFF (f4 90 80 80)") {
    auto e = fails(topic("f4908080"), v311);
    CHECK_ERROR(e, reason_code::malformed_packet, "MQTT-1.5.3-1", reaction::close);
  }
  SECTION("f5 lead byte") {
    auto e = fails(topic("f5808080"), v311);
    CHECK_ERROR(e, reason_code::malformed_packet, "MQTT-1.5.3-1", reaction::close);
  }
  SECTION("ff byte") {
    auto e = fails(topic("ff"), v311);
    CHECK_ERROR(e, reason_code::malformed_packet, "MQTT-1.5.3-1", reaction::close);
  }
  SECTION("Topic Filter in SUBSCRIBE") {
    auto e = fails(pkt(0x82, "0001 0002 c0af 00"), v311);
    CHECK_ERROR(e, reason_code::malformed_packet, "MQTT-1.5.3-1", reaction::close);
    CHECK_THAT(e.message, Contains("Topic Filter is not well-formed UTF-8"));
  }
  SECTION("Topic Filter in UNSUBSCRIBE, 5.0") {
    auto e = fails(pkt(0xA2, "0001 00 0001 00"), v5);
    CHECK_ERROR(e, reason_code::malformed_packet, "MQTT-1.5.4-2", reaction::send_disconnect);
  }
  SECTION("User Name in CONNECT 3.1.1") {
    auto e = fails(pkt(0x10, kMqtt4 + "82 003c 0001 63 0003 eda080"), v311);
    CHECK_ERROR(e, reason_code::malformed_packet, "MQTT-1.5.3-1", reaction::close);
    CHECK_THAT(e.message, Contains("User Name contains a UTF-16 surrogate"));
  }
  SECTION("Will Topic in CONNECT 5.0") {
    auto e = fails(pkt(0x10, kMqtt5 + "06 003c 00 0001 63 00 0001 ff 0000"), v311);
    CHECK_ERROR(e, reason_code::malformed_packet, "MQTT-1.5.4-1", reaction::send_connack);
    CHECK_THAT(e.message, Contains("Will Topic"));
  }
  SECTION("User Property value, 5.0") {
    auto e = fails(pkt(0x30, "0001 61 07 26 0001 6b 0001 00 78"), v5);
    CHECK_ERROR(e, reason_code::malformed_packet, "MQTT-1.5.4-2", reaction::send_disconnect);
    CHECK_THAT(e.message, Contains("User Property value contains U+0000"));
  }
  SECTION("Password is Binary Data: any bytes are fine") {
    auto c = succeeds<mqtt::connect_packet>(pkt(0x10, kMqtt4 + "c2 003c 0001 63 0001 75 0002 ff00"),
                                            v311);
    CHECK(c.password == std::optional<std::string_view>("\xff\x00"sv));
  }
}

// ---------------------------------------------------------------------------------------------
// 5.0 properties
// ---------------------------------------------------------------------------------------------

TEST_CASE("malformed: 5.0 properties", "[protocol][malformed]") {
  // A 5.0 PUBLISH on "a/b" with properties `props_hex` (length included) and payload "hi".
  auto publish = [](std::string_view props_hex) {
    return pkt(0x30, "0003 612f62" + std::string(props_hex) + "6869");
  };
  SECTION("unknown property identifier") {
    auto e = fails(publish("02 7f 00"), v5);
    CHECK_ERROR(e, reason_code::malformed_packet, "MQTT-5.0 §2.2.2.2", reaction::send_disconnect);
    CHECK_THAT(e.message, Contains("unknown property identifier 127"));
  }
  SECTION("unknown property identifier 0") {
    auto e = fails(publish("01 00"), v5);
    CHECK_ERROR(e, reason_code::malformed_packet, "MQTT-5.0 §2.2.2.2", reaction::send_disconnect);
    CHECK_THAT(e.message, Contains("unknown property identifier 0"));
  }
  SECTION("two-byte property identifier (not defined)") {
    auto e = fails(publish("03 8101 00"), v5);
    CHECK_ERROR(e, reason_code::malformed_packet, "MQTT-5.0 §2.2.2.2", reaction::send_disconnect);
    CHECK_THAT(e.message, Contains("unknown property identifier 129"));
  }
  SECTION("property not allowed in PUBLISH: Session Expiry Interval") {
    auto e = fails(publish("05 11 00000001"), v5);
    CHECK_ERROR(e, reason_code::malformed_packet, "MQTT-5.0 §2.2.2.2", reaction::send_disconnect);
    CHECK_THAT(e.message,
               Contains("Session Expiry Interval (0x11) is not allowed in this packet"));
  }
  SECTION("property not allowed in CONNECT: Topic Alias") {
    auto e = fails(pkt(0x10, kMqtt5 + "02 003c 03 230001 0001 63"), v311);
    CHECK_ERROR(e, reason_code::malformed_packet, "MQTT-5.0 §2.2.2.2", reaction::send_connack);
    CHECK_THAT(e.message, Contains("Topic Alias (0x23) is not allowed"));
  }
  SECTION("property not allowed in Will Properties: Session Expiry Interval") {
    auto e = fails(pkt(0x10, kMqtt5 + "06 003c 00 0001 63 05 1100000001 0001 74 0000"), v311);
    CHECK_ERROR(e, reason_code::malformed_packet, "MQTT-5.0 §2.2.2.2", reaction::send_connack);
  }
  SECTION("Will Delay Interval is allowed in Will Properties only") {
    auto e = fails(pkt(0x10, kMqtt5 + "02 003c 05 1800000001 0001 63"), v311);
    CHECK_ERROR(e, reason_code::malformed_packet, "MQTT-5.0 §2.2.2.2", reaction::send_connack);
  }
  SECTION("property not allowed in PUBACK: Content Type") {
    auto e = fails(pkt(0x40, "0001 00 04 03 0001 61"), v5);
    CHECK_ERROR(e, reason_code::malformed_packet, "MQTT-5.0 §2.2.2.2", reaction::send_disconnect);
  }
  SECTION("duplicate property: Content Type twice is a Protocol Error") {
    auto e = fails(publish("08 03 0001 61 03 0001 62"), v5);
    CHECK_ERROR(e, reason_code::protocol_error, "MQTT-5.0 §3.3.2.3.9", reaction::send_disconnect);
    CHECK_THAT(e.message, Contains("Content Type (0x03) appears twice"));
  }
  SECTION("duplicate property: Session Expiry Interval twice in CONNECT") {
    auto e = fails(pkt(0x10, kMqtt5 + "02 003c 0a 1100000001 1100000002 0001 63"), v311);
    CHECK_ERROR(e, reason_code::protocol_error, "MQTT-5.0 §3.1.2.11.2", reaction::send_connack);
  }
  SECTION("repeated User Property is fine, order kept") {
    auto p = succeeds<mqtt::publish_packet>(
        publish("15 26 0001 62 0001 32  26 0001 61 0001 31  26 0001 62 0001 33"), v5);
    CHECK(p.props.user_properties ==
          std::vector<mqtt::user_property>{{"b", "2"}, {"a", "1"}, {"b", "3"}});
    CHECK(p.payload == "hi");
  }
  SECTION("repeated Subscription Identifier in PUBLISH is fine") {
    auto p = succeeds<mqtt::publish_packet>(publish("05 0b 05 0b ac02"), v5);
    CHECK(p.props.subscription_identifiers == std::vector<std::uint32_t>{5, 300});
  }
  SECTION("repeated Subscription Identifier in SUBSCRIBE is a Protocol Error") {
    auto e = fails(pkt(0x82, "0001 04 0b01 0b02 0003 612f62 00"), v5);
    CHECK_ERROR(e, reason_code::protocol_error, "MQTT-5.0 §3.8.2.1.2", reaction::send_disconnect);
    CHECK_THAT(e.message, Contains("Subscription Identifier (0x0B) appears twice"));
  }
  SECTION("duplicate property in Will Properties: Payload Format Indicator twice") {
    auto e = fails(pkt(0x10, kMqtt5 + "06 003c 00 0001 63 04 0100 0101 0001 74 0000"), v311);
    CHECK_ERROR(e, reason_code::protocol_error, "MQTT-5.0 §3.1.3.2.3", reaction::send_connack);
  }
  SECTION("duplicate property in DISCONNECT: Reason String twice") {
    auto e = fails(pkt(0xE0, "00 08 1f 0001 61 1f 0001 62"), v5);
    CHECK_ERROR(e, reason_code::protocol_error, "MQTT-5.0 §3.14.2.2.3", reaction::send_disconnect);
  }
  SECTION("property length past the packet") {
    auto e = fails(publish("10 01 01"), v5);
    CHECK_ERROR(e, reason_code::malformed_packet, "MQTT-5.0 §2.2.2.1", reaction::send_disconnect);
    CHECK_THAT(e.message, Contains("property length exceeds the packet"));
  }
  SECTION("property length past a PUBACK") {
    auto e = fails(pkt(0x40, "0001 00 05 1f00"), v5);
    CHECK_ERROR(e, reason_code::malformed_packet, "MQTT-5.0 §2.2.2.1", reaction::send_disconnect);
  }
  SECTION("property value running past the property length") {
    // Message Expiry Interval needs 4 bytes, the property length gives it 1.
    auto e = fails(pkt(0x30, "0003 612f62 01 02 00000000 6869"), v5);
    CHECK_ERROR(e, reason_code::malformed_packet, "MQTT-5.0 §2.2.2.1", reaction::send_disconnect);
    CHECK_THAT(e.message, Contains("a property value runs past the property length"));
  }
  SECTION("property length not minimally encoded") {
    auto e = fails(publish("8000"), v5);
    CHECK_ERROR(e, reason_code::malformed_packet, "MQTT-1.5.5-1", reaction::send_disconnect);
    CHECK_THAT(e.message, Contains("not minimally encoded"));
  }
  SECTION("Subscription Identifier longer than 4 bytes") {
    auto e = fails(pkt(0x82, "0001 06 0b 8080808001 0003 612f62 00"), v5);
    CHECK_ERROR(e, reason_code::malformed_packet, "MQTT-5.0 §1.5.5", reaction::send_disconnect);
    CHECK_THAT(e.message, Contains("variable byte integer longer than 4 bytes"));
  }
  SECTION("Subscription Identifier not minimally encoded (81 00)") {
    auto e = fails(pkt(0x82, "0001 03 0b 8100 0003 612f62 00"), v5);
    CHECK_ERROR(e, reason_code::malformed_packet, "MQTT-1.5.5-1", reaction::send_disconnect);
  }
  SECTION("Subscription Identifier 268435455 (ff ff ff 7f) is the largest") {
    auto s = succeeds<mqtt::subscribe_packet>(pkt(0x82, "0001 05 0b ffffff7f 0003 612f62 00"), v5);
    CHECK(s.props.subscription_identifiers == std::vector<std::uint32_t>{268435455});
  }
}

TEST_CASE("malformed: 5.0 property values", "[protocol][malformed]") {
  SECTION("Receive Maximum 0") {
    auto e = fails(pkt(0x10, kMqtt5 + "02 003c 03 210000 0001 63"), v311);
    CHECK_ERROR(e, reason_code::protocol_error, "MQTT-5.0 §3.1.2.11.3", reaction::send_connack);
    CHECK(e.version == v5);
    CHECK_THAT(e.message, Contains("Receive Maximum (0x21) must not be 0"));
  }
  SECTION("Receive Maximum 0 in CONNACK") {
    auto e = fails(pkt(0x20, "00 00 03 210000"), v5);
    CHECK_ERROR(e, reason_code::protocol_error, "MQTT-5.0 §3.2.2.3.3", reaction::send_disconnect);
  }
  SECTION("Maximum Packet Size 0") {
    auto e = fails(pkt(0x10, kMqtt5 + "02 003c 05 2700000000 0001 63"), v311);
    CHECK_ERROR(e, reason_code::protocol_error, "MQTT-5.0 §3.1.2.11.4", reaction::send_connack);
    CHECK_THAT(e.message, Contains("Maximum Packet Size (0x27) must not be 0"));
  }
  SECTION("Maximum Packet Size 0 in CONNACK") {
    auto e = fails(pkt(0x20, "00 00 05 2700000000"), v5);
    CHECK_ERROR(e, reason_code::protocol_error, "MQTT-5.0 §3.2.2.3.6", reaction::send_disconnect);
  }
  SECTION("Topic Alias 0") {
    auto e = fails(pkt(0x30, "0003 612f62 03 230000 6869"), v5);
    CHECK_ERROR(e, reason_code::topic_alias_invalid, "MQTT-3.3.2-8", reaction::send_disconnect);
    CHECK_THAT(e.message, Contains("Topic Alias (0x23) must not be 0"));
  }
  SECTION("Subscription Identifier 0 in SUBSCRIBE") {
    auto e = fails(pkt(0x82, "0001 02 0b00 0003 612f62 00"), v5);
    CHECK_ERROR(e, reason_code::protocol_error, "MQTT-5.0 §3.8.2.1.2", reaction::send_disconnect);
    CHECK_THAT(e.message, Contains("Subscription Identifier (0x0B) must be 1 to 268435455"));
  }
  SECTION("Subscription Identifier 0 in PUBLISH") {
    auto e = fails(pkt(0x30, "0003 612f62 02 0b00 6869"), v5);
    CHECK_ERROR(e, reason_code::protocol_error, "MQTT-5.0 §3.3.2.3.8", reaction::send_disconnect);
  }
  SECTION("Payload Format Indicator 2") {
    auto e = fails(pkt(0x30, "0003 612f62 02 0102 6869"), v5);
    CHECK_ERROR(e, reason_code::protocol_error, "MQTT-5.0 §3.3.2.3.2", reaction::send_disconnect);
    CHECK_THAT(e.message, Contains("Payload Format Indicator (0x01) must be 0 or 1"));
  }
  SECTION("Payload Format Indicator 2 in Will Properties") {
    auto e = fails(pkt(0x10, kMqtt5 + "06 003c 00 0001 63 02 0102 0001 74 0000"), v311);
    CHECK_ERROR(e, reason_code::protocol_error, "MQTT-5.0 §3.1.3.2.3", reaction::send_connack);
  }
  SECTION("Request Problem Information 2") {
    auto e = fails(pkt(0x10, kMqtt5 + "02 003c 02 1702 0001 63"), v311);
    CHECK_ERROR(e, reason_code::protocol_error, "MQTT-5.0 §3.1.2.11.7", reaction::send_connack);
  }
  SECTION("Request Response Information 2") {
    auto e = fails(pkt(0x10, kMqtt5 + "02 003c 02 1902 0001 63"), v311);
    CHECK_ERROR(e, reason_code::protocol_error, "MQTT-5.0 §3.1.2.11.6", reaction::send_connack);
  }
  SECTION("Maximum QoS 2 in CONNACK") {
    auto e = fails(pkt(0x20, "00 00 02 2402"), v5);
    CHECK_ERROR(e, reason_code::protocol_error, "MQTT-5.0 §3.2.2.3.4", reaction::send_disconnect);
  }
  SECTION("Retain Available, Wildcard / Subscription Identifier / Shared Subscription Available 2") {
    const std::pair<const char*, std::string_view> cases[] = {
        {"2502", "MQTT-5.0 §3.2.2.3.5"},
        {"2802", "MQTT-5.0 §3.2.2.3.11"},
        {"2902", "MQTT-5.0 §3.2.2.3.12"},
        {"2a02", "MQTT-5.0 §3.2.2.3.13"},
    };
    for (const auto& [property, rule] : cases) {
      CAPTURE(property);
      auto e = fails(pkt(0x20, std::string("00 00 02 ") + property), v5);
      CHECK_ERROR(e, reason_code::protocol_error, rule, reaction::send_disconnect);
    }
  }
}

TEST_CASE("malformed: Payload Format Indicator 1 with a payload that is not UTF-8",
          "[protocol][malformed]") {
  const std::string publish = pkt(0x30, "0003 612f62 02 0101 ff");
  SECTION("checked by default: 0x99") {
    auto e = fails(publish, v5);
    CHECK_ERROR(e, reason_code::payload_format_invalid, "MQTT-5.0 §3.3.2.3.2",
                reaction::send_disconnect);
    CHECK_THAT(e.message, Contains("payload is not valid UTF-8"));
  }
  SECTION("the check can be disabled") {
    mqtt::decode_options options;
    options.validate_payload_format = false;
    auto p = succeeds<mqtt::publish_packet>(publish, v5, options);
    CHECK(p.payload == "\xff"sv);
    CHECK(p.props.payload_format_indicator == std::optional<std::uint8_t>(1));
  }
  SECTION("Payload Format Indicator 0 does not check") {
    auto p = succeeds<mqtt::publish_packet>(pkt(0x30, "0003 612f62 02 0100 ff"), v5);
    CHECK(p.payload == "\xff"sv);
  }
  SECTION("valid UTF-8 payload passes") {
    auto p = succeeds<mqtt::publish_packet>(pkt(0x30, "0003 612f62 02 0101 c3a9"), v5);
    CHECK(p.payload == "\xc3\xa9"sv);
  }
  SECTION("U+0000 is well-formed UTF-8 (RFC 3629): allowed in a payload, unlike in a string") {
    auto p = succeeds<mqtt::publish_packet>(pkt(0x30, "0003 612f62 02 0101 61 00 62"), v5);
    CHECK(p.payload == "a\0b"sv);
    auto c = succeeds<mqtt::connect_packet>(
        pkt(0x10, kMqtt5 + "06 003c 00 0001 63 02 0101 0001 74 0001 00"), v311);
    REQUIRE(c.will);
    CHECK(c.will->payload == "\0"sv);
  }
  SECTION("a surrogate is not RFC 3629 UTF-8: refused in a payload") {
    auto e = fails(pkt(0x30, "0003 612f62 02 0101 eda080"), v5);
    CHECK_ERROR(e, reason_code::payload_format_invalid, "MQTT-5.0 §3.3.2.3.2",
                reaction::send_disconnect);
  }
  SECTION("Will Payload in CONNECT: CONNACK 0x99") {
    auto e = fails(pkt(0x10, kMqtt5 + "06 003c 00 0001 63 02 0101 0001 74 0002 c080"), v311);
    CHECK_ERROR(e, reason_code::payload_format_invalid, "MQTT-5.0 §3.1.3.2.3",
                reaction::send_connack);
    CHECK(e.version == v5);
  }
  SECTION("Will Payload check disabled") {
    mqtt::decode_options options;
    options.validate_payload_format = false;
    auto c = succeeds<mqtt::connect_packet>(
        pkt(0x10, kMqtt5 + "06 003c 00 0001 63 02 0101 0001 74 0002 c080"), v311, options);
    REQUIRE(c.will);
    CHECK(c.will->payload == "\xc0\x80"sv);
  }
}

// ---------------------------------------------------------------------------------------------
// Reason codes and acknowledgements
// ---------------------------------------------------------------------------------------------

// A 5.0 packet carrying a reason code its type does not define breaks the statement that the sender
// uses one of that packet's codes; it parses, so it is a Protocol Error (0x82).
TEST_CASE("malformed: reason codes not allowed in the packet", "[protocol][malformed]") {
  SECTION("PUBACK 0x04") {
    auto e = fails(pkt(0x40, "0001 04"), v5);
    CHECK_ERROR(e, reason_code::protocol_error, "MQTT-3.4.2-1", reaction::send_disconnect);
    CHECK_THAT(e.message, Contains("reason code 4 is not valid in PUBACK"));
  }
  SECTION("PUBACK 0x82 (Protocol Error is not a PUBACK code)") {
    auto e = fails(pkt(0x40, "0001 82"), v5);
    CHECK_ERROR(e, reason_code::protocol_error, "MQTT-3.4.2-1", reaction::send_disconnect);
  }
  SECTION("PUBREC 0x92") {
    auto e = fails(pkt(0x50, "0001 92"), v5);
    CHECK_ERROR(e, reason_code::protocol_error, "MQTT-3.5.2-1", reaction::send_disconnect);
  }
  SECTION("PUBREL 0x10") {
    auto e = fails(pkt(0x62, "0001 10"), v5);
    CHECK_ERROR(e, reason_code::protocol_error, "MQTT-3.6.2-1", reaction::send_disconnect);
    CHECK_THAT(e.message, Contains("not valid in PUBREL"));
  }
  SECTION("PUBCOMP 0x80") {
    auto e = fails(pkt(0x70, "0001 80"), v5);
    CHECK_ERROR(e, reason_code::protocol_error, "MQTT-3.7.2-1", reaction::send_disconnect);
  }
  SECTION("DISCONNECT 0x01") {
    auto e = fails(pkt(0xE0, "01"), v5);
    CHECK_ERROR(e, reason_code::protocol_error, "MQTT-3.14.2-1", reaction::send_disconnect);
    CHECK_THAT(e.message, Contains("reason code 1 is not valid in DISCONNECT"));
  }
  SECTION("DISCONNECT 0x84 (a CONNACK-only code)") {
    auto e = fails(pkt(0xE0, "84"), v5);
    CHECK_ERROR(e, reason_code::protocol_error, "MQTT-3.14.2-1", reaction::send_disconnect);
  }
  SECTION("AUTH 0x01") {
    auto e = fails(pkt(0xF0, "01"), v5);
    CHECK_ERROR(e, reason_code::protocol_error, "MQTT-3.15.2-1", reaction::send_disconnect);
    CHECK_THAT(e.message, Contains("not valid in AUTH"));
  }
  SECTION("AUTH 0x80") {
    auto e = fails(pkt(0xF0, "80 00"), v5);
    CHECK_ERROR(e, reason_code::protocol_error, "MQTT-3.15.2-1", reaction::send_disconnect);
  }
  SECTION("SUBACK 5.0 0x03") {
    auto e = fails(pkt(0x90, "0001 00 00 03"), v5);
    CHECK_ERROR(e, reason_code::protocol_error, "MQTT-3.9.3-2", reaction::send_disconnect);
    CHECK_THAT(e.message, Contains("reason code 3 is not valid in SUBACK"));
  }
  SECTION("SUBACK 3.1.1 return code 3") {
    auto e = fails(pkt(0x90, "0001 00 03"), v311);
    CHECK_ERROR(e, reason_code::malformed_packet, "MQTT-3.9.3-2", reaction::close);
    CHECK_THAT(e.message, Contains("SUBACK return code 3 is reserved"));
  }
  SECTION("SUBACK 3.1.1 return code 0x87 (a 5.0-only failure)") {
    auto e = fails(pkt(0x90, "0001 87"), v311);
    CHECK_ERROR(e, reason_code::malformed_packet, "MQTT-3.9.3-2", reaction::close);
  }
  SECTION("UNSUBACK 5.0 0x01") {
    auto e = fails(pkt(0xB0, "0001 00 01"), v5);
    CHECK_ERROR(e, reason_code::protocol_error, "MQTT-3.11.3-2", reaction::send_disconnect);
  }
  SECTION("CONNACK 5.0 0x04") {
    auto e = fails(pkt(0x20, "00 04 00"), v5);
    CHECK_ERROR(e, reason_code::protocol_error, "MQTT-3.2.2-8", reaction::send_disconnect);
  }
}

TEST_CASE("malformed: CONNACK", "[protocol][malformed]") {
  SECTION("reserved acknowledge flags, 3.1.1") {
    auto e = fails(pkt(0x20, "02 00"), v311);
    CHECK_ERROR(e, reason_code::malformed_packet, "MQTT-4.8.0-1", reaction::close);
    CHECK_THAT(e.message, Contains("reserved Connect Acknowledge Flags are set"));
  }
  SECTION("reserved acknowledge flags, 5.0") {
    auto e = fails(pkt(0x20, "80 00 00"), v5);
    CHECK_ERROR(e, reason_code::malformed_packet, "MQTT-3.2.2-1", reaction::send_disconnect);
  }
  SECTION("3.1 has no flags: the first byte is ignored") {
    auto c = succeeds<mqtt::connack_packet>(pkt(0x20, "ff 00"), v31);
    CHECK_FALSE(c.session_present);
    CHECK(c.reason == reason_code::success);
  }
  SECTION("reserved return code 6, 3.1.1") {
    auto e = fails(pkt(0x20, "00 06"), v311);
    CHECK_ERROR(e, reason_code::malformed_packet, "MQTT-4.8.0-1", reaction::close);
    CHECK_THAT(e.message, Contains("CONNACK return code 6 is reserved"));
  }
  SECTION("reserved return code 0x80, 3.1.1") {
    auto e = fails(pkt(0x20, "00 80"), v311);
    CHECK_ERROR(e, reason_code::malformed_packet, "MQTT-4.8.0-1", reaction::close);
  }
  SECTION("3.1.1 CONNACK with a 5.0 property length is trailing garbage") {
    auto e = fails(pkt(0x20, "00 00 00"), v311);
    CHECK_ERROR(e, reason_code::malformed_packet, "MQTT-4.8.0-1", reaction::close);
  }
}

// ---------------------------------------------------------------------------------------------
// stream_decoder
// ---------------------------------------------------------------------------------------------

TEST_CASE("malformed: stream_decoder refuses an oversized packet from its fixed header",
          "[protocol][malformed][stream]") {
  SECTION("3.1.1 connection (no version yet): close") {
    mqtt::stream_decoder d(1024);
    // PUBLISH announcing 268435455 bytes: only its 5-byte fixed header arrives.
    d.feed(unhex("30 ff ff ff 7f"));
    auto r = d.next();
    REQUIRE(r);
    REQUIRE_FALSE(r->ok());
    CHECK_ERROR(r->error(), reason_code::packet_too_large, "MQTT-3.2.2-15", reaction::close);
    CHECK_THAT(r->error().message, Contains("packet of 268435460 bytes exceeds the maximum of 1024"));
    CHECK(d.buffered() <= 5);
    // Dead: the body that follows is ignored and never buffered.
    d.feed(std::string(4096, 'x'));
    CHECK_FALSE(d.next());
    CHECK(d.buffered() <= 5);
  }
  SECTION("5.0 connection: DISCONNECT 0x95") {
    mqtt::stream_decoder d(100);
    d.set_version(v5);
    d.feed(unhex("30 65"));  // 2 + 101 = 103 bytes announced
    auto r = d.next();
    REQUIRE(r);
    REQUIRE_FALSE(r->ok());
    CHECK_ERROR(r->error(), reason_code::packet_too_large, "MQTT-3.2.2-15",
                reaction::send_disconnect);
    CHECK(r->error().version == v5);
    CHECK(mqtt::reason_code_allowed(mqtt::packet_type::disconnect, r->error().code));
  }
  SECTION("5.0 connection: exactly at the limit passes, one byte over fails") {
    mqtt::stream_decoder ok(9);
    ok.set_version(v5);
    ok.feed(unhex("30 07 0003 612f62 00 78"));  // 9 bytes in all
    auto a = ok.next();
    REQUIRE(a);
    CHECK(a->ok());

    mqtt::stream_decoder over(8);
    over.set_version(v5);
    over.feed(unhex("30 07"));  // the fixed header is enough to know
    auto b = over.next();
    REQUIRE(b);
    REQUIRE_FALSE(b->ok());
    CHECK_ERROR(b->error(), reason_code::packet_too_large, "MQTT-3.2.2-15",
                reaction::send_disconnect);
    CHECK(b->error().version == v5);
    CHECK(over.buffered() == 2);
  }
}

TEST_CASE("malformed: stream_decoder Remaining Length with a 5th byte", "[protocol][malformed][stream]") {
  SECTION("3.1.1") {
    mqtt::stream_decoder d;
    d.feed(unhex("30 80 80 80 80"));  // four continuation bytes: a fifth would be needed
    auto r = d.next();
    REQUIRE(r);
    REQUIRE_FALSE(r->ok());
    CHECK_ERROR(r->error(), reason_code::malformed_packet, "MQTT-3.1.1 §2.2.3", reaction::close);
    CHECK_THAT(r->error().message, Contains("Remaining Length is longer than four bytes"));
  }
  SECTION("5.0") {
    mqtt::stream_decoder d;
    d.set_version(v5);
    d.feed(unhex("c0 ff ff ff ff 01"));
    auto r = d.next();
    REQUIRE(r);
    REQUIRE_FALSE(r->ok());
    CHECK_ERROR(r->error(), reason_code::malformed_packet, "MQTT-5.0 §1.5.5",
                reaction::send_disconnect);
  }
  SECTION("not minimally encoded, 3.1.1: allowed (3.1.1 has no minimal-encoding rule)") {
    mqtt::stream_decoder d;
    d.feed(unhex("c0 80 00  c0 00"));
    auto a = d.next();
    REQUIRE(a);
    REQUIRE(a->ok());
    CHECK(mqtt::type_of(a->value()) == mqtt::packet_type::pingreq);
    auto b = d.next();
    REQUIRE(b);
    CHECK(b->ok());
    CHECK(d.buffered() == 0);
  }
  SECTION("not minimally encoded, 5.0") {
    mqtt::stream_decoder d;
    d.set_version(v5);
    d.feed(unhex("c0 80 00"));
    auto r = d.next();
    REQUIRE(r);
    REQUIRE_FALSE(r->ok());
    CHECK_ERROR(r->error(), reason_code::malformed_packet, "MQTT-1.5.5-1",
                reaction::send_disconnect);
    CHECK_THAT(r->error().message, Contains("not minimally encoded"));
  }
  SECTION("three continuation bytes: still waiting") {
    mqtt::stream_decoder d;
    d.feed(unhex("30 80 80 80"));
    CHECK_FALSE(d.next());
    CHECK(d.buffered() == 4);
  }
}

TEST_CASE("malformed: stream_decoder yields nothing after an error", "[protocol][malformed][stream]") {
  SECTION("a good packet, a bad one, then more good ones") {
    mqtt::stream_decoder d;
    d.feed(unhex("c0 00  62 02 0000  c0 00"));  // PINGREQ, PUBREL with id 0, PINGREQ
    auto a = d.next();
    REQUIRE(a);
    REQUIRE(a->ok());
    CHECK(mqtt::type_of(a->value()) == mqtt::packet_type::pingreq);
    auto b = d.next();
    REQUIRE(b);
    REQUIRE_FALSE(b->ok());
    CHECK_ERROR(b->error(), reason_code::protocol_error, "MQTT-3.1.1 §2.3.1", reaction::close);
    CHECK_FALSE(d.next());
    d.feed(unhex("c0 00"));
    CHECK_FALSE(d.next());
    CHECK_FALSE(d.next());
  }
  SECTION("after a CONNECT 5.0 the version is 5.0, and body errors say so") {
    mqtt::stream_decoder d;
    d.feed(unhex("101200044d5154540502003c0321001400027035"));  // mosquitto 5.0 CONNECT
    auto c = d.next();
    REQUIRE(c);
    REQUIRE(c->ok());
    CHECK(d.version() == std::optional<protocol_version>(v5));
    d.feed(pkt(0x82, "0001 00 0003 612f62 30"));  // Retain Handling 3
    auto e = d.next();
    REQUIRE(e);
    REQUIRE_FALSE(e->ok());
    CHECK_ERROR(e->error(), reason_code::protocol_error, "MQTT-5.0 §3.8.3.1",
                reaction::send_disconnect);
    CHECK(e->error().version == v5);
    d.feed(unhex("c0 00"));
    CHECK_FALSE(d.next());
  }
  SECTION("a bad CONNECT as the first packet") {
    mqtt::stream_decoder d;
    d.feed(pkt(0x10, "0004 4d515454 07 02 003c 0001 63"));
    auto e = d.next();
    REQUIRE(e);
    REQUIRE_FALSE(e->ok());
    CHECK_ERROR(e->error(), reason_code::unsupported_protocol_version, "MQTT-3.1.2-2",
                reaction::send_connack);
    CHECK_FALSE(d.version());
    d.feed(unhex("c0 00"));
    CHECK_FALSE(d.next());
  }
}
