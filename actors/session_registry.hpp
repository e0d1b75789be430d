#pragma once
// The session registry knows which connection holds which client id, and looks after sessions while
// their client is away.
//
//   (register_atom, client_id, clean_start) -> bool   from a connection that received CONNECT. An
//       existing connection with the same client id is taken over first ([MQTT-3.1.4-3]: it is told
//       (takeover_atom) and the answer waits until it has terminated, so its session state is saved).
//       The answer says whether a delayed Will of that client was cancelled.
//   (will_atom, client_id, StoredMessage will, delay_s)   a connection ended and its Will is delayed.
//   (session_atom, client_id, expiry_s)   a persistent session went offline; deleted after expiry_s
//       (0 = never), and its delayed Will, if any, published at that moment at the latest.
//   (p2p_atom, client_id)   from the connection holding client_id: its session is ready for p2p topics.
//   (p2p_atom, client_id, message)   from an index shard: a batch of a p2p topic of client_id, passed
//       on to that connection if it is ready (otherwise it reads the topic from storage later).
//
// On start it loads every stored session and schedules the expiry of the offline ones.

#include <caf/all.hpp>

#include <chrono>

namespace unimq::actors {

caf::actor spawn_session_registry(caf::actor_system& system, caf::actor writer, caf::actor reader);

}  // namespace unimq::actors
