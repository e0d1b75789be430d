// The log line format operators grep for, level filtering and one-line-per-event output.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cstdio>
#include <string>
#include <unistd.h>

#include "config/log.hpp"

// Not `log`: that would clash with ::log from <cmath> at global scope.
namespace ulog = unimq::log;

namespace {

// Captures what the logger writes through a pipe; restores stderr and the level afterwards.
class captured_log {
 public:
  captured_log() {
    REQUIRE(::pipe(fds_) == 0);
    saved_level_ = ulog::current_level();
    ulog::set_fd(fds_[1]);
  }
  ~captured_log() {
    ulog::set_fd(2);
    ulog::set_level(saved_level_);
    ::close(fds_[0]);
  }
  std::string text() {
    if (fds_[1] >= 0) ::close(fds_[1]);
    fds_[1] = -1;
    std::string out;
    char buffer[4096];
    for (ssize_t n; (n = ::read(fds_[0], buffer, sizeof buffer)) > 0;) out.append(buffer, static_cast<std::size_t>(n));
    return out;
  }

 private:
  int fds_[2] = {-1, -1};
  ulog::level saved_level_ = ulog::level::info;
};

}  // namespace

TEST_CASE("log line: UTC timestamp with ms, padded level, component, message") {
  // 2021-03-04T05:06:07.089Z
  const long long ms = 1614834367089LL;
  CHECK(ulog::format_line(ms, ulog::level::info, "connect", "client=a peer=b") ==
        "2021-03-04T05:06:07.089Z INFO  [connect] client=a peer=b\n");
  CHECK(ulog::format_line(ms, ulog::level::error, "storage", "x") == "2021-03-04T05:06:07.089Z ERROR [storage] x\n");
  CHECK(ulog::format_line(0, ulog::level::warn, "c", "") == "1970-01-01T00:00:00.000Z WARN  [c] \n");
  CHECK(ulog::format_line(0, ulog::level::debug, "c", "m") == "1970-01-01T00:00:00.000Z DEBUG [c] m\n");
}

TEST_CASE("log line: control characters are escaped so one event is one line") {
  CHECK(ulog::format_line(0, ulog::level::info, "c", "a\nb\rc\x01" "d\te") ==
        "1970-01-01T00:00:00.000Z INFO  [c] a\\nb\\rc\\x01d\te\n");
}

TEST_CASE("log levels: parse, print, filter") {
  CHECK(ulog::parse_level("error") == ulog::level::error);
  CHECK(ulog::parse_level("WARN") == ulog::level::warn);
  CHECK(ulog::parse_level("info") == ulog::level::info);
  CHECK(ulog::parse_level("debug") == ulog::level::debug);
  CHECK_FALSE(ulog::parse_level("trace"));
  CHECK_FALSE(ulog::parse_level(""));
  CHECK(std::string(ulog::to_string(ulog::level::warn)) == "warn");

  captured_log capture;
  ulog::set_level(ulog::level::warn);
  CHECK(ulog::enabled(ulog::level::error));
  CHECK(ulog::enabled(ulog::level::warn));
  CHECK_FALSE(ulog::enabled(ulog::level::info));
  ulog::error("broker", "code=%d", 7);
  ulog::warn("broker", "%s", "careful");
  ulog::info("broker", "hidden %d", 1);
  ulog::debug("broker", "hidden %d", 2);
  const std::string out = capture.text();
  CHECK(out.find("ERROR [broker] code=7\n") != std::string::npos);
  CHECK(out.find("WARN  [broker] careful\n") != std::string::npos);
  CHECK(out.find("hidden") == std::string::npos);
  CHECK(std::count(out.begin(), out.end(), '\n') == 2);
}

TEST_CASE("log: messages longer than the stack buffer are written whole") {
  captured_log capture;
  ulog::set_level(ulog::level::debug);
  const std::string big(5000, 'x');
  ulog::debug("big", "[%s]", big.c_str());
  const std::string out = capture.text();
  CHECK(out.find("[" + big + "]\n") != std::string::npos);
  CHECK(out.size() == std::string("1970-01-01T00:00:00.000Z DEBUG [big] ").size() + big.size() + 3);
}
