#include "actors/storage_writer.hpp"

#include <map>

#include "actors/messages.hpp"
#include "actors/sharding.hpp"
#include "config/log.hpp"
#include "protocol/topic.hpp"

namespace unimq::actors {
namespace {

// Retention runs between commits, at most this often.
constexpr auto kRetentionInterval = std::chrono::seconds(10);

struct pending_write {
  caf::response_promise promise;
  write_request request;
};

/// An index shard that listens: it gets the committed messages of the topics it owns.
struct shard_listener {
  caf::actor handle;
  std::uint32_t index = 0;
  std::uint32_t count = 1;
};

struct writer_state {
  static inline const char* name = "storage-writer";
  std::shared_ptr<storage::store> store;
  caf::actor reader;
  std::vector<pending_write> pending;
  bool flush_scheduled = false;
  std::vector<caf::actor> listeners;  // get notify events only
  std::vector<shard_listener> shards;
  caf::actor timer;  // retention_timer
};

using writer_actor = caf::stateful_actor<writer_state>;

// One grown topic queue of a commit, with the prefix of its new messages kept in memory.
struct grown_topic {
  topic_growth growth;
  queue_batch batch;
  bool cut = false;  // a message did not fit the event's cap: so does none after it
};

// Messages held in memory for one commit's handover, and how many bytes they have.
struct handover {
  bool wanted = false;  // some shard listens
  std::size_t bytes = 0;
};

// The messages are moved into the batch; the writer takes them back after the commit.
void add_to_batch(write_request& r, storage::write_batch& batch) {
  for (auto& m : r.messages) batch.append(std::move(m));
  for (const auto& m : r.retained) {
    if (m.payload().empty())
      batch.delete_retained(m.topic());
    else
      batch.put_retained(m);
  }
  for (const auto& o : r.offsets)
    batch.commit_offset(o.consumer,
                        o.first_level ? storage::queue_id::first_level(o.topic, o.partition) : storage::queue_id::topic(o.topic),
                        o.next_offset);
  for (const auto& s : r.sessions) {
    if (s.erase) {
      batch.delete_session(s.client_id);
      batch.delete_offsets(s.client_id);
    } else {
      batch.put_session(s.client_id, s.session);
    }
  }
}

write_result failure(const storage::status& s) {
  write_result r;
  r.error = s.to_string();
  r.quota_exceeded = s.code() == storage::status_code::quota_exceeded;
  return r;
}

// Keeps the committed `message` as the next entry of its topic's in-memory batch while the event has
// room, with the fields the store wrote on append, so it is what a read would return. Entries stay a
// prefix of the topic's growth: after the first message that does not fit, none is kept.
void hand_over(grown_topic& g, const storage::appended_message& a, proto::StoredMessage&& message, handover& h) {
  if (!h.wanted || g.cut || h.bytes + a.stored_bytes > kMaxHandoverBytes) {
    g.cut = true;
    return;
  }
  h.bytes += a.stored_bytes;
  message.set_timestamp_ms(a.timestamp_ms);
  message.set_partition(a.partition);
  message.set_first_level_offset(a.first_level_offset);
  message.set_topic_offset(a.topic_offset);
  g.batch.entries.push_back({a.topic_offset, a.sequence, std::move(message)});
}

// Commits `writes` in one transaction; collects the answer to each one and which topics grew, with
// their committed messages (moved out of the requests).
void commit(writer_actor* self, std::vector<pending_write>& writes, std::vector<write_result>& answers,
            std::map<std::string, grown_topic>& grown) {
  storage::write_batch batch;
  for (auto& w : writes) add_to_batch(w.request, batch);
  auto result = self->state.store->append(batch);
  if (!result) {
    log::write(log::level::error, "storage", "commit of " + std::to_string(writes.size()) +
                                                 " write requests failed: " + result.error().to_string());
    answers.assign(writes.size(), failure(result.error()));
    return;
  }
  auto messages = batch.take_messages();  // in the order of result->messages
  std::size_t next = 0;
  const std::uint64_t next_sequence = self->state.store->stats().next_sequence;
  handover h{!self->state.shards.empty()};
  for (auto& w : writes) {
    write_result answer;
    answer.next_sequence = next_sequence;
    for (std::size_t i = 0; i < w.request.messages.size(); ++i, ++next) {
      const auto& m = result->messages[next];
      auto& message = messages[next];
      answer.messages.push_back({m.sequence, m.topic_offset, m.partition, m.first_level_offset});
      auto& g = grown[message.topic()];
      if (g.growth.topic.empty()) {
        g.growth.topic = message.topic();
        g.growth.from_offset = m.topic_offset;
      }
      g.growth.to_offset = m.topic_offset + 1;
      hand_over(g, m, std::move(message), h);
    }
    answers.push_back(std::move(answer));
  }
}

// Each shard gets its own topics, every in-memory batch built once into a message that the events
// (and then the subscribers) share.
void notify_shards(writer_actor* self, std::map<std::string, grown_topic>& grown) {
  std::vector<committed_topic> committed;
  committed.reserve(grown.size());
  for (auto& [topic, g] : grown) {
    committed_topic c;
    c.growth = g.growth;
    if (!g.batch.entries.empty()) {
      g.batch.topic = topic;
      g.batch.next_offset = g.batch.entries.back().offset + 1;
      g.batch.end_offset = g.growth.to_offset;
      c.batch = caf::make_message(deliver_atom::value, std::move(g.batch));
    }
    committed.push_back(std::move(c));
  }
  for (const auto& s : self->state.shards) {
    committed_event event;
    for (const auto& c : committed)
      if (shard_of(c.growth.topic, s.count) == s.index) event.topics.push_back(c);
    if (!event.topics.empty()) self->send(s.handle, notify_atom::value, std::move(event));
  }
}

// Tells the listeners and the shards which topics the commit grew.
void notify(writer_actor* self, std::map<std::string, grown_topic>& grown) {
  if (grown.empty()) return;
  if (!self->state.listeners.empty()) {
    notify_event event;
    event.topics.reserve(grown.size());
    for (const auto& [topic, g] : grown) event.topics.push_back(g.growth);
    // One message shared by every listener: its content is not copied per listener.
    const auto msg = caf::make_message(notify_atom::value, std::move(event));
    for (const auto& l : self->state.listeners) self->send(l, msg);
  }
  notify_shards(self, grown);
}

void flush(writer_actor* self) {
  self->state.flush_scheduled = false;
  auto writes = std::move(self->state.pending);
  self->state.pending.clear();
  std::map<std::string, grown_topic> grown;
  std::vector<write_result> answers;
  commit(self, writes, answers, grown);
  // The shards hear of the commit before any PUBACK goes out: a SUBSCRIBE sent after the PUBACK then
  // reaches a shard after the message, which so never goes to that new subscription.
  notify(self, grown);
  for (std::size_t i = 0; i < writes.size(); ++i) writes[i].promise.deliver(std::move(answers[i]));
}

void run_retention(writer_actor* self) {
  const auto now = std::chrono::duration_cast<std::chrono::milliseconds>(
                       std::chrono::system_clock::now().time_since_epoch())
                       .count();
  auto r = self->state.store->run_retention(static_cast<std::uint64_t>(now));
  if (!r) {
    log::write(log::level::error, "storage", "retention failed: " + r.error().to_string());
  } else if (r->deleted) {
    log::write(log::level::info, "storage", "retention deleted " + std::to_string(r->deleted) +
                                                " messages (" + std::to_string(r->freed_bytes) + " bytes)");
  }
  if (r && r->more)
    self->send(self, tick_atom::value);
  else
    self->send(self->state.timer, tick_atom::value);
}

// Sends (tick_atom) to the writer kRetentionInterval after each (tick_atom) from it. The writer does not
// use delayed_send itself: a delayed message holds a strong reference to its receiver until it is due,
// and the writer must be destroyed as soon as it is stopped (stop_storage() waits for that). This actor
// holds the writer only weakly; it is linked to it, so it ends with it.
caf::behavior retention_timer(caf::event_based_actor* self, caf::actor_addr writer) {
  return {
      [self](tick_atom) { self->delayed_send(self, kRetentionInterval, timeout_atom::value); },
      [writer](timeout_atom) {
        if (auto w = caf::actor_cast<caf::actor>(writer)) caf::anon_send(w, tick_atom::value);
      },
  };
}

caf::behavior writer(writer_actor* self, std::shared_ptr<storage::store> store, caf::actor reader) {
  self->state.store = std::move(store);
  self->state.reader = std::move(reader);
  self->set_down_handler([self](const caf::down_msg& down) {
    auto& l = self->state.listeners;
    l.erase(std::remove_if(l.begin(), l.end(), [&](const caf::actor& a) { return a.address() == down.source; }),
            l.end());
    auto& s = self->state.shards;
    s.erase(std::remove_if(s.begin(), s.end(), [&](const shard_listener& x) { return x.handle.address() == down.source; }),
            s.end());
  });
  self->state.timer = self->spawn<caf::linked>(retention_timer, self->address());
  self->send(self->state.timer, tick_atom::value);
  return {
      [self](write_atom, write_request& request) -> caf::result<write_result> {
        auto promise = self->make_response_promise();
        self->state.pending.push_back({promise, std::move(request)});
        // The flush message queues behind every request already in the mailbox, so they all share
        // the next commit.
        if (!self->state.flush_scheduled) {
          self->state.flush_scheduled = true;
          self->send(self, flush_atom::value);
        }
        return caf::delegated<write_result>();
      },
      [self](flush_atom) { flush(self); },
      [self](listen_atom, caf::actor listener) {
        self->monitor(listener);
        self->state.listeners.push_back(std::move(listener));
      },
      [self](listen_atom, caf::actor shard, std::uint32_t index, std::uint32_t count) {
        if (index >= count) {
          log::write(log::level::error, "storage", "refused a shard listener with index " + std::to_string(index) +
                                                       " of " + std::to_string(count));
          return;
        }
        self->monitor(shard);
        self->state.shards.push_back({std::move(shard), index, count});
      },
      [self](reader_atom) { return self->state.reader; },
      [self](tick_atom) { run_retention(self); },
  };
}

}  // namespace

caf::actor spawn_storage_writer(caf::actor_system& system, std::shared_ptr<storage::store> store,
                                caf::actor reader) {
  return system.spawn<caf::detached>(writer, std::move(store), std::move(reader));
}

}  // namespace unimq::actors
