#pragma once
// The storage reader answers read requests from its own read snapshots, concurrently with the writer
// and without blocking it. Gateways on other nodes reach it through the writer (reader_atom).
//
//   (read_atom, topic, from_offset, max_messages)  -> queue_batch (parsed entries)
//   (read_atom, records_atom, topic, from_offset, max_messages, max_bytes)
//                                                  -> queue_batch (raw records, at most max_bytes
//                                                     and kMaxReadBytes, but at least one)
//   (retained_atom, filter)                        -> std::vector<proto::StoredMessage>
//   (session_atom, client_id)                      -> stored_session
//   (sessions_atom)                                -> std::vector<proto::Session> (all of them)
//   (start_atom, topic, sequence)                  -> std::uint64_t: first offset of `topic` whose
//                                                     message has a sequence >= `sequence`
//   (stats_atom)                                   -> storage_stats
//   (subscribe_atom, filter)                       -> std::vector<std::string>: the topics it covers
//   (fetch_atom, partition_read)                   -> fetch_result (raw records of a partition)
//   (group_atom, group_state_request)              -> group_state (see partition_fetch.hpp)

#include <caf/all.hpp>

#include <memory>

#include "storage/store.hpp"

namespace unimq::actors {

/// The most bytes one read returns (at least one message, however large).
constexpr std::size_t kMaxReadBytes = 1 << 20;

caf::actor spawn_storage_reader(caf::actor_system& system, std::shared_ptr<storage::store> store);

}  // namespace unimq::actors
