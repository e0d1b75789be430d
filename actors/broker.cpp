#include "actors/broker.hpp"

#include <caf/io/all.hpp>

#include <chrono>
#include <csignal>
#include <unordered_set>

#include "actors/connection.hpp"
#include "actors/index_shard.hpp"
#include "actors/messages.hpp"
#include "actors/node_service.hpp"
#include "actors/session_registry.hpp"
#include "actors/shared_group.hpp"
#include "actors/storage_reader.hpp"
#include "actors/storage_writer.hpp"
#include "actors/sys_topics.hpp"
#include "config/log.hpp"

namespace unimq::actors {
namespace {

// One shard per core: matching is the work they parallelise.
std::size_t shard_count() { return std::max(2u, std::thread::hardware_concurrency()); }

// Watches the connection actors so that shutdown can close them all and wait until their sessions
// are saved: (register_atom, connection), then (shutdown_atom) answers when the last one ended.
struct supervisor_state {
  static inline const char* name = "connection-supervisor";
  std::unordered_set<caf::actor_addr> connections;
  std::vector<caf::response_promise> waiting;
};

caf::behavior supervisor(caf::stateful_actor<supervisor_state>* self) {
  self->set_down_handler([self](const caf::down_msg& down) {
    self->state.connections.erase(down.source);
    if (self->state.connections.empty())
      for (auto& p : self->state.waiting) p.deliver(true);
  });
  return {
      [self](register_atom, const caf::actor& connection) {
        self->monitor(connection);
        self->state.connections.insert(connection.address());
      },
      [self](shutdown_atom) -> caf::result<bool> {
        if (self->state.connections.empty()) return true;
        for (const auto& addr : self->state.connections)
          if (auto handle = caf::actor_cast<caf::actor>(addr)) self->send_exit(handle, caf::exit_reason::user_shutdown);
        auto promise = self->make_response_promise();
        self->state.waiting.push_back(promise);
        return caf::delegated<bool>();
      },
  };
}

storage::store_options store_options_from(const config::broker_options& o) {
  storage::store_options s;
  s.data_dir = o.data_dir;
  s.mode = o.storage_sync == config::storage_sync_mode::sync ? storage::durability::sync : storage::durability::nosync;
  s.max_map_size = static_cast<std::size_t>(o.storage_map_size_max);
  s.initial_map_size = std::min(s.initial_map_size, s.max_map_size);
  s.default_partitions = o.storage_partitions;
  s.retention_max_age_ms = static_cast<std::uint64_t>(o.storage_retention_age.count()) * 1000;
  s.retention_max_bytes = o.storage_retention_bytes;
  return s;
}

}  // namespace

std::variant<storage_node, std::string> open_storage(caf::actor_system& system, const config::broker_options& options) {
  auto opened = storage::store::open(store_options_from(options));
  if (!opened) return "cannot open the data directory: " + opened.error().to_string();
  storage_node node;
  node.store = std::shared_ptr<storage::store>(std::move(opened.value()));
  node.reader = spawn_storage_reader(system, node.store);
  node.writer = spawn_storage_writer(system, node.store, node.reader);
  return node;
}

bool stop_storage(storage_node& node, std::chrono::milliseconds deadline) {
  // ~actor_system waits, without a deadline, until the writer's detached thread ends, and that thread
  // ends only when the writer is destroyed, i.e. when nothing holds a strong reference to it. CAF 0.17
  // takes a terminating actor off the running count before it sends its down messages, so ~actor_system
  // may stop the middleman before the down message for its BASP broker (which monitors every local
  // actor a remote node has a proxy of) is sent; that message then stays in a mailbox nobody drains,
  // and holds the writer for ever. So wait for the writer's end here, while the middleman still runs.
  if (!node.writer) return true;  // a gateway on remote storage
  const caf::actor_addr writer = node.writer.address();  // weak: does not keep the writer alive
  caf::anon_send_exit(node.writer, caf::exit_reason::user_shutdown);
  caf::anon_send_exit(node.reader, caf::exit_reason::user_shutdown);
  node.writer = caf::actor{};
  node.reader = caf::actor{};
  const auto until = std::chrono::steady_clock::now() + deadline;
  while (caf::actor_cast<caf::strong_actor_ptr>(writer)) {
    if (std::chrono::steady_clock::now() >= until) {
      log::write(log::level::error, "shutdown", "the storage writer is still referenced " +
                                                    std::to_string(deadline.count()) + " ms after its stop");
      return false;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(1));  // polled: CAF signals no destruction
  }
  return true;
}

std::variant<std::unique_ptr<broker>, std::string> broker::start(caf::actor_system& system,
                                                                 const config::broker_options& options) {
  auto opened = open_storage(system, options);
  if (auto* error = std::get_if<std::string>(&opened)) return *error;
  auto node = std::get<storage_node>(std::move(opened));
  auto started = start_gateway(system, options, node.writer, node.reader);
  auto* b = std::get_if<std::unique_ptr<broker>>(&started);
  if (!b) {
    stop_storage(node);
    return started;
  }
  // Stopped last, after the gateway actors that still write through them.
  (*b)->_storage = std::move(node);
  if (options.node_port != 0) {
    auto& storage = (*b)->_storage;
    auto service = spawn_node_service(system, storage.writer, storage.reader, options.max_topic_levels);
    (*b)->_actors.push_back(service);
    // Reuse the address: a restart must not wait for the previous run's connections to time out.
    auto port = system.middleman().publish(service, options.node_port, nullptr, true);
    if (!port) {
      (*b)->stop();
      return "cannot open node-port " + std::to_string(options.node_port) + ": " + system.render(port.error());
    }
    log::write(log::level::info, "listen", "node service on 0.0.0.0:" + std::to_string(*port));
  }
  return started;
}

std::variant<std::unique_ptr<broker>, std::string> broker::start_gateway(caf::actor_system& system,
                                                                         const config::broker_options& options,
                                                                         caf::actor writer, caf::actor reader) {
  std::unique_ptr<broker> b(new broker(system));
  auto ctx = std::make_shared<broker_context>();
  ctx->options = options;
  ctx->writer = std::move(writer);
  ctx->reader = std::move(reader);
  ctx->registry = spawn_session_registry(system, ctx->writer, ctx->reader);
  const std::size_t shards = shard_count();
  for (std::size_t i = 0; i < shards; ++i) {
    ctx->shards.push_back(spawn_index_shard(system, i, shards, ctx->reader, ctx->registry));
    caf::anon_send(ctx->writer, listen_atom::value, ctx->shards.back(), static_cast<std::uint32_t>(i),
                   static_cast<std::uint32_t>(shards));
  }
  ctx->groups = spawn_shared_groups(system, ctx->writer, ctx->reader, ctx->shards);
  b->_ctx = ctx;
  b->_actors = {ctx->registry, ctx->groups};
  b->_actors.insert(b->_actors.end(), ctx->shards.begin(), ctx->shards.end());
  b->_actors.push_back(spawn_sys_topics(system, ctx));
  b->_supervisor = system.spawn(supervisor);

  b->_server = std::make_unique<tcp_server>(b->_io, [&system, ctx, sup = b->_supervisor](std::shared_ptr<socket_link> link) {
    const auto limit = ctx->options.max_connections;
    if (limit != 0 && ctx->stats->clients_connected.load(std::memory_order_relaxed) >= limit) {
      log::write(log::level::warn, "accept", "peer=" + link->peer() + " refused: max-connections reached");
      link->close();
      return;
    }
    caf::anon_send(sup, register_atom::value, spawn_connection(system, ctx, std::move(link)));
  });
  for (const auto& address : options.listen) {
    auto bound = b->_server->listen(address);
    if (auto* error = std::get_if<std::string>(&bound)) {
      b->stop();
      return *error;
    }
    const auto port = std::get<std::uint16_t>(bound);
    b->_ports.push_back(port);
    log::write(log::level::info, "listen", "mqtt on " + address.host + ":" + std::to_string(port));
  }
  b->_io_thread = std::thread([io = &b->_io] {
    auto guard = boost::asio::make_work_guard(*io);
    io->run();
  });
  return b;
}

void broker::wait_for_signal() {
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  int received = 0;
  sigwait(&signals, &received);
  log::write(log::level::info, "shutdown", std::string("received ") + (received == SIGINT ? "SIGINT" : "SIGTERM"));
}

bool broker::stop() {
  if (_stopped) return true;
  _stopped = true;
  if (_server) boost::asio::post(_io, [server = _server.get()] { server->stop(); });
  if (_supervisor) {
    caf::scoped_actor self{_system};
    self->request(_supervisor, std::chrono::seconds(10), shutdown_atom::value)
        .receive([](bool) {}, [](const caf::error&) { log::write(log::level::warn, "shutdown", "connections did not close in time"); });
    self->send_exit(_supervisor, caf::exit_reason::user_shutdown);
  }
  _io.stop();
  if (_io_thread.joinable()) _io_thread.join();
  for (const auto& a : _actors) caf::anon_send_exit(a, caf::exit_reason::user_shutdown);
  _actors.clear();
  _server.reset();  // its accept handler holds the context
  _ctx.reset();
  return stop_storage(_storage);
}

broker::~broker() { stop(); }

}  // namespace unimq::actors
