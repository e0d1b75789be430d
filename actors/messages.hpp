#pragma once
// The messages actors exchange. Every type here has an inspect() overload and a registered name
// (add_message_types), so the same actors work in one process or across nodes joined by CAF's
// middleman. Protobuf records travel as their serialized bytes.

#include <caf/all.hpp>

#include <cstdint>
#include <string>
#include <vector>

#include "actors/record_blob.hpp"
#include "protocol/proto/message.pb.h"
#include "protocol/proto/session.pb.h"

namespace unimq::proto {

/// Protobuf messages cross node boundaries as their wire bytes.
template <class Inspector, class Proto>
typename Inspector::result_type inspect_proto(Inspector& f, Proto& x, const char* name) {
  std::string bytes;
  if constexpr (Inspector::reads_state) {
    x.SerializeToString(&bytes);
    return f(caf::meta::type_name(name), bytes);
  } else {
    auto parse = caf::meta::load_callback([&]() -> caf::error {
      if (!x.ParseFromString(bytes)) return caf::sec::invalid_argument;
      return caf::none;
    });
    return f(caf::meta::type_name(name), bytes, parse);
  }
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, StoredMessage& x) {
  return inspect_proto(f, x, "StoredMessage");
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, Session& x) {
  return inspect_proto(f, x, "Session");
}

}  // namespace unimq::proto

namespace unimq::actors {

// Atoms (at most 10 characters).
using data_atom = caf::atom_constant<caf::atom("data")>;
using closed_atom = caf::atom_constant<caf::atom("closed")>;
using resume_atom = caf::atom_constant<caf::atom("resume")>;
using write_atom = caf::atom_constant<caf::atom("write")>;
using flush_atom = caf::atom_constant<caf::atom("flush")>;
using notify_atom = caf::atom_constant<caf::atom("notify")>;
using listen_atom = caf::atom_constant<caf::atom("listen")>;
using read_atom = caf::atom_constant<caf::atom("read")>;
using records_atom = caf::atom_constant<caf::atom("records")>;
using retained_atom = caf::atom_constant<caf::atom("retained")>;
using session_atom = caf::atom_constant<caf::atom("session")>;
using start_atom = caf::atom_constant<caf::atom("start")>;
using deliver_atom = caf::atom_constant<caf::atom("deliver")>;
using subscribe_atom = caf::atom_constant<caf::atom("subscribe")>;
using unsubscribe_atom = caf::atom_constant<caf::atom("unsubscr")>;
using register_atom = caf::atom_constant<caf::atom("register")>;
using takeover_atom = caf::atom_constant<caf::atom("takeover")>;
using will_atom = caf::atom_constant<caf::atom("will")>;
using tick_atom = caf::atom_constant<caf::atom("tick")>;
using timeout_atom = caf::atom_constant<caf::atom("timeout")>;
using reader_atom = caf::atom_constant<caf::atom("reader")>;
using stats_atom = caf::atom_constant<caf::atom("stats")>;
using sessions_atom = caf::atom_constant<caf::atom("sessions")>;
using shutdown_atom = caf::atom_constant<caf::atom("shutdown")>;

/// Moves the consumer `consumer` (an MQTT client id or a group) to `next_offset` in topic queue `topic`,
/// or, with `first_level` set, in partition `partition` of the first-level topic `topic`.
struct offset_commit {
  std::string consumer;
  std::string topic;
  std::uint64_t next_offset = 0;
  bool first_level = false;
  std::uint32_t partition = 0;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, offset_commit& x) {
  return f(caf::meta::type_name("offset_commit"), x.consumer, x.topic, x.next_offset, x.first_level, x.partition);
}

/// Stores (or, with `erase`, deletes together with its offsets) the persistent session of a client.
struct session_update {
  std::string client_id;
  bool erase = false;
  proto::Session session;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, session_update& x) {
  return f(caf::meta::type_name("session_update"), x.client_id, x.erase, x.session);
}

/// Everything one requester wants committed atomically; the storage writer merges the requests that
/// arrive during one commit into the next (group commit).
struct write_request {
  std::vector<proto::StoredMessage> messages;  ///< appended to the commitlog and both queue indexes
  std::vector<proto::StoredMessage> retained;  ///< becomes its topic's retained message; empty payload clears
  std::vector<offset_commit> offsets;
  std::vector<session_update> sessions;

