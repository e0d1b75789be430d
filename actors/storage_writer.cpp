#include "actors/storage_writer.hpp"

#include <map>

#include "actors/messages.hpp"
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

struct writer_state {
  static inline const char* name = "storage-writer";
  std::shared_ptr<storage::store> store;
  caf::actor reader;
  std::vector<pending_write> pending;
  bool flush_scheduled = false;
  std::vector<caf::actor> listeners;
};

using writer_actor = caf::stateful_actor<writer_state>;

void add_to_batch(const write_request& r, storage::write_batch& batch) {
  for (const auto& m : r.messages) batch.append(m);
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

// Commits `writes` in one transaction; answers each one and collects which topics grew.
void commit(writer_actor* self, std::vector<pending_write>& writes, std::map<std::string, topic_growth>& grown) {
  storage::write_batch batch;
  for (const auto& w : writes) add_to_batch(w.request, batch);
  auto result = self->state.store->append(batch);
  if (!result) {
    log::write(log::level::error, "storage", "commit of " + std::to_string(writes.size()) +
                                                 " write requests failed: " + result.error().to_string());
    for (auto& w : writes) w.promise.deliver(failure(result.error()));
    return;
  }
  std::size_t next = 0;
  const std::uint64_t next_sequence = self->state.store->stats().next_sequence;
  for (auto& w : writes) {
    write_result answer;
    answer.next_sequence = next_sequence;
    for (std::size_t i = 0; i < w.request.messages.size(); ++i, ++next) {
      const auto& m = result->messages[next];
      answer.messages.push_back({m.sequence, m.topic_offset, m.partition, m.first_level_offset});
      auto& g = grown[w.request.messages[i].topic()];
      if (g.topic.empty()) {
        g.topic = w.request.messages[i].topic();
        g.from_offset = m.topic_offset;
      }
      g.to_offset = m.topic_offset + 1;
    }
    w.promise.deliver(std::move(answer));
  }
}

void flush(writer_actor* self) {
  self->state.flush_scheduled = false;
  auto writes = std::move(self->state.pending);
  self->state.pending.clear();
  std::map<std::string, topic_growth> grown;
  commit(self, writes, grown);
  if (grown.empty()) return;
  notify_event event;
  event.topics.reserve(grown.size());
  for (auto& [topic, g] : grown) event.topics.push_back(std::move(g));
  // One message shared by every listener: its content is not copied per listener.
  const auto msg = caf::make_message(notify_atom::value, std::move(event));
  for (const auto& l : self->state.listeners) self->send(l, msg);
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
  self->delayed_send(self, r && r->more ? std::chrono::seconds(0) : kRetentionInterval, tick_atom::value);
}

caf::behavior writer(writer_actor* self, std::shared_ptr<storage::store> store, caf::actor reader) {
  self->state.store = std::move(store);
  self->state.reader = std::move(reader);
  self->set_down_handler([self](const caf::down_msg& down) {
    auto& l = self->state.listeners;
    l.erase(std::remove_if(l.begin(), l.end(), [&](const caf::actor& a) { return a.address() == down.source; }),
            l.end());
  });
  self->delayed_send(self, kRetentionInterval, tick_atom::value);
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
