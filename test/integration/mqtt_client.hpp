// Test clients. `mqtt_client` is a small synchronous wrapper around libmosquitto (a third-party client,
// so that a bug of our codec cannot cancel out in the broker); `raw_connection` speaks hand-written
// bytes over TCP for what a conforming library will not send (malformed packets, withheld acks).
//
// Every wait has a deadline and is woken by a condition variable from libmosquitto's callbacks; no
// sleep is used to synchronise. The client runs its own network thread (mosquitto_loop), which can be
// paused: a paused client neither reads, writes nor pings — a stalled or silent device.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <utility>
#include <vector>

struct mosquitto;
struct mqtt5__property;
typedef struct mqtt5__property mosquitto_property;
struct mosquitto_message;

namespace unimq::it {

using namespace std::chrono_literals;
using duration = std::chrono::milliseconds;
inline constexpr duration default_deadline = 5s;

enum class mqtt_version { v311, v5 };
inline const char* to_string(mqtt_version v) { return v == mqtt_version::v5 ? "5.0" : "3.1.1"; }

// The MQTT 5 properties tests read and write (unset = absent).
struct properties {
  std::optional<std::uint8_t> payload_format;
  std::optional<std::uint32_t> message_expiry;
  std::optional<std::string> content_type;
  std::optional<std::string> response_topic;
  std::optional<std::string> correlation_data;
  std::vector<std::uint32_t> subscription_ids;
  std::optional<std::uint32_t> session_expiry;
  std::optional<std::string> assigned_client_id;
  std::optional<std::uint16_t> server_keep_alive;
  std::optional<std::string> reason_string;
  std::optional<std::uint16_t> receive_maximum;
  std::optional<std::uint16_t> topic_alias_maximum;
  std::optional<std::uint16_t> topic_alias;
  std::optional<std::uint8_t> maximum_qos;
  std::optional<std::uint8_t> retain_available;
  std::vector<std::pair<std::string, std::string>> user;
  std::optional<std::uint32_t> maximum_packet_size;
  std::optional<std::uint8_t> wildcard_sub_available;
  std::optional<std::uint8_t> sub_id_available;
  std::optional<std::uint8_t> shared_sub_available;
  std::optional<std::uint32_t> will_delay;
};

properties from_mosquitto(const mosquitto_property* list);
// A libmosquitto property list (caller frees with mosquitto_property_free_all), nullptr if empty.
mosquitto_property* to_mosquitto(const properties& p);

struct will_options {
  std::string topic;
  std::string payload;
  int qos = 0;
  bool retain = false;
  properties props;  // v5: will delay, message expiry, content type, user properties...
};

struct connect_options {
  connect_options() = default;
  connect_options(mqtt_version v, std::string id = "", bool clean_ = true)
      : version(v), client_id(std::move(id)), clean(clean_) {}
  mqtt_version version = mqtt_version::v5;
  std::string client_id;  // empty: the broker assigns one (needs clean = true)
  bool clean = true;      // clean session (3.1.1) / clean start (5)
  int keepalive = 60;     // libmosquitto refuses < 5; use raw_connection for shorter
  std::optional<std::uint32_t> session_expiry;       // v5
  std::optional<std::uint16_t> receive_maximum;      // v5, the client's
  std::optional<std::uint32_t> maximum_packet_size;  // v5, the client's
  std::optional<std::uint16_t> topic_alias_maximum;  // v5, the client's
  std::optional<will_options> will;
  properties extra;  // more CONNECT properties (user properties...)
};

// A persistent session: 3.1.1 without Clean Session, 5.0 with a Session Expiry Interval of `expiry` s.
inline connect_options persistent_session(mqtt_version v, const std::string& id, std::uint32_t expiry = 3600) {
  connect_options o{v, id, false};
  if (v == mqtt_version::v5) o.session_expiry = expiry;
  return o;
}

struct connack {
  bool ok = false;              // a CONNACK arrived in time
  int reason = -1;              // CONNACK return/reason code (0 = accepted)
  bool session_present = false;
  properties props;             // v5 CONNACK properties
};

struct message {
  std::string topic;
  std::string payload;
  int qos = 0;
  bool retain = false;
  properties props;
};

struct publish_options {
  publish_options(int qos_ = 0, bool retain_ = false, properties props_ = {})
      : qos(qos_), retain(retain_), props(std::move(props_)) {}
  int qos = 0;
  bool retain = false;
  properties props;
};

struct publish_result {
  int rc = -1;      // libmosquitto return code of mosquitto_publish_v5 (0 = queued)
  bool acked = false;  // PUBACK/PUBCOMP (QoS 1/2) or written (QoS 0) before the deadline
  int reason = -1;  // v5 reason code of the PUBACK/PUBREC (0 = success)
};

// MQTT 5 subscription options.
struct subscribe_options {
  subscribe_options(int qos_ = 0) : qos(qos_) {}
  int qos = 0;
  bool no_local = false;
  bool retain_as_published = false;
  int retain_handling = 0;  // 0 send, 1 send if new, 2 don't send
  std::optional<std::uint32_t> subscription_id;
  properties props;
};

struct disconnect_info {
  bool disconnected = false;
  int reason = -1;  // v5 DISCONNECT reason code from the server, or a MOSQ_ERR_* (e.g. 7 lost)
  properties props;
};

class mqtt_client {
 public:
  mqtt_client(std::string host, std::uint16_t port);
  ~mqtt_client();
  mqtt_client(const mqtt_client&) = delete;
  mqtt_client& operator=(const mqtt_client&) = delete;