  bool empty() const { return messages.empty() && retained.empty() && offsets.empty() && sessions.empty(); }
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, write_request& x) {
  return f(caf::meta::type_name("write_request"), x.messages, x.retained, x.offsets, x.sessions);
}

/// Where one appended message went: its commitlog sequence, its offset in its topic queue, and its
/// partition of the first-level topic with its offset there.
struct appended {
  std::uint64_t sequence = 0;
  std::uint64_t topic_offset = 0;
  std::uint32_t partition = 0;
  std::uint64_t first_level_offset = 0;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, appended& x) {
  return f(caf::meta::type_name("appended"), x.sequence, x.topic_offset, x.partition, x.first_level_offset);
}

/// The answer to a write_request: `error` empty on success. `quota_exceeded` is true when the store is
/// full (MQTT reason 0x97).
struct write_result {
  std::string error;
  bool quota_exceeded = false;
  std::vector<appended> messages;  ///< one per write_request::messages entry, in order
  std::uint64_t next_sequence = 0;  ///< the commitlog sequence the next append will get

  bool ok() const { return error.empty(); }
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, write_result& x) {
  return f(caf::meta::type_name("write_result"), x.error, x.quota_exceeded, x.messages, x.next_sequence);
}

/// A topic queue grew: offsets [from_offset, to_offset) are new.
struct topic_growth {
  std::string topic;
  std::uint64_t from_offset = 0;
  std::uint64_t to_offset = 0;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, topic_growth& x) {
  return f(caf::meta::type_name("topic_growth"), x.topic, x.from_offset, x.to_offset);
}

/// Published by the storage writer after each commit to the listeners that need no messages
/// (consumer group coordinators); the index shards get a committed_event instead.
struct notify_event {
  std::vector<topic_growth> topics;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, notify_event& x) {
  return f(caf::meta::type_name("notify_event"), x.topics);
}

/// One message of a queue.
struct queue_entry {
  std::uint64_t offset = 0;
  std::uint64_t sequence = 0;
  proto::StoredMessage message;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, queue_entry& x) {
  return f(caf::meta::type_name("queue_entry"), x.offset, x.sequence, x.message);
}

/// Messages of one topic queue, read once and shared by every subscriber they go to: parsed, in
/// `entries`; or, when a session reads for itself, raw in `records` (record_blob.hpp), each parsed
/// as it is sent.
struct queue_batch {
  std::string topic;
  std::vector<queue_entry> entries;
  std::string records;
  std::uint64_t next_offset = 0;    ///< one past the last entry (the offset to read next)
  std::uint64_t end_offset = 0;     ///< the queue's next offset when read: there is more below it
  bool skipped_to_oldest = false;   ///< the requested offset had been deleted by retention
  std::string error;                ///< non-empty if the read failed

  bool empty() const { return entries.empty() && records.size() < record_blob::kHeaderSize; }
  /// The offset of the first message (next_offset if there is none).
  std::uint64_t first_offset() const {
    if (!entries.empty()) return entries.front().offset;
    return records.size() < record_blob::kHeaderSize ? next_offset : record_blob::get_le(records.data(), 8);
  }
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, queue_batch& x) {
  return f(caf::meta::type_name("queue_batch"), x.topic, x.entries, x.records, x.next_offset, x.end_offset,
           x.skipped_to_oldest, x.error);
}

/// One grown topic queue of a commit, for the shard that owns the topic: the growth and, in `batch`,
/// its first committed messages as a ready (deliver_atom, queue_batch) message, built once by the
/// writer and forwarded unchanged to every matching subscriber (nothing is read back or copied per
/// subscriber). The batch covers [growth.from_offset, its next_offset) — all of the growth unless the
/// event's in-memory cap (kMaxHandoverBytes) cut it; the rest, or all if `batch` is empty, the shard
/// reads from storage.
struct committed_topic {
  topic_growth growth;
  caf::message batch;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, committed_topic& x) {
  return f(caf::meta::type_name("committed_topic"), x.growth, x.batch);
}

/// Published by the storage writer after each commit to each index shard: the grown topics it owns.
struct committed_event {
  std::vector<committed_topic> topics;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, committed_event& x) {
  return f(caf::meta::type_name("committed_event"), x.topics);
}

/// A persistent session with its committed per-topic offsets, as stored.
struct stored_session {
  bool found = false;
  proto::Session session;
  std::vector<offset_commit> offsets;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, stored_session& x) {
  return f(caf::meta::type_name("stored_session"), x.found, x.session, x.offsets);
}

/// The store's counters as of the last commit.
struct storage_stats {
  std::uint64_t next_sequence = 0;  ///< the commitlog sequence the next append will get
  std::uint64_t message_count = 0;
  std::uint64_t log_bytes = 0;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, storage_stats& x) {
  return f(caf::meta::type_name("storage_stats"), x.next_sequence, x.message_count, x.log_bytes);
}

/// Registers every type above under its stable name; call before the actor system starts, on every node.
void add_message_types(caf::actor_system_config& cfg);

}  // namespace unimq::actors
