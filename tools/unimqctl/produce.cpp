#include "produce.hpp"

#include <deque>
#include <future>
#include <iostream>

namespace unimq::ctl {
namespace {

// Receipts still pending before the oldest is waited for: bounds memory on an endless stdin while
// leaving the producer's batches free to fill.
constexpr std::size_t kMaxPendingReceipts = 1 << 16;

client::message make_message(const produce_options& o, std::string payload) {
  client::message m;
  m.topic = o.topic;
  m.payload = std::move(payload);
  m.qos = o.qos;
  m.retain = o.retain;
  return m;
}

void report(const client::receipt& r) { std::cout << r.partition << '\t' << r.offset << '\n'; }

}  // namespace

std::string produce_usage() {
  return "usage: unimqctl [--node HOST:PORT] produce [options] TOPIC [MESSAGE]\n"
         "\n"
         "Stores MESSAGE on the full topic TOPIC (a/b/c); without MESSAGE, every line of stdin is one\n"
         "message (the newline is not part of it), sent in batches and flushed at end of input.\n"
         "Exits 0 once the node has committed every message, 1 on any failure, 2 on a usage error.\n"
         "\n"
         "  --qos 0|1|2   QoS MQTT subscribers receive it at, at most their subscription's (default 1)\n"
         "  --retain      also make it the topic's retained message for MQTT subscribers\n"
         "  -v            print \"PARTITION<TAB>OFFSET\" for each stored message, in input order\n";
}

std::optional<produce_options> parse_produce(argument_list& args) {
  produce_options o;
  std::vector<std::string> positional;
  while (!args.empty()) {
    const std::string word = args.take();
    if (is_help(word)) return std::nullopt;
    if (word == "--qos") {
      o.qos = static_cast<std::uint8_t>(parse_unsigned(args.value_of(word), "--qos", 0, 2));
    } else if (word == "--retain") {
      o.retain = true;
    } else if (word == "-v" || word == "--verbose") {
      o.verbose = true;
    } else if (word.size() > 1 && word.front() == '-') {
      throw usage_error("produce: unknown option \"" + word + "\" (see produce --help)");
    } else {
      positional.push_back(word);
    }
  }
  if (positional.empty()) throw usage_error("produce: TOPIC is missing (see produce --help)");
  if (positional.size() > 2)
    throw usage_error("produce: unexpected argument \"" + positional[2] + "\" (quote a MESSAGE with spaces)");
  o.topic = parse_topic(positional[0], "produce: TOPIC");
  if (positional.size() == 2) o.message = positional[1];
  return o;
}

int run_produce(std::shared_ptr<client::node> node, const produce_options& options) {
  client::producer producer(std::move(node));
  std::deque<std::future<client::receipt>> pending;
  // get() rethrows a failed send; without -v the receipt itself is not needed.
  auto settle_oldest = [&] {
    const auto receipt = pending.front().get();
    pending.pop_front();
    if (options.verbose) report(receipt);
  };
  if (options.message) {
    pending.push_back(producer.send(make_message(options, *options.message)));
  } else {
    std::string line;
    while (std::getline(std::cin, line)) {
      pending.push_back(producer.send(make_message(options, std::move(line))));
      if (pending.size() > kMaxPendingReceipts) settle_oldest();
    }
    if (std::cin.bad()) throw client::error("cannot read stdin");
  }
  producer.flush();
  while (!pending.empty()) settle_oldest();
  return kExitOk;
}

}  // namespace unimq::ctl
