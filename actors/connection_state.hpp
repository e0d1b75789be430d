#pragma once
// The state of one MQTT connection actor: the protocol state machine of one client and, while it is
// connected, its session. The handle_*.cpp files implement the steps; connection.cpp wires them.

#include <caf/all.hpp>

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <unordered_map>
#include <vector>

#include "actors/broker_context.hpp"
#include "actors/messages.hpp"
#include "actors/socket_link.hpp"
#include "protocol/codec.hpp"
#include "protocol/stream_decoder.hpp"

namespace unimq::actors {

/// One subscription of the session.
struct session_subscription {
  mqtt::subscription_options options;
  std::optional<std::uint32_t> identifier;
  std::uint64_t subscribed_at_sequence = 0;  ///< persistent sessions: catch up from here on new topics
};

/// A server -> client QoS 1/2 delivery that has not completed.
struct outbound_inflight {
  std::string topic;
  std::uint64_t offset = 0;
  std::uint64_t sequence = 0;
  mqtt::qos qos = mqtt::qos::at_least_once;
  enum class stage { awaiting_puback, awaiting_pubrec, awaiting_pubcomp } stage = stage::awaiting_puback;
  /// A QoS 2 delivery of a persistent session is sent only once its inflight record is durable, so
  /// that a broker crash cannot make it arrive twice; until then it waits here.
  std::optional<proto::StoredMessage> unsent;
  std::uint64_t covered_by_save = 0;  ///< the number of the first save that contains this record
  /// A shared subscription's delivery: acknowledged to this group actor, and not saved with the
  /// session (if the connection ends first, the group gives the message to another member).
  caf::actor group;
};

/// A queue batch kept for later: a (deliver_atom, queue_batch) message, shared with every other
/// subscriber it went to (holding it copies nothing).
struct held_batch {
  caf::message message;
  std::size_t bytes = 0;  ///< what it counts against max-queued-bytes

  const queue_batch& batch() const { return message.get_as<queue_batch>(1); }
};

/// Where the session stands in one topic queue.
struct topic_cursor {
  std::uint64_t next_offset = 0;
  bool reading = false;  ///< a catch-up read from storage is under way
  bool paused = false;   ///< stopped by flow control at next_offset; resumes when the window opens
  std::uint64_t head = 0;  ///< the furthest next offset announced by live batches and reads
  /// Batches that came while the cursor was reading or paused (and the rest of a read it paused in),
  /// in offset order: delivered from memory when it goes on; what they miss is read from storage.
  std::vector<held_batch> held;
};

enum class connection_phase { awaiting_connect, connecting, connected, closed };

/// MQTT 5.0 topic aliases of one connection, both directions: allocated by the first alias, so that
/// the many connections that never use one do not pay for two empty maps.
struct topic_aliases {
  std::map<std::uint16_t, std::string> inbound;               ///< alias -> topic, set by the client
  std::unordered_map<std::string, std::uint16_t> outbound;    ///< topic -> alias, set by the broker
};

struct connection_state {
  static inline const char* name = "mqtt-connection";

  // Wiring.
  std::shared_ptr<const broker_context> ctx;
  std::shared_ptr<socket_link> link;
  mqtt::stream_decoder decoder;
  std::string out;  ///< encoded packets not yet handed to the link (flushed once per actor message)

  // Connection.
  connection_phase phase = connection_phase::awaiting_connect;
  mqtt::protocol_version version = mqtt::protocol_version::v3_1_1;
  std::string client_id;
  bool clean_start = true;
  std::uint32_t session_expiry_s = 0;  ///< 0: the session ends with the connection
  std::chrono::seconds keep_alive{0};
  std::chrono::steady_clock::time_point last_packet;
  /// Behind a pointer, not an optional: a StoredMessage is ~100 bytes, and most connections have no Will.
  std::unique_ptr<proto::StoredMessage> will;
  std::uint32_t will_delay_s = 0;
  std::optional<std::uint32_t> will_expiry_s;  ///< the Will's Message Expiry Interval
  bool disconnect_received = false;
  bool taken_over = false;
  bool problem_information = true;  ///< the client accepts reason strings

  // Limits the client announced (5.0) or defaults.
  std::uint16_t client_receive_maximum = 65535;
  std::uint32_t client_max_packet_size = mqtt::kMaxPacketSize;
  std::uint16_t client_topic_alias_maximum = 0;

  std::unique_ptr<topic_aliases> aliases;  ///< created by the first topic alias either way

  // Inbound.
  std::set<std::uint16_t> inbound_qos2;                  ///< QoS 2 ids stored, PUBREL not yet seen
  std::size_t held_input = 0;  ///< bytes processed but not yet released to the link (back-pressure)
  std::size_t inbound_qos1_unacked = 0;  ///< QoS 1 publishes waiting for storage (QoS 2 count in inbound_qos2)

  // Session.
  std::map<std::string, session_subscription> subscriptions;
  std::unordered_map<std::string, topic_cursor> cursors;
  std::size_t held_bytes = 0;  ///< the bytes of every cursor's held batches, at most max-queued-bytes
  /// The topics whose cursor is paused, in the order they paused: resumed in that order, so that no
  /// topic takes every slot the window frees, and without a walk over every cursor.
  std::vector<std::string> paused_topics;
  std::map<std::uint16_t, outbound_inflight> inflight;
  std::uint16_t next_packet_id = 1;
  bool unsent_waiting = false;  ///< some inflight records wait to be saved before they are sent
  bool shared_refused = false;  ///< a shared delivery was refused for want of room: tell the groups when there is room
  bool resuming = false;  ///< a resumed session is placing cursors on topics it never read (register_subscriptions)
  /// The packet ids of the records waiting in `unsent`, in delivery order: they go out in this order,
  /// not in that of the ids, which wrap around after 65535 ([MQTT-4.6.0-6]).
  std::vector<std::uint16_t> unsent_order;
  // A vector, not a deque: libstdc++'s deque allocates ~600 bytes when constructed, per connection.
  std::vector<std::pair<proto::StoredMessage, session_subscription>> pending_retained;  ///< waiting for room
  std::map<std::string, caf::actor> shared_groups;  ///< `$share/...` subscription -> its group (once joined)
  std::uint64_t p2p_since_sequence = 0;  ///< persistent sessions: p2p topics never read are read from here on

  // Persistence of a persistent session.
  std::uint64_t saves_sent = 0;   ///< saves of the session sent to storage so far (each one numbered)
  bool session_stored = false;    ///< the store holds a session for this client id
  bool persist_running = false;
  bool persist_again = false;
  std::set<std::string> dirty_offsets;
  std::vector<std::function<void(const write_result&)>> after_persist;  ///< acks that wait for the next durable save
};

using connection_actor = caf::stateful_actor<connection_state>;

}  // namespace unimq::actors
