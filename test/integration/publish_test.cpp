// PUBLISH in both directions at QoS 0/1/2, ordering, DUP resend on reconnect, QoS 2 exactly once
// across reconnects and broker restarts.
#include "broker_process.hpp"
#include "mqtt_client.hpp"

#include <catch2/catch.hpp>

#include <algorithm>

using namespace unimq::it;

namespace {
int level(mqtt_version v) { return v == mqtt_version::v5 ? 5 : 4; }

// CONNECT over a raw connection and read the CONNACK; returns its body.
std::string raw_connect(raw_connection& raw, int lvl, const std::string& id, bool clean, std::uint32_t expiry = 0) {
  std::string props;
  if (lvl == 5 && expiry) props = std::string(1, '\x11') + bytes::u32(expiry);
  if (!raw.send(bytes::connect(lvl, id, clean ? 0x02 : 0x00, 60, props))) return {};
  const auto p = raw.read_packet();
  if (!p || p->type() != 2) return {};
  return p->body;
}
}  // namespace

TEST_CASE("publish: QoS 0/1/2 round trip, delivered at the minimum of publish and subscription QoS", "[publish]") {
  broker_process broker;
  broker.start();
  const auto version = GENERATE(mqtt_version::v311, mqtt_version::v5);
  INFO("MQTT " << to_string(version));
  const std::string topic = unique("rt") + "/a/b";
  auto pub = connect_client(broker, {version, unique("pub")});
  std::vector<std::unique_ptr<mqtt_client>> subs;
  for (int sq = 0; sq <= 2; ++sq) subs.push_back(subscriber(broker, {version, unique("sub")}, topic, sq));
  const std::string binary("\x00\x01\xFF\x80zero\x00", 9);
  for (int pq = 0; pq <= 2; ++pq) {
    INFO("publish QoS " << pq);
    const publish_result r = pub->publish(topic, binary + std::to_string(pq), {pq});
    REQUIRE(r.rc == 0);
    REQUIRE(r.acked);
    if (version == mqtt_version::v5 && pq > 0) CHECK(r.reason == 0);
    for (int sq = 0; sq <= 2; ++sq) {
      INFO("subscription QoS " << sq);
      const auto msgs = subs[sq]->wait_for_messages(1);
      REQUIRE(msgs.size() == 1);
      CHECK(msgs[0].topic == topic);
      CHECK(msgs[0].payload == binary + std::to_string(pq));
      CHECK(msgs[0].qos == std::min(pq, sq));
      CHECK_FALSE(msgs[0].retain);
    }
  }
}

TEST_CASE("publish: a zero-length payload and a 512 KiB payload are delivered", "[publish]") {
  broker_process broker;
  broker.start();
  const auto version = GENERATE(mqtt_version::v311, mqtt_version::v5);
  const std::string topic = unique("size");
  auto sub = subscriber(broker, {version, unique("sub")}, topic, 1);
  auto pub = connect_client(broker, {version, unique("pub")});
  const std::string big(512 * 1024, 'B');  // within unimqd's default 1 MiB maximum packet size
  REQUIRE(pub->publish(topic, "", {1}).acked);
  REQUIRE(pub->publish(topic, big, {1}, 10s).acked);
  const auto msgs = sub->wait_for_messages(2, 10s);
  REQUIRE(msgs.size() == 2);
  CHECK(msgs[0].payload.empty());
  CHECK(msgs[1].payload == big);
}

TEST_CASE("publish: messages of one publisher on one topic arrive in order", "[publish]") {
  broker_process broker;
  broker.start();
  const auto version = GENERATE(mqtt_version::v311, mqtt_version::v5);
  const int qos = GENERATE(1, 2);
  INFO("MQTT " << to_string(version) << " QoS " << qos);
  const std::string topic = unique("order");
  connect_options so{version, unique("sub")};
  // libmosquitto drops the connection if the broker exceeds the client's receive maximum (default
  // 20), which Mosquitto 2.0.11 does by one; the receive maximum has its own test in flow_control.
  so.receive_maximum = 65535;
  auto sub = subscriber(broker, so, topic, qos);
  auto pub = connect_client(broker, {version, unique("pub")});
  constexpr int n = 200;
  std::vector<int> mids;
  for (int i = 0; i < n; ++i) mids.push_back(pub->publish_async(topic, std::to_string(i), {qos}));
  for (int mid : mids) REQUIRE(pub->wait_acked(mid));
  const auto msgs = sub->wait_for_messages(n, 10s);
  REQUIRE(msgs.size() == n);
  for (int i = 0; i < n; ++i) CHECK(msgs[i].payload == std::to_string(i));
}

