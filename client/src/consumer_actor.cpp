#include "consumer_actor.hpp"

#include <algorithm>

namespace unimq::client {
namespace {

// Answers of one partition in flight or waiting to be polled: enough to overlap the round trip of
// the next fetch with the processing of the previous one.
constexpr std::size_t kFetchDepth = 3;
// How long a fetch at the end of a partition waits on the node for new messages.
constexpr std::uint32_t kFetchWaitMs = 1000;

struct grant_state {
  std::uint64_t since = 0;
  std::size_t outstanding = 0;  // fetches in flight plus answers not yet consumed
};

struct consumer_state {
  static inline const char* name = "unimq-consumer";
  consumer_setup setup;
  caf::actor coordinator;
  std::uint64_t generation = 0;
  std::map<std::uint32_t, grant_state> grants;
};

using consumer_actor = caf::stateful_actor<consumer_state>;

void fail(consumer_actor* self, const std::string& why) {
  auto& shared = *self->state.setup.shared;
  std::lock_guard<std::mutex> lock(shared.mutex);
  if (shared.fatal.empty()) shared.fatal = why;
  shared.changed.notify_all();
}

void fill(consumer_actor* self, std::uint32_t p);

void on_fetched(consumer_actor* self, std::uint32_t p, std::uint64_t since, actors::fetch_result& r) {
  auto it = self->state.grants.find(p);
  if (it == self->state.grants.end() || it->second.since != since) return;  // an answer for a lost grant
  if (r.stale) return;  // lost it: the assignment that says so is on its way
  if (!r.error.empty()) return fail(self, "fetch of partition " + std::to_string(p) + " failed: " + r.error);
  if (r.count == 0) {
    --it->second.outstanding;
    return fill(self, p);
  }
  r.since = since;
  auto& shared = *self->state.setup.shared;
  std::lock_guard<std::mutex> lock(shared.mutex);
  shared.ready.push_back(std::move(r));
  shared.changed.notify_all();
}

// Tops up the fetches of partition `p` to kFetchDepth.
void fill(consumer_actor* self, std::uint32_t p) {
  auto& st = self->state;
  auto it = st.grants.find(p);
  if (it == st.grants.end() || !st.coordinator) return;
  const auto since = it->second.since;
  const auto timeout = st.setup.request_timeout + std::chrono::milliseconds(kFetchWaitMs);
  while (it->second.outstanding < kFetchDepth) {
    ++it->second.outstanding;
    actors::fetch_request f{st.generation, p, st.setup.max_messages, st.setup.max_bytes, kFetchWaitMs};
    self->request(st.coordinator, timeout, actors::fetch_atom::value, f)
        .then([self, p, since](actors::fetch_result& r) { on_fetched(self, p, since, r); },
              [self, p](caf::error& e) {
                fail(self, "fetch of partition " + std::to_string(p) + " failed: " + self->system().render(e));
              });
  }
}

void on_assignment(consumer_actor* self, actors::assignment& a) {
  auto& st = self->state;
  if (a.generation < st.generation) return;
  st.generation = a.generation;
  std::map<std::uint32_t, grant_state> next;
  for (const auto& g : a.partitions) {
    auto it = st.grants.find(g.partition);
    next[g.partition] = it != st.grants.end() && it->second.since == g.since ? it->second : grant_state{g.since, 0};
  }
  st.grants = std::move(next);
  {
    auto& shared = *st.setup.shared;
    std::lock_guard<std::mutex> lock(shared.mutex);
    shared.generation = a.generation;
    shared.grants.clear();
    for (const auto& [p, g] : st.grants) shared.grants[p] = g.since;
    // Answers of partitions that moved (or restarted) are dropped: their new owner reads them.
    auto& ready = shared.ready;
    ready.erase(std::remove_if(ready.begin(), ready.end(),
                               [&](const actors::fetch_result& r) {
                                 auto g = shared.grants.find(r.partition);
                                 return g == shared.grants.end() || g->second != r.since;
                               }),
                ready.end());
    shared.changed.notify_all();
  }
  for (const auto& [p, g] : st.grants) fill(self, p);
}

caf::behavior consumer_behavior(consumer_actor* self, consumer_setup setup) {
  self->state.setup = std::move(setup);
  self->set_down_handler([self](const caf::down_msg&) {
    // Nothing more to ask it: later commits and the leave fail or end at once, not at a timeout.
    self->state.coordinator = nullptr;
    fail(self, "lost the link to the unimq node at " + self->state.setup.where);
  });
  return {
      [self](actors::join_atom) -> caf::result<actors::join_result> {
        auto promise = self->make_response_promise();
        auto join = self->state.setup.join;
        join.member = caf::actor_cast<caf::actor>(self);
        self->request(self->state.setup.service, self->state.setup.request_timeout, actors::join_atom::value, std::move(join))
            .then(
                [self, promise](actors::join_result& r) mutable {
                  if (r.error.empty() && r.coordinator) {
                    self->state.coordinator = r.coordinator;
                    self->monitor(r.coordinator);
                    for (const auto& [p, g] : self->state.grants) fill(self, p);
                  }
                  promise.deliver(std::move(r));
                },
                [self, promise](caf::error& e) mutable {
                  promise.deliver(actors::join_result{"join failed: " + self->system().render(e), {}, 0});
                });
        return caf::delegated<actors::join_result>();
      },
      [self](actors::assign_atom, actors::assignment& a) { on_assignment(self, a); },
      [self](actors::resume_atom, std::uint32_t p, std::uint64_t since) {
        auto it = self->state.grants.find(p);
        if (it == self->state.grants.end() || it->second.since != since) return;
        --it->second.outstanding;
        fill(self, p);
      },
      [self](actors::commit_atom, actors::commit_request& c) -> caf::result<actors::commit_result> {
        if (!self->state.coordinator) return actors::commit_result{"not a group member (any more)", {}};
        auto promise = self->make_response_promise();
        self->request(self->state.coordinator, self->state.setup.request_timeout, actors::commit_atom::value, std::move(c))
            .then([promise](actors::commit_result& r) mutable { promise.deliver(std::move(r)); },
                  [self, promise](caf::error& e) mutable {
                    promise.deliver(actors::commit_result{"commit failed: " + self->system().render(e), {}});
                  });
        return caf::delegated<actors::commit_result>();
      },
      [self](actors::leave_atom) -> caf::result<bool> {
        if (!self->state.coordinator) return true;
        auto promise = self->make_response_promise();
        self->demonitor(self->state.coordinator);
        self->request(self->state.coordinator, self->state.setup.request_timeout, actors::leave_atom::value)
            .then([promise](bool) mutable { promise.deliver(true); },
                  [promise](caf::error&) mutable { promise.deliver(false); });
        return caf::delegated<bool>();
      },
  };
}

}  // namespace

caf::actor spawn_consumer_actor(caf::actor_system& system, consumer_setup setup) {
  return system.spawn(consumer_behavior, std::move(setup));
}

}  // namespace unimq::client
