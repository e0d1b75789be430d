#pragma once
// The topic directory: which full topics exist under each first-level topic, so that a filter
// resolves to the topic queues it covers. Key: first level, 0x00, full topic; empty value.

#include <lmdb.h>

#include <string>
#include <string_view>
#include <vector>

#include "storage/environment.hpp"
#include "storage/status.hpp"

namespace unimq::storage::topic_directory {

/// Records `topic` (idempotent).
status add(MDB_txn* txn, const databases& dbs, std::string_view topic);

/// Every known topic matching `filter` (a valid, non-shared filter), in key order. A filter whose
/// first level is a wildcard scans every first level; the others scan one key range. `$` topics are
/// not matched by a leading wildcard [MQTT-4.7.2-1].
result<std::vector<std::string>> topics_matching(MDB_txn* txn, const databases& dbs, std::string_view filter);

}  // namespace unimq::storage::topic_directory
