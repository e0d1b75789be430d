#include "actors/raw_read.hpp"

#include <algorithm>

#include "actors/record_blob.hpp"

namespace unimq::actors {

raw_read read_raw(storage::store& store, const storage::queue_id& queue, std::uint64_t from,
                  std::uint32_t max_messages, std::size_t max_bytes) {
  raw_read out;
  out.next_offset = from;
  auto snap = store.read_snapshot();
  if (!snap) {
    out.error = snap.error().to_string();
    return out;
  }
  auto cursor = snap->open_cursor(queue, from);
  if (!cursor) {
    out.error = cursor.error().to_string();
    return out;
  }
  out.end_offset = cursor->queue().next;
  out.next_offset = std::max(from, cursor->queue().oldest);
  out.skipped_to_oldest = cursor->skipped_to_oldest();
  while (out.count < max_messages) {
    auto more = cursor->next();
    if (!more) {
      out.error = more.error().to_string();
      return out;
    }
    if (!*more) break;
    const auto record = cursor->record();
    if (out.count > 0 && out.records.size() + record.size() + record_blob::kHeaderSize > max_bytes) break;
    record_blob::append(out.records, cursor->offset(), cursor->sequence(), record);
    ++out.count;
    out.next_offset = cursor->offset() + 1;
  }
  return out;
}

}  // namespace unimq::actors
