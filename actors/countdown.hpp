#pragma once
// Waiting for several answers: registering a subscriber with every shard its filter needs (a void
// handler answers a request with an empty message) and going on once all of them have it.

#include <caf/all.hpp>

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "actors/messages.hpp"
#include "actors/sharding.hpp"

namespace unimq::actors {

/// Runs `done` once every answer it waits for has come: one per expect(), plus one for the caller,
/// who calls arrive() when it has asked everything.
class countdown {
 public:
  explicit countdown(std::function<void()> done) : _done(std::move(done)) {}
  void expect() { ++_pending; }
  void arrive() {
    if (--_pending == 0) _done();
  }

 private:
  std::size_t _pending = 1;
  std::function<void()> _done;
};

/// Sends `self` a request to `whom` whose answer (or failure) counts as one arrival at `answers`.
template <class Self, class... Ts>
void ask_counted(Self* self, const std::shared_ptr<countdown>& answers, const caf::actor& whom, Ts&&... xs) {
  answers->expect();
  self->request(whom, caf::infinite, std::forward<Ts>(xs)...)
      .then([answers] { answers->arrive(); }, [answers](caf::error&) { answers->arrive(); });
}

/// Registers `subscriber` for `filter` with every one of `shards` the filter needs, each answer
/// counted at `answers`.
template <class Self>
void register_with_shards(Self* self, const std::shared_ptr<countdown>& answers, const std::vector<caf::actor>& shards,
                          const std::string& filter, const caf::actor& subscriber) {
  for_each_shard_of(filter, shards.size(),
                    [&](std::size_t i) { ask_counted(self, answers, shards[i], subscribe_atom::value, filter, subscriber); });
}

}  // namespace unimq::actors
