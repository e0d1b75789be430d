#include "consume.hpp"

#include <algorithm>
#include <atomic>
#include <csignal>
#include <iostream>

#include "escape.hpp"

namespace unimq::ctl {
namespace {

// The longest single poll: how soon SIGINT/SIGTERM is noticed.
constexpr std::chrono::milliseconds kPollSlice{200};
constexpr std::size_t kMaxPollMessages = 4096;
// --timeout's upper bound: a day, far beyond any script's need, far below overflow.
constexpr std::uint64_t kMaxTimeoutSeconds = 86400;

std::atomic<bool> g_stop{false};
extern "C" void request_stop(int) { g_stop = true; }

void print(const client::message& m) {
  std::cout << m.partition << '\t' << m.offset << '\t' << escape(m.topic) << '\t' << escape(m.payload) << '\n';
}

// A member that never receives more than `limit` messages from one poll. poll() and the destructor
// commit everything a poll returned, so asking for more than --count still needs would lose the
// surplus for the group; when fewer remain than the member's poll size, it leaves (committing what
// was printed) and a smaller one joins. A rejoin keeps the committed offsets: no reset.
class bounded_member {
 public:
  bounded_member(std::shared_ptr<client::node> node, client::consumer_options options)
      : _node(std::move(node)), _options(std::move(options)) {}

  std::vector<client::message> poll(std::chrono::milliseconds timeout, std::uint64_t limit) {
    if (!_member || limit < _options.max_poll_messages) {
      if (_member) {
        _member.reset();
        _options.from.reset = false;
      }
      _options.max_poll_messages = std::min<std::uint64_t>(limit, _options.max_poll_messages);
      _member.emplace(_node, _options);
    }
    return _member->poll(timeout);
  }

 private:
  std::shared_ptr<client::node> _node;
  client::consumer_options _options;
  std::optional<client::consumer> _member;  ///< joins at the first poll, when the first limit is known
};

}  // namespace

std::string consume_usage() {
  return "usage: unimqctl [--node HOST:PORT] consume --group G --topic FIRST [options]\n"
         "\n"
         "Joins consumer group G on the first-level topic FIRST (`sensors` covers sensors/a/b) and prints\n"
         "one line per message, committing what it printed:\n"
         "\n"
         "  PARTITION<TAB>OFFSET<TAB>TOPIC<TAB>PAYLOAD\n"
         "\n"
         "TOPIC and PAYLOAD are escaped: printable ASCII stays, a backslash is \\\\, every other byte\n"
         "(tab, newline, UTF-8, binary) is \\xHH. Runs until --count, --timeout, SIGINT or SIGTERM.\n"
         "\n"
         "  --group G         consumer group; its members share FIRST's partitions\n"
         "  --topic FIRST     first-level topic\n"
         "  --from WHERE      where to start: newest (default) or oldest for partitions the group has\n"
         "                    not committed yet; OFFSET (in every partition) or @TIMESTAMP_MS (ms since\n"
         "                    the Unix epoch) restart the group there, replacing its committed offsets\n"
         "  --count N         exit 0 after N messages\n"
         "  --timeout S       exit after S seconds without a message: 0 if no --count was given, else\n"
         "                    1 (fewer than N messages came)\n";
}

std::optional<consume_options> parse_consume(argument_list& args) {
  consume_options o;
  while (!args.empty()) {
    const std::string word = args.take();
    if (is_help(word)) return std::nullopt;
    if (word == "--group") {
      o.group = args.value_of(word);
    } else if (word == "--topic") {
      o.topic = parse_topic(args.value_of(word), "consume: --topic");
    } else if (word == "--from") {
      o.from = parse_start(args.value_of(word));
    } else if (word == "--count") {
      o.count = parse_unsigned(args.value_of(word), "--count", 1, UINT64_MAX);
    } else if (word == "--timeout") {
      o.timeout = std::chrono::seconds(parse_unsigned(args.value_of(word), "--timeout", 0, kMaxTimeoutSeconds));
    } else if (word.size() > 1 && word.front() == '-') {
      throw usage_error("consume: unknown option \"" + word + "\" (see consume --help)");
    } else {
      throw usage_error("consume: unexpected argument \"" + word + "\" (see consume --help)");
    }
  }
  if (o.group.empty()) throw usage_error("consume: --group is missing (see consume --help)");
  if (o.topic.empty()) throw usage_error("consume: --topic is missing (see consume --help)");
  if (o.topic.find('/') != std::string::npos)
    throw usage_error("consume: --topic \"" + o.topic + "\" is not a first-level topic (no '/')");
  return o;
}

int run_consume(std::shared_ptr<client::node> node, const consume_options& options) {
  std::signal(SIGINT, request_stop);
  std::signal(SIGTERM, request_stop);
  client::consumer_options member_options;
  member_options.group = options.group;
  member_options.topic = options.topic;
  member_options.from = options.from;
  member_options.max_poll_messages = kMaxPollMessages;
  bounded_member member(std::move(node), member_options);

  using clock = std::chrono::steady_clock;
  std::uint64_t printed = 0;
  auto last_message = clock::now();
  while (!g_stop && (!options.count || printed < *options.count)) {
    const std::uint64_t limit = options.count ? std::min<std::uint64_t>(*options.count - printed, kMaxPollMessages)
                                              : kMaxPollMessages;
    const auto batch = member.poll(kPollSlice, limit);
    for (const auto& m : batch) print(m);
    std::cout.flush();
    printed += batch.size();
    if (!batch.empty()) {
      last_message = clock::now();
    } else if (options.timeout && clock::now() - last_message >= *options.timeout) {
      if (!options.count) return kExitOk;
      std::cerr << "unimqctl: consume: timed out with " << printed << " of " << *options.count << " messages\n";
      return kExitFailure;
    }
  }
  return kExitOk;
}

}  // namespace unimq::ctl
