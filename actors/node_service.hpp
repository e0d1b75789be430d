#pragma once
// The node service: the one actor server-side clients talk to (published on `--node-port`). It turns
// produce batches into storage writes, answering after the commit, and hands group joins to the
// group coordinator of (group, first-level topic), spawning it at the first join.
//
//   (produce_atom, produce_request) -> produce_result
//   (join_atom, group_join)         -> join_result (answered by the coordinator)

#include <caf/all.hpp>

#include <cstdint>

namespace unimq::actors {

/// `max_topic_levels` (0 = no limit) applies to produced topic names as to MQTT ones.
caf::actor spawn_node_service(caf::actor_system& system, caf::actor writer, caf::actor reader,
                              std::uint16_t max_topic_levels);

}  // namespace unimq::actors
