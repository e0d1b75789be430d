// One unimqd, two protocols: what an MQTT device publishes reaches server-side consumer groups of its
// first-level topic, and what a server application sends reaches MQTT subscribers, with QoS, retain and
// the MQTT 5 properties carried as docs/server-side.md says. The device side is libmosquitto.
#include <catch2/catch.hpp>

#include <map>

#include "mqtt_client.hpp"
#include "server_fixture.hpp"

using namespace unimq;
using namespace unimq::it;

namespace {

using st::connect;
using st::poll_count;

client::consumer_options group_of(const std::string& first, const std::string& group = "g") {
  client::consumer_options o;
  o.group = group;
  o.topic = first;
  o.from = client::start_position::oldest();
  return o;
}

properties full_properties() {
  properties p;
  p.payload_format = 1;
  p.content_type = "application/json";
  p.response_topic = "a/replies/dev-1";
  p.correlation_data = std::string("\x00\x01req-7", 7);
  p.message_expiry = 3600;
  p.user = {{"unit", "celsius"}, {"site", "north"}, {"unit", "kelvin"}};
  return p;
}

client::message server_message(const std::string& topic, const std::string& payload, std::uint8_t qos) {
  client::message m;
  m.topic = topic;
  m.payload = payload;
  m.qos = qos;
  return m;
}

// The number of messages in the commitlog at the next $SYS tick (one a second): the next live value of
// $SYS/broker/store/messages (the retained copy a new subscriber gets first is skipped).
std::uint64_t next_stored_count(mqtt_client& sys) {
  for (;;) {
    const auto got = sys.wait_for_topic("$SYS/broker/store/messages", 5s);
    REQUIRE(!got.empty());
    if (!got.back().retain) return std::stoull(got.back().payload);
  }
}

}  // namespace

TEST_CASE("cross protocol: an MQTT 5 publish reaches a consumer group of its first-level topic", "[cross]") {
  auto broker = st::start_node_broker();
  client::consumer member(connect(*broker), group_of("a"));
  auto device = connect_client(*broker, {mqtt_version::v5, "dev-1"});
  REQUIRE(device->publish("a/b/c", "21.5", {1, true, full_properties()}).acked);
  REQUIRE(device->publish("a/x", "plain", {0}).acked);

  const auto got = poll_count(member, 2);
  REQUIRE(got.size() == 2);
  const auto& m = got[0].topic == "a/b/c" ? got[0] : got[1];
  const auto& plain = got[0].topic == "a/b/c" ? got[1] : got[0];
  CHECK(m.topic == "a/b/c");
  CHECK(m.payload == "21.5");
  CHECK(m.qos == 1);
  CHECK(m.retain);
  CHECK(m.payload_format == std::optional<std::uint8_t>(1));
  CHECK(m.content_type == std::optional<std::string>("application/json"));
  CHECK(m.response_topic == std::optional<std::string>("a/replies/dev-1"));
  CHECK(m.correlation_data == std::optional<std::string>(std::string("\x00\x01req-7", 7)));
  CHECK(m.user_properties ==
        std::vector<std::pair<std::string, std::string>>{{"unit", "celsius"}, {"site", "north"}, {"unit", "kelvin"}});
  // What is left of the interval the device gave, rounded up (docs/server-side.md).
  REQUIRE(m.expiry);
  CHECK(*m.expiry <= std::chrono::seconds(3600));
  CHECK(*m.expiry >= std::chrono::seconds(3590));
  CHECK(m.from_mqtt);
  CHECK(m.origin == "dev-1");
  CHECK(m.timestamp_ms > 0);

  CHECK(plain.topic == "a/x");
  CHECK(plain.payload == "plain");
  CHECK(plain.qos == 0);
  CHECK_FALSE(plain.retain);
  CHECK_FALSE(plain.content_type);
  CHECK(plain.user_properties.empty());
  CHECK_FALSE(plain.expiry);
}

TEST_CASE("cross protocol: MQTT 3.1.1 publishes of every QoS reach the group in order", "[cross]") {
  auto broker = st::start_node_broker();
  client::consumer member(connect(*broker), group_of("a"));
  auto device = connect_client(*broker, {mqtt_version::v311, "dev-2"});
  for (int qos = 0; qos <= 2; ++qos) REQUIRE(device->publish("a/q", std::to_string(qos), {qos}).acked);
  const auto got = poll_count(member, 3);
  REQUIRE(got.size() == 3);
  for (int qos = 0; qos <= 2; ++qos) {
    CHECK(got[qos].payload == std::to_string(qos));
    CHECK(got[qos].qos == qos);
    CHECK(got[qos].origin == "dev-2");
  }
  // Another group reads the same stored messages independently.
  client::consumer other(connect(*broker), group_of("a", "other"));
  CHECK(poll_count(other, 3).size() == 3);
}

