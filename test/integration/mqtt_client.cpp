#include "mqtt_client.hpp"

#include "broker_process.hpp"

#include <mosquitto.h>
#include <mqtt_protocol.h>

#include <atomic>
#include <cerrno>
#include <poll.h>
#include <stdexcept>
#include <sys/socket.h>
#include <unistd.h>

namespace unimq::it {
namespace {

using clock = std::chrono::steady_clock;

struct lib_init {
  lib_init() { mosquitto_lib_init(); }
  ~lib_init() { mosquitto_lib_cleanup(); }
};
lib_init& ensure_lib() {
  static lib_init init;
  return init;
}

std::string read_string(const mosquitto_property* p, int id) {
  char* value = nullptr;
  mosquitto_property_read_string(p, id, &value, false);
  std::string s = value ? value : "";
  free(value);
  return s;
}

}  // namespace

std::string unique(const std::string& prefix) {
  static std::atomic<unsigned> counter{0};
  return prefix + "-" + std::to_string(::getpid()) + "-" + std::to_string(counter++);
}

properties from_mosquitto(const mosquitto_property* list) {
  properties r;
  for (const mosquitto_property* p = list; p; p = mosquitto_property_next(p)) {
    const int id = mosquitto_property_identifier(p);
    std::uint8_t b = 0;
    std::uint16_t s = 0;
    std::uint32_t i = 0;
    switch (id) {
      case MQTT_PROP_PAYLOAD_FORMAT_INDICATOR: mosquitto_property_read_byte(p, id, &b, false); r.payload_format = b; break;
      case MQTT_PROP_MESSAGE_EXPIRY_INTERVAL: mosquitto_property_read_int32(p, id, &i, false); r.message_expiry = i; break;
      case MQTT_PROP_CONTENT_TYPE: r.content_type = read_string(p, id); break;
      case MQTT_PROP_RESPONSE_TOPIC: r.response_topic = read_string(p, id); break;
      case MQTT_PROP_CORRELATION_DATA: {
        void* data = nullptr;
        std::uint16_t len = 0;
        mosquitto_property_read_binary(p, id, &data, &len, false);
        r.correlation_data = std::string(static_cast<const char*>(data), len);
        free(data);
        break;
      }
      case MQTT_PROP_SUBSCRIPTION_IDENTIFIER: mosquitto_property_read_varint(p, id, &i, false); r.subscription_ids.push_back(i); break;
      case MQTT_PROP_SESSION_EXPIRY_INTERVAL: mosquitto_property_read_int32(p, id, &i, false); r.session_expiry = i; break;
      case MQTT_PROP_ASSIGNED_CLIENT_IDENTIFIER: r.assigned_client_id = read_string(p, id); break;
      case MQTT_PROP_SERVER_KEEP_ALIVE: mosquitto_property_read_int16(p, id, &s, false); r.server_keep_alive = s; break;
      case MQTT_PROP_REASON_STRING: r.reason_string = read_string(p, id); break;
      case MQTT_PROP_RECEIVE_MAXIMUM: mosquitto_property_read_int16(p, id, &s, false); r.receive_maximum = s; break;
      case MQTT_PROP_TOPIC_ALIAS_MAXIMUM: mosquitto_property_read_int16(p, id, &s, false); r.topic_alias_maximum = s; break;
      case MQTT_PROP_TOPIC_ALIAS: mosquitto_property_read_int16(p, id, &s, false); r.topic_alias = s; break;
      case MQTT_PROP_MAXIMUM_QOS: mosquitto_property_read_byte(p, id, &b, false); r.maximum_qos = b; break;
      case MQTT_PROP_RETAIN_AVAILABLE: mosquitto_property_read_byte(p, id, &b, false); r.retain_available = b; break;
      case MQTT_PROP_USER_PROPERTY: {
        char* name = nullptr;
        char* value = nullptr;
        mosquitto_property_read_string_pair(p, id, &name, &value, false);
        r.user.emplace_back(name ? name : "", value ? value : "");
        free(name);
        free(value);
        break;
      }
      case MQTT_PROP_MAXIMUM_PACKET_SIZE: mosquitto_property_read_int32(p, id, &i, false); r.maximum_packet_size = i; break;
      case MQTT_PROP_WILDCARD_SUB_AVAILABLE: mosquitto_property_read_byte(p, id, &b, false); r.wildcard_sub_available = b; break;
      case MQTT_PROP_SUBSCRIPTION_ID_AVAILABLE: mosquitto_property_read_byte(p, id, &b, false); r.sub_id_available = b; break;
      case MQTT_PROP_SHARED_SUB_AVAILABLE: mosquitto_property_read_byte(p, id, &b, false); r.shared_sub_available = b; break;
      case MQTT_PROP_WILL_DELAY_INTERVAL: mosquitto_property_read_int32(p, id, &i, false); r.will_delay = i; break;
      default: break;
    }
  }
  return r;
}

mosquitto_property* to_mosquitto(const properties& p) {
  mosquitto_property* l = nullptr;
  if (p.payload_format) mosquitto_property_add_byte(&l, MQTT_PROP_PAYLOAD_FORMAT_INDICATOR, *p.payload_format);
  if (p.message_expiry) mosquitto_property_add_int32(&l, MQTT_PROP_MESSAGE_EXPIRY_INTERVAL, *p.message_expiry);
  if (p.content_type) mosquitto_property_add_string(&l, MQTT_PROP_CONTENT_TYPE, p.content_type->c_str());
  if (p.response_topic) mosquitto_property_add_string(&l, MQTT_PROP_RESPONSE_TOPIC, p.response_topic->c_str());
  if (p.correlation_data)
    mosquitto_property_add_binary(&l, MQTT_PROP_CORRELATION_DATA, p.correlation_data->data(),
                                  static_cast<std::uint16_t>(p.correlation_data->size()));
  for (auto id : p.subscription_ids) mosquitto_property_add_varint(&l, MQTT_PROP_SUBSCRIPTION_IDENTIFIER, id);
  if (p.session_expiry) mosquitto_property_add_int32(&l, MQTT_PROP_SESSION_EXPIRY_INTERVAL, *p.session_expiry);
  if (p.reason_string) mosquitto_property_add_string(&l, MQTT_PROP_REASON_STRING, p.reason_string->c_str());
  if (p.receive_maximum) mosquitto_property_add_int16(&l, MQTT_PROP_RECEIVE_MAXIMUM, *p.receive_maximum);
  if (p.topic_alias_maximum) mosquitto_property_add_int16(&l, MQTT_PROP_TOPIC_ALIAS_MAXIMUM, *p.topic_alias_maximum);
  if (p.topic_alias) mosquitto_property_add_int16(&l, MQTT_PROP_TOPIC_ALIAS, *p.topic_alias);
  for (const auto& [k, v] : p.user) mosquitto_property_add_string_pair(&l, MQTT_PROP_USER_PROPERTY, k.c_str(), v.c_str());
  if (p.maximum_packet_size) mosquitto_property_add_int32(&l, MQTT_PROP_MAXIMUM_PACKET_SIZE, *p.maximum_packet_size);
  if (p.will_delay) mosquitto_property_add_int32(&l, MQTT_PROP_WILL_DELAY_INTERVAL, *p.will_delay);
  return l;
}

namespace {
struct prop_list {
  mosquitto_property* list = nullptr;
  explicit prop_list(const properties& p) : list(to_mosquitto(p)) {}
  ~prop_list() { mosquitto_property_free_all(&list); }
};
}  // namespace

// ---------------------------------------------------------------------------------------------------

mqtt_client::mqtt_client(std::string host, std::uint16_t port) : host_(std::move(host)), port_(port) {
  ensure_lib();
  thread_ = std::thread([this] { loop_thread(); });
}

mqtt_client::~mqtt_client() {
  {
    std::unique_lock<std::mutex> lock(mutex_);
    stop_ = true;
    cv_.notify_all();
  }
  thread_.join();
  if (mosq_) mosquitto_destroy(mosq_);
}

void mqtt_client::loop_thread() {
  std::unique_lock<std::mutex> lock(mutex_);
  for (;;) {
    cv_.wait(lock, [&] { return stop_ || (run_ && !paused_); });
    if (stop_) break;
    parked_ = false;
    ::mosquitto* m = mosq_;
    lock.unlock();
    const int rc = mosquitto_loop(m, 10, 1);
    lock.lock();
    parked_ = true;
    if (rc != MOSQ_ERR_SUCCESS) run_ = false;  // the connection is gone: wait for connect()
    cv_.notify_all();
  }
  parked_ = true;
  cv_.notify_all();
}

void mqtt_client::pause() {
  std::unique_lock<std::mutex> lock(mutex_);
  paused_ = true;
  cv_.wait(lock, [&] { return parked_; });
}

void mqtt_client::resume() {
  std::lock_guard<std::mutex> lock(mutex_);
  paused_ = false;
  cv_.notify_all();
}

void mqtt_client::create(const connect_options& o) {
  destroy();
  options_ = o;
  const char* id = o.client_id.empty() ? nullptr : o.client_id.c_str();
  mosq_ = mosquitto_new(id, o.clean, this);
  if (!mosq_) throw std::runtime_error("mosquitto_new failed (an empty client id needs clean = true)");
  mosquitto_int_option(mosq_, MOSQ_OPT_PROTOCOL_VERSION,
                       o.version == mqtt_version::v5 ? MQTT_PROTOCOL_V5 : MQTT_PROTOCOL_V311);
  mosquitto_threaded_set(mosq_, true);
  if (o.receive_maximum) mosquitto_int_option(mosq_, MOSQ_OPT_RECEIVE_MAXIMUM, *o.receive_maximum);
  mosquitto_connect_v5_callback_set(mosq_, &mqtt_client::on_connect);
  mosquitto_disconnect_v5_callback_set(mosq_, &mqtt_client::on_disconnect);
  mosquitto_publish_v5_callback_set(mosq_, &mqtt_client::on_publish);
  mosquitto_message_v5_callback_set(mosq_, &mqtt_client::on_message);
  mosquitto_subscribe_v5_callback_set(mosq_, &mqtt_client::on_subscribe);
  mosquitto_unsubscribe_v5_callback_set(mosq_, &mqtt_client::on_unsubscribe);
  if (o.will) {
    prop_list wp(o.will->props);
    const int rc = mosquitto_will_set_v5(mosq_, o.will->topic.c_str(), static_cast<int>(o.will->payload.size()),
                                         o.will->payload.data(), o.will->qos, o.will->retain,
                                         o.version == mqtt_version::v5 ? wp.list : nullptr);
    if (rc != MOSQ_ERR_SUCCESS) throw std::runtime_error("mosquitto_will_set_v5: " + std::string(mosquitto_strerror(rc)));
    wp.list = nullptr;  // owned by libmosquitto now
  }
}

void mqtt_client::destroy() {
  if (!mosq_) return;
  {
    std::unique_lock<std::mutex> lock(mutex_);
    run_ = false;
    cv_.wait(lock, [&] { return parked_; });
  }
  mosquitto_destroy(mosq_);
  mosq_ = nullptr;
}

connack mqtt_client::connect(const connect_options& o, duration deadline) {
  create(o);
  return do_connect(deadline);
}

connack mqtt_client::reconnect(duration deadline) {
  if (!mosq_) throw std::runtime_error("reconnect before connect");
  return do_connect(deadline);
}

connack mqtt_client::do_connect(duration deadline) {
  {
    std::unique_lock<std::mutex> lock(mutex_);
    run_ = false;
    cv_.wait(lock, [&] { return parked_; });
    connack_.reset();
    disconnect_ = {};
    connected_ = false;
  }
  properties props = options_.extra;
  if (options_.version == mqtt_version::v5) {
    if (options_.session_expiry) props.session_expiry = options_.session_expiry;
    if (options_.maximum_packet_size) props.maximum_packet_size = options_.maximum_packet_size;
    if (options_.topic_alias_maximum) props.topic_alias_maximum = options_.topic_alias_maximum;
  }
  prop_list cp(props);
  const int rc = mosquitto_connect_bind_v5(mosq_, host_.c_str(), port_, options_.keepalive, nullptr,
                                           options_.version == mqtt_version::v5 ? cp.list : nullptr);
  if (rc != MOSQ_ERR_SUCCESS) {
    connack r;
    r.reason = -rc;
    return r;
  }
  std::unique_lock<std::mutex> lock(mutex_);
  run_ = true;
  paused_ = false;
  cv_.notify_all();
  cv_.wait_for(lock, deadline, [&] { return connack_.has_value() || disconnect_.disconnected; });
  return connack_.value_or(connack{});
}

void mqtt_client::disconnect(int reason, const properties& props, duration deadline) {
  if (!mosq_) return;
  prop_list p(props);
  mosquitto_disconnect_v5(mosq_, reason, options_.version == mqtt_version::v5 ? p.list : nullptr);
  std::unique_lock<std::mutex> lock(mutex_);
  cv_.wait_for(lock, deadline, [&] { return !connected_ || !run_; });
}

void mqtt_client::drop() {
  if (!mosq_) return;
  pause();
  const int fd = mosquitto_socket(mosq_);
  if (fd >= 0) ::shutdown(fd, SHUT_RDWR);
  resume();
  std::unique_lock<std::mutex> lock(mutex_);
  cv_.wait_for(lock, default_deadline, [&] { return !connected_ || !run_; });
}

publish_result mqtt_client::publish(const std::string& topic, const std::string& payload, const publish_options& o,
                                    duration deadline) {
  publish_result r;
  const int mid = publish_async(topic, payload, o);
  if (mid < 0) {
    r.rc = -mid;
    return r;
  }
  r.rc = 0;
  std::unique_lock<std::mutex> lock(mutex_);
  r.acked = cv_.wait_for(lock, deadline, [&] { return acked_.count(mid) > 0; });
  if (r.acked) {
    r.reason = acked_[mid];
    acked_.erase(mid);
  }
  return r;
}

int mqtt_client::publish_async(const std::string& topic, const std::string& payload, const publish_options& o) {
  if (!mosq_) return -MOSQ_ERR_NO_CONN;
  prop_list p(o.props);
  int mid = 0;
  const int rc = mosquitto_publish_v5(mosq_, &mid, topic.empty() ? nullptr : topic.c_str(),
                                      static_cast<int>(payload.size()), payload.data(), o.qos, o.retain,
                                      options_.version == mqtt_version::v5 ? p.list : nullptr);
  // With QoS > 0 and no connection, libmosquitto has queued the message (and will resend it after
  // reconnect) but reports MOSQ_ERR_NO_CONN: it is published, not refused.
  if (rc == MOSQ_ERR_NO_CONN && o.qos > 0 && mid > 0) return mid;
  if (rc != MOSQ_ERR_SUCCESS) return -rc;
  return mid;
}

bool mqtt_client::wait_acked(int mid, duration deadline) {
  std::unique_lock<std::mutex> lock(mutex_);
  return cv_.wait_for(lock, deadline, [&] { return acked_.count(mid) > 0; });
}

std::set<int> mqtt_client::acked_mids() {
  std::lock_guard<std::mutex> lock(mutex_);
  std::set<int> r;
  for (const auto& [mid, reason] : acked_) r.insert(mid);
  return r;
}

std::map<int, int> mqtt_client::ack_reasons() {
  std::lock_guard<std::mutex> lock(mutex_);
  return acked_;
}

std::vector<int> mqtt_client::subscribe(const std::string& filter, const subscribe_options& o, duration deadline) {
  if (!mosq_) return {};
  properties props = o.props;
  if (o.subscription_id) props.subscription_ids.push_back(*o.subscription_id);
  prop_list p(props);
  int options = 0;
  if (options_.version == mqtt_version::v5) {
    if (o.no_local) options |= MQTT_SUB_OPT_NO_LOCAL;
    if (o.retain_as_published) options |= MQTT_SUB_OPT_RETAIN_AS_PUBLISHED;
    if (o.retain_handling == 1) options |= MQTT_SUB_OPT_SEND_RETAIN_NEW;
    if (o.retain_handling == 2) options |= MQTT_SUB_OPT_SEND_RETAIN_NEVER;
  }
  int mid = 0;
  const int rc = mosquitto_subscribe_v5(mosq_, &mid, filter.c_str(), o.qos, options,
                                        options_.version == mqtt_version::v5 ? p.list : nullptr);
  if (rc != MOSQ_ERR_SUCCESS) return {};
  std::unique_lock<std::mutex> lock(mutex_);
  if (!cv_.wait_for(lock, deadline, [&] { return subacks_.count(mid) > 0; })) return {};
  auto r = subacks_[mid];
  subacks_.erase(mid);
  return r;
}

bool mqtt_client::unsubscribe(const std::string& filter, duration deadline) {
  if (!mosq_) return false;
  int mid = 0;
  if (mosquitto_unsubscribe_v5(mosq_, &mid, filter.c_str(), nullptr) != MOSQ_ERR_SUCCESS) return false;
  std::unique_lock<std::mutex> lock(mutex_);
  const bool ok = cv_.wait_for(lock, deadline, [&] { return unsubacks_.count(mid) > 0; });
  unsubacks_.erase(mid);
  return ok;
}

std::vector<message> mqtt_client::wait_for_messages(std::size_t n, duration deadline) {
  std::unique_lock<std::mutex> lock(mutex_);
  // A lost connection ends the wait early: nothing more can arrive.
  cv_.wait_for(lock, deadline, [&] { return messages_.size() >= n || disconnect_.disconnected; });
  std::vector<message> r;
  while (!messages_.empty() && r.size() < n) {
    r.push_back(std::move(messages_.front()));
    messages_.pop_front();
  }
  return r;
}

std::vector<message> mqtt_client::wait_for_topic(const std::string& topic, duration deadline) {
  return wait_for([&](const message& m) { return m.topic == topic; }, deadline);
}

std::vector<message> mqtt_client::wait_for_payload(const std::string& payload, duration deadline) {
  return wait_for([&](const message& m) { return m.payload == payload; }, deadline);
}

std::vector<message> mqtt_client::wait_for(const std::function<bool(const message&)>& pred, duration deadline) {
  std::unique_lock<std::mutex> lock(mutex_);
  auto has = [&] {
    for (const auto& m : messages_)
      if (pred(m)) return true;
    return false;
  };
  cv_.wait_for(lock, deadline, [&] { return has() || disconnect_.disconnected; });
  std::vector<message> r;
  if (!has()) return r;
  while (!messages_.empty()) {
    r.push_back(std::move(messages_.front()));
    messages_.pop_front();
    if (pred(r.back())) break;
  }
  return r;
}

std::vector<message> mqtt_client::take_messages() {
  std::lock_guard<std::mutex> lock(mutex_);
  std::vector<message> r(std::make_move_iterator(messages_.begin()), std::make_move_iterator(messages_.end()));
  messages_.clear();
  return r;
}

std::size_t mqtt_client::pending_messages() {
  std::lock_guard<std::mutex> lock(mutex_);
  return messages_.size();
}

bool mqtt_client::connected() {
  std::lock_guard<std::mutex> lock(mutex_);
  return connected_;
}

disconnect_info mqtt_client::wait_disconnected(duration deadline) {
  std::unique_lock<std::mutex> lock(mutex_);
  cv_.wait_for(lock, deadline, [&] { return disconnect_.disconnected; });
  return disconnect_;
}

disconnect_info mqtt_client::last_disconnect() {
  std::lock_guard<std::mutex> lock(mutex_);
  return disconnect_;
}

void mqtt_client::on_connect(::mosquitto*, void* self_, int rc, int flags, const mosquitto_property* props) {
  auto* self = static_cast<mqtt_client*>(self_);
  std::lock_guard<std::mutex> lock(self->mutex_);
  connack c;
  c.ok = true;
  c.reason = rc;
  c.session_present = (flags & 1) != 0;
  c.props = from_mosquitto(props);
  self->connack_ = c;
  self->connected_ = rc == 0;
  self->cv_.notify_all();
}

void mqtt_client::on_disconnect(::mosquitto*, void* self_, int rc, const mosquitto_property* props) {
  auto* self = static_cast<mqtt_client*>(self_);
  std::lock_guard<std::mutex> lock(self->mutex_);
  self->connected_ = false;
  self->disconnect_.disconnected = true;
  self->disconnect_.reason = rc;
  self->disconnect_.props = from_mosquitto(props);
  self->cv_.notify_all();
}

void mqtt_client::on_publish(::mosquitto*, void* self_, int mid, int reason, const mosquitto_property*) {
  auto* self = static_cast<mqtt_client*>(self_);
  std::lock_guard<std::mutex> lock(self->mutex_);
  self->acked_[mid] = reason;
  self->cv_.notify_all();
}

void mqtt_client::on_message(::mosquitto*, void* self_, const ::mosquitto_message* m, const mosquitto_property* props) {
  auto* self = static_cast<mqtt_client*>(self_);
  message msg;
  msg.topic = m->topic ? m->topic : "";
  msg.payload.assign(static_cast<const char*>(m->payload), static_cast<std::size_t>(m->payloadlen));
  msg.qos = m->qos;
  msg.retain = m->retain;
  msg.props = from_mosquitto(props);
  std::lock_guard<std::mutex> lock(self->mutex_);
  self->messages_.push_back(std::move(msg));
  self->cv_.notify_all();
}

void mqtt_client::on_subscribe(::mosquitto*, void* self_, int mid, int count, const int* granted,
                               const mosquitto_property*) {
  auto* self = static_cast<mqtt_client*>(self_);
  std::lock_guard<std::mutex> lock(self->mutex_);
  self->subacks_[mid] = std::vector<int>(granted, granted + count);
  self->cv_.notify_all();
}

void mqtt_client::on_unsubscribe(::mosquitto*, void* self_, int mid, const mosquitto_property*) {
  auto* self = static_cast<mqtt_client*>(self_);
  std::lock_guard<std::mutex> lock(self->mutex_);
  self->unsubacks_.insert(mid);
  self->cv_.notify_all();
}

// ---------------------------------------------------------------------------------------------------

raw_connection::raw_connection(const std::string& host, std::uint16_t port) : fd_(tcp_connect(host, port)) {}

raw_connection::~raw_connection() { close(); }

void raw_connection::close() {
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
}

bool raw_connection::send(const std::string& data) {
  if (fd_ < 0) return false;
  std::size_t off = 0;
  while (off < data.size()) {
    const ssize_t n = ::send(fd_, data.data() + off, data.size() - off, MSG_NOSIGNAL);
    if (n < 0) {
      if (errno == EINTR) continue;
      return false;
    }
    off += static_cast<std::size_t>(n);
  }
  return true;
}

std::optional<raw_connection::packet> raw_connection::read_packet(duration deadline) {
  const auto until = clock::now() + deadline;
  for (;;) {
    // A whole packet in the buffer?
    if (buffer_.size() >= 2) {
      std::uint32_t len = 0;
      int shift = 0;
      std::size_t i = 1;
      bool complete = false;
      for (; i < buffer_.size() && i <= 4; ++i) {
        const auto b = static_cast<std::uint8_t>(buffer_[i]);
        len |= static_cast<std::uint32_t>(b & 0x7F) << shift;
        shift += 7;
        if (!(b & 0x80)) {
          complete = true;
          ++i;
          break;
        }
      }
      if (complete && buffer_.size() >= i + len) {
        packet p;
        p.header = static_cast<std::uint8_t>(buffer_[0]);
        p.body = buffer_.substr(i, len);
        buffer_.erase(0, i + len);
        return p;
      }
    }
    if (fd_ < 0 || closed_) return std::nullopt;
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(until - clock::now()).count();
    if (left <= 0) return std::nullopt;
    pollfd pfd{fd_, POLLIN, 0};
    const int pr = ::poll(&pfd, 1, static_cast<int>(left));
    if (pr < 0 && errno == EINTR) continue;
    if (pr <= 0) return std::nullopt;
    char buf[65536];
    const ssize_t n = ::recv(fd_, buf, sizeof buf, 0);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      closed_ = true;
      continue;  // a last complete packet may still be in the buffer
    }
    buffer_.append(buf, static_cast<std::size_t>(n));
  }
}

