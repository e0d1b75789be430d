// CONNECT / CONNACK: acceptance, client-id assignment, takeover, keep-alive, connect timeout.
#include "broker_process.hpp"
#include "mqtt_client.hpp"

#include <catch2/catch.hpp>

using namespace unimq::it;

namespace {
int level(mqtt_version v) { return v == mqtt_version::v5 ? 5 : 4; }
}  // namespace

TEST_CASE("connect: a clean connect is accepted without a session", "[connect]") {
  broker_process broker;
  broker.start();
  const auto version = GENERATE(mqtt_version::v311, mqtt_version::v5);
  INFO("MQTT " << to_string(version));
  mqtt_client c(broker.host(), broker.port());
  const connack ack = c.connect({version, unique("c")});
  REQUIRE(ack.ok);
  CHECK(ack.reason == 0);
  CHECK_FALSE(ack.session_present);
  CHECK(c.connected());
  c.disconnect();
  CHECK_FALSE(c.connected());
}

TEST_CASE("connect: v5 empty client id gets an Assigned Client Identifier that works", "[connect]") {
  broker_process broker;
  broker.start();
  mqtt_client c(broker.host(), broker.port());
  const connack ack = c.connect({mqtt_version::v5, ""});
  REQUIRE(ack.ok);
  REQUIRE(ack.reason == 0);
  REQUIRE(ack.props.assigned_client_id.has_value());
  CHECK_FALSE(ack.props.assigned_client_id->empty());
  // The connection works.
  REQUIRE(c.subscribe("assigned/t", 1) == std::vector<int>{1});
  REQUIRE(c.publish("assigned/t", "x", {1}).acked);
  CHECK(c.wait_for_messages(1).size() == 1);
}

TEST_CASE("connect: 3.1.1 empty client id is accepted with clean session, refused (0x02) without", "[connect]") {
  broker_process broker;
  broker.start();
  {
    raw_connection raw(broker.host(), broker.port());
    REQUIRE(raw.send(bytes::connect(4, "", 0x02)));
    const auto p = raw.read_packet();
    REQUIRE(p);
    CHECK(p->type() == 2);
    CHECK(p->body == std::string("\x00\x00", 2));
  }
  {
    raw_connection raw(broker.host(), broker.port());
    REQUIRE(raw.send(bytes::connect(4, "", 0x00)));
    const auto p = raw.read_packet();
    REQUIRE(p);
    CHECK(p->type() == 2);
    CHECK(p->body == std::string("\x00\x02", 2));
    CHECK(raw.wait_closed());
  }
}

TEST_CASE("connect: unsupported protocol level gets CONNACK 0x01 (3.1.1) and the socket is closed", "[connect]") {
  broker_process broker;
  broker.start();
  raw_connection raw(broker.host(), broker.port());
  REQUIRE(raw.send(bytes::connect(7, "lvl7", 0x02)));
  const auto p = raw.read_packet();
  if (p) {  // MQTT-3.1.2-2: CONNACK 0x01 then close (a 5.0 server may answer 0x84)
    CHECK(p->type() == 2);
    REQUIRE(p->body.size() >= 2);
    const auto rc = static_cast<std::uint8_t>(p->body[1]);
    CHECK((rc == 0x01 || rc == 0x84));
  }
  CHECK(raw.wait_closed());
}

TEST_CASE("connect: a duplicate client id takes the session over and closes the old connection", "[connect]") {
  broker_process broker;
  broker.start();
  const auto version = GENERATE(mqtt_version::v311, mqtt_version::v5);
  INFO("MQTT " << to_string(version));
  const std::string id = unique("dup");
  mqtt_client first(broker.host(), broker.port());
  REQUIRE(first.connect({version, id}).reason == 0);
  mqtt_client second(broker.host(), broker.port());
  REQUIRE(second.connect({version, id}).reason == 0);
  const disconnect_info d = first.wait_disconnected();
  REQUIRE(d.disconnected);
  CHECK(d.reason != 0);
  // Session taken over. (Mosquitto 2.0.11 just closes the socket.)
  if (version == mqtt_version::v5 && !testing_mosquitto()) CHECK(d.reason == 0x8E);
  // The new connection is the one that works.
  REQUIRE(second.subscribe("dup/t", 1) == std::vector<int>{1});
  REQUIRE(second.publish("dup/t", "x", {1}).acked);
  CHECK(second.wait_for_messages(1).size() == 1);
  CHECK(second.connected());
}