TEST_CASE("publish: wildcard filters + and # match as the spec says", "[publish]") {
  broker_process broker;
  broker.start();
  const auto version = GENERATE(mqtt_version::v311, mqtt_version::v5);
  const std::string root = unique("wc");
  auto plus = subscriber(broker, {version, unique("plus")}, root + "/+/c", 0);
  auto hash = subscriber(broker, {version, unique("hash")}, root + "/#", 0);
  auto pub = connect_client(broker, {version, unique("pub")});
  for (const auto* t : {"/b/c", "/b/d", "/x/c", "/b/c/d"}) REQUIRE(pub->publish(root + t, t, {0}).acked);
  REQUIRE(pub->publish(root, "root", {0}).acked);  // "#" also matches the parent level
  auto h = hash->wait_for_messages(5);
  REQUIRE(h.size() == 5);
  REQUIRE(plus->subscribe(root + "/end", 0) == std::vector<int>{0});
  REQUIRE(pub->publish(root + "/end", "end", {0}).acked);
  const auto p = plus->wait_for_topic(root + "/end");
  REQUIRE(p.size() == 3);
  CHECK(p[0].topic == root + "/b/c");
  CHECK(p[1].topic == root + "/x/c");
}

TEST_CASE("publish: unacknowledged QoS 1/2 messages are resent with DUP on reconnect", "[publish][session]") {
  broker_process broker;
  broker.start();
  const auto version = GENERATE(mqtt_version::v311, mqtt_version::v5);
  const int qos = GENERATE(1, 2);
  INFO("MQTT " << to_string(version) << " QoS " << qos);
  const int lvl = level(version);
  const std::string topic = unique("dup");
  const std::string id = unique("dupsub");
  {
    raw_connection raw(broker.host(), broker.port());
    REQUIRE(!raw_connect(raw, lvl, id, false, 300).empty());
    REQUIRE(raw.send(bytes::subscribe(lvl, 1, topic, static_cast<std::uint8_t>(qos))));
    const auto suback = raw.read_packet();
    REQUIRE(suback);
    REQUIRE(suback->type() == 9);
    auto pub = connect_client(broker, {version, unique("pub")});
    REQUIRE(pub->publish(topic, "once", {qos}).acked);
    const auto p = raw.read_packet();
    REQUIRE(p);
    const auto first = parse_publish(*p, lvl);
    REQUIRE(first);
    CHECK_FALSE(first->dup);
    CHECK(first->payload == "once");
    // No PUBACK/PUBREC: drop the connection.
  }
  raw_connection raw(broker.host(), broker.port());
  const std::string ack = raw_connect(raw, lvl, id, false, 300);
  REQUIRE(ack.size() >= 2);
  CHECK((ack[0] & 1) == 1);  // session present
  const auto p = raw.read_packet();
  REQUIRE(p);
  const auto again = parse_publish(*p, lvl);
  REQUIRE(again);
  CHECK(again->dup);
  CHECK(again->qos == qos);
  CHECK(again->payload == "once");
  CHECK(again->topic == topic);
  if (qos == 1) {
    REQUIRE(raw.send(bytes::puback(lvl, again->packet_id)));
  } else {
    REQUIRE(raw.send(bytes::packet(0x50, bytes::u16(again->packet_id))));  // PUBREC
    const auto rel = raw.read_packet();
    REQUIRE(rel);
    CHECK(rel->header == 0x62);  // PUBREL
    REQUIRE(raw.send(bytes::packet(0x70, bytes::u16(again->packet_id))));  // PUBCOMP
  }
  // Acknowledged: not sent again after another reconnect.
  raw.send(bytes::disconnect(lvl));
  raw.close();
  raw_connection third(broker.host(), broker.port());
  REQUIRE(!raw_connect(third, lvl, id, false, 300).empty());
  CHECK_FALSE(third.read_packet(500ms).has_value());
}

TEST_CASE("publish: QoS 2 from a client is delivered exactly once across a reconnect", "[publish][qos2]") {
  broker_process broker;
  broker.start();
  const auto version = GENERATE(mqtt_version::v311, mqtt_version::v5);
  INFO("MQTT " << to_string(version));
  const int lvl = level(version);
  const std::string topic = unique("eo");
  auto sub = subscriber(broker, {version, unique("sub")}, topic, 2);
  const std::string id = unique("eopub");
  {
    raw_connection raw(broker.host(), broker.port());
    REQUIRE(!raw_connect(raw, lvl, id, false, 300).empty());
    REQUIRE(raw.send(bytes::publish(lvl, topic, "exactly-once", 2, 7)));
    const auto rec = raw.read_packet();
    REQUIRE(rec);
    CHECK(rec->type() == 5);  // PUBREC
    // Connection lost before PUBREL: the publisher resends the PUBLISH with DUP.
  }
  raw_connection raw(broker.host(), broker.port());
  REQUIRE(!raw_connect(raw, lvl, id, false, 300).empty());
  REQUIRE(raw.send(bytes::publish(lvl, topic, "exactly-once", 2, 7, /*dup=*/true)));
  const auto rec = raw.read_packet();
  REQUIRE(rec);
  CHECK(rec->type() == 5);
  REQUIRE(raw.send(bytes::pubrel(lvl, 7)));
  const auto comp = raw.read_packet();
  REQUIRE(comp);
  CHECK(comp->type() == 7);  // PUBCOMP
  // A marker after it: everything before the marker is what the subscriber got.
  auto pub = connect_client(broker, {version, unique("marker")});
  REQUIRE(pub->publish(topic, "marker", {2}).acked);
  const auto msgs = sub->wait_for_payload("marker");
  REQUIRE(msgs.size() >= 2);
  const auto n = std::count_if(msgs.begin(), msgs.end(), [](const message& m) { return m.payload == "exactly-once"; });
  CHECK(n == 1);
  CHECK(msgs.back().payload == "marker");
}

