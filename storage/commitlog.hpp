#pragma once
// The commitlog db: sequence (u64 BE) → StoredMessage record. Every message is written here once;
// the queue indexes only hold sequences. The log's counters (next sequence, bytes, count) live in the
// meta db under "log_state".

#include <lmdb.h>

#include <cstdint>
#include <optional>
#include <string_view>

#include "protocol/proto/message.pb.h"
#include "storage/environment.hpp"
#include "storage/status.hpp"

namespace unimq::storage {

/// Sequences start at 1; 0 never names a message.
constexpr std::uint64_t kFirstSequence = 1;

/// The commitlog's counters, persisted with every commit that changes them.
struct log_state {
  std::uint64_t next_sequence = kFirstSequence;
  std::uint64_t bytes = 0;  ///< sum of the stored record sizes
  std::uint64_t count = 0;  ///< records in the commitlog
};

/// Where a message was indexed; written into its record by put().
struct index_fields {
  std::uint32_t partition = 0;
  std::uint64_t first_level_offset = 0;
  std::uint64_t topic_offset = 0;
  std::uint64_t timestamp_ms = 0;  ///< 0 keeps the message's own timestamp
};

namespace commitlog {

/// Writes `msg` as record `seq` (which must be above every existing sequence), serialising straight
/// into LMDB's page. Returns the stored record size.
result<std::size_t> put(MDB_txn* txn, const databases& dbs, std::uint64_t seq, const proto::StoredMessage& msg,
                        const index_fields& index);

/// The raw record of `seq`, a view into the map valid until `txn` ends; nullopt if absent.
result<std::optional<std::string_view>> get_raw(MDB_txn* txn, const databases& dbs, std::uint64_t seq);

/// Parses a raw record (copying the payload once, into `out`).
status decode(std::string_view raw, std::uint64_t seq, proto::StoredMessage& out);

result<log_state> load_state(MDB_txn* txn, const databases& dbs);
status save_state(MDB_txn* txn, const databases& dbs, const log_state& state);

}  // namespace commitlog
}  // namespace unimq::storage
