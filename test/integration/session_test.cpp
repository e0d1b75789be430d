// Sessions: clean session / clean start, session present, queued messages for an offline persistent
// session, session expiry (v5), sessions across a restart, subscriptions kept.
#include "broker_process.hpp"
#include "mqtt_client.hpp"
#include "new_topic_stream.hpp"

#include <catch2/catch.hpp>


using namespace unimq::it;

TEST_CASE("session: a persistent session keeps subscriptions and queues QoS 1/2 while offline", "[session]") {
  broker_process broker;
  broker.start();
  const auto version = GENERATE(mqtt_version::v311, mqtt_version::v5);
  INFO("MQTT " << to_string(version));
  const std::string id = unique("pers");
  const std::string topic = unique("q");
  {
    mqtt_client sub(broker.host(), broker.port());
    const connack first = sub.connect(persistent_session(version, id));
    REQUIRE(first.reason == 0);
    CHECK_FALSE(first.session_present);
    REQUIRE(sub.subscribe(topic, 2) == std::vector<int>{2});
    sub.disconnect();
  }
  auto pub = connect_client(broker, {version, unique("pub")});
  for (int qos = 0; qos <= 2; ++qos) REQUIRE(pub->publish(topic, "q" + std::to_string(qos), {qos}).acked);
  mqtt_client sub(broker.host(), broker.port());
  const connack again = sub.connect(persistent_session(version, id));
  REQUIRE(again.reason == 0);
  CHECK(again.session_present);
  const auto msgs = sub.wait_for_payload("q2");
  REQUIRE(!msgs.empty());
  // QoS 1 and 2 must be there, in order; QoS 0 may be dropped while offline.
  std::vector<std::string> got;
  for (const auto& m : msgs)
    if (m.payload != "q0") got.push_back(m.payload);
  CHECK(got == std::vector<std::string>{"q1", "q2"});
  // And the subscription is still live.
  REQUIRE(pub->publish(topic, "live", {1}).acked);
  CHECK(sub.wait_for_payload("live").size() == 1);
}

TEST_CASE("session: clean session / clean start discards the old session", "[session]") {
  broker_process broker;
  broker.start();
  const auto version = GENERATE(mqtt_version::v311, mqtt_version::v5);
  INFO("MQTT " << to_string(version));
  const std::string id = unique("clean");
  const std::string topic = unique("q");
  {
    auto sub = connect_client(broker, persistent_session(version, id));
    REQUIRE(sub->subscribe(topic, 1) == std::vector<int>{1});
    sub->disconnect();
  }
  auto pub = connect_client(broker, {version, unique("pub")});
  REQUIRE(pub->publish(topic, "lost", {1}).acked);
  connect_options o{version, id, true};
  if (version == mqtt_version::v5) o.session_expiry = 3600;
  mqtt_client sub(broker.host(), broker.port());
  const connack ack = sub.connect(o);
  REQUIRE(ack.reason == 0);
  CHECK_FALSE(ack.session_present);
  // The old subscription is gone too: a new message on the topic is not delivered.
  REQUIRE(sub.subscribe(topic + "/marker", 1) == std::vector<int>{1});
  REQUIRE(pub->publish(topic, "after", {1}).acked);
  REQUIRE(pub->publish(topic + "/marker", "marker", {1}).acked);
  const auto msgs = sub.wait_for_payload("marker");
  REQUIRE(msgs.size() == 1);
}

TEST_CASE("session: 3.1.1 clean session ends the session on disconnect", "[session]") {
  broker_process broker;
  broker.start();
  const std::string id = unique("cs");
  {
    auto c = connect_client(broker, {mqtt_version::v311, id, true});
    REQUIRE(c->subscribe("cs/t", 1) == std::vector<int>{1});
    c->disconnect();
  }
  mqtt_client c(broker.host(), broker.port());
  const connack ack = c.connect({mqtt_version::v311, id, false});
  REQUIRE(ack.reason == 0);
  CHECK_FALSE(ack.session_present);
}

TEST_CASE("session: v5 session expiry 0 ends the session at disconnect, a longer one outlives it", "[session][v5]") {
  broker_process broker;
  broker.start();
  const std::string id = unique("exp");
  {
    auto c = connect_client(broker, persistent_session(mqtt_version::v5, id, 0));
    c->disconnect();
  }
  {
    mqtt_client c(broker.host(), broker.port());
    const connack ack = c.connect(persistent_session(mqtt_version::v5, id, 2));
    REQUIRE(ack.reason == 0);
    CHECK_FALSE(ack.session_present);  // expiry 0: gone
    c.disconnect();
  }
  {
    mqtt_client c(broker.host(), broker.port());
    const connack ack = c.connect(persistent_session(mqtt_version::v5, id, 1));
    REQUIRE(ack.reason == 0);
    CHECK(ack.session_present);  // expiry 2 s, back at once
    c.disconnect();
  }
  // The last connection set 1 s; wait past it (the behaviour under test is time).
  std::this_thread::sleep_for(2500ms);
  mqtt_client c(broker.host(), broker.port());
  const connack ack = c.connect(persistent_session(mqtt_version::v5, id, 1));
  REQUIRE(ack.reason == 0);
  CHECK_FALSE(ack.session_present);
}

TEST_CASE("session: v5 DISCONNECT may change the session expiry", "[session][v5]") {
  broker_process broker;
  broker.start();
  const std::string id = unique("dexp");
  {
    auto c = connect_client(broker, persistent_session(mqtt_version::v5, id, 3600));
    properties p;
    p.session_expiry = 0;
    c->disconnect(0, p);
  }
  mqtt_client c(broker.host(), broker.port());
  const connack ack = c.connect(persistent_session(mqtt_version::v5, id, 3600));
  REQUIRE(ack.reason == 0);
  CHECK_FALSE(ack.session_present);
}

