#pragma once
// Command-line options of unimq-crashtest, with their defaults in one place.

#include <cstdint>
#include <optional>
#include <string>

#include "tools/common/parse_result.hpp"
#include <vector>

namespace unimq::crashtest {

/// Everything a run needs; see usage() for the meaning of each field.
struct options {
  std::vector<std::string> broker;  ///< the broker's command line, with {port} and {dir}
  std::string label;                ///< names the broker in the report (default: the program)
  int rounds = 5;
  std::optional<std::uint64_t> seed;  ///< unset: drawn from the clock, and printed
  int settle_ms = 0;              ///< wait between subscribing and the first publish
  int min_delay_ms = 300;
  int max_delay_ms = 1500;
  int publishers_per_qos = 2;     ///< this many at QoS 1 and as many at QoS 2, MQTT 3.1.1 and 5.0 alternating
  std::size_t window = 32;        ///< unacknowledged messages per publisher
  std::uint16_t port = 0;         ///< 0: a free loopback port
  std::string dir;                ///< empty: a fresh temporary directory
  bool keep = false;              ///< keep the directory (data, broker log) even if all went well
  bool discard = false;           ///< remove the directory even after a violation
  int idle_timeout_s = 10;        ///< the drain gives up after this long without a message
  bool json = false;
};

/// Parsed options, or an error message for the user, or a request for help.
using parse_result = cli::parse_result<options>;

parse_result parse_options(int argc, char** argv);
std::string usage();

}  // namespace unimq::crashtest
