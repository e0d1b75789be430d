// The connection actor: bytes in, packets dispatched to the step that handles them, packets out.
#include "actors/connection.hpp"

#include "actors/connection_steps.hpp"
#include "actors/shared_group.hpp"
#include "config/log.hpp"

namespace unimq::actors {
namespace {

using mqtt::reason_code;

std::string describe(const connection_actor* self) {
  const auto& st = self->state;
  return "client=" + (st.client_id.empty() ? std::string("-") : st.client_id) + " peer=" + st.link->peer();
}

// Answers a decode error as the codec says the spec requires.
void on_decode_error(connection_actor* self, const mqtt::decode_error& e) {
  log::write(log::level::warn, "protocol",
             describe(self) + " " + e.message + " [" + std::string(e.rule) + "] -> " + to_string(e.action));
  auto& st = self->state;
  switch (e.action) {
    case mqtt::reaction::send_connack: {
      mqtt::connack_packet ack;
      ack.reason = e.code;
      st.version = e.version;
      send_packet(self, ack);
      close_connection(self, e.code, false, false, "refused CONNECT");
      return;
    }
    case mqtt::reaction::send_disconnect:
      close_connection(self, e.code, true, true, "decode error");
      return;
    case mqtt::reaction::close:
      close_connection(self, e.code, false, true, "decode error");
      return;
  }
}

void dispatch(connection_actor* self, mqtt::packet& packet, inbound_batch& batch) {
  auto& st = self->state;
  st.last_packet = std::chrono::steady_clock::now();
  if (st.phase == connection_phase::awaiting_connect) {
    if (auto* c = std::get_if<mqtt::connect_packet>(&packet)) return on_connect(self, *c);
    // [MQTT-3.1.0-1]: the first packet must be CONNECT.
    return close_connection(self, reason_code::protocol_error, false, false, "first packet is not CONNECT");
  }
  std::visit(
      [&](auto& p) {
        using T = std::decay_t<decltype(p)>;
        if constexpr (std::is_same_v<T, mqtt::publish_packet>) {
          on_publish(self, p, batch);
        } else if constexpr (std::is_same_v<T, mqtt::puback_packet>) {
          on_puback(self, p);
        } else if constexpr (std::is_same_v<T, mqtt::pubrec_packet>) {
          on_pubrec(self, p);
        } else if constexpr (std::is_same_v<T, mqtt::pubrel_packet>) {
          on_pubrel(self, p);
        } else if constexpr (std::is_same_v<T, mqtt::pubcomp_packet>) {
          on_pubcomp(self, p);
        } else if constexpr (std::is_same_v<T, mqtt::subscribe_packet>) {
          on_subscribe(self, p);
        } else if constexpr (std::is_same_v<T, mqtt::unsubscribe_packet>) {
          on_unsubscribe(self, p);
        } else if constexpr (std::is_same_v<T, mqtt::pingreq_packet>) {
          send_packet(self, mqtt::pingresp_packet{});
        } else if constexpr (std::is_same_v<T, mqtt::disconnect_packet>) {
          st.disconnect_received = true;
          if (p.props.session_expiry_interval) {
            // [MQTT-3.14.2-2]: a session that was to end with the connection cannot be extended now.
            if (st.session_expiry_s == 0 && *p.props.session_expiry_interval != 0)
              return protocol_violation(self, reason_code::protocol_error,
                                        "DISCONNECT sets a Session Expiry Interval after CONNECT set 0");
            const auto cap = static_cast<std::uint32_t>(st.ctx->options.max_session_expiry.count());
            st.session_expiry_s = cap != 0 ? std::min(*p.props.session_expiry_interval, cap)
                                           : *p.props.session_expiry_interval;
          }
          const bool with_will = p.reason == reason_code::disconnect_with_will_message;
          close_connection(self, reason_code::normal_disconnection, false, with_will, "client disconnected");
        } else if constexpr (std::is_same_v<T, mqtt::connect_packet>) {
          protocol_violation(self, reason_code::protocol_error, "second CONNECT [MQTT-3.1.0-2]");
        } else if constexpr (std::is_same_v<T, mqtt::auth_packet>) {
          protocol_violation(self, reason_code::protocol_error, "AUTH without an authentication exchange");
        } else {
          protocol_violation(self, reason_code::protocol_error,
                             std::string("a client must not send ") + to_string(mqtt::type_of(packet)));
        }
      },
      packet);
}

}  // namespace

void drain(connection_actor* self, std::size_t chunk_bytes) {
  auto& st = self->state;
  inbound_batch batch;
  // While CONNECT is being processed, later packets stay in the decoder until the session is ready.
  while (st.phase == connection_phase::awaiting_connect || st.phase == connection_phase::connected) {
    auto result = st.decoder.next();
    if (!result) break;
    if (!*result) {
      on_decode_error(self, result->error());
      break;
    }
    dispatch(self, result->value(), batch);
  }
  commit_inbound(self, std::move(batch), chunk_bytes);
  flush(self);
}

namespace {

void on_data(connection_actor* self, std::string& chunk) {
  auto& st = self->state;
  if (st.phase == connection_phase::closed) return;
  st.ctx->stats->bytes_received.fetch_add(chunk.size(), std::memory_order_relaxed);
  st.decoder.feed(chunk);
  drain(self, chunk.size());
}

void on_tick(connection_actor* self) {
  auto& st = self->state;
  if (st.phase == connection_phase::closed) return;
  const auto now = std::chrono::steady_clock::now();
  if (st.keep_alive.count() == 0) return;
  // [MQTT-3.1.2-22 (5.0) / 3.1.2-24 (3.1.1)]: one and a half times the Keep Alive without a packet.
  if (now - st.last_packet > std::chrono::milliseconds(st.keep_alive) * 3 / 2) {
    return close_connection(self, reason_code::keep_alive_timeout, true, true, "keep alive timeout");
  }
  self->delayed_send(self, std::max<std::chrono::milliseconds>(st.keep_alive / 2, std::chrono::seconds(1)),
                     tick_atom::value);
}

caf::behavior connection(connection_actor* self, std::shared_ptr<const broker_context> ctx,
                         std::shared_ptr<socket_link> link) {
  auto& st = self->state;
  st.ctx = std::move(ctx);
  st.link = std::move(link);
  st.decoder = mqtt::stream_decoder(st.ctx->options.max_packet_size);
  st.last_packet = std::chrono::steady_clock::now();
  st.ctx->stats->connections_total.fetch_add(1, std::memory_order_relaxed);
  self->delayed_send(self, st.ctx->options.connect_timeout, timeout_atom::value);
  // A request that fails (a remote storage node gone, say) ends the connection as an error would, with
  // its Will, instead of CAF's default of quitting silently with the socket open.
  self->set_error_handler([self](caf::error& e) {
    close_connection(self, reason_code::implementation_specific_error, true, true,
                     "internal error: " + self->system().render(e));
  });
  self->set_exit_handler([self](const caf::exit_msg&) {
    close_connection(self, reason_code::server_shutting_down, true, false, "broker shutting down");
  });
  return {
      [self](data_atom, std::string& chunk) { on_data(self, chunk); },
      [self](closed_atom) {
        close_connection(self, reason_code::unspecified_error, false, true, "connection lost");
      },
      [self](tick_atom) { on_tick(self); },
      [self](resume_atom) {
        if (self->state.phase != connection_phase::connected) return;
        release_input(self, 0);
        resume_paused(self);
        flush(self);
      },
      [self](timeout_atom) {
        if (self->state.phase == connection_phase::awaiting_connect)
          close_connection(self, reason_code::maximum_connect_time, false, false, "no CONNECT within the connect timeout");
      },
      [self](deliver_atom, const queue_batch& batch) {
        if (self->state.phase != connection_phase::connected) return;
        on_deliver(self, batch);
        flush(self);
      },
      [self](share_atom, const std::string& filter, const std::string& topic, const queue_entry& entry) {
        on_shared_delivery(self, filter, topic, entry);
        flush(self);
      },
      [self](takeover_atom) {
        self->state.taken_over = true;
        close_connection(self, reason_code::session_taken_over, true, true, "session taken over");
      },
  };
}

}  // namespace

bool is_v5(const connection_actor* self) { return self->state.version == mqtt::protocol_version::v5; }

std::optional<std::string_view> reason_string(connection_actor* self, std::string_view text) {
  if (!is_v5(self) || !self->state.problem_information) return std::nullopt;
  return text;
}

void send_packet(connection_actor* self, const mqtt::packet& p) {
  auto& st = self->state;
  const std::size_t before = st.out.size();
  if (!mqtt::encode(p, st.version, st.out)) return;
  if (st.out.size() - before <= st.client_max_packet_size) return;
  // Too large for the client [MQTT-3.1.2-25]: drop what may be dropped (reason string, user
  // properties) and try once more; a PUBLISH is never sent here (outbound.cpp checks it first).
  st.out.resize(before);
  mqtt::packet slim = p;
  std::visit(
      [](auto& x) {
        if constexpr (!std::is_same_v<std::decay_t<decltype(x)>, mqtt::pingreq_packet> &&
                      !std::is_same_v<std::decay_t<decltype(x)>, mqtt::pingresp_packet> &&
                      !std::is_same_v<std::decay_t<decltype(x)>, mqtt::connect_packet> &&
                      !std::is_same_v<std::decay_t<decltype(x)>, mqtt::publish_packet>) {
          x.props.reason_string.reset();
          x.props.user_properties.clear();
        }
      },
      slim);
  if (mqtt::encode(slim, st.version, st.out) && st.out.size() - before > st.client_max_packet_size)
    st.out.resize(before);
}

void release_input(connection_actor* self, std::size_t n) {
  auto& st = self->state;
  st.held_input += n;
  if (st.held_input == 0 || st.phase == connection_phase::connecting) return;  // accept() drains
  if (st.link->queued_bytes() >= st.ctx->options.max_queued_bytes) {
    st.link->notify_when_drained();  // a client that sends but does not read is read no further
    return;
  }
  st.link->consumed(st.held_input);
  st.held_input = 0;
}

void flush(connection_actor* self) {
  auto& st = self->state;
  if (st.out.empty() || !st.link) return;
  st.ctx->stats->bytes_sent.fetch_add(st.out.size(), std::memory_order_relaxed);
  st.link->send(std::move(st.out));
  st.out.clear();
}

void protocol_violation(connection_actor* self, mqtt::reason_code code, const std::string& why) {
  log::write(log::level::warn, "protocol", describe(self) + " " + why);
  close_connection(self, code, true, true, why);
}

void close_connection(connection_actor* self, mqtt::reason_code reason, bool send_disconnect, bool publish_will,
                      const std::string& why) {
  auto& st = self->state;
  if (st.phase == connection_phase::closed) return;
  const bool was_connected = st.phase == connection_phase::connected;
  st.phase = connection_phase::closed;
  if (send_disconnect && is_v5(self) && was_connected) {
    mqtt::disconnect_packet d;
    d.reason = reason;
    if (auto text = reason_string(self, why)) d.props.reason_string = *text;
    send_packet(self, d);
  }
  flush(self);
  st.link->close();
  if (!was_connected) {
    if (!st.client_id.empty()) log::write(log::level::info, "disconnect", describe(self) + " reason=\"" + why + "\"");
    self->quit();
    return;
  }
  st.ctx->stats->clients_connected.fetch_sub(1, std::memory_order_relaxed);
  log::write(log::level::info, "disconnect", describe(self) + " reason=\"" + why + "\"");

  if (publish_will && st.will) {
    const bool delayed = st.will_delay_s > 0 && st.session_expiry_s > 0;
    const std::uint32_t delay = delayed ? std::min(st.will_delay_s, st.session_expiry_s) : 0;
    auto will = *st.will;
    if (st.will_expiry_s) {
      const auto now = std::chrono::duration_cast<std::chrono::milliseconds>(
                           std::chrono::system_clock::now().time_since_epoch()).count();
      will.set_expiry_deadline_ms(static_cast<std::uint64_t>(now) + (std::uint64_t{delay} + *st.will_expiry_s) * 1000);
    }
    if (delayed) {
      self->send(st.ctx->registry, will_atom::value, st.client_id, will, delay);
    } else {
      write_request r;
      if (will.retain()) r.retained.push_back(will);
      r.messages.push_back(std::move(will));
      self->request(st.ctx->writer, caf::infinite, write_atom::value, std::move(r)).then([](const write_result&) {});
    }
  }
  // The session outlives the connection only if it is persistent; then it is saved as it is now.
  if (is_persistent(self)) {
    write_request r;
    for (const auto& [topic, cursor] : st.cursors) st.dirty_offsets.insert(topic);
    add_session(st, r);
    r.sessions.back().session.set_disconnected_at_ms(static_cast<std::uint64_t>(
        std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
            .count()));
    const auto expiry = st.session_expiry_s;
    const auto registry = st.ctx->registry;
    const auto client_id = st.client_id;
    // Quit only after the save, so that a takeover (waiting for this actor to end) sees the session.
    self->request(st.ctx->writer, caf::infinite, write_atom::value, std::move(r))
        .then([self, registry, client_id, expiry](const write_result&) {
          if (expiry != 0xFFFFFFFF) self->send(registry, session_atom::value, client_id, expiry);
          self->quit();
        });
    return;
  }
  if (st.session_stored) {
    // A session that was stored (resumed, or persistent until DISCONNECT set its expiry to 0) ends now.
    write_request r;
    r.sessions.push_back({st.client_id, true, {}});
    self->request(st.ctx->writer, caf::infinite, write_atom::value, std::move(r)).then([self](const write_result&) {
      self->quit();
    });
    return;
  }
  self->quit();
}

caf::actor spawn_connection(caf::actor_system& system, std::shared_ptr<const broker_context> ctx,
                            std::shared_ptr<socket_link> link) {
  auto actor = system.spawn(connection, std::move(ctx), link);
  link->start(actor);
  return actor;
}

}  // namespace unimq::actors
