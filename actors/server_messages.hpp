#pragma once
// The messages of the server-side API (issue 6): producers, consumer groups and the node service
// that serves them over CAF's middleman (`--node-port`). Like messages.hpp, every type has an
// inspect() overload and a stable registered name (add_message_types).
//
//   to the node service:
//     (produce_atom, produce_request)          -> produce_result, after the storage commit
//     (join_atom, group_join)                  -> join_result; the member gets an `assignment` first
//   to a group coordinator (join_result::coordinator), from the member actor itself:
//     (fetch_atom, fetch_request)              -> fetch_result (long-poll at the end of a partition)
//     (commit_atom, commit_request)            -> commit_result, after the storage commit
//     (leave_atom)                             -> bool
//   from a group coordinator to each member:
//     (assign_atom, assignment)
//   between the node service and its group coordinators (actors/group_coordinator.hpp):
//     (join_atom, group_join)                  -> join_result; service to coordinator only
//     (leave_atom, group, topic, joins)        coordinator to service: no member left
//     (shutdown_atom)                          service to coordinator: end
//   to the storage reader (actors/partition_fetch.hpp):
//     (fetch_atom, partition_read)             -> fetch_result
//     (group_atom, group_state_request)        -> group_state

#include <caf/all.hpp>

#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "actors/messages.hpp"

