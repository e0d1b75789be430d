#pragma once
// unimqctl's command line: the global options, the command, and the parsers its commands share.
// Every parse failure throws usage_error; main() prints it on one line and exits with status 2.

#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "config/broker_options.hpp"
#include "unimq/client.hpp"

namespace unimq::ctl {

/// The node unimqctl talks to when --node is not given (unimqd's --node-port is 0, off, by default:
/// start it with `--node-port 7000` to match).
inline constexpr std::string_view kDefaultNode = "127.0.0.1:7000";

/// Exit statuses, documented in --help.
inline constexpr int kExitOk = 0;
inline constexpr int kExitFailure = 1;  ///< node unreachable, request refused or timed out
inline constexpr int kExitUsage = 2;    ///< bad command line

/// A bad command line; what() is the message without the "unimqctl: " prefix.
class usage_error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// The words after the program name, consumed from the front.
class argument_list {
 public:
  argument_list(int argc, const char* const* argv) : _args(argv + 1, argv + argc) {}

  bool empty() const { return _next == _args.size(); }
  /// The next word without consuming it; empty() must be false.
  const std::string& peek() const { return _args[_next]; }
  std::string take() { return _args[_next++]; }
  /// The value of option `flag`, which was just taken: the next word, which must exist.
  std::string value_of(std::string_view flag);

 private:
  std::vector<std::string> _args;
  std::size_t _next = 0;
};

/// Whether `word` is -h or --help.
bool is_help(std::string_view word);

/// "HOST:PORT" ("[::1]:7000" for IPv6), as unimqd's --listen; throws usage_error.
config::listen_address parse_node(std::string_view text);
/// A decimal unsigned integer in [min, max]; `what` names it in the error.
std::uint64_t parse_unsigned(std::string_view text, std::string_view what, std::uint64_t min, std::uint64_t max);
/// A topic name as MQTT allows it in PUBLISH (no wildcards), the same rules the node applies;
/// `what` names it in the error.
std::string parse_topic(std::string_view text, std::string_view what);
/// oldest | newest | OFFSET | @TIMESTAMP_MS
client::start_position parse_start(std::string_view text);

}  // namespace unimq::ctl
