#include "scenario.hpp"

#include <unistd.h>

#include <chrono>

#include "payload.hpp"

namespace unimq::bench {
namespace {

using std::chrono::milliseconds;
using std::chrono::nanoseconds;

// Concurrent connection attempts: enough to open 18 000 connections in seconds, few enough not to
// overflow a broker's listen backlog.
constexpr std::size_t kMaxConnecting = 256;
// Setup (connect + subscribe everything) must finish within this, or the run fails.
constexpr auto kSetupTimeout = std::chrono::seconds(120);
// Keep-alive announced in CONNECT; every connection sends a PINGREQ every kPingIntervalS, so that
// silent subscribers and idle connections stay alive however long the run.
constexpr std::uint16_t kKeepAliveS = 60;
constexpr std::uint64_t kPingIntervalS = 10;
// A QoS 0 publisher running flat out queues up to this many bytes ahead of the socket: TCP flow
// control is the only flow control QoS 0 has.
constexpr std::size_t kQueueHighWater = 64 * 1024;
constexpr int kQos0SendBuffer = 64 * 1024;
// Pacing granularity of --rate.
constexpr auto kTick = milliseconds(1);
// How often the grace period checks whether everything expected has arrived.
constexpr auto kGraceCheck = milliseconds(20);
constexpr std::size_t kMaxErrorMessages = 10;

std::int64_t seconds_to_ns(double s) { return static_cast<std::int64_t>(s * 1e9); }

}  // namespace

std::uint64_t run_result::received() const {
  std::uint64_t n = 0;
  for (auto& s : per_subscriber) n += s.counts.received;
  return n;
}
std::uint64_t run_result::expected() const {
  std::uint64_t n = 0;
  for (auto& s : per_subscriber) n += s.expected;
  return n;
}
std::uint64_t run_result::lost() const {
  std::uint64_t n = 0;
  for (auto& s : per_subscriber) n += s.lost();
  return n;
}
std::uint64_t run_result::late() const {
  std::uint64_t n = 0;
  for (auto& s : per_subscriber) n += s.late;
  return n;
}
std::uint64_t run_result::duplicated() const {
  std::uint64_t n = 0;
  for (auto& s : per_subscriber) n += s.counts.duplicated;
  return n;
}
std::uint64_t run_result::out_of_order() const {
  std::uint64_t n = 0;
  for (auto& s : per_subscriber) n += s.counts.out_of_order;
  return n;
}

bool run_result::ok() const {
  if (!setup_error.empty() || connection_errors > 0 || protocol_errors > 0) return false;
  if (opts.qos != mqtt::qos::at_most_once && lost() > 0) return false;
  if (opts.qos == mqtt::qos::exactly_once && duplicated() > 0) return false;
  return true;
}

scenario::scenario(asio::io_context& io, const options& o)
    : _io(io),
      _o(o),
      _broker(asio::ip::make_address(o.host), o.port),
      _payload(o.payload, 'x'),
      _setup_timer(io),
      _tick_timer(io),
      _ping_timer(io),
      _window_timer(io),
      _grace_timer(io) {
  // Topics and client ids unique to this run, so runs never see each other's messages or sessions.
  _prefix = "unimq-bench/" + std::to_string(getpid()) + "-" + std::to_string(now_ns() % 1000000);
  _r.opts = o;
  build();
}

scenario::~scenario() = default;

void scenario::build() {
  std::size_t n = _o.clients;
  std::size_t pubs = 0, subs = 0;
  switch (_o.scenario) {
    case scenario_kind::fan_in: pubs = n; subs = 1; break;
    case scenario_kind::fan_out: pubs = 1; subs = n; break;
    case scenario_kind::p2p: pubs = n; subs = n; break;
    case scenario_kind::idle: break;
  }
  std::size_t total = _o.scenario == scenario_kind::idle ? n : pubs + subs;
  auto make = [&](const std::string& role, std::size_t i) {
    std::size_t index = _clients.size();
    _clients.push_back(std::make_unique<client>(_io, *this, index,
                                                "ub-" + _prefix.substr(12) + "-" + role +
                                                    std::to_string(i),
                                                _o.version, kKeepAliveS));
    _publisher_of.push_back(-1);
    _subscriber_of.push_back(-1);
    return index;
  };
  _clients.reserve(total);
  for (std::size_t i = 0; i < subs; ++i) {
    subscriber s;
    s.client = make("s", i);
    _subscriber_of[s.client] = static_cast<int>(i);
    switch (_o.scenario) {
      case scenario_kind::fan_in:
        s.filter = _prefix + "/t/+";
        for (std::size_t p = 0; p < pubs; ++p) s.hears.push_back(p);
        break;
      case scenario_kind::fan_out:
        s.filter = _prefix + "/t/0";
        s.hears.push_back(0);
        break;
      default:
        s.filter = _prefix + "/t/" + std::to_string(i);
        s.hears.push_back(i);
        break;
    }
    s.tracker = std::make_unique<delivery_tracker>(pubs);
    _subscribers.push_back(std::move(s));
  }
  for (std::size_t i = 0; i < pubs; ++i) {
    publisher p;
    p.client = make("p", i);
    p.topic = _prefix + "/t/" + std::to_string(i);
    _publisher_of[p.client] = static_cast<int>(i);
    _publishers.push_back(std::move(p));
  }
  if (_o.scenario == scenario_kind::idle)
    for (std::size_t i = 0; i < n; ++i) make("i", i);
  for (auto& p : _publishers) {
    _clients[p.client]->set_window(_o.inflight);
    if (_o.qos == mqtt::qos::at_most_once && _o.rate == 0)
      _clients[p.client]->set_send_buffer(kQos0SendBuffer);
  }
  _r.publishers = pubs;
  _r.subscribers = subs;
  _r.connections = total;
}

run_result scenario::run() {
  if (_o.broker_pid) _r.broker_baseline = sample_broker(_o.broker_pid);
  _setup_timer.expires_after(kSetupTimeout);
  _setup_timer.async_wait([this](const boost::system::error_code& ec) {
    if (ec || _phase != phase::setup) return;
    _r.setup_error = "setup timed out: " + std::to_string(_connected) + " of " +
                     std::to_string(_clients.size()) + " connected, " +
                     std::to_string(_subscribed) + " subscribed";
    finish();
  });
  connect_more();
  _io.run();
  return std::move(_r);
}

void scenario::connect_more() {
  while (_phase == phase::setup && _connecting < kMaxConnecting &&
         _next_to_connect < _clients.size()) {
    ++_connecting;
    _clients[_next_to_connect++]->connect(_broker);
  }
}

void scenario::on_connected(client& c) {
  --_connecting;
  ++_connected;
  int s = _subscriber_of[c.index()];
  if (s >= 0) c.subscribe(_subscribers[static_cast<std::size_t>(s)].filter, _o.qos);
  connect_more();
  check_ready();
}

void scenario::on_subscribed(client&) {
  ++_subscribed;
  check_ready();
}

void scenario::check_ready() {
  if (_phase != phase::setup) return;
  if (_connected + _r.setup_failures < _clients.size() || _subscribed < _subscribers.size()) return;
  start_load();
}

void scenario::start_load() {
  _setup_timer.cancel();
  _phase = phase::load;
  _load_start_ns = now_ns();
  _window.start_ns = _load_start_ns + seconds_to_ns(_o.warmup);
  _window.end_ns = _window.start_ns + seconds_to_ns(_o.duration);
  _window_timer.expires_at(std::chrono::steady_clock::time_point(nanoseconds(_window.start_ns)));
  _window_timer.async_wait([this](const boost::system::error_code& ec) {
    if (ec) return;
    if (_o.broker_pid) _r.broker_start = sample_broker(_o.broker_pid);
    _window_timer.expires_at(std::chrono::steady_clock::time_point(nanoseconds(_window.end_ns)));
    _window_timer.async_wait([this](const boost::system::error_code& ec2) {
      if (!ec2) end_window();
    });
  });
  ping_sweep();
  if (_o.rate > 0) {
    tick();
  } else {
    for (auto& p : _publishers) pump(p);
  }
}

void scenario::pump(publisher& p) {
  if (_phase != phase::load) return;
  client& c = *_clients[p.client];
  if (!c.connected()) return;
  std::int64_t now = now_ns();
  if (now >= _window.end_ns) return;
  std::uint64_t due = UINT64_MAX;
  if (_o.rate > 0)
    due = static_cast<std::uint64_t>(static_cast<double>(now - _load_start_ns) * 1e-9 * _o.rate) + 1;
  auto index = static_cast<std::uint32_t>(&p - _publishers.data());
  while (p.next_seq < due) {
    if (_o.qos == mqtt::qos::at_most_once ? c.queued_bytes() >= kQueueHighWater
                                          : !c.has_window())
      break;
    std::int64_t t = now_ns();
    if (t >= _window.end_ns) break;
    write_header({index, p.next_seq++, t}, _payload);
    if (_window.contains(t)) ++p.sent_in_window;
    c.publish(p.topic, _payload, _o.qos);
  }
}

void scenario::tick() {
  if (_phase != phase::load) return;
  for (auto& p : _publishers) pump(p);
  _tick_timer.expires_after(kTick);
  _tick_timer.async_wait([this](const boost::system::error_code& ec) {
    if (!ec) tick();
  });
}

void scenario::ping_sweep() {
  if (_phase == phase::done) return;
  // One slot of kPingIntervalS per second: every connection pings once per interval.
  std::uint64_t slot = _ping_tick++ % kPingIntervalS;
  for (auto& c : _clients) {
    if (c->index() % kPingIntervalS == slot && c->connected()) {
      c->ping();
      ++_r.pings_sent;
    }
  }
  _ping_timer.expires_after(std::chrono::seconds(1));
  _ping_timer.async_wait([this](const boost::system::error_code& ec) {
    if (!ec) ping_sweep();
  });
}

void scenario::end_window() {
  if (_o.broker_pid) _r.broker_end = sample_broker(_o.broker_pid);
  for (auto& c : _clients) _r.connections_open += c->connected() ? 1 : 0;
  _r.window_s = static_cast<double>(_window.end_ns - _window.start_ns) / 1e9;
  _phase = phase::grace;
  _tick_timer.cancel();
  _grace_end_ns = now_ns() + seconds_to_ns(_o.grace);
  check_grace();
}

void scenario::check_grace() {
  if (_phase != phase::grace) return;
  bool complete = true;
  for (auto& p : _publishers) complete = complete && _clients[p.client]->inflight() == 0;
  for (auto& s : _subscribers)
    complete = complete && s.tracker->counts().distinct >= expected_for(s);
  if (complete) return finish();
  const std::int64_t now = now_ns();
  if (now >= _grace_end_ns) {
    // A QoS 1/2 message still on its way is late, not lost: with --drain, wait while they come.
    if (_o.drain <= 0 || _o.qos == mqtt::qos::at_most_once) return finish();
    std::uint64_t distinct = 0;
    for (auto& s : _subscribers) distinct += s.tracker->counts().distinct;
    if (!_draining) {
      _draining = true;
      for (auto& s : _subscribers) s.distinct_at_grace_end = s.tracker->counts().distinct;
    }
    if (distinct > _drain_distinct || _drain_progress_ns == 0) {
      _drain_distinct = distinct;
      _drain_progress_ns = now;
    }
    if (now - _drain_progress_ns >= seconds_to_ns(_o.drain)) return finish();
  }
  _grace_timer.expires_after(kGraceCheck);
  _grace_timer.async_wait([this](const boost::system::error_code& ec) {
    if (!ec) check_grace();
  });
}

std::uint64_t scenario::expected_for(const subscriber& s) const {
  std::uint64_t n = 0;
  for (auto p : s.hears) n += _publishers[p].sent_in_window;
  return n;
}

void scenario::finish() {
  if (_phase == phase::done) return;
  _phase = phase::done;
  if (_o.broker_pid) _r.broker_final = sample_broker(_o.broker_pid);
  for (auto& p : _publishers) _r.sent += p.sent_in_window;
  for (auto& s : _subscribers) {
    subscriber_result sr;
    sr.expected = expected_for(s);
    sr.counts = s.tracker->counts();
    if (_draining) sr.late = sr.counts.distinct - s.distinct_at_grace_end;
    _r.latency.merge(s.tracker->latency());
    _r.per_subscriber.push_back(sr);
  }
  for (auto& c : _clients) {
    _r.pings_answered += c->pings_answered();
    _r.protocol_errors += c->protocol_errors();
  }
  // Thousands of idle connections close with a RST so they leave no TIME_WAIT behind.
  bool abortive = _o.scenario == scenario_kind::idle;
  for (auto& c : _clients) c->close(abortive);
  for (auto* t : {&_setup_timer, &_tick_timer, &_ping_timer, &_window_timer, &_grace_timer})
    t->cancel();
  _io.stop();
}

void scenario::on_message(client& c, std::string_view payload) {
  int s = _subscriber_of[c.index()];
  if (s < 0) return;
  std::int64_t now = now_ns();
  auto h = read_header(payload);
  auto& sub = _subscribers[static_cast<std::size_t>(s)];
  if (!h) {
    sub.tracker->on_message({UINT32_MAX, 0, 0}, now, _window);
    return;
  }
  sub.tracker->on_message(*h, now, _window);
}

void scenario::on_acked(client& c) {
  int p = _publisher_of[c.index()];
  if (p >= 0) pump(_publishers[static_cast<std::size_t>(p)]);
}

void scenario::on_drained(client& c) {
  int p = _publisher_of[c.index()];
  if (p >= 0 && _o.qos == mqtt::qos::at_most_once)
    pump(_publishers[static_cast<std::size_t>(p)]);
}

void scenario::note_error(const std::string& why) {
  if (_r.errors.size() < kMaxErrorMessages) _r.errors.push_back(why);
}

void scenario::on_failed(client& c, const std::string& why) {
  note_error("client " + std::to_string(c.index()) + ": " + why);
  if (_phase == phase::setup) {
    if (_o.scenario == scenario_kind::idle) {
      --_connecting;
      ++_r.setup_failures;
      connect_more();
      check_ready();
      return;
    }
    _r.setup_error = why;
    return finish();
  }
  if (_phase != phase::done) ++_r.connection_errors;
}

}  // namespace unimq::bench
