#pragma once
// What every connection actor of a gateway shares: the options, the actors it talks to, and the
// counters $SYS reports.

#include <caf/all.hpp>

#include <atomic>
#include <chrono>
#include <vector>

#include "config/broker_options.hpp"

namespace unimq::actors {

/// Counters updated by connections with relaxed atomics and read by the $SYS publisher.
struct broker_stats {
  std::atomic<std::uint64_t> clients_connected{0};
  std::atomic<std::uint64_t> connections_total{0};
  std::atomic<std::uint64_t> messages_received{0};
  std::atomic<std::uint64_t> messages_sent{0};
  std::atomic<std::uint64_t> messages_dropped{0};
  std::atomic<std::uint64_t> bytes_received{0};
  std::atomic<std::uint64_t> bytes_sent{0};
};

struct broker_context {
  config::broker_options options;
  caf::actor writer;    ///< storage writer (possibly on another node)
  caf::actor reader;    ///< storage reader (possibly on another node)
  caf::actor registry;  ///< session registry
  std::vector<caf::actor> shards;
  caf::actor groups;    ///< the directory of shared subscription groups (shared_group.hpp)
  std::shared_ptr<broker_stats> stats = std::make_shared<broker_stats>();
  std::chrono::steady_clock::time_point started = std::chrono::steady_clock::now();
};

}  // namespace unimq::actors
