// Hostile or mistaken input on the node port: invalid topic names (refused by the client, and by the
// node when a client skips the check), invalid group and topic names at join, an unreachable node,
// and garbage bytes on the node port. The broker keeps serving MQTT and node clients throughout.
#include <catch2/catch.hpp>

#include <random>

#include "actors/server_messages.hpp"
#include "mqtt_client.hpp"
#include "server_fixture.hpp"

using namespace unimq;
using namespace unimq::st;

namespace {

// Both protocols still work: an MQTT round trip and a produce/consume round trip.
void check_still_serving(const it::broker_process& broker) {
  const std::string topic = it::unique("alive");
  it::mqtt_client sub(broker.host(), broker.port());
  REQUIRE(sub.connect({it::mqtt_version::v311, it::unique("s")}).reason == 0);
  REQUIRE(sub.subscribe(topic + "/#", 1) == std::vector<int>{1});
  it::mqtt_client pub(broker.host(), broker.port());
  REQUIRE(pub.connect({it::mqtt_version::v5, it::unique("p")}).reason == 0);
  REQUIRE(pub.publish(topic + "/m", "mqtt", {1}).acked);
  CHECK(sub.wait_for_messages(1).size() == 1);

  auto node = connect(broker);
  client::consumer c(node, {"alive", topic, client::start_position::oldest()});
  client::producer p(node);
  p.send(numbered(topic + "/n", 7));
  p.flush();
  CHECK(poll_count(c, 2).size() == 2);
}

}  // namespace

TEST_CASE("bad input: invalid topic names are refused at send", "[server]") {
  auto broker = start_node_broker();
  auto node = connect(*broker);
  client::producer p(node);
  for (const std::string& topic : std::vector<std::string>{"", "a/+/b", "a/#", "#", "$SYS/broker/uptime", std::string("a\0b", 3)}) {
    INFO("topic '" << topic << "'");
    CHECK_THROWS_AS(p.send(numbered(topic, 1)), client::error);
  }
  client::message bad_qos = numbered("a/b", 1);
  bad_qos.qos = 3;
  CHECK_THROWS_AS(p.send(bad_qos), client::error);
  // What MQTT subscribers would refuse as malformed (and then get again after every reconnect).
  CHECK_THROWS_WITH(p.send(numbered("a/\xff\xfe", 1)), Catch::Contains("not valid UTF-8"));
  client::message bad_property = numbered("a/b", 1);
  bad_property.content_type = "text/\xc3";
  CHECK_THROWS_WITH(p.send(bad_property), Catch::Contains("content type is not valid UTF-8"));
  bad_property = numbered("a/b", 1);
  bad_property.response_topic = "replies/#";
  CHECK_THROWS_WITH(p.send(bad_property), Catch::Contains("invalid response topic 'replies/#'"));
  bad_property = numbered("a/b", 1);
  bad_property.user_properties = {{"k", std::string("\0", 1)}};
  CHECK_THROWS_WITH(p.send(bad_property), Catch::Contains("user property 'k' is not valid UTF-8"));
  bad_property = numbered("a/b", 1);
  bad_property.payload_format = 2;
  CHECK_THROWS_WITH(p.send(bad_property), Catch::Contains("invalid payload format 2"));
  bad_property = numbered("a/b", 1);
  bad_property.expiry = std::chrono::seconds(std::uint64_t{1} << 32);
  CHECK_THROWS_WITH(p.send(bad_property), Catch::Contains("Message Expiry Interval"));
  bad_property.expiry = std::chrono::seconds(-1);
  CHECK_THROWS_WITH(p.send(bad_property), Catch::Contains("negative expiry"));
  CHECK_THROWS_WITH(p.send(numbered("x/#", 1)), Catch::Contains("invalid topic 'x/#'"));
  p.flush();  // nothing was queued, nothing failed
}

TEST_CASE("bad input: the node refuses a batch with an invalid topic that skipped the client's check", "[server]") {
  auto broker = start_node_broker();
  raw_node raw(*broker);
  caf::scoped_actor self{raw.system};
  // A valid message first, then `bad`: the whole batch must be refused.
  auto produce = [&](const std::string& bad) {
    actors::produce_request request;
    request.producer_id = "raw";
    request.messages.resize(2);
    request.messages[0].set_topic("ok/topic");
    request.messages[1].set_topic(bad);
    std::string error = "no answer";
    self->request(raw.service, std::chrono::seconds(10), actors::produce_atom::value, request)
        .receive([&](const actors::produce_result& r) { error = r.error; },
                 [&](const caf::error& e) { error = raw.system.render(e); });
    return error;
  };
  CHECK_THAT(produce("bad/#"), Catch::Contains("invalid topic 'bad/#'"));
  // A server app may not forge the broker's $SYS topics any more than an MQTT client may.
  CHECK_THAT(produce("$SYS/forged"), Catch::Contains("reserved for the broker"));
  // Bytes an MQTT subscriber's library refuses: it would disconnect and get them again on reconnect.
  CHECK_THAT(produce("ok/\xc0\x80"), Catch::Contains("not valid UTF-8"));
  // Nothing of the refused batch was stored: the valid message is not there either.
  auto node = connect(*broker);
  client::consumer c(node, {"raw", "ok", client::start_position::oldest()});
  CHECK(c.poll(std::chrono::milliseconds(300)).empty());
  check_still_serving(*broker);
}

