#pragma once
// A whole-store consistency check shared by the crash and model tests: every commitlog record is
// indexed exactly once in its topic queue and its first-level partition, at the offsets it records,
// and the counters agree with what is there.

#include <map>
#include <set>
#include <string>

#include "protocol/topic.hpp"
#include "storage/store.hpp"

namespace unimq::storage::test {

/// Returns an empty string if consistent, otherwise what is wrong.
inline std::string check_consistency(store& s) {
  auto snap = s.read_snapshot();
  if (!snap) return "snapshot: " + snap.error().to_string();
  const auto stats = s.stats();
  std::map<std::uint64_t, std::string> log;  // seq → topic, for records still present
  std::uint64_t bytes = 0;
  for (std::uint64_t seq = 1; seq < stats.next_sequence; ++seq) {
    auto m = snap->message(seq);
    if (!m) return "message " + std::to_string(seq) + ": " + m.error().to_string();
    if (m->has_value()) {
      log[seq] = (*m)->topic();
      bytes += (*m)->ByteSizeLong();
    }
  }
  auto beyond = snap->message(stats.next_sequence);
  if (!beyond || beyond->has_value()) return "a record exists at next_sequence";
  if (log.size() != stats.message_count)
    return "log_state count " + std::to_string(stats.message_count) + " but " + std::to_string(log.size()) + " records";
  // Retention deletes a prefix: the remaining sequences are contiguous.
  if (!log.empty() && log.rbegin()->first - log.begin()->first + 1 != log.size()) return "commitlog has a hole";

  auto topics = snap->resolve_filter("#");
  auto sys = snap->resolve_filter("$SYS/#");
  if (!topics || !sys) return "resolve_filter failed";
  std::vector<queue_id> queues = *topics;
  queues.insert(queues.end(), sys->begin(), sys->end());
  std::set<std::string> levels;
  std::map<std::uint64_t, int> seen;
  auto walk = [&](const queue_id& q) -> std::string {
    auto r = snap->read(q, 0, SIZE_MAX, SIZE_MAX);
    if (!r) return to_string(q) + ": " + r.error().to_string();
    if (r->entries.size() != r->queue.next - r->queue.oldest) return to_string(q) + ": entry count does not match its offsets";
    for (const auto& e : r->entries) {
      ++seen[e.sequence];
      auto it = log.find(e.sequence);
      if (it == log.end()) return to_string(q) + " points at a missing record";
      if (it->second != e.message.topic()) return to_string(q) + " indexes a record of another topic";
      const auto offset = q.kind == queue_kind::topic ? e.message.topic_offset() : e.message.first_level_offset();
      if (offset != e.offset) return to_string(q) + ": record offset disagrees with index";
      if (q.kind == queue_kind::topic && q.name != e.message.topic()) return to_string(q) + ": wrong topic";
    }
    return {};
  };
  for (const auto& q : queues) {
    levels.insert(std::string(mqtt::first_level(q.name)));
    if (auto e = walk(q); !e.empty()) return e;
  }
  for (const auto& level : levels) {
    auto n = snap->partitions(level);
    if (!n || !n->has_value()) return "no partition count for '" + level + "'";
    for (std::uint32_t p = 0; p < **n; ++p)
      if (auto e = walk(queue_id::first_level(level, p)); !e.empty()) return e;
  }
  for (const auto& [seq, topic] : log)
    if (seen[seq] != 2) return "record " + std::to_string(seq) + " is indexed " + std::to_string(seen[seq]) + " times, not twice";
  if (seen.size() != log.size()) return "index entries point outside the log";
  return {};
}

}  // namespace unimq::storage::test
