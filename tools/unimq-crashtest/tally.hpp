#pragma once
// What the crash test recorded, and the counting of it: per subscriber and QoS, how many
// acknowledged messages never arrived, arrived twice, or arrived out of order.

#include <cstdint>
#include <string>
#include <vector>

#include "mqtt_peer.hpp"

namespace unimq::crashtest {

/// One publisher's side of the run.
struct publisher_record {
  std::string name;   ///< e.g. "q2-v5-1"
  std::string topic;  ///< its own topic, so that its messages can be told apart
  int qos = 1;
  bool v5 = false;
  std::uint64_t published = 0;
  std::vector<std::uint64_t> acknowledged;  ///< sequence numbers with a success PUBACK/PUBCOMP, in that order
  std::vector<std::size_t> acknowledged_at_kill;  ///< size of `acknowledged` at each kill
  std::uint64_t refused = 0;                ///< acknowledgements with a failure reason code
};

/// One persistent subscriber's side: what it found when it came back.
struct subscriber_record {
  std::string name;
  bool v5 = false;
  bool session_present = false;  ///< CONNACK Session Present on its return
  bool marker_received = false;  ///< a message published after its return arrived: still subscribed
  std::vector<received> messages;
};

/// One kill -9 and restart.
struct round_record {
  int delay_ms = 0;                          ///< publishing time before the kill
  std::uint64_t acknowledged_at_kill = 0;    ///< all publishers, cumulative
  std::int64_t restart_ms = 0;               ///< from exec to listening
  int publisher_sessions_present = 0;        ///< publishers whose session the restarted broker knew
};

/// The counts for one subscriber and one QoS (all publishers of that QoS).
struct qos_tally {
  int qos = 1;
  std::uint64_t published = 0;
  std::uint64_t acknowledged = 0;
  std::uint64_t refused = 0;   ///< acknowledged with a failure reason code (MQTT 5)
  std::uint64_t received = 0;  ///< distinct messages
  std::uint64_t lost = 0;      ///< acknowledged but never received
  std::uint64_t duplicated = 0;  ///< deliveries beyond the first of a message
  std::uint64_t reordered = 0;   ///< first deliveries with a lower sequence number than one before (same publisher)
  /// `lost` by when the message was acknowledged: [i] before kill i + 1, the last entry after the last kill.
  std::vector<std::uint64_t> lost_by_round;
};

qos_tally count(const std::vector<publisher_record>& publishers, const subscriber_record& subscriber, int qos);

}  // namespace unimq::crashtest
