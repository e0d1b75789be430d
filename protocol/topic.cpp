#include "protocol/topic.hpp"

#include <cstring>

namespace unimq::mqtt {

namespace {

constexpr std::size_t max_topic_bytes = 65535;
constexpr std::string_view share_prefix = "$share/";

// Checks shared by names and filters, done before the level scan so that the reported error does
// not depend on where in the string a NUL happens to sit.
topic_error validate_common(std::string_view s) {
  if (s.empty()) return topic_error::empty;
  if (s.size() > max_topic_bytes) return topic_error::too_long;
  if (std::memchr(s.data(), '\0', s.size()) != nullptr) return topic_error::null_character;
  return topic_error::none;
}

// Filter rules without the `$share/` form. Spec violations win over the configured level limit, so
// the limit is only checked once the whole filter is known to be well-formed.
topic_error validate_plain_filter(std::string_view filter, std::size_t max_levels) {
  const std::size_t n = filter.size();
  std::size_t levels = 1;
  std::size_t level_start = 0;
  for (std::size_t i = 0; i < n; ++i) {
    switch (filter[i]) {
      case '/':
        ++levels;
        level_start = i + 1;
        break;
      case '+':
        if (i != level_start || (i + 1 < n && filter[i + 1] != '/')) {
          return topic_error::misplaced_single_level;
        }
        break;
      case '#':
        if (i != level_start || i + 1 != n) return topic_error::misplaced_multi_level;
        break;
      default:
        break;
    }
  }
  if (max_levels != 0 && levels > max_levels) return topic_error::too_many_levels;
  return topic_error::none;
}

bool starts_with_share(std::string_view filter) {
  return filter.substr(0, share_prefix.size()) == share_prefix;
}

// Splits a filter known to start with `$share/`; nullopt when the group or the inner filter is
// missing or the group contains a character the spec forbids. The inner filter is not validated.
std::optional<shared_filter> split_shared(std::string_view filter) {
  const std::string_view rest = filter.substr(share_prefix.size());
  const std::size_t slash = rest.find('/');
  if (slash == std::string_view::npos) return std::nullopt;
  const std::string_view group = rest.substr(0, slash);
  const std::string_view inner = rest.substr(slash + 1);
  if (group.empty() || inner.empty()) return std::nullopt;
  if (group.find_first_of("+#") != std::string_view::npos) return std::nullopt;
  return shared_filter{group, inner};
}

}  // namespace

const char* to_string(topic_error e) {
  switch (e) {
    case topic_error::none:
      return "valid topic";
    case topic_error::empty:
      return "topic is empty [MQTT-4.7.3-1]";
    case topic_error::too_long:
      return "topic is longer than 65535 bytes [MQTT-4.7.3-3]";
    case topic_error::null_character:
      return "topic contains the null character U+0000 [MQTT-4.7.3-2]";
    case topic_error::wildcard_in_name:
      return "topic name contains a wildcard [MQTT-3.3.2-2]";
    case topic_error::misplaced_multi_level:
      return "multi-level wildcard '#' must be the whole last level "
             "[MQTT-4.7.1-2 in 3.1.1, MQTT-4.7.1-1 in 5.0]";
    case topic_error::misplaced_single_level:
      return "single-level wildcard '+' must occupy a whole level "
             "[MQTT-4.7.1-3 in 3.1.1, MQTT-4.7.1-2 in 5.0]";
    case topic_error::too_many_levels:
      return "topic has more levels than the server allows";
    case topic_error::invalid_shared:
      return "shared subscription needs a non-empty share name without '/', '+' or '#' and a "
             "topic filter after it [MQTT-4.8.2-1], [MQTT-4.8.2-2]";
  }
  return "unknown topic error";
}

topic_error validate_topic_name(std::string_view name, std::size_t max_levels) {
  if (const topic_error e = validate_common(name); e != topic_error::none) return e;
  std::size_t levels = 1;
  for (const char c : name) {
    if (c == '/') {
      ++levels;
    } else if (c == '+' || c == '#') {
      return topic_error::wildcard_in_name;
    }
  }
  if (max_levels != 0 && levels > max_levels) return topic_error::too_many_levels;
  return topic_error::none;
}

topic_error validate_topic_filter(std::string_view filter, std::size_t max_levels) {
  if (const topic_error e = validate_common(filter); e != topic_error::none) return e;
  if (!starts_with_share(filter)) return validate_plain_filter(filter, max_levels);
  // The level limit applies to the filter that is matched against names, not to the
  // `$share/{group}/` prefix.
  const std::optional<shared_filter> shared = split_shared(filter);
  if (!shared) return topic_error::invalid_shared;
  return validate_plain_filter(shared->filter, max_levels);
}

bool topic_matches(std::string_view filter, std::string_view name) {
  const std::size_t fn = filter.size();
  const std::size_t nn = name.size();
  if (fn == 0 || nn == 0) return false;
  if (name[0] == '$' && (filter[0] == '+' || filter[0] == '#')) return false;

  std::size_t f = 0;
  std::size_t n = 0;
  // Each iteration starts with both f and n at the beginning of a level.
  for (;;) {
    if (f < fn && filter[f] == '#') return true;
    if (f < fn && filter[f] == '+') {
      ++f;
      while (n < nn && name[n] != '/') ++n;
    } else {
      while (f < fn && filter[f] != '/') {
        if (n == nn || name[n] != filter[f]) return false;
        ++f;
        ++n;
      }
      if (n < nn && name[n] != '/') return false;
    }
    // Both are now at the end of the level: the end of the string or a '/'.
    const bool filter_done = f == fn;
    const bool name_done = n == nn;
    if (filter_done) return name_done;
    if (name_done) {
      // `a/#` also matches `a`: the only filter remainder allowed here is exactly "/#".
      return fn - f == 2 && filter[f + 1] == '#';
    }
    ++f;
    ++n;
  }
}

bool has_wildcards(std::string_view filter) {
  return filter.find_first_of("+#") != std::string_view::npos;
}

std::string_view first_level(std::string_view topic) {
  return topic.substr(0, topic.find('/'));
}

std::optional<shared_filter> parse_shared_filter(std::string_view filter) {
  if (!starts_with_share(filter)) return std::nullopt;
  if (validate_common(filter) != topic_error::none) return std::nullopt;
  std::optional<shared_filter> shared = split_shared(filter);
  if (!shared || validate_plain_filter(shared->filter, 0) != topic_error::none) return std::nullopt;
  return shared;
}

}  // namespace unimq::mqtt
