// Golden bytes: packets written out by hand from the MQTT 3.1.1 / 5.0 specifications, and packets
// captured from the real Eclipse Mosquitto 2.0.11 command-line clients (Debian mosquitto-clients).
//
// How the captures were made: no broker was involved. A ~60-line python3 socket server listened on
// 127.0.0.1 on a free port (PORT below), split what the client sent into packets by their fixed
// header, wrote each packet as hex, and answered with hand-written acknowledgements: CONNACK
// (20 02 00 00, or 20 03 00 00 00 for 5.0), PUBACK/PUBREC/PUBCOMP for QoS 1/2, SUBACK, UNSUBACK,
// PINGRESP, and one QoS 0 PUBLISH on "a/b" after each SUBACK so that "mosquitto_sub -C N" proceeds.
// The port only changes where the client connects, never a byte it sends.
//
// Every capture is checked field by field, and re-encoded: where the codec's encoding is the same as
// Mosquitto's (the codec writes properties in a fixed order, Mosquitto in command-line order) the
// bytes must come back identical; elsewhere the re-encoding must have the same size and decode to
// the same packet.

#include <catch2/catch.hpp>

#include "hex.hpp"

#include <cctype>
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
using mqtt::qos;
using mqtt::reason_code;

namespace {

using unimq::mqtt::testing::unhex;

std::string tohex(std::string_view bytes) {
  static constexpr char digits[] = "0123456789abcdef";
  std::string out;
  for (char c : bytes) {
    const auto b = static_cast<unsigned char>(c);
    out.push_back(digits[b >> 4]);
    out.push_back(digits[b & 0xF]);
  }
  return out;
}

// Decodes `bytes`, which must succeed, and returns the packet as type P.
template <class P>
P decode_as(const std::string& bytes, protocol_version v) {
  auto r = mqtt::decode(bytes, v);
  if (!r.ok()) FAIL("decode failed: " << r.error().message << " [" << r.error().rule << "]");
  REQUIRE(std::holds_alternative<P>(r.value()));
  return std::get<P>(r.value());
}

std::string encode_packet(const mqtt::packet& p, protocol_version v) {
  std::string out;
  REQUIRE(mqtt::encode(p, v, out));
  CHECK(mqtt::encoded_size(p, v) == out.size());
  return out;
}

// The encoding of `p` is the golden bytes themselves.
void check_canonical(const std::string& bytes, const mqtt::packet& p, protocol_version v) {
  CHECK(tohex(encode_packet(p, v)) == tohex(bytes));
}

// The encoding differs only in property order: same size, decodes to an equal packet.
template <class P>
void check_reencodes_equal(const std::string& bytes, const P& p, protocol_version v) {
  const std::string out = encode_packet(mqtt::packet(p), v);
  CHECK(out.size() == bytes.size());
  CHECK(decode_as<P>(out, v) == p);
}

using user_props = std::vector<mqtt::user_property>;

}  // namespace

// ---------------------------------------------------------------------------------------------
// CONNECT captures
// ---------------------------------------------------------------------------------------------

TEST_CASE("golden: mosquitto_pub MQTT 3.1 CONNECT and PUBLISH", "[protocol][golden]") {
  // mosquitto_pub -V mqttv31 -h 127.0.0.1 -p PORT -i c31 -k 30 -t a/b -m hi
  const auto connect = unhex("101100064d51497364700302001e0003633331");
  const auto publish = unhex("30070003612f626869");
  const auto disconnect = unhex("e000");

  auto c = decode_as<mqtt::connect_packet>(connect, protocol_version::v3_1_1);
  CHECK(c.version == protocol_version::v3_1);
  CHECK(c.clean_start);
  CHECK(c.keep_alive == 30);
  CHECK(c.client_id == "c31");
  CHECK_FALSE(c.will);
  CHECK_FALSE(c.username);
  CHECK_FALSE(c.password);
  CHECK(c.props.empty());
  check_canonical(connect, c, protocol_version::v3_1);

  auto p = decode_as<mqtt::publish_packet>(publish, protocol_version::v3_1);
  CHECK(p.qos == qos::at_most_once);
  CHECK_FALSE(p.dup);
  CHECK_FALSE(p.retain);
  CHECK(p.topic == "a/b");
  CHECK(p.packet_id == 0);
  CHECK(p.payload == "hi");
  check_canonical(publish, p, protocol_version::v3_1);

  auto d = decode_as<mqtt::disconnect_packet>(disconnect, protocol_version::v3_1);
  check_canonical(disconnect, d, protocol_version::v3_1);
}

