// A server application that sends commands to devices through unimqd (README, "Server-side
// messaging"): every message goes to a full MQTT topic, is stored once, and reaches the MQTT devices
// subscribed to it and the consumer groups of its first-level topic.
//
//   producer [--node HOST:PORT] [--count N] TOPIC PAYLOAD
//   producer --node 127.0.0.1:7000 commands/dev-1/led on
#include <unimq/client.hpp>

#include <cstdlib>
#include <iostream>
#include <string>
#include <vector>

int main(int argc, char** argv) {
  std::string node_address = "127.0.0.1:7000";
  long count = 1;
  std::vector<std::string> args(argv + 1, argv + argc);
  std::vector<std::string> positional;
  for (std::size_t i = 0; i < args.size(); ++i) {
    if (args[i] == "--node" && i + 1 < args.size()) node_address = args[++i];
    else if (args[i] == "--count" && i + 1 < args.size()) count = std::atol(args[++i].c_str());
    else positional.push_back(args[i]);
  }
  if (positional.size() != 2 || count < 1) {
    std::cerr << "usage: producer [--node HOST:PORT] [--count N] TOPIC PAYLOAD\n";
    return 2;
  }
  try {
    auto node = unimq::client::node::connect(node_address);
    unimq::client::producer producer(node, {"example-producer"});
    std::vector<std::future<unimq::client::receipt>> receipts;
    for (long i = 0; i < count; ++i) {
      unimq::client::message m;
      m.topic = positional[0];
      m.payload = count == 1 ? positional[1] : positional[1] + " " + std::to_string(i);
      m.qos = 1;
      // MQTT 5 devices see these as PUBLISH properties.
      m.content_type = "text/plain";
      m.user_properties = {{"sent-by", "example-producer"}};
      receipts.push_back(producer.send(std::move(m)));  // batched: sends do not wait for the node
    }
    producer.flush();  // now every message is committed to storage
    for (auto& r : receipts) {
      const auto where = r.get();
      std::cout << "stored " << positional[0] << " in partition " << where.partition << " at offset " << where.offset
                << "\n";
    }
  } catch (const unimq::client::error& e) {
    std::cerr << "producer: " << e.what() << "\n";
    return 1;
  }
}
