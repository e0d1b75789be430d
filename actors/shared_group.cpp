// One shared subscription group (see shared_group.hpp): reads the topic queues its filter covers from
// the group's committed offsets, hands each message to one member, and commits what was acknowledged.
#include <algorithm>
#include <set>
#include <unordered_map>

#include "actors/countdown.hpp"
#include "actors/messages.hpp"
#include "actors/p2p.hpp"
#include "actors/shared_group.hpp"
#include "actors/shared_group_tracker.hpp"
#include "config/log.hpp"

namespace unimq::actors {
namespace {

// Messages a group holds in memory (read, not yet acknowledged) per topic queue and in all: enough to
// keep its members busy; the rest waits in storage.
constexpr std::uint32_t kReadAhead = 256;
constexpr std::size_t kGroupReadAhead = 4096;

using tracker = shared_group_tracker<queue_entry>;

struct group_topic {
  tracker messages;
  bool reading = false;
  std::uint64_t head = 0;       ///< the furthest next offset announced (by live batches or the last read)
  std::uint64_t committed = 0;  ///< the offset last sent to storage
};

struct member {
  caf::actor handle;
  tracker::member_id id = 0;
  std::size_t window = 1;       ///< the member's min(Receive Maximum, max-inflight)
  std::size_t outstanding = 0;  ///< messages handed to it and not acknowledged
  bool blocked = false;         ///< it refused a message for want of room; waits for its resume
};

struct group_state {
  static inline const char* name = "shared-group";
  std::string share, filter, full_filter, consumer;
  caf::actor directory, writer, reader;
  std::vector<caf::actor> shards;
  bool started = false;
  std::uint64_t since = 0;  ///< the commitlog sequence the group started at
  std::unordered_map<std::string, group_topic> topics;
  std::size_t held = 0;           ///< messages held over all topics
  std::set<std::string> waiting;  ///< topics with messages handed to nobody, served in turn
  std::string last_served;
  std::set<std::string> starved;  ///< topics that did not read on because the group held too much
  std::set<std::string> placing;  ///< topics first seen live whose start offset is being looked up
  std::vector<member> members;
  tracker::member_id next_member = 1;
  std::size_t round_robin = 0;
  std::uint64_t joins = 0;
  std::set<std::string> dirty;  ///< topics whose commit point moved past `committed`
  bool commit_running = false;
};

using group_actor = caf::stateful_actor<group_state>;

member* find_member(group_state& st, const caf::actor_addr& addr) {
  for (auto& m : st.members)
    if (m.handle.address() == addr) return &m;
  return nullptr;
}

// The member with room that holds the fewest messages; among equals, the next in turn.
member* pick(group_state& st) {
  member* best = nullptr;
  std::size_t best_index = 0;
  const std::size_t n = st.members.size();
  for (std::size_t k = 0; k < n; ++k) {
    const std::size_t i = (st.round_robin + k) % n;
    auto& m = st.members[i];
    if (m.blocked || m.outstanding >= m.window) continue;
    if (!best || m.outstanding < best->outstanding) {
      best = &m;
      best_index = i;
    }
  }
  if (best) st.round_robin = best_index + 1;
  return best;
}

// Hands waiting messages to members while one has room, one topic after the other so that a busy
// topic does not hold the others back.
void dispatch(group_actor* self) {
  auto& st = self->state;
  while (!st.waiting.empty()) {
    auto next = st.waiting.upper_bound(st.last_served);
    const std::string topic = next == st.waiting.end() ? *st.waiting.begin() : *next;
    member* m = pick(st);
    if (!m) return;
    auto& messages = st.topics.at(topic).messages;
    const std::uint64_t offset = *messages.next_waiting();
    messages.assign(offset, m->id);
    ++m->outstanding;
    self->send(m->handle, share_atom::value, st.full_filter, topic, messages.value(offset));
    st.last_served = topic;
    if (!messages.next_waiting()) st.waiting.erase(topic);
  }
}

// A group without members ends (through the directory, so that no join is lost) once its offsets are written.
void check_idle(group_actor* self) {
  auto& st = self->state;
  if (st.started && st.members.empty() && !st.commit_running && st.dirty.empty())
    self->send(st.directory, idle_atom::value, st.share, st.filter, st.joins);
}

// Writes the commit points that moved; one write at a time, later moves go with the next.
void write_commits(group_actor* self) {
  auto& st = self->state;
  if (st.commit_running || st.dirty.empty()) return;
  write_request r;
  for (const auto& topic : st.dirty) {
    auto& t = st.topics.at(topic);
    t.committed = t.messages.commit_point();
    offset_commit o;
    o.consumer = st.consumer;
    o.topic = topic;
    o.next_offset = t.committed;
    r.offsets.push_back(std::move(o));
  }
  auto written = std::move(st.dirty);
  st.dirty.clear();
  st.commit_running = true;
  self->request(st.writer, caf::infinite, write_atom::value, std::move(r))
      .then([self, written = std::move(written)](const write_result& result) {
        auto& st = self->state;
        st.commit_running = false;
        if (!result.ok()) {
          // Written again with the next acknowledgement; until then a restart redelivers (QoS 1 allows it).
          log::write(log::level::error, "share", "group " + st.full_filter + " could not commit: " + result.error);
          st.dirty.insert(written.begin(), written.end());
          return;
        }
        write_commits(self);
        check_idle(self);
      });
}

void note_commit(group_actor* self, const std::string& topic) {
  auto& t = self->state.topics.at(topic);
  if (t.messages.commit_point() <= t.committed) return;
  self->state.dirty.insert(topic);
  write_commits(self);
}

void add_entries(group_state& st, const std::string& topic, const std::vector<queue_entry>& entries) {
  auto& t = st.topics.at(topic);
  for (const auto& e : entries)
    if (e.offset >= t.messages.read_to()) {
      t.messages.add(e.offset, e);
      ++st.held;
      st.waiting.insert(topic);
    }
}

// Reads on from storage while the queue has more than the group holds and the read-ahead has room.
void read_more(group_actor* self, const std::string& topic) {
  auto& st = self->state;
  auto& t = st.topics.at(topic);
  if (t.reading || t.messages.read_to() >= t.head || t.messages.buffered() >= kReadAhead) return;
  if (st.held >= kGroupReadAhead) {
    st.starved.insert(topic);
    return;
  }
  t.reading = true;
  const auto count = static_cast<std::uint32_t>(
      std::min<std::size_t>(kReadAhead - t.messages.buffered(), kGroupReadAhead - st.held));
  self->request(self->state.reader, caf::infinite, read_atom::value, topic, t.messages.read_to(), count)
      .then([self, topic, head_before = t.head](const queue_batch& batch) {
        auto& st = self->state;
        auto& t = st.topics.at(topic);
        t.reading = false;
        if (!batch.error.empty()) {
          log::write(log::level::error, "share", "group " + st.full_filter + " reading " + topic + ": " + batch.error);
          return;
        }
        if (batch.skipped_to_oldest)
          log::write(log::level::warn, "share", "group " + st.full_filter + " lagged behind retention on " + topic);
        add_entries(st, topic, batch.entries);
        t.messages.skip_to(batch.next_offset);
        // The read tells the truth about the queue's end unless a live batch announced more meanwhile.
        t.head = t.head == head_before ? batch.end_offset : std::max(t.head, batch.end_offset);
        note_commit(self, topic);  // retention may have moved the group past deleted messages
        dispatch(self);
        read_more(self, topic);
      });
}

void add_topic(group_actor* self, const std::string& topic, std::uint64_t offset) {
  auto [it, added] = self->state.topics.try_emplace(topic, group_topic{tracker(offset), false, offset + 1, offset});
  if (added) read_more(self, topic);  // head one past the start: one read finds the queue's end
}

// A topic the group has no offset for (first seen live, or found by the lookup at its start) starts
// at the first message at or after the group's start: nothing committed since is skipped.
void place(group_actor* self, const std::string& topic) {
  auto& st = self->state;
  if (st.topics.count(topic) || !st.placing.insert(topic).second) return;
  self->request(st.reader, caf::infinite, start_atom::value, topic, st.since)
      .then([self, topic](std::uint64_t offset) {
        self->state.placing.erase(topic);
        add_topic(self, topic, offset);
      });
}

void on_live_batch(group_actor* self, const queue_batch& batch) {
  if (batch.entries.empty()) return;
  auto it = self->state.topics.find(batch.topic);
  if (it == self->state.topics.end()) return place(self, batch.topic);
  auto& t = it->second;
  t.head = std::max(t.head, batch.next_offset);
  auto& st = self->state;
  if (!t.reading && batch.entries.front().offset <= t.messages.read_to() &&
      t.messages.buffered() + batch.entries.size() <= kReadAhead && st.held + batch.entries.size() <= kGroupReadAhead) {
    add_entries(st, batch.topic, batch.entries);
    t.messages.skip_to(batch.next_offset);
    return dispatch(self);
  }
  read_more(self, batch.topic);  // a gap, or more than the read-ahead holds: storage has it
}

// Stores the group's record (its start) the first time, so that a restart starts it at the same place.
void save_record(group_actor* self) {
  auto& st = self->state;
  proto::Session record;
  record.set_client_id(st.consumer);
  auto* sub = record.add_subscriptions();
  sub->set_filter(st.full_filter);
  sub->set_subscribed_at_sequence(st.since);
  write_request r;
  r.sessions.push_back({st.consumer, false, std::move(record)});
  self->request(st.writer, caf::infinite, write_atom::value, std::move(r)).then([self](const write_result& result) {
    if (!result.ok())
      log::write(log::level::error, "share", "group " + self->state.full_filter + " could not be stored: " + result.error);
  });
}

// Places every topic the filter already covers (a p2p topic goes to its target only).
void look_up_topics(group_actor* self) {
  self->request(self->state.reader, caf::infinite, subscribe_atom::value, self->state.filter)
      .then([self](const std::vector<std::string>& topics) {
        for (const auto& topic : topics)
          if (!p2p_target(topic)) place(self, topic);
      });
}

// Registers with the shards and, once every one of them has, looks up the topics in storage. A
// message committed before a shard registered the group is in storage when the lookup reads it, one
// committed after comes live: no new topic falls between the two (looking up first would miss a
// topic whose first message is committed between the lookup and the registration).
void register_and_look_up(group_actor* self) {
  auto registered = std::make_shared<countdown>([self] { look_up_topics(self); });
  register_with_shards(self, registered, self->state.shards, self->state.filter, caf::actor_cast<caf::actor>(self));
  registered->arrive();
}

// Loads the group's start and committed offsets, then registers and looks up the topics it never
// read. A live batch cannot skip history: a topic it announces first is placed at the group's start.
void start(group_actor* self, std::uint64_t sequence) {
  auto& st = self->state;
  st.started = true;
  self->request(st.reader, caf::infinite, session_atom::value, st.consumer)
      .then([self, sequence](const stored_session& stored) {
        auto& st = self->state;
        if (stored.found && stored.session.subscriptions_size() > 0) {
          st.since = stored.session.subscriptions(0).subscribed_at_sequence();
        } else {
          st.since = sequence;
          save_record(self);
        }
        log::write(log::level::info, "share",
                   "group " + st.full_filter + (stored.found ? " resumed" : " created") + " at sequence " +
                       std::to_string(st.since) + " with " + std::to_string(stored.offsets.size()) + " committed offsets");
        for (const auto& o : stored.offsets) add_topic(self, o.topic, o.next_offset);
        register_and_look_up(self);
      });
}

void remove_member(group_actor* self, const caf::actor_addr& addr) {
  auto& st = self->state;
  auto it = std::find_if(st.members.begin(), st.members.end(), [&](const member& m) { return m.handle.address() == addr; });
  if (it == st.members.end()) return;
  // Its unacknowledged messages go to the others ([MQTT-4.8.2]: the Server SHOULD send them to another Client).
  for (auto& [topic, t] : st.topics)
    if (t.messages.release(it->id) > 0) st.waiting.insert(topic);
  st.members.erase(it);
  dispatch(self);
  check_idle(self);
}

caf::behavior group(group_actor* self, caf::actor directory, std::string share, std::string filter, caf::actor writer,
                    caf::actor reader, std::vector<caf::actor> shards) {
  auto& st = self->state;
  st.full_filter = "$share/" + share + "/" + filter;
  st.consumer = shared_group_consumer(share, filter);
  st.share = std::move(share);
  st.filter = std::move(filter);
  st.directory = std::move(directory);
  st.writer = std::move(writer);
  st.reader = std::move(reader);
  st.shards = std::move(shards);
  self->set_down_handler([self](const caf::down_msg& down) { remove_member(self, down.source); });
  self->set_error_handler([self](caf::error& e) {
    log::write(log::level::error, "share", "group " + self->state.full_filter + " failed: " + self->system().render(e));
    self->quit(std::move(e));
  });
  return {
      [self](subscribe_atom, const caf::actor& handle, std::uint64_t sequence, std::uint32_t window) {
        auto& st = self->state;
        ++st.joins;
        const std::size_t room = std::max<std::uint32_t>(window, 1);
        if (auto* m = find_member(st, handle.address())) {
          m->window = room;
          m->blocked = false;
        } else {
          st.members.push_back({handle, st.next_member++, room, 0, false});
          self->monitor(handle);
        }
        if (!st.started) start(self, sequence);
        dispatch(self);
      },
      [self](unsubscribe_atom, const caf::actor& handle) {
        self->demonitor(handle);
        remove_member(self, handle.address());
      },
      [self](share_ack_atom, const std::string& topic, std::uint64_t offset, bool delivered) {
        auto& st = self->state;
        member* m = find_member(st, caf::actor_cast<caf::actor_addr>(self->current_sender()));
        auto it = st.topics.find(topic);
        if (!m || it == st.topics.end()) return;
        auto& messages = it->second.messages;
        if (!(delivered ? messages.acknowledge(offset, m->id) : messages.give_back(offset, m->id))) return;
        --m->outstanding;
        if (delivered) {
          --st.held;
          note_commit(self, topic);
        } else {
          m->blocked = true;
          st.waiting.insert(topic);
        }
        dispatch(self);
        read_more(self, topic);
        if (st.held < kGroupReadAhead) {
          auto starved = std::move(st.starved);
          st.starved.clear();
          for (const auto& s : starved) read_more(self, s);
        }
      },
      [self](resume_atom) {
        if (auto* m = find_member(self->state, caf::actor_cast<caf::actor_addr>(self->current_sender()))) {
          m->blocked = false;
          dispatch(self);
        }
      },
      [self](deliver_atom, const queue_batch& batch) { on_live_batch(self, batch); },
      [self](shutdown_atom) {
        log::write(log::level::info, "share", "group " + self->state.full_filter + " has no members: ends");
        self->quit();
      },
  };
}

}  // namespace

caf::actor spawn_shared_group(caf::actor_system& system, caf::actor directory, std::string share, std::string filter,
                              caf::actor writer, caf::actor reader, std::vector<caf::actor> shards) {
  return system.spawn(group, std::move(directory), std::move(share), std::move(filter), std::move(writer),
                      std::move(reader), std::move(shards));
}

}  // namespace unimq::actors