TEST_CASE("golden: mosquitto_pub MQTT 3.1.1 CONNECT with will, user name and password",
          "[protocol][golden]") {
  // mosquitto_pub -V mqttv311 -h 127.0.0.1 -p PORT -i c311 -k 60 -u user -P pass
  //   --will-topic w/t --will-payload bye --will-qos 1 --will-retain -t a/b -q 1 -m hello
  const auto connect = unhex(
      "102600044d51545404ee003c0004633331310003772f74000362796500047573657200047061"
      "7373");
  const auto publish = unhex("320c0003612f62000168656c6c6f");

  auto c = decode_as<mqtt::connect_packet>(connect, protocol_version::v3_1_1);
  CHECK(c.version == protocol_version::v3_1_1);
  CHECK(c.clean_start);
  CHECK(c.keep_alive == 60);
  CHECK(c.client_id == "c311");
  REQUIRE(c.will);
  CHECK(c.will->topic == "w/t");
  CHECK(c.will->payload == "bye");
  CHECK(c.will->qos == qos::at_least_once);
  CHECK(c.will->retain);
  CHECK(c.will->props.empty());
  CHECK(c.username == std::optional<std::string_view>("user"));
  CHECK(c.password == std::optional<std::string_view>("pass"));
  check_canonical(connect, c, protocol_version::v3_1_1);

  auto p = decode_as<mqtt::publish_packet>(publish, protocol_version::v3_1_1);
  CHECK(p.qos == qos::at_least_once);
  CHECK_FALSE(p.dup);
  CHECK_FALSE(p.retain);
  CHECK(p.topic == "a/b");
  CHECK(p.packet_id == 1);
  CHECK(p.payload == "hello");
  check_canonical(publish, p, protocol_version::v3_1_1);
}

TEST_CASE("golden: mosquitto_pub MQTT 5.0 CONNECT with properties, will properties, credentials",
          "[protocol][golden]") {
  // mosquitto_pub -V mqttv5 -h 127.0.0.1 -p PORT -i c5 -k 60 -x 120 -D connect receive-maximum 20
  //   -D connect user-property a b -u user -P pass --will-topic w/t --will-payload bye
  //   --will-qos 2 -D will will-delay-interval 5 -D will content-type text/plain -t a/b -m x
  const auto connect = unhex(
      "104700044d51545405d6003c0f2100142600016100016211000000780002633512180000000503"
      "000a746578742f706c61696e0003772f740003627965000475736572000470617373");
  const auto publish = unhex("30070003612f620078");

  // A CONNECT brings its own version: the connection's version does not matter.
  auto c = decode_as<mqtt::connect_packet>(connect, protocol_version::v3_1_1);
  CHECK(c.version == protocol_version::v5);
  CHECK(c.clean_start);
  CHECK(c.keep_alive == 60);
  CHECK(c.props.receive_maximum == std::optional<std::uint16_t>(20));
  CHECK(c.props.session_expiry_interval == std::optional<std::uint32_t>(120));
  CHECK(c.props.user_properties == user_props{{"a", "b"}});
  CHECK_FALSE(c.props.maximum_packet_size);
  CHECK(c.client_id == "c5");
  REQUIRE(c.will);
  CHECK(c.will->topic == "w/t");
  CHECK(c.will->payload == "bye");
  CHECK(c.will->qos == qos::exactly_once);
  CHECK_FALSE(c.will->retain);
  CHECK(c.will->props.will_delay_interval == std::optional<std::uint32_t>(5));
  CHECK(c.will->props.content_type == std::optional<std::string_view>("text/plain"));
  CHECK(c.will->props.user_properties.empty());
  CHECK(c.username == std::optional<std::string_view>("user"));
  CHECK(c.password == std::optional<std::string_view>("pass"));
  // Mosquitto sends Receive Maximum, User Property, Session Expiry; the codec writes 0x21, 0x11, 0x26.
  check_reencodes_equal(connect, c, protocol_version::v5);
  // The Will Properties are in the codec's order (0x18 before 0x03): from the Will Properties to
  // the end (41 bytes) the re-encoding is byte for byte the capture.
  std::string out;
  REQUIRE(mqtt::encode(mqtt::packet(c), protocol_version::v5, out));
  REQUIRE(out.size() == connect.size());
  CHECK(tohex(out.substr(out.size() - 41)) == tohex(connect.substr(connect.size() - 41)));

  auto p = decode_as<mqtt::publish_packet>(publish, protocol_version::v5);
  CHECK(p.topic == "a/b");
  CHECK(p.props.empty());
  CHECK(p.payload == "x");
  check_canonical(publish, p, protocol_version::v5);
}

TEST_CASE("golden: mosquitto 5.0 default CONNECT (Receive Maximum 20)", "[protocol][golden]") {
  // mosquitto_pub -V mqttv5 -h 127.0.0.1 -p PORT -i p5 -t a/b -m hello -q 1 -r
  //   -D publish user-property k v        (its CONNECT)
  const auto connect = unhex("101200044d5154540502003c0321001400027035");
  auto c = decode_as<mqtt::connect_packet>(connect, protocol_version::v3_1_1);
  CHECK(c.version == protocol_version::v5);
  CHECK(c.clean_start);
  CHECK(c.keep_alive == 60);
  CHECK(c.props.receive_maximum == std::optional<std::uint16_t>(20));
  CHECK(c.props.user_properties.empty());
  CHECK(c.client_id == "p5");
  CHECK_FALSE(c.will);
  check_canonical(connect, c, protocol_version::v5);
}

// ---------------------------------------------------------------------------------------------
// PUBLISH captures
// ---------------------------------------------------------------------------------------------

