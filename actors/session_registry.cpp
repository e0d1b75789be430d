#include "actors/session_registry.hpp"

#include <unordered_map>

#include "actors/messages.hpp"
#include "actors/p2p.hpp"
#include "config/log.hpp"

namespace unimq::actors {
namespace {

struct pending_will {
  proto::StoredMessage message;
  std::uint64_t generation = 0;
};

struct registry_state {
  static inline const char* name = "session-registry";
  caf::actor writer;
  caf::actor reader;
  struct online_client {
    caf::actor connection;
    bool takes_p2p = false;  ///< its session is ready for its p2p topics (it said so)
  };
  std::unordered_map<std::string, online_client> online;
  // Connections being taken over: their address -> the registration waiting for them to end.
  struct takeover {
    caf::response_promise promise;
    std::string client_id;
    bool clean_start;  ///< of the new connection: decides the old one's delayed Will
  };
  std::unordered_map<caf::actor_addr, takeover> takeovers;
  std::unordered_map<caf::actor_addr, caf::actor> registering;  // the new connection of a takeover
  std::unordered_map<std::string, pending_will> wills;
  std::unordered_map<std::string, std::uint64_t> expiries;  // client id -> generation of its timer
  std::uint64_t generation = 0;
};

using registry_actor = caf::stateful_actor<registry_state>;

std::uint64_t now_ms() {
  return static_cast<std::uint64_t>(std::chrono::duration_cast<std::chrono::milliseconds>(
                                        std::chrono::system_clock::now().time_since_epoch())
                                        .count());
}

void publish(registry_actor* self, proto::StoredMessage message) {
  write_request request;
  if (message.retain()) request.retained.push_back(message);
  request.messages.push_back(std::move(message));
  self->request(self->state.writer, caf::infinite, write_atom::value, std::move(request))
      .then([](const write_result& r) {
        if (!r.ok()) log::write(log::level::error, "will", "could not publish a Will: " + r.error);
      });
}

void publish_will(registry_actor* self, const std::string& client_id) {
  auto it = self->state.wills.find(client_id);
  if (it == self->state.wills.end()) return;
  log::write(log::level::info, "will", "client=" + client_id + " publishing delayed Will");
  publish(self, std::move(it->second.message));
  self->state.wills.erase(it);
}

void schedule_expiry(registry_actor* self, const std::string& client_id, std::chrono::seconds after) {
  const auto gen = ++self->state.generation;
  self->state.expiries[client_id] = gen;
  self->delayed_send(self, after, tick_atom::value, client_id, gen);
}

void expire(registry_actor* self, const std::string& client_id, std::uint64_t gen) {
  auto it = self->state.expiries.find(client_id);
  if (it == self->state.expiries.end() || it->second != gen) return;
  self->state.expiries.erase(it);
  if (self->state.online.count(client_id)) return;
  log::write(log::level::info, "session", "client=" + client_id + " session expired");
  publish_will(self, client_id);  // [MQTT-3.1.3-9]: at the latest when the session ends
  write_request request;
  request.sessions.push_back({client_id, true, {}});
  self->request(self->state.writer, caf::infinite, write_atom::value, std::move(request)).then([](const write_result&) {});
}

void load_sessions(registry_actor* self) {
  self->request(self->state.reader, caf::infinite, sessions_atom::value)
      .then([self](const std::vector<proto::Session>& sessions) {
        const auto now = now_ms();
        for (const auto& s : sessions) {
          if (self->state.online.count(s.client_id())) continue;
          const std::uint64_t expiry_s = s.session_expiry_interval_s();
          if (expiry_s == 0 || expiry_s == 0xFFFFFFFF) continue;  // 0 here means "no expiry" (3.1.1)
          // A session saved while its client was connected went offline when the broker stopped.
          const std::uint64_t since = s.has_disconnected_at_ms() ? s.disconnected_at_ms() : now;
          const std::uint64_t deadline = since + expiry_s * 1000;
          schedule_expiry(self, s.client_id(),
                          std::chrono::seconds(deadline > now ? (deadline - now + 999) / 1000 : 0));
        }
      });
}

caf::behavior registry(registry_actor* self, caf::actor writer, caf::actor reader) {
  self->state.writer = std::move(writer);
  self->state.reader = std::move(reader);
  self->set_down_handler([self](const caf::down_msg& down) {
    auto& st = self->state;
    for (auto it = st.online.begin(); it != st.online.end(); ++it)
      if (it->second.connection.address() == down.source) {
        st.online.erase(it);
        break;
      }
    // A connection that died while waiting for a takeover must not become the owner afterwards.
    for (auto r = st.registering.begin(); r != st.registering.end(); ++r)
      if (r->second.address() == down.source) {
        r->second = nullptr;
        break;
      }
    auto t = st.takeovers.find(down.source);
    if (t == st.takeovers.end()) return;
    auto [promise, client_id, clean_start] = std::move(t->second);
    st.takeovers.erase(t);
    // The old connection handed a delayed Will over before it ended: a resumed session cancels it, a
    // new one ends the old session, so the Will goes now [MQTT-3.1.3-9].
    if (st.wills.count(client_id)) {
      if (clean_start)
        publish_will(self, client_id);
      else
        st.wills.erase(client_id);
    }
    auto r = st.registering.find(down.source);
    if (r != st.registering.end()) {
      if (r->second) st.online[client_id] = {r->second};
      st.registering.erase(r);
    }
    promise.deliver(true);
  });
  load_sessions(self);
  return {
      [self](register_atom, const std::string& client_id, bool clean_start) -> caf::result<bool> {
        auto& st = self->state;
        auto conn = caf::actor_cast<caf::actor>(self->current_sender());
        st.expiries.erase(client_id);
        // A delayed Will: cancelled by a resumed session, published now if the session ends.
        if (st.wills.count(client_id)) {
          if (clean_start)
            publish_will(self, client_id);
          else
            st.wills.erase(client_id);
        }
        // A takeover of this client id is under way: the newest connection replaces the one waiting.
        for (auto& [old_addr, pending] : st.takeovers) {
          if (pending.client_id != client_id) continue;
          auto& waiting = st.registering[old_addr];
          if (waiting) self->send(waiting, takeover_atom::value);
          waiting = conn;
          self->monitor(conn);
          pending.promise.deliver(false);
          pending.promise = self->make_response_promise();
          pending.clean_start = clean_start;
          return caf::delegated<bool>();
        }
        auto it = st.online.find(client_id);
        if (it == st.online.end() || it->second.connection == conn) {
          st.online[client_id].connection = conn;
          self->monitor(conn);
          return true;
        }
        // Takeover: the old connection saves its session and stops; answer once it is gone.
        auto old = it->second.connection;
        st.online.erase(it);
        self->monitor(conn);
        auto promise = self->make_response_promise();
        st.takeovers.emplace(old.address(), registry_state::takeover{promise, client_id, clean_start});
        st.registering.emplace(old.address(), conn);
        self->send(old, takeover_atom::value);
        return caf::delegated<bool>();
      },
      [self](will_atom, const std::string& client_id, const proto::StoredMessage& will, std::uint32_t delay_s) {
        const auto gen = ++self->state.generation;
        self->state.wills[client_id] = {will, gen};
        self->delayed_send(self, std::chrono::seconds(delay_s), will_atom::value, client_id, gen);
      },
      [self](will_atom, const std::string& client_id, std::uint64_t gen) {
        auto it = self->state.wills.find(client_id);
        if (it != self->state.wills.end() && it->second.generation == gen) publish_will(self, client_id);
      },
      [self](session_atom, const std::string& client_id, std::uint32_t expiry_s) {
        if (expiry_s != 0) schedule_expiry(self, client_id, std::chrono::seconds(expiry_s));
      },
      [self](tick_atom, const std::string& client_id, std::uint64_t gen) { expire(self, client_id, gen); },
      [self](p2p_atom, const std::string& client_id) {
        auto& st = self->state;
        auto it = st.online.find(client_id);
        if (it != st.online.end() && it->second.connection.address() == self->current_sender()) it->second.takes_p2p = true;
      },
      [self](p2p_atom, const std::string& client_id, const caf::message& batch) {
        auto& online = self->state.online;
        if (auto it = online.find(client_id); it != online.end() && it->second.takes_p2p) self->send(it->second.connection, batch);
      },
  };
}

}  // namespace

caf::actor spawn_session_registry(caf::actor_system& system, caf::actor writer, caf::actor reader) {
  return system.spawn(registry, std::move(writer), std::move(reader));
}

}  // namespace unimq::actors
