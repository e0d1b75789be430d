// A member of a consumer group on a first-level topic (README, "Server-side messaging"). It prints every
// message the group assigns to it, committing as it polls; with --reply it answers each MQTT message
// that carries a response topic (MQTT 5 request/response), which closes the round trip
// device -> server application -> device. Start several with the same --group to share the partitions.
//
//   consumer_member [--node HOST:PORT] [--group G] [--topic FIRST] [--reply]
#include <unimq/client.hpp>

#include <atomic>
#include <csignal>
#include <iostream>
#include <string>

namespace {

std::atomic<bool> g_stop{false};
extern "C" void on_signal(int) { g_stop = true; }

// The answer to a device's request: to its response topic, with its correlation data.
unimq::client::message reply_to(const unimq::client::message& request) {
  unimq::client::message r;
  r.topic = *request.response_topic;
  r.payload = "ack " + request.payload;
  r.correlation_data = request.correlation_data;
  return r;
}

}  // namespace

int main(int argc, char** argv) {
  std::string node_address = "127.0.0.1:7000", group = "dashboard", topic = "sensors";
  bool reply = false;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "--node" && i + 1 < argc) node_address = argv[++i];
    else if (a == "--group" && i + 1 < argc) group = argv[++i];
    else if (a == "--topic" && i + 1 < argc) topic = argv[++i];
    else if (a == "--reply") reply = true;
    else {
      std::cerr << "usage: consumer_member [--node HOST:PORT] [--group G] [--topic FIRST] [--reply]\n";
      return 2;
    }
  }
  std::signal(SIGINT, on_signal);
  std::signal(SIGTERM, on_signal);
  try {
    auto node = unimq::client::node::connect(node_address);
    unimq::client::consumer member(node, {group, topic, unimq::client::start_position::oldest()});
    unimq::client::producer replies(node, {"example-consumer"});
    std::cout << "member of group " << group << " on " << topic << std::endl;
    while (!g_stop) {
      for (const auto& m : member.poll(std::chrono::milliseconds(500))) {
        std::cout << "partition " << m.partition << " offset " << m.offset << " " << m.topic << " from "
                  << (m.from_mqtt ? "device " : "app ") << m.origin << ": " << m.payload << std::endl;
        // Replies go to the same first-level topic when the device asks for it: answer MQTT only.
        if (reply && m.from_mqtt && m.response_topic) replies.send(reply_to(m));
      }
      replies.flush();
    }
  } catch (const unimq::client::error& e) {
    std::cerr << "consumer_member: " << e.what() << "\n";
    return 1;
  }
}
