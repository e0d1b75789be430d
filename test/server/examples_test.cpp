// The README's walk-through, run: the examples/ programs against one unimqd. The device's telemetry
// reaches the consumer-group member, which answers on the device's response topic, and the producer's
// command reaches the device through its subscription. The answer reaches the device by P2P delivery
// (`sensors/p2p/dev-1`), with no subscription of its own.
#include <catch2/catch.hpp>

#include "command_run.hpp"
#include "server_fixture.hpp"

using namespace unimq::it;

#ifndef EXAMPLES_DIR
#define EXAMPLES_DIR "examples"
#endif

namespace {

// Whether `program` prints `text` in time; if not, what it printed so far goes into the failure report.
bool prints(const background_command& program, const std::string& text) {
  if (program.wait_for_output(text)) return true;
  UNSCOPED_INFO("it printed:\n" << program.out());
  return false;
}

}  // namespace

TEST_CASE("examples: device -> consumer group -> answer, producer -> device", "[examples]") {
  const auto broker = unimq::st::start_node_broker();
  const std::string node = broker->host() + ":" + std::to_string(broker->node_port());
  const std::string dir = EXAMPLES_DIR;

  background_command member({dir + "/consumer_member", "--node", node, "--reply"});
  REQUIRE(prints(member, "member of group dashboard on sensors"));
  // The device runs until it is stopped (not for a fixed number of readings): the command and the
  // answer must reach it however long the steps below take. The command is sent once the broker has
  // acknowledged its subscription, not merely its connection.
  background_command device({dir + "/mqtt_device", "--port", std::to_string(broker->port())});
  REQUIRE(prints(device, "dev-1 subscribed to commands/dev-1/#"));

  const auto sent = run_command({dir + "/producer", "--node", node, "commands/dev-1/led", "on"});
  INFO(sent.err);
  REQUIRE(sent.status == 0);
  CHECK(sent.out.rfind("stored commands/dev-1/led in partition ", 0) == 0);
  CHECK(prints(device, "dev-1 received commands/dev-1/led: on"));

  CHECK(prints(member, "sensors/dev-1/temperature from device dev-1: 20.0"));
  // Its answer is stored in the same first-level topic, so the group reads it back too.
  CHECK(prints(member, "sensors/p2p/dev-1 from app example-consumer: ack 20.0"));
  CHECK(prints(device, "dev-1 received sensors/p2p/dev-1: ack 20.0 (answer to reading-0)"));

  const auto device_end = device.stop();
  INFO(device_end.err);
  CHECK(device_end.status == 0);
  const auto member_end = member.stop();
  INFO(member_end.err);
  CHECK(member_end.status == 0);
}
