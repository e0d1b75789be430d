// The stream decoder must yield the same packets however the bytes are split.
#include <catch2/catch.hpp>

#include "packet_generator.hpp"
#include "protocol/stream_decoder.hpp"

using namespace unimq::mqtt;
using unimq::mqtt::testing::packet_generator;

namespace {

struct stream {
  std::vector<packet> packets;
  std::string bytes;
};

// A CONNECT first (it sets the decoder's version), then random packets.
stream make_stream(packet_generator& gen, protocol_version v, int count) {
  stream s;
  s.packets.push_back(gen.make(packet_type::connect, v));
  for (int i = 0; i < count; ++i) s.packets.push_back(gen.make_any(v));
  for (const auto& p : s.packets) REQUIRE(encode(p, v, s.bytes));
  return s;
}

// Feeds `s` in pieces whose sizes `next_size` picks; checks each packet as it comes out (views are
// only valid until the next feed).
template <class NextSize>
void feed_in_pieces(const stream& s, NextSize next_size, bool use_prepare) {
  stream_decoder decoder;
  std::size_t pos = 0;
  std::size_t seen = 0;
  while (pos < s.bytes.size()) {
    const std::size_t n = std::min(next_size(), s.bytes.size() - pos);
    if (use_prepare) {
      std::memcpy(decoder.prepare(n), s.bytes.data() + pos, n);
      decoder.commit(n);
    } else {
      decoder.feed(std::string_view(s.bytes).substr(pos, n));
    }
    pos += n;
    while (auto result = decoder.next()) {
      REQUIRE(result->ok());
      REQUIRE(seen < s.packets.size());
      CHECK(result->value() == s.packets[seen]);
      ++seen;
    }
  }
  CHECK(seen == s.packets.size());
  CHECK(decoder.buffered() == 0);
}

}  // namespace

TEST_CASE("a long packet stream decodes the same one byte at a time, in random chunks and at once") {
  for (auto v : {protocol_version::v3_1, protocol_version::v3_1_1, protocol_version::v5}) {
    packet_generator gen(static_cast<std::uint32_t>(v) * 7919);
    const stream s = make_stream(gen, v, 400);
    INFO("version " << int(v));
    feed_in_pieces(s, [] { return std::size_t{1}; }, false);
    feed_in_pieces(s, [&] { return std::size_t{1} + gen.rng()() % 97; }, false);
    feed_in_pieces(s, [&] { return std::size_t{1} + gen.rng()() % 1500; }, true);
    feed_in_pieces(s, [&] { return s.bytes.size(); }, false);
  }
}

TEST_CASE("a CONNECT sets the decoder's version") {
  stream_decoder decoder;
  CHECK_FALSE(decoder.version());
  connect_packet c;
  c.version = protocol_version::v5;
  c.client_id = "x";
  std::string bytes;
  REQUIRE(encode(c, protocol_version::v5, bytes));
  // A 5.0 PUBACK with a reason code only decodes once the version is known to be 5.0.
  puback_packet ack;
  ack.packet_id = 1;
  ack.reason = reason_code::quota_exceeded;
  REQUIRE(encode(ack, protocol_version::v5, bytes));
  decoder.feed(bytes);
  auto first = decoder.next();
  REQUIRE(first);
  REQUIRE(first->ok());
  CHECK(decoder.version() == protocol_version::v5);
  auto second = decoder.next();
  REQUIRE(second);
  REQUIRE(second->ok());
  CHECK(std::get<puback_packet>(second->value()).reason == reason_code::quota_exceeded);
}

TEST_CASE("packets from one read stay valid until the next feed") {
  stream_decoder decoder;
  decoder.set_version(protocol_version::v3_1_1);
  std::string bytes;
  for (const char* t : {"one", "two", "three"}) {
    publish_packet p;
    p.topic = t;
    p.payload = t;
    REQUIRE(encode(p, protocol_version::v3_1_1, bytes));
  }
  decoder.feed(bytes);
  std::vector<decode_result> results;
  while (auto r = decoder.next()) results.push_back(std::move(*r));
  REQUIRE(results.size() == 3);
  CHECK(std::get<publish_packet>(results[0].value()).topic == "one");
  CHECK(std::get<publish_packet>(results[2].value()).payload == "three");
}

TEST_CASE("a partial packet waits for the rest") {
  stream_decoder decoder;
  decoder.feed(std::string_view("\xC0", 1));  // PINGREQ's first byte
  CHECK_FALSE(decoder.next());
  decoder.feed(std::string_view("\x00", 1));
  auto r = decoder.next();
  REQUIRE(r);
  REQUIRE(r->ok());
  CHECK(std::holds_alternative<pingreq_packet>(r->value()));
}