TEST_CASE("publish: QoS 2 exactly once across a broker restart", "[publish][qos2][restart]") {
  broker_process broker;
  broker.start();
  const auto version = GENERATE(mqtt_version::v311, mqtt_version::v5);
  INFO("MQTT " << to_string(version));
  const int lvl = level(version);
  const std::string topic = unique("eor");
  const std::string sub_id = unique("sub");
  connect_options so{version, sub_id, false};
  if (version == mqtt_version::v5) so.session_expiry = 3600;
  {
    auto sub = subscriber(broker, so, topic, 2);
    sub->disconnect();
  }
  const std::string id = unique("eopub");
  {
    raw_connection raw(broker.host(), broker.port());
    REQUIRE(!raw_connect(raw, lvl, id, false, 3600).empty());
    REQUIRE(raw.send(bytes::publish(lvl, topic, "restart-once", 2, 9)));
    const auto rec = raw.read_packet();
    REQUIRE(rec);
    CHECK(rec->type() == 5);
  }
  broker.restart();  // graceful: SIGTERM, then start on the same data dir
  raw_connection raw(broker.host(), broker.port());
  const std::string ack = raw_connect(raw, lvl, id, false, 3600);
  REQUIRE(ack.size() >= 2);
  CHECK((ack[0] & 1) == 1);
  REQUIRE(raw.send(bytes::publish(lvl, topic, "restart-once", 2, 9, true)));
  const auto rec = raw.read_packet();
  REQUIRE(rec);
  CHECK(rec->type() == 5);
  REQUIRE(raw.send(bytes::pubrel(lvl, 9)));
  const auto comp = raw.read_packet();
  REQUIRE(comp);
  CHECK(comp->type() == 7);
  mqtt_client sub(broker.host(), broker.port());
  const connack sack = sub.connect(so);
  REQUIRE(sack.reason == 0);
  CHECK(sack.session_present);
  auto pub = connect_client(broker, {version, unique("marker")});
  REQUIRE(pub->publish(topic, "marker", {2}).acked);
  const auto msgs = sub.wait_for_payload("marker");
  REQUIRE(!msgs.empty());
  const auto n = std::count_if(msgs.begin(), msgs.end(), [](const message& m) { return m.payload == "restart-once"; });
  CHECK(n == 1);
}

TEST_CASE("publish: client's unacknowledged QoS 1/2 messages are resent by libmosquitto and acked after reconnect", "[publish][session]") {
  broker_process broker;
  broker.start();
  const auto version = GENERATE(mqtt_version::v311, mqtt_version::v5);
  INFO("MQTT " << to_string(version));
  const std::string topic = unique("resend");
  auto sub = subscriber(broker, {version, unique("sub")}, topic, 2);
  connect_options po{version, unique("pub"), false};
  if (version == mqtt_version::v5) po.session_expiry = 300;
  mqtt_client pub(broker.host(), broker.port());
  REQUIRE(pub.connect(po).reason == 0);
  // Stop the broker so that nothing is acknowledged, queue two messages, cut the connection.
  broker.pause();
  const int m1 = pub.publish_async(topic, "q1", {1});
  const int m2 = pub.publish_async(topic, "q2", {2});
  REQUIRE(m1 > 0);
  REQUIRE(m2 > 0);
  pub.pause();
  broker.resume();
  // The broker may or may not have read the PUBLISHes before the cut; either way each must arrive
  // exactly once for QoS 2 and at least once for QoS 1 once the client resends them.
  pub.drop();
  REQUIRE(pub.reconnect().reason == 0);
  CHECK(pub.wait_acked(m1));
  CHECK(pub.wait_acked(m2));
  REQUIRE(pub.publish(topic, "marker", {2}).acked);
  const auto msgs = sub->wait_for_payload("marker");
  CHECK(std::count_if(msgs.begin(), msgs.end(), [](const message& m) { return m.payload == "q1"; }) >= 1);
  CHECK(std::count_if(msgs.begin(), msgs.end(), [](const message& m) { return m.payload == "q2"; }) == 1);
}
