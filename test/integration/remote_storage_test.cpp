// The seed's promise that the same actors run in one process or across nodes: the storage writer and
// reader run in one process (the storage node), the MQTT gateway (connections, index shards, session
// registry) in another, joined by CAF's middleman on loopback. A libmosquitto round trip through the
// gateway exercises every message type that crosses the link (write requests, notify events, queue
// batches, sessions, retained lookups), so an unregistered or unserializable type fails here.
#include <caf/all.hpp>
#include <caf/io/all.hpp>
#include <catch2/catch.hpp>

#include <csignal>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <set>
#include <thread>
#include <sys/wait.h>
#include <unistd.h>

#include "actors/broker.hpp"
#include "actors/messages.hpp"
#include "mqtt_client.hpp"

using namespace unimq;
using namespace unimq::it;

namespace {

void configure(caf::actor_system_config& cfg) {
  actors::add_message_types(cfg);
  cfg.load<caf::io::middleman>();
  cfg.set("scheduler.max-threads", 2);
}

config::broker_options options_for(const std::string& data_dir) {
  config::broker_options o;
  o.data_dir = data_dir;
  o.listen = {{"127.0.0.1", 0}};
  return o;
}

// The storage node: opens the store, publishes the writer, reports the port on `report`, and runs
// until `until_closed` reaches end of file (the parent closed its end). Then it shuts down in order, as
// unimqd does, including ~actor_system: exit status 0, or 1 if the store could not be opened or
// published, or 2 if stop_storage() found the writer still referenced.
[[noreturn]] void run_storage_node(const std::string& data_dir, int report, int until_closed) {
  int status = 1;
  {
    caf::actor_system_config cfg;
    configure(cfg);
    caf::actor_system system{cfg};
    auto opened = actors::open_storage(system, options_for(data_dir));
    if (auto* node = std::get_if<actors::storage_node>(&opened)) {
      auto port = system.middleman().publish(node->writer, 0, "127.0.0.1");
      const std::uint16_t p = port ? *port : 0;
      if (write(report, &p, sizeof p) == sizeof p && p != 0) {
        char c;
        while (read(until_closed, &c, 1) > 0) {
        }
        system.middleman().unpublish(node->writer, p);  // the middleman holds what it publishes
        status = actors::stop_storage(*node) ? 0 : 2;
      } else {
        actors::stop_storage(*node);
      }
    }
  }
  _exit(status);
}

}  // namespace

