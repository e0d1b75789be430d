#pragma once
// The steps of the connection actor, one file each; internal to the connection actor.

#include <functional>
#include <set>

#include "actors/connection_state.hpp"

namespace unimq::actors {

// connection.cpp: output and shutdown.
/// Encodes `p` into the output buffer (sent at the end of the current actor message). Packets larger
/// than the client's Maximum Packet Size lose their reason string and user properties first.
void send_packet(connection_actor* self, const mqtt::packet& p);
void flush(connection_actor* self);
/// Decodes and handles the packets buffered in the decoder; `chunk_bytes` of input are released to
/// the link once the publishes among them are committed (read back-pressure).
void drain(connection_actor* self, std::size_t chunk_bytes);
/// Lets the link read `n` more bytes, unless the session is still being set up or the client does not
/// read what it is sent: then the bytes are held (the link stops reading) and released later.
void release_input(connection_actor* self, std::size_t n);
/// Ends the connection. `reason` is sent in a 5.0 DISCONNECT when `send_disconnect`; `publish_will`
/// says whether the Will Message goes out (it does for every close but a normal DISCONNECT).
void close_connection(connection_actor* self, mqtt::reason_code reason, bool send_disconnect, bool publish_will,
                      const std::string& why);
/// A protocol violation by the client: 5.0 gets a DISCONNECT with `code`, 3.x a closed connection.
void protocol_violation(connection_actor* self, mqtt::reason_code code, const std::string& why);
/// A reason string if the client accepts them (5.0 Request Problem Information).
std::optional<std::string_view> reason_string(connection_actor* self, std::string_view text);
bool is_v5(const connection_actor* self);

// handle_connect.cpp
void on_connect(connection_actor* self, mqtt::connect_packet& p);

// handle_publish.cpp
/// Inbound PUBLISH: queued into `batch`, acknowledged when the batch is committed.
struct inbound_batch {
  write_request request;
  /// Acks go out in the order the publishes came [MQTT-4.6.0-2], after the commit.
  struct ack {
    std::uint16_t packet_id;
    mqtt::qos qos;
    bool stored;                 ///< false: nothing to store (a QoS 2 resend, a refused publish)
    mqtt::reason_code reason;    ///< for one that is not stored
  };
  std::vector<ack> acks;
  std::set<std::uint16_t> new_qos2;  ///< QoS 2 packet ids first seen in this read
};
void on_publish(connection_actor* self, mqtt::publish_packet& p, inbound_batch& batch);
void commit_inbound(connection_actor* self, inbound_batch batch, std::size_t chunk_bytes);
void on_pubrel(connection_actor* self, const mqtt::pubrel_packet& p);
proto::StoredMessage to_stored(const mqtt::publish_packet& p, std::string_view topic, const std::string& origin);

// handle_subscribe.cpp
void on_subscribe(connection_actor* self, const mqtt::subscribe_packet& p);
void on_unsubscribe(connection_actor* self, const mqtt::unsubscribe_packet& p);
/// Registers every subscription of the session with the index shards and shared groups, and its p2p
/// topics with the session registry, once connected; then the session reads on from its cursors. A
/// `resumed` session first places cursors on the topics it never read.
void register_subscriptions(connection_actor* self, bool resumed);

// outbound.cpp
/// A (deliver_atom, queue_batch) from an index shard: delivered now, or held by the topic's cursor while
/// it reads from storage or waits for room, up to max-queued-bytes per session.
void on_deliver(connection_actor* self, const queue_batch& batch);
/// Releases the batches a cursor holds (before the cursor goes).
void drop_held(connection_state& st, topic_cursor& cursor);
/// One message of the shared subscription `filter` from its group: delivered, or given back to the
/// group if there is no room for it.
void on_shared_delivery(connection_actor* self, const std::string& filter, const std::string& topic,
                        const queue_entry& entry);
/// min(client Receive Maximum, max-inflight): the QoS 1/2 deliveries the client may have in flight.
std::size_t inflight_window(const connection_state& st);
void on_puback(connection_actor* self, const mqtt::puback_packet& p);
void on_pubrec(connection_actor* self, const mqtt::pubrec_packet& p);
void on_pubcomp(connection_actor* self, const mqtt::pubcomp_packet& p);
/// Sends a retained message to the client as a subscription of `options` asks (retain flag set).
void deliver_retained(connection_actor* self, const proto::StoredMessage& m, const session_subscription& sub);
/// Resumes the topics stopped by flow control, if the window and the socket have room again.
void resume_paused(connection_actor* self);
/// Reads `topic` from storage from its cursor until the reader has nothing more.
void catch_up(connection_actor* self, const std::string& topic);
/// Resends what was in flight when the session was last connected ([MQTT-4.4.0-1]).
void resend_inflight(connection_actor* self);
/// Sends the QoS 2 deliveries whose inflight record is durable: those covered by save number `save`.
void send_unsent(connection_actor* self, std::uint64_t save);

// handle_shared.cpp
/// Joins the group of the shared subscription `filter` (in the session's subscriptions).
void join_shared_group(connection_actor* self, const std::string& filter);
void leave_shared_group(connection_actor* self, const std::string& filter);
/// Tells the groups that the session has room again, if it refused one of their messages.
void shared_room_again(connection_actor* self);

// session_persistence.cpp
bool is_persistent(const connection_actor* self);
/// Saves the session (and the offsets that moved) if it is persistent, then calls `then`; for a
/// session that is not persistent `then` runs at once. Saves are coalesced: one at a time.
void persist(connection_actor* self, std::function<void(const write_result&)> then = {});
proto::Session session_to_proto(const connection_state& st);
/// Adds the session and the offsets of the cursors that moved to `r`: every save of the session goes
/// through here, so each one has the inflight records together with the cursors past them. Returns
/// the number of this save.
std::uint64_t add_session(connection_state& st, write_request& r);
/// A save of the session failed: nothing that depended on it may be acknowledged, so the connection
/// ends (the client will resend what it did not see acknowledged).
void session_save_failed(connection_actor* self, const write_result& result);
void restore_session(connection_actor* self, const stored_session& stored);

}  // namespace unimq::actors
