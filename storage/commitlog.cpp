#include "storage/commitlog.hpp"

#include <cstring>
#include <string>

#include "storage/key_codec.hpp"

namespace unimq::storage::commitlog {
namespace {

constexpr std::string_view kLogStateKey = "log_state";
constexpr std::size_t kLogStateSize = 3 * key_codec::kU64Size;
// Field numbers of StoredMessage written by the store after the caller's fields: Protobuf keeps the
// last value of a repeated scalar field, so these win over whatever the caller set.
constexpr std::uint32_t kTimestampField = 13;
constexpr std::uint32_t kPartitionField = 20;
constexpr std::uint32_t kFirstLevelOffsetField = 21;
constexpr std::uint32_t kTopicOffsetField = 22;
constexpr std::size_t kMaxTrailer = 4 * (3 + 10);

std::size_t put_varint(char* out, std::uint64_t v) {
  std::size_t n = 0;
  while (v >= 0x80) {
    out[n++] = static_cast<char>((v & 0x7f) | 0x80);
    v >>= 7;
  }
  out[n++] = static_cast<char>(v);
  return n;
}

std::size_t put_varint_field(char* out, std::uint32_t field, std::uint64_t v) {
  std::size_t n = put_varint(out, std::uint64_t{field} << 3);  // wire type 0: varint
  return n + put_varint(out + n, v);
}

}  // namespace

result<std::size_t> put(MDB_txn* txn, const databases& dbs, std::uint64_t seq, const proto::StoredMessage& msg,
                        const index_fields& index) {
  char trailer[kMaxTrailer];
  std::size_t tn = 0;
  if (index.timestamp_ms != 0) tn += put_varint_field(trailer + tn, kTimestampField, index.timestamp_ms);
  tn += put_varint_field(trailer + tn, kPartitionField, index.partition);
  tn += put_varint_field(trailer + tn, kFirstLevelOffsetField, index.first_level_offset);
  tn += put_varint_field(trailer + tn, kTopicOffsetField, index.topic_offset);

  const std::size_t body = msg.ByteSizeLong();
  const auto key = key_codec::sequence_key(seq);
  MDB_val k = to_val(key);
  MDB_val v{body + tn, nullptr};
  if (int rc = mdb_put(txn, dbs.commitlog, &k, &v, MDB_RESERVE | MDB_APPEND); rc != 0) {
    if (rc == MDB_KEYEXIST) return status::corruption("commitlog sequence " + std::to_string(seq) + " is not above the last record");
    return lmdb_status(rc, "writing to the commitlog");
  }
  auto* out = static_cast<std::uint8_t*>(v.mv_data);
  msg.SerializeWithCachedSizesToArray(out);
  std::memcpy(out + body, trailer, tn);
  return body + tn;
}

result<std::optional<std::string_view>> get_raw(MDB_txn* txn, const databases& dbs, std::uint64_t seq) {
  const auto key = key_codec::sequence_key(seq);
  MDB_val k = to_val(key);
  MDB_val v{};
  const int rc = mdb_get(txn, dbs.commitlog, &k, &v);
  if (rc == MDB_NOTFOUND) return std::optional<std::string_view>();
  if (rc != 0) return lmdb_status(rc, "reading the commitlog");
  return std::optional<std::string_view>(to_view(v));
}

status decode(std::string_view raw, std::uint64_t seq, proto::StoredMessage& out) {
  if (!out.ParseFromArray(raw.data(), static_cast<int>(raw.size())))
    return status::corruption("commitlog record " + std::to_string(seq) + " is not a valid StoredMessage");
  return status::ok();
}

result<log_state> load_state(MDB_txn* txn, const databases& dbs) {
  MDB_val k = to_val(kLogStateKey);
  MDB_val v{};
  const int rc = mdb_get(txn, dbs.meta, &k, &v);
  if (rc == MDB_NOTFOUND) return log_state{};
  if (rc != 0) return lmdb_status(rc, "reading the commitlog state");
  if (v.mv_size != kLogStateSize) return status::corruption("the commitlog state record is malformed");
  const auto* p = static_cast<const char*>(v.mv_data);
  log_state s{key_codec::get_u64(p), key_codec::get_u64(p + 8), key_codec::get_u64(p + 16)};
  if (s.next_sequence < kFirstSequence) return status::corruption("the commitlog state has next sequence 0");
  return s;
}

status save_state(MDB_txn* txn, const databases& dbs, const log_state& state) {
  std::string value;
  value.reserve(kLogStateSize);
  key_codec::put_u64(value, state.next_sequence);
  key_codec::put_u64(value, state.bytes);
  key_codec::put_u64(value, state.count);
  MDB_val k = to_val(kLogStateKey);
  MDB_val v = to_val(value);
  if (int rc = mdb_put(txn, dbs.meta, &k, &v, 0); rc != 0) return lmdb_status(rc, "writing the commitlog state");
  return status::ok();
}

}  // namespace unimq::storage::commitlog