TEST_CASE("golden: mosquitto_pub 5.0 PUBLISH QoS 0 with every message property",
          "[protocol][golden]") {
  // mosquitto_pub -V mqttv5 -h 127.0.0.1 -p PORT -i p5 -t a/b -m hello
  //   -D publish user-property k v -D publish user-property k w -D publish content-type text/plain
  //   -D publish message-expiry-interval 30 -D publish correlation-data cd
  //   -D publish response-topic r/t -D publish payload-format-indicator 1
  const auto publish = unhex(
      "30380003612f622d2600016b0001762600016b00017703000a746578742f706c61696e020000"
      "001e0900026364080003722f74010168656c6c6f");
  auto p = decode_as<mqtt::publish_packet>(publish, protocol_version::v5);
  CHECK(p.qos == qos::at_most_once);
  CHECK_FALSE(p.dup);
  CHECK_FALSE(p.retain);
  CHECK(p.topic == "a/b");
  CHECK(p.packet_id == 0);
  CHECK(p.props.user_properties == user_props{{"k", "v"}, {"k", "w"}});  // repeats, in order
  CHECK(p.props.content_type == std::optional<std::string_view>("text/plain"));
  CHECK(p.props.message_expiry_interval == std::optional<std::uint32_t>(30));
  CHECK(p.props.correlation_data == std::optional<std::string_view>("cd"));
  CHECK(p.props.response_topic == std::optional<std::string_view>("r/t"));
  CHECK(p.props.payload_format_indicator == std::optional<std::uint8_t>(1));
  CHECK_FALSE(p.props.topic_alias);
  CHECK(p.props.subscription_identifiers.empty());
  CHECK(p.payload == "hello");
  check_reencodes_equal(publish, p, protocol_version::v5);
  // In 3.1.1 the same fields encode without properties.
  std::string v3;
  REQUIRE(mqtt::encode(p, protocol_version::v3_1_1, v3));
  CHECK(tohex(v3) == "300a0003612f6268656c6c6f");
}

TEST_CASE("golden: mosquitto_pub 5.0 PUBLISH QoS 1 retained with a user property",
          "[protocol][golden]") {
  // mosquitto_pub -V mqttv5 -h 127.0.0.1 -p PORT -i p5 -t a/b -m hello -q 1 -r
  //   -D publish user-property k v
  const auto publish = unhex("33140003612f620001072600016b00017668656c6c6f");
  auto p = decode_as<mqtt::publish_packet>(publish, protocol_version::v5);
  CHECK(p.qos == qos::at_least_once);
  CHECK(p.retain);
  CHECK_FALSE(p.dup);
  CHECK(p.topic == "a/b");
  CHECK(p.packet_id == 1);
  CHECK(p.props.user_properties == user_props{{"k", "v"}});
  CHECK(p.payload == "hello");
  check_canonical(publish, p, protocol_version::v5);
}

TEST_CASE("golden: mosquitto_pub 5.0 PUBLISH QoS 2 and its PUBREL", "[protocol][golden]") {
  // mosquitto_pub -V mqttv5 -h 127.0.0.1 -p PORT -i p5 -t a/b -m hello -q 2
  //   -D publish message-expiry-interval 30
  const auto publish = unhex("34120003612f62000105020000001e68656c6c6f");
  const auto pubrel = unhex("62020001");
  auto p = decode_as<mqtt::publish_packet>(publish, protocol_version::v5);
  CHECK(p.qos == qos::exactly_once);
  CHECK_FALSE(p.retain);
  CHECK(p.packet_id == 1);
  CHECK(p.props.message_expiry_interval == std::optional<std::uint32_t>(30));
  CHECK(p.payload == "hello");
  check_canonical(publish, p, protocol_version::v5);

  // 5.0 PUBREL with Success and no properties: the short form, Remaining Length 2 (spec 3.6.2.1).
  auto rel = decode_as<mqtt::pubrel_packet>(pubrel, protocol_version::v5);
  CHECK(rel.packet_id == 1);
  CHECK(rel.reason == reason_code::success);
  CHECK(rel.props.empty());
  check_canonical(pubrel, rel, protocol_version::v5);
}

TEST_CASE("golden: mosquitto_pub 3.1.1 PUBLISH QoS 2 and its PUBREL", "[protocol][golden]") {
  // mosquitto_pub -V mqttv311 -h 127.0.0.1 -p PORT -i p311 -t a/b -m hello -q 2
  const auto connect = unhex("101000044d5154540402003c000470333131");
  const auto publish = unhex("340c0003612f62000168656c6c6f");
  const auto pubrel = unhex("62020001");
  auto c = decode_as<mqtt::connect_packet>(connect, protocol_version::v3_1_1);
  CHECK(c.version == protocol_version::v3_1_1);
  CHECK(c.client_id == "p311");
  CHECK(c.keep_alive == 60);
  check_canonical(connect, c, protocol_version::v3_1_1);

  auto p = decode_as<mqtt::publish_packet>(publish, protocol_version::v3_1_1);
  CHECK(p.qos == qos::exactly_once);
  CHECK(p.packet_id == 1);
  CHECK(p.topic == "a/b");
  CHECK(p.payload == "hello");
  check_canonical(publish, p, protocol_version::v3_1_1);

  auto rel = decode_as<mqtt::pubrel_packet>(pubrel, protocol_version::v3_1_1);
  CHECK(rel.packet_id == 1);
  check_canonical(pubrel, rel, protocol_version::v3_1_1);
}

