#pragma once
// One actor per MQTT connection. The path of a PUBLISH through it: connection.cpp (bytes -> packets),
// handle_publish.cpp (to the storage writer, acks after the commit), outbound.cpp (queue batches from
// the index shards -> PUBLISH packets to the client). See docs/architecture.md.

#include <caf/all.hpp>

#include <memory>

#include "actors/broker_context.hpp"
#include "actors/socket_link.hpp"

namespace unimq::actors {

/// Spawns the actor serving `link` and starts reading from it.
caf::actor spawn_connection(caf::actor_system& system, std::shared_ptr<const broker_context> ctx,
                            std::shared_ptr<socket_link> link);

}  // namespace unimq::actors
