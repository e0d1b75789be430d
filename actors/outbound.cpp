// Outbound delivery ([MQTT-3.3.4], [MQTT-4.3], [MQTT-4.9]): queue batches from the index shards (or
// read by the session itself when it lags) become PUBLISH packets, within the client's Receive
// Maximum, the broker's max-inflight and the socket's queued-bytes limit. A session keeps a cursor per
// topic queue: when it cannot keep up it stops at an offset, keeps the batches that come meanwhile up
// to max-queued-bytes, and reads the rest from storage later, so a slow subscriber costs that budget
// and then an offset.
#include <algorithm>

#include "actors/connection_steps.hpp"
#include "actors/p2p.hpp"
#include "actors/shared_group.hpp"
#include "actors/storage_reader.hpp"
#include "config/log.hpp"
#include "protocol/topic.hpp"

namespace unimq::actors {
namespace {

using mqtt::qos;
using mqtt::reason_code;

constexpr std::uint32_t kCatchUpBatch = 256;
constexpr std::size_t kMaxScratchBytes = 64 * 1024;

struct delivery {
  bool matched = false;
  qos max_qos = qos::at_most_once;
  bool retain_as_published = false;
  std::vector<std::uint32_t> identifiers;
  caf::actor group;  ///< the shared subscription group it came from, if any
};

// Overlapping subscriptions give one delivery with the highest QoS and every identifier
// ([MQTT-3.3.4-2], [MQTT-3.3.4-3]); No Local skips the publisher's own messages ([MQTT-3.8.3-3]).
// Shared subscriptions deliver through their group, not here; a p2p topic goes to its target only,
// at the message's QoS, whatever the subscriptions.
delivery match(const connection_state& st, const std::string& topic, const proto::StoredMessage& m) {
  delivery d;
  if (auto target = p2p_target(topic)) {
    d.matched = *target == st.client_id;
    d.max_qos = qos::exactly_once;
    return d;
  }
  const bool own = m.origin_kind() == proto::StoredMessage::ORIGIN_CLIENT && m.origin() == st.client_id;
  for (const auto& [filter, sub] : st.subscriptions) {
    if (is_shared(filter) || !mqtt::topic_matches(filter, topic)) continue;
    if (sub.options.no_local && own) continue;
    d.matched = true;
    d.max_qos = std::max(d.max_qos, sub.options.max_qos);
    d.retain_as_published |= sub.options.retain_as_published;
    if (sub.identifier) d.identifiers.push_back(*sub.identifier);
  }
  return d;
}

std::uint64_t now_ms() {
  return static_cast<std::uint64_t>(std::chrono::duration_cast<std::chrono::milliseconds>(
                                        std::chrono::system_clock::now().time_since_epoch())
                                        .count());
}

bool link_full(const connection_state& st) { return st.link->queued_bytes() >= st.ctx->options.max_queued_bytes; }

bool has_room(const connection_state& st) { return st.inflight.size() < inflight_window(st) && !link_full(st); }

std::uint16_t allocate_packet_id(connection_state& st) {
  while (st.next_packet_id == 0 || st.inflight.count(st.next_packet_id)) ++st.next_packet_id;
  return st.next_packet_id++;
}

// Encodes a PUBLISH of `m` into the output; false if it is too large for the client, who then does
// not get it ([MQTT-3.1.2-25]).
bool write_publish(connection_actor* self, const proto::StoredMessage& m, qos q, bool retain, bool dup,
                   std::uint16_t packet_id, const std::vector<std::uint32_t>& identifiers,
                   std::uint64_t expiry_remaining_s) {
  auto& st = self->state;
  mqtt::publish_packet p;
  p.topic = m.topic();
  p.payload = m.payload();
  p.qos = q;
  p.retain = retain;
  p.dup = dup;
  p.packet_id = packet_id;
  if (is_v5(self)) {
    auto& props = p.props;
    if (m.has_payload_format()) props.payload_format_indicator = static_cast<std::uint8_t>(m.payload_format());
    if (m.has_content_type()) props.content_type = m.content_type();
    if (m.has_response_topic()) props.response_topic = m.response_topic();
    if (m.has_correlation_data()) props.correlation_data = m.correlation_data();
    for (const auto& up : m.user_properties()) props.user_properties.emplace_back(up.key(), up.value());
    if (m.has_expiry_deadline_ms()) props.message_expiry_interval = static_cast<std::uint32_t>(expiry_remaining_s);
    props.subscription_identifiers = identifiers;
  }
  bool new_alias = false;
  if (is_v5(self) && st.client_topic_alias_maximum > 0) {
    if (!st.aliases) st.aliases = std::make_unique<topic_aliases>();
    auto& aliases = st.aliases->outbound;
    auto it = aliases.find(m.topic());
    if (it != aliases.end()) {
      p.topic = {};
      p.props.topic_alias = it->second;
    } else if (aliases.size() < st.client_topic_alias_maximum) {
      p.props.topic_alias = static_cast<std::uint16_t>(aliases.size() + 1);
      new_alias = true;
    }
  }
  const std::size_t before = st.out.size();
  if (!mqtt::encode(p, st.version, st.out)) return false;
  // The alias counts as set only once the client gets the packet that sets it.
  if (new_alias && st.out.size() - before <= st.client_max_packet_size)
    st.aliases->outbound.emplace(m.topic(), *p.props.topic_alias);
  if (st.out.size() - before > st.client_max_packet_size) {
    st.out.resize(before);
    st.ctx->stats->messages_dropped.fetch_add(1, std::memory_order_relaxed);
    log::write(log::level::debug, "deliver", "client=" + st.client_id + " message on " + m.topic() +
                                                 " exceeds the client's Maximum Packet Size; dropped");
    return false;
  }
  st.ctx->stats->messages_sent.fetch_add(1, std::memory_order_relaxed);
  return true;
}

// Tells the group of a shared delivery that it is done with (the group may commit past it).
void acknowledge_shared(connection_actor* self, outbound_inflight& record) {
  if (!record.group) return;
  self->send(record.group, share_ack_atom::value, record.topic, record.offset, true);
  record.group = nullptr;
}

// done: sent (QoS 0), expired or too large; in_flight: a QoS 1/2 delivery awaits its acknowledgement.
enum class outcome { done, in_flight, no_room };

// Delivers one stored message to this client: `topic`/`offset`/`sequence` locate it for a resend.
outcome deliver(connection_actor* self, const std::string& topic, std::uint64_t offset, std::uint64_t sequence,
                const proto::StoredMessage& m, const delivery& d, bool retain) {
  auto& st = self->state;
  std::uint64_t remaining_s = 0;
  if (m.has_expiry_deadline_ms()) {
    const std::uint64_t now = now_ms();
    if (m.expiry_deadline_ms() <= now) return outcome::done;  // expired [MQTT-3.3.2-5]
    remaining_s = (m.expiry_deadline_ms() - now + 999) / 1000;
  }
  const qos q = std::min(d.max_qos, static_cast<qos>(m.qos()));
  // Every message is in storage, so a client that does not keep up is not sent more (nor is anything
  // dropped): its cursor stops here and it reads on when its socket has drained.
  if (link_full(st)) return outcome::no_room;
  if (q == qos::at_most_once) {
    write_publish(self, m, q, retain, false, 0, d.identifiers, remaining_s);
    return outcome::done;
  }
  if (!has_room(st)) return outcome::no_room;
  const std::uint16_t id = allocate_packet_id(st);
  outbound_inflight record;
  record.topic = topic;
  record.offset = offset;
  record.sequence = sequence;
  record.qos = q;
  record.stage = q == qos::exactly_once ? outbound_inflight::stage::awaiting_pubrec
                                        : outbound_inflight::stage::awaiting_puback;
  record.group = d.group;
  // A shared QoS 2 message, once sent, is this client's to complete, across a reconnect too
  // [MQTT-4.8.2-4], and the group must not give it to another member [MQTT-4.8.2-5]: it is done for
  // the group now, and the session keeps it like any other QoS 2 delivery. (QoS 1 ones stay the
  // group's until acknowledged: a member that leaves has them sent to another [MQTT-4.8.2-6].)
  if (q == qos::exactly_once) acknowledge_shared(self, record);
  // Other shared deliveries are not saved with the session (the group redelivers them).
  if (q == qos::exactly_once && is_persistent(self)) {
    record.unsent = m;
    // Remember how it is to be sent: retain flag and identifiers are recomputed from the copy.
    record.unsent->set_retain(retain);
    record.covered_by_save = st.saves_sent + 1;  // any save sent from now on contains it
    st.inflight.emplace(id, std::move(record));
    st.unsent_order.push_back(id);
    st.unsent_waiting = true;  // saved (with the cursor moved past it) by save_unsent()
    return outcome::in_flight;
  }
  if (!write_publish(self, m, q, retain, false, id, d.identifiers, remaining_s)) return outcome::done;
  st.inflight.emplace(id, std::move(record));
  return outcome::in_flight;
}

// QoS 2 deliveries recorded as unsent go out once the session, with their inflight records and the
// cursors already past them, is durable: a crash then resends them under the same packet id instead
// of delivering them again under a new one.
void save_unsent(connection_actor* self) {
  if (!self->state.unsent_waiting) return;
  self->state.unsent_waiting = false;
  persist(self);
}

void pause(connection_state& st, const std::string& topic, topic_cursor& cursor) {
  cursor.paused = true;
  st.paused_topics.push_back(topic);
}

// Delivers one message at the cursor and moves the cursor past it; false if there was no room (the
// cursor pauses there).
bool advance(connection_actor* self, const std::string& topic, topic_cursor& cursor, std::uint64_t offset,
             std::uint64_t sequence, const proto::StoredMessage& m) {
  auto& st = self->state;
  const delivery d = match(st, topic, m);
  if (d.matched) {
    const bool retain = m.retain() && d.retain_as_published;  // [MQTT-3.3.1-12/13]
    if (deliver(self, topic, offset, sequence, m, d, retain) == outcome::no_room) {
      pause(st, topic, cursor);
      if (link_full(st)) st.link->notify_when_drained();
      return false;
    }
  }
  cursor.next_offset = offset + 1;
  return true;
}

// Delivers the batch's messages from the cursor on (a batch resumed after a pause starts where the
// cursor stopped in it) until the client has no room.
void process(connection_actor* self, const std::string& topic, topic_cursor& cursor, const queue_batch& batch) {
  auto& st = self->state;
  const std::uint64_t before = cursor.next_offset;
  if (batch.records.empty()) {
    const auto& entries = batch.entries;
    auto it = std::lower_bound(entries.begin(), entries.end(), cursor.next_offset,
                               [](const queue_entry& e, std::uint64_t offset) { return e.offset < offset; });
    while (it != entries.end() && advance(self, topic, cursor, it->offset, it->sequence, it->message)) ++it;
  } else {
    // Parsed into one message per thread, whose strings keep their capacity: no allocation per message.
    thread_local proto::StoredMessage scratch;
    record_blob::reader blob(batch.records);
    std::uint64_t offset = 0, sequence = 0;
    std::string_view record;
    std::size_t largest = 0;
    while (blob.next(offset, sequence, record)) {
      if (offset < cursor.next_offset) continue;
      largest = std::max(largest, record.size());
      if (!scratch.ParseFromArray(record.data(), static_cast<int>(record.size()))) {
        log::write(log::level::error, "deliver", "client=" + st.client_id + " " + topic + " offset " +
                                                     std::to_string(offset) + ": a stored record does not parse; skipped");
        cursor.next_offset = offset + 1;
        continue;
      }
      if (!advance(self, topic, cursor, offset, sequence, scratch)) break;
    }
    if (largest > kMaxScratchBytes) scratch = proto::StoredMessage{};  // a large message's buffers are not kept
  }
  if (cursor.next_offset != before && is_persistent(self)) st.dirty_offsets.insert(topic);
  save_unsent(self);
}

// What a held batch counts against the session's max-queued-bytes: the memory its messages keep alive
// (other subscribers may share it), every field included: v5 properties can be as large as a payload.
std::size_t batch_bytes(const queue_batch& batch) {
  std::size_t bytes = sizeof(queue_batch) + batch.records.size();
  for (const auto& e : batch.entries) bytes += sizeof(queue_entry) + e.message.ByteSizeLong();
  return bytes;
}

// Keeps `message`, a (deliver_atom, queue_batch), at the end of the cursor's held batches; not if the
// session's budget is spent: the cursor then reads those messages from storage when it gets there.
void hold(connection_state& st, topic_cursor& cursor, caf::message message) {
  const std::size_t bytes = batch_bytes(message.get_as<queue_batch>(1));
  if (st.held_bytes + bytes > st.ctx->options.max_queued_bytes) return;
  st.held_bytes += bytes;
  cursor.held.push_back({std::move(message), bytes});
}

// Keeps the unsent rest of a read in front of the cursor's held batches, which all start later: it
// goes first when there is room. Later batches make room for it if need be (they are read again).
void hold_first(connection_state& st, topic_cursor& cursor, caf::message message) {
  const std::size_t bytes = batch_bytes(message.get_as<queue_batch>(1));
  while (st.held_bytes + bytes > st.ctx->options.max_queued_bytes && !cursor.held.empty()) {
    st.held_bytes -= cursor.held.back().bytes;
    cursor.held.pop_back();
  }
  if (st.held_bytes + bytes > st.ctx->options.max_queued_bytes) return;
  st.held_bytes += bytes;
  cursor.held.insert(cursor.held.begin(), {std::move(message), bytes});
}

void drop_first_held(connection_state& st, topic_cursor& cursor) {
  st.held_bytes -= cursor.held.front().bytes;
  cursor.held.erase(cursor.held.begin());
}

// Delivers on from the cursor: from its held batches while they follow on from it, then from storage
// up to the furthest offset announced.
void go_on(connection_actor* self, const std::string& topic, topic_cursor& cursor) {
  auto& st = self->state;
  while (!cursor.paused && !cursor.reading && !cursor.held.empty()) {
    const auto& batch = cursor.held.front().batch();
    if (batch.next_offset <= cursor.next_offset) {
      drop_first_held(st, cursor);
      continue;
    }
    if (batch.first_offset() > cursor.next_offset) break;  // a gap before it: storage first
    process(self, topic, cursor, batch);
    if (!cursor.paused) drop_first_held(st, cursor);
  }
  if (!cursor.paused && !cursor.reading && cursor.next_offset < cursor.head) catch_up(self, topic);
}

// The commitlog sequence from which a resumed session reads a topic it never read: where the earliest
// of its subscriptions that cover the topic started (for its p2p topics, where its p2p started).
std::uint64_t first_sequence(const connection_state& st, const std::string& topic) {
  if (p2p_target(topic)) return st.p2p_since_sequence;
  std::uint64_t since = UINT64_MAX;
  for (const auto& [filter, sub] : st.subscriptions)
    if (!is_shared(filter) && mqtt::topic_matches(filter, topic)) since = std::min(since, sub.subscribed_at_sequence);
  return since;
}

// A topic first seen live while a resumed session places its cursors (register_subscriptions): the
// look-up may have missed it (created meanwhile) or not reached it yet, and it may hold messages
// stored since the subscription, before this batch. Its cursor starts where the look-up would start
// it; the live batches wait in the cursor meanwhile, as during a read.
void place_first_seen(connection_actor* self, const std::string& topic, topic_cursor& cursor) {
  auto& st = self->state;
  cursor.reading = true;
  self->request(st.ctx->reader, caf::infinite, start_atom::value, topic, first_sequence(st, topic))
      .then([self, topic](std::uint64_t offset) {
        auto& cursor = self->state.cursors[topic];
        cursor.reading = false;
        cursor.next_offset = std::min(cursor.next_offset, offset);
        if (self->state.phase != connection_phase::connected) return;
        go_on(self, topic, cursor);
        flush(self);
      });
}

}  // namespace

void resume_paused(connection_actor* self) {
  auto& st = self->state;
  auto waiting = std::move(st.pending_retained);
  st.pending_retained.clear();
  for (auto& [m, sub] : waiting) deliver_retained(self, m, sub);
  if (link_full(st)) st.link->notify_when_drained();
  if (!has_room(st)) return;
  shared_room_again(self);
  // A topic that pauses again goes to the back of the list.
  auto paused = std::move(st.paused_topics);
  st.paused_topics.clear();
  for (auto& topic : paused) {
    auto it = st.cursors.find(topic);
    if (it == st.cursors.end() || !it->second.paused) continue;  // unsubscribed meanwhile
    it->second.paused = false;
    go_on(self, it->first, it->second);
  }
}

namespace {

// An acknowledgement completed a delivery: the window has room again.
void completed(connection_actor* self, std::map<std::uint16_t, outbound_inflight>::iterator it) {
  acknowledge_shared(self, it->second);
  self->state.inflight.erase(it);
  if (is_persistent(self)) persist(self);
  resume_paused(self);
}

}  // namespace

void catch_up(connection_actor* self, const std::string& topic) {
  auto& st = self->state;
  auto& cursor = st.cursors[topic];
  if (cursor.reading || cursor.paused) return;  // a paused cursor reads on when resumed
  cursor.reading = true;
  // No more than the session may hold: what does not fit the window now is kept for later.
  const std::uint64_t max_bytes = std::clamp<std::uint64_t>(st.ctx->options.max_queued_bytes / 2, 1, kMaxReadBytes);
  self->request(st.ctx->reader, caf::infinite, read_atom::value, records_atom::value, topic, cursor.next_offset,
                kCatchUpBatch, max_bytes)
      .then([self, topic](queue_batch& batch) {
        auto& st = self->state;
        auto& cursor = st.cursors[topic];
        cursor.reading = false;
        if (st.phase != connection_phase::connected) return;
        if (!batch.error.empty()) {
          // Tried again when the session resumes its paused topics (an acknowledgement, a live batch).
          log::write(log::level::error, "deliver", "client=" + st.client_id + " reading " + topic + ": " + batch.error);
          pause(st, topic, cursor);
          return;
        }
        if (batch.skipped_to_oldest) {
          log::write(log::level::warn, "deliver", "client=" + st.client_id + " lagged behind retention on " + topic);
          cursor.next_offset = std::max(cursor.next_offset, batch.first_offset());
          if (is_persistent(self)) st.dirty_offsets.insert(topic);
        }
        const std::uint64_t before = cursor.next_offset;
        process(self, topic, cursor, batch);
        const bool announced_later = batch.end_offset < cursor.head;  // the read predates a live batch
        cursor.head = std::max(cursor.head, batch.end_offset);
        if (cursor.paused) {
          if (batch.next_offset > cursor.next_offset)
            hold_first(st, cursor, caf::make_message(deliver_atom::value, std::move(batch)));
        } else if (cursor.next_offset > before || announced_later) {
          // Read on while the queue had more than this read returned (a read is capped by count and
          // bytes), or while live batches announced more during the read; stop when no progress is made.
          go_on(self, topic, cursor);
        }
        flush(self);
      });
}

void on_deliver(connection_actor* self, const queue_batch& batch) {
  if (batch.empty()) return;
  auto& st = self->state;
  auto [it, is_new] = st.cursors.try_emplace(batch.topic);
  auto& cursor = it->second;
  // A topic first seen live starts where the live batch starts (new subscriptions get new messages),
  // unless a resumed session has it stored from before the batch (see place_first_seen).
  if (is_new) cursor.next_offset = batch.first_offset();
  if (is_new && st.resuming && batch.first_offset() > 0) place_first_seen(self, batch.topic, cursor);
  cursor.head = std::max(cursor.head, batch.next_offset);
  // The batch is kept by reference to the message it came in: shared, not copied.
  const auto this_message = [self] { return self->current_mailbox_element()->copy_content_to_message(); };
  const bool in_turn = !cursor.reading && !cursor.paused && cursor.held.empty();
  if (in_turn && batch.first_offset() <= cursor.next_offset) {
    process(self, batch.topic, cursor, batch);
    if (cursor.paused) hold(st, cursor, this_message());
  } else {
    // After what the cursor holds, or after a gap (batches it did not get) that storage fills first.
    hold(st, cursor, this_message());
    if (!cursor.reading && !cursor.paused) go_on(self, batch.topic, cursor);
  }
  resume_paused(self);
}

void drop_held(connection_state& st, topic_cursor& cursor) {
  for (const auto& h : cursor.held) st.held_bytes -= h.bytes;
  cursor.held.clear();
}

std::size_t inflight_window(const connection_state& st) {
  return std::min<std::size_t>(st.client_receive_maximum, st.ctx->options.max_inflight);
}

void on_shared_delivery(connection_actor* self, const std::string& filter, const std::string& topic,
                        const queue_entry& entry) {
  auto& st = self->state;
  const auto group = caf::actor_cast<caf::actor>(self->current_sender());
  auto sub = st.subscriptions.find(filter);
  if (st.phase != connection_phase::connected || sub == st.subscriptions.end()) {
    self->send(group, share_ack_atom::value, topic, entry.offset, false);  // not ours any more: for another member
    return;
  }
  delivery d;
  d.matched = true;
  d.max_qos = sub->second.options.max_qos;
  if (sub->second.identifier) d.identifiers.push_back(*sub->second.identifier);
  d.group = group;
  const bool retain = entry.message.retain() && sub->second.options.retain_as_published;
  switch (deliver(self, topic, entry.offset, entry.sequence, entry.message, d, retain)) {
    case outcome::in_flight:  // acknowledged to the group with its PUBACK (QoS 1) or already (QoS 2)
      save_unsent(self);
      return;
    case outcome::done: self->send(group, share_ack_atom::value, topic, entry.offset, true); return;
    case outcome::no_room:
      st.shared_refused = true;
      if (link_full(st)) st.link->notify_when_drained();
      self->send(group, share_ack_atom::value, topic, entry.offset, false);
      return;
  }
}

void deliver_retained(connection_actor* self, const proto::StoredMessage& m, const session_subscription& sub) {
  auto& st = self->state;
  // Retained messages are not in a queue the session could read on from, so those that do not fit
  // now wait here (a subscription to `#` on a broker with many retained topics) until there is room.
  if (!st.pending_retained.empty()) {
    st.pending_retained.emplace_back(m, sub);
    return;
  }
  delivery d;
  d.matched = true;
  d.max_qos = sub.options.max_qos;
  if (sub.identifier) d.identifiers.push_back(*sub.identifier);
  // [MQTT-3.3.1-9]: retained messages sent for a new subscription carry the retain flag. Their
  // sequence is unknown here (0), so a resend after a reconnect skips them.
  if (deliver(self, m.topic(), m.topic_offset(), 0, m, d, true) == outcome::no_room) {
    st.pending_retained.emplace_back(m, sub);
    if (link_full(st)) st.link->notify_when_drained();
  }
  save_unsent(self);
}

void send_unsent(connection_actor* self, std::uint64_t save) {
  auto& st = self->state;
  if (st.phase != connection_phase::connected) return;
  // Saves are numbered in delivery order, so the records this save covers are a prefix of the queue.
  std::size_t sent = 0;
  for (; sent < st.unsent_order.size(); ++sent) {
    const auto it = st.inflight.find(st.unsent_order[sent]);
    if (it == st.inflight.end() || !it->second.unsent) continue;  // completed meanwhile (a client's early PUBREC)
    auto& record = it->second;
    if (record.covered_by_save > save) break;
    const proto::StoredMessage m = std::move(*record.unsent);
    record.unsent.reset();
    const delivery d = match(st, record.topic, m);
    std::uint64_t remaining_s = 0;
    if (m.has_expiry_deadline_ms()) {
      const auto now = now_ms();
      remaining_s = m.expiry_deadline_ms() > now ? (m.expiry_deadline_ms() - now + 999) / 1000 : 1;
    }
    if (!write_publish(self, m, record.qos, m.retain(), false, it->first, d.identifiers, remaining_s))
      st.inflight.erase(it);
  }
  st.unsent_order.erase(st.unsent_order.begin(), st.unsent_order.begin() + static_cast<std::ptrdiff_t>(sent));
  flush(self);
}

void resend_inflight(connection_actor* self) {
  auto& st = self->state;
  // [MQTT-4.6.0-1]: in the order they were first sent. Not that of the packet ids, which wrap around
  // after 65535; the session stores no send order, but within a topic it is that of the sequences.
  std::vector<std::pair<std::uint64_t, std::uint16_t>> order;
  for (const auto& [id, record] : st.inflight) order.emplace_back(record.sequence, id);
  std::sort(order.begin(), order.end());
  for (const auto& [sequence, packet_id] : order) {
    const auto& record = st.inflight.at(packet_id);
    if (record.stage == outbound_inflight::stage::awaiting_pubcomp) {
      mqtt::pubrel_packet rel;
      rel.packet_id = packet_id;
      send_packet(self, rel);
      continue;
    }
    self->request(st.ctx->reader, caf::infinite, read_atom::value, record.topic, record.offset, std::uint32_t{1})
        .then([self, packet_id](const queue_batch& batch) {
          auto& st = self->state;
          auto it = st.inflight.find(packet_id);
          if (it == st.inflight.end() || st.phase != connection_phase::connected) return;
          if (batch.entries.empty() || batch.entries.front().sequence != it->second.sequence) {
            st.inflight.erase(it);  // deleted by retention meanwhile: nothing to resend
            return;
          }
          const auto& m = batch.entries.front().message;
          const delivery d = match(st, it->second.topic, m);
          // [MQTT-4.4.0-1]: the same packet id, DUP set.
          std::uint64_t remaining_s = 0;
          if (m.has_expiry_deadline_ms()) {
            const auto now = now_ms();
            remaining_s = m.expiry_deadline_ms() > now ? (m.expiry_deadline_ms() - now + 999) / 1000 : 1;
          }
          if (!write_publish(self, m, it->second.qos, m.retain() && d.retain_as_published, true, packet_id,
                             d.identifiers, remaining_s)) {
            st.inflight.erase(it);  // too large for the client now: it would hold a window slot forever
            resume_paused(self);
          }
          flush(self);
        });
  }
}

void on_puback(connection_actor* self, const mqtt::puback_packet& p) {
  auto it = self->state.inflight.find(p.packet_id);
  if (it == self->state.inflight.end() || it->second.stage != outbound_inflight::stage::awaiting_puback) return;
  completed(self, it);
}

void on_pubrec(connection_actor* self, const mqtt::pubrec_packet& p) {
  auto& st = self->state;
  auto it = st.inflight.find(p.packet_id);
  mqtt::pubrel_packet rel;
  rel.packet_id = p.packet_id;
  if (it == st.inflight.end() || it->second.stage == outbound_inflight::stage::awaiting_puback) {
    rel.reason = reason_code::packet_identifier_not_found;
    return send_packet(self, rel);
  }
  if (mqtt::is_error(p.reason)) return completed(self, it);  // the client refused it: done
  it->second.stage = outbound_inflight::stage::awaiting_pubcomp;
  // After PUBREL the client may forget the packet id; were the broker to crash and resend the PUBLISH,
  // it would be a new message to the client. So the new stage is durable before PUBREL goes out.
  persist(self, [self, rel](const write_result&) {
    if (self->state.phase != connection_phase::connected) return;
    send_packet(self, rel);
    flush(self);
  });
}

void on_pubcomp(connection_actor* self, const mqtt::pubcomp_packet& p) {
  auto it = self->state.inflight.find(p.packet_id);
  if (it == self->state.inflight.end() || it->second.stage != outbound_inflight::stage::awaiting_pubcomp) return;
  completed(self, it);
}

}  // namespace unimq::actors
