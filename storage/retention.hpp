#pragma once
// Retention: deletes the oldest commitlog records by age and by total size, together with their
// queue index entries, advancing each queue's oldest offset.

#include <lmdb.h>

#include <cstddef>
#include <cstdint>

#include "storage/commitlog.hpp"
#include "storage/environment.hpp"
#include "storage/queue_index.hpp"
#include "storage/status.hpp"

namespace unimq::storage {

/// The limits retention enforces; 0 disables a limit.
struct retention_policy {
  std::uint64_t max_age_ms = 0;
  std::uint64_t max_bytes = 0;
};

/// What one retention pass did.
struct retention_result {
  std::uint64_t deleted = 0;       ///< messages deleted
  std::uint64_t freed_bytes = 0;   ///< record bytes deleted
  bool more = false;               ///< stopped at the per-pass limit; call again
};

namespace retention {

/// Deletes, oldest first, records older than `now_ms - max_age_ms` (by their timestamp; scanning
/// stops at the first young one, i.e. age is judged in append order) and records while the log
/// exceeds max_bytes; at most `max_deletions` of them. Updates `log` and the queue states in `states`.
status run(MDB_txn* txn, const databases& dbs, const retention_policy& policy, std::uint64_t now_ms,
           std::size_t max_deletions, log_state& log, queue_index::txn_states& states, retention_result& out);

}  // namespace retention
}  // namespace unimq::storage
