#pragma once
// Command-line options of unimq-bench, with their defaults in one place.

#include <cstdint>
#include <string>

#include "protocol/version.hpp"
#include "tools/common/parse_result.hpp"

namespace unimq::bench {

/// The shape of a workload: who publishes, who subscribes, to what.
enum class scenario_kind {
  fan_in,   ///< N publishers, each on its own topic, one subscriber on a `+` wildcard
  fan_out,  ///< one publisher, N subscribers on its topic
  p2p,      ///< N publisher/subscriber pairs, one topic per pair
  idle,     ///< N connections that only send PINGREQ
};

const char* to_string(scenario_kind k);

/// Everything a run needs to know; see usage() for the meaning of each field.
struct options {
  scenario_kind scenario = scenario_kind::fan_in;
  std::string host = "127.0.0.1";
  std::uint16_t port = 1883;
  mqtt::protocol_version version = mqtt::protocol_version::v3_1_1;
  mqtt::qos qos = mqtt::qos::at_most_once;
  std::size_t payload = 64;     ///< bytes per PUBLISH payload, header included
  double rate = 0;              ///< messages/s per publisher; 0 = as fast as flow control allows
  std::uint32_t inflight = 64;  ///< unacknowledged QoS 1/2 PUBLISHes per publisher
  std::uint32_t clients = 10;   ///< publishers (fan-in), subscribers (fan-out), pairs, connections
  double warmup = 2;            ///< seconds of load before the measured window
  double duration = 10;         ///< seconds of the measured window
  double grace = 5;             ///< seconds after the window to let deliveries arrive
  /// QoS 1/2: after the grace period, wait on while deliveries still arrive, until none came for this
  /// many seconds; what arrives then is counted late, not lost (0: no drain).
  double drain = 0;
  int broker_pid = 0;           ///< 0 = do not sample the broker
  bool json = false;
};

/// Parsed options, or an error message for the user, or a request for help.
using parse_result = cli::parse_result<options>;

parse_result parse_options(int argc, char** argv);
std::string usage();

}  // namespace unimq::bench
