// unimqctl, the real binary against a real unimqd: produce from stdin and argv, consume with
// --count/--timeout, the output format and its escaping, exit statuses and error lines.
#include <catch2/catch.hpp>

#include <sstream>

#include "command_run.hpp"
#include "mqtt_client.hpp"
#include "server_fixture.hpp"

#ifndef UNIMQCTL_PATH
#define UNIMQCTL_PATH "unimqctl"
#endif

using namespace unimq::it;

namespace {

command_result ctl(const std::vector<std::string>& args, const std::string& input = "") {
  std::vector<std::string> argv{UNIMQCTL_PATH};
  argv.insert(argv.end(), args.begin(), args.end());
  return run_command(argv, input);
}

command_result ctl(const broker_process& node, std::vector<std::string> args, const std::string& input = "") {
  args.insert(args.begin(), {"--node", node.host() + ":" + std::to_string(node.node_port())});
  return ctl(args, input);
}

std::vector<std::string> lines(const std::string& text) {
  std::vector<std::string> r;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) r.push_back(line);
  return r;
}

// One consumed line: PARTITION, OFFSET, TOPIC, PAYLOAD.
std::vector<std::string> fields(const std::string& line) {
  std::vector<std::string> r;
  std::size_t start = 0;
  for (std::size_t tab; (tab = line.find('\t', start)) != std::string::npos; start = tab + 1)
    r.push_back(line.substr(start, tab - start));
  r.push_back(line.substr(start));
  return r;
}

std::vector<std::string> payloads(const std::string& out) {
  std::vector<std::string> r;
  for (const auto& line : lines(out)) r.push_back(fields(line).at(3));
  return r;
}

// The one line a failing unimqctl writes to stderr.
bool one_error_line(const command_result& r, const std::string& start) {
  return r.err.rfind("unimqctl: " + start, 0) == 0 && lines(r.err).size() == 1;
}

}  // namespace

TEST_CASE("unimqctl: lines of stdin are produced and consumed back in order, escaped", "[unimqctl]") {
  const auto broker = unimq::st::start_node_broker();
  const auto& node = *broker;
  const std::string input = "first\nwith\ttab and \\ backslash\n\xc3\xa9t\xc3\xa9\n\nlast";
  const auto produced = ctl(node, {"produce", "cli/a/b"}, input);
  INFO(produced.err);
  REQUIRE(produced.status == 0);
  CHECK(produced.out.empty());

  const auto consumed = ctl(node, {"consume", "--group", "g", "--topic", "cli", "--from", "oldest", "--count", "5"});
  INFO(consumed.err);
  REQUIRE(consumed.status == 0);
  const auto got = lines(consumed.out);
  REQUIRE(got.size() == 5);
  CHECK(payloads(consumed.out) == std::vector<std::string>{"first", "with\\x09tab and \\\\ backslash",
                                                            "\\xc3\\xa9t\\xc3\\xa9", "", "last"});
  // One producer, one topic: one partition, consecutive offsets.
  const auto first = fields(got[0]);
  REQUIRE(first.size() == 4);
  CHECK(first[2] == "cli/a/b");
  for (std::size_t i = 0; i < got.size(); ++i) {
    const auto f = fields(got[i]);
    CHECK(f[0] == first[0]);
    CHECK(std::stoull(f[1]) == std::stoull(first[1]) + i);
  }
}

TEST_CASE("unimqctl: produce -v prints where each message went, MESSAGE from argv", "[unimqctl]") {
  const auto broker = unimq::st::start_node_broker();
  const auto& node = *broker;
  const auto one = ctl(node, {"produce", "-v", "cli/x", "hello world"});
  REQUIRE(one.status == 0);
  const auto receipt = lines(one.out);
  REQUIRE(receipt.size() == 1);
  const auto f = fields(receipt[0]);
  REQUIRE(f.size() == 2);

  const auto consumed = ctl(node, {"consume", "--group", "g", "--topic", "cli", "--from", "oldest", "--count", "1"});
  REQUIRE(consumed.status == 0);
  CHECK(consumed.out == f[0] + "\t" + f[1] + "\tcli/x\thello world\n");
}

