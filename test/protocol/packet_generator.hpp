#pragma once
// Generates valid MQTT packets for round-trip tests. Strings live in a pool owned by the generator,
// so the packets' views stay valid as long as it does.

#include <deque>
#include <random>
#include <string>

#include "protocol/packets.hpp"

namespace unimq::mqtt::testing {

class packet_generator {
 public:
  explicit packet_generator(std::uint32_t seed) : rng_(seed) {}

  /// A random valid packet of `type` for `version`; with `all_properties`, every property the
  /// packet may carry is set (5.0 only).
  packet make(packet_type type, protocol_version version, bool all_properties = false);

  /// A random packet of a random type valid in `version` (AUTH only for 5.0).
  packet make_any(protocol_version version);

  std::mt19937& rng() { return rng_; }

 private:
  std::string_view text(std::size_t max_len);   // valid MQTT UTF-8, may be empty
  std::string_view binary(std::size_t max_len);
  std::string_view topic();                      // non-empty, no wildcards
  properties props(property_context context, bool all);
  bool coin() { return rng_() & 1; }
  std::uint32_t below(std::uint32_t n) { return static_cast<std::uint32_t>(rng_() % n); }

  std::mt19937 rng_;
  std::deque<std::string> pool_;
};

}  // namespace unimq::mqtt::testing
