#include "storage/store.hpp"

#include <chrono>
#include <string>

#include "protocol/topic.hpp"
#include "storage/guard.hpp"
#include "storage/key_codec.hpp"
#include "storage/lmdb_cursor.hpp"
#include "storage/offset_store.hpp"
#include "storage/retained_store.hpp"
#include "storage/session_store.hpp"
#include "storage/topic_directory.hpp"

namespace unimq::storage {
namespace {

constexpr std::uint32_t kMaxQos = 2;

template <class... Ts>
struct overloaded : Ts... {
  using Ts::operator()...;
};
template <class... Ts>
overloaded(Ts...) -> overloaded<Ts...>;

std::uint64_t now_ms() {
  using namespace std::chrono;
  return static_cast<std::uint64_t>(duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count());
}

status check_message(const proto::StoredMessage& m, const char* what) {
  if (auto e = mqtt::validate_topic_name(m.topic()); e != mqtt::topic_error::none)
    return status::invalid_argument(std::string(what) + " has an invalid topic '" + m.topic() + "': " + mqtt::to_string(e));
  if (m.qos() > kMaxQos) return status::invalid_argument(std::string(what) + " has QoS " + std::to_string(m.qos()));
  return status::ok();
}

status check_id(std::string_view id, const char* what) {
  if (key_codec::has_nul(id)) return status::invalid_argument(std::string(what) + " contains a NUL character");
  return status::ok();
}

}  // namespace

result<std::unique_ptr<store>> store::open(const store_options& options) {
  return guarded("opening the store", [&]() -> result<std::unique_ptr<store>> {
    auto env = environment::open(options);
    if (!env) return env.error();
    std::unique_ptr<store> s(new store(std::move(*env)));
    auto txn = read_txn::begin(*s->_env);
    if (!txn) return txn.error();
    const auto& dbs = s->_env->dbs();
    auto log = commitlog::load_state(txn->get(), dbs);
    if (!log) return log.error();
    s->_log = *log;
    // The last record must be below next_sequence, or sequences would be reused.
    auto cursor = lmdb_cursor::open(txn->get(), dbs.commitlog);
    if (!cursor) return cursor.error();
    MDB_val k{};
    MDB_val v{};
    const int rc = mdb_cursor_get(cursor->get(), &k, &v, MDB_LAST);
    if (rc != 0 && rc != MDB_NOTFOUND) return lmdb_status(rc, "reading the commitlog");
    if (rc == 0) {
      if (k.mv_size != key_codec::kU64Size) return status::corruption("commitlog key is not 8 bytes");
      if (key_codec::get_u64(static_cast<const char*>(k.mv_data)) >= s->_log.next_sequence)
        return status::corruption("commitlog holds records at or above its recorded next sequence");
    }
    return s;
  });
}

std::uint32_t store::partition_count_for_new(std::string_view first_level) const {
  const auto& parts = _env->options().partitions;
  if (auto it = parts.find(std::string(first_level)); it != parts.end()) return it->second;
  return _env->options().default_partitions;
}

status store::validate(const write_batch& batch) const {
  for (const auto& op : batch.ops()) {
    auto s = std::visit(overloaded{
                            [](const write_batch::append_op& o) { return check_message(o.message, "an appended message"); },
                            [](const write_batch::commit_offset_op& o) {
                              if (auto s = check_id(o.consumer, "a consumer id"); !s) return s;
                              return check_id(o.queue.name, "a queue name");
                            },
                            [](const write_batch::delete_offsets_op& o) { return check_id(o.consumer, "a consumer id"); },
                            [](const write_batch::put_session_op&) { return status::ok(); },
                            [](const write_batch::delete_session_op&) { return status::ok(); },
                            [](const write_batch::put_retained_op& o) { return check_message(o.message, "a retained message"); },
                            [](const write_batch::delete_retained_op&) { return status::ok(); },
                        },
                        op);
    if (!s) return s;
  }
  return status::ok();
}

status store::apply(MDB_txn* txn, const write_batch& batch, queue_index::txn_states& states, log_state& log,
                    append_result& out) const {
  const auto& dbs = _env->dbs();
  const std::uint64_t now = now_ms();
  std::string scratch;
  out.messages.reserve(batch.message_count());
  for (const auto& op : batch.ops()) {
    status s = std::visit(
        overloaded{
            [&](const write_batch::append_op& o) -> status {
              const auto& msg = o.message;
              const std::string& topic = msg.topic();
              const std::string level(mqtt::first_level(topic));
              auto parts = states.partitions(level, partition_count_for_new(level));
              if (!parts) return parts.error();
              appended_message a;
              a.partition = partition_for(topic, *parts);
              const auto fl_key = key_codec::queue_key(queue_id::first_level(level, a.partition));
              auto fl_state = states.get(fl_key);
              if (!fl_state) return fl_state.error();
              a.first_level_offset = (*fl_state)->next++;
              const auto t_key = key_codec::queue_key(queue_id::topic(topic));
              bool created = false;
              auto t_state = states.get(t_key, &created);
              if (!t_state) return t_state.error();
              a.topic_offset = (*t_state)->next++;
              if (created)
                if (auto st = topic_directory::add(txn, dbs, topic); !st) return st;
              a.sequence = log.next_sequence++;
              a.timestamp_ms = msg.timestamp_ms() == 0 ? now : msg.timestamp_ms();
              auto size = commitlog::put(txn, dbs, a.sequence, msg,
                                         {a.partition, a.first_level_offset, a.topic_offset, msg.timestamp_ms() == 0 ? now : 0});
              if (!size) return size.error();
              a.stored_bytes = *size;
              if (auto st = queue_index::put_entry(txn, dbs, queue_kind::first_level, fl_key, a.first_level_offset, a.sequence, scratch); !st)
                return st;
              if (auto st = queue_index::put_entry(txn, dbs, queue_kind::topic, t_key, a.topic_offset, a.sequence, scratch); !st)
                return st;
              log.bytes += a.stored_bytes;
              ++log.count;
              out.messages.push_back(a);
              return status::ok();
            },
            [&](const write_batch::commit_offset_op& o) { return offset_store::put(txn, dbs, o.consumer, o.queue, o.next_offset); },
            [&](const write_batch::delete_offsets_op& o) { return offset_store::remove_consumer(txn, dbs, o.consumer); },
            [&](const write_batch::put_session_op& o) { return session_store::put(txn, dbs, o.client_id, o.session); },
            [&](const write_batch::delete_session_op& o) { return session_store::remove(txn, dbs, o.client_id); },
            [&](const write_batch::put_retained_op& o) { return retained_store::put(txn, dbs, o.message); },
            [&](const write_batch::delete_retained_op& o) { return retained_store::remove(txn, dbs, o.topic); },
        },
        op);
    if (!s) return s;
  }
  return status::ok();
}

template <class Body>
status store::write(Body&& body) {
  for (;;) {
    auto txn = write_txn::begin(*_env);
    if (!txn) return txn.error();
    queue_index::txn_states states(txn->get(), _env->dbs(), _cache);
    log_state log = _log;
    status s = body(txn->get(), states, log);
    if (s) s = states.flush();
    if (s) s = commitlog::save_state(txn->get(), _env->dbs(), log);
    int rc = 0;
    if (s) {
      rc = txn->commit();
      if (rc == 0) {
        states.publish(_cache);
        _log = log;
        return status::ok();
      }
    }
    txn->abort();
    // Inside a batch quota_exceeded only ever comes from MDB_MAP_FULL: grow the map and redo it all.
    if (rc == MDB_MAP_FULL || s.code() == status_code::quota_exceeded) {
      if (auto g = _env->grow(); !g) return g;
      continue;
    }
    if (rc != 0) return lmdb_status(rc, "committing a write transaction");
    return s;
  }
}

result<append_result> store::append(const write_batch& batch) {
  return guarded("appending a batch", [&]() -> result<append_result> {
    if (auto s = validate(batch); !s) return s;
    std::lock_guard<std::mutex> lock(_write_mutex);
    append_result out;
    auto s = write([&](MDB_txn* txn, queue_index::txn_states& states, log_state& log) {
      out.messages.clear();
      return apply(txn, batch, states, log, out);
    });
    if (!s) return s;
    return out;
  });
}

result<retention_result> store::run_retention(std::uint64_t now) {
  return guarded("running retention", [&]() -> result<retention_result> {
    const auto& o = _env->options();
    const retention_policy policy{o.retention_max_age_ms, o.retention_max_bytes};
    std::lock_guard<std::mutex> lock(_write_mutex);
    retention_result out;
    auto s = write([&](MDB_txn* txn, queue_index::txn_states& states, log_state& log) {
      out = retention_result{};
      return retention::run(txn, _env->dbs(), policy, now, o.retention_batch, log, states, out);
    });
    if (!s) return s;
    return out;
  });
}

result<snapshot> store::read_snapshot() {
  return guarded("opening a snapshot", [&]() -> result<snapshot> {
    auto txn = read_txn::begin(*_env);
    if (!txn) return txn.error();
    return snapshot(std::move(*txn), _env->dbs());
  });
}

result<read_result> store::read(const queue_id& queue, std::uint64_t from_offset, std::size_t max_messages, std::size_t max_bytes) {
  auto snap = read_snapshot();
  if (!snap) return snap.error();
  return snap->read(queue, from_offset, max_messages, max_bytes);
}

result<std::vector<queue_id>> store::resolve_filter(std::string_view filter) {
  auto snap = read_snapshot();
  if (!snap) return snap.error();
  return snap->resolve_filter(filter);
}

result<std::vector<proto::StoredMessage>> store::retained_matching(std::string_view filter) {
  auto snap = read_snapshot();
  if (!snap) return snap.error();
  return snap->retained_matching(filter);
}

store_stats store::stats() const {
  std::lock_guard<std::mutex> lock(_write_mutex);
  return {_log.next_sequence, _log.count, _log.bytes, _env->map_size(), _env->options().max_map_size};
}

}  // namespace unimq::storage
