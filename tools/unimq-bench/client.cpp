#include "client.hpp"

#include <type_traits>

namespace unimq::bench {
namespace {

constexpr std::size_t kReadChunk = 64 * 1024;

template <typename Response>
Response response(std::uint16_t packet_id) {
  Response r;
  r.packet_id = packet_id;
  return r;
}

}  // namespace

client::client(asio::io_context& io, client_events& events, std::size_t index,
               std::string client_id, mqtt::protocol_version version, std::uint16_t keep_alive_s)
    : _socket(io),
      _events(events),
      _index(index),
      _client_id(std::move(client_id)),
      _version(version),
      _keep_alive(keep_alive_s),
      _id_in_use(65536, false) {
  _decoder.set_version(version);
}

void client::connect(const asio::ip::tcp::endpoint& broker) {
  _state = state::connecting;
  _socket.async_connect(broker, [this](const boost::system::error_code& ec) {
    if (_state == state::closed) return;
    if (ec) return fail("connect: " + ec.message());
    _socket.set_option(asio::ip::tcp::no_delay(true));
    if (_send_buffer > 0) _socket.set_option(asio::socket_base::send_buffer_size(_send_buffer));
    mqtt::connect_packet c;
    c.version = _version;
    c.clean_start = true;
    c.keep_alive = _keep_alive;
    c.client_id = _client_id;
    _state = state::awaiting_connack;
    send(c);
    read();
  });
}

void client::subscribe(std::string_view filter, mqtt::qos qos) {
  mqtt::subscribe_packet s;
  _subscribe_id = next_packet_id();
  s.packet_id = _subscribe_id;
  s.subscriptions.push_back({filter, {qos}});
  send(s);
}

void client::publish(std::string_view topic, std::string_view payload, mqtt::qos qos) {
  mqtt::publish_packet p;
  p.qos = qos;
  p.topic = topic;
  p.payload = payload;
  if (qos != mqtt::qos::at_most_once) {
    p.packet_id = next_packet_id();
    ++_inflight;
  }
  mqtt::encode(p, _version, _out);
  schedule_flush();
}

void client::ping() {
  if (_state == state::connected) send(mqtt::pingreq_packet{});
}

void client::close(bool abortive) {
  if (_state == state::closed) return;
  boost::system::error_code ec;
  if (_state == state::connected && !_write_pending) {
    std::string bye;
    mqtt::encode(mqtt::packet(mqtt::disconnect_packet{}), _version, bye);
    asio::write(_socket, asio::buffer(bye), ec);
  }
  _state = state::closed;
  if (abortive) {
    _socket.set_option(asio::socket_base::linger(true, 0), ec);
  } else {
    _socket.shutdown(asio::ip::tcp::socket::shutdown_both, ec);
  }
  _socket.close(ec);
}

void client::send(const mqtt::packet& p) {
  mqtt::encode(p, _version, _out);
  schedule_flush();
}

// Packets queued while one handler runs go out in one write.
void client::schedule_flush() {
  if (_flush_posted || _write_pending) return;
  _flush_posted = true;
  asio::post(_socket.get_executor(), [this] { flush(); });
}

void client::flush() {
  _flush_posted = false;
  if (_write_pending || _out.empty() || _state == state::closed) return;
  _writing.clear();
  std::swap(_writing, _out);
  _write_pending = true;
  asio::async_write(_socket, asio::buffer(_writing),
                    [this](const boost::system::error_code& ec, std::size_t) {
                      _write_pending = false;
                      if (_state == state::closed) return;
                      if (ec) return fail("write: " + ec.message());
                      _events.on_drained(*this);
                      flush();
                    });
}

void client::read() {
  char* at = _decoder.prepare(kReadChunk);
  _socket.async_read_some(
      asio::buffer(at, kReadChunk), [this](const boost::system::error_code& ec, std::size_t n) {
        if (_state == state::closed) return;
        if (ec) return fail(ec == asio::error::eof ? "closed by the broker" : "read: " + ec.message());
        _decoder.commit(n);
        while (auto result = _decoder.next()) {
          if (!*result) return fail("bad packet from the broker: " + result->error().message);
          handle(result->value());
          if (_state == state::closed) return;
        }
        read();
      });
}

void client::handle(mqtt::packet& p) {
  std::visit(
      [this](auto& pk) {
        using T = std::decay_t<decltype(pk)>;
        if constexpr (std::is_same_v<T, mqtt::connack_packet>) {
          if (_state != state::awaiting_connack) return fail("unexpected CONNACK");
          if (mqtt::is_error(pk.reason))
            return fail(std::string("CONNACK refused: ") + mqtt::to_string(pk.reason));
          if (pk.props.receive_maximum && *pk.props.receive_maximum < _window)
            _window = *pk.props.receive_maximum;
          _state = state::connected;
          _events.on_connected(*this);
        } else if constexpr (std::is_same_v<T, mqtt::suback_packet>) {
          release(pk.packet_id);
          for (auto r : pk.reasons)
            if (mqtt::is_error(r)) return fail(std::string("SUBACK refused: ") + mqtt::to_string(r));
          _events.on_subscribed(*this);
        } else if constexpr (std::is_same_v<T, mqtt::publish_packet>) {
          if (pk.qos == mqtt::qos::at_least_once) send(response<mqtt::puback_packet>(pk.packet_id));
          if (pk.qos == mqtt::qos::exactly_once) send(response<mqtt::pubrec_packet>(pk.packet_id));
          _events.on_message(*this, pk.payload);
        } else if constexpr (std::is_same_v<T, mqtt::pubrel_packet>) {
          send(response<mqtt::pubcomp_packet>(pk.packet_id));
        } else if constexpr (std::is_same_v<T, mqtt::puback_packet> ||
                             std::is_same_v<T, mqtt::pubcomp_packet>) {
          if (mqtt::is_error(pk.reason)) ++_protocol_errors;
          release(pk.packet_id);
          _events.on_acked(*this);
        } else if constexpr (std::is_same_v<T, mqtt::pubrec_packet>) {
          if (mqtt::is_error(pk.reason)) {  // the exchange ends here [MQTT-4.3.3]
            ++_protocol_errors;
            release(pk.packet_id);
            _events.on_acked(*this);
          } else {
            send(response<mqtt::pubrel_packet>(pk.packet_id));
          }
        } else if constexpr (std::is_same_v<T, mqtt::pingresp_packet>) {
          ++_pings_answered;
        } else if constexpr (std::is_same_v<T, mqtt::disconnect_packet>) {
          fail(std::string("DISCONNECT from the broker: ") + mqtt::to_string(pk.reason));
        } else {
          ++_protocol_errors;
        }
      },
      p);
}

void client::fail(const std::string& why) {
  if (_state == state::closed) return;
  _state = state::closed;
  boost::system::error_code ec;
  _socket.close(ec);
  _events.on_failed(*this, why);
}

std::uint16_t client::next_packet_id() {
  do {
    ++_last_id;
  } while (_last_id == 0 || _id_in_use[_last_id]);
  _id_in_use[_last_id] = true;
  return _last_id;
}

void client::release(std::uint16_t id) {
  if (!_id_in_use[id]) {
    ++_protocol_errors;  // an acknowledgement for a packet id we did not use
    return;
  }
  _id_in_use[id] = false;
  if (id != _subscribe_id && _inflight > 0) --_inflight;
  if (id == _subscribe_id) _subscribe_id = 0;
}

}  // namespace unimq::bench