// ---------------------------------------------------------------------------------------------
// SUBSCRIBE / UNSUBSCRIBE / PINGREQ / DISCONNECT captures
// ---------------------------------------------------------------------------------------------

TEST_CASE("golden: mosquitto_sub 3.1.1 SUBSCRIBE with two filters", "[protocol][golden]") {
  // mosquitto_sub -V mqttv311 -h 127.0.0.1 -p PORT -i s311 -t a/b -t c/# -q 1 -C 1
  const auto subscribe = unhex("820e00010003612f62010003632f2301");
  auto s = decode_as<mqtt::subscribe_packet>(subscribe, protocol_version::v3_1_1);
  CHECK(s.packet_id == 1);
  CHECK(s.props.empty());
  REQUIRE(s.subscriptions.size() == 2);
  CHECK(s.subscriptions[0].filter == "a/b");
  CHECK(s.subscriptions[0].options.max_qos == qos::at_least_once);
  CHECK_FALSE(s.subscriptions[0].options.no_local);
  CHECK_FALSE(s.subscriptions[0].options.retain_as_published);
  CHECK(s.subscriptions[0].options.retain_handling == 0);
  CHECK(s.subscriptions[1].filter == "c/#");
  CHECK(s.subscriptions[1].options.max_qos == qos::at_least_once);
  check_canonical(subscribe, s, protocol_version::v3_1_1);
}

TEST_CASE("golden: mosquitto_sub 5.0 SUBSCRIBE with retain-as-published and identifier",
          "[protocol][golden]") {
  // mosquitto_sub -V mqttv5 -h 127.0.0.1 -p PORT -i s5 -t a/b -q 2 --retain-as-published
  //   -D subscribe subscription-identifier 7 -D subscribe user-property k v -C 1
  // (mosquitto_sub 2.0.11 has no option for No Local or Retain Handling; see the hand-written
  // SUBSCRIBE below.)
  const auto subscribe = unhex("82120001090b072600016b0001760003612f620a");
  auto s = decode_as<mqtt::subscribe_packet>(subscribe, protocol_version::v5);
  CHECK(s.packet_id == 1);
  CHECK(s.props.subscription_identifiers == std::vector<std::uint32_t>{7});
  CHECK(s.props.user_properties == user_props{{"k", "v"}});
  REQUIRE(s.subscriptions.size() == 1);
  CHECK(s.subscriptions[0].filter == "a/b");
  CHECK(s.subscriptions[0].options.max_qos == qos::exactly_once);
  CHECK_FALSE(s.subscriptions[0].options.no_local);
  CHECK(s.subscriptions[0].options.retain_as_published);
  CHECK(s.subscriptions[0].options.retain_handling == 0);
  check_canonical(subscribe, s, protocol_version::v5);
}

TEST_CASE("golden: mosquitto_sub 3.1.1 UNSUBSCRIBE (one packet per -U)", "[protocol][golden]") {
  // mosquitto_sub -V mqttv311 -h 127.0.0.1 -p PORT -i u311 -t a/b -U x/y -U z -C 1
  const auto subscribe = unhex("820800010003612f6200");
  const auto unsub1 = unhex("a20700020003782f79");
  const auto unsub2 = unhex("a205000300017a");

  auto s = decode_as<mqtt::subscribe_packet>(subscribe, protocol_version::v3_1_1);
  REQUIRE(s.subscriptions.size() == 1);
  CHECK(s.subscriptions[0].options.max_qos == qos::at_most_once);

  auto u1 = decode_as<mqtt::unsubscribe_packet>(unsub1, protocol_version::v3_1_1);
  CHECK(u1.packet_id == 2);
  CHECK(u1.filters == std::vector<std::string_view>{"x/y"});
  check_canonical(unsub1, u1, protocol_version::v3_1_1);
  auto u2 = decode_as<mqtt::unsubscribe_packet>(unsub2, protocol_version::v3_1_1);
  CHECK(u2.packet_id == 3);
  CHECK(u2.filters == std::vector<std::string_view>{"z"});
  check_canonical(unsub2, u2, protocol_version::v3_1_1);
}

TEST_CASE("golden: mosquitto_sub 5.0 UNSUBSCRIBE with a user property", "[protocol][golden]") {
  // mosquitto_sub -V mqttv5 -h 127.0.0.1 -p PORT -i u5 -t a/b -U x/y
  //   -D unsubscribe user-property k v -C 1
  const auto subscribe = unhex("82090001000003612f6200");
  const auto unsubscribe = unhex("a20f0002072600016b0001760003782f79");

  auto s = decode_as<mqtt::subscribe_packet>(subscribe, protocol_version::v5);
  CHECK(s.props.empty());
  REQUIRE(s.subscriptions.size() == 1);
  CHECK(s.subscriptions[0].filter == "a/b");
  check_canonical(subscribe, s, protocol_version::v5);

  auto u = decode_as<mqtt::unsubscribe_packet>(unsubscribe, protocol_version::v5);
  CHECK(u.packet_id == 2);
  CHECK(u.props.user_properties == user_props{{"k", "v"}});
  CHECK(u.filters == std::vector<std::string_view>{"x/y"});
  check_canonical(unsubscribe, u, protocol_version::v5);
}

