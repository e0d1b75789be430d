#include "storage/retained_store.hpp"

#include <string>

#include "protocol/topic.hpp"
#include "storage/lmdb_cursor.hpp"

namespace unimq::storage::retained_store {
namespace {

status parse(std::string_view raw, std::string_view topic, proto::StoredMessage& out) {
  if (!out.ParseFromArray(raw.data(), static_cast<int>(raw.size())))
    return status::corruption("retained message of topic '" + std::string(topic) + "' does not parse");
  return status::ok();
}

}  // namespace

status put(MDB_txn* txn, const databases& dbs, const proto::StoredMessage& msg) {
  const std::size_t size = msg.ByteSizeLong();
  MDB_val k = to_val(msg.topic());
  MDB_val v{size, nullptr};
  if (int rc = mdb_put(txn, dbs.retained, &k, &v, MDB_RESERVE); rc != 0) return lmdb_status(rc, "writing a retained message");
  msg.SerializeWithCachedSizesToArray(static_cast<std::uint8_t*>(v.mv_data));
  return status::ok();
}

status remove(MDB_txn* txn, const databases& dbs, std::string_view topic) {
  MDB_val k = to_val(topic);
  const int rc = mdb_del(txn, dbs.retained, &k, nullptr);
  if (rc != 0 && rc != MDB_NOTFOUND) return lmdb_status(rc, "deleting a retained message");
  return status::ok();
}

result<std::optional<proto::StoredMessage>> get(MDB_txn* txn, const databases& dbs, std::string_view topic) {
  MDB_val k = to_val(topic);
  MDB_val v{};
  const int rc = mdb_get(txn, dbs.retained, &k, &v);
  if (rc == MDB_NOTFOUND) return std::optional<proto::StoredMessage>();
  if (rc != 0) return lmdb_status(rc, "reading a retained message");
  proto::StoredMessage m;
  if (auto s = parse(to_view(v), topic, m); !s) return s;
  return std::optional<proto::StoredMessage>(std::move(m));
}

result<std::vector<proto::StoredMessage>> matching(MDB_txn* txn, const databases& dbs, std::string_view filter) {
  std::vector<proto::StoredMessage> out;
  // Keys are whole topics, so a literal first level narrows the scan to topics starting with it;
  // topic_matches then rejects neighbours such as "ab/c" for "a/#".
  const auto level = mqtt::first_level(filter);
  const std::string_view prefix = (level == "+" || level == "#") ? std::string_view() : level;
  auto s = for_each_prefixed(txn, dbs.retained, prefix, [&](std::string_view topic, std::string_view value) {
    if (!mqtt::topic_matches(filter, topic)) return status::ok();
    out.emplace_back();
    return parse(value, topic, out.back());
  });
  if (!s) return s;
  return out;
}

}  // namespace unimq::storage::retained_store
