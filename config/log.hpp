#pragma once
// A tiny logger for operators: one line per event on stderr, each line written with a single
// write(2) so lines from different threads never interleave. Line format (greppable):
//
//   2025-01-31T12:34:56.789Z INFO  [connect] client=sensor-1 peer=10.0.0.7:50122
//
// UTC timestamp with milliseconds, level padded to 5 characters, component in brackets, message.
// Newlines and other control characters in the message are escaped so one event stays one line.

#include <cstdarg>
#include <optional>
#include <string>
#include <string_view>

namespace unimq::log {

/// Severity, most severe first; a line is written when its level is <= the current level.
enum class level { error, warn, info, debug };

/// "error", "warn", "info" or "debug".
const char* to_string(level l);

/// Parses the lower-case (or any-case) name of a level; std::nullopt if it is not one.
std::optional<level> parse_level(std::string_view name);

/// Sets the most verbose level written. Thread-safe; the default is `info`.
void set_level(level l);

/// The current level.
level current_level();

/// True if a line at `l` would be written. Cheap: one relaxed atomic load.
bool enabled(level l);

/// Redirects output to `fd` (default 2, stderr). For tests; the caller keeps `fd` open.
void set_fd(int fd);

/// Builds one complete line (ending in '\n') without writing it. `unix_ms` is the time in
/// milliseconds since the Unix epoch. Exposed so tests can check the format.
std::string format_line(long long unix_ms, level l, std::string_view component, std::string_view message);

/// Writes `message` at level `l` if enabled.
void write(level l, std::string_view component, std::string_view message);

/// printf-style logging. The level is checked before anything is formatted, so a disabled call costs
/// a function call and an atomic load (the arguments themselves are still evaluated by the caller).
void error(const char* component, const char* format, ...) __attribute__((format(printf, 2, 3)));
void warn(const char* component, const char* format, ...) __attribute__((format(printf, 2, 3)));
void info(const char* component, const char* format, ...) __attribute__((format(printf, 2, 3)));
void debug(const char* component, const char* format, ...) __attribute__((format(printf, 2, 3)));

/// The va_list form of the above, for wrappers.
void vlog(level l, const char* component, const char* format, std::va_list args);

}  // namespace unimq::log
