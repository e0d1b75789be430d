#include "config/value_parsers.hpp"

#include <limits>

namespace unimq::config {
namespace {

char lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i)
    if (lower(a[i]) != lower(b[i])) return false;
  return true;
}

bool is_digit(char c) { return c >= '0' && c <= '9'; }

// Splits "64k" into "64" and "k"; the number part must be non-empty.
std::size_t digits_prefix(std::string_view text) {
  std::size_t n = 0;
  while (n < text.size() && is_digit(text[n])) ++n;
  return n;
}

std::optional<std::uint64_t> multiply(std::uint64_t value, std::uint64_t factor, std::uint64_t limit) {
  if (value != 0 && factor > limit / value) return std::nullopt;
  return value * factor;
}

}  // namespace

std::optional<std::uint64_t> parse_unsigned(std::string_view text) {
  if (text.empty() || digits_prefix(text) != text.size()) return std::nullopt;
  std::uint64_t value = 0;
  for (const char c : text) {
    const auto digit = static_cast<std::uint64_t>(c - '0');
    if (value > (std::numeric_limits<std::uint64_t>::max() - digit) / 10) return std::nullopt;
    value = value * 10 + digit;
  }
  return value;
}

std::optional<std::uint64_t> parse_size(std::string_view text) {
  const std::size_t n = digits_prefix(text);
  const auto count = parse_unsigned(text.substr(0, n));
  if (!count) return std::nullopt;
  const std::string_view unit = text.substr(n);
  if (unit.empty()) return count;
  static constexpr struct {
    const char* letter;
    const char* long_form;
    unsigned shift;
  } kUnits[] = {{"k", "KiB", 10}, {"m", "MiB", 20}, {"g", "GiB", 30}, {"t", "TiB", 40}};
  for (const auto& u : kUnits)
    if (iequals(unit, u.letter) || iequals(unit, u.long_form))
      return multiply(*count, std::uint64_t{1} << u.shift, std::numeric_limits<std::uint64_t>::max());
  return std::nullopt;
}

std::optional<std::chrono::milliseconds> parse_duration(std::string_view text) {
  const std::size_t n = digits_prefix(text);
  const auto count = parse_unsigned(text.substr(0, n));
  if (!count) return std::nullopt;
  const std::string_view unit = text.substr(n);
  std::uint64_t factor = 0;
  if (unit.empty() || unit == "s") factor = 1000;
  else if (unit == "ms") factor = 1;
  else if (unit == "m") factor = 60'000;
  else if (unit == "h") factor = 3'600'000;
  else if (unit == "d") factor = 86'400'000;
  else return std::nullopt;
  const auto ms = multiply(*count, factor, static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max()));
  if (!ms) return std::nullopt;
  return std::chrono::milliseconds(static_cast<std::int64_t>(*ms));
}

std::optional<bool> parse_bool(std::string_view text) {
  for (const char* t : {"true", "on", "yes", "1"})
    if (iequals(text, t)) return true;
  for (const char* f : {"false", "off", "no", "0"})
    if (iequals(text, f)) return false;
  return std::nullopt;
}

std::optional<std::string> parse_listen_address(std::string_view text, listen_address& out) {
  const std::string not_address =
      "\"" + std::string(text) + "\" is not HOST:PORT (examples: 0.0.0.0:1883, [::]:1883, 127.0.0.1:0)";
  std::string_view host;
  std::string_view port;
  if (!text.empty() && text.front() == '[') {
    const std::size_t close = text.find(']');
    if (close == std::string_view::npos || close + 1 >= text.size() || text[close + 1] != ':') return not_address;
    host = text.substr(1, close - 1);
    port = text.substr(close + 2);
  } else {
    const std::size_t colon = text.rfind(':');
    if (colon == std::string_view::npos) return not_address;
    host = text.substr(0, colon);
    port = text.substr(colon + 1);
    if (host.find(':') != std::string_view::npos)
      return "\"" + std::string(text) + "\": an IPv6 host must be in brackets, as in [::1]:1883";
  }
  if (host.empty() || port.empty()) return not_address;
  for (const char c : host)
    if (c == ' ' || c == '\t' || c == '[' || c == ']' || c == '/') return not_address;
  const auto number = parse_unsigned(port);
  if (!number || *number > 65535)
    return "\"" + std::string(text) + "\": the port must be a number from 0 to 65535";
  out.host = std::string(host);
  out.port = static_cast<std::uint16_t>(*number);
  return std::nullopt;
}

std::string format_size(std::uint64_t bytes) {
  static constexpr struct {
    char letter;
    unsigned shift;
  } kUnits[] = {{'T', 40}, {'G', 30}, {'M', 20}, {'k', 10}};
  if (bytes != 0)
    for (const auto& u : kUnits) {
      const std::uint64_t unit = std::uint64_t{1} << u.shift;
      if (bytes % unit == 0) return std::to_string(bytes / unit) + u.letter;
    }
  return std::to_string(bytes);
}

std::string format_duration(std::chrono::milliseconds d) {
  static constexpr struct {
    const char* suffix;
    std::int64_t ms;
  } kUnits[] = {{"d", 86'400'000}, {"h", 3'600'000}, {"m", 60'000}, {"s", 1000}};
  const std::int64_t ms = d.count();
  if (ms == 0) return "0";
  for (const auto& u : kUnits)
    if (ms % u.ms == 0) return std::to_string(ms / u.ms) + u.suffix;
  return std::to_string(ms) + "ms";
}

}  // namespace unimq::config