TEST_CASE("connect: a client silent for 1.5x keep-alive is disconnected and its will published", "[connect][keepalive]") {
  broker_process broker;
  broker.start();
  const auto version = GENERATE(mqtt_version::v311, mqtt_version::v5);
  INFO("MQTT " << to_string(version));
  const std::string will_topic = unique("ka/will");
  auto sub = subscriber(broker, {version, unique("ka-sub")}, will_topic, 1);
  // Raw client: keep-alive 1 s (libmosquitto refuses < 5), will QoS 1 on will_topic, then silence.
  raw_connection raw(broker.host(), broker.port());
  const std::string will_props = level(version) == 5 ? bytes::varint(0) : "";
  const auto start = std::chrono::steady_clock::now();
  REQUIRE(raw.send(bytes::connect(level(version), unique("ka"), 0x02 | 0x04 | 0x08, 1, "",
                                  will_props + bytes::str(will_topic) + bytes::str("gone"))));
  const auto ack = raw.read_packet();
  REQUIRE(ack);
  REQUIRE(ack->type() == 2);
  // Mosquitto 2.0.11 checks keep-alives coarsely and takes up to ~6 s here.
  const auto msgs = sub->wait_for_messages(1, 10s);
  const auto elapsed = std::chrono::steady_clock::now() - start;
  REQUIRE(msgs.size() == 1);
  CHECK(msgs[0].payload == "gone");
  CHECK(elapsed >= 1400ms);  // not before 1.5 x keep-alive
  if (!testing_mosquitto()) CHECK(elapsed <= 3s);
  CHECK(raw.wait_closed(2s));
}

TEST_CASE("connect: a pinging client outlives its keep-alive", "[connect][keepalive]") {
  broker_process broker;
  broker.start();
  raw_connection raw(broker.host(), broker.port());
  REQUIRE(raw.send(bytes::connect(4, unique("pinger"), 0x02, 1)));
  REQUIRE(raw.read_packet());
  for (int i = 0; i < 6; ++i) {  // 6 x PINGREQ every ~500 ms = 3 s, twice the 1.5 s limit
    REQUIRE(raw.send(std::string("\xC0\x00", 2)));
    const auto p = raw.read_packet(2s);
    REQUIRE(p);
    CHECK(p->type() == 13);  // PINGRESP
    // Pace the pings (this is the behaviour under test, not a synchronisation).
    std::this_thread::sleep_for(500ms);
  }
  CHECK_FALSE(raw.closed());
}

TEST_CASE("connect: a socket that never sends CONNECT is closed after the connect timeout", "[connect][unimq]") {
  UNIMQ_ONLY();  // Mosquitto has no connect timeout option (it waits its default keep-alive, 90 s)
  broker_options o;
  o.connect_timeout_s = 1;
  broker_process broker(o);
  broker.start();
  raw_connection raw(broker.host(), broker.port());
  REQUIRE(raw.is_open());
  CHECK(raw.wait_closed(5s));
  // Half a CONNECT is not a CONNECT either.
  raw_connection half(broker.host(), broker.port());
  REQUIRE(half.send(bytes::connect(4, "half").substr(0, 5)));
  CHECK(half.wait_closed(5s));
  // Still serving.
  auto c = connect_client(broker, {mqtt_version::v311, unique("after")});
  CHECK(c->connected());
}

TEST_CASE("connect: v5 CONNACK announces the configured limits", "[connect]") {
  broker_options o;
  o.max_packet_size = 4096;
  o.receive_maximum = 7;
  broker_process broker(o);
  broker.start();
  mqtt_client c(broker.host(), broker.port());
  const connack ack = c.connect({mqtt_version::v5, unique("limits")});
  REQUIRE(ack.reason == 0);
  CHECK(ack.props.maximum_packet_size == std::optional<std::uint32_t>(4096));
  CHECK(ack.props.receive_maximum == std::optional<std::uint16_t>(7));
}

TEST_CASE("connect: unimqd log lines name connects and disconnects with the client id", "[connect][unimq]") {
  UNIMQ_ONLY();
  broker_process broker;
  broker.start();
  const std::string id = unique("logged");
  {
    auto c = connect_client(broker, {mqtt_version::v5, id});
    c->disconnect();
  }
  broker.stop();
  const std::string log = broker.log();
  CHECK(log.find(id) != std::string::npos);
  CHECK(log.find("connect") != std::string::npos);
}
