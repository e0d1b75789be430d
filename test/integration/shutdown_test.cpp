// Orderly shutdown: SIGTERM ends the broker, with exit status 0, while clients are connected,
// subscribed (persistent, shared) and publishing. The harness's stop() SIGKILLs a broker that has not
// exited 10 s after SIGTERM and then returns -9, so a shutdown that hangs fails here (once, unimqd's
// actor system waited for ever for its storage writer; see stop_storage in actors/broker.hpp).
#include "broker_process.hpp"
#include "mqtt_client.hpp"

#include <catch2/catch.hpp>

using namespace unimq::it;

TEST_CASE("shutdown: SIGTERM under load ends the broker with status 0, every round", "[shutdown]") {
  broker_options o;
  o.node_port = !testing_mosquitto();  // the node service is published: the middleman runs too
  broker_process broker(o);
  connect_options persistent{mqtt_version::v5, unique("shutdown-sub"), false};
  persistent.session_expiry = 600;
  for (int round = 0; round < 3; ++round) {
    INFO("round " << round);
    broker.start();
    {
      mqtt_client sub(broker.host(), broker.port());
      REQUIRE(sub.connect(persistent).reason == 0);
      REQUIRE(sub.subscribe("shutdown/#", 1) == std::vector<int>{1});
      mqtt_client member(broker.host(), broker.port());
      REQUIRE(member.connect({mqtt_version::v5, unique("shutdown-member")}).reason == 0);
      REQUIRE(member.subscribe("$share/g/shutdown/#", 1) == std::vector<int>{1});
      mqtt_client pub(broker.host(), broker.port());
      REQUIRE(pub.connect({mqtt_version::v311, unique("shutdown-pub")}).reason == 0);
      // Writes in flight when the signal comes: the first is acknowledged, most of the rest are not yet.
      const int first = pub.publish_async("shutdown/a", "0", {1});
      for (int i = 1; i < 200; ++i) pub.publish_async("shutdown/a", std::to_string(i), {1});
      REQUIRE(pub.wait_acked(first));
      CHECK(broker.stop() == 0);
    }
    if (!testing_mosquitto()) CHECK(broker.log().find("[shutdown] stopped") != std::string::npos);
  }
}
