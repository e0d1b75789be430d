#include "tally.hpp"

#include <unordered_map>

namespace unimq::crashtest {

qos_tally count(const std::vector<publisher_record>& publishers, const subscriber_record& subscriber, int qos) {
  qos_tally t;
  t.qos = qos;
  for (const auto& p : publishers) {
    if (p.qos != qos) continue;
    t.published += p.published;
    t.acknowledged += p.acknowledged.size();
    t.refused += p.refused;
    std::unordered_map<std::uint64_t, std::uint64_t> deliveries;  // seq -> times received
    bool any = false;
    std::uint64_t highest = 0;
    for (const auto& m : subscriber.messages) {
      if (m.marker || m.topic != p.topic) continue;
      if (++deliveries[m.seq] > 1) {
        ++t.duplicated;
        continue;
      }
      if (any && m.seq < highest) ++t.reordered;
      highest = any ? std::max(highest, m.seq) : m.seq;
      any = true;
    }
    t.received += deliveries.size();
    for (const auto seq : p.acknowledged)
      if (deliveries.count(seq) == 0) ++t.lost;
  }
  return t;
}

}  // namespace unimq::crashtest
