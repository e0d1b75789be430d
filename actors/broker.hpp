#pragma once
// A whole single-node broker: the store with its writer and reader, the index shards, the session
// registry, $SYS, and the MQTT listeners on a network thread. unimqd is this plus option parsing.

#include <boost/asio.hpp>
#include <caf/all.hpp>

#include <chrono>
#include <memory>
#include <string>
#include <thread>
#include <variant>
#include <vector>

#include "actors/broker_context.hpp"
#include "actors/tcp_server.hpp"
#include "config/broker_options.hpp"
#include "storage/store.hpp"

namespace unimq::actors {

/// The storage side of a node: the store and the only actors that touch it.
struct storage_node {
  std::shared_ptr<storage::store> store;
  caf::actor writer;
  caf::actor reader;
};

/// Opens the store in options.data_dir and spawns its writer and reader; a message naming the
/// problem if the directory cannot be used (not ours, newer format, damaged, in use).
std::variant<storage_node, std::string> open_storage(caf::actor_system& system, const config::broker_options& options);

/// Stops the storage actors of `node` (its handles are released) and waits until the writer actor is
/// destroyed, so that ~actor_system, which waits for the writer's detached thread, cannot hang. Call it
/// while the middleman still runs: a remote node's proxy of the writer makes the middleman monitor it,
/// and the writer lives until the middleman has taken its down message (see the definition). False
/// (and an error logged) if the writer is still referenced after `deadline`.
bool stop_storage(storage_node& node, std::chrono::milliseconds deadline = std::chrono::seconds(10));

class broker {
 public:
  /// A whole node: open_storage() plus start_gateway() on it.
  static std::variant<std::unique_ptr<broker>, std::string> start(caf::actor_system& system,
                                                                   const config::broker_options& options);

  /// The MQTT side only (connections, index shards, session registry, $SYS) on a storage writer and
  /// reader that may live on another node. Fails if a listen address cannot be bound.
  static std::variant<std::unique_ptr<broker>, std::string> start_gateway(caf::actor_system& system,
                                                                           const config::broker_options& options,
                                                                           caf::actor writer, caf::actor reader);
  ~broker();

  /// The bound port of each listen address, in order (useful with port 0).
  const std::vector<std::uint16_t>& ports() const { return _ports; }

  /// Blocks until SIGINT or SIGTERM.
  void wait_for_signal();

  /// Stops accepting, closes every connection (saving persistent sessions), then stops the actors,
  /// the storage ones (if this broker owns them) last. False if the storage writer could not be
  /// stopped (stop_storage): tearing the actor system down would then hang.
  bool stop();

 private:
  explicit broker(caf::actor_system& system) : _system(system) {}

  caf::actor_system& _system;
  storage_node _storage;            // empty for a gateway on remote storage
  std::shared_ptr<broker_context> _ctx;
  std::vector<caf::actor> _actors;  // everything but connections and storage
  caf::actor _supervisor;           // watches the connections
  boost::asio::io_context _io;
  std::unique_ptr<tcp_server> _server;
  std::thread _io_thread;
  std::vector<std::uint16_t> _ports;
  bool _stopped = false;
};

}  // namespace unimq::actors
