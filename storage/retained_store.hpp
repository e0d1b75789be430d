#pragma once
// Retained messages: topic → a full copy of the StoredMessage (not a commitlog sequence), so that
// retention can delete old commitlog records without breaking retained messages, which live until
// replaced or cleared. The price is the payload stored twice for retained messages only.

#include <lmdb.h>

#include <optional>
#include <string_view>
#include <vector>

#include "protocol/proto/message.pb.h"
#include "storage/environment.hpp"
#include "storage/status.hpp"

namespace unimq::storage::retained_store {

/// Stores `msg` as the retained message of `msg.topic()`, replacing any previous one.
status put(MDB_txn* txn, const databases& dbs, const proto::StoredMessage& msg);
/// Clears the retained message of `topic`; clearing an absent one is not an error.
status remove(MDB_txn* txn, const databases& dbs, std::string_view topic);
result<std::optional<proto::StoredMessage>> get(MDB_txn* txn, const databases& dbs, std::string_view topic);
/// Every retained message whose topic matches `filter` (valid, non-shared), in topic order.
result<std::vector<proto::StoredMessage>> matching(MDB_txn* txn, const databases& dbs, std::string_view filter);

}  // namespace unimq::storage::retained_store