TEST_CASE("golden: mosquitto_sub keep-alive PINGREQ and DISCONNECT", "[protocol][golden]") {
  // mosquitto_sub -V mqttv311 -h 127.0.0.1 -p PORT -i pg -k 5 -t a/b -C 2 -W 9
  // (the PINGREQ after 5 s without traffic, the DISCONNECT when -W expires)
  const auto connect = unhex("100e00044d5154540402000500027067");
  const auto pingreq = unhex("c000");
  const auto disconnect = unhex("e000");
  auto c = decode_as<mqtt::connect_packet>(connect, protocol_version::v3_1_1);
  CHECK(c.keep_alive == 5);
  CHECK(c.client_id == "pg");
  auto ping = decode_as<mqtt::pingreq_packet>(pingreq, protocol_version::v3_1_1);
  check_canonical(pingreq, ping, protocol_version::v3_1_1);
  check_canonical(pingreq, ping, protocol_version::v5);
  auto d = decode_as<mqtt::disconnect_packet>(disconnect, protocol_version::v3_1_1);
  check_canonical(disconnect, d, protocol_version::v3_1_1);
  // In 5.0 the two-byte form means Normal disconnection without properties (spec 3.14.2.1).
  auto d5 = decode_as<mqtt::disconnect_packet>(disconnect, protocol_version::v5);
  CHECK(d5.reason == reason_code::normal_disconnection);
  CHECK(d5.props.empty());
  check_canonical(disconnect, d5, protocol_version::v5);
}

TEST_CASE("golden: mosquitto_pub 5.0 DISCONNECT with properties", "[protocol][golden]") {
  // mosquitto_pub -V mqttv5 -h 127.0.0.1 -p PORT -i d5 -t a/b -m x
  //   -D disconnect session-expiry-interval 0 -D disconnect user-property k v
  const auto disconnect = unhex("e00e000c11000000002600016b000176");
  auto d = decode_as<mqtt::disconnect_packet>(disconnect, protocol_version::v5);
  CHECK(d.reason == reason_code::normal_disconnection);
  CHECK(d.props.session_expiry_interval == std::optional<std::uint32_t>(0));
  CHECK(d.props.user_properties == user_props{{"k", "v"}});
  check_canonical(disconnect, d, protocol_version::v5);
}

TEST_CASE("golden: a whole mosquitto 5.0 session through stream_decoder, one byte at a time",
          "[protocol][golden]") {
  // mosquitto_pub -V mqttv5 -h 127.0.0.1 -p PORT -i d5 -t a/b -m x
  //   -D disconnect session-expiry-interval 0 -D disconnect user-property k v
  const auto session = unhex(
      "101200044d5154540502003c0321001400026435"
      "30070003612f620078"
      "e00e000c11000000002600016b000176");
  mqtt::stream_decoder d;
  std::vector<mqtt::packet_type> types;
  std::vector<std::string> payloads;
  for (char c : session) {
    d.feed(std::string_view(&c, 1));
    while (auto r = d.next()) {
      REQUIRE(r->ok());
      types.push_back(mqtt::type_of(r->value()));
      if (auto* p = std::get_if<mqtt::publish_packet>(&r->value()))
        payloads.emplace_back(p->payload);
      if (auto* dc = std::get_if<mqtt::disconnect_packet>(&r->value()))
        CHECK(dc->props.user_properties == user_props{{"k", "v"}});
    }
  }
  CHECK(types == std::vector<mqtt::packet_type>{mqtt::packet_type::connect,
                                                mqtt::packet_type::publish,
                                                mqtt::packet_type::disconnect});
  CHECK(payloads == std::vector<std::string>{"x"});
  CHECK(d.version() == std::optional<protocol_version>(protocol_version::v5));
  CHECK(d.buffered() == 0);
}

// ---------------------------------------------------------------------------------------------
// Hand-written from the specifications
// ---------------------------------------------------------------------------------------------

