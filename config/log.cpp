#include "config/log.hpp"

#include <atomic>
#include <cerrno>
#include <cstdio>
#include <ctime>
#include <unistd.h>

namespace unimq::log {
namespace {

std::atomic<int> g_level{static_cast<int>(level::info)};
std::atomic<int> g_fd{2};

// Most lines fit; longer messages fall back to a heap buffer.
constexpr std::size_t kStackMessage = 512;

void write_all(int fd, const char* data, std::size_t size) {
  // One write(2) per line in practice; the loop only matters for a partial write to a pipe.
  while (size > 0) {
    const ssize_t n = ::write(fd, data, size);
    if (n < 0) {
      if (errno == EINTR) continue;
      return;  // Nowhere to report a failure to log.
    }
    data += n;
    size -= static_cast<std::size_t>(n);
  }
}

long long now_unix_ms() {
  timespec ts{};
  clock_gettime(CLOCK_REALTIME, &ts);
  return static_cast<long long>(ts.tv_sec) * 1000 + ts.tv_nsec / 1'000'000;
}

}  // namespace

const char* to_string(level l) {
  switch (l) {
    case level::error: return "error";
    case level::warn: return "warn";
    case level::info: return "info";
    case level::debug: return "debug";
  }
  return "?";
}

std::optional<level> parse_level(std::string_view name) {
  for (level l : {level::error, level::warn, level::info, level::debug}) {
    const std::string_view candidate = to_string(l);
    if (candidate.size() != name.size()) continue;
    bool same = true;
    for (std::size_t i = 0; i < name.size() && same; ++i) {
      const char c = name[i] >= 'A' && name[i] <= 'Z' ? static_cast<char>(name[i] - 'A' + 'a') : name[i];
      same = c == candidate[i];
    }
    if (same) return l;
  }
  return std::nullopt;
}

void set_level(level l) { g_level.store(static_cast<int>(l), std::memory_order_relaxed); }

level current_level() { return static_cast<level>(g_level.load(std::memory_order_relaxed)); }

bool enabled(level l) { return static_cast<int>(l) <= g_level.load(std::memory_order_relaxed); }

void set_fd(int fd) { g_fd.store(fd, std::memory_order_relaxed); }

std::string format_line(long long unix_ms, level l, std::string_view component, std::string_view message) {
  static constexpr const char* kLabels[] = {"ERROR", "WARN ", "INFO ", "DEBUG"};
  const std::time_t seconds = static_cast<std::time_t>(unix_ms / 1000);
  std::tm tm{};
  gmtime_r(&seconds, &tm);
  char stamp[64];
  std::snprintf(stamp, sizeof stamp, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ ", tm.tm_year + 1900, tm.tm_mon + 1,
                tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, static_cast<int>(unix_ms % 1000));
  std::string line;
  line.reserve(48 + component.size() + message.size());
  line += stamp;
  line += kLabels[static_cast<int>(l)];
  line += " [";
  line += component;
  line += "] ";
  for (const char c : message) {
    if (c == '\n') {
      line += "\\n";
    } else if (c == '\r') {
      line += "\\r";
    } else if (static_cast<unsigned char>(c) < 0x20 && c != '\t') {
      char escaped[8];
      std::snprintf(escaped, sizeof escaped, "\\x%02x", static_cast<unsigned>(static_cast<unsigned char>(c)));
      line += escaped;
    } else {
      line += c;
    }
  }
  line += '\n';
  return line;
}

void write(level l, std::string_view component, std::string_view message) {
  if (!enabled(l)) return;
  const std::string line = format_line(now_unix_ms(), l, component, message);
  write_all(g_fd.load(std::memory_order_relaxed), line.data(), line.size());
}

void vlog(level l, const char* component, const char* format, std::va_list args) {
  if (!enabled(l)) return;
  char buffer[kStackMessage];
  std::va_list copy;
  va_copy(copy, args);
  const int n = std::vsnprintf(buffer, sizeof buffer, format, copy);
  va_end(copy);
  if (n < 0) return;
  if (static_cast<std::size_t>(n) < sizeof buffer) {
    write(l, component, std::string_view(buffer, static_cast<std::size_t>(n)));
    return;
  }
  std::string big(static_cast<std::size_t>(n) + 1, '\0');
  std::vsnprintf(big.data(), big.size(), format, args);
  big.resize(static_cast<std::size_t>(n));
  write(l, component, big);
}

#define UNIMQ_LOG_FUNCTION(name)                                \
  void name(const char* component, const char* format, ...) {   \
    if (!enabled(level::name)) return;                          \
    std::va_list args;                                          \
    va_start(args, format);                                     \
    vlog(level::name, component, format, args);                 \
    va_end(args);                                               \
  }

UNIMQ_LOG_FUNCTION(error)
UNIMQ_LOG_FUNCTION(warn)
UNIMQ_LOG_FUNCTION(info)
UNIMQ_LOG_FUNCTION(debug)

#undef UNIMQ_LOG_FUNCTION

}  // namespace unimq::log
