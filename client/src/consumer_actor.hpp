#pragma once
// The actor behind a client::consumer: it joins the group, follows the assignments, keeps a few fetches
// in flight per assigned partition (so catching up is not one round trip per batch) and hands the
// answers to the polling thread through consumer_shared. It monitors the coordinator: when the node
// link drops, the next poll throws.
//
//   (join_atom)                           -> join_result (from the polling thread, once)
//   (commit_atom, commit_request)         -> commit_result
//   (leave_atom)                          -> bool
//   (resume_atom, partition, since)       the poller consumed one answer of that partition

#include <caf/all.hpp>

#include <condition_variable>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "actors/server_messages.hpp"
#include "unimq/client.hpp"

namespace unimq::client {

/// What the consumer actor and the polling thread share, under `mutex`.
struct consumer_shared {
  std::mutex mutex;
  std::condition_variable changed;
  std::deque<actors::fetch_result> ready;    ///< non-empty answers, in arrival order
  std::map<std::uint32_t, std::uint64_t> grants;  ///< partition -> since, of the current assignment
  std::uint64_t generation = 0;
  std::string fatal;  ///< set once the member cannot go on (link lost, refused); poll throws it
};

/// What the consumer actor needs to know.
struct consumer_setup {
  std::shared_ptr<consumer_shared> shared;
  caf::actor service;
  std::string where;  ///< host:port of the node, for messages
  actors::group_join join;  ///< without `member` (the actor fills in itself)
  std::uint32_t max_messages = 0;
  std::uint32_t max_bytes = 0;
  std::chrono::milliseconds request_timeout{0};
};

caf::actor spawn_consumer_actor(caf::actor_system& system, consumer_setup setup);

}  // namespace unimq::client
