#pragma once
// A topic-index shard: holds the subscriptions of the connections on this node for the topics it owns
// (see sharding.hpp). On a committed event it finds the connections whose filters match each grown
// topic and sends them all the one batch of new messages the storage writer handed over in memory;
// what did not fit into the event it reads once from the storage reader.
//
//   (subscribe_atom, filter, connection)    adds a filter of `connection`; a request is answered (empty)
//                                           once the filter is in place
//   (unsubscribe_atom, filter, connection)  removes it
//   (notify_atom, committed_event)          from the storage writer
//   connections are monitored; their filters go when they terminate.
// The messages of a p2p topic (p2p.hpp) go to `registry` as (p2p_atom, client_id, message), which
// passes them to the connection holding that client id.

#include <caf/all.hpp>

namespace unimq::actors {

caf::actor spawn_index_shard(caf::actor_system& system, std::size_t index, std::size_t count, caf::actor reader,
                             caf::actor registry);

}  // namespace unimq::actors
