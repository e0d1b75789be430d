// The persistent part of a session ([MQTT-4.1]): subscriptions, inflight deliveries, QoS 2 packet ids
// awaiting PUBREL, Will, and the offsets reached in each topic queue, saved through the storage writer.
#include "actors/connection_steps.hpp"
#include "config/log.hpp"

namespace unimq::actors {

bool is_persistent(const connection_actor* self) { return self->state.session_expiry_s != 0; }

proto::Session session_to_proto(const connection_state& st) {
  proto::Session s;
  s.set_client_id(st.client_id);
  s.set_protocol_version(static_cast<std::uint32_t>(st.version));
  s.set_session_expiry_interval_s(st.session_expiry_s);
  for (const auto& [filter, sub] : st.subscriptions) {
    auto* out = s.add_subscriptions();
    out->set_filter(filter);
    out->set_max_qos(static_cast<std::uint32_t>(sub.options.max_qos));
    out->set_no_local(sub.options.no_local);
    out->set_retain_as_published(sub.options.retain_as_published);
    out->set_retain_handling(sub.options.retain_handling);
    if (sub.identifier) out->set_subscription_identifier(*sub.identifier);
    out->set_subscribed_at_sequence(sub.subscribed_at_sequence);
  }
  if (st.will) {
    auto* w = s.mutable_will();
    *w->mutable_message() = *st.will;
    w->set_delay_interval_s(st.will_delay_s);
  }
  for (const auto& [id, record] : st.inflight) {
    if (record.group) continue;  // a shared delivery not yet received: its group redelivers it
    auto* out = s.add_inflight();
    out->set_packet_id(id);
    out->set_sequence(record.sequence);
    out->set_qos(static_cast<std::uint32_t>(record.qos));
    out->set_topic(record.topic);
    out->set_topic_offset(record.offset);
    switch (record.stage) {
      case outbound_inflight::stage::awaiting_puback: out->set_state(proto::InflightOutbound::AWAITING_PUBACK); break;
      case outbound_inflight::stage::awaiting_pubrec: out->set_state(proto::InflightOutbound::AWAITING_PUBREC); break;
      case outbound_inflight::stage::awaiting_pubcomp: out->set_state(proto::InflightOutbound::AWAITING_PUBCOMP); break;
    }
  }
  for (auto id : st.inbound_qos2) s.add_inbound_qos2_awaiting_pubrel(id);
  s.set_next_packet_id(st.next_packet_id);
  s.set_p2p_since_sequence(st.p2p_since_sequence);
  return s;
}

void restore_session(connection_actor* self, const stored_session& stored) {
  auto& st = self->state;
  const auto& s = stored.session;
  for (const auto& sub : s.subscriptions()) {
    auto& out = st.subscriptions[sub.filter()];
    out.options.max_qos = static_cast<mqtt::qos>(sub.max_qos());
    out.options.no_local = sub.no_local();
    out.options.retain_as_published = sub.retain_as_published();
    out.options.retain_handling = static_cast<std::uint8_t>(sub.retain_handling());
    if (sub.has_subscription_identifier()) out.identifier = sub.subscription_identifier();
    out.subscribed_at_sequence = sub.subscribed_at_sequence();
  }
  for (const auto& in : s.inflight()) {
    auto& record = st.inflight[static_cast<std::uint16_t>(in.packet_id())];
    record.topic = in.topic();
    record.offset = in.topic_offset();
    record.sequence = in.sequence();
    record.qos = static_cast<mqtt::qos>(in.qos());
    switch (in.state()) {
      case proto::InflightOutbound::AWAITING_PUBREC: record.stage = outbound_inflight::stage::awaiting_pubrec; break;
      case proto::InflightOutbound::AWAITING_PUBCOMP: record.stage = outbound_inflight::stage::awaiting_pubcomp; break;
      default: record.stage = outbound_inflight::stage::awaiting_puback; break;
    }
  }
  for (auto id : s.inbound_qos2_awaiting_pubrel()) st.inbound_qos2.insert(static_cast<std::uint16_t>(id));
  st.next_packet_id = static_cast<std::uint16_t>(s.next_packet_id());
  st.p2p_since_sequence = s.p2p_since_sequence();
  for (const auto& o : stored.offsets) st.cursors[o.topic].next_offset = o.next_offset;
}

std::uint64_t add_session(connection_state& st, write_request& r) {
  r.sessions.push_back({st.client_id, false, session_to_proto(st)});
  for (const auto& topic : st.dirty_offsets) r.offsets.push_back({st.client_id, topic, st.cursors[topic].next_offset});
  st.dirty_offsets.clear();
  st.session_stored = true;
  return ++st.saves_sent;
}

void session_save_failed(connection_actor* self, const write_result& result) {
  auto& st = self->state;
  log::write(log::level::error, "session", "client=" + st.client_id + " could not save its session: " + result.error);
  for (const auto& [topic, cursor] : st.cursors) st.dirty_offsets.insert(topic);
  close_connection(self, result.quota_exceeded ? mqtt::reason_code::quota_exceeded : mqtt::reason_code::unspecified_error,
                   true, true, "storage: " + result.error);
}

void persist(connection_actor* self, std::function<void(const write_result&)> then) {
  auto& st = self->state;
  if (!is_persistent(self)) {
    if (then) then(write_result{});
    return;
  }
  if (then) st.after_persist.push_back(std::move(then));
  if (st.persist_running) {
    st.persist_again = true;
    return;
  }
  st.persist_running = true;
  write_request r;
  const std::uint64_t save = add_session(st, r);
  auto callbacks = std::move(st.after_persist);
  st.after_persist.clear();
  self->request(st.ctx->writer, caf::infinite, write_atom::value, std::move(r))
      .then([self, save, callbacks = std::move(callbacks)](const write_result& result) {
        auto& st = self->state;
        st.persist_running = false;
        if (st.phase != connection_phase::connected) return;  // the close saved the final state
        if (!result.ok()) return session_save_failed(self, result);
        for (const auto& cb : callbacks) cb(result);
        send_unsent(self, save);
        if (st.persist_again) {
          st.persist_again = false;
          persist(self);
        }
        flush(self);
      });
}

}  // namespace unimq::actors