namespace unimq::actors {

using produce_atom = caf::atom_constant<caf::atom("produce")>;
using join_atom = caf::atom_constant<caf::atom("join")>;
using leave_atom = caf::atom_constant<caf::atom("leave")>;
using fetch_atom = caf::atom_constant<caf::atom("fetch")>;
using commit_atom = caf::atom_constant<caf::atom("commit")>;
using assign_atom = caf::atom_constant<caf::atom("assign")>;
using group_atom = caf::atom_constant<caf::atom("group")>;

/// The consumer name a group's committed offsets are stored under. U+0001 starts no MQTT client id
/// the gateway accepts, so group offsets never mix with a session's.
inline std::string group_consumer_name(const std::string& group) { return "\x01g/" + group; }

/// A batch of messages from one producer, committed in one write.
struct produce_request {
  std::string producer_id;
  std::vector<proto::StoredMessage> messages;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, produce_request& x) {
  return f(caf::meta::type_name("produce_request"), x.producer_id, x.messages);
}

/// A position in a first-level partition: where a produced message was stored, or a member's next
/// offset to read.
struct partition_offset {
  std::uint32_t partition = 0;
  std::uint64_t offset = 0;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, partition_offset& x) {
  return f(caf::meta::type_name("partition_offset"), x.partition, x.offset);
}

/// The answer to a produce_request: `error` empty and one receipt per message, in order; or an error
/// and nothing stored.
struct produce_result {
  std::string error;
  std::vector<partition_offset> receipts;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, produce_result& x) {
  return f(caf::meta::type_name("produce_result"), x.error, x.receipts);
}

/// Where a group starts a partition (mirrors client::start_position).
struct start_spec {
  enum kind_t : std::uint8_t { newest = 0, oldest = 1, offset = 2, timestamp = 3 };
  std::uint8_t kind = newest;
  std::uint64_t value = 0;
  bool reset = false;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, start_spec& x) {
  return f(caf::meta::type_name("start_spec"), x.kind, x.value, x.reset);
}

/// A member joining the group `group` of first-level topic `topic`. `member` receives assignments and
/// is the only actor whose fetches and commits the coordinator accepts for that member.
struct group_join {
  std::string group;
  std::string topic;
  std::string member_id;  ///< orders members when partitions are assigned; unique per member
  caf::actor member;
  start_spec from;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, group_join& x) {
  return f(caf::meta::type_name("group_join"), x.group, x.topic, x.member_id, x.member, x.from);
}

/// The answer to a join: `error` empty and the coordinator to fetch from and commit to.
struct join_result {
  std::string error;
  caf::actor coordinator;
  std::uint32_t partitions = 0;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, join_result& x) {
  return f(caf::meta::type_name("join_result"), x.error, x.coordinator, x.partitions);
}

/// One partition given to a member: fetches serve it from `offset`. `since` is the generation in which
/// the member got it; it keeps it (and its read position) across generations until it moves.
struct partition_grant {
  std::uint32_t partition = 0;
  std::uint64_t offset = 0;
  std::uint64_t since = 0;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, partition_grant& x) {
  return f(caf::meta::type_name("partition_grant"), x.partition, x.offset, x.since);
}

/// Every partition of the member in generation `generation` (possibly none).
struct assignment {
  std::uint64_t generation = 0;
  std::vector<partition_grant> partitions;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, assignment& x) {
  return f(caf::meta::type_name("assignment"), x.generation, x.partitions);
}

/// The next records of a partition the member holds; the coordinator keeps the read position, so a
/// member can have several fetches of one partition in flight (answered in order).
struct fetch_request {
  std::uint64_t generation = 0;
  std::uint32_t partition = 0;
  std::uint32_t max_messages = 0;
  std::uint32_t max_bytes = 0;
  std::uint32_t wait_ms = 0;  ///< at the end of the partition, wait this long for new messages
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, fetch_request& x) {
  return f(caf::meta::type_name("fetch_request"), x.generation, x.partition, x.max_messages, x.max_bytes, x.wait_ms);
}

/// What the storage reader reads for a fetch: `topic` is the first-level name.
struct partition_read {
  std::string topic;
  std::uint32_t partition = 0;
  std::uint64_t from = 0;
  std::uint32_t max_messages = 0;
  std::uint32_t max_bytes = 0;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, partition_read& x) {
  return f(caf::meta::type_name("partition_read"), x.topic, x.partition, x.from, x.max_messages, x.max_bytes);
}

/// Records of one partition: `records` holds `count` serialized StoredMessages with their offsets
/// (format: actors/record_blob.hpp), raw as read from the store, parsed by the client.
struct fetch_result {
  std::string error;
  bool stale = false;  ///< the partition is no longer the member's (a new assignment is on its way)
  std::uint32_t partition = 0;
  std::uint64_t since = 0;        ///< the grant this answers (partition_grant::since)
  std::uint64_t next_offset = 0;  ///< after the last record
  std::uint64_t end_offset = 0;   ///< the partition's next offset when read
  std::uint32_t count = 0;
  std::string records;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, fetch_result& x) {
  return f(caf::meta::type_name("fetch_result"), x.error, x.stale, x.partition, x.since, x.next_offset,
           x.end_offset, x.count, x.records);
}

/// Commits the member's read positions; partitions it does not hold (any more) are refused.
struct commit_request {
  std::uint64_t generation = 0;
  std::vector<partition_offset> offsets;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, commit_request& x) {
  return f(caf::meta::type_name("commit_request"), x.generation, x.offsets);
}

struct commit_result {
  std::string error;                 ///< the store failed: nothing was committed
  std::vector<std::uint32_t> refused;  ///< partitions not committed because the member lost them
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, commit_result& x) {
  return f(caf::meta::type_name("commit_result"), x.error, x.refused);
}

/// Asks the reader for what a coordinator needs at a join.
struct group_state_request {
  std::string consumer;  ///< group_consumer_name(group)
  std::string topic;     ///< first-level name
  start_spec from;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, group_state_request& x) {
  return f(caf::meta::type_name("group_state_request"), x.consumer, x.topic, x.from);
}

/// The partition count of a first-level topic (the count it will get if never written), the group's
/// committed offset of each partition (kNoOffset: none) and where `from` puts each partition.
struct group_state {
  static constexpr std::uint64_t kNoOffset = std::numeric_limits<std::uint64_t>::max();
  std::string error;
  std::uint32_t partitions = 0;
  std::vector<std::uint64_t> committed;
  std::vector<std::uint64_t> start;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, group_state& x) {
  return f(caf::meta::type_name("group_state"), x.error, x.partitions, x.committed, x.start);
}

}  // namespace unimq::actors
