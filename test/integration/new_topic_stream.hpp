#pragma once
// Tests of a subscription that starts while topics are being created: a publisher thread puts one
// QoS 1 message on a new topic after the other (payload i on `root/t<i>`), and the test counts what
// arrived of the messages published after a point it marks.

#include <atomic>
#include <map>
#include <string>
#include <thread>
#include <vector>

#include "mqtt_client.hpp"

namespace unimq::it {

class new_topic_stream {
 public:
  /// Starts publishing with `pub`; after mark(), `after` more messages and then it stops.
  new_topic_stream(mqtt_client& pub, std::string root, int after);
  ~new_topic_stream();

  /// Returns once a few messages went out (the stream runs), without a sleep.
  void wait_running() const;
  /// From the next message on, messages count as published after the mark; waits for the end.
  void mark_and_finish();

  int first_after_mark() const { return _first_after; }
  int published() const { return _published; }
  bool all_acked() const { return _all_acked; }

 private:
  mqtt_client& _pub;
  std::string _root;
  int _after;
  std::atomic<bool> _marked{false};
  std::atomic<int> _published{0};
  int _first_after = -1;
  bool _all_acked = true;
  std::thread _thread;
};

/// What `sub` received of payloads "from".."to - 1": payload -> how often. Waits until all arrived
/// (or the default deadline), then a moment longer for duplicates.
std::map<std::string, int> receive_payloads(mqtt_client& sub, int from, int to);
/// The payloads of [from, to) that are not in `got`.
std::vector<std::string> missing_payloads(const std::map<std::string, int>& got, int from, int to);
/// The payloads that arrived more than once.
std::vector<std::string> repeated_payloads(const std::map<std::string, int>& got);

/// Publishes one QoS 1 message on each of `count` topics `root/old<i>` and waits for their PUBACKs:
/// topics that exist before a subscription make its start (its look-up of topics) longer.
void publish_old_topics(mqtt_client& pub, const std::string& root, int count);

}  // namespace unimq::it
