#pragma once
// The group coordinator: one actor per (consumer group, first-level topic), spawned by the node service
// at the first join. It owns the group's partition assignment and read positions:
//
// - Members join with their actor handle; it monitors each one (a remote member whose node link
//   drops sends a down_msg) and on join, leave or down bumps the generation and reassigns partitions:
//   balanced and sticky (a member keeps what it has up to its share; members ordered by id), so only
//   the partitions of a member that left move. Every member is told its partitions (assign_atom).
// - Each partition is read from its position (the group's committed offset when it was granted) by
//   fetches of its owner, answered in order; at the end of the partition a fetch is parked until the
//   storage writer reports growth or its wait expires.
// - Commits are accepted only from the member that holds the partition since the generation the
//   request names, so a dead or slow member cannot move the group's offsets back; they are answered
//   after the storage commit.
// - Joins are accepted from the node service only and admitted one at a time. With no member left
//   the coordinator reports (leave_atom, group, topic, joins seen) to the service, which ends it with
//   shutdown_atom unless a join is on its way (the same handshake as the shared-group directory's).

#include <caf/all.hpp>

#include <string>

namespace unimq::actors {

/// Spawns the coordinator of `group` on first-level topic `topic`, linked to `parent` (the node
/// service, which alone may send it joins and end it). It registers
/// itself with `writer` as a notify listener and reads through `reader`.
caf::actor spawn_group_coordinator(caf::local_actor* parent, std::string group, std::string topic, caf::actor writer,
                                   caf::actor reader);

}  // namespace unimq::actors
