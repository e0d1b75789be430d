#pragma once
// The node service: the one actor server-side clients talk to (published on `--node-port`). It turns
// produce batches into storage writes, answering after the commit, and hands group joins to the
// group coordinator of (group, first-level topic), spawning it at the first join and ending it when
// its last member has gone (at most kMaxGroups coordinators at once).
//
//   (produce_atom, produce_request) -> produce_result
//   (join_atom, group_join)         -> join_result (answered by the coordinator)

#include <caf/all.hpp>

#include <chrono>
#include <cstdint>

namespace unimq::actors {

/// Both ends of a node link send a heartbeat this often...
constexpr std::chrono::seconds kLinkHeartbeat{1};
/// ...and close a link that stayed silent this long, so a hung (stopped, cut off) peer is noticed like
/// a dead one: its actors go down and a group member's partitions move.
constexpr std::chrono::seconds kLinkTimeout{10};

/// Sets the heartbeat and link timeout above in `cfg` (every unimqd and every client node).
void set_link_timeouts(caf::actor_system_config& cfg);

/// `max_topic_levels` (0 = no limit) applies to produced topic names as to MQTT ones.
caf::actor spawn_node_service(caf::actor_system& system, caf::actor writer, caf::actor reader,
                              std::uint16_t max_topic_levels);

}  // namespace unimq::actors
