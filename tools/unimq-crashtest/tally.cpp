#include "tally.hpp"

#include <algorithm>
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
    t.lost_by_round.resize(p.acknowledged_at_kill.size() + 1);
    for (std::size_t i = 0; i < p.acknowledged.size(); ++i) {
      if (deliveries.count(p.acknowledged[i]) > 0) continue;
      ++t.lost;
      const auto& kills = p.acknowledged_at_kill;
      ++t.lost_by_round[static_cast<std::size_t>(std::upper_bound(kills.begin(), kills.end(), i) - kills.begin())];
    }
  }
  return t;
}

}  // namespace unimq::crashtest
