#pragma once
// The storage writer: the only actor that writes to the store. It merges every write request that
// arrives while a commit is running into the next commit (group commit), answers each requester only
// after its data is committed, and then tells its listeners which topic queues grew (notify events).

#include <caf/all.hpp>

#include <memory>

#include "storage/store.hpp"

namespace unimq::actors {

/// Spawns the writer on its own thread (commits block on fsync). `reader` is handed out to remote
/// gateways that ask with (reader_atom).
caf::actor spawn_storage_writer(caf::actor_system& system, std::shared_ptr<storage::store> store,
                                caf::actor reader);

}  // namespace unimq::actors
