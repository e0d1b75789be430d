#include "actors/index_shard.hpp"

#include <algorithm>
#include <unordered_map>

#include "actors/messages.hpp"
#include "actors/p2p.hpp"
#include "actors/sharding.hpp"
#include "actors/subscription_trie.hpp"

namespace unimq::actors {
namespace {

// Messages per read: large enough to amortise a read, small enough to keep batches short.
constexpr std::uint32_t kReadBatch = 512;

struct subscriber {
  caf::actor handle;
  std::vector<std::string> filters;  // with repeats: one entry per subscribe
};

// Who receives a topic's messages: the connections whose filters match it or, for a p2p topic, its
// target client, reached through the session registry (which knows the connection holding each client
// id, so an idle connection costs the shards nothing). No filter ever receives a p2p topic.
struct audience {
  std::vector<subscription_trie::id> ids;
  std::string p2p_client;  // empty: not a p2p topic
  bool empty() const { return ids.empty() && p2p_client.empty(); }
};

struct shard_state {
  static inline const char* name = "index-shard";
  std::size_t index = 0;
  std::size_t count = 1;
  caf::actor reader;
  caf::actor registry;
  subscription_trie trie;
  std::unordered_map<subscription_trie::id, subscriber> subscribers;
  std::unordered_map<caf::actor_addr, subscription_trie::id> ids;
  subscription_trie::id next_id = 1;
};

using shard_actor = caf::stateful_actor<shard_state>;

void remove_subscriber(shard_actor* self, const caf::actor_addr& addr) {
  auto it = self->state.ids.find(addr);
  if (it == self->state.ids.end()) return;
  const auto id = it->second;
  const auto& sub = self->state.subscribers[id];
  for (const auto& f : sub.filters) self->state.trie.erase(f, id);
  self->state.subscribers.erase(id);
  self->state.ids.erase(it);
}

// The id of `connection`, which is monitored from its first registration on.
subscription_trie::id subscriber_id(shard_actor* self, const caf::actor& connection) {
  auto [it, added] = self->state.ids.emplace(connection.address(), self->state.next_id);
  if (added) {
    ++self->state.next_id;
    self->monitor(connection);
    self->state.subscribers[it->second].handle = connection;
  }
  return it->second;
}

// Sends `msg` (one shared message, not copied) to everyone in `to`.
void send_to(shard_actor* self, const audience& to, const caf::message& msg) {
  if (!to.p2p_client.empty()) self->send(self->state.registry, p2p_atom::value, to.p2p_client, msg);
  for (auto id : to.ids)
    if (auto it = self->state.subscribers.find(id); it != self->state.subscribers.end()) self->send(it->second.handle, msg);
}

// Reads [from, to) of `topic` in batches and sends each batch, unchanged, to `readers`.
void read_and_fan_out(shard_actor* self, std::string topic, std::uint64_t from, std::uint64_t to, audience readers) {
  const auto count = static_cast<std::uint32_t>(std::min<std::uint64_t>(to - from, kReadBatch));
  self->request(self->state.reader, caf::infinite, read_atom::value, topic, from, count)
      .then([self, topic, to, readers = std::move(readers)](queue_batch& batch) mutable {
        if (!batch.error.empty() || batch.entries.empty()) return;
        const std::uint64_t next = batch.next_offset;
        send_to(self, readers, caf::make_message(deliver_atom::value, std::move(batch)));
        if (next < to) read_and_fan_out(self, std::move(topic), next, to, std::move(readers));
      });
}

// Who receives `topic`; each matching connection once.
audience match(shard_actor* self, const std::string& topic) {
  audience a;
  if (auto target = p2p_target(topic)) {
    a.p2p_client = *target;
    return a;
  }
  self->state.trie.match(topic, [&](subscription_trie::id id) { a.ids.push_back(id); });
  std::sort(a.ids.begin(), a.ids.end());
  a.ids.erase(std::unique(a.ids.begin(), a.ids.end()), a.ids.end());
  return a;
}

// Sends each matching connection the topic's committed messages the writer handed over (one shared
// message), and reads from storage what did not fit into the event. A connection whose cursor is
// not at the batch's start (lagging, paused, resuming) reads on from storage itself (outbound.cpp).
void on_committed(shard_actor* self, const committed_event& event) {
  for (const auto& t : event.topics) {
    const auto& growth = t.growth;
    if (shard_of(growth.topic, self->state.count) != self->state.index) continue;
    auto matched = match(self, growth.topic);
    if (matched.empty()) continue;
    std::uint64_t from = growth.from_offset;
    if (t.batch.match_elements<deliver_atom, queue_batch>()) {
      send_to(self, matched, t.batch);
      from = std::max(from, t.batch.get_as<queue_batch>(1).next_offset);
    }
    if (from < growth.to_offset) read_and_fan_out(self, growth.topic, from, growth.to_offset, std::move(matched));
  }
}

caf::behavior shard(shard_actor* self, std::size_t index, std::size_t count, caf::actor reader, caf::actor registry) {
  self->state.index = index;
  self->state.count = count;
  self->state.reader = std::move(reader);
  self->state.registry = std::move(registry);
  self->set_down_handler([self](const caf::down_msg& down) { remove_subscriber(self, down.source); });
  return {
      [self](subscribe_atom, const std::string& filter, const caf::actor& connection) {
        const auto id = subscriber_id(self, connection);
        self->state.subscribers[id].filters.push_back(filter);
        self->state.trie.insert(filter, id);
      },
      [self](unsubscribe_atom, const std::string& filter, const caf::actor& connection) {
        auto it = self->state.ids.find(connection.address());
        if (it == self->state.ids.end()) return;
        auto& filters = self->state.subscribers[it->second].filters;
        auto f = std::find(filters.begin(), filters.end(), filter);
        if (f == filters.end()) return;
        filters.erase(f);
        self->state.trie.erase(filter, it->second);
        if (filters.empty()) {
          self->demonitor(connection);
          self->state.subscribers.erase(it->second);
          self->state.ids.erase(it);
        }
      },
      [self](notify_atom, const committed_event& event) { on_committed(self, event); },
  };
}

}  // namespace

caf::actor spawn_index_shard(caf::actor_system& system, std::size_t index, std::size_t count, caf::actor reader,
                             caf::actor registry) {
  return system.spawn(shard, index, count, std::move(reader), std::move(registry));
}

}  // namespace unimq::actors
