#pragma once
// Parsing and printing of the value kinds options use. Pure functions; errors are std::nullopt or a
// message naming the value, which the caller prefixes with where it came from.
//
// Sizes: a byte count, optionally followed by a binary unit: k = 1024, M = 1024^2, G = 1024^3,
//   T = 1024^4 (case-insensitive; "KiB", "MiB", "GiB", "TiB" are accepted too). 64k = 65536.
// Durations: a count followed by ms, s, m, h or d; a bare count is seconds. 90s, 10m, 7d.
// Booleans: true/false, on/off, yes/no, 1/0 (case-insensitive).

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "config/broker_options.hpp"

namespace unimq::config {

/// A plain decimal count: digits only, no sign, no suffix; std::nullopt on overflow of 64 bits.
std::optional<std::uint64_t> parse_unsigned(std::string_view text);

/// A size in bytes, see above.
std::optional<std::uint64_t> parse_size(std::string_view text);

/// A duration, see above.
std::optional<std::chrono::milliseconds> parse_duration(std::string_view text);

/// A boolean, see above.
std::optional<bool> parse_bool(std::string_view text);

/// HOST:PORT, with IPv6 hosts in brackets. Returns the error message, or std::nullopt and sets `out`.
std::optional<std::string> parse_listen_address(std::string_view text, listen_address& out);

/// The shortest exact spelling: 0, 16, 64k, 1M, 8G, 268435460.
std::string format_size(std::uint64_t bytes);

/// The shortest exact spelling: 0, 250ms, 10s, 5m, 7d.
std::string format_duration(std::chrono::milliseconds d);

}  // namespace unimq::config
