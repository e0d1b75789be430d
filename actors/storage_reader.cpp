#include "actors/storage_reader.hpp"

#include <algorithm>

#include "actors/messages.hpp"
#include "actors/partition_fetch.hpp"
#include "actors/raw_read.hpp"

namespace unimq::actors {
namespace {

queue_batch read_queue(storage::store& store, const std::string& topic, std::uint64_t from,
                       std::uint32_t max_messages) {
  queue_batch batch;
  batch.topic = topic;
  auto r = store.read(storage::queue_id::topic(topic), from, max_messages, kMaxReadBytes);
  if (!r) {
    batch.error = r.error().to_string();
    batch.next_offset = from;
    return batch;
  }
  batch.next_offset = r->next_offset;
  batch.end_offset = r->queue.next;
  batch.skipped_to_oldest = r->skipped_to_oldest;
  batch.entries.reserve(r->entries.size());
  for (auto& e : r->entries) batch.entries.push_back({e.offset, e.sequence, std::move(e.message)});
  return batch;
}

// A session's own catch-up read: raw records, parsed by the session as it sends them.
queue_batch read_queue_records(storage::store& store, const std::string& topic, std::uint64_t from,
                               std::uint32_t max_messages, std::uint64_t max_bytes) {
  auto raw = read_raw(store, storage::queue_id::topic(topic), from, max_messages,
                      static_cast<std::size_t>(std::min<std::uint64_t>(max_bytes, kMaxReadBytes)));
  queue_batch batch;
  batch.topic = topic;
  batch.records = std::move(raw.records);
  batch.next_offset = raw.next_offset;
  batch.end_offset = raw.end_offset;
  batch.skipped_to_oldest = raw.skipped_to_oldest;
  batch.error = std::move(raw.error);
  return batch;
}

stored_session read_session(storage::store& store, const std::string& client_id) {
  stored_session out;
  auto snap = store.read_snapshot();
  if (!snap) return out;
  auto session = snap->session(client_id);
  if (!session || !*session) return out;
  out.found = true;
  out.session = std::move(**session);
  if (auto offsets = snap->committed_offsets(client_id))
    for (auto& [queue, next] : *offsets)
      out.offsets.push_back({client_id, queue.name, next, queue.kind == storage::queue_kind::first_level, queue.partition});
  return out;
}

// Queue offsets map to increasing sequences, so the first offset at or past `sequence` is found by
// binary search over [oldest, next).
std::uint64_t offset_for_sequence(storage::store& store, const std::string& topic, std::uint64_t sequence) {
  auto snap = store.read_snapshot();
  if (!snap) return 0;
  const auto queue = storage::queue_id::topic(topic);
  auto info = snap->queue_info(queue);
  if (!info || !*info) return 0;
  std::uint64_t lo = (*info)->oldest, hi = (*info)->next;
  while (lo < hi) {
    const std::uint64_t mid = lo + (hi - lo) / 2;
    auto cursor = snap->open_cursor(queue, mid);
    if (!cursor) return lo;
    auto more = cursor->next();
    if (!more || !*more) return lo;
    if (cursor->sequence() < sequence)
      lo = cursor->offset() + 1;
    else
      hi = mid;
  }
  return lo;
}

caf::behavior reader(caf::event_based_actor*, std::shared_ptr<storage::store> store) {
  return {
      [store](read_atom, const std::string& topic, std::uint64_t from, std::uint32_t max_messages) {
        return read_queue(*store, topic, from, max_messages);
      },
      [store](read_atom, records_atom, const std::string& topic, std::uint64_t from, std::uint32_t max_messages,
              std::uint64_t max_bytes) { return read_queue_records(*store, topic, from, max_messages, max_bytes); },
      [store](retained_atom, const std::string& filter) {
        auto r = store->retained_matching(filter);
        return r ? std::move(*r) : std::vector<proto::StoredMessage>{};
      },
      [store](session_atom, const std::string& client_id) { return read_session(*store, client_id); },
      [store](sessions_atom) {
        std::vector<proto::Session> out;
        if (auto snap = store->read_snapshot())
          if (auto all = snap->sessions()) out = std::move(*all);
        return out;
      },
      [store](start_atom, const std::string& topic, std::uint64_t sequence) {
        return offset_for_sequence(*store, topic, sequence);
      },
      [store](stats_atom) {
        const auto s = store->stats();
        return storage_stats{s.next_sequence, s.message_count, s.log_bytes};
      },
      [store](fetch_atom, const partition_read& read) { return read_partition(*store, read); },
      [store](group_atom, const group_state_request& request) { return read_group_state(*store, request); },
      [store](subscribe_atom, const std::string& filter) {
        std::vector<std::string> topics;
        if (auto queues = store->resolve_filter(filter))
          for (auto& q : *queues) topics.push_back(std::move(q.name));
        return topics;
      },
  };
}

}  // namespace

caf::actor spawn_storage_reader(caf::actor_system& system, std::shared_ptr<storage::store> store) {
  return system.spawn(reader, std::move(store));
}

}  // namespace unimq::actors