TEST_CASE("session: persistent sessions and their queued messages survive a broker restart", "[session][restart]") {
  broker_process broker;
  broker.start();
  const auto version = GENERATE(mqtt_version::v311, mqtt_version::v5);
  INFO("MQTT " << to_string(version));
  const std::string id = unique("rs");
  const std::string topic = unique("q");
  {
    auto sub = connect_client(broker, persistent_session(version, id));
    REQUIRE(sub->subscribe(topic, 1) == std::vector<int>{1});
    sub->disconnect();
  }
  {
    auto pub = connect_client(broker, {version, unique("pub")});
    REQUIRE(pub->publish(topic, "before restart", {1}).acked);
    pub->disconnect();
  }
  broker.restart();
  mqtt_client sub(broker.host(), broker.port());
  const connack ack = sub.connect(persistent_session(version, id));
  REQUIRE(ack.reason == 0);
  CHECK(ack.session_present);
  const auto msgs = sub.wait_for_messages(1);
  REQUIRE(msgs.size() == 1);
  CHECK(msgs[0].payload == "before restart");
}

TEST_CASE("session: --max-session-expiry caps the session expiry and CONNACK says so", "[session][v5][unimq]") {
  UNIMQ_ONLY();
  broker_options o;
  o.max_session_expiry = "10s";
  broker_process broker(o);
  broker.start();
  mqtt_client c(broker.host(), broker.port());
  const connack ack = c.connect(persistent_session(mqtt_version::v5, unique("cap"), 100000));
  REQUIRE(ack.reason == 0);
  CHECK(ack.props.session_expiry == std::optional<std::uint32_t>(10));
}

TEST_CASE("session: a DISCONNECT that sets the Session Expiry Interval to 0 ends a stored session",
          "[session][v5]") {
  broker_process broker;
  broker.start();
  const std::string id = unique("exp0");
  connect_options o{mqtt_version::v5, id, true};
  o.session_expiry = 3600;
  {
    mqtt_client c(broker.host(), broker.port());
    REQUIRE(c.connect(o).reason == 0);
    REQUIRE(c.subscribe(unique("t"), 1) == std::vector<int>{1});
    properties props;
    props.session_expiry = 0;
    c.disconnect(0, props);
  }
  mqtt_client again(broker.host(), broker.port());
  connect_options resume{mqtt_version::v5, id, false};
  resume.session_expiry = 3600;
  const connack ack = again.connect(resume);
  REQUIRE(ack.reason == 0);
  CHECK_FALSE(ack.session_present);
}

TEST_CASE("session: an offline backlog of large messages is delivered in full", "[session]") {
  broker_process broker;
  broker.start();
  const auto version = GENERATE(mqtt_version::v311, mqtt_version::v5);
  INFO("MQTT " << to_string(version));
  const std::string id = unique("big");
  const std::string topic = unique("big");
  {
    mqtt_client sub(broker.host(), broker.port());
    REQUIRE(sub.connect(persistent_session(version, id)).reason == 0);
    REQUIRE(sub.subscribe(topic, 1) == std::vector<int>{1});
    sub.disconnect();
  }
  // 40 x 100 KB: more than one storage read (capped at 1 MiB) and more than max-queued-bytes (1 MiB).
  auto pub = connect_client(broker, {version, unique("pub")});
  const std::string body(100 * 1024, 'b');
  for (int i = 0; i < 40; ++i) REQUIRE(pub->publish(topic, std::to_string(i) + body, {1}).acked);
  mqtt_client sub(broker.host(), broker.port());
  REQUIRE(sub.connect(persistent_session(version, id)).session_present);
  const auto msgs = sub.wait_for_messages(40, 20s);
  REQUIRE(msgs.size() == 40);
  for (int i = 0; i < 40; ++i) CHECK(msgs[static_cast<std::size_t>(i)].payload == std::to_string(i) + body);
}

TEST_CASE("session: brand-new topics published while a persistent session resumes: each arrives once",
          "[session]") {
  broker_options o;
  o.storage_sync = "nosync";  // quick commits: a steady stream of them while the session resumes
  broker_process broker(o);
  broker.start();
  // A resumed session places a cursor on every topic it never read before it reads on. A publisher
  // puts one message on a new topic after the other, before, during and after the reconnect: every
  // one was published after the subscription, so every one must arrive once, including those on
  // topics created while the session resumes.
  const std::string root = unique("resume");
  const std::string id = unique("sub");
  auto pub = connect_client(broker, {mqtt_version::v311, unique("pub")});
  // Topics from before the subscription (not for the session) make its resume longer.
  publish_old_topics(*pub, root, 500);
  {
    mqtt_client first(broker.host(), broker.port());
    REQUIRE(first.connect(persistent_session(mqtt_version::v311, id)).reason == 0);
    REQUIRE(first.subscribe(root + "/+", 1) == std::vector<int>{1});
    first.disconnect();
  }
  new_topic_stream stream(*pub, root, 50);
  stream.wait_running();  // reconnects while the stream runs
  mqtt_client sub(broker.host(), broker.port());
  const connack again = sub.connect(persistent_session(mqtt_version::v311, id));
  stream.mark_and_finish();
  REQUIRE(again.reason == 0);
  REQUIRE(again.session_present);
  REQUIRE(stream.all_acked());
  INFO(stream.first_after_mark() << " messages before the CONNACK, " << stream.published() << " in all");
  // All of them were published after the subscription.
  const auto got = receive_payloads(sub, 0, stream.published());
  CHECK(missing_payloads(got, 0, stream.published()).empty());
  CHECK(repeated_payloads(got).empty());
}