bool raw_connection::wait_closed(duration deadline) {
  const auto until = clock::now() + deadline;
  while (!closed_ && clock::now() < until) {
    read_packet(std::chrono::duration_cast<duration>(until - clock::now()));
  }
  return closed_;
}

namespace bytes {

std::string u16(std::uint16_t v) { return {static_cast<char>(v >> 8), static_cast<char>(v & 0xFF)}; }

std::string u32(std::uint32_t v) {
  return {static_cast<char>(v >> 24), static_cast<char>((v >> 16) & 0xFF), static_cast<char>((v >> 8) & 0xFF),
          static_cast<char>(v & 0xFF)};
}

std::string varint(std::uint32_t v) {
  std::string r;
  do {
    std::uint8_t b = v & 0x7F;
    v >>= 7;
    if (v) b |= 0x80;
    r.push_back(static_cast<char>(b));
  } while (v);
  return r;
}

std::string str(const std::string& s) { return u16(static_cast<std::uint16_t>(s.size())) + s; }

std::string packet(std::uint8_t first, const std::string& body) {
  return std::string(1, static_cast<char>(first)) + varint(static_cast<std::uint32_t>(body.size())) + body;
}

std::string connect(int level, const std::string& client_id, std::uint8_t flags, std::uint16_t keepalive,
                    const std::string& v5_props, const std::string& after_client_id) {
  std::string body = str("MQTT") + std::string(1, static_cast<char>(level)) + std::string(1, static_cast<char>(flags)) +
                     u16(keepalive);
  if (level == 5) body += varint(static_cast<std::uint32_t>(v5_props.size())) + v5_props;
  body += str(client_id) + after_client_id;
  return packet(0x10, body);
}

std::string publish(int level, const std::string& topic, const std::string& payload, int qos, std::uint16_t id,
                    bool dup, bool retain, const std::string& v5_props) {
  std::uint8_t first = 0x30 | static_cast<std::uint8_t>(qos << 1);
  if (dup) first |= 0x08;
  if (retain) first |= 0x01;
  std::string body = str(topic);
  if (qos > 0) body += u16(id);
  if (level == 5) body += varint(static_cast<std::uint32_t>(v5_props.size())) + v5_props;
  return packet(first, body + payload);
}

std::string subscribe(int level, std::uint16_t id, const std::string& filter, std::uint8_t options) {
  std::string body = u16(id);
  if (level == 5) body += varint(0);
  body += str(filter) + std::string(1, static_cast<char>(options));
  return packet(0x82, body);
}

std::string puback(int, std::uint16_t id) { return packet(0x40, u16(id)); }
std::string pubrel(int, std::uint16_t id) { return packet(0x62, u16(id)); }

std::string disconnect(int level, std::uint8_t reason) {
  if (level == 5 && reason != 0) return packet(0xE0, std::string(1, static_cast<char>(reason)));
  return packet(0xE0, "");
}

}  // namespace bytes

