#include "mqtt_peer.hpp"

#include <mosquitto.h>
#include <mqtt_protocol.h>

#include <charconv>
#include <stdexcept>

namespace unimq::crashtest {
namespace {

constexpr int kKeepAliveS = 60;
constexpr std::uint32_t kSessionExpiryS = 3600;
// libmosquitto drops the connection when a broker sends more than the client's receive maximum,
// which Mosquitto 2.0.11 does by one; a large window keeps the test about durability.
constexpr std::uint16_t kReceiveMaximum = 65535;
// How long the network thread waits before trying again while the broker does not listen.
constexpr duration kRetryDelay{20};
const std::string kMarkerPayload = "marker";

}  // namespace

mqtt_peer::mqtt_peer(std::string host, std::uint16_t port, std::string client_id, bool v5)
    : _host(std::move(host)), _port(port), _v5(v5) {
  _mosq = mosquitto_new(client_id.c_str(), false, this);
  if (!_mosq) throw std::runtime_error("mosquitto_new failed");
  mosquitto_int_option(_mosq, MOSQ_OPT_PROTOCOL_VERSION, v5 ? MQTT_PROTOCOL_V5 : MQTT_PROTOCOL_V311);
  // Packets are written by the network thread; publish() from another thread wakes it.
  mosquitto_threaded_set(_mosq, true);
  mosquitto_connect_v5_callback_set(_mosq, &mqtt_peer::on_connect);
  mosquitto_disconnect_v5_callback_set(_mosq, &mqtt_peer::on_disconnect);
  mosquitto_publish_v5_callback_set(_mosq, &mqtt_peer::on_publish);
  mosquitto_message_v5_callback_set(_mosq, &mqtt_peer::on_message);
  mosquitto_subscribe_v5_callback_set(_mosq, &mqtt_peer::on_subscribe);
}

mqtt_peer::~mqtt_peer() {
  _stop = true;
  if (_thread.joinable()) _thread.join();
  mosquitto_destroy(_mosq);
}

void mqtt_peer::start() {
  mosquitto_property* props = nullptr;
  if (_v5) {
    mosquitto_property_add_int32(&props, MQTT_PROP_SESSION_EXPIRY_INTERVAL, kSessionExpiryS);
    mosquitto_property_add_int16(&props, MQTT_PROP_RECEIVE_MAXIMUM, kReceiveMaximum);
  }
  // Stores host, port and properties for every reconnection; a refused first attempt is retried
  // by the network thread like any other.
  const int rc = mosquitto_connect_bind_v5(_mosq, _host.c_str(), _port, kKeepAliveS, nullptr, props);
  mosquitto_property_free_all(&props);
  {
    std::lock_guard<std::mutex> lock(_mutex);
    _socket_closed = rc != MOSQ_ERR_SUCCESS;
  }
  _thread = std::thread([this] { network_loop(); });
}

void mqtt_peer::network_loop() {
  while (!_stop) {
    bool closed;
    {
      std::lock_guard<std::mutex> lock(_mutex);
      closed = _socket_closed;
    }
    if (closed) {
      if (_closing) break;
      if (mosquitto_reconnect(_mosq) != MOSQ_ERR_SUCCESS) {
        std::this_thread::sleep_for(kRetryDelay);
        continue;
      }
      std::lock_guard<std::mutex> lock(_mutex);
      _socket_closed = false;
    }
    if (mosquitto_loop(_mosq, 10, 1) != MOSQ_ERR_SUCCESS) {
      {
        std::lock_guard<std::mutex> lock(_mutex);
        _socket_closed = true;
        _connected = false;
      }
      _cv.notify_all();
      if (!_closing) std::this_thread::sleep_for(kRetryDelay);
    }
  }
}

void mqtt_peer::on_connect(::mosquitto*, void* self, int rc, int flags, const mosquitto_property*) {
  auto* p = static_cast<mqtt_peer*>(self);
  {
    std::lock_guard<std::mutex> lock(p->_mutex);
    if (rc == 0) {
      p->_connected = true;
      p->_session_present = (flags & 1) != 0;
      ++p->_connections;
    }
  }
  p->_cv.notify_all();
}

void mqtt_peer::on_disconnect(::mosquitto*, void* self, int, const mosquitto_property*) {
  auto* p = static_cast<mqtt_peer*>(self);
  {
    std::lock_guard<std::mutex> lock(p->_mutex);
    p->_connected = false;
  }
  p->_cv.notify_all();
}

void mqtt_peer::record_ack(std::uint64_t seq, int reason) {
  if (reason < 0x80) _acknowledged.push_back(seq);
  else ++_refused;
}

void mqtt_peer::on_publish(::mosquitto*, void* self, int mid, int reason, const mosquitto_property*) {
  auto* p = static_cast<mqtt_peer*>(self);
  {
    std::lock_guard<std::mutex> lock(p->_mutex);
    const auto it = p->_inflight.find(mid);
    if (it == p->_inflight.end()) {
      p->_early_acks[mid] = reason;
    } else {
      p->record_ack(it->second, reason);
      p->_inflight.erase(it);
    }
  }
  p->_cv.notify_all();
}

void mqtt_peer::on_message(::mosquitto*, void* self, const ::mosquitto_message* m, const mosquitto_property*) {
  auto* p = static_cast<mqtt_peer*>(self);
  received r;
  r.topic = m->topic;
  const auto* data = static_cast<const char*>(m->payload);
  const std::string_view payload(data ? data : "", static_cast<std::size_t>(m->payloadlen));
  if (payload == kMarkerPayload) {
    r.marker = true;
  } else if (std::from_chars(payload.data(), payload.data() + payload.size(), r.seq).ec != std::errc()) {
    return;  // not ours
  }
  {
    std::lock_guard<std::mutex> lock(p->_mutex);
    p->_messages.push_back(std::move(r));
  }
  p->_cv.notify_all();
}

void mqtt_peer::on_subscribe(::mosquitto*, void* self, int mid, int count, const int* granted,
                             const mosquitto_property*) {
  auto* p = static_cast<mqtt_peer*>(self);
  {
    std::lock_guard<std::mutex> lock(p->_mutex);
    p->_subacks[mid] = count > 0 ? granted[0] : 0x80;
  }
  p->_cv.notify_all();
}

bool mqtt_peer::wait_connected(duration deadline) {
  std::unique_lock<std::mutex> lock(_mutex);
  return _cv.wait_for(lock, deadline, [&] { return _connected; });
}

bool mqtt_peer::connected() {
  std::lock_guard<std::mutex> lock(_mutex);
  return _connected;
}

bool mqtt_peer::session_present() {
  std::lock_guard<std::mutex> lock(_mutex);
  return _session_present;
}

int mqtt_peer::connections() {
  std::lock_guard<std::mutex> lock(_mutex);
  return _connections;
}

void mqtt_peer::disconnect(duration deadline) {
  _closing = true;
  mosquitto_disconnect(_mosq);
  {
    std::unique_lock<std::mutex> lock(_mutex);
    _cv.wait_for(lock, deadline, [&] { return _socket_closed; });
  }
  _stop = true;
  if (_thread.joinable()) _thread.join();
}

bool mqtt_peer::publish(const std::string& topic, std::uint64_t seq, int qos) {
  return publish_payload(topic, std::to_string(seq), seq, qos);
}

bool mqtt_peer::publish_marker(const std::string& topic) { return publish_payload(topic, kMarkerPayload, 0, 1); }

bool mqtt_peer::publish_payload(const std::string& topic, const std::string& payload, std::uint64_t seq, int qos) {
  int mid = 0;
  const int rc = mosquitto_publish_v5(_mosq, &mid, topic.c_str(), static_cast<int>(payload.size()),
                                      payload.data(), qos, false, nullptr);
  // Without a connection libmosquitto still queues a QoS 1/2 message and sends it on reconnection.
  if ((rc != MOSQ_ERR_SUCCESS && rc != MOSQ_ERR_NO_CONN && rc != MOSQ_ERR_CONN_LOST) || mid == 0) return false;
  std::lock_guard<std::mutex> lock(_mutex);
  ++_published;
  const auto early = _early_acks.find(mid);
  if (early != _early_acks.end()) {
    record_ack(seq, early->second);
    _early_acks.erase(early);
  } else {
    _inflight[mid] = seq;
  }
  return true;
}

std::size_t mqtt_peer::inflight() {
  std::lock_guard<std::mutex> lock(_mutex);
  return _inflight.size();
}

bool mqtt_peer::wait_window(std::size_t window, duration deadline) {
  std::unique_lock<std::mutex> lock(_mutex);
  return _cv.wait_for(lock, deadline, [&] { return _inflight.size() < window; });
}

std::uint64_t mqtt_peer::published() {
  std::lock_guard<std::mutex> lock(_mutex);
  return _published;
}

std::vector<std::uint64_t> mqtt_peer::acknowledged() {
  std::lock_guard<std::mutex> lock(_mutex);
  return _acknowledged;
}

std::uint64_t mqtt_peer::refused() {
  std::lock_guard<std::mutex> lock(_mutex);
  return _refused;
}

bool mqtt_peer::subscribe(const std::string& filter, int qos, duration deadline) {
  int mid = 0;
  if (mosquitto_subscribe_v5(_mosq, &mid, filter.c_str(), qos, 0, nullptr) != MOSQ_ERR_SUCCESS) return false;
  std::unique_lock<std::mutex> lock(_mutex);
  if (!_cv.wait_for(lock, deadline, [&] { return _subacks.count(mid) > 0; })) return false;
  return _subacks[mid] < 0x80;
}

bool mqtt_peer::wait_until(const std::function<bool(const received&)>& done, duration idle) {
  std::unique_lock<std::mutex> lock(_mutex);
  for (std::size_t next = 0;; ) {
    while (next < _messages.size())
      if (done(_messages[next++])) return true;
    if (!_cv.wait_for(lock, idle, [&] { return _messages.size() != next; })) return false;
  }
}

std::vector<received> mqtt_peer::messages() {
  std::lock_guard<std::mutex> lock(_mutex);
  return _messages;
}

}  // namespace unimq::crashtest
