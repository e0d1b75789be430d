#include "actors/partition_fetch.hpp"

#include <algorithm>

#include "actors/raw_read.hpp"

namespace unimq::actors {
namespace {

// The first offset in [oldest, next) whose message was stored at or after `timestamp_ms`; timestamps
// grow with offsets within a partition (one writer stamps them in commit order).
storage::result<std::uint64_t> offset_at_time(storage::snapshot& snap, const storage::queue_id& queue,
                                              const storage::queue_state& state, std::uint64_t timestamp_ms) {
  std::uint64_t lo = state.oldest, hi = state.next;
  while (lo < hi) {
    const std::uint64_t mid = lo + (hi - lo) / 2;
    auto cursor = snap.open_cursor(queue, mid);
    if (!cursor) return cursor.error();
    auto more = cursor->next();
    if (!more) return more.error();
    if (!*more) break;
    proto::StoredMessage m;
    if (auto s = cursor->decode(m); !s) return s;
    if (m.timestamp_ms() < timestamp_ms)
      lo = cursor->offset() + 1;
    else
      hi = mid;
  }
  return lo;
}

storage::result<std::uint64_t> start_offset(storage::snapshot& snap, const storage::queue_id& queue,
                                            const storage::queue_state& state, const start_spec& from) {
  switch (from.kind) {
    case start_spec::oldest:
      return state.oldest;
    case start_spec::offset:
      return std::clamp(from.value, state.oldest, state.next);
    case start_spec::timestamp:
      return offset_at_time(snap, queue, state, from.value);
    default:
      return state.next;
  }
}

}  // namespace

fetch_result read_partition(storage::store& store, const partition_read& read) {
  auto raw = read_raw(store, storage::queue_id::first_level(read.topic, read.partition), read.from,
                      read.max_messages, read.max_bytes);
  fetch_result out;
  out.partition = read.partition;
  out.next_offset = raw.next_offset;
  out.end_offset = raw.end_offset;
  out.count = raw.count;
  out.records = std::move(raw.records);
  out.error = std::move(raw.error);
  return out;
}

group_state read_group_state(storage::store& store, const group_state_request& request) {
  group_state out;
  auto snap = store.read_snapshot();
  if (!snap) {
    out.error = snap.error().to_string();
    return out;
  }
  auto count = snap->partitions(request.topic);
  if (!count) {
    out.error = count.error().to_string();
    return out;
  }
  out.partitions = count->value_or(store.partition_count_for_new(request.topic));
  out.committed.assign(out.partitions, group_state::kNoOffset);
  out.start.assign(out.partitions, 0);
  for (std::uint32_t p = 0; p < out.partitions; ++p) {
    const auto queue = storage::queue_id::first_level(request.topic, p);
    auto committed = snap->committed_offset(request.consumer, queue);
    auto state = snap->queue_info(queue);
    if (!committed || !state) {
      out.error = (!committed ? committed.error() : state.error()).to_string();
      return out;
    }
    if (*committed) out.committed[p] = **committed;
    auto start = start_offset(*snap, queue, state->value_or(storage::queue_state{}), request.from);
    if (!start) {
      out.error = start.error().to_string();
      return out;
    }
    out.start[p] = *start;
  }
  return out;
}

}  // namespace unimq::actors
