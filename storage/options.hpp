#pragma once
// Store configuration, with every default in one place.

#include <cstddef>
#include <cstdint>
#include <map>
#include <string>

namespace unimq::storage {

/// How a commit reaches the disk. See docs/storage-format.md "Durability".
enum class durability {
  sync,    ///< fsync at each commit: a committed batch survives power loss
  nosync,  ///< MDB_NOSYNC: survives a process crash, not an OS crash or power loss
};

constexpr std::size_t kDefaultInitialMapSize = std::size_t{64} << 20;  // 64 MiB
constexpr std::size_t kDefaultMaxMapSize = std::size_t{16} << 30;      // 16 GiB
constexpr unsigned kDefaultMaxReaders = 126;
constexpr std::uint32_t kDefaultPartitions = 1;
constexpr std::size_t kDefaultRetentionBatch = 10000;

/// Everything the store needs to open a data directory.
struct store_options {
  /// Directory holding data.mdb and lock.mdb; created if missing.
  std::string data_dir;
  durability mode = durability::sync;
  /// The LMDB map starts at this size (or the data file's size, if larger) ...
  std::size_t initial_map_size = kDefaultInitialMapSize;
  /// ... and doubles on MDB_MAP_FULL up to this limit; beyond it appends fail with quota_exceeded.
  std::size_t max_map_size = kDefaultMaxMapSize;
  /// Concurrent read snapshots allowed (LMDB reader slots).
  unsigned max_readers = kDefaultMaxReaders;
  /// Partitions of a first-level topic that has no entry in `partitions`. The count is recorded when a
  /// first-level topic is first written and never changes afterwards (it decides message placement).
  std::uint32_t default_partitions = kDefaultPartitions;
  /// Per first-level topic partition counts, applied when that first level is first written.
  std::map<std::string, std::uint32_t> partitions;
  /// Retention: delete messages older than this (by their timestamp_ms); 0 disables.
  std::uint64_t retention_max_age_ms = 0;
  /// Retention: keep the commitlog's stored bytes at or below this; 0 disables.
  std::uint64_t retention_max_bytes = 0;
  /// At most this many messages deleted per retention transaction, so the writer is never held long.
  std::size_t retention_batch = kDefaultRetentionBatch;
  /// How long map growth waits for open snapshots to close before failing with `busy` (ms).
  std::uint64_t resize_wait_ms = 10000;
};

}  // namespace unimq::storage
