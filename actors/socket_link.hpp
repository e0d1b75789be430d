#pragma once
// The bridge between one Asio TCP socket (served by the network thread) and the connection actor that
// owns the MQTT session. Reads go to the actor one chunk per read, so a burst of packets costs one
// actor message; writes come from the actor one buffer per batch of packets.

#include <boost/asio.hpp>
#include <caf/all.hpp>

#include <atomic>
#include <chrono>
#include <memory>
#include <string>
#include <vector>

namespace unimq::actors {

namespace asio = boost::asio;

class socket_link : public std::enable_shared_from_this<socket_link> {
 public:
  /// Bytes handed to the actor but not yet consumed before reading pauses: bounds the actor's
  /// mailbox for a client that sends faster than the broker can process.
  static constexpr std::size_t kMaxUnconsumedBytes = 256 * 1024;
  /// How long close() waits for queued bytes to be written before it drops them.
  static constexpr std::chrono::seconds kCloseTimeout{5};

  socket_link(asio::ip::tcp::socket socket, std::string peer);
  ~socket_link();

  /// Starts reading; every chunk goes to `owner` as (data_atom, std::string), and the end of the
  /// stream as (closed_atom). Call once, from any thread.
  void start(caf::actor owner);

  /// Queues `bytes` for writing. Thread-safe.
  void send(std::string bytes);

  /// Closes the socket after the queued bytes are written. Thread-safe; idempotent.
  void close();

  /// The actor processed `n` bytes of what it was sent; reading resumes if it had paused.
  void consumed(std::size_t n);

  /// Sends the owner (resume_atom) once, when everything queued so far has been written. Thread-safe.
  void notify_when_drained();

  /// Bytes queued for writing and not yet written: the actor's back-pressure signal.
  std::size_t queued_bytes() const { return _queued_bytes.load(std::memory_order_relaxed); }

  const std::string& peer() const { return _peer; }

 private:
  void read();
  void write();
  void shutdown();

  asio::ip::tcp::socket _socket;
  std::string _peer;
  caf::actor _owner;  // reset on close to break the actor <-> link reference cycle
  // Network-thread state.
  // Vectors, not deques: an idle connection should allocate nothing here (a libstdc++ deque allocates
  // ~600 bytes when constructed).
  std::vector<std::string> _write_queue;  // what send() queued since the current write started
  std::vector<std::string> _in_flight;    // what the current write is sending; untouched until it ends
  bool _writing = false;
  bool _closing = false;
  bool _read_paused = false;
  bool _closed = false;
  bool _notify_drained = false;
  // Shared between threads.
  std::atomic<std::size_t> _unconsumed{0};
  std::atomic<std::size_t> _queued_bytes{0};
};

}  // namespace unimq::actors
