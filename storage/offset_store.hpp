#pragma once
// Consumer offsets: (consumer or group id, queue) → the next offset it will read.
// Key: consumer id, 0x00, queue key; value: u64 BE.

#include <lmdb.h>

#include <cstdint>
#include <optional>
#include <string_view>
#include <utility>
#include <vector>

#include "storage/environment.hpp"
#include "storage/key_codec.hpp"
#include "storage/status.hpp"

namespace unimq::storage::offset_store {

status put(MDB_txn* txn, const databases& dbs, std::string_view consumer, const queue_id& q, std::uint64_t next_offset);
result<std::optional<std::uint64_t>> get(MDB_txn* txn, const databases& dbs, std::string_view consumer, const queue_id& q);
/// Every offset of `consumer`, in queue key order.
result<std::vector<std::pair<queue_id, std::uint64_t>>> list(MDB_txn* txn, const databases& dbs, std::string_view consumer);
/// Forgets every offset of `consumer` (e.g. when its session ends).
status remove_consumer(MDB_txn* txn, const databases& dbs, std::string_view consumer);

}  // namespace unimq::storage::offset_store
