#pragma once
// One MQTT client of the crash test, on libmosquitto (a third-party client, so that a bug of our codec
// cannot hide a bug of our broker). Its own network thread connects, and reconnects as soon as the
// broker listens again, with the same client id and CONNECT properties: libmosquitto then resends
// the unacknowledged QoS 1/2 messages (DUP) and resumes QoS 2 flows, as a real device would.
//
// As a publisher it records which sequence numbers were acknowledged (PUBACK for QoS 1, PUBCOMP for
// QoS 2, reason code < 0x80); as a subscriber it keeps every message received.

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

struct mosquitto;
struct mosquitto_message;
struct mqtt5__property;
typedef struct mqtt5__property mosquitto_property;

namespace unimq::crashtest {

using duration = std::chrono::milliseconds;

/// A message a subscriber received: its topic and the sequence number in its payload.
struct received {
  std::string topic;
  std::uint64_t seq = 0;
  bool marker = false;  ///< the end-of-test marker, not a numbered message
};

class mqtt_peer {
 public:
  /// A persistent client (clean session off; in MQTT 5 clean start off and an hour of session
  /// expiry) with this id.
  mqtt_peer(std::string host, std::uint16_t port, std::string client_id, bool v5);
  ~mqtt_peer();  ///< stops the network thread (no DISCONNECT)
  mqtt_peer(const mqtt_peer&) = delete;
  mqtt_peer& operator=(const mqtt_peer&) = delete;

  /// Starts the network thread, which connects and keeps reconnecting until disconnect().
  void start();
  /// Waits until a CONNACK accepted the connection (since the last loss of it).
  bool wait_connected(duration deadline);
  bool connected();
  /// Session Present of the latest accepted CONNACK.
  bool session_present();
  /// Accepted CONNACKs so far.
  int connections();
  /// Sends DISCONNECT, waits (deadline) until the socket is closed and stops the network thread.
  void disconnect(duration deadline);

  /// Publishes `seq` (as its payload) at `qos`; false if libmosquitto refused it outright. A
  /// message published while disconnected is queued and sent on reconnection.
  bool publish(const std::string& topic, std::uint64_t seq, int qos);
  /// Publishes the end-of-test marker (payload "marker") at QoS 1.
  bool publish_marker(const std::string& topic);
  /// Published and neither acknowledged nor refused yet.
  std::size_t inflight();
  /// Waits until fewer than `window` messages are in flight.
  bool wait_window(std::size_t window, duration deadline);
  std::uint64_t published();
  /// Sequence numbers acknowledged with a success reason code, in acknowledgement order.
  std::vector<std::uint64_t> acknowledged();
  /// PUBACK/PUBREC/PUBCOMP with a failure reason code (≥ 0x80).
  std::uint64_t refused();

  /// Subscribes and waits for the SUBACK; false if none came or it refused.
  bool subscribe(const std::string& filter, int qos, duration deadline);
  /// Hands every message received, once, to `done` until it returns true (then returns true), or
  /// until nothing at all arrived for `idle` (then false). The messages stay in messages().
  bool wait_until(const std::function<bool(const received&)>& done, duration idle);
  std::vector<received> messages();

 private:
  static void on_connect(::mosquitto*, void* self, int rc, int flags, const mosquitto_property*);
  static void on_disconnect(::mosquitto*, void* self, int rc, const mosquitto_property*);
  static void on_publish(::mosquitto*, void* self, int mid, int reason, const mosquitto_property*);
  static void on_message(::mosquitto*, void* self, const ::mosquitto_message* message, const mosquitto_property*);
  static void on_subscribe(::mosquitto*, void* self, int mid, int count, const int* granted, const mosquitto_property*);
  void network_loop();
  void record_ack(std::uint64_t seq, int reason);
  bool publish_payload(const std::string& topic, const std::string& payload, std::uint64_t seq, int qos);

  std::string _host;
  std::uint16_t _port;
  bool _v5;
  ::mosquitto* _mosq = nullptr;
  std::thread _thread;
  std::atomic<bool> _stop{false};
  std::atomic<bool> _closing{false};

  std::mutex _mutex;
  std::condition_variable _cv;
  bool _connected = false;
  bool _session_present = false;
  int _connections = 0;
  bool _socket_closed = true;
  std::map<int, std::uint64_t> _inflight;  // mid -> seq
  std::map<int, int> _early_acks;          // mid -> reason, for acks that beat publish() to the map
  std::uint64_t _published = 0;
  std::vector<std::uint64_t> _acknowledged;
  std::uint64_t _refused = 0;
  std::map<int, int> _subacks;  // mid -> granted QoS / reason
  std::vector<received> _messages;
};

}  // namespace unimq::crashtest
