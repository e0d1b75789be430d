// SUBSCRIBE and UNSUBSCRIBE ([MQTT-3.8], [MQTT-3.10]): the session's subscriptions, their
// registration with the index shards (or, for `$share/...`, with their shared group), and retained
// messages on subscribe ([MQTT-3.3.1-9..11]).
#include <algorithm>

#include "actors/connection_steps.hpp"
#include "actors/countdown.hpp"
#include "actors/p2p.hpp"
#include "actors/shared_group.hpp"
#include "actors/sharding.hpp"
#include "config/log.hpp"
#include "protocol/topic.hpp"

namespace unimq::actors {
namespace {

using mqtt::reason_code;

template <class Atom>
void tell_shards(connection_actor* self, Atom atom, const std::string& filter) {
  const auto& shards = self->state.ctx->shards;
  for_each_shard_of(filter, shards.size(),
                    [&](std::size_t i) { self->send(shards[i], atom, filter, caf::actor_cast<caf::actor>(self)); });
}

// The SUBACK code for one requested subscription, before it is added.
reason_code check_filter(connection_actor* self, const mqtt::subscription& s) {
  const auto error = mqtt::validate_topic_filter(s.filter, self->state.ctx->options.max_topic_levels);
  if (error != mqtt::topic_error::none) return reason_code::topic_filter_invalid;
  return static_cast<reason_code>(s.options.max_qos);  // granted as requested: QoS 2 is supported
}

void send_retained(connection_actor* self, const std::string& filter) {
  self->request(self->state.ctx->reader, caf::infinite, retained_atom::value, filter)
      .then([self, filter](const std::vector<proto::StoredMessage>& messages) {
        auto& st = self->state;
        if (st.phase != connection_phase::connected) return;
        auto it = st.subscriptions.find(filter);
        if (it == st.subscriptions.end()) return;
        for (const auto& m : messages)
          if (!p2p_target(m.topic())) deliver_retained(self, m, it->second);  // p2p topics reach their target only
        flush(self);
      });
}

// A subscription starts receiving: a normal one through the index shards, a shared one through its
// group ([MQTT-4.8.2]).
void start_subscription(connection_actor* self, const std::string& filter) {
  if (is_shared(filter))
    join_shared_group(self, filter);
  else
    tell_shards(self, subscribe_atom::value, filter);
}

struct cover {
  std::string filter;
  std::uint64_t since;
  bool p2p;
};

void catch_up_all(connection_actor* self) {
  auto& st = self->state;
  if (st.phase != connection_phase::connected) return;
  st.resuming = false;
  for (auto& [topic, cursor] : st.cursors) catch_up(self, topic);
}

// Places a cursor on every topic the covers match that the session never read, at the first message
// at or after the cover's start; then the session reads on from every cursor.
void place_cursors(connection_actor* self, const std::vector<cover>& covers) {
  auto placed = std::make_shared<countdown>([self] { catch_up_all(self); });
  for (const auto& c : covers) {
    placed->expect();
    self->request(self->state.ctx->reader, caf::infinite, subscribe_atom::value, c.filter)
        .then([self, c, placed](const std::vector<std::string>& topics) {
          for (const auto& topic : topics) {
            // A normal filter never covers p2p topics (`#` matches them in storage, not in delivery).
            // A topic with a cursor was read before, or was first seen live and placed like this.
            if (self->state.cursors.count(topic) || p2p_target(topic).has_value() != c.p2p) continue;
            placed->expect();
            self->request(self->state.ctx->reader, caf::infinite, start_atom::value, topic, c.since)
                .then([self, topic, placed](std::uint64_t offset) {
                  auto [cursor, added] = self->state.cursors.try_emplace(topic);
                  if (added) cursor->second.next_offset = offset;
                  placed->arrive();
                });
          }
          placed->arrive();
        });
  }
  placed->arrive();
}

}  // namespace

void register_subscriptions(connection_actor* self, bool resumed) {
  auto& st = self->state;
  // A resumed session must also not miss what was stored while it was away on topics it never read:
  // it places a cursor on each at the first message at or after the subscription. Registration comes
  // first (the shards and, for p2p, the registry answer) and the look-up after it, so a topic created
  // in between is seen by the look-up or arrives live; one first seen live while `resuming` is placed
  // the same way (outbound.cpp), not at its live batch. Shared subscriptions read through their group.
  std::vector<cover> covers;
  for (const auto& [filter, sub] : st.subscriptions)
    if (!is_shared(filter)) covers.push_back({filter, sub.subscribed_at_sequence, false});
  if (p2p_supported(st.client_id)) covers.push_back({p2p_filter(st.client_id), st.p2p_since_sequence, true});
  st.resuming = resumed && !covers.empty();
  auto registered = std::make_shared<countdown>([self, covers] {
    if (self->state.phase != connection_phase::connected) return;
    if (self->state.resuming)
      place_cursors(self, covers);
    else
      catch_up_all(self);
  });
  const auto me = caf::actor_cast<caf::actor>(self);
  for (const auto& [filter, sub] : st.subscriptions) {
    if (is_shared(filter))
      join_shared_group(self, filter);
    else
      register_with_shards(self, registered, st.ctx->shards, filter, me);
  }
  if (p2p_supported(st.client_id)) ask_counted(self, registered, st.ctx->registry, p2p_atom::value, st.client_id);
  registered->arrive();
}

void on_subscribe(connection_actor* self, const mqtt::subscribe_packet& p) {
  auto& st = self->state;
  for (const auto& s : p.subscriptions)
    if (s.options.no_local && mqtt::parse_shared_filter(s.filter))
      return protocol_violation(self, reason_code::protocol_error, "No Local on a shared subscription [MQTT-3.8.3-4]");
  mqtt::suback_packet ack;
  ack.packet_id = p.packet_id;
  std::vector<std::pair<std::string, session_subscription>> accepted;
  for (const auto& s : p.subscriptions) {
    const reason_code code = check_filter(self, s);
    ack.reasons.push_back(code);
    if (mqtt::is_error(code)) {
      log::write(log::level::info, "subscribe",
                 "client=" + st.client_id + " refused filter \"" + std::string(s.filter) + "\": " + to_string(code));
      continue;
    }
    session_subscription sub;
    sub.options = s.options;
    if (!p.props.subscription_identifiers.empty()) sub.identifier = p.props.subscription_identifiers.front();
    accepted.emplace_back(std::string(s.filter), sub);
  }
  // The subscriptions join the session only with the commitlog position they start from (what a
  // reconnect catches up from on topics it never read), so no save can store them without it; for a
  // persistent session the SUBACK then waits until they are durable.
  auto finish = [self, ack, accepted](std::uint64_t next_sequence) {
    auto& st = self->state;
    if (st.phase != connection_phase::connected) return;
    std::vector<std::string> added, want_retained;
    for (const auto& [filter, sub] : accepted) {
      auto [it, is_new] = st.subscriptions.try_emplace(filter, sub);
      if (is_new) {
        it->second.subscribed_at_sequence = next_sequence;
        added.push_back(filter);
      } else {
        it->second.options = sub.options;
        it->second.identifier = sub.identifier;
      }
      // Retain Handling: 0 always, 1 only for a new subscription, 2 never. Shared subscriptions get no
      // retained messages: [MQTT-3.3.1-9] sends them "when a new Non-shared Subscription is made".
      const auto handling = sub.options.retain_handling;
      if (st.ctx->options.retain && !is_shared(filter) && (handling == 0 || (handling == 1 && is_new)))
        want_retained.push_back(filter);
    }
    persist(self, [self, ack, added, want_retained](const write_result&) {
      auto& st = self->state;
      for (const auto& f : added)
        if (st.subscriptions.count(f)) start_subscription(self, f);
      send_packet(self, ack);
      for (const auto& f : want_retained) send_retained(self, f);
      flush(self);
    });
  };
  // A shared subscription needs its start even without a persistent session: it may create its group.
  const bool shared = std::any_of(accepted.begin(), accepted.end(),
                                  [](const auto& a) { return is_shared(a.first); });
  if ((!is_persistent(self) && !shared) || accepted.empty()) return finish(0);
  self->request(st.ctx->reader, caf::infinite, stats_atom::value).then([finish](const storage_stats& s) {
    finish(s.next_sequence);
  });
}

void on_unsubscribe(connection_actor* self, const mqtt::unsubscribe_packet& p) {
  auto& st = self->state;
  mqtt::unsuback_packet ack;
  ack.packet_id = p.packet_id;
  for (auto filter : p.filters) {
    auto it = st.subscriptions.find(std::string(filter));
    if (it == st.subscriptions.end()) {
      ack.reasons.push_back(reason_code::no_subscription_existed);
      continue;
    }
    if (is_shared(it->first))
      leave_shared_group(self, it->first);
    else
      tell_shards(self, unsubscribe_atom::value, it->first);
    st.subscriptions.erase(it);
    ack.reasons.push_back(reason_code::success);
  }
  // Cursors of topics no remaining filter covers go, so that a later subscription does not start
  // from where an old one stopped and replay what was published in between.
  for (auto c = st.cursors.begin(); c != st.cursors.end();) {
    const bool covered = p2p_target(c->first) || std::any_of(st.subscriptions.begin(), st.subscriptions.end(), [&](const auto& sub) {
      return !is_shared(sub.first) && mqtt::topic_matches(sub.first, c->first);
    });
    if (covered || c->second.reading) {
      ++c;
      continue;
    }
    st.dirty_offsets.erase(c->first);
    drop_held(st, c->second);
    c = st.cursors.erase(c);
  }
  persist(self, [self, ack](const write_result&) {
    if (self->state.phase != connection_phase::connected) return;
    send_packet(self, ack);
    flush(self);
  });
}

}  // namespace unimq::actors
