// Inbound PUBLISH and PUBREL ([MQTT-3.3], [MQTT-4.3]): every publish of one read goes to the storage
// writer in one request, and its PUBACK/PUBREC goes out only after the commit.
#include "actors/connection_steps.hpp"
#include "config/log.hpp"
#include "protocol/topic.hpp"

namespace unimq::actors {
namespace {

using mqtt::reason_code;

std::uint64_t now_ms() {
  return static_cast<std::uint64_t>(std::chrono::duration_cast<std::chrono::milliseconds>(
                                        std::chrono::system_clock::now().time_since_epoch())
                                        .count());
}

template <class Ack>
void send_ack(connection_actor* self, std::uint16_t packet_id, reason_code reason) {
  Ack ack;
  ack.packet_id = packet_id;
  ack.reason = reason;
  send_packet(self, ack);
}

void acknowledge(connection_actor* self, std::uint16_t packet_id, mqtt::qos qos, reason_code reason) {
  if (qos == mqtt::qos::at_least_once)
    send_ack<mqtt::puback_packet>(self, packet_id, reason);
  else if (qos == mqtt::qos::exactly_once)
    send_ack<mqtt::pubrec_packet>(self, packet_id, reason);
}

// Resolves the Topic Alias of a 5.0 PUBLISH ([MQTT-3.3.2-12]); false after a protocol violation.
bool resolve_alias(connection_actor* self, mqtt::publish_packet& p, std::string& topic) {
  auto& st = self->state;
  if (!p.props.topic_alias) {
    topic = std::string(p.topic);
    return true;
  }
  const std::uint16_t alias = *p.props.topic_alias;
  if (alias > st.ctx->options.topic_alias_maximum) {
    protocol_violation(self, reason_code::topic_alias_invalid, "Topic Alias above the maximum [MQTT-3.3.2-9]");
    return false;
  }
  if (!p.topic.empty()) {
    topic = std::string(p.topic);
    if (!st.aliases) st.aliases = std::make_unique<topic_aliases>();
    st.aliases->inbound[alias] = topic;
    return true;
  }
  if (st.aliases) {
    if (auto it = st.aliases->inbound.find(alias); it != st.aliases->inbound.end()) {
      topic = it->second;
      return true;
    }
  }
  protocol_violation(self, reason_code::protocol_error, "unknown Topic Alias with an empty Topic Name");
  return false;
}

}  // namespace

proto::StoredMessage to_stored(const mqtt::publish_packet& p, std::string_view topic, const std::string& origin) {
  proto::StoredMessage m;
  m.set_topic(std::string(topic));
  m.set_payload(std::string(p.payload));
  m.set_qos(static_cast<std::uint32_t>(p.qos));
  m.set_retain(p.retain);
  const auto& props = p.props;
  if (props.payload_format_indicator) m.set_payload_format(*props.payload_format_indicator);
  if (props.content_type) m.set_content_type(std::string(*props.content_type));
  if (props.response_topic) m.set_response_topic(std::string(*props.response_topic));
  if (props.correlation_data) m.set_correlation_data(std::string(*props.correlation_data));
  for (const auto& [k, v] : props.user_properties) {
    auto* up = m.add_user_properties();
    up->set_key(std::string(k));
    up->set_value(std::string(v));
  }
  const std::uint64_t now = now_ms();
  if (props.message_expiry_interval) m.set_expiry_deadline_ms(now + std::uint64_t{*props.message_expiry_interval} * 1000);
  m.set_origin(origin);
  m.set_timestamp_ms(now);
  return m;
}

void on_publish(connection_actor* self, mqtt::publish_packet& p, inbound_batch& batch) {
  auto& st = self->state;
  const auto& opt = st.ctx->options;
  const bool v5 = is_v5(self);
  std::string topic;
  if (v5 && !resolve_alias(self, p, topic)) return;
  if (!v5) topic = std::string(p.topic);
  if (mqtt::validate_topic_name(topic, opt.max_topic_levels) != mqtt::topic_error::none)
    return protocol_violation(self, reason_code::topic_name_invalid, "invalid Topic Name \"" + topic + "\"");
  if (!p.props.subscription_identifiers.empty())
    return protocol_violation(self, reason_code::protocol_error, "a client PUBLISH carries a Subscription Identifier [MQTT-3.3.4-6]");
  if (p.retain && !opt.retain) {
    if (v5) return protocol_violation(self, reason_code::retain_not_supported, "retained messages are disabled");
    p.retain = false;
  }
  // 5.0 §3.3.4: a QoS 1 publish holds its Receive Maximum slot until PUBACK, a QoS 2 one until PUBCOMP.
  const bool qos2_resend = p.qos == mqtt::qos::exactly_once &&
                           (st.inbound_qos2.count(p.packet_id) || batch.new_qos2.count(p.packet_id));
  // 3.x has no Receive Maximum: its clients are held back by reading less instead.
  if (v5 && p.qos != mqtt::qos::at_most_once && !qos2_resend &&
      st.inbound_qos1_unacked + st.inbound_qos2.size() + batch.new_qos2.size() >= opt.receive_maximum)
    return protocol_violation(self, reason_code::receive_maximum_exceeded, "more unacknowledged QoS 1/2 publishes than Receive Maximum");
  st.ctx->stats->messages_received.fetch_add(1, std::memory_order_relaxed);

  // `$` topics are the broker's ($SYS): clients may not publish there.
  if (topic[0] == '$') {
    log::write(log::level::debug, "publish", "client=" + st.client_id + " dropped a publish to " + topic);
    if (p.qos != mqtt::qos::at_most_once)
      batch.acks.push_back({p.packet_id, p.qos, false, v5 ? reason_code::not_authorized : reason_code::success});
    return;
  }
  // A QoS 2 packet id already stored and not released is a resend: acknowledge it again, store
  // nothing ([MQTT-4.3.3-10]: exactly once).
  if (qos2_resend) {
    log::write(log::level::debug, "publish", "client=" + st.client_id + " QoS 2 resend of packet id " +
                                                 std::to_string(p.packet_id) + " acknowledged again, not stored");
    batch.acks.push_back({p.packet_id, p.qos, false, reason_code::success});
    return;
  }


  auto message = to_stored(p, topic, st.client_id);
  // [MQTT-3.3.1-6/7]: a retained message replaces the topic's; an empty one only clears it.
  if (p.retain) batch.request.retained.push_back(message);
  if (!(p.retain && p.payload.empty())) batch.request.messages.push_back(std::move(message));
  if (p.qos != mqtt::qos::at_most_once) batch.acks.push_back({p.packet_id, p.qos, true, reason_code::success});
  if (p.qos == mqtt::qos::at_least_once) ++st.inbound_qos1_unacked;
  if (p.qos == mqtt::qos::exactly_once) batch.new_qos2.insert(p.packet_id);
}

void commit_inbound(connection_actor* self, inbound_batch batch, std::size_t chunk_bytes) {
  auto& st = self->state;
  if (batch.request.empty()) {
    // Nothing to store (a QoS 2 resend, a refused publish): acknowledge at once.
    for (const auto& a : batch.acks) acknowledge(self, a.packet_id, a.qos, a.reason);
    release_input(self, chunk_bytes);
    return;
  }
  // The QoS 2 packet ids join the session only now, as their messages are sent to storage: a save of
  // the session made earlier in this read (a PUBREL's) must not contain an id whose message it does
  // not contain, or a crash would turn the client's resend into a loss. This request stores both.
  const std::set<std::uint16_t> new_qos2 = std::move(batch.new_qos2);
  st.inbound_qos2.insert(new_qos2.begin(), new_qos2.end());
  std::uint64_t save = 0;
  if (!new_qos2.empty() && is_persistent(self)) save = add_session(st, batch.request);
  self->request(st.ctx->writer, caf::infinite, write_atom::value, std::move(batch.request))
      .then([self, acks = std::move(batch.acks), chunk_bytes, new_qos2, save](const write_result& result) {
        auto& st = self->state;
        for (const auto& a : acks)
          if (a.stored && a.qos == mqtt::qos::at_least_once) --st.inbound_qos1_unacked;
        if (!result.ok()) {
          // Not stored: the ids must not stay in the session, or the client's resend would be taken
          // for a duplicate and the message lost.
          for (auto id : new_qos2) st.inbound_qos2.erase(id);
          if (st.phase == connection_phase::closed) {
            if (!new_qos2.empty() && is_persistent(self)) {
              write_request r;
              add_session(st, r);
              self->request(st.ctx->writer, caf::infinite, write_atom::value, std::move(r)).then([](const write_result&) {});
            }
            return;
          }
          log::write(log::level::error, "publish", "client=" + st.client_id + " storage refused: " + result.error);
          if (!is_v5(self)) {
            // 3.x cannot refuse a publish: closing without PUBACK makes the client send it again.
            return close_connection(self, reason_code::unspecified_error, false, true, "storage error");
          }
          const auto code = result.quota_exceeded ? reason_code::quota_exceeded : reason_code::unspecified_error;
          for (const auto& a : acks) acknowledge(self, a.packet_id, a.qos, a.stored ? code : a.reason);
          release_input(self, chunk_bytes);
          return flush(self);
        }
        if (st.phase == connection_phase::closed) return;
        for (const auto& a : acks) acknowledge(self, a.packet_id, a.qos, a.reason);
        if (save) send_unsent(self, save);
        release_input(self, chunk_bytes);
        flush(self);
      });
}

void on_pubrel(connection_actor* self, const mqtt::pubrel_packet& p) {
  auto& st = self->state;
  mqtt::pubcomp_packet comp;
  comp.packet_id = p.packet_id;
  if (!st.inbound_qos2.erase(p.packet_id)) {
    comp.reason = reason_code::packet_identifier_not_found;
    return send_packet(self, comp);
  }
  // The id may be reused after PUBCOMP, so its release must be durable first.
  persist(self, [self, comp](const write_result&) {
    if (self->state.phase != connection_phase::connected) return;
    send_packet(self, comp);
    flush(self);
  });
}

}  // namespace unimq::actors
