#include "storage/topic_directory.hpp"

#include "protocol/topic.hpp"
#include "storage/key_codec.hpp"
#include "storage/lmdb_cursor.hpp"

namespace unimq::storage::topic_directory {

status add(MDB_txn* txn, const databases& dbs, std::string_view topic) {
  const auto key = key_codec::directory_key(mqtt::first_level(topic), topic);
  MDB_val k = to_val(key);
  MDB_val v{0, nullptr};
  if (int rc = mdb_put(txn, dbs.directory, &k, &v, 0); rc != 0) return lmdb_status(rc, "writing the topic directory");
  return status::ok();
}

result<std::vector<std::string>> topics_matching(MDB_txn* txn, const databases& dbs, std::string_view filter) {
  std::vector<std::string> out;
  const auto level = mqtt::first_level(filter);
  const bool scan_all = level == "+" || level == "#";
  const std::string prefix = scan_all ? std::string() : key_codec::directory_prefix(level);
  auto s = for_each_prefixed(txn, dbs.directory, prefix, [&](std::string_view key, std::string_view) {
    const auto nul = key.find('\0');
    if (nul == std::string_view::npos) return status::corruption("topic directory key without separator");
    const auto topic = key.substr(nul + 1);
    if (mqtt::topic_matches(filter, topic)) out.emplace_back(topic);
    return status::ok();
  });
  if (!s) return s;
  return out;
}

}  // namespace unimq::storage::topic_directory
