#pragma once
// One MQTT client connection on the shared event loop: CONNECT, SUBSCRIBE, PUBLISH with a window of
// unacknowledged packet ids, the QoS 1/2 handshakes in both directions, PINGREQ.

#include <boost/asio.hpp>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "protocol/stream_decoder.hpp"

namespace unimq::bench {

namespace asio = boost::asio;

class client;

/// What a client tells its owner. Called on the event loop thread; a handler may call back into the
/// client (publish more, close).
class client_events {
 public:
  virtual ~client_events() = default;
  virtual void on_connected(client& c) = 0;
  virtual void on_subscribed(client& c) = 0;
  /// A PUBLISH arrived; `payload` is valid only during the call.
  virtual void on_message(client& c, std::string_view payload) = 0;
  /// A QoS 1/2 publish completed (PUBACK or PUBCOMP): the window has room again.
  virtual void on_acked(client& c) = 0;
  /// The socket took everything queued so far: a QoS 0 publisher may queue more.
  virtual void on_drained(client& c) = 0;
  /// The connection failed or the broker closed it; the client is dead afterwards.
  virtual void on_failed(client& c, const std::string& why) = 0;
};

class client {
 public:
  client(asio::io_context& io, client_events& events, std::size_t index, std::string client_id,
         mqtt::protocol_version version, std::uint16_t keep_alive_s);

  /// The owner's number for this client (its position in the owner's list).
  std::size_t index() const { return _index; }

  void connect(const asio::ip::tcp::endpoint& broker);
  void subscribe(std::string_view filter, mqtt::qos qos);
  /// Queues a PUBLISH. For QoS 1/2 the caller checks has_window() first.
  void publish(std::string_view topic, std::string_view payload, mqtt::qos qos);
  void ping();
  /// Sends DISCONNECT and closes; with `abortive`, closes with a RST instead so thousands of
  /// closes leave no TIME_WAIT behind.
  void close(bool abortive);

  bool connected() const { return _state == state::connected; }
  bool has_window() const { return _inflight < _window; }
  std::uint32_t inflight() const { return _inflight; }
  void set_window(std::uint32_t w) { _window = w; }
  /// Caps the kernel's send buffer (0 = the system's default): a flat-out QoS 0 publisher otherwise
  /// queues megabytes in the kernel, and what it measures is that queue, not the broker.
  void set_send_buffer(int bytes) { _send_buffer = bytes; }
  /// Bytes queued and not yet handed to the socket.
  std::size_t queued_bytes() const { return _out.size(); }
  std::uint64_t pings_answered() const { return _pings_answered; }
  /// Acknowledgements with an error reason code (5.0) and unexpected packets.
  std::uint64_t protocol_errors() const { return _protocol_errors; }

 private:
  enum class state { idle, connecting, awaiting_connack, connected, closed };

  void send(const mqtt::packet& p);
  void schedule_flush();
  void flush();
  void read();
  void handle(mqtt::packet& p);
  void fail(const std::string& why);
  std::uint16_t next_packet_id();
  void release(std::uint16_t id);

  asio::ip::tcp::socket _socket;
  client_events& _events;
  std::size_t _index;
  std::string _client_id;
  mqtt::protocol_version _version;
  std::uint16_t _keep_alive;
  state _state = state::idle;
  mqtt::stream_decoder _decoder;
  std::string _out;      // queued, not yet being written
  std::string _writing;  // owned by the write in progress
  bool _write_pending = false;
  bool _flush_posted = false;
  std::vector<bool> _id_in_use;
  std::uint16_t _last_id = 0;
  std::uint32_t _inflight = 0;
  std::uint32_t _window = 65535;
  int _send_buffer = 0;
  std::uint16_t _subscribe_id = 0;
  std::uint64_t _pings_answered = 0;
  std::uint64_t _protocol_errors = 0;
};

}  // namespace unimq::bench
