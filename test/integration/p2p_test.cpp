// Point-to-point messages (unimq, the RocketMQ-MQTT convention): a PUBLISH to
// `{first-level}/p2p/{clientId}` reaches that client only, without a subscription, and waits for an
// offline persistent session. Mosquitto has no such thing: every test here is [unimq].
#include "broker_process.hpp"
#include "mqtt_client.hpp"

#include <catch2/catch.hpp>

#include <set>

using namespace unimq::it;

TEST_CASE("p2p: a message to x/p2p/{id} reaches that client only, at its QoS, not a # subscriber",
          "[p2p][unimq]") {
  UNIMQ_ONLY();
  broker_process broker;
  broker.start();
  const auto version = GENERATE(mqtt_version::v311, mqtt_version::v5);
  INFO("MQTT " << to_string(version));
  const std::string target_id = unique("target");
  auto target = connect_client(broker, {version, target_id});
  auto other = connect_client(broker, {version, unique("other")});
  REQUIRE(other->subscribe("#", 2) == std::vector<int>{2});
  REQUIRE(other->subscribe("+/p2p/+", 2) == std::vector<int>{2});
  REQUIRE(other->subscribe("$share/g/#", 2) == std::vector<int>{2});
  auto pub = connect_client(broker, {version, unique("pub")});
  REQUIRE(pub->publish("app/p2p/" + target_id, "hello", {2}).acked);
  REQUIRE(pub->publish("app/p2p/" + target_id, "again", {1}).acked);
  const auto got = target->wait_for_messages(2);
  REQUIRE(got.size() == 2);
  CHECK(got[0].payload == "hello");
  CHECK(got[0].topic == "app/p2p/" + target_id);
  CHECK(got[0].qos == 2);
  CHECK(got[1].qos == 1);
  // The others see a later normal message, and nothing addressed to the target before it.
  REQUIRE(pub->publish("app/normal", "marker", {1}).acked);
  const auto seen = other->wait_for_payload("marker");
  REQUIRE(!seen.empty());
  for (const auto& m : seen) CHECK(m.topic.find("/p2p/") == std::string::npos);
  CHECK(target->wait_for_messages(1, 300ms).empty());  // the target subscribed to nothing else
}

TEST_CASE("p2p: an offline persistent target gets its messages when it reconnects", "[p2p][unimq][session]") {
  UNIMQ_ONLY();
  broker_process broker;
  broker.start();
  const auto version = GENERATE(mqtt_version::v311, mqtt_version::v5);
  INFO("MQTT " << to_string(version));
  const std::string id = unique("device");
  const connect_options o = persistent_session(version, id);
  auto pub = connect_client(broker, {version, unique("pub")});
  REQUIRE(pub->publish("early/p2p/" + id, "before the session", {1}).acked);
  {
    auto target = connect_client(broker, o);
    REQUIRE(pub->publish("seen/p2p/" + id, "online", {1}).acked);  // a topic the session has read
    REQUIRE(target->wait_for_payload("online").size() == 1);
    target->disconnect();
  }
  REQUIRE(pub->publish("seen/p2p/" + id, "offline 1", {1}).acked);
  REQUIRE(pub->publish("new/p2p/" + id, "offline 2", {1}).acked);  // a topic it never read
  mqtt_client target(broker.host(), broker.port());
  REQUIRE(target.connect(o).session_present);
  auto got = target.wait_for_messages(2);
  for (auto& m : target.wait_for_messages(1, 300ms)) got.push_back(m);
  std::multiset<std::string> payloads;
  for (const auto& m : got) payloads.insert(m.payload);
  CHECK(payloads == std::multiset<std::string>{"offline 1", "offline 2"});
}
