#include "actors/tcp_server.hpp"

#include "config/log.hpp"

namespace unimq::actors {

tcp_server::tcp_server(asio::io_context& io, on_accept accept) : _io(io), _accept(std::move(accept)) {}

std::variant<std::uint16_t, std::string> tcp_server::listen(const config::listen_address& address) {
  boost::system::error_code ec;
  const auto ip = asio::ip::make_address(address.host, ec);
  if (ec) return "cannot listen on " + config::to_string(address) + ": " + ec.message();
  const asio::ip::tcp::endpoint endpoint(ip, address.port);
  auto acceptor = std::make_unique<asio::ip::tcp::acceptor>(_io);
  acceptor->open(endpoint.protocol(), ec);
  if (!ec) acceptor->set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) acceptor->bind(endpoint, ec);
  // A large backlog: thousands of devices reconnect at once after an outage.
  if (!ec) acceptor->listen(4096, ec);
  if (ec) return "cannot listen on " + config::to_string(address) + ": " + ec.message();
  const std::uint16_t port = acceptor->local_endpoint().port();
  accept_next(*acceptor);
  _acceptors.push_back(std::move(acceptor));
  return port;
}

void tcp_server::accept_next(asio::ip::tcp::acceptor& acceptor) {
  acceptor.async_accept([this, &acceptor](boost::system::error_code ec, asio::ip::tcp::socket socket) {
    if (ec == asio::error::operation_aborted) return;
    if (ec) {
      // Out of file descriptors and the like: log, wait a little (no busy loop on the network thread)
      // and keep accepting rather than stop serving.
      log::write(log::level::warn, "accept", ec.message());
      auto timer = std::make_shared<asio::steady_timer>(_io, std::chrono::milliseconds(100));
      timer->async_wait([this, &acceptor, timer](boost::system::error_code) { accept_next(acceptor); });
      return;
    } else {
      boost::system::error_code peer_ec;
      const auto remote = socket.remote_endpoint(peer_ec);
      std::string peer = peer_ec ? "unknown" : remote.address().to_string() + ":" + std::to_string(remote.port());
      _accept(std::make_shared<socket_link>(std::move(socket), std::move(peer)));
    }
    accept_next(acceptor);
  });
}

void tcp_server::stop() {
  boost::system::error_code ignored;
  for (auto& a : _acceptors) a->close(ignored);
}

}  // namespace unimq::actors
