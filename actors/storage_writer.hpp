#pragma once
// The storage writer: the only actor that writes to the store. It merges every write request that
// arrives while a commit is running into the next commit (group commit), answers each requester only
// after its data is committed, and then tells its listeners which topic queues grew: the index shards
// with the committed messages themselves (committed_event), the others without (notify_event).
//
//   (write_atom, write_request)                      -> write_result
//   (listen_atom, listener)                          the listener gets (notify_atom, notify_event)
//   (listen_atom, shard, shard_index, shard_count)   the shard gets (notify_atom, committed_event)
//                                                    with the topics it owns (sharding.hpp)
//   (reader_atom)                                    -> the storage reader

#include <caf/all.hpp>

#include <memory>

#include "storage/store.hpp"

namespace unimq::actors {

/// The most bytes (of commitlog records) of committed messages one commit hands to the index shards
/// in memory; the shards read the rest from storage. It keeps an event within what one storage read
/// returns (kMaxReadBytes), so a remote link carries no larger messages than before.
constexpr std::size_t kMaxHandoverBytes = 1 << 20;

/// Spawns the writer on its own thread (commits block on fsync). `reader` is handed out to remote
/// gateways that ask with (reader_atom).
caf::actor spawn_storage_writer(caf::actor_system& system, std::shared_ptr<storage::store> store,
                                caf::actor reader);

}  // namespace unimq::actors
