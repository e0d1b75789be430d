#include "storage/queue_index.hpp"

namespace unimq::storage {

std::uint64_t fnv1a64(std::string_view topic) {
  constexpr std::uint64_t kOffsetBasis = 14695981039346656037ull;
  constexpr std::uint64_t kPrime = 1099511628211ull;
  std::uint64_t h = kOffsetBasis;
  for (unsigned char c : topic) {
    h ^= c;
    h *= kPrime;
  }
  return h;
}

namespace queue_index {
namespace {
constexpr std::size_t kStateSize = 2 * key_codec::kU64Size;
constexpr char kPartitionsTag = 'P';
}  // namespace

MDB_dbi entries_db(const databases& dbs, queue_kind kind) {
  return kind == queue_kind::first_level ? dbs.fl_queue : dbs.topic_queue;
}

std::string partitions_key(std::string_view first_level) {
  std::string k(1, kPartitionsTag);
  k.append(first_level);
  k.push_back('\0');
  return k;
}

result<std::optional<queue_state>> get_state(MDB_txn* txn, const databases& dbs, std::string_view queue_key) {
  MDB_val k = to_val(queue_key);
  MDB_val v{};
  const int rc = mdb_get(txn, dbs.queue_meta, &k, &v);
  if (rc == MDB_NOTFOUND) return std::optional<queue_state>();
  if (rc != 0) return lmdb_status(rc, "reading queue metadata");
  if (v.mv_size != kStateSize) return status::corruption("queue metadata record has " + std::to_string(v.mv_size) + " bytes, expected 16");
  const auto* p = static_cast<const char*>(v.mv_data);
  queue_state s{key_codec::get_u64(p), key_codec::get_u64(p + key_codec::kU64Size)};
  if (s.oldest > s.next) return status::corruption("queue metadata has oldest offset above next offset");
  return std::optional<queue_state>(s);
}

status put_state(MDB_txn* txn, const databases& dbs, std::string_view queue_key, const queue_state& state) {
  std::string value;
  value.reserve(kStateSize);
  key_codec::put_u64(value, state.next);
  key_codec::put_u64(value, state.oldest);
  MDB_val k = to_val(queue_key);
  MDB_val v = to_val(value);
  if (int rc = mdb_put(txn, dbs.queue_meta, &k, &v, 0); rc != 0) return lmdb_status(rc, "writing queue metadata");
  return status::ok();
}

result<std::optional<std::uint32_t>> get_partitions(MDB_txn* txn, const databases& dbs, std::string_view first_level) {
  const auto key = partitions_key(first_level);
  MDB_val k = to_val(key);
  MDB_val v{};
  const int rc = mdb_get(txn, dbs.queue_meta, &k, &v);
  if (rc == MDB_NOTFOUND) return std::optional<std::uint32_t>();
  if (rc != 0) return lmdb_status(rc, "reading a partition count");
  if (v.mv_size != key_codec::kU32Size) return status::corruption("partition count record is malformed");
  const auto n = key_codec::get_u32(static_cast<const char*>(v.mv_data));
  if (n == 0) return status::corruption("partition count of first-level topic '" + std::string(first_level) + "' is 0");
  return std::optional<std::uint32_t>(n);
}

status put_partitions(MDB_txn* txn, const databases& dbs, std::string_view first_level, std::uint32_t partitions) {
  const auto key = partitions_key(first_level);
  std::string value;
  key_codec::put_u32(value, partitions);
  MDB_val k = to_val(key);
  MDB_val v = to_val(value);
  if (int rc = mdb_put(txn, dbs.queue_meta, &k, &v, 0); rc != 0) return lmdb_status(rc, "writing a partition count");
  return status::ok();
}

status put_entry(MDB_txn* txn, const databases& dbs, const queue_id& q, std::uint64_t offset, std::uint64_t seq) {
  std::string scratch;
  return put_entry(txn, dbs, q.kind, key_codec::queue_key(q), offset, seq, scratch);
}

status put_entry(MDB_txn* txn, const databases& dbs, queue_kind kind, std::string_view queue_key, std::uint64_t offset,
                 std::uint64_t seq, std::string& scratch) {
  scratch.assign(queue_key);
  key_codec::put_u64(scratch, offset);
  char value[key_codec::kU64Size];
  for (int i = 7; i >= 0; --i, seq >>= 8) value[i] = static_cast<char>(seq & 0xff);
  MDB_val k = to_val(scratch);
  MDB_val v{sizeof value, value};
  if (int rc = mdb_put(txn, entries_db(dbs, kind), &k, &v, 0); rc != 0) return lmdb_status(rc, "writing a queue entry");
  return status::ok();
}

status delete_entry(MDB_txn* txn, const databases& dbs, const queue_id& q, std::uint64_t offset) {
  const auto key = key_codec::entry_key(q, offset);
  MDB_val k = to_val(key);
  const int rc = mdb_del(txn, entries_db(dbs, q.kind), &k, nullptr);
  if (rc == MDB_NOTFOUND)
    return status::corruption("index entry " + std::to_string(offset) + " of " + to_string(q) + " is missing");
  if (rc != 0) return lmdb_status(rc, "deleting a queue entry");
  return status::ok();
}

result<queue_state*> txn_states::get(const std::string& queue_key, bool* created) {
  if (created != nullptr) *created = false;
  if (auto it = _states.find(queue_key); it != _states.end()) return &it->second;
  queue_state s;
  if (auto it = _cache.queues.find(queue_key); it != _cache.queues.end()) {
    s = it->second;
  } else {
    auto stored = get_state(_txn, _dbs, queue_key);
    if (!stored) return stored.error();
    if (stored->has_value()) {
      s = **stored;
    } else if (created != nullptr) {
      *created = true;
    }
  }
  return &_states.emplace(queue_key, s).first->second;
}

result<std::uint32_t> txn_states::partitions(const std::string& first_level, std::uint32_t configured) {
  if (auto it = _partitions.find(first_level); it != _partitions.end()) return it->second;
  std::uint32_t n = configured;
  if (auto it = _cache.partitions.find(first_level); it != _cache.partitions.end()) {
    n = it->second;
  } else {
    auto stored = get_partitions(_txn, _dbs, first_level);
    if (!stored) return stored.error();
    if (stored->has_value()) {
      n = **stored;
    } else {
      _new_partitions.emplace(first_level, n);
    }
  }
  _partitions.emplace(first_level, n);
  return n;
}

status txn_states::flush() {
  for (const auto& [key, s] : _states)
    if (auto st = put_state(_txn, _dbs, key, s); !st) return st;
  for (const auto& [level, n] : _new_partitions)
    if (auto st = put_partitions(_txn, _dbs, level, n); !st) return st;
  return status::ok();
}

void txn_states::publish(state_cache& cache) const {
  if (cache.queues.size() + _states.size() > state_cache::kMaxEntries) cache.queues.clear();
  for (const auto& [key, s] : _states) cache.queues[key] = s;
  if (cache.partitions.size() + _partitions.size() > state_cache::kMaxEntries) cache.partitions.clear();
  for (const auto& [level, n] : _partitions) cache.partitions[level] = n;
}

}  // namespace queue_index
}  // namespace unimq::storage