TEST_CASE("golden: spec CONNECT 3.1.1 variable header example (flags 0xCE, keep alive 10)",
          "[protocol][golden]") {
  // MQTT 3.1.1 figure 3.6: "MQTT", level 4, flags 0xCE (user name, password, Will QoS 1, Will,
  // Clean Session), Keep Alive 10; payload in the order of 3.1.3.
  const auto connect = unhex(
      "10 1b 0004 4d515454 04 ce 000a"
      "0002 6964"           // Client Identifier "id"
      "0001 74  0002 6869"  // Will Topic "t", Will Message "hi"
      "0001 75  0001 70");  // User Name "u", Password "p"
  auto c = decode_as<mqtt::connect_packet>(connect, protocol_version::v3_1_1);
  CHECK(c.version == protocol_version::v3_1_1);
  CHECK(c.keep_alive == 10);
  CHECK(c.clean_start);
  CHECK(c.client_id == "id");
  REQUIRE(c.will);
  CHECK(c.will->topic == "t");
  CHECK(c.will->payload == "hi");
  CHECK(c.will->qos == qos::at_least_once);
  CHECK_FALSE(c.will->retain);
  CHECK(c.username == std::optional<std::string_view>("u"));
  CHECK(c.password == std::optional<std::string_view>("p"));
  check_canonical(connect, c, protocol_version::v3_1_1);
}

TEST_CASE("golden: spec 5.0 CONNECT with a password and no user name", "[protocol][golden]") {
  // MQTT 5.0 3.1.2.9: a Password without a User Name is allowed (unlike 3.1.1 [MQTT-3.1.2-22]).
  // Flags 0x40 (password only, Clean Start 0), empty Client Identifier (the server assigns one).
  const auto connect = unhex("10 13 0004 4d515454 05 40 0000 00 0000 0004 70617373");
  auto c = decode_as<mqtt::connect_packet>(connect, protocol_version::v3_1_1);
  CHECK(c.version == protocol_version::v5);
  CHECK_FALSE(c.clean_start);
  CHECK(c.keep_alive == 0);
  CHECK(c.client_id.empty());
  CHECK_FALSE(c.username);
  CHECK(c.password == std::optional<std::string_view>("pass"));
  check_canonical(connect, c, protocol_version::v5);
}

TEST_CASE("golden: spec 3.1.1 CONNECT with an empty client id and Clean Session 1",
          "[protocol][golden]") {
  // [MQTT-3.1.3-7]: a zero-byte ClientId needs CleanSession 1, and then it is accepted.
  const auto connect = unhex("10 0c 0004 4d515454 04 02 003c 0000");
  auto c = decode_as<mqtt::connect_packet>(connect, protocol_version::v3_1_1);
  CHECK(c.client_id.empty());
  CHECK(c.clean_start);
  check_canonical(connect, c, protocol_version::v3_1_1);
}

TEST_CASE("golden: spec CONNACK 3.1.1 and 5.0", "[protocol][golden]") {
  // 3.1.1: Session Present 1, return code 0.
  const auto v3 = unhex("20 02 01 00");
  auto a = decode_as<mqtt::connack_packet>(v3, protocol_version::v3_1_1);
  CHECK(a.session_present);
  CHECK(a.reason == reason_code::success);
  check_canonical(v3, a, protocol_version::v3_1_1);

  // 3.1.1 return code 5 (not authorized) maps to 0x87.
  const auto v3_refused = unhex("20 02 00 05");
  auto r = decode_as<mqtt::connack_packet>(v3_refused, protocol_version::v3_1_1);
  CHECK(r.reason == reason_code::not_authorized);
  check_canonical(v3_refused, r, protocol_version::v3_1_1);

  // 5.0: Maximum QoS 1, Receive Maximum 10, Topic Alias Maximum 5, Assigned Client Identifier "abc".
  const auto v5 = unhex("20 11 00 00 0e 2401 21000a 220005 120003616263");
  auto b = decode_as<mqtt::connack_packet>(v5, protocol_version::v5);
  CHECK_FALSE(b.session_present);
  CHECK(b.reason == reason_code::success);
  CHECK(b.props.maximum_qos == std::optional<std::uint8_t>(1));
  CHECK(b.props.receive_maximum == std::optional<std::uint16_t>(10));
  CHECK(b.props.topic_alias_maximum == std::optional<std::uint16_t>(5));
  CHECK(b.props.assigned_client_identifier == std::optional<std::string_view>("abc"));
  check_canonical(v5, b, protocol_version::v5);

  // 5.0 refusal 0x84 with no properties.
  const auto v5_refused = unhex("20 03 00 84 00");
  auto c = decode_as<mqtt::connack_packet>(v5_refused, protocol_version::v5);
  CHECK(c.reason == reason_code::unsupported_protocol_version);
  check_canonical(v5_refused, c, protocol_version::v5);
}

TEST_CASE("golden: spec 5.0 SUBSCRIBE with No Local and Retain Handling", "[protocol][golden]") {
  // MQTT 5.0 3.8.3.1: bits 0-1 QoS, bit 2 No Local, bit 3 Retain As Published, bits 4-5 Retain
  // Handling. 0x25 = QoS 1, No Local, Retain Handling 2; 0x1e = QoS 2, No Local, RAP, RH 1.
  const auto subscribe = unhex("82 0d 0002 00 0003612f62 25 000163 1e");
  auto s = decode_as<mqtt::subscribe_packet>(subscribe, protocol_version::v5);
  CHECK(s.packet_id == 2);
  REQUIRE(s.subscriptions.size() == 2);
  const auto& a = s.subscriptions[0].options;
  CHECK(s.subscriptions[0].filter == "a/b");
  CHECK(a.max_qos == qos::at_least_once);
  CHECK(a.no_local);
  CHECK_FALSE(a.retain_as_published);
  CHECK(a.retain_handling == 2);
  const auto& b = s.subscriptions[1].options;
  CHECK(s.subscriptions[1].filter == "c");
  CHECK(b.max_qos == qos::exactly_once);
  CHECK(b.no_local);
  CHECK(b.retain_as_published);
  CHECK(b.retain_handling == 1);
  check_canonical(subscribe, s, protocol_version::v5);
  // In 3.1.1 only the QoS survives.
  std::string v3;
  REQUIRE(mqtt::encode(mqtt::packet(s), protocol_version::v3_1_1, v3));
  CHECK(tohex(v3) == "820c00020003612f6201000163" "02");
}

