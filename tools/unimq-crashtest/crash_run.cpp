#include "crash_run.hpp"

#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <memory>
#include <random>
#include <set>
#include <stdexcept>
#include <thread>

#include "broker_child.hpp"
#include "mqtt_peer.hpp"

namespace unimq::crashtest {
namespace {

using namespace std::chrono_literals;
using clock = std::chrono::steady_clock;

constexpr duration kConnectDeadline = 30s;  // a broker recovering a large store may take a while
constexpr duration kAckDeadline = 30s;      // for the messages resent after the last restart

struct publisher {
  publisher_record record;
  std::unique_ptr<mqtt_peer> peer;
  std::uint64_t next_seq = 0;
};

void require_connected(mqtt_peer& p, const std::string& who, broker_child& broker) {
  if (!p.wait_connected(kConnectDeadline))
    throw std::runtime_error(who + " could not connect; broker log:\n" + broker.log_tail());
}

// Publishes on every publisher whose window has room until `stop`; the QoS 1/2 flows themselves
// run on the clients' network threads.
void publish_until(std::vector<publisher>& pubs, std::size_t window, const std::atomic<bool>& stop) {
  while (!stop) {
    bool sent = false;
    for (auto& p : pubs) {
      if (p.peer->inflight() >= window) continue;
      if (p.peer->publish(p.record.topic, p.next_seq, p.record.qos)) {
        ++p.next_seq;
        sent = true;
      }
    }
    // Every window full: give the acknowledgements a moment (pacing, not synchronisation).
    if (!sent) pubs.front().peer->wait_window(window, 1ms);
  }
}

std::string make_dir(const options& o) {
  if (!o.dir.empty()) return o.dir;
  const char* tmp = std::getenv("TMPDIR");
  std::string pattern = std::string(tmp && *tmp ? tmp : "/tmp") + "/unimq-crashtest-XXXXXX";
  if (!::mkdtemp(pattern.data())) throw std::runtime_error("mkdtemp " + pattern + " failed");
  return pattern;
}

}  // namespace

run_result run(const options& o, std::ostream& log) {
  const auto begin = clock::now();
  run_result result;
  result.label = o.label;
  result.settle_ms = o.settle_ms;
  result.seed = o.seed ? *o.seed : static_cast<std::uint64_t>(clock::now().time_since_epoch().count());
  std::mt19937_64 rng(result.seed);
  const std::string dir = make_dir(o);
  const std::uint16_t port = o.port ? o.port : free_loopback_port();
  broker_child broker(o.broker, port, dir, dir + "/broker.log");
  result.command = broker.argv();
  log << "crashtest: seed " << result.seed << ", dir " << dir << ", port " << port << "\n";
  broker.start();

  // Names unique per run: a broker with an old data dir keeps old sessions.
  const std::string run_id = std::to_string(::getpid()) + "-" + std::to_string(result.seed % 1000000);
  const std::string base = "crashtest/" + run_id;
  const std::vector<std::pair<std::string, bool>> subscriber_specs = {{"sub-v3.1.1", false}, {"sub-v5", true}};

  for (const auto& [name, v5] : subscriber_specs) {
    mqtt_peer s("127.0.0.1", port, run_id + "-" + name, v5);
    s.start();
    require_connected(s, name, broker);
    if (!s.subscribe(base + "/#", 2, kConnectDeadline)) throw std::runtime_error(name + ": SUBSCRIBE refused");
    s.disconnect(kConnectDeadline);
  }

  std::this_thread::sleep_for(std::chrono::milliseconds(o.settle_ms));

  std::vector<publisher> pubs;
  for (int qos : {1, 2})
    for (int i = 0; i < o.publishers_per_qos; ++i) {
      publisher p;
      p.record.v5 = i % 2 == 1;
      p.record.qos = qos;
      p.record.name = "q" + std::to_string(qos) + (p.record.v5 ? "-v5-" : "-v3-") + std::to_string(i);
      p.record.topic = base + "/" + p.record.name;
      p.peer = std::make_unique<mqtt_peer>("127.0.0.1", port, run_id + "-" + p.record.name, p.record.v5);
      p.peer->start();
      require_connected(*p.peer, p.record.name, broker);
      pubs.push_back(std::move(p));
    }

  std::atomic<bool> stop{false};
  std::thread driver([&] { publish_until(pubs, o.window, stop); });
  // A round that throws (the broker does not come back) must stop and join the driver on the way
  // out: a joinable std::thread destroyed by the unwinding calls std::terminate.
  struct driver_guard {
    std::atomic<bool>& stop;
    std::thread& driver;
    ~driver_guard() {
      stop = true;
      if (driver.joinable()) driver.join();
    }
  } guard{stop, driver};
  std::uniform_int_distribution<int> delay(o.min_delay_ms, o.max_delay_ms);
  for (int round = 0; round < o.rounds; ++round) {
    round_record rd;
    rd.delay_ms = delay(rng);
    // The random moment of the crash is the point of the test.
    std::this_thread::sleep_for(std::chrono::milliseconds(rd.delay_ms));
    broker.kill9();
    // Splits the acknowledgements into before and after the kill (one still in a client's socket
    // buffer at this moment is counted after it).
    for (auto& p : pubs) {
      const auto n = p.peer->acknowledged().size();
      p.record.acknowledged_at_kill.push_back(n);
      rd.acknowledged_at_kill += n;
    }
    rd.restart_ms = broker.start().count();
    for (auto& p : pubs) {
      require_connected(*p.peer, p.record.name, broker);
      if (p.peer->session_present()) ++rd.publisher_sessions_present;
    }
    log << "crashtest: round " << round + 1 << ": killed after " << rd.delay_ms << " ms, " << rd.acknowledged_at_kill
        << " acknowledged so far, restarted in " << rd.restart_ms << " ms, " << rd.publisher_sessions_present << "/"
        << pubs.size() << " publisher sessions kept\n";
    result.rounds.push_back(rd);
  }
  stop = true;
  driver.join();
  std::vector<publisher_record> records;
  for (auto& p : pubs) {
    p.peer->wait_window(1, kAckDeadline);  // let the resent messages complete
    p.record.published = p.peer->published();
    p.record.acknowledged = p.peer->acknowledged();
    p.record.refused = p.peer->refused();
    p.peer->disconnect(kConnectDeadline);
    records.push_back(p.record);
  }

  // The subscribers return. A message published now shows that the subscription still works, and
  // marks the end of what was stored for them.
  std::vector<std::unique_ptr<mqtt_peer>> subs;
  std::vector<subscriber_record> returned;
  for (const auto& [name, v5] : subscriber_specs) {
    subs.push_back(std::make_unique<mqtt_peer>("127.0.0.1", port, run_id + "-" + name, v5));
    subs.back()->start();
    require_connected(*subs.back(), name, broker);
    subscriber_record rec;
    rec.name = name;
    rec.v5 = v5;
    rec.session_present = subs.back()->session_present();
    returned.push_back(rec);
  }
  {
    mqtt_peer marker("127.0.0.1", port, run_id + "-marker", true);
    marker.start();
    require_connected(marker, "marker", broker);
    marker.publish_marker(base + "/marker");
    marker.wait_window(1, kAckDeadline);
    marker.disconnect(kConnectDeadline);
  }
  for (std::size_t i = 0; i < subs.size(); ++i) {
    // Done when the marker and every acknowledged message are in; a broker that lost some is given
    // up on after the idle timeout.
    std::set<std::pair<std::string, std::uint64_t>> missing;
    for (const auto& p : records)
      for (const auto seq : p.acknowledged) missing.emplace(p.topic, seq);
    subs[i]->wait_until(
        [&](const received& m) {
          if (m.marker) returned[i].marker_received = true;
          else missing.erase({m.topic, m.seq});
          return returned[i].marker_received && missing.empty();
        },
        std::chrono::seconds(o.idle_timeout_s));
    returned[i].messages = subs[i]->messages();
    subs[i]->disconnect(kConnectDeadline);
    subscriber_result sr;
    sr.name = returned[i].name;
    sr.session_present = returned[i].session_present;
    sr.marker_received = returned[i].marker_received;
    for (int qos : {1, 2}) sr.tallies.push_back(count(records, returned[i], qos));
    result.subscribers.push_back(std::move(sr));
  }
  broker.stop();
  result.seconds = std::chrono::duration<double>(clock::now() - begin).count();
  judge(result);
  if (o.dir.empty() && !o.keep && (result.violations.empty() || o.discard)) {
    const std::string cmd = "rm -rf '" + dir + "'";
    if (std::system(cmd.c_str()) != 0) log << "crashtest: could not remove " << dir << "\n";
  } else {
    log << "crashtest: data and broker log kept in " << dir << "\n";
  }
  return result;
}

}  // namespace unimq::crashtest