std::optional<raw_publish> parse_publish(const raw_connection::packet& p, int level) {
  if (p.type() != 3) return std::nullopt;
  raw_publish r;
  r.dup = (p.header & 0x08) != 0;
  r.qos = (p.header >> 1) & 3;
  r.retain = (p.header & 1) != 0;
  const std::string& b = p.body;
  std::size_t pos = 0;
  auto need = [&](std::size_t n) { return pos + n <= b.size(); };
  if (!need(2)) return std::nullopt;
  const std::size_t tlen = (static_cast<std::uint8_t>(b[0]) << 8) | static_cast<std::uint8_t>(b[1]);
  pos = 2;
  if (!need(tlen)) return std::nullopt;
  r.topic = b.substr(pos, tlen);
  pos += tlen;
  if (r.qos > 0) {
    if (!need(2)) return std::nullopt;
    r.packet_id = static_cast<std::uint16_t>((static_cast<std::uint8_t>(b[pos]) << 8) | static_cast<std::uint8_t>(b[pos + 1]));
    pos += 2;
  }
  if (level == 5) {
    std::uint32_t plen = 0;
    int shift = 0;
    for (;;) {
      if (!need(1)) return std::nullopt;
      const auto c = static_cast<std::uint8_t>(b[pos++]);
      plen |= static_cast<std::uint32_t>(c & 0x7F) << shift;
      shift += 7;
      if (!(c & 0x80)) break;
    }
    if (!need(plen)) return std::nullopt;
    r.props = b.substr(pos, plen);
    pos += plen;
  }
  r.payload = b.substr(pos);
  return r;
}

}  // namespace unimq::it

namespace unimq::it {

std::unique_ptr<mqtt_client> connect_client(const broker_process& broker, const connect_options& o) {
  auto c = std::make_unique<mqtt_client>(broker.host(), broker.port());
  const connack ack = c->connect(o);
  if (!ack.ok || ack.reason != 0)
    throw std::runtime_error("client '" + o.client_id + "' (MQTT " + to_string(o.version) +
                             ") not connected: connack ok=" + std::to_string(ack.ok) +
                             " reason=" + std::to_string(ack.reason));
  return c;
}

std::unique_ptr<mqtt_client> subscriber(const broker_process& broker, const connect_options& o,
                                        const std::string& filter, int qos) {
  auto c = connect_client(broker, o);
  const auto granted = c->subscribe(filter, qos);
  if (granted.size() != 1 || granted[0] != qos)
    throw std::runtime_error("subscribe to '" + filter + "' at QoS " + std::to_string(qos) + " not granted");
  return c;
}

}  // namespace unimq::it