TEST_CASE("golden: spec SUBACK and UNSUBACK", "[protocol][golden]") {
  const auto suback3 = unhex("90 06 0001 00 01 02 80");
  auto s3 = decode_as<mqtt::suback_packet>(suback3, protocol_version::v3_1_1);
  CHECK(s3.packet_id == 1);
  CHECK(s3.reasons == std::vector<reason_code>{reason_code::granted_qos_0,
                                               reason_code::granted_qos_1,
                                               reason_code::granted_qos_2,
                                               reason_code::unspecified_error});
  check_canonical(suback3, s3, protocol_version::v3_1_1);

  const auto suback5 = unhex("90 07 0001 00 00 01 02 a2");
  auto s5 = decode_as<mqtt::suback_packet>(suback5, protocol_version::v5);
  CHECK(s5.reasons.back() == reason_code::wildcard_subscriptions_not_supported);
  check_canonical(suback5, s5, protocol_version::v5);

  const auto unsuback3 = unhex("b0 02 0007");
  auto u3 = decode_as<mqtt::unsuback_packet>(unsuback3, protocol_version::v3_1_1);
  CHECK(u3.packet_id == 7);
  CHECK(u3.reasons.empty());
  check_canonical(unsuback3, u3, protocol_version::v3_1_1);

  const auto unsuback5 = unhex("b0 05 0007 00 00 11");
  auto u5 = decode_as<mqtt::unsuback_packet>(unsuback5, protocol_version::v5);
  CHECK(u5.reasons ==
        std::vector<reason_code>{reason_code::success, reason_code::no_subscription_existed});
  check_canonical(unsuback5, u5, protocol_version::v5);
}

TEST_CASE("golden: spec PUBACK / PUBREC / PUBCOMP forms", "[protocol][golden]") {
  // 3.1.1: exactly the Packet Identifier.
  const auto puback3 = unhex("40 02 1234");
  auto a3 = decode_as<mqtt::puback_packet>(puback3, protocol_version::v3_1_1);
  CHECK(a3.packet_id == 0x1234);
  check_canonical(puback3, a3, protocol_version::v3_1_1);
  const auto pubrec3 = unhex("50 02 0001");
  check_canonical(pubrec3, decode_as<mqtt::pubrec_packet>(pubrec3, protocol_version::v3_1_1),
                  protocol_version::v3_1_1);
  const auto pubcomp3 = unhex("70 02 0001");
  check_canonical(pubcomp3, decode_as<mqtt::pubcomp_packet>(pubcomp3, protocol_version::v3_1_1),
                  protocol_version::v3_1_1);

  // 5.0 spec 3.4.2.1: reason code without properties (Remaining Length 3).
  const auto puback5 = unhex("40 03 0001 10");
  auto a5 = decode_as<mqtt::puback_packet>(puback5, protocol_version::v5);
  CHECK(a5.reason == reason_code::no_matching_subscribers);
  CHECK(a5.props.empty());
  check_canonical(puback5, a5, protocol_version::v5);

  // 5.0 with a Reason String "nom".
  const auto puback5s = unhex("40 0a 0001 97 06 1f00036e6f6d");
  auto b5 = decode_as<mqtt::puback_packet>(puback5s, protocol_version::v5);
  CHECK(b5.reason == reason_code::quota_exceeded);
  CHECK(b5.props.reason_string == std::optional<std::string_view>("nom"));
  check_canonical(puback5s, b5, protocol_version::v5);

  // 5.0 PUBCOMP 0x92 (Packet Identifier not found).
  const auto pubcomp5 = unhex("70 03 0009 92");
  auto c5 = decode_as<mqtt::pubcomp_packet>(pubcomp5, protocol_version::v5);
  CHECK(c5.packet_id == 9);
  CHECK(c5.reason == reason_code::packet_identifier_not_found);
  check_canonical(pubcomp5, c5, protocol_version::v5);

  // 5.0 accepts reason code 0 followed by an empty property list (a non-canonical long form).
  const auto long_form = unhex("40 04 0001 00 00");
  auto l = decode_as<mqtt::puback_packet>(long_form, protocol_version::v5);
  CHECK(l.reason == reason_code::success);
  CHECK(tohex(encode_packet(l, protocol_version::v5)) == "40020001");
}