TEST_CASE("cross protocol: a server-side send reaches MQTT wildcard subscribers, QoS capped", "[cross]") {
  auto broker = st::start_node_broker();
  auto plus = subscriber(*broker, {mqtt_version::v5, "plus"}, "a/+/c", 1);
  auto hash = subscriber(*broker, {mqtt_version::v5, "hash"}, "a/#", 0);
  auto exact = subscriber(*broker, {mqtt_version::v311, "exact"}, "a/b/c", 2);
  auto other = subscriber(*broker, {mqtt_version::v5, "other"}, "b/#", 2);

  client::producer producer(connect(*broker));
  auto m = server_message("a/b/c", "set-point 20", 2);
  m.payload_format = 1;
  m.content_type = "text/plain";
  m.response_topic = "app/replies";
  m.correlation_data = "corr-1";
  m.user_properties = {{"from", "app"}, {"k", "v"}};
  m.expiry = std::chrono::seconds(600);
  producer.send(m).get();

  const auto at_plus = plus->wait_for_messages(1);
  REQUIRE(at_plus.size() == 1);
  CHECK(at_plus[0].topic == "a/b/c");
  CHECK(at_plus[0].payload == "set-point 20");
  CHECK(at_plus[0].qos == 1);
  CHECK_FALSE(at_plus[0].retain);
  const auto& p = at_plus[0].props;
  CHECK(p.payload_format == std::optional<std::uint8_t>(1));
  CHECK(p.content_type == std::optional<std::string>("text/plain"));
  CHECK(p.response_topic == std::optional<std::string>("app/replies"));
  CHECK(p.correlation_data == std::optional<std::string>("corr-1"));
  CHECK(p.user == std::vector<std::pair<std::string, std::string>>{{"from", "app"}, {"k", "v"}});
  // Forwarded with what is left of the interval: at most what was sent, and not much less.
  REQUIRE(p.message_expiry);
  CHECK(*p.message_expiry <= 600);
  CHECK(*p.message_expiry >= 590);

  const auto at_hash = hash->wait_for_messages(1);
  REQUIRE(at_hash.size() == 1);
  CHECK(at_hash[0].payload == "set-point 20");
  CHECK(at_hash[0].qos == 0);

  const auto at_exact = exact->wait_for_messages(1);
  REQUIRE(at_exact.size() == 1);
  CHECK(at_exact[0].payload == "set-point 20");
  CHECK(at_exact[0].qos == 2);

  // A marker proves `other` received in order and got nothing of a/.
  producer.send(server_message("b/marker", "end", 0)).get();
  const auto at_other = other->wait_for_payload("end");
  REQUIRE(at_other.size() == 1);
}

TEST_CASE("cross protocol: a retained server-side send is the retained message for later subscribers", "[cross]") {
  auto broker = st::start_node_broker();
  {
    client::producer producer(connect(*broker));
    auto m = server_message("a/state", "on", 1);
    m.retain = true;
    m.content_type = "text/plain";
    producer.send(m).get();
  }
  auto later = subscriber(*broker, {mqtt_version::v5, "later"}, "a/+", 1);
  const auto got = later->wait_for_messages(1);
  REQUIRE(got.size() == 1);
  CHECK(got[0].topic == "a/state");
  CHECK(got[0].payload == "on");
  CHECK(got[0].retain);
  CHECK(got[0].props.content_type == std::optional<std::string>("text/plain"));
  // And the group of `a` sees it once, with the flag.
  client::consumer member(connect(*broker), group_of("a"));
  const auto stored = poll_count(member, 1);
  REQUIRE(stored.size() == 1);
  CHECK(stored[0].retain);
  CHECK_FALSE(stored[0].from_mqtt);
}

TEST_CASE("cross protocol: a message is stored once however many read it", "[cross]") {
  broker_options options;
  options.node_port = true;
  options.sys_interval_s = 1;
  auto broker = std::make_unique<broker_process>(options);
  broker->start();
  // Each tick stores its own $SYS messages too: learn how many from two ticks without traffic.
  auto sys = subscriber(*broker, {mqtt_version::v311, "sys"}, "$SYS/broker/store/messages", 0);
  const auto first = next_stored_count(*sys);
  const auto before = next_stored_count(*sys);
  const auto per_tick = before - first;
  REQUIRE(per_tick > 0);

  // Three MQTT subscribers and two consumer groups read the same messages.
  auto s1 = subscriber(*broker, {mqtt_version::v5, "s1"}, "a/#", 1);
  auto s2 = subscriber(*broker, {mqtt_version::v5, "s2"}, "a/+/c", 1);
  auto s3 = subscriber(*broker, {mqtt_version::v311, "s3"}, "a/b/c", 2);
  client::consumer g1(connect(*broker), group_of("a", "g1"));
  client::consumer g2(connect(*broker), group_of("a", "g2"));
  constexpr int kEach = 5;
  client::producer producer(connect(*broker));
  for (int i = 0; i < kEach; ++i) producer.send(server_message("a/b/c", "app-" + std::to_string(i), 1));
  producer.flush();
  auto device = connect_client(*broker, {mqtt_version::v5, "dev"});
  for (int i = 0; i < kEach; ++i) REQUIRE(device->publish("a/b/c", "dev-" + std::to_string(i), {1}).acked);

  for (auto* s : {s1.get(), s2.get(), s3.get()}) CHECK(s->wait_for_messages(2 * kEach).size() == 2 * kEach);
  // Both groups read the same entries of one partition: one index entry per message, not one per reader.
  auto positions = [](const std::vector<client::message>& got) {
    std::vector<std::pair<std::uint32_t, std::uint64_t>> r;
    for (const auto& m : got) r.emplace_back(m.partition, m.offset);
    return r;
  };
  const auto at_g1 = positions(poll_count(g1, 2 * kEach));
  REQUIRE(at_g1.size() == 2 * kEach);
  CHECK(positions(poll_count(g2, 2 * kEach)) == at_g1);
  for (std::size_t i = 1; i < at_g1.size(); ++i) CHECK(at_g1[i].second == at_g1[0].second + i);

  // The count a tick reports includes the $SYS messages of every tick before it.
  const auto until = std::chrono::steady_clock::now() + 10s;
  std::uint64_t ours = 0;
  for (std::uint64_t ticks = 1; ours < 2 * kEach && std::chrono::steady_clock::now() < until; ++ticks)
    ours = next_stored_count(*sys) - before - per_tick * ticks;
  CHECK(ours == 2 * kEach);
}
