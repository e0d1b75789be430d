#pragma once
// The storage facade: open a data directory, group-commit write batches, take read snapshots, run
// retention. Every message is written once, to the commitlog; the first-level and topic queue indexes
// point into it. Format and guarantees: docs/storage-format.md.

#include <cstdint>
#include <memory>
#include <mutex>
#include <string_view>
#include <vector>

#include "storage/commitlog.hpp"
#include "storage/environment.hpp"
#include "storage/options.hpp"
#include "storage/queue_index.hpp"
#include "storage/retention.hpp"
#include "storage/snapshot.hpp"
#include "storage/status.hpp"
#include "storage/write_batch.hpp"

namespace unimq::storage {

/// Where one appended message went.
struct appended_message {
  std::uint64_t sequence = 0;
  std::uint32_t partition = 0;  ///< of its first-level topic
  std::uint64_t first_level_offset = 0;
  std::uint64_t topic_offset = 0;
  std::size_t stored_bytes = 0;  ///< size of its commitlog record (what retention by size counts)
  std::uint64_t timestamp_ms = 0;  ///< as stored: the caller's, or the store's clock if that was 0
};

/// The outcome of append(): one entry per appended message, in batch order.
struct append_result {
  std::vector<appended_message> messages;
};

/// Counters, as of the last commit.
struct store_stats {
  std::uint64_t next_sequence = kFirstSequence;
  std::uint64_t message_count = 0;
  std::uint64_t log_bytes = 0;
  std::size_t map_size = 0;
  std::size_t max_map_size = 0;
};

/// One open data directory. Thread-safe: writers (append, run_retention) are serialised; any number
/// of snapshots read concurrently without blocking them.
class store {
 public:
  /// Opens or creates the store in options.data_dir. Fails with not_ours, newer_format, corruption
  /// or busy (directory already open) with a message naming the directory.
  static result<std::unique_ptr<store>> open(const store_options& options);

  /// Applies every operation of `batch` in one write transaction (group commit) and returns where
  /// each message went. All or nothing: on error nothing of the batch is visible. quota_exceeded when
  /// the map cannot grow past max_map_size (MQTT reason 0x97); invalid_argument for a bad topic,
  /// QoS or id (checked before anything is written).
  result<append_result> append(const write_batch& batch);

  /// A consistent read view (see snapshot for lifetime rules).
  result<snapshot> read_snapshot();

  /// Convenience wrappers that open a snapshot for one call.
  result<read_result> read(const queue_id& queue, std::uint64_t from_offset, std::size_t max_messages, std::size_t max_bytes);
  result<std::vector<queue_id>> resolve_filter(std::string_view filter);
  result<std::vector<proto::StoredMessage>> retained_matching(std::string_view filter);

  /// One retention pass with the configured policy, `now_ms` being the current time (ms since the
  /// Unix epoch). Deletes at most options.retention_batch messages; result.more says to call again.
  result<retention_result> run_retention(std::uint64_t now_ms);

  /// The partition count a first-level topic gets when it is first written (from the options).
  std::uint32_t partition_count_for_new(std::string_view first_level) const;

  store_stats stats() const;
  const store_options& options() const { return _env->options(); }

 private:
  explicit store(std::unique_ptr<environment> env) : _env(std::move(env)) {}
  status validate(const write_batch& batch) const;
  status apply(MDB_txn* txn, const write_batch& batch, queue_index::txn_states& states, log_state& log,
               append_result& out) const;
  /// Runs `body(txn, states, log)` in a write transaction, growing the map and retrying on MDB_MAP_FULL.
  template <class Body>
  status write(Body&& body);

  std::unique_ptr<environment> _env;
  mutable std::mutex _write_mutex;
  log_state _log;                 // guarded by _write_mutex
  queue_index::state_cache _cache;  // guarded by _write_mutex
};

}  // namespace unimq::storage
