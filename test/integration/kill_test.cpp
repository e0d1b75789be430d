// Durability: persistent QoS 1 and QoS 2 subscribers (3.1.1 clean session 0 and 5.0 session expiry)
// stay offline while publishers record every PUBACK/PUBCOMP; the broker is killed with SIGKILL at
// random (seeded) moments and restarted on the same data dir, a few rounds. Then the subscribers come
// back: the session is present, no acknowledged message is missing, QoS 2 has no duplicate, QoS 1
// duplicates are counted (allowed).
//
// The same scenario with graceful restarts (SIGTERM) runs on every broker; the SIGKILL one is
// [durability] and skipped on Mosquitto, which persists only periodically and at exit.
// UNIMQ_KILL_SEED=N replays a run.
#include "broker_process.hpp"
#include "mqtt_client.hpp"

#include <catch2/catch.hpp>

#include <atomic>
#include <cstdlib>
#include <map>
#include <random>
#include <thread>

using namespace unimq::it;

namespace {

struct tracked_publisher {
  std::string name;
  int qos;
  std::string topic;
  std::unique_ptr<mqtt_client> client;
  std::map<int, int> seq_of_mid;  // mid -> sequence number
  std::vector<int> mids;
  int next_seq = 0;
};

connect_options persistent(mqtt_version v, const std::string& id) {
  connect_options o{v, id, false};
  if (v == mqtt_version::v5) {
    o.session_expiry = 3600;
    // libmosquitto drops the connection when a broker exceeds the client's receive maximum, which
    // Mosquitto 2.0.11 does by one; a large window keeps this test about durability.
    o.receive_maximum = 65535;
  }
  return o;
}

void run_rounds(bool hard, int rounds) {
  const unsigned seed = std::getenv("UNIMQ_KILL_SEED") ? static_cast<unsigned>(std::atol(std::getenv("UNIMQ_KILL_SEED")))
                                                       : 20261125u;
  INFO("seed " << seed << (hard ? " (SIGKILL)" : " (SIGTERM)"));
  std::mt19937 rng(seed);
  broker_options bo;
  bo.storage_sync = "sync";
  broker_process broker(bo);
  broker.start();
  const std::string q1 = unique("kt/q1");
  const std::string q2 = unique("kt/q2");

  // Offline persistent subscribers.
  struct sub_spec {
    mqtt_version version;
    int qos;
    std::string id;
  };
  std::vector<sub_spec> subs;
  for (auto v : {mqtt_version::v311, mqtt_version::v5})
    for (int qos : {1, 2}) subs.push_back({v, qos, unique("ksub")});
  for (const auto& s : subs) {
    auto c = subscriber(broker, persistent(s.version, s.id), s.qos == 1 ? q1 : q2, s.qos);
    c->disconnect();
  }

  std::vector<tracked_publisher> pubs;
  for (auto v : {mqtt_version::v311, mqtt_version::v5})
    for (int qos : {1, 2}) {
      tracked_publisher p;
      p.name = std::string("p") + (v == mqtt_version::v5 ? "5" : "3") + "q" + std::to_string(qos);
      p.qos = qos;
      p.topic = qos == 1 ? q1 : q2;
      p.client = std::make_unique<mqtt_client>(broker.host(), broker.port());
      REQUIRE(p.client->connect(persistent(v, unique("kpub"))).reason == 0);
      pubs.push_back(std::move(p));
    }

  for (int round = 0; round < rounds; ++round) {
    INFO("round " << round);
    std::atomic<bool> stop{false};
    std::thread driver([&] {
      constexpr std::size_t window = 32;
      std::vector<std::size_t> oldest(pubs.size(), 0);
      while (!stop) {
        for (std::size_t i = 0; i < pubs.size(); ++i) {
          auto& p = pubs[i];
          // Keep at most `window` unacknowledged messages per publisher.
          while (oldest[i] < p.mids.size() && p.mids.size() - oldest[i] >= window) {
            if (!p.client->wait_acked(p.mids[oldest[i]], 20ms)) break;
            ++oldest[i];
          }
          if (oldest[i] < p.mids.size() && p.mids.size() - oldest[i] >= window) continue;
          const int seq = p.next_seq;
          const int mid = p.client->publish_async(p.topic, p.name + ":" + std::to_string(seq), {p.qos});
          if (mid <= 0) continue;  // not connected right now
          ++p.next_seq;
          p.seq_of_mid[mid] = seq;
          p.mids.push_back(mid);
        }
      }
    });
    std::uniform_int_distribution<int> delay_ms(100, 700);
    // The random moment of the crash is the point of the test, not a synchronisation.
    std::this_thread::sleep_for(std::chrono::milliseconds(delay_ms(rng)));
    if (hard) broker.kill9();
    else broker.stop();
    stop = true;
    driver.join();
    broker.start();
    for (auto& p : pubs) {
      INFO(p.name);
      const connack ack = p.client->reconnect(10s);
      REQUIRE(ack.reason == 0);
      CHECK(ack.session_present);
    }
  }
  // Let the resent messages complete.
  for (auto& p : pubs)
    for (int mid : p.mids) p.client->wait_acked(mid, 100ms);

  // Drain: every acknowledged message must be there.
  for (const auto& s : subs) {
    INFO("subscriber MQTT " << to_string(s.version) << " QoS " << s.qos);
    mqtt_client c(broker.host(), broker.port());
    const connack ack = c.connect(persistent(s.version, s.id), 10s);
    REQUIRE(ack.reason == 0);
    CHECK(ack.session_present);
    auto marker = connect_client(broker, {mqtt_version::v5, unique("marker")});
    const std::string topic = s.qos == 1 ? q1 : q2;
    REQUIRE(marker->publish(topic, "marker:" + s.id, {s.qos}).acked);
    const auto msgs = c.wait_for_payload("marker:" + s.id, 30s);
    REQUIRE(!msgs.empty());
    std::map<std::string, int> count;
    for (const auto& m : msgs) ++count[m.payload];
    std::size_t acked = 0, missing = 0, duplicates = 0;
    for (const auto& p : pubs) {
      if (p.qos != s.qos) continue;
      const auto reasons = p.client->ack_reasons();
      for (const auto& [mid, seq] : p.seq_of_mid) {
        const auto r = reasons.find(mid);
        if (r == reasons.end() || r->second >= 0x80) continue;
        ++acked;
        const auto n = count[p.name + ":" + std::to_string(seq)];
        if (n == 0) ++missing;
        if (n > 1) duplicates += static_cast<std::size_t>(n - 1);
      }
    }
    WARN("MQTT " << to_string(s.version) << " QoS " << s.qos << ": " << acked << " acknowledged, " << missing
                 << " missing, " << duplicates << " duplicates, " << msgs.size() << " received");
    CHECK(acked > 0);
    CHECK(missing == 0);
    if (s.qos == 2) CHECK(duplicates == 0);
  }
}

}  // namespace

TEST_CASE("kill: nothing acknowledged is lost across graceful restarts", "[kill][restart]") { run_rounds(false, 3); }

TEST_CASE("kill: nothing acknowledged is lost across kill -9", "[kill][durability]") {
  DURABILITY_ONLY();
  run_rounds(true, 4);
}
