#pragma once
// Which topic-index shard owns a topic or a filter: the hash of its first level. Filters whose first
// level is a wildcard (`+/x`, `#`) are registered with every shard.

#include <cstdint>
#include <string_view>

#include "protocol/topic.hpp"

namespace unimq::actors {

/// The shard that owns topic `topic` (and filters with the same literal first level).
inline std::size_t shard_of(std::string_view topic, std::size_t shard_count) {
  const std::string_view level = mqtt::first_level(topic);
  std::uint64_t h = 1469598103934665603ull;  // FNV-1a
  for (char c : level) h = (h ^ static_cast<unsigned char>(c)) * 1099511628211ull;
  return static_cast<std::size_t>(h % shard_count);
}

/// True if `filter` must be registered with every shard.
inline bool filter_spans_shards(std::string_view filter) {
  const std::string_view level = mqtt::first_level(filter);
  return level == "+" || level == "#";
}

/// Calls `f(index)` for every shard (of `shard_count`) that holds `filter`.
template <class F>
void for_each_shard_of(std::string_view filter, std::size_t shard_count, F&& f) {
  if (!filter_spans_shards(filter)) return f(shard_of(filter, shard_count));
  for (std::size_t i = 0; i < shard_count; ++i) f(i);
}

}  // namespace unimq::actors
