// $SYS/broker/... statistics topics, and "#" / "+" not matching topics that start with "$".
#include "broker_process.hpp"
#include "mqtt_client.hpp"

#include <catch2/catch.hpp>

#include <cstdlib>
#include <map>

using namespace unimq::it;

namespace {
broker_options sys_every_second() {
  broker_options o;
  o.sys_interval_s = 1;
  return o;
}

// Collects $SYS/broker/# until every name in `wanted` was seen or the deadline passed.
std::map<std::string, std::string> collect(mqtt_client& c, const std::vector<std::string>& wanted, duration deadline) {
  std::map<std::string, std::string> seen;
  const auto until = std::chrono::steady_clock::now() + deadline;
  auto all = [&] {
    for (const auto& w : wanted)
      if (!seen.count(w)) return false;
    return true;
  };
  while (!all() && std::chrono::steady_clock::now() < until) {
    for (const auto& m : c.wait_for_messages(1, 200ms)) seen[m.topic] = m.payload;
  }
  return seen;
}
}  // namespace

TEST_CASE("sys: # and +/... do not match $SYS topics", "[sys]") {
  broker_process broker(sys_every_second());
  broker.start();
  const auto version = GENERATE(mqtt_version::v311, mqtt_version::v5);
  auto hash = subscriber(broker, {version, unique("hash")}, "#", 0);
  REQUIRE(hash->subscribe("+/broker/uptime", 0) == std::vector<int>{0});
  auto sys = subscriber(broker, {version, unique("sys")}, "$SYS/broker/uptime", 0);
  // Two $SYS updates at least.
  REQUIRE(sys->wait_for_messages(2, 5s).size() == 2);
  auto pub = connect_client(broker, {version, unique("pub")});
  REQUIRE(pub->publish("sys-marker", "marker", {1}).acked);
  const auto msgs = hash->wait_for_payload("marker");
  REQUIRE(!msgs.empty());
  for (const auto& m : msgs) CHECK(m.topic[0] != '$');
}

TEST_CASE("sys: $SYS/broker statistics are published", "[sys]") {
  broker_process broker(sys_every_second());
  broker.start();
  auto c = subscriber(broker, {mqtt_version::v311, unique("stats")}, "$SYS/broker/#", 0);
  auto pub = connect_client(broker, {mqtt_version::v311, unique("pub")});
  REQUIRE(pub->publish("stats/t", "x", {1}).acked);
  const std::vector<std::string> wanted = {
      "$SYS/broker/uptime",           "$SYS/broker/clients/connected", "$SYS/broker/messages/received",
      "$SYS/broker/messages/sent",    "$SYS/broker/bytes/received",    "$SYS/broker/bytes/sent"};
  auto seen = collect(*c, wanted, 5s);
  for (const auto& w : wanted) {
    INFO(w);
    REQUIRE(seen.count(w) == 1);
  }
  CHECK(seen.at("$SYS/broker/uptime").find("second") != std::string::npos);
  // The counters catch up with the next interval.
  auto num = [&](const char* t) { return std::atol(seen.at(t).c_str()); };
  const auto until = std::chrono::steady_clock::now() + 5s;
  while (!(num("$SYS/broker/clients/connected") >= 2 && num("$SYS/broker/messages/received") >= 1 &&
           num("$SYS/broker/bytes/received") >= 1) &&
         std::chrono::steady_clock::now() < until)
    for (const auto& m : c->wait_for_messages(1, 200ms)) seen[m.topic] = m.payload;
  CHECK(num("$SYS/broker/clients/connected") >= 2);
  CHECK(num("$SYS/broker/messages/received") >= 1);
  CHECK(num("$SYS/broker/bytes/received") >= 1);
}

TEST_CASE("sys: unimqd publishes its storage size", "[sys][unimq]") {
  UNIMQ_ONLY();
  broker_process broker(sys_every_second());
  broker.start();
  auto c = subscriber(broker, {mqtt_version::v5, unique("store")}, "$SYS/broker/#", 0);
  REQUIRE(c->publish("store/t", std::string(4096, 's'), {1, true}).acked);  // something stored
  const auto until = std::chrono::steady_clock::now() + 5s;
  bool found = false;
  long size = 0;
  while (size <= 0 && std::chrono::steady_clock::now() < until) {
    for (const auto& m : c->wait_for_messages(1, 200ms)) {
      if (m.topic.find("storage") != std::string::npos || m.topic.find("store") != std::string::npos) {
        found = true;
        size = std::atol(m.payload.c_str());
      }
    }
  }
  CHECK(found);
  CHECK(size > 0);
}
