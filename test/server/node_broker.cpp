#include "node_broker.hpp"

#include <stdexcept>
#include <thread>
#include <unistd.h>

namespace unimq::it {

broker_options node_broker::with_node_port(broker_options options, std::uint16_t port) {
  options.extra_args.push_back("--node-port");
  options.extra_args.push_back(std::to_string(port));
  return options;
}

node_broker::node_broker(broker_options options)
    : _node_port(free_loopback_port()), _broker(with_node_port(std::move(options), _node_port)) {
  _broker.start();
  // unimqd may open the node port after the MQTT listener that start() waited for.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  for (;;) {
    const int fd = tcp_connect(_broker.host(), _node_port);
    if (fd >= 0) {
      ::close(fd);
      return;
    }
    if (std::chrono::steady_clock::now() > deadline || !_broker.running())
      throw std::runtime_error("unimqd never opened its node port " + std::to_string(_node_port) + ":\n" +
                               _broker.log());
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
}

std::string node_broker::node_address() const { return _broker.host() + ":" + std::to_string(_node_port); }

std::shared_ptr<client::node> node_broker::connect() const {
  return client::node::connect(_broker.host(), _node_port);
}

}  // namespace unimq::it
