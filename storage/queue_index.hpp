#pragma once
// The two queue indexes (first-level partitions and full topics) and their metadata: entries map
// (queue, offset) → commitlog sequence; queue_meta holds each queue's next and oldest offset, and the
// partition count of each first-level topic.

#include <lmdb.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "storage/environment.hpp"
#include "storage/key_codec.hpp"
#include "storage/status.hpp"

namespace unimq::storage {

/// Offsets of one queue: entries exist for every offset in [oldest, next).
struct queue_state {
  std::uint64_t next = 0;
  std::uint64_t oldest = 0;
  friend bool operator==(const queue_state& a, const queue_state& b) { return a.next == b.next && a.oldest == b.oldest; }
};

/// FNV-1a (64-bit) of `topic`. On-disk semantics: it decides which partition a message lands in, so
/// it must never change (docs/storage-format.md).
std::uint64_t fnv1a64(std::string_view topic);

/// The first-level partition of a full topic: fnv1a64(topic) % partitions. Precondition: partitions > 0.
inline std::uint32_t partition_for(std::string_view topic, std::uint32_t partitions) {
  return static_cast<std::uint32_t>(fnv1a64(topic) % partitions);
}

namespace queue_index {

/// The db holding the entries of queues of `kind`.
MDB_dbi entries_db(const databases& dbs, queue_kind kind);

/// The queue_meta key for the partition count of a first-level topic: 'P', name, 0x00.
std::string partitions_key(std::string_view first_level);

result<std::optional<queue_state>> get_state(MDB_txn* txn, const databases& dbs, std::string_view queue_key);
status put_state(MDB_txn* txn, const databases& dbs, std::string_view queue_key, const queue_state& state);
/// Partition count recorded for `first_level`, or nullopt if it was never written.
result<std::optional<std::uint32_t>> get_partitions(MDB_txn* txn, const databases& dbs, std::string_view first_level);
status put_partitions(MDB_txn* txn, const databases& dbs, std::string_view first_level, std::uint32_t partitions);

status put_entry(MDB_txn* txn, const databases& dbs, const queue_id& q, std::uint64_t offset, std::uint64_t seq);
/// The same, for a caller that already has the queue key; `scratch` is reused to build the entry key.
status put_entry(MDB_txn* txn, const databases& dbs, queue_kind kind, std::string_view queue_key, std::uint64_t offset,
                 std::uint64_t seq, std::string& scratch);
status delete_entry(MDB_txn* txn, const databases& dbs, const queue_id& q, std::uint64_t offset);

/// Committed queue states and partition counts, cached by the single writer so that an append does
/// not read queue_meta for every message. Only updated after a successful commit.
struct state_cache {
  std::unordered_map<std::string, queue_state> queues;  // by queue_key
  std::unordered_map<std::string, std::uint32_t> partitions;  // by first-level name
  /// Bounds memory: when a map grows past this it is dropped and refilled from disk on demand.
  static constexpr std::size_t kMaxEntries = 1 << 20;
};

/// The queue states one write transaction changes, layered over the cache and the db. Call flush()
/// before commit and publish() after a successful commit.
class txn_states {
 public:
  txn_states(MDB_txn* txn, const databases& dbs, const state_cache& cache) : _txn(txn), _dbs(dbs), _cache(cache) {}

  /// The state of `queue_key`, created empty ({0, 0}) if it does not exist yet; `created` tells.
  /// The pointer stays valid until this object dies (node-based map). Marks the state dirty.
  result<queue_state*> get(const std::string& queue_key, bool* created = nullptr);
  /// The partition count of `first_level`, recording `configured` if it is new.
  result<std::uint32_t> partitions(const std::string& first_level, std::uint32_t configured);

  status flush();
  void publish(state_cache& cache) const;

 private:
  MDB_txn* _txn;
  const databases& _dbs;
  const state_cache& _cache;
  std::unordered_map<std::string, queue_state> _states;
  std::unordered_map<std::string, std::uint32_t> _partitions;
  std::unordered_map<std::string, std::uint32_t> _new_partitions;
};

}  // namespace queue_index
}  // namespace unimq::storage
