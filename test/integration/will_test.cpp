// Will messages: published on an abnormal close, not on a normal DISCONNECT, v5 DISCONNECT 0x04,
// will delay, will at session end, will retain and properties.
#include "broker_process.hpp"
#include "mqtt_client.hpp"

#include <catch2/catch.hpp>

#include <thread>

using namespace unimq::it;

namespace {
connect_options with_will(mqtt_version v, const std::string& topic, const std::string& payload, int qos = 1,
                          bool retain = false) {
  connect_options o{v, unique("willer")};
  o.will = will_options{topic, payload, qos, retain, {}};
  return o;
}
}  // namespace

TEST_CASE("will: published when the connection drops without DISCONNECT", "[will]") {
  broker_process broker;
  broker.start();
  const auto version = GENERATE(mqtt_version::v311, mqtt_version::v5);
  INFO("MQTT " << to_string(version));
  const std::string topic = unique("will");
  auto sub = subscriber(broker, {version, unique("sub")}, topic, 2);
  auto c = connect_client(broker, with_will(version, topic, "died", 2));
  c->drop();
  const auto msgs = sub->wait_for_messages(1);
  REQUIRE(msgs.size() == 1);
  CHECK(msgs[0].topic == topic);
  CHECK(msgs[0].payload == "died");
  CHECK(msgs[0].qos == 2);
}

TEST_CASE("will: not published after a normal DISCONNECT", "[will]") {
  broker_process broker;
  broker.start();
  const auto version = GENERATE(mqtt_version::v311, mqtt_version::v5);
  const std::string topic = unique("nowill");
  auto sub = subscriber(broker, {version, unique("sub")}, topic, 1);
  auto c = connect_client(broker, with_will(version, topic, "should not"));
  c->disconnect();
  auto pub = connect_client(broker, {version, unique("pub")});
  REQUIRE(pub->publish(topic, "marker", {1}).acked);
  const auto msgs = sub->wait_for_payload("marker");
  REQUIRE(msgs.size() == 1);
}

TEST_CASE("will: v5 DISCONNECT with reason 0x04 publishes the will", "[will][v5]") {
  broker_process broker;
  broker.start();
  const std::string topic = unique("will04");
  auto sub = subscriber(broker, {mqtt_version::v5, unique("sub")}, topic, 1);
  auto c = connect_client(broker, with_will(mqtt_version::v5, topic, "asked for"));
  c->disconnect(0x04);
  const auto msgs = sub->wait_for_messages(1);
  REQUIRE(msgs.size() == 1);
  CHECK(msgs[0].payload == "asked for");
}

TEST_CASE("will: retained will is stored as a retained message", "[will]") {
  broker_process broker;
  broker.start();
  const auto version = GENERATE(mqtt_version::v311, mqtt_version::v5);
  const std::string topic = unique("rwill");
  auto c = connect_client(broker, with_will(version, topic, "last words", 1, true));
  auto watcher = subscriber(broker, {version, unique("w")}, topic, 1);
  c->drop();
  REQUIRE(watcher->wait_for_messages(1).size() == 1);
  auto late = subscriber(broker, {version, unique("late")}, topic, 1);
  const auto msgs = late->wait_for_messages(1);
  REQUIRE(msgs.size() == 1);
  CHECK(msgs[0].payload == "last words");
  CHECK(msgs[0].retain);
}

TEST_CASE("will: v5 will properties are forwarded", "[will][v5]") {
  broker_process broker;
  broker.start();
  const std::string topic = unique("pwill");
  auto sub = subscriber(broker, {mqtt_version::v5, unique("sub")}, topic, 1);
  auto o = with_will(mqtt_version::v5, topic, "{\"gone\":true}");
  o.will->props.content_type = "application/json";
  o.will->props.user = {{"k", "v"}};
  o.will->props.response_topic = "resp/t";
  auto c = connect_client(broker, o);
  c->drop();
  const auto msgs = sub->wait_for_messages(1);
  REQUIRE(msgs.size() == 1);
  CHECK(msgs[0].props.content_type == std::optional<std::string>("application/json"));
  CHECK(msgs[0].props.response_topic == std::optional<std::string>("resp/t"));
  CHECK(msgs[0].props.user == std::vector<std::pair<std::string, std::string>>{{"k", "v"}});
}

TEST_CASE("will: v5 will delay holds the will back, a reconnect within the delay cancels it", "[will][v5]") {
  broker_process broker;
  broker.start();
  const std::string topic = unique("dwill");
  auto sub = subscriber(broker, {mqtt_version::v5, unique("sub")}, topic, 1);
  SECTION("published after the delay") {
    auto o = with_will(mqtt_version::v5, topic, "late");
    o.session_expiry = 60;
    o.will->props.will_delay = 2;
    auto c = connect_client(broker, o);
    const auto dropped = std::chrono::steady_clock::now();
    c->drop();
    const auto msgs = sub->wait_for_messages(1, 6s);
    REQUIRE(msgs.size() == 1);
    CHECK(msgs[0].payload == "late");
    CHECK(std::chrono::steady_clock::now() - dropped >= 1900ms);
  }
  SECTION("cancelled by a reconnect") {
    auto o = with_will(mqtt_version::v5, topic, "never");
    o.clean = false;
    o.session_expiry = 60;
    o.will->props.will_delay = 2;
    auto c = connect_client(broker, o);
    c->drop();
    connect_options again{mqtt_version::v5, o.client_id, false};
    again.session_expiry = 60;
    auto back = connect_client(broker, again);
    // Wait past the delay for nothing; the marker bounds the wait.
    std::this_thread::sleep_for(3s);
    auto pub = connect_client(broker, {mqtt_version::v5, unique("pub")});
    REQUIRE(pub->publish(topic, "marker", {1}).acked);
    const auto msgs = sub->wait_for_payload("marker");
    REQUIRE(msgs.size() == 1);
  }
}

TEST_CASE("will: v5 will is published when the session ends before the will delay", "[will][v5]") {
  broker_process broker;
  broker.start();
  const std::string topic = unique("ewill");
  auto sub = subscriber(broker, {mqtt_version::v5, unique("sub")}, topic, 1);
  auto o = with_will(mqtt_version::v5, topic, "session over");
  o.session_expiry = 1;
  o.will->props.will_delay = 30;
  auto c = connect_client(broker, o);
  c->drop();
  const auto msgs = sub->wait_for_messages(1, 6s);
  REQUIRE(msgs.size() == 1);
  CHECK(msgs[0].payload == "session over");
}

TEST_CASE("will: a taken-over connection's will is published (3.1.1) / not for v5 with a resumed session",
          "[will]") {
  broker_process broker;
  broker.start();
  const std::string topic = unique("twill");
  auto sub = subscriber(broker, {mqtt_version::v311, unique("sub")}, topic, 1);
  auto o = with_will(mqtt_version::v311, topic, "taken over");
  auto first = connect_client(broker, o);
  auto second = connect_client(broker, {mqtt_version::v311, o.client_id});
  // MQTT-3.1.4-2: the server disconnects the existing client as if abnormally: its will is due.
  const auto msgs = sub->wait_for_messages(1);
  REQUIRE(msgs.size() == 1);
  CHECK(msgs[0].payload == "taken over");
}
