#pragma once
// The read side: a snapshot is one LMDB read-only transaction. Readers never block the writer and
// see a consistent state as of begin. Lifetimes: a queue_cursor and every string_view it returns are
// valid only while its snapshot is alive; decoded messages are owned copies (the payload is copied
// once, from the map into the message).

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "protocol/proto/message.pb.h"
#include "protocol/proto/session.pb.h"
#include "storage/environment.hpp"
#include "storage/key_codec.hpp"
#include "storage/lmdb_cursor.hpp"
#include "storage/queue_index.hpp"
#include "storage/status.hpp"

namespace unimq::storage {

/// One message read from a queue.
struct read_entry {
  std::uint64_t offset = 0;
  std::uint64_t sequence = 0;
  proto::StoredMessage message;
};

/// The answer to a queue read.
struct read_result {
  std::vector<read_entry> entries;
  /// The offset to ask for next time (one past the last entry returned).
  std::uint64_t next_offset = 0;
  /// The queue's oldest and next offset as of the snapshot.
  queue_state queue;
  /// True if the requested offset had been deleted by retention and the read started at the oldest.
  bool skipped_to_oldest = false;
};

/// Walks one queue (a first-level partition or a topic) in offset order, without copying: record()
/// is a view into the LMDB map. Not thread-safe; must not outlive its snapshot.
class queue_cursor {
 public:
  /// Advances to the next entry; false when the queue has no more entries in this snapshot.
  result<bool> next();
  std::uint64_t offset() const { return _offset; }
  std::uint64_t sequence() const { return _sequence; }
  /// The serialized StoredMessage of the current entry (valid while the snapshot lives).
  std::string_view record() const { return _record; }
  /// Parses the current record into `out` (copies the payload once).
  status decode(proto::StoredMessage& out) const;
  /// True if the requested start offset had been deleted and the cursor starts at the oldest.
  bool skipped_to_oldest() const { return _skipped; }
  /// The queue's offsets as of the snapshot.
  const queue_state& queue() const { return _state; }

 private:
  friend class snapshot;
  queue_cursor() = default;

  MDB_txn* _txn = nullptr;
  const databases* _dbs = nullptr;
  lmdb_cursor _cursor;      // over the queue's index entries
  lmdb_cursor _log_cursor;  // over the commitlog
  std::string _seq_key;
  std::string _prefix;
  queue_state _state;
  std::uint64_t _expected = 0;  // offset of the entry next() moves to
  bool _positioned = false;
  bool _skipped = false;
  std::uint64_t _offset = 0;
  std::uint64_t _sequence = 0;
  std::string_view _record;
};

/// A consistent read view of the store. Movable, not copyable; usable from any thread but by one
/// thread at a time. Keep it short-lived: map growth waits for open snapshots, and an appending
/// thread must not hold one (that would deadlock growth until resize_wait_ms expires).
class snapshot {
 public:
  /// Up to `max_messages` entries of `queue` from `from_offset` whose records add up to at most
  /// `max_bytes` (but always at least one entry if there is one, so a reader always progresses).
  /// Below the oldest offset the read starts at the oldest and says so.
  result<read_result> read(const queue_id& queue, std::uint64_t from_offset, std::size_t max_messages, std::size_t max_bytes);
  /// A zero-copy cursor over `queue` from `from_offset` (clamped to the oldest, as read()).
  result<queue_cursor> open_cursor(const queue_id& queue, std::uint64_t from_offset);
  /// Offsets of `queue`, nullopt if it was never written.
  result<std::optional<queue_state>> queue_info(const queue_id& queue);
  /// Partition count recorded for `first_level`; nullopt if it was never written.
  result<std::optional<std::uint32_t>> partitions(std::string_view first_level);
  /// The topic queues a filter covers. `$share/{group}/` is stripped; an invalid filter is refused.
  result<std::vector<queue_id>> resolve_filter(std::string_view filter);
  /// Every retained message whose topic matches `filter` (`$share/` stripped), in topic order.
  result<std::vector<proto::StoredMessage>> retained_matching(std::string_view filter);
  result<std::optional<proto::StoredMessage>> retained(std::string_view topic);
  result<std::optional<proto::Session>> session(std::string_view client_id);
  /// Every session, in client id order.
  result<std::vector<proto::Session>> sessions();
  result<std::optional<std::uint64_t>> committed_offset(std::string_view consumer, const queue_id& queue);
  result<std::vector<std::pair<queue_id, std::uint64_t>>> committed_offsets(std::string_view consumer);
  /// The message with sequence `seq`; nullopt if it never existed or retention deleted it.
  result<std::optional<proto::StoredMessage>> message(std::uint64_t seq);

 private:
  friend class store;
  snapshot(read_txn txn, const databases& dbs) : _txn(std::move(txn)), _dbs(&dbs) {}

  read_txn _txn;
  const databases* _dbs;
};

}  // namespace unimq::storage
