// Producing and consuming through the node port: every field of a message survives the round trip,
// and thousands of messages go through the producer's batching with receipts in send order.
#include <catch2/catch.hpp>

#include <map>

#include "mqtt_client.hpp"
#include "server_fixture.hpp"

using namespace unimq;
using namespace unimq::st;

TEST_CASE("round trip: every field of a produced message reaches the consumer", "[server]") {
  auto broker = start_node_broker();
  auto node = connect(*broker);
  const std::string topic = it::unique("rt");
  client::consumer consumer(node, {"g", topic, client::start_position::oldest()});

  client::message m;
  m.topic = topic + "/a/b";
  m.payload = std::string("bin\0ary", 7);
  m.qos = 2;
  m.payload_format = 1;
  m.content_type = "text/plain";
  m.response_topic = "reply/here";
  m.correlation_data = std::string("\x01\x02", 2);
  m.user_properties = {{"k", "v1"}, {"k", "v2"}, {"a", ""}};
  m.expiry = std::chrono::seconds(3600);
  const auto before = now_ms();
  client::receipt r;
  {
    client::producer producer(node, {"producer-rt"});
    auto f = producer.send(m);
    producer.flush();
    r = f.get();
  }
  const auto after = now_ms();

  const auto got = poll_count(consumer, 1);
  REQUIRE(got.size() == 1);
  const auto& c = got[0];
  CHECK(c.topic == m.topic);
  CHECK(c.payload == m.payload);
  CHECK(c.qos == 2);
  CHECK_FALSE(c.retain);
  CHECK(c.payload_format == m.payload_format);
  CHECK(c.content_type == m.content_type);
  CHECK(c.response_topic == m.response_topic);
  CHECK(c.correlation_data == m.correlation_data);
  CHECK(c.user_properties == m.user_properties);
  REQUIRE(c.expiry);
  CHECK(c.expiry->count() > 3590);
  CHECK(c.expiry->count() <= 3600);
  CHECK(c.partition == r.partition);
  CHECK(c.offset == r.offset);
  CHECK(c.timestamp_ms >= before);
  CHECK(c.timestamp_ms <= after);
  CHECK(c.origin == "producer-rt");
  CHECK_FALSE(c.from_mqtt);
}

TEST_CASE("round trip: MQTT subscribers see produced messages, consumers see MQTT ones", "[server]") {
  auto broker = start_node_broker();
  auto node = connect(*broker);
  const std::string topic = it::unique("mx");
  client::consumer consumer(node, {"g", topic, client::start_position::oldest()});
  it::mqtt_client sub(broker->host(), broker->port());
  REQUIRE(sub.connect({it::mqtt_version::v5, it::unique("sub")}).reason == 0);
  REQUIRE(sub.subscribe(topic + "/#", 1) == std::vector<int>{1});

  client::producer producer(node);
  auto m = numbered(topic + "/from-producer", 1);
  m.retain = true;
  producer.send(m);
  producer.flush();
  const auto mqtt_got = sub.wait_for_messages(1);
  REQUIRE(mqtt_got.size() == 1);
  CHECK(mqtt_got[0].topic == topic + "/from-producer");
  CHECK(mqtt_got[0].payload == "1");

  it::mqtt_client pub(broker->host(), broker->port());
  REQUIRE(pub.connect({it::mqtt_version::v311, "device-7"}).reason == 0);
  REQUIRE(pub.publish(topic + "/from-device", "2", {1}).acked);

  const auto got = poll_count(consumer, 2);
  REQUIRE(got.size() == 2);
  std::map<std::string, client::message> by_topic;
  for (const auto& g : got) by_topic[g.topic] = g;
  CHECK(by_topic[topic + "/from-producer"].retain);
  CHECK_FALSE(by_topic[topic + "/from-producer"].from_mqtt);
  CHECK(by_topic[topic + "/from-device"].from_mqtt);
  CHECK(by_topic[topic + "/from-device"].origin == "device-7");
  CHECK(by_topic[topic + "/from-device"].payload == "2");

  // The produced retained message is the topic's retained message for a late MQTT subscriber.
  it::mqtt_client late(broker->host(), broker->port());
  REQUIRE(late.connect({it::mqtt_version::v311, it::unique("late")}).reason == 0);
  REQUIRE(late.subscribe(topic + "/from-producer", 0) == std::vector<int>{0});
  const auto retained = late.wait_for_messages(1);
  REQUIRE(retained.size() == 1);
  CHECK(retained[0].retain);
}

TEST_CASE("batching: thousands of messages, receipts in send order per topic", "[server]") {
  auto broker = start_node_broker(4, false);
  auto node = connect(*broker);
  const std::string topic = it::unique("batch");
  constexpr int kMessages = 5000;
  constexpr int kTopics = 8;
  std::vector<std::future<client::receipt>> receipts;
  {
    client::producer producer(node, {"", 100, 1 << 20, std::chrono::microseconds(200), 2});
    for (int i = 0; i < kMessages; ++i) receipts.push_back(producer.send(numbered(topic + "/" + std::to_string(i % kTopics), i)));
    producer.flush();
  }
  // Messages of one topic land in one partition, at increasing offsets in send order.
  std::map<std::string, std::pair<std::uint32_t, std::uint64_t>> last;
  std::map<std::pair<std::uint32_t, std::uint64_t>, int> at;
  for (int i = 0; i < kMessages; ++i) {
    const auto r = receipts[i].get();
    const std::string t = std::to_string(i % kTopics);
    auto it = last.find(t);
    if (it != last.end()) {
      REQUIRE(it->second.first == r.partition);
      REQUIRE(it->second.second < r.offset);
    }
    last[t] = {r.partition, r.offset};
    REQUIRE(at.emplace(std::make_pair(r.partition, r.offset), i).second);
  }
  // A consumer reads every one of them exactly once, at the receipt's place.
  client::consumer consumer(node, {"g", topic, client::start_position::oldest()});
  const auto got = poll_count(consumer, kMessages);
  REQUIRE(got.size() == static_cast<std::size_t>(kMessages));
  for (const auto& m : got) REQUIRE(at.at({m.partition, m.offset}) == std::stoi(m.payload));
}
