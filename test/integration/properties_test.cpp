// MQTT 5 properties forwarded unchanged (request/response, user properties, content type, payload
// format), message expiry (expired messages not delivered, remaining interval forwarded), and a
// v5 message to a 3.1.1 subscriber.
#include "broker_process.hpp"
#include "mqtt_client.hpp"

#include <catch2/catch.hpp>

#include <thread>

using namespace unimq::it;

TEST_CASE("properties: request/response, correlation data, content type and user properties are forwarded",
          "[properties][v5]") {
  broker_process broker;
  broker.start();
  const std::string req_topic = unique("req");
  const std::string resp_topic = unique("resp");
  auto responder = subscriber(broker, {mqtt_version::v5, unique("responder")}, req_topic, 1);
  auto requester = subscriber(broker, {mqtt_version::v5, unique("requester")}, resp_topic, 1);
  properties p;
  p.response_topic = resp_topic;
  p.correlation_data = std::string("\x00\x01corr\xFF", 7);
  p.content_type = "application/json; charset=utf-8";
  p.payload_format = 1;
  p.user = {{"b", "2"}, {"a", "1"}, {"a", "again"}, {"\xC3\xA9", "\xE2\x82\xAC"}};  // order + duplicates kept
  REQUIRE(requester->publish(req_topic, "{\"q\":1}", {1, false, p}).acked);
  const auto req = responder->wait_for_messages(1);
  REQUIRE(req.size() == 1);
  CHECK(req[0].props.response_topic == p.response_topic);
  CHECK(req[0].props.correlation_data == p.correlation_data);
  CHECK(req[0].props.content_type == p.content_type);
  CHECK(req[0].props.payload_format == p.payload_format);
  CHECK(req[0].props.user == p.user);
  properties rp;
  rp.correlation_data = req[0].props.correlation_data;
  REQUIRE(responder->publish(*req[0].props.response_topic, "{\"a\":2}", {1, false, rp}).acked);
  const auto resp = requester->wait_for_messages(1);
  REQUIRE(resp.size() == 1);
  CHECK(resp[0].payload == "{\"a\":2}");
  CHECK(resp[0].props.correlation_data == p.correlation_data);
  CHECK_FALSE(resp[0].props.content_type.has_value());
  CHECK(resp[0].props.user.empty());
}

TEST_CASE("properties: a v5 message reaches a 3.1.1 subscriber intact, without properties", "[properties]") {
  broker_process broker;
  broker.start();
  const std::string topic = unique("x");
  auto v3 = subscriber(broker, {mqtt_version::v311, unique("v3")}, topic, 1);
  auto pub = connect_client(broker, {mqtt_version::v5, unique("pub")});
  properties p;
  p.user = {{"k", "v"}};
  p.content_type = "text/plain";
  REQUIRE(pub->publish(topic, "cross", {1, false, p}).acked);
  const auto msgs = v3->wait_for_messages(1);
  REQUIRE(msgs.size() == 1);
  CHECK(msgs[0].payload == "cross");
  CHECK(msgs[0].qos == 1);
}

TEST_CASE("properties: message expiry is forwarded as the remaining interval", "[properties][v5][expiry]") {
  broker_process broker;
  broker.start();
  const std::string topic = unique("exp");
  auto sub = subscriber(broker, {mqtt_version::v5, unique("sub")}, topic, 1);
  auto pub = connect_client(broker, {mqtt_version::v5, unique("pub")});
  properties p;
  p.message_expiry = 100;
  REQUIRE(pub->publish(topic, "e", {1, false, p}).acked);
  REQUIRE(pub->publish(topic, "none", {1}).acked);
  const auto msgs = sub->wait_for_messages(2);
  REQUIRE(msgs.size() == 2);
  REQUIRE(msgs[0].props.message_expiry.has_value());
  CHECK(*msgs[0].props.message_expiry <= 100);
  CHECK(*msgs[0].props.message_expiry >= 98);
  CHECK_FALSE(msgs[1].props.message_expiry.has_value());
}

TEST_CASE("properties: expired messages are not delivered to a returning subscriber", "[properties][v5][expiry]") {
  broker_process broker;
  broker.start();
  const std::string topic = unique("exq");
  const std::string id = unique("offline");
  connect_options so{mqtt_version::v5, id, false};
  so.session_expiry = 600;
  {
    auto sub = subscriber(broker, so, topic, 1);
    sub->disconnect();
  }
  auto pub = connect_client(broker, {mqtt_version::v5, unique("pub")});
  properties shortp;
  shortp.message_expiry = 1;
  properties longp;
  longp.message_expiry = 60;
  REQUIRE(pub->publish(topic, "short", {1, false, shortp}).acked);
  REQUIRE(pub->publish(topic, "long", {1, false, longp}).acked);
  REQUIRE(pub->publish(topic, "forever", {1}).acked);
  // Retained messages expire too.
  REQUIRE(pub->publish(topic + "/r", "retained-short", {1, true, shortp}).acked);
  std::this_thread::sleep_for(2500ms);  // let "short" expire (time is what is under test)
  mqtt_client sub(broker.host(), broker.port());
  const connack ack = sub.connect(so);
  REQUIRE(ack.reason == 0);
  REQUIRE(ack.session_present);
  const auto msgs = sub.wait_for_payload("forever");
  REQUIRE(msgs.size() == 2);
  CHECK(msgs[0].payload == "long");
  REQUIRE(msgs[0].props.message_expiry.has_value());
  CHECK(*msgs[0].props.message_expiry <= 58);
  CHECK(*msgs[0].props.message_expiry >= 50);
  CHECK(msgs[1].payload == "forever");
  REQUIRE(sub.subscribe(topic + "/r", 1) == std::vector<int>{1});
  REQUIRE(pub->publish(topic + "/r", "live", {1}).acked);
  const auto r = sub.wait_for_payload("live");
  CHECK(r.size() == 1);  // the expired retained message is not sent
}
