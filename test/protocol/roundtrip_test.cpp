// Encode then decode every packet type in every version, with every property its packet may carry,
// and a seeded stream of random packets: decode(encode(p)) must give p back.
#include <catch2/catch.hpp>

#include "packet_generator.hpp"
#include "protocol/codec.hpp"

using namespace unimq::mqtt;
using unimq::mqtt::testing::packet_generator;

namespace {

constexpr protocol_version kVersions[] = {protocol_version::v3_1, protocol_version::v3_1_1,
                                          protocol_version::v5};

std::string encoded(const packet& p, protocol_version v) {
  std::string bytes;
  REQUIRE(encode(p, v, bytes));
  REQUIRE(bytes.size() == encoded_size(p, v));
  return bytes;
}

void check_round_trip(const packet& p, protocol_version v) {
  const std::string bytes = encoded(p, v);
  const decode_result decoded = decode(bytes, v);
  INFO(to_string(type_of(p)) << " v" << int(v) << ": "
                             << (decoded ? "" : decoded.error().message));
  REQUIRE(decoded.ok());
  CHECK(decoded.value() == p);
  // Canonical: encoding the decoded packet gives the same bytes.
  CHECK(encoded(decoded.value(), v) == bytes);
}

}  // namespace

TEST_CASE("every packet type round-trips in every version with all its properties") {
  packet_generator gen(1);
  for (auto v : kVersions) {
    for (int t = 1; t <= 15; ++t) {
      const auto type = static_cast<packet_type>(t);
      if (type == packet_type::auth && v != protocol_version::v5) continue;
      for (bool all : {true, false}) check_round_trip(gen.make(type, v, all), v);
    }
  }
}

TEST_CASE("user properties keep their order and repeats") {
  publish_packet p;
  p.topic = "a/b";
  p.props.user_properties = {{"k", "1"}, {"k", "2"}, {"a", ""}, {"k", "1"}};
  const std::string bytes = encoded(p, protocol_version::v5);
  const auto decoded = decode(bytes, protocol_version::v5);
  REQUIRE(decoded.ok());
  CHECK(std::get<publish_packet>(decoded.value()).props.user_properties == p.props.user_properties);
}

TEST_CASE("5.0 acks leave out a Success reason code and empty properties") {
  puback_packet ack;
  ack.packet_id = 7;
  CHECK(encoded(ack, protocol_version::v5) == std::string("\x40\x02\x00\x07", 4));
  ack.reason = reason_code::no_matching_subscribers;
  CHECK(encoded(ack, protocol_version::v5) == std::string("\x40\x03\x00\x07\x10", 5));
  disconnect_packet d;
  CHECK(encoded(d, protocol_version::v5) == std::string("\xE0\x00", 2));
}

TEST_CASE("3.x has no code for 5.0-only CONNACK reasons and maps SUBACK failures to 0x80") {
  connack_packet c;
  c.reason = reason_code::banned;
  std::string out;
  CHECK_FALSE(encode(c, protocol_version::v3_1_1, out));
  CHECK(out.empty());

  suback_packet s;
  s.packet_id = 1;
  s.reasons = {reason_code::granted_qos_1, reason_code::topic_filter_invalid};
  CHECK(encoded(s, protocol_version::v3_1_1) == std::string("\x90\x04\x00\x01\x01\x80", 6));
}

TEST_CASE("a string longer than 65535 bytes cannot be encoded") {
  const std::string long_topic(70'000, 'a');
  publish_packet p;
  p.topic = long_topic;
  std::string out;
  CHECK_FALSE(encode(p, protocol_version::v3_1_1, out));
  CHECK(encoded_size(p, protocol_version::v3_1_1) == 0);
  CHECK(out.empty());
}

TEST_CASE("Remaining Length uses 1 to 4 bytes at the spec's boundaries") {
  for (std::size_t payload : {0u, 121u, 122u, 16'379u, 16'380u, 2'097'147u, 2'097'148u}) {
    const std::string data(payload, 'x');
    publish_packet p;
    p.topic = "t";  // body = 2 + 1 + payload
    p.payload = data;
    const std::string bytes = encoded(p, protocol_version::v3_1_1);
    const std::size_t body = 3 + payload;
    CHECK(bytes.size() == 1 + varint_size(static_cast<std::uint32_t>(body)) + body);
    const auto decoded = decode(bytes, protocol_version::v3_1_1);
    REQUIRE(decoded.ok());
    CHECK(std::get<publish_packet>(decoded.value()).payload.size() == payload);
  }
}

TEST_CASE("seeded random packets round-trip", "[random]") {
  const auto seed = static_cast<std::uint32_t>(GENERATE(11, 22, 33));
  packet_generator gen(seed);
  INFO("seed " << seed);
  for (int i = 0; i < 3000; ++i) {
    const auto v = kVersions[gen.rng()() % std::size(kVersions)];
    check_round_trip(gen.make_any(v), v);
  }
}

TEST_CASE("decoding a PUBLISH does not copy its payload") {
  publish_packet p;
  p.topic = "a";
  p.payload = "payload bytes";
  const std::string bytes = encoded(p, protocol_version::v3_1_1);
  const auto decoded = decode(bytes, protocol_version::v3_1_1);
  REQUIRE(decoded.ok());
  const auto& payload = std::get<publish_packet>(decoded.value()).payload;
  CHECK(payload.data() >= bytes.data());
  CHECK(payload.data() + payload.size() == bytes.data() + bytes.size());
}
