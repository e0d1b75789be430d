// libFuzzer target over the MQTT codec: decode(), stream_decoder and encode().
//
// Input layout: the first byte is a selector, the rest is the byte stream a peer would send.
//   bits 0-1  protocol version: 0 = 3.1, 1 = 3.1.1, 2 = 5.0, 3 = unset (3.1.1 rules until a CONNECT)
//   bit  2    decode_options::validate_payload_format off
//   bits 3-7  seed of the chunking pattern
//
// Oracles, each one aborts (so libFuzzer reports a crash) instead of only looking for memory errors:
//   1. Round trip: every decoded packet encodes (in the version it was decoded in), the encoding
//      decodes again, the two packets compare equal, encoded_size() agrees with encode(), and
//      encoding the second packet gives the same bytes (encoding is canonical).
//   2. Chunking invariance: the stream fed in one piece and fed in pieces of varying sizes (through
//      feed() and through prepare()/commit(), committing less than prepared at times) yields the
//      same packets, the same error and the same number of buffered bytes.
//   3. decode() vs stream_decoder: decode() accepts the input exactly when the stream yields one
//      packet that spans the whole input, and then both packets are equal.
//
// Why the round trip compares packets and not the original bytes: several wire forms legitimately
// decode to the same packet and encode() writes one canonical form: properties are written in a
// fixed order, a 5.0 PUBACK/DISCONNECT/AUTH with Success and an empty property list drops both, an
// empty property length on such a packet is not written back, and a 3.1 CONNACK's first byte is
// unused (always written as 0). None of these lose information the packet struct carries, so the
// packet-level oracle needs no exception.

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "protocol/codec.hpp"
#include "protocol/stream_decoder.hpp"

