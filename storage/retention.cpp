#include "storage/retention.hpp"

#include <algorithm>
#include <string>

#include "protocol/topic.hpp"
#include "storage/key_codec.hpp"
#include "storage/lmdb_cursor.hpp"

namespace unimq::storage::retention {
namespace {

status drop_index_entry(MDB_txn* txn, const databases& dbs, queue_index::txn_states& states, const queue_id& q,
                        std::uint64_t offset) {
  auto state = states.get(key_codec::queue_key(q));
  if (!state) return state.error();
  queue_state& s = **state;
  // Records leave the log in sequence order and every queue is in sequence order, so the record
  // being deleted is always its queues' oldest entry.
  if (offset != s.oldest)
    return status::corruption("retention expected offset " + std::to_string(s.oldest) + " of " + to_string(q) + " but the record says " +
                              std::to_string(offset));
  if (auto st = queue_index::delete_entry(txn, dbs, q, offset); !st) return st;
  s.oldest = offset + 1;
  return status::ok();
}

}  // namespace

status run(MDB_txn* txn, const databases& dbs, const retention_policy& policy, std::uint64_t now_ms,
           std::size_t max_deletions, log_state& log, queue_index::txn_states& states, retention_result& out) {
  if (policy.max_age_ms == 0 && policy.max_bytes == 0) return status::ok();
  const std::uint64_t cutoff = (policy.max_age_ms != 0 && now_ms > policy.max_age_ms) ? now_ms - policy.max_age_ms : 0;
  auto cursor = lmdb_cursor::open(txn, dbs.commitlog);
  if (!cursor) return cursor.error();
  MDB_val k{};
  MDB_val v{};
  proto::StoredMessage msg;
  int rc = mdb_cursor_get(cursor->get(), &k, &v, MDB_FIRST);
  while (rc == 0) {
    if (out.deleted >= max_deletions) {
      out.more = true;
      break;
    }
    if (k.mv_size != key_codec::kU64Size) return status::corruption("commitlog key is not 8 bytes");
    const auto seq = key_codec::get_u64(static_cast<const char*>(k.mv_data));
    const auto raw = to_view(v);
    if (auto s = commitlog::decode(raw, seq, msg); !s) return s;
    const bool too_big = policy.max_bytes != 0 && log.bytes > policy.max_bytes;
    const bool too_old = cutoff != 0 && msg.timestamp_ms() < cutoff;
    if (!too_big && !too_old) break;

    const std::string topic = msg.topic();
    const auto fl = queue_id::first_level(std::string(mqtt::first_level(topic)), msg.partition());
    if (auto s = drop_index_entry(txn, dbs, states, fl, msg.first_level_offset()); !s) return s;
    if (auto s = drop_index_entry(txn, dbs, states, queue_id::topic(topic), msg.topic_offset()); !s) return s;
    if (rc = mdb_cursor_del(cursor->get(), 0); rc != 0) return lmdb_status(rc, "deleting a commitlog record");
    log.bytes -= std::min<std::uint64_t>(log.bytes, raw.size());
    log.count -= log.count > 0 ? 1 : 0;
    out.freed_bytes += raw.size();
    ++out.deleted;
    // Re-seek rather than rely on the cursor's position after a delete.
    rc = mdb_cursor_get(cursor->get(), &k, &v, MDB_FIRST);
  }
  if (rc != 0 && rc != MDB_NOTFOUND) return lmdb_status(rc, "scanning the commitlog");
  return status::ok();
}

}  // namespace unimq::storage::retention

