#pragma once
// Shared subscriptions ([MQTT-4.8.2]): `$share/{group}/{filter}`. Each gateway has one directory of
// shared groups, and one group actor per (share name, filter) while the group has members connected.
// The group reads the topics its filter covers like a subscriber (it registers with the index shards),
// keeps one committed offset per topic queue under the consumer name shared_group_consumer(), hands
// each message to one member connection (the least loaded with room, round robin among equals), and
// commits an offset only once every message below it was acknowledged. A member that leaves gives its
// unacknowledged messages back to the others; with no member connected the group actor ends and its
// messages wait in storage until a member (re)joins and it reads on from the committed offsets.
//
// Directory:
//   (subscribe_atom, share, filter, sequence, window) -> caf::actor: the sender joins the group
//       (created, starting at commitlog `sequence`, if it does not exist yet); answers the group actor
//   (idle_atom, share, filter, joins)  from a group without members; ends it unless a join is on its way
// Group (from its member connections):
//   (subscribe_atom, member, sequence, window)  join (through the directory)
//   (unsubscribe_atom, member)                  leave; members are monitored too
//   (share_ack_atom, topic, offset, delivered)  done with a message (delivered), or no room for it
//   (resume_atom)                               the member has room again after refusing a message
// Group -> member:
//   (share_atom, "$share/{group}/{filter}", topic, queue_entry)  deliver this one message

#include <caf/all.hpp>

#include <string>
#include <string_view>
#include <vector>

namespace unimq::actors {

using share_atom = caf::atom_constant<caf::atom("share")>;
using share_ack_atom = caf::atom_constant<caf::atom("shareack")>;
using idle_atom = caf::atom_constant<caf::atom("idle")>;

/// True for a `$share/...` filter of a session (whose filters were validated when subscribed): cheaper
/// than parsing it, for the delivery path.
inline bool is_shared(std::string_view filter) { return filter.compare(0, 7, "$share/") == 0; }

/// The consumer name a group's offsets (and its record: the commitlog sequence it started at) are
/// stored under. The U+0001 prefix keeps it apart from every client id (CONNECT refuses ids with it).
inline std::string shared_group_consumer(std::string_view share, std::string_view filter) {
  return "\x01s/" + std::string(share) + "/" + std::string(filter);
}

/// The directory of shared groups of one gateway.
caf::actor spawn_shared_groups(caf::actor_system& system, caf::actor writer, caf::actor reader,
                               std::vector<caf::actor> shards);

/// One group, spawned by `directory` for its first member.
caf::actor spawn_shared_group(caf::actor_system& system, caf::actor directory, std::string share, std::string filter,
                              caf::actor writer, caf::actor reader, std::vector<caf::actor> shards);

}  // namespace unimq::actors