TEST_CASE("unimqctl: --count stops without losing the rest for the group", "[unimqctl]") {
  const auto broker = unimq::st::start_node_broker();
  const auto& node = *broker;
  REQUIRE(ctl(node, {"produce", "cli/t"}, "1\n2\n3\n4\n5\n").status == 0);
  const std::vector<std::string> group{"consume", "--group", "g", "--topic", "cli", "--from", "oldest"};
  auto with = [&](std::vector<std::string> extra) {
    auto args = group;
    args.insert(args.end(), extra.begin(), extra.end());
    return ctl(node, args);
  };
  const auto first = with({"--count", "2"});
  REQUIRE(first.status == 0);
  CHECK(payloads(first.out) == std::vector<std::string>{"1", "2"});
  // The group committed exactly what was printed: a member resumes at 3 (no reset with oldest).
  const auto rest = with({"--count", "3"});
  REQUIRE(rest.status == 0);
  CHECK(payloads(rest.out) == std::vector<std::string>{"3", "4", "5"});
  // Nothing left: --timeout ends the wait; without --count that is success...
  const auto idle = with({"--timeout", "1"});
  CHECK(idle.status == 0);
  CHECK(idle.out.empty());
  // ...with a --count not reached it is a failure.
  const auto short_of = with({"--count", "1", "--timeout", "1"});
  CHECK(short_of.status == 1);
  CHECK(one_error_line(short_of, "consume: timed out with 0 of 1 messages"));
}

TEST_CASE("unimqctl: --from OFFSET replays the group from there", "[unimqctl]") {
  const auto broker = unimq::st::start_node_broker();
  const auto& node = *broker;
  REQUIRE(ctl(node, {"produce", "cli/t"}, "a\nb\nc\n").status == 0);
  const auto all = ctl(node, {"consume", "--group", "g", "--topic", "cli", "--from", "oldest", "--count", "3"});
  REQUIRE(all.status == 0);
  const auto second = fields(lines(all.out).at(1));
  const auto replay =
      ctl(node, {"consume", "--group", "g", "--topic", "cli", "--from", second[1], "--count", "2", "--timeout", "5"});
  INFO(replay.err);
  REQUIRE(replay.status == 0);
  CHECK(payloads(replay.out) == std::vector<std::string>{"b", "c"});
}

TEST_CASE("unimqctl: an unreachable node is exit status 1 with one line naming it", "[unimqctl]") {
  const std::string address = "127.0.0.1:" + std::to_string(free_loopback_port());
  const auto produce = ctl({"--node", address, "produce", "t/x", "m"});
  CHECK(produce.status == 1);
  CHECK(one_error_line(produce, "cannot reach node " + address + ": "));
  const auto consume = ctl({"--node", address, "consume", "--group", "g", "--topic", "t"});
  CHECK(consume.status == 1);
  CHECK(one_error_line(consume, "cannot reach node " + address + ": "));
}

TEST_CASE("unimqctl: usage errors are exit status 2 with one line, --help is 0", "[unimqctl]") {
  // None of these gets as far as connecting (no node runs on the default port in the test).
  const std::vector<std::pair<std::vector<std::string>, std::string>> bad = {
      {{}, "no command"},
      {{"frobnicate"}, "unknown command \"frobnicate\""},
      {{"--nod", "x"}, "unknown option \"--nod\""},
      {{"--node", "localhost"}, "--node \"localhost\" is not HOST:PORT"},
      {{"--node", "localhost:99999", "produce", "t", "m"}, "--node \"localhost:99999\": the port must be a number"},
      {{"--node"}, "--node needs a value"},
      {{"produce"}, "produce: TOPIC is missing"},
      {{"produce", "t", "m", "extra"}, "produce: unexpected argument \"extra\""},
      {{"produce", "--qos", "3", "t"}, "--qos \"3\" is out of range"},
      {{"produce", "a/+/b", "m"}, "produce: TOPIC \"a/+/b\" is not a valid topic: "},
      {{"produce", "", "m"}, "produce: TOPIC \"\" is not a valid topic: "},
      {{"consume", "--topic", "t"}, "consume: --group is missing"},
      {{"consume", "--group", "g"}, "consume: --topic is missing"},
      {{"consume", "--group", "g", "--topic", "a/b"}, "consume: --topic \"a/b\" is not a first-level topic"},
      {{"consume", "--group", "g", "--topic", "#"}, "consume: --topic \"#\" is not a valid topic: "},
      {{"consume", "--group", "g", "--topic", "t", "--from", "sideways"}, "--from \"sideways\" is not oldest"},
      {{"consume", "--group", "g", "--topic", "t", "--count", "0"}, "--count \"0\" is out of range"},
      {{"consume", "--group", "g", "--topic", "t", "--timeout", "soon"}, "--timeout \"soon\" is not a number"},
  };
  for (const auto& [args, message] : bad) {
    const auto r = ctl(args);
    INFO(r.err);
    CHECK(r.status == 2);
    CHECK(one_error_line(r, message));
  }
  for (const auto& args : std::vector<std::vector<std::string>>{{"--help"}, {"produce", "--help"}, {"consume", "-h"}}) {
    const auto r = ctl(args);
    CHECK(r.status == 0);
    CHECK(r.out.rfind("usage: unimqctl", 0) == 0);
  }
}
