// The member side of shared subscriptions ([MQTT-4.8.2], see shared_group.hpp) and the session's
// implicit p2p subscription (p2p.hpp).
#include "actors/connection_steps.hpp"
#include "actors/p2p.hpp"
#include "actors/shared_group.hpp"
#include "protocol/topic.hpp"

namespace unimq::actors {

void join_shared_group(connection_actor* self, const std::string& filter) {
  auto& st = self->state;
  const auto parsed = mqtt::parse_shared_filter(filter);
  const auto sub = st.subscriptions.find(filter);
  if (!parsed || sub == st.subscriptions.end()) return;
  const auto window = static_cast<std::uint32_t>(inflight_window(st));
  self->request(st.ctx->groups, caf::infinite, subscribe_atom::value, std::string(parsed->group),
                std::string(parsed->filter), sub->second.subscribed_at_sequence, window)
      .then([self, filter](const caf::actor& group) {
        auto& st = self->state;
        if (!st.subscriptions.count(filter)) {  // unsubscribed meanwhile
          self->send(group, unsubscribe_atom::value, caf::actor_cast<caf::actor>(self));
          return;
        }
        st.shared_groups[filter] = group;
        // A message refused before this answer came: the group waits for word that there is room.
        if (st.shared_refused) self->send(group, resume_atom::value);
      });
}

void leave_shared_group(connection_actor* self, const std::string& filter) {
  auto& groups = self->state.shared_groups;
  auto it = groups.find(filter);
  if (it == groups.end()) return;
  self->send(it->second, unsubscribe_atom::value, caf::actor_cast<caf::actor>(self));
  groups.erase(it);
}

void shared_room_again(connection_actor* self) {
  auto& st = self->state;
  if (!st.shared_refused) return;
  st.shared_refused = false;
  for (const auto& [filter, group] : st.shared_groups) self->send(group, resume_atom::value);
}

}  // namespace unimq::actors
