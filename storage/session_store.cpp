#include "storage/session_store.hpp"

#include <string>

#include "storage/lmdb_cursor.hpp"

namespace unimq::storage::session_store {
namespace {

status parse(std::string_view raw, std::string_view client_id, proto::Session& out) {
  if (!out.ParseFromArray(raw.data(), static_cast<int>(raw.size())))
    return status::corruption("session record of client '" + std::string(client_id) + "' does not parse");
  return status::ok();
}

}  // namespace

status put(MDB_txn* txn, const databases& dbs, std::string_view client_id, const proto::Session& session) {
  const std::size_t size = session.ByteSizeLong();
  MDB_val k = to_val(client_id);
  MDB_val v{size, nullptr};
  if (int rc = mdb_put(txn, dbs.sessions, &k, &v, MDB_RESERVE); rc != 0) return lmdb_status(rc, "writing a session");
  session.SerializeWithCachedSizesToArray(static_cast<std::uint8_t*>(v.mv_data));
  return status::ok();
}

status remove(MDB_txn* txn, const databases& dbs, std::string_view client_id) {
  MDB_val k = to_val(client_id);
  const int rc = mdb_del(txn, dbs.sessions, &k, nullptr);
  if (rc != 0 && rc != MDB_NOTFOUND) return lmdb_status(rc, "deleting a session");
  return status::ok();
}

result<std::optional<proto::Session>> get(MDB_txn* txn, const databases& dbs, std::string_view client_id) {
  MDB_val k = to_val(client_id);
  MDB_val v{};
  const int rc = mdb_get(txn, dbs.sessions, &k, &v);
  if (rc == MDB_NOTFOUND) return std::optional<proto::Session>();
  if (rc != 0) return lmdb_status(rc, "reading a session");
  proto::Session s;
  if (auto st = parse(to_view(v), client_id, s); !st) return st;
  return std::optional<proto::Session>(std::move(s));
}

result<std::vector<proto::Session>> all(MDB_txn* txn, const databases& dbs) {
  std::vector<proto::Session> out;
  auto s = for_each_prefixed(txn, dbs.sessions, {}, [&](std::string_view key, std::string_view value) {
    out.emplace_back();
    return parse(value, key, out.back());
  });
  if (!s) return s;
  return out;
}

}  // namespace unimq::storage::session_store
