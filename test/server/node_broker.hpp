// A unimqd with its node port open (--node-port) for the server-side client, started like every
// integration-test broker (test/integration/broker_process.hpp: loopback, temporary data dir, logs
// printed when a test case fails).
#pragma once

#include <cstdint>
#include <memory>

#include "broker_process.hpp"
#include "unimq/client.hpp"

namespace unimq::it {

class node_broker {
 public:
  /// Starts unimqd with `options` plus --node-port on a free port, and waits (deadline) until that
  /// port accepts TCP connections.
  explicit node_broker(broker_options options = {});

  broker_process& mqtt() { return _broker; }
  std::uint16_t node_port() const { return _node_port; }
  /// "127.0.0.1:PORT", as unimqctl's --node takes it.
  std::string node_address() const;
  /// A client link to the node.
  std::shared_ptr<client::node> connect() const;

 private:
  static broker_options with_node_port(broker_options options, std::uint16_t port);

  std::uint16_t _node_port;
  broker_process _broker;
};

}  // namespace unimq::it