TEST_CASE("bad input: invalid group and topic names at join", "[server]") {
  auto broker = start_node_broker();
  auto node = connect(*broker);
  CHECK_THROWS_WITH(client::consumer(node, {"", "t", client::start_position::oldest()}), Catch::Contains("group name is empty"));
  CHECK_THROWS_WITH(client::consumer(node, {"g", "a/b", client::start_position::oldest()}),
                    Catch::Contains("not a first-level topic"));
  CHECK_THROWS_WITH(client::consumer(node, {"g", "", client::start_position::oldest()}), Catch::Contains("invalid topic"));
  CHECK_THROWS_WITH(client::consumer(node, {"g", "+", client::start_position::oldest()}), Catch::Contains("invalid topic"));
  CHECK_THROWS_WITH(client::consumer(node, {std::string(300, 'g'), "t", client::start_position::oldest()}),
                    Catch::Contains("longer than"));
  check_still_serving(*broker);
}

TEST_CASE("bad input: an unreachable node is an error naming host:port", "[server]") {
  const auto port = it::free_loopback_port();
  const std::string where = "127.0.0.1:" + std::to_string(port);
  CHECK_THROWS_WITH(client::node::connect(where), Catch::Contains(where));
  CHECK_THROWS_WITH(client::node::connect("no-port"), Catch::Contains("HOST:PORT"));
  CHECK_THROWS_WITH(client::node::connect("localhost:99999"), Catch::Contains("port must be a number"));
  CHECK_THROWS_WITH(client::node::connect("::1:7000"), Catch::Contains("in brackets"));
}

TEST_CASE("bad input: garbage bytes on the node port do not disturb the broker", "[server]") {
  auto broker = start_node_broker();
  std::mt19937 rng(20261125u);
  for (int round = 0; round < 4; ++round) {
    it::raw_connection raw(broker->host(), broker->node_port());
    REQUIRE(raw.is_open());
    std::string junk(64 * 1024, '\0');
    for (auto& c : junk) c = static_cast<char>(rng());
    if (round == 0) junk = "GET / HTTP/1.1\r\nHost: x\r\n\r\n";
    if (round == 1) junk.assign(4096, '\xff');  // huge lengths in any header field
    raw.send(junk);
    raw.wait_closed(std::chrono::seconds(1));  // a short prefix of junk may be held open waiting for more
  }
  CHECK(broker->running());
  check_still_serving(*broker);
}

TEST_CASE("bad input: joins and shutdowns sent straight to a group coordinator are refused", "[server]") {
  auto broker = start_node_broker(2, false);
  const std::string topic = it::unique("direct");
  raw_node raw(*broker);
  caf::scoped_actor member{raw.system};
  auto join = [&](const caf::actor& to, actors::group_join j) {
    actors::join_result out{"no answer", {}, 0};
    member->request(to, std::chrono::seconds(10), actors::join_atom::value, std::move(j))
        .receive([&](const actors::join_result& r) { out = r; }, [&](const caf::error& e) { out.error = raw.system.render(e); });
    return out;
  };
  const auto self_handle = caf::actor_cast<caf::actor>(member);
  auto joined = join(raw.service, {"g", topic, "m1", self_handle, {}});
  REQUIRE(joined.error.empty());
  // The coordinator's handle is every member's: a join sent to it skips the node's checks (here an
  // empty group name and no member actor) and is refused.
  CHECK_THAT(join(joined.coordinator, {"", topic, "m2", caf::actor{}, {}}).error, Catch::Contains("node service"));
  // A forged shutdown does not end it: after it (same sender, in order) the group still admits a member.
  member->send(joined.coordinator, actors::shutdown_atom::value);
  CHECK_THAT(join(joined.coordinator, {"g", topic, "m1", self_handle, {}}).error, Catch::Contains("node service"));
  caf::scoped_actor second{raw.system};
  auto again = join(raw.service, {"g", topic, "m2", caf::actor_cast<caf::actor>(second), {}});
  CHECK(again.error.empty());
  CHECK(again.coordinator == joined.coordinator);
  check_still_serving(*broker);
}

TEST_CASE("bad input: messages the node service does not know get an error, not a log line each", "[server]") {
  auto broker = start_node_broker();
  raw_node raw(*broker);
  caf::scoped_actor self{raw.system};
  std::string error;
  self->request(raw.service, std::chrono::seconds(10), std::string("hello"), 42)
      .receive([&](const caf::message&) { error = "answered"; }, [&](const caf::error& e) { error = raw.system.render(e); });
  CHECK_THAT(error, Catch::Contains("unexpected_message"));
  CHECK_THAT(broker->log(), !Catch::Contains("unexpected message"));
  check_still_serving(*broker);
}
