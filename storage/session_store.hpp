#pragma once
// Sessions: MQTT client id → proto::Session.

#include <lmdb.h>

#include <optional>
#include <string_view>
#include <vector>

#include "protocol/proto/session.pb.h"
#include "storage/environment.hpp"
#include "storage/status.hpp"

namespace unimq::storage::session_store {

status put(MDB_txn* txn, const databases& dbs, std::string_view client_id, const proto::Session& session);
/// Deleting a session that does not exist is not an error.
status remove(MDB_txn* txn, const databases& dbs, std::string_view client_id);
result<std::optional<proto::Session>> get(MDB_txn* txn, const databases& dbs, std::string_view client_id);
/// Every stored session, in client id order (for restoring state at start-up).
result<std::vector<proto::Session>> all(MDB_txn* txn, const databases& dbs);

}  // namespace unimq::storage::session_store