  // Creates a libmosquitto client for these options (id, clean flag, version, will), connects
  // (TCP + CONNECT) and waits for the CONNACK. Calling it again starts over with a new client object.
  connack connect(const connect_options& options, duration deadline = default_deadline);
  // Reconnects the same libmosquitto object with the same options and CONNECT properties: its
  // unacknowledged outbound messages are resent with DUP and QoS 2 flows resumed.
  connack reconnect(duration deadline = default_deadline);

  // Clean DISCONNECT (v5 reason code and properties, e.g. a session expiry) and wait until closed.
  void disconnect(int reason = 0, const properties& props = {}, duration deadline = default_deadline);
  // Drops the TCP connection without a DISCONNECT (the will is due).
  void drop();

  publish_result publish(const std::string& topic, const std::string& payload, const publish_options& o = {},
                         duration deadline = default_deadline);
  // Publish without waiting; returns the mid (or -rc on error). A QoS 1/2 message published while
  // disconnected is queued by libmosquitto and sent on reconnect(): that returns its mid too.
  // See acked_mids()/wait_acked().
  int publish_async(const std::string& topic, const std::string& payload, const publish_options& o = {});
  bool wait_acked(int mid, duration deadline = default_deadline);
  std::set<int> acked_mids();
  std::map<int, int> ack_reasons();  // mid -> v5 reason code

  // Waits for the SUBACK; returns the granted QoS / reason codes (empty if none came in time).
  std::vector<int> subscribe(const std::string& filter, const subscribe_options& o = {},
                             duration deadline = default_deadline);
  std::vector<int> subscribe(const std::string& filter, int qos) { return subscribe(filter, subscribe_options(qos)); }
  bool unsubscribe(const std::string& filter, duration deadline = default_deadline);

  // Removes and returns up to n messages, waiting until n have arrived, the deadline passes or the
  // connection is lost (the wait_for* functions also return early on a lost connection).
  std::vector<message> wait_for_messages(std::size_t n, duration deadline = default_deadline);
  // Waits until a message on `topic` arrives; returns everything received up to and including it.
  std::vector<message> wait_for_topic(const std::string& topic, duration deadline = default_deadline);
  // Same, up to and including the first message with this payload (a marker).
  std::vector<message> wait_for_payload(const std::string& payload, duration deadline = default_deadline);
  // Same, up to and including the first message matching `pred`; empty if none came in time.
  std::vector<message> wait_for(const std::function<bool(const message&)>& pred, duration deadline = default_deadline);
  // Everything received so far, removed from the queue, without waiting.
  std::vector<message> take_messages();
  std::size_t pending_messages();

  bool connected();
  // Waits until the connection is closed (by the server or the network); the v5 reason if sent.
  disconnect_info wait_disconnected(duration deadline = default_deadline);
  disconnect_info last_disconnect();

  // Pause the network thread: nothing is read, written or pinged until resume().
  void pause();
  void resume();

  ::mosquitto* handle() { return mosq_; }
  const connect_options& options() const { return options_; }

