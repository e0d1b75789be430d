#include "actors/socket_link.hpp"

#include <array>

#include "actors/messages.hpp"

namespace unimq::actors {
namespace {

// Reads land in one buffer per network thread and are copied out in exactly the size read, so an
// idle connection holds no read buffer of its own.
constexpr std::size_t kReadBufferSize = 64 * 1024;
thread_local std::array<char, kReadBufferSize> read_buffer;

}  // namespace

socket_link::socket_link(asio::ip::tcp::socket socket, std::string peer)
    : _socket(std::move(socket)), _peer(std::move(peer)) {}

socket_link::~socket_link() = default;

void socket_link::start(caf::actor owner) {
  asio::post(_socket.get_executor(), [self = shared_from_this(), owner = std::move(owner)]() mutable {
    self->_owner = std::move(owner);
    boost::system::error_code ignored;
    self->_socket.non_blocking(true, ignored);
    self->_socket.set_option(asio::ip::tcp::no_delay(true), ignored);
    self->read();
  });
}

void socket_link::read() {
  if (_closed) return;
  _socket.async_wait(asio::socket_base::wait_read, [self = shared_from_this()](boost::system::error_code ec) {
    if (self->_closed) return;
    if (ec) return self->shutdown();
    std::size_t n = self->_socket.read_some(asio::buffer(read_buffer), ec);
    if (ec == asio::error::would_block || ec == asio::error::try_again) return self->read();
    if (ec || n == 0) return self->shutdown();
    self->_unconsumed.fetch_add(n, std::memory_order_relaxed);
    caf::anon_send(self->_owner, data_atom::value, std::string(read_buffer.data(), n));
    if (self->_unconsumed.load(std::memory_order_relaxed) > kMaxUnconsumedBytes)
      self->_read_paused = true;
    else
      self->read();
  });
}

void socket_link::consumed(std::size_t n) {
  const std::size_t before = _unconsumed.fetch_sub(n, std::memory_order_relaxed);
  if (before > kMaxUnconsumedBytes && before - n <= kMaxUnconsumedBytes)
    asio::post(_socket.get_executor(), [self = shared_from_this()] {
      if (self->_read_paused && !self->_closed) {
        self->_read_paused = false;
        self->read();
      }
    });
}

void socket_link::send(std::string bytes) {
  if (bytes.empty()) return;
  _queued_bytes.fetch_add(bytes.size(), std::memory_order_relaxed);
  asio::post(_socket.get_executor(), [self = shared_from_this(), bytes = std::move(bytes)]() mutable {
    if (self->_closed) return;
    self->_write_queue.push_back(std::move(bytes));
    if (!self->_writing) self->write();
  });
}

void socket_link::notify_when_drained() {
  asio::post(_socket.get_executor(), [self = shared_from_this()] {
    if (self->_closed) return;
    if (self->_write_queue.empty())
      caf::anon_send(self->_owner, resume_atom::value);
    else
      self->_notify_drained = true;
  });
}

void socket_link::write() {
  if (_write_queue.empty()) {
    _writing = false;
    if (_closing) return shutdown();
    if (_notify_drained) {
      _notify_drained = false;
      caf::anon_send(_owner, resume_atom::value);
    }
    return;
  }
  _writing = true;
  // Everything queued goes out in one gathered write. The strings move to _in_flight first: the write
  // holds pointers into them (a short string keeps its bytes inside the container's storage), so the
  // queue that send() appends to must not be the one being written.
  _in_flight.swap(_write_queue);
  std::vector<asio::const_buffer> buffers;
  std::size_t total = 0;
  for (const auto& b : _in_flight) {
    buffers.emplace_back(asio::buffer(b));
    total += b.size();
  }
  asio::async_write(_socket, buffers, [self = shared_from_this(), total](boost::system::error_code ec, std::size_t) {
    self->_in_flight.clear();
    if (self->_closed) return;  // shutdown() already took the bytes off the count
    self->_queued_bytes.fetch_sub(total, std::memory_order_relaxed);
    if (ec) return self->shutdown();
    self->write();
  });
}

void socket_link::close() {
  asio::post(_socket.get_executor(), [self = shared_from_this()] {
    self->_closing = true;
    if (!self->_writing) return self->shutdown();
    // A peer that stopped reading would keep the socket (and its buffers) forever: the last packets
    // get a bounded time to go out.
    auto timer = std::make_shared<asio::steady_timer>(self->_socket.get_executor(), kCloseTimeout);
    timer->async_wait([self, timer](boost::system::error_code) { self->shutdown(); });
  });
}

void socket_link::shutdown() {
  if (_closed) return;
  _closed = true;
  boost::system::error_code ignored;
  _socket.shutdown(asio::ip::tcp::socket::shutdown_both, ignored);
  _socket.close(ignored);
  // A write under way keeps its buffers (_in_flight) until its handler runs.
  std::size_t pending = 0;
  for (const auto& b : _write_queue) pending += b.size();
  for (const auto& b : _in_flight) pending += b.size();
  _write_queue.clear();
  _queued_bytes.fetch_sub(pending, std::memory_order_relaxed);
  if (_owner) caf::anon_send(_owner, closed_atom::value);
  _owner = nullptr;
}

}  // namespace unimq::actors
