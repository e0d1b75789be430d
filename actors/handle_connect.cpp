// CONNECT: validation beyond the codec, client id assignment, takeover through the session
// registry, session resume or creation, and CONNACK ([MQTT-3.1], [MQTT-3.2]).
#include <random>

#include "actors/connection_steps.hpp"
#include "config/log.hpp"
#include "protocol/topic.hpp"

namespace unimq::actors {
namespace {

using mqtt::reason_code;

constexpr std::uint32_t kNeverExpires = 0xFFFFFFFF;

std::string assign_client_id() {
  thread_local std::mt19937_64 rng{std::random_device{}()};
  static constexpr char hex[] = "0123456789abcdef";
  std::string id = "unimq-";
  auto bits = rng();
  for (int i = 0; i < 16; ++i, bits >>= 4) id += hex[bits & 0xF];
  return id;
}

void refuse(connection_actor* self, reason_code code, const std::string& why) {
  log::write(log::level::warn, "connect",
             "client=" + self->state.client_id + " peer=" + self->state.link->peer() + " refused: " + why);
  mqtt::connack_packet ack;
  // 3.x has return codes for only a few reasons; the rest are reported as "server unavailable".
  ack.reason = is_v5(self) || mqtt::connack_return_code_v3(code) ? code : reason_code::server_unavailable;
  if (auto text = reason_string(self, why)) ack.props.reason_string = *text;
  send_packet(self, ack);
  close_connection(self, code, false, false, why);
}

proto::StoredMessage will_to_stored(const mqtt::will_message& w, const std::string& client_id) {
  mqtt::publish_packet p;
  p.topic = w.topic;
  p.payload = w.payload;
  p.qos = w.qos;
  p.retain = w.retain;
  p.props = w.props;
  auto m = to_stored(p, w.topic, client_id);
  // The Will's Message Expiry Interval runs from its publication, not from CONNECT: close_connection
  // sets the deadline.
  m.clear_expiry_deadline_ms();
  return m;
}

void accept(connection_actor* self, bool session_present, bool id_assigned, bool keep_alive_changed,
            bool expiry_capped) {
  auto& st = self->state;
  const auto& opt = st.ctx->options;
  st.phase = connection_phase::connected;
  st.ctx->stats->clients_connected.fetch_add(1, std::memory_order_relaxed);

  mqtt::connack_packet ack;
  ack.session_present = session_present;
  if (is_v5(self)) {
    auto& props = ack.props;
    props.receive_maximum = opt.receive_maximum;
    props.maximum_packet_size = opt.max_packet_size;
    if (opt.topic_alias_maximum) props.topic_alias_maximum = opt.topic_alias_maximum;
    if (!opt.retain) props.retain_available = 0;
    if (id_assigned) props.assigned_client_identifier = st.client_id;
    if (keep_alive_changed) props.server_keep_alive = static_cast<std::uint16_t>(st.keep_alive.count());
    if (expiry_capped) props.session_expiry_interval = st.session_expiry_s;
  }
  send_packet(self, ack);
  log::write(log::level::info, "connect",
             "client=" + st.client_id + " peer=" + st.link->peer() + " version=" +
                 std::to_string(static_cast<int>(st.version)) + " clean_start=" + (st.clean_start ? "1" : "0") +
                 " session_present=" + (session_present ? "1" : "0") + " keep_alive=" +
                 std::to_string(st.keep_alive.count()));
  if (st.keep_alive.count() > 0) self->delayed_send(self, st.keep_alive, tick_atom::value);
  resend_inflight(self);
  register_subscriptions(self, session_present);
  drain(self, 0);
}

// After the registry has made this connection the owner of the client id: load or discard the stored
// session, make a new persistent session durable, then CONNACK.
void set_up_session(connection_actor* self, bool id_assigned, bool keep_alive_changed, bool expiry_capped) {
  auto& st = self->state;
  self->request(st.ctx->reader, caf::infinite, session_atom::value, st.client_id)
      .then([=](const stored_session& stored) {
        auto& st = self->state;
        if (st.phase == connection_phase::closed) return;
        bool present = false;
        write_request r;
        if (stored.found) {
          if (st.clean_start) {
            r.sessions.push_back({st.client_id, true, {}});
          } else {
            restore_session(self, stored);
            present = true;
            st.session_stored = true;
          }
        }
        auto store = [=](write_request req) {
          if (req.empty()) return accept(self, present, id_assigned, keep_alive_changed, expiry_capped);
          self->request(self->state.ctx->writer, caf::infinite, write_atom::value, std::move(req))
              .then([=](const write_result& result) {
                if (self->state.phase == connection_phase::closed) return;
                if (!result.ok())
                  return refuse(self, result.quota_exceeded ? reason_code::quota_exceeded : reason_code::server_unavailable,
                                "storage: " + result.error);
                accept(self, present, id_assigned, keep_alive_changed, expiry_capped);
              });
        };
        if (!is_persistent(self) || present) return store(std::move(r));
        // [MQTT-3.2.2-2/3]: session present promises the session exists; for a new persistent session
        // the CONNACK waits until it is durable. It receives the p2p messages stored from now on.
        self->request(st.ctx->reader, caf::infinite, stats_atom::value)
            .then([self, store, r = std::move(r)](const storage_stats& stats) mutable {
              auto& st = self->state;
              if (st.phase == connection_phase::closed) return;
              st.p2p_since_sequence = stats.next_sequence;
              add_session(st, r);
              store(std::move(r));
            });
      });
}

}  // namespace

void on_connect(connection_actor* self, mqtt::connect_packet& p) {
  auto& st = self->state;
  const auto& opt = st.ctx->options;
  st.version = p.version;
  st.client_id = std::string(p.client_id);
  const bool v5 = is_v5(self);

  if (v5 && p.props.authentication_method)
    return refuse(self, reason_code::bad_authentication_method, "enhanced authentication is not supported");
  if (p.will) {
    if (mqtt::validate_topic_name(p.will->topic, opt.max_topic_levels) != mqtt::topic_error::none)
      return refuse(self, reason_code::topic_name_invalid, "invalid Will Topic");
    if (p.will->retain && !opt.retain) {
      if (v5) return refuse(self, reason_code::retain_not_supported, "retained messages are disabled");
      p.will->retain = false;
    }
  }
  // Names starting with U+0001 are the broker's own consumers (shared groups: shared_group_consumer()).
  if (!st.client_id.empty() && st.client_id[0] == '\x01')
    return refuse(self, reason_code::client_identifier_not_valid, "client identifiers starting with U+0001 are reserved");
  const bool id_assigned = st.client_id.empty();
  if (id_assigned) st.client_id = assign_client_id();

  st.clean_start = p.clean_start;
  // 3.1.1 sessions without Clean Session never expire; both are capped by max-session-expiry.
  std::uint32_t expiry = v5 ? p.props.session_expiry_interval.value_or(0) : (p.clean_start ? 0 : kNeverExpires);
  const auto cap = static_cast<std::uint32_t>(opt.max_session_expiry.count());
  const bool expiry_capped = cap != 0 && expiry > cap;
  if (expiry_capped) expiry = cap;
  st.session_expiry_s = expiry;

  auto keep_alive = std::chrono::seconds(p.keep_alive);
  // Only 5.0 can be told a different Keep Alive (Server Keep Alive); a 3.x client keeps its own.
  const bool keep_alive_changed =
      v5 && (keep_alive > opt.max_keep_alive || (keep_alive.count() == 0 && opt.max_keep_alive.count() < 65535));
  if (keep_alive_changed) keep_alive = opt.max_keep_alive;
  st.keep_alive = keep_alive;

  if (v5) {
    st.client_receive_maximum = p.props.receive_maximum.value_or(65535);
    st.client_max_packet_size = p.props.maximum_packet_size.value_or(mqtt::kMaxPacketSize);
    st.client_topic_alias_maximum = p.props.topic_alias_maximum.value_or(0);
    st.problem_information = p.props.request_problem_information.value_or(1) == 1;
  }
  if (p.will) {
    st.will = std::make_unique<proto::StoredMessage>(will_to_stored(*p.will, st.client_id));
    st.will_delay_s = p.will->props.will_delay_interval.value_or(0);
    st.will_expiry_s = p.will->props.message_expiry_interval;
  }

  st.phase = connection_phase::connecting;
  self->request(st.ctx->registry, caf::infinite, register_atom::value, st.client_id, st.clean_start)
      .then([=](bool registered) {
        if (self->state.phase == connection_phase::closed) return;
        // A newer connection with the same client id arrived while this one waited for a takeover.
        if (!registered) return close_connection(self, reason_code::session_taken_over, false, false, "superseded");
        set_up_session(self, id_assigned, keep_alive_changed, expiry_capped);
      });
}

}  // namespace unimq::actors
