#pragma once
// Per-subscriber bookkeeping of which sequence numbers arrived from which publisher.

#include <cstdint>
#include <vector>

#include "histogram.hpp"
#include "payload.hpp"

namespace unimq::bench {

/// The measured window: a message belongs to it if it was *sent* inside [start_ns, end_ns).
struct window {
  std::int64_t start_ns = 0;
  std::int64_t end_ns = 0;
  bool contains(std::int64_t t) const { return t >= start_ns && t < end_ns; }
};

/// What one subscriber saw of the messages sent inside the window.
struct delivery_counts {
  std::uint64_t received = 0;      ///< PUBLISHes that arrived inside the window (any send time)
  std::uint64_t distinct = 0;      ///< distinct messages sent inside the window that arrived
  std::uint64_t duplicated = 0;    ///< arrivals of a message already seen
  std::uint64_t out_of_order = 0;  ///< arrivals with a sequence below one already seen
  std::uint64_t foreign = 0;       ///< payloads not written by a publisher of this run
};

/// Tracks one subscriber. Duplicates and reordering are detected with one bit per sequence number
/// per publisher, so the memory is (messages sent) / 8 bytes per publisher heard.
class delivery_tracker {
 public:
  explicit delivery_tracker(std::size_t publishers) : _from(publishers) {}

  void on_message(const payload_header& h, std::int64_t received_ns, const window& w);

  const delivery_counts& counts() const { return _counts; }
  const histogram& latency() const { return _latency; }

 private:
  struct stream {
    std::vector<bool> seen;
    std::uint64_t next = 0;  // one past the highest sequence seen
  };
  std::vector<stream> _from;
  delivery_counts _counts;
  histogram _latency;
};

}  // namespace unimq::bench