TEST_CASE("remote storage: a gateway on another node serves MQTT through the storage node", "[remote]") {
  char dir_template[] = "/tmp/unimq-remote-XXXXXX";
  REQUIRE(mkdtemp(dir_template));
  const std::string data_dir = std::string(dir_template) + "/data";
  int port_pipe[2], life_pipe[2];
  REQUIRE(pipe(port_pipe) == 0);
  REQUIRE(pipe(life_pipe) == 0);
  // Fork before this process starts any thread: the child is the storage node.
  const pid_t child = fork();
  REQUIRE(child >= 0);
  if (child == 0) {
    close(port_pipe[0]);
    close(life_pipe[1]);
    run_storage_node(data_dir, port_pipe[1], life_pipe[0]);
  }
  close(port_pipe[1]);
  close(life_pipe[0]);
  std::uint16_t storage_port = 0;
  REQUIRE(read(port_pipe[0], &storage_port, sizeof storage_port) == sizeof storage_port);
  REQUIRE(storage_port != 0);

  {
    caf::actor_system_config cfg;
    configure(cfg);
    caf::actor_system system{cfg};
    auto writer = system.middleman().remote_actor("127.0.0.1", storage_port);
    REQUIRE(writer);
    caf::actor reader;
    caf::scoped_actor self{system};
    self->request(*writer, std::chrono::seconds(10), actors::reader_atom::value)
        .receive([&](const caf::actor& r) { reader = r; }, [](const caf::error&) {});
    REQUIRE(reader);

    auto started = actors::broker::start_gateway(system, options_for(data_dir), *writer, reader);
    REQUIRE(std::holds_alternative<std::unique_ptr<actors::broker>>(started));
    auto& gateway = std::get<std::unique_ptr<actors::broker>>(started);
    const std::uint16_t mqtt_port = gateway->ports().at(0);

    // A persistent subscriber (session stored on the storage node), a QoS 1 publish with properties,
    // and a retained message served to a later subscriber by the remote reader.
    mqtt_client sub("127.0.0.1", mqtt_port);
    connect_options persistent{mqtt_version::v5, "remote-sub", false};
    persistent.session_expiry = 60;
    REQUIRE(sub.connect(persistent).reason == 0);
    REQUIRE(sub.subscribe("remote/#", 1) == std::vector<int>{1});

    mqtt_client pub("127.0.0.1", mqtt_port);
    REQUIRE(pub.connect({mqtt_version::v5, "remote-pub"}).reason == 0);
    properties props;
    props.user = {{"k", "v"}};
    props.content_type = "text/plain";
    REQUIRE(pub.publish("remote/a", "across nodes", {1, true, props}).acked);

    const auto got = sub.wait_for_messages(1);
    REQUIRE(got.size() == 1);
    CHECK(got[0].topic == "remote/a");
    CHECK(got[0].payload == "across nodes");
    CHECK(got[0].qos == 1);
    CHECK(got[0].props.user == std::vector<std::pair<std::string, std::string>>{{"k", "v"}});
    CHECK(got[0].props.content_type == std::optional<std::string>("text/plain"));

    mqtt_client late("127.0.0.1", mqtt_port);
    REQUIRE(late.connect({mqtt_version::v311, "remote-late"}).reason == 0);
    REQUIRE(late.subscribe("remote/+", 0) == std::vector<int>{0});
    const auto retained = late.wait_for_messages(1);
    REQUIRE(retained.size() == 1);
    CHECK(retained[0].payload == "across nodes");
    CHECK(retained[0].retain);

    // A shared group reads and commits its offsets through the storage node; p2p reaches its target.
    mqtt_client member("127.0.0.1", mqtt_port);
    REQUIRE(member.connect({mqtt_version::v5, "remote-member"}).reason == 0);
    REQUIRE(member.subscribe("$share/g/remote/jobs", 1) == std::vector<int>{1});
    REQUIRE(pub.publish("remote/jobs", "shared across nodes", {1}).acked);
    REQUIRE(pub.publish("remote/p2p/remote-member", "p2p across nodes", {1}).acked);
    const auto shared = member.wait_for_messages(2);
    REQUIRE(shared.size() == 2);
    std::set<std::string> payloads{shared[0].payload, shared[1].payload};  // two topics: any order
    CHECK(payloads == std::set<std::string>{"shared across nodes", "p2p across nodes"});

    // The session lives on the storage node: a reconnect finds it.
    sub.disconnect();
    mqtt_client again("127.0.0.1", mqtt_port);
    CHECK(again.connect(persistent).session_present);
    gateway->stop();
  }

  close(life_pipe[1]);  // the storage node shuts down
  // A shutdown that hangs (as ~actor_system once did, waiting for the writer's thread) fails here
  // instead of running into the test's timeout.
  const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  int status = -1;
  pid_t reaped = 0;
  while ((reaped = waitpid(child, &status, WNOHANG)) == 0 && std::chrono::steady_clock::now() < until)
    std::this_thread::sleep_for(std::chrono::milliseconds(5));  // polling waitpid until the deadline
  if (reaped == 0) {
    kill(child, SIGKILL);
    waitpid(child, &status, 0);
    FAIL("the storage node did not exit within 20 s of its shutdown");
  }
  REQUIRE(reaped == child);
  CHECK(WIFEXITED(status));
  CHECK(WEXITSTATUS(status) == 0);
  std::filesystem::remove_all(dir_template);
}