 private:
  static void on_connect(::mosquitto*, void*, int, int, const mosquitto_property*);
  static void on_disconnect(::mosquitto*, void*, int, const mosquitto_property*);
  static void on_publish(::mosquitto*, void*, int, int, const mosquitto_property*);
  static void on_message(::mosquitto*, void*, const ::mosquitto_message*, const mosquitto_property*);
  static void on_subscribe(::mosquitto*, void*, int, int, const int*, const mosquitto_property*);
  static void on_unsubscribe(::mosquitto*, void*, int, const mosquitto_property*);
  void loop_thread();
  void create(const connect_options& o);
  void destroy();
  connack do_connect(duration deadline);

  std::string host_;
  std::uint16_t port_;
  connect_options options_;
  ::mosquitto* mosq_ = nullptr;

  std::mutex mutex_;
  std::condition_variable cv_;
  std::thread thread_;
  bool stop_ = false;
  bool run_ = false;      // the thread drives mosquitto_loop while true
  bool paused_ = false;
  bool parked_ = true;    // the thread is not inside mosquitto_loop
  bool connected_ = false;
  std::optional<connack> connack_;
  disconnect_info disconnect_;
  std::map<int, int> acked_;  // mid -> reason
  std::map<int, std::vector<int>> subacks_;
  std::set<int> unsubacks_;
  std::deque<message> messages_;
};

// A hand-driven TCP connection: write bytes, read whole MQTT packets (fixed header + remaining
// length), detect a closed socket. Builders write packets byte by byte from the spec.
class raw_connection {
 public:
  raw_connection(const std::string& host, std::uint16_t port);
  ~raw_connection();
  raw_connection(const raw_connection&) = delete;
  raw_connection& operator=(const raw_connection&) = delete;

  bool is_open() const { return fd_ >= 0; }
  bool send(const std::string& bytes);  // false if the peer is gone
  struct packet {
    std::uint8_t header = 0;  // first byte: type << 4 | flags
    std::string body;         // after the remaining length
    int type() const { return header >> 4; }
  };
  // The next packet, or nullopt if the deadline passed or the socket closed (see closed()).
  std::optional<packet> read_packet(duration deadline = default_deadline);
  // True once a read returned EOF or ECONNRESET.
  bool closed() const { return closed_; }
  // Reads until the peer closes the socket (discarding packets) or the deadline passes.
  bool wait_closed(duration deadline = default_deadline);
  void close();

 private:
  int fd_ = -1;
  bool closed_ = false;
  std::string buffer_;
};

// Byte builders (MQTT encodings, written here from the spec; not our codec).
namespace bytes {
std::string u16(std::uint16_t v);
std::string u32(std::uint32_t v);
std::string varint(std::uint32_t v);
std::string str(const std::string& s);  // two-byte length prefix
// A packet: first byte, remaining length, body.
std::string packet(std::uint8_t first, const std::string& body);
// CONNECT: protocol level 4 (3.1.1) or 5; flags byte as given; v5 properties raw (without length).
std::string connect(int level, const std::string& client_id, std::uint8_t flags = 0x02,
                    std::uint16_t keepalive = 60, const std::string& v5_props = "",
                    const std::string& after_client_id = "");
std::string publish(int version_level, const std::string& topic, const std::string& payload, int qos,
                    std::uint16_t packet_id = 0, bool dup = false, bool retain = false,
                    const std::string& v5_props = "");
std::string subscribe(int version_level, std::uint16_t packet_id, const std::string& filter, std::uint8_t options);
std::string puback(int version_level, std::uint16_t packet_id);
std::string pubrel(int version_level, std::uint16_t packet_id);
std::string disconnect(int version_level, std::uint8_t reason = 0);
}  // namespace bytes

// A parsed PUBLISH received on a raw connection.
struct raw_publish {
  bool dup = false;
  int qos = 0;
  bool retain = false;
  std::string topic;
  std::uint16_t packet_id = 0;
  std::string props;  // raw v5 property bytes
  std::string payload;
};
std::optional<raw_publish> parse_publish(const raw_connection::packet& p, int version_level);

// Unique names per test run, so that leftovers never interfere.
std::string unique(const std::string& prefix);

}  // namespace unimq::it

namespace unimq::it {
class broker_process;
// A client connected to `broker` with `o`; throws (failing the test case) if no CONNACK 0 comes.
std::unique_ptr<mqtt_client> connect_client(const broker_process& broker, const connect_options& o);
// A QoS 0..2 subscriber on `filter`, connected and subscribed.
std::unique_ptr<mqtt_client> subscriber(const broker_process& broker, const connect_options& o,
                                        const std::string& filter, int qos);
}  // namespace unimq::it
