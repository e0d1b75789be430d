#include "storage/offset_store.hpp"

#include <string>

#include "storage/lmdb_cursor.hpp"

namespace unimq::storage::offset_store {

status put(MDB_txn* txn, const databases& dbs, std::string_view consumer, const queue_id& q, std::uint64_t next_offset) {
  const auto key = key_codec::offset_key(consumer, q);
  std::string value;
  key_codec::put_u64(value, next_offset);
  MDB_val k = to_val(key);
  MDB_val v = to_val(value);
  if (int rc = mdb_put(txn, dbs.offsets, &k, &v, 0); rc != 0) return lmdb_status(rc, "writing a consumer offset");
  return status::ok();
}

result<std::optional<std::uint64_t>> get(MDB_txn* txn, const databases& dbs, std::string_view consumer, const queue_id& q) {
  const auto key = key_codec::offset_key(consumer, q);
  MDB_val k = to_val(key);
  MDB_val v{};
  const int rc = mdb_get(txn, dbs.offsets, &k, &v);
  if (rc == MDB_NOTFOUND) return std::optional<std::uint64_t>();
  if (rc != 0) return lmdb_status(rc, "reading a consumer offset");
  if (v.mv_size != key_codec::kU64Size) return status::corruption("consumer offset record is malformed");
  return std::optional<std::uint64_t>(key_codec::get_u64(static_cast<const char*>(v.mv_data)));
}

result<std::vector<std::pair<queue_id, std::uint64_t>>> list(MDB_txn* txn, const databases& dbs, std::string_view consumer) {
  std::vector<std::pair<queue_id, std::uint64_t>> out;
  const auto prefix = key_codec::offset_prefix(consumer);
  auto s = for_each_prefixed(txn, dbs.offsets, prefix, [&](std::string_view key, std::string_view value) {
    queue_id q;
    if (!key_codec::parse_queue_key(key.substr(prefix.size()), q) || value.size() != key_codec::kU64Size)
      return status::corruption("consumer offset record is malformed");
    out.emplace_back(std::move(q), key_codec::get_u64(value.data()));
    return status::ok();
  });
  if (!s) return s;
  return out;
}

status remove_consumer(MDB_txn* txn, const databases& dbs, std::string_view consumer) {
  const auto prefix = key_codec::offset_prefix(consumer);
  std::vector<std::string> keys;
  auto s = for_each_prefixed(txn, dbs.offsets, prefix, [&](std::string_view key, std::string_view) {
    keys.emplace_back(key);
    return status::ok();
  });
  if (!s) return s;
  for (const auto& key : keys) {
    MDB_val k = to_val(key);
    if (int rc = mdb_del(txn, dbs.offsets, &k, nullptr); rc != 0) return lmdb_status(rc, "deleting a consumer offset");
  }
  return status::ok();
}

}  // namespace unimq::storage::offset_store
