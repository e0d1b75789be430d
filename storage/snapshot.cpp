#include "storage/snapshot.hpp"

#include <algorithm>

#include "protocol/topic.hpp"
#include "storage/commitlog.hpp"
#include "storage/guard.hpp"
#include "storage/offset_store.hpp"
#include "storage/retained_store.hpp"
#include "storage/session_store.hpp"
#include "storage/topic_directory.hpp"

namespace unimq::storage {
namespace {

/// The plain filter to match with: `$share/{group}/` stripped, then validated.
result<std::string_view> plain_filter(std::string_view filter) {
  if (auto e = mqtt::validate_topic_filter(filter); e != mqtt::topic_error::none)
    return status::invalid_argument("invalid topic filter '" + std::string(filter) + "': " + mqtt::to_string(e));
  if (auto shared = mqtt::parse_shared_filter(filter)) return shared->filter;
  return filter;
}

}  // namespace

result<bool> queue_cursor::next() {
  if (_expected >= _state.next) return false;
  MDB_val k{};
  MDB_val v{};
  int rc = 0;
  if (!_positioned) {
    _positioned = true;
    std::string key = _prefix;
    key_codec::append_offset(key, _expected);
    k = to_val(key);
    rc = mdb_cursor_get(_cursor.get(), &k, &v, MDB_SET_RANGE);
  } else {
    rc = mdb_cursor_get(_cursor.get(), &k, &v, MDB_NEXT);
  }
  if (rc != 0 && rc != MDB_NOTFOUND) return lmdb_status(rc, "reading a queue index");
  const auto key = to_view(k);
  if (rc == MDB_NOTFOUND || key.size() != _prefix.size() + key_codec::kU64Size || key.substr(0, _prefix.size()) != _prefix ||
      v.mv_size != key_codec::kU64Size)
    return status::corruption("queue index entry at offset " + std::to_string(_expected) + " is missing or malformed");
  const auto offset = key_codec::get_u64(key.data() + _prefix.size());
  if (offset != _expected) return status::corruption("queue index has a gap at offset " + std::to_string(_expected));
  const auto seq = key_codec::get_u64(static_cast<const char*>(v.mv_data));
  // Consecutive entries of a queue are often consecutive records (one busy topic): stepping the
  // commitlog cursor is cheaper than a fresh B-tree descent per message.
  MDB_val lk{};
  MDB_val lv{};
  rc = MDB_NOTFOUND;
  if (_sequence != 0 && seq == _sequence + 1) {
    rc = mdb_cursor_get(_log_cursor.get(), &lk, &lv, MDB_NEXT);
    if (rc == 0 && (lk.mv_size != key_codec::kU64Size || key_codec::get_u64(static_cast<const char*>(lk.mv_data)) != seq)) rc = MDB_NOTFOUND;
  }
  if (rc != 0) {
    _seq_key.clear();
    key_codec::put_u64(_seq_key, seq);
    lk = to_val(_seq_key);
    rc = mdb_cursor_get(_log_cursor.get(), &lk, &lv, MDB_SET_KEY);
  }
  if (rc == MDB_NOTFOUND)
    return status::corruption("queue index offset " + std::to_string(offset) + " points at missing commitlog record " + std::to_string(seq));
  if (rc != 0) return lmdb_status(rc, "reading the commitlog");
  _offset = offset;
  _sequence = seq;
  _record = to_view(lv);
  _expected = offset + 1;
  return true;
}

status queue_cursor::decode(proto::StoredMessage& out) const { return commitlog::decode(_record, _sequence, out); }

result<queue_cursor> snapshot::open_cursor(const queue_id& queue, std::uint64_t from_offset) {
  return guarded("opening a queue cursor", [&]() -> result<queue_cursor> {
    queue_cursor c;
    c._txn = _txn.get();
    c._dbs = _dbs;
    c._prefix = key_codec::queue_key(queue);
    auto state = queue_index::get_state(_txn.get(), *_dbs, c._prefix);
    if (!state) return state.error();
    if (state->has_value()) c._state = **state;
    c._expected = from_offset;
    if (from_offset < c._state.oldest) {
      c._expected = c._state.oldest;
      c._skipped = true;
    }
    auto cursor = lmdb_cursor::open(_txn.get(), queue_index::entries_db(*_dbs, queue.kind));
    if (!cursor) return cursor.error();
    c._cursor = std::move(*cursor);
    auto log_cursor = lmdb_cursor::open(_txn.get(), _dbs->commitlog);
    if (!log_cursor) return log_cursor.error();
    c._log_cursor = std::move(*log_cursor);
    return c;
  });
}

result<read_result> snapshot::read(const queue_id& queue, std::uint64_t from_offset, std::size_t max_messages, std::size_t max_bytes) {
  return guarded("reading a queue", [&]() -> result<read_result> {
    auto cursor = open_cursor(queue, from_offset);
    if (!cursor) return cursor.error();
    read_result out;
    out.queue = cursor->queue();
    const auto available = out.queue.next - std::min(out.queue.next, std::max(from_offset, out.queue.oldest));
    out.entries.reserve(static_cast<std::size_t>(std::min<std::uint64_t>(available, std::min<std::size_t>(max_messages, 4096))));
    out.skipped_to_oldest = cursor->skipped_to_oldest();
    out.next_offset = std::max(from_offset, out.queue.oldest);
    std::size_t bytes = 0;
    while (out.entries.size() < max_messages) {
      auto more = cursor->next();
      if (!more) return more.error();
      if (!*more) break;
      bytes += cursor->record().size();
      if (bytes > max_bytes && !out.entries.empty()) break;
      out.entries.push_back(read_entry{cursor->offset(), cursor->sequence(), {}});
      if (auto s = cursor->decode(out.entries.back().message); !s) return s;
      out.next_offset = cursor->offset() + 1;
    }
    return out;
  });
}

result<std::optional<queue_state>> snapshot::queue_info(const queue_id& queue) {
  return guarded("reading queue metadata", [&] { return queue_index::get_state(_txn.get(), *_dbs, key_codec::queue_key(queue)); });
}

result<std::optional<std::uint32_t>> snapshot::partitions(std::string_view first_level) {
  return guarded("reading a partition count", [&] { return queue_index::get_partitions(_txn.get(), *_dbs, first_level); });
}

result<std::vector<queue_id>> snapshot::resolve_filter(std::string_view filter) {
  return guarded("resolving a filter", [&]() -> result<std::vector<queue_id>> {
    auto plain = plain_filter(filter);
    if (!plain) return plain.error();
    auto topics = topic_directory::topics_matching(_txn.get(), *_dbs, *plain);
    if (!topics) return topics.error();
    std::vector<queue_id> out;
    out.reserve(topics->size());
    for (auto& t : *topics) out.push_back(queue_id::topic(std::move(t)));
    return out;
  });
}

result<std::vector<proto::StoredMessage>> snapshot::retained_matching(std::string_view filter) {
  return guarded("looking up retained messages", [&]() -> result<std::vector<proto::StoredMessage>> {
    auto plain = plain_filter(filter);
    if (!plain) return plain.error();
    return retained_store::matching(_txn.get(), *_dbs, *plain);
  });
}

result<std::optional<proto::StoredMessage>> snapshot::retained(std::string_view topic) {
  return guarded("reading a retained message", [&] { return retained_store::get(_txn.get(), *_dbs, topic); });
}

result<std::optional<proto::Session>> snapshot::session(std::string_view client_id) {
  return guarded("reading a session", [&] { return session_store::get(_txn.get(), *_dbs, client_id); });
}

result<std::vector<proto::Session>> snapshot::sessions() {
  return guarded("reading sessions", [&] { return session_store::all(_txn.get(), *_dbs); });
}

result<std::optional<std::uint64_t>> snapshot::committed_offset(std::string_view consumer, const queue_id& queue) {
  return guarded("reading a consumer offset", [&] { return offset_store::get(_txn.get(), *_dbs, consumer, queue); });
}

result<std::vector<std::pair<queue_id, std::uint64_t>>> snapshot::committed_offsets(std::string_view consumer) {
  return guarded("reading consumer offsets", [&] { return offset_store::list(_txn.get(), *_dbs, consumer); });
}

result<std::optional<proto::StoredMessage>> snapshot::message(std::uint64_t seq) {
  return guarded("reading a message", [&]() -> result<std::optional<proto::StoredMessage>> {
    auto raw = commitlog::get_raw(_txn.get(), *_dbs, seq);
    if (!raw) return raw.error();
    if (!raw->has_value()) return std::optional<proto::StoredMessage>();
    proto::StoredMessage m;
    if (auto s = commitlog::decode(**raw, seq, m); !s) return s;
    return std::optional<proto::StoredMessage>(std::move(m));
  });
}

}  // namespace unimq::storage
