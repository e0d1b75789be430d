// unimqctl: produce to and consume from a unimqd node from the shell (usage: unimqctl --help).

#include <iostream>

#include "arguments.hpp"
#include "consume.hpp"
#include "produce.hpp"

namespace {

using namespace unimq;
using namespace unimq::ctl;

std::string usage() {
  return "usage: unimqctl [--node HOST:PORT] COMMAND [options]\n"
         "\n"
         "Talks to a unimqd node through its node port (unimqd --node-port PORT).\n"
         "\n"
         "  --node HOST:PORT   the node (default " +
         std::string(kDefaultNode) +
         ")\n"
         "\n"
         "commands:\n"
         "  produce TOPIC [MESSAGE]                  store messages on a full topic (stdin: one per line)\n"
         "  consume --group G --topic FIRST [...]   print a consumer group's messages of a first-level topic\n"
         "\n"
         "`unimqctl COMMAND --help` describes each. Exit status: 0 done, 1 failure (node unreachable,\n"
         "request refused or timed out), 2 usage error.\n";
}

// Connecting is the first thing that needs the node: its failure gets its own message.
std::shared_ptr<client::node> connect(const config::listen_address& address) {
  try {
    return client::node::connect(address.host, address.port);
  } catch (const client::error& e) {
    throw client::error("cannot reach node " + config::to_string(address) + ": " + e.what());
  }
}

int run(argument_list& args) {
  auto node = parse_node(kDefaultNode);
  while (!args.empty() && !args.peek().empty() && args.peek().front() == '-') {
    const std::string word = args.take();
    if (is_help(word)) {
      std::cout << usage();
      return kExitOk;
    }
    if (word != "--node") throw usage_error("unknown option \"" + word + "\" (see --help)");
    node = parse_node(args.value_of(word));
  }
  if (args.empty()) throw usage_error("no command (see --help)");
  const std::string command = args.take();
  if (command == "produce") {
    const auto options = parse_produce(args);
    if (!options) return std::cout << produce_usage(), kExitOk;
    return run_produce(connect(node), *options);
  }
  if (command == "consume") {
    const auto options = parse_consume(args);
    if (!options) return std::cout << consume_usage(), kExitOk;
    return run_consume(connect(node), *options);
  }
  throw usage_error("unknown command \"" + command + "\" (commands: produce, consume)");
}

}  // namespace

int main(int argc, char** argv) {
  std::ios::sync_with_stdio(false);
  argument_list args(argc, argv);
  try {
    return run(args);
  } catch (const usage_error& e) {
    std::cerr << "unimqctl: " << e.what() << "\n";
    return kExitUsage;
  } catch (const client::error& e) {
    std::cerr << "unimqctl: " << e.what() << "\n";
    return kExitFailure;
  }
}
