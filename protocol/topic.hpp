#pragma once
// MQTT topic rules: validation of topic names and filters, matching, first-level extraction and
// `$share/{group}/{filter}` parsing. Pure functions over string views; no allocation.

#include <cstddef>
#include <optional>
#include <string_view>

namespace unimq::mqtt {

/// Why a topic name or filter was refused; `none` when it is valid.
enum class topic_error {
  none,
  empty,                  ///< zero length [MQTT-4.7.3-1]
  too_long,               ///< more than 65535 bytes of UTF-8 [MQTT-4.7.3-3]
  null_character,         ///< contains U+0000 [MQTT-4.7.3-2]
  wildcard_in_name,       ///< `+` or `#` in a topic name [MQTT-3.3.2-2]
  misplaced_multi_level,  ///< `#` not alone in the last level (3.1.1 [MQTT-4.7.1-2], 5.0 [MQTT-4.7.1-1])
  misplaced_single_level, ///< `+` not alone in its level (3.1.1 [MQTT-4.7.1-3], 5.0 [MQTT-4.7.1-2])
  too_many_levels,        ///< more levels than the configured limit
  invalid_shared,         ///< `$share/` with an empty or wildcard group, or without a filter [MQTT-4.8.2-1], [MQTT-4.8.2-2]
};

/// A short, user-facing explanation of `e`, naming the spec rule it comes from.
const char* to_string(topic_error e);

/// Validates a topic name as it appears in PUBLISH (no wildcards). `max_levels` of 0 means no limit.
/// The bytes are assumed to be well-formed UTF-8 already (the codec checks that).
topic_error validate_topic_name(std::string_view name, std::size_t max_levels = 0);

/// Validates a topic filter as it appears in SUBSCRIBE/UNSUBSCRIBE, including the `$share/` form.
topic_error validate_topic_filter(std::string_view filter, std::size_t max_levels = 0);

/// True if the topic name `name` matches the (valid, non-shared) filter `filter`.
/// Names starting with `$` are not matched by a filter whose first level is `+` or `#` [MQTT-4.7.2-1].
bool topic_matches(std::string_view filter, std::string_view name);

/// True if `filter` contains `+` or `#`.
bool has_wildcards(std::string_view filter);

/// The first level of a topic name or filter: `a` for `a/b/c`, `a` for `a`, the empty string for
/// `/a/b` (its first level is empty), `$SYS` for `$SYS/x`. This names the server-side queue.
std::string_view first_level(std::string_view topic);

/// A parsed `$share/{group}/{filter}` subscription.
struct shared_filter {
  std::string_view group;
  std::string_view filter;
};

/// If `filter` starts with `$share/`, splits it into group and filter; `std::nullopt` otherwise or when
/// it is malformed (use validate_topic_filter to learn why).
std::optional<shared_filter> parse_shared_filter(std::string_view filter);

}  // namespace unimq::mqtt
