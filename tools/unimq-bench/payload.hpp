#pragma once
// What travels in each PUBLISH payload so the receiver can check delivery and measure latency.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace unimq::bench {

/// Layout (little-endian): publisher index u32, sequence number u64, send time i64 (steady clock
/// ns); the rest of the payload is padding.
constexpr std::size_t kPayloadHeaderSize = 20;

struct payload_header {
  std::uint32_t publisher = 0;
  std::uint64_t sequence = 0;
  std::int64_t sent_ns = 0;
};

/// Writes `h` at the start of `payload`, which must hold at least kPayloadHeaderSize bytes.
void write_header(const payload_header& h, std::string& payload);

/// The header of a received payload, or nothing if it is too short to be one of ours.
std::optional<payload_header> read_header(std::string_view payload);

/// Steady clock time in nanoseconds: the clock both ends of the measurement use.
std::int64_t now_ns();

}  // namespace unimq::bench