TEST_CASE("golden: spec 5.0 DISCONNECT with a reason and AUTH", "[protocol][golden]") {
  // Reason 0x04 (Disconnect with Will Message), properties left out (spec 3.14.2.2.1).
  const auto with_will = unhex("e0 01 04");
  auto d = decode_as<mqtt::disconnect_packet>(with_will, protocol_version::v5);
  CHECK(d.reason == reason_code::disconnect_with_will_message);
  CHECK(d.props.empty());
  check_canonical(with_will, d, protocol_version::v5);

  // Reason 0x80 with a Reason String "bad".
  const auto with_string = unhex("e0 08 80 06 1f 0003 626164");
  auto e = decode_as<mqtt::disconnect_packet>(with_string, protocol_version::v5);
  CHECK(e.reason == reason_code::unspecified_error);
  CHECK(e.props.reason_string == std::optional<std::string_view>("bad"));
  check_canonical(with_string, e, protocol_version::v5);

  // AUTH 0x18 (Continue authentication), Authentication Method "SCRAM", Authentication Data 01 02.
  const auto auth = unhex("f0 0f 18 0d 15 0005 534352414d 16 0002 0102");
  auto a = decode_as<mqtt::auth_packet>(auth, protocol_version::v5);
  CHECK(a.reason == reason_code::continue_authentication);
  CHECK(a.props.authentication_method == std::optional<std::string_view>("SCRAM"));
  CHECK(a.props.authentication_data == std::optional<std::string_view>("\x01\x02"sv));
  check_canonical(auth, a, protocol_version::v5);

  // AUTH with Remaining Length 0 means Success (spec 3.15.2.1).
  const auto auth0 = unhex("f0 00");
  auto a0 = decode_as<mqtt::auth_packet>(auth0, protocol_version::v5);
  CHECK(a0.reason == reason_code::success);
  check_canonical(auth0, a0, protocol_version::v5);

  const auto pingresp = unhex("d0 00");
  check_canonical(pingresp, decode_as<mqtt::pingresp_packet>(pingresp, protocol_version::v5),
                  protocol_version::v5);
}

TEST_CASE("golden: spec 5.0 PUBLISH with Topic Alias and repeated Subscription Identifiers",
          "[protocol][golden]") {
  // Empty Topic Name with Topic Alias 1 (spec 3.3.2.3.4), Subscription Identifiers 1 and 300
  // (several in a PUBLISH from the server, spec 3.3.2.3.8), varint 300 = ac 02.
  // Properties in the codec's order: Topic Alias (23 0001), then 0b 01, 0b ac 02.
  const auto canonical = unhex("30 0d 0000 08 230001 0b01 0bac02 6869");
  auto p = decode_as<mqtt::publish_packet>(canonical, protocol_version::v5);
  CHECK(p.topic.empty());
  CHECK(p.props.topic_alias == std::optional<std::uint16_t>(1));
  CHECK(p.props.subscription_identifiers == std::vector<std::uint32_t>{1, 300});
  CHECK(p.payload == "hi");
  check_canonical(canonical, p, protocol_version::v5);
}

TEST_CASE("golden: spec Remaining Length boundaries (table 2.4 / 1.5.5)", "[protocol][golden]") {
  // 3.1.1 table 2.4: 127 -> 7f, 128 -> 80 01, 16383 -> ff 7f, 16384 -> 80 80 01,
  // 2097152 -> 80 80 80 01.
  struct row {
    std::size_t body;
    const char* header;
  };
  for (auto [body, header] : {row{127, "307f"}, row{128, "308001"}, row{16383, "30ff7f"},
                              row{16384, "30808001"}, row{2097151, "30ffff7f"},
                              row{2097152, "3080808001"}}) {
    CAPTURE(body);
    const std::string payload(body - 5, 'x');  // topic "a/b" takes 5 bytes
    mqtt::publish_packet p;
    p.topic = "a/b";
    p.payload = payload;
    std::string out;
    REQUIRE(mqtt::encode(p, protocol_version::v3_1_1, out));
    CHECK(tohex(out.substr(0, std::string_view(header).size() / 2)) == header);
    auto back = decode_as<mqtt::publish_packet>(out, protocol_version::v3_1_1);
    CHECK(back.payload.size() == payload.size());
  }
}

TEST_CASE("golden: spec UTF-8 strings that must be accepted", "[protocol][golden]") {
  // MQTT 5.0 1.5.4 example: "A\u{2A6D4}" = 41 f0 aa 9b 94; plus U+00E9 (c3 a9), U+20AC (e2 82 ac),
  // U+FEFF (ef bb bf, must not be stripped [MQTT-1.5.4-3]) and U+10FFFF (f4 8f bf bf).
  const auto publish = unhex("30 14 0011 41f0aa9b94 c3a9 e282ac efbbbf f48fbfbf 78");
  auto p = decode_as<mqtt::publish_packet>(publish, protocol_version::v3_1_1);
  CHECK(p.topic == "A\xF0\xAA\x9B\x94\xC3\xA9\xE2\x82\xAC\xEF\xBB\xBF\xF4\x8F\xBF\xBF");
  CHECK(p.payload == "x");
  check_canonical(publish, p, protocol_version::v3_1_1);
}
