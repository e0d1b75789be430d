// Retained messages: store, replace, clear with an empty payload, delivery on subscribe with retain
// handling 0/1/2, retain flag on live messages, survival across a restart, retain unavailable.
#include "broker_process.hpp"
#include "mqtt_client.hpp"

#include <catch2/catch.hpp>

using namespace unimq::it;

TEST_CASE("retained: the last retained message is sent on subscribe with the retain flag", "[retained]") {
  broker_process broker;
  broker.start();
  const auto version = GENERATE(mqtt_version::v311, mqtt_version::v5);
  INFO("MQTT " << to_string(version));
  const std::string root = unique("ret");
  auto pub = connect_client(broker, {version, unique("pub")});
  REQUIRE(pub->publish(root + "/a", "old", {1, true}).acked);
  REQUIRE(pub->publish(root + "/a", "new", {1, true}).acked);
  REQUIRE(pub->publish(root + "/b", "b", {0, true}).acked);
  REQUIRE(pub->publish(root + "/c", "not retained", {1, false}).acked);
  auto sub = subscriber(broker, {version, unique("sub")}, root + "/+", 1);
  auto msgs = sub->wait_for_messages(2);
  REQUIRE(msgs.size() == 2);
  std::sort(msgs.begin(), msgs.end(), [](const message& a, const message& b) { return a.topic < b.topic; });
  CHECK(msgs[0].topic == root + "/a");
  CHECK(msgs[0].payload == "new");
  CHECK(msgs[0].retain);
  CHECK(msgs[0].qos == 1);
  CHECK(msgs[1].payload == "b");
  CHECK(msgs[1].qos == 0);
  CHECK(msgs[1].retain);
  // A live message to an existing subscription has retain = 0 (3.1.1: MQTT-3.3.1-9).
  REQUIRE(pub->publish(root + "/a", "live", {1, true}).acked);
  const auto live = sub->wait_for_messages(1);
  REQUIRE(live.size() == 1);
  CHECK(live[0].payload == "live");
  CHECK_FALSE(live[0].retain);
  CHECK(sub->pending_messages() == 0);
}

TEST_CASE("retained: an empty retained payload clears the topic's retained message", "[retained]") {
  broker_process broker;
  broker.start();
  const auto version = GENERATE(mqtt_version::v311, mqtt_version::v5);
  const std::string topic = unique("clr");
  auto pub = connect_client(broker, {version, unique("pub")});
  REQUIRE(pub->publish(topic, "keep", {1, true}).acked);
  REQUIRE(pub->publish(topic, "", {1, true}).acked);
  REQUIRE(pub->publish(topic + "/m", "marker", {1, true}).acked);
  auto sub = subscriber(broker, {version, unique("sub")}, topic + "/#", 1);  // "#" matches topic too
  const auto msgs = sub->wait_for_payload("marker");
  REQUIRE(msgs.size() == 1);  // nothing retained on `topic` any more
  CHECK(msgs[0].topic == topic + "/m");
}

TEST_CASE("retained: retain handling 0 sends always, 1 only for a new subscription, 2 never", "[retained][v5]") {
  broker_process broker;
  broker.start();
  const std::string topic = unique("rh");
  auto pub = connect_client(broker, {mqtt_version::v5, unique("pub")});
  REQUIRE(pub->publish(topic, "retained", {1, true}).acked);
  for (int rh = 0; rh <= 2; ++rh) {
    INFO("retain handling " << rh);
    auto sub = connect_client(broker, {mqtt_version::v5, unique("sub")});
    subscribe_options o(1);
    o.retain_handling = rh;
    REQUIRE(sub->subscribe(topic, o) == std::vector<int>{1});
    REQUIRE(sub->subscribe(topic, o) == std::vector<int>{1});  // the same subscription again
    REQUIRE(sub->subscribe(topic + "/marker", 1) == std::vector<int>{1});
    REQUIRE(pub->publish(topic + "/marker", "marker", {1}).acked);
    const auto msgs = sub->wait_for_payload("marker");
    REQUIRE(!msgs.empty());
    const auto retained = std::count_if(msgs.begin(), msgs.end(), [](const message& m) { return m.payload == "retained"; });
    CHECK(retained == (rh == 0 ? 2 : rh == 1 ? 1 : 0));
  }
}

TEST_CASE("retained: retain-as-published keeps the retain flag on live messages", "[retained][v5]") {
  broker_process broker;
  broker.start();
  const std::string topic = unique("rap");
  auto plain = subscriber(broker, {mqtt_version::v5, unique("plain")}, topic, 1);
  auto rap = connect_client(broker, {mqtt_version::v5, unique("rap")});
  subscribe_options o(1);
  o.retain_as_published = true;
  REQUIRE(rap->subscribe(topic, o) == std::vector<int>{1});
  auto pub = connect_client(broker, {mqtt_version::v5, unique("pub")});
  REQUIRE(pub->publish(topic, "r", {1, true}).acked);
  REQUIRE(pub->publish(topic, "n", {1, false}).acked);
  const auto a = plain->wait_for_messages(2);
  const auto b = rap->wait_for_messages(2);
  REQUIRE(a.size() == 2);
  REQUIRE(b.size() == 2);
  CHECK_FALSE(a[0].retain);
  CHECK_FALSE(a[1].retain);
  CHECK(b[0].retain);
  CHECK_FALSE(b[1].retain);
}

TEST_CASE("retained: retained messages survive a broker restart", "[retained][restart]") {
  broker_process broker;
  broker.start();
  const auto version = GENERATE(mqtt_version::v311, mqtt_version::v5);
  const std::string topic = unique("rr");
  {
    auto pub = connect_client(broker, {version, unique("pub")});
    REQUIRE(pub->publish(topic, "persisted", {1, true}).acked);
    pub->disconnect();
  }
  broker.restart();
  auto sub = subscriber(broker, {version, unique("sub")}, topic, 1);
  const auto msgs = sub->wait_for_messages(1);
  REQUIRE(msgs.size() == 1);
  CHECK(msgs[0].payload == "persisted");
  CHECK(msgs[0].retain);
}

TEST_CASE("retained: with retain disabled, v5 CONNACK says so and a retained PUBLISH is refused (0x9A)", "[retained][v5]") {
  broker_options o;
  o.retain = false;
  broker_process broker(o);
  broker.start();
  mqtt_client c(broker.host(), broker.port());
  const connack ack = c.connect({mqtt_version::v5, unique("noret")});
  REQUIRE(ack.reason == 0);
  CHECK(ack.props.retain_available == std::optional<std::uint8_t>(0));
  // libmosquitto itself refuses a retained publish once the server said retain is unavailable;
  // send the bytes by hand.
  raw_connection raw(broker.host(), broker.port());
  REQUIRE(raw.send(bytes::connect(5, unique("noret-raw"))));
  REQUIRE(raw.read_packet());
  REQUIRE(raw.send(bytes::publish(5, "noret/t", "x", 1, 1, false, true)));
  const auto p = raw.read_packet();
  REQUIRE(p);
  CHECK(p->type() == 14);
  REQUIRE(!p->body.empty());
  CHECK(static_cast<std::uint8_t>(p->body[0]) == 0x9A);
  CHECK(raw.wait_closed());
}
