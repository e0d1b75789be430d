#include "delivery_tracker.hpp"

#include <algorithm>

namespace unimq::bench {

void delivery_tracker::on_message(const payload_header& h, std::int64_t received_ns,
                                  const window& w) {
  if (w.contains(received_ns)) ++_counts.received;
  if (h.publisher >= _from.size()) {
    ++_counts.foreign;
    return;
  }
  stream& s = _from[h.publisher];
  bool in_window = w.contains(h.sent_ns);
  if (h.sequence < s.seen.size() && s.seen[h.sequence]) {
    if (in_window) ++_counts.duplicated;
    return;
  }
  if (h.sequence >= s.seen.size())
    s.seen.resize(std::max<std::size_t>(h.sequence + 1, s.seen.size() * 2));
  s.seen[h.sequence] = true;
  if (h.sequence + 1 < s.next) {
    if (in_window) ++_counts.out_of_order;
  } else {
    s.next = h.sequence + 1;
  }
  if (in_window) {
    ++_counts.distinct;
    _latency.record(received_ns - h.sent_ns);
  }
}

}  // namespace unimq::bench
