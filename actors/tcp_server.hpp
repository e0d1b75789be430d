#pragma once
// Accepts MQTT connections on the configured addresses and hands each socket to a new connection
// actor. Runs on the network thread (one asio::io_context).

#include <boost/asio.hpp>

#include <functional>
#include <memory>
#include <string>
#include <variant>
#include <vector>

#include "actors/socket_link.hpp"
#include "config/broker_options.hpp"

namespace unimq::actors {

class tcp_server {
 public:
  /// Called on the network thread for every accepted connection.
  using on_accept = std::function<void(std::shared_ptr<socket_link>)>;

  tcp_server(asio::io_context& io, on_accept accept);

  /// Binds and listens on `address`; returns an error message on failure, or the bound port.
  std::variant<std::uint16_t, std::string> listen(const config::listen_address& address);

  /// Stops accepting (existing connections stay).
  void stop();

 private:
  void accept_next(asio::ip::tcp::acceptor& acceptor);

  asio::io_context& _io;
  on_accept _accept;
  std::vector<std::unique_ptr<asio::ip::tcp::acceptor>> _acceptors;
};

}  // namespace unimq::actors