namespace {

using namespace unimq::mqtt;

// Keeps memory bounded whatever the Remaining Length claims.
constexpr std::uint32_t kMaxFuzzPacket = 64 * 1024;

[[noreturn]] void fail(const char* what, const std::string& detail = {}) {
  std::fprintf(stderr, "stream_decoder_fuzz: oracle failed: %s %s\n", what, detail.c_str());
  std::abort();
}

std::string hex(std::string_view s) {
  static const char digits[] = "0123456789abcdef";
  std::string out;
  for (unsigned char c : s.substr(0, 256)) {
    out += digits[c >> 4];
    out += digits[c & 0xF];
  }
  if (s.size() > 256) out += "...";
  return out;
}

// The version a packet is encoded in: a CONNECT names its own, others use the connection's.
protocol_version encoding_version(const packet& p, protocol_version connection) {
  if (const auto* c = std::get_if<connect_packet>(&p)) return c->version;
  return connection;
}

/// Oracle 1. Returns the canonical encoding of `p`.
std::string check_round_trip(const packet& p, protocol_version v, const decode_options& options) {
  std::string first;
  if (!encode(p, v, first)) fail("a decoded packet does not encode", to_string(type_of(p)));
  if (encoded_size(p, v) != first.size())
    fail("encoded_size() disagrees with encode()", hex(first));
  if (const auto* pub = std::get_if<publish_packet>(&p)) {
    std::string direct;
    if (!encode(*pub, v, direct) || direct != first)
      fail("encode(publish_packet) differs from encode(packet)", hex(first));
  }

  decode_result again = decode(first, v, options);
  if (!again) fail("re-encoded packet does not decode:", again.error().message + " " + hex(first));
  if (!(again.value() == p)) fail("re-decoded packet differs from the first decode", hex(first));

  std::string second;
  if (!encode(again.value(), v, second) || second != first)
    fail("encoding is not canonical", hex(first) + " vs " + hex(second));
  return first;
}

/// What a stream produced: each packet's canonical encoding, then how it ended.
struct stream_outcome {
  std::vector<std::string> packets;
  std::optional<decode_error> error;
  std::size_t buffered = 0;
};

/// Drains `d`, checking every packet (the views die at the next feed/prepare).
void drain(stream_decoder& d, const decode_options& options, stream_outcome& out) {
  for (;;) {
    const protocol_version connection = d.version().value_or(protocol_version::v3_1_1);
    std::optional<decode_result> r = d.next();
    if (!r) return;
    if (!*r) {
      if (out.error) fail("stream reported a second error after the first");
      out.error = r->error();
      continue;  // the stream is dead now: next() must yield nothing
    }
    if (out.error) fail("stream yielded a packet after an error");
    const packet& p = r->value();
    out.packets.push_back(check_round_trip(p, encoding_version(p, connection), options));
  }
}

struct rng {
  std::uint64_t state;
  std::uint64_t next() {  // splitmix64
    std::uint64_t z = (state += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
  }
  std::size_t chunk() {  // mostly tiny pieces (split headers and fields), sometimes large ones
    const std::uint64_t r = next();
    switch (r & 3) {
      case 0: return 1;
      case 1: return 1 + (r >> 8) % 7;
      case 2: return 1 + (r >> 8) % 64;
      default: return 1 + (r >> 8) % 4096;
    }
  }
};

stream_decoder make_decoder(std::optional<protocol_version> version, const decode_options& options) {
  stream_decoder d(kMaxFuzzPacket, options);
  if (version) d.set_version(*version);
  return d;
}

stream_outcome run_whole(std::string_view input, std::optional<protocol_version> version,
                         const decode_options& options) {
  stream_outcome out;
  stream_decoder d = make_decoder(version, options);
  d.feed(input);
  drain(d, options, out);
  out.buffered = d.buffered();
  return out;
}

stream_outcome run_chunked(std::string_view input, std::optional<protocol_version> version,
                           const decode_options& options, std::uint64_t seed) {
  stream_outcome out;
  stream_decoder d = make_decoder(version, options);
  rng g{seed};
  std::size_t pos = 0;
  while (pos < input.size()) {
    const std::size_t n = std::min(g.chunk(), input.size() - pos);
    if (g.next() & 1) {
      d.feed(input.substr(pos, n));
    } else {
      // Ask for more room than is used at times, as a socket read that returns less would.
      const std::size_t room = n + (g.next() & 1 ? g.next() % 64 : 0);
      char* area = d.prepare(room);
      std::memcpy(area, input.data() + pos, n);
      d.commit(n);
    }
    pos += n;
    drain(d, options, out);
  }
  drain(d, options, out);
  out.buffered = d.buffered();
  return out;
}

bool same_error(const std::optional<decode_error>& a, const std::optional<decode_error>& b) {
  if (a.has_value() != b.has_value()) return false;
  if (!a) return true;
  return a->code == b->code && a->rule == b->rule && a->action == b->action &&
         a->version == b->version;
}

void check_same(const stream_outcome& whole, const stream_outcome& chunked) {
  if (whole.packets.size() != chunked.packets.size())
    fail("chunking changed the number of packets",
         std::to_string(whole.packets.size()) + " vs " + std::to_string(chunked.packets.size()));
  for (std::size_t i = 0; i < whole.packets.size(); ++i)
    if (whole.packets[i] != chunked.packets[i])
      fail("chunking changed a packet", std::to_string(i));
  if (!same_error(whole.error, chunked.error))
    fail("chunking changed the error",
         (whole.error ? whole.error->message : "none") + " vs " +
             (chunked.error ? chunked.error->message : "none"));
  // After an error the buffer is left as it was, which depends on how much had arrived then.
  if (!whole.error && whole.buffered != chunked.buffered)
    fail("chunking changed the buffered byte count");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const std::uint8_t selector = data[0];
  const std::string_view input(reinterpret_cast<const char*>(data) + 1, size - 1);
  if (input.size() > 4 * kMaxFuzzPacket) return 0;

  std::optional<protocol_version> version;
  switch (selector & 3) {
    case 0: version = protocol_version::v3_1; break;
    case 1: version = protocol_version::v3_1_1; break;
    case 2: version = protocol_version::v5; break;
    default: break;  // unset: 3.1.1 rules until a CONNECT names the version
  }
  decode_options options;
  options.validate_payload_format = !(selector & 4);
  const protocol_version v = version.value_or(protocol_version::v3_1_1);

  // decode() on the whole input, as one packet.
  std::optional<std::string> direct;
  {
    decode_result r = decode(input, v, options);
    if (r) direct = check_round_trip(r.value(), encoding_version(r.value(), v), options);
  }

  const stream_outcome whole = run_whole(input, version, options);
  const stream_outcome chunked = run_chunked(input, version, options, selector >> 3 | size << 5);
  check_same(whole, chunked);

  // Oracle 3: one packet spanning the whole input is what decode() accepts.
  const bool single = !whole.error && whole.packets.size() == 1 && whole.buffered == 0;
  if (input.size() <= kMaxFuzzPacket && single != direct.has_value())
    fail(single ? "stream decodes a single packet that decode() rejects"
                : "decode() accepts a packet the stream does not yield as one",
         hex(input));
  if (single && direct && *direct != whole.packets[0])
    fail("decode() and stream_decoder disagree", hex(input));
  return 0;
}
