// Where a group starts: oldest, newest, an offset (clamped to the partition's end), a timestamp, and
// `reset` replaying over committed offsets; a member that closes commits, and the next one resumes
// right after. One partition, so offsets are send order.
#include <catch2/catch.hpp>

#include "server_fixture.hpp"

using namespace unimq;
using namespace unimq::st;

namespace {

// Sends seq from..to-1 to `topic`/x and waits for the commit.
void produce(const std::shared_ptr<client::node>& node, const std::string& topic, int from, int to) {
  client::producer producer(node);
  for (int i = from; i < to; ++i) producer.send(numbered(topic + "/x", i));
  producer.flush();
}

std::vector<int> range(int from, int to) {
  std::vector<int> out;
  for (int i = from; i < to; ++i) out.push_back(i);
  return out;
}

client::consumer_options group(const std::string& name, const std::string& topic, client::start_position from) {
  client::consumer_options o;
  o.group = name;
  o.topic = topic;
  o.from = from;
  return o;
}

}  // namespace

TEST_CASE("start positions: oldest, newest, offset, offset past the end", "[server]") {
  auto broker = start_node_broker(1);
  auto node = connect(*broker);
  const std::string topic = it::unique("sp");
  produce(node, topic, 0, 10);

  client::consumer oldest(node, group("oldest", topic, client::start_position::oldest()));
  CHECK(sequence_numbers(poll_count(oldest, 10)) == range(0, 10));

  client::consumer newest(node, group("newest", topic, client::start_position::newest()));
  client::consumer at4(node, group("at4", topic, client::start_position::at_offset(4)));
  // Past the end clamps to the end: the member waits for new messages.
  client::consumer beyond(node, group("beyond", topic, client::start_position::at_offset(1000)));
  CHECK(sequence_numbers(poll_count(at4, 6)) == range(4, 10));
  CHECK(newest.poll(std::chrono::milliseconds(300)).empty());
  CHECK(beyond.poll(std::chrono::milliseconds(10)).empty());

  produce(node, topic, 10, 15);
  CHECK(sequence_numbers(poll_count(newest, 5)) == range(10, 15));
  CHECK(sequence_numbers(poll_count(beyond, 5)) == range(10, 15));
  CHECK(sequence_numbers(poll_count(oldest, 5)) == range(10, 15));
}

TEST_CASE("start positions: a timestamp replays what was stored from then on", "[server]") {
  auto broker = start_node_broker(1);
  auto node = connect(*broker);
  const std::string topic = it::unique("ts");
  produce(node, topic, 0, 5);
  // Everything so far was stored at or before `flushed`; what follows is stored after `from`.
  const auto flushed = now_ms();
  while (now_ms() <= flushed) {
  }
  const auto from = now_ms();
  produce(node, topic, 5, 9);

  client::consumer c(node, group("ts", topic, client::start_position::at_time(from)));
  const auto got = poll_count(c, 4);
  CHECK(sequence_numbers(got) == range(5, 9));
  for (const auto& m : got) CHECK(m.timestamp_ms >= from);
  CHECK(c.poll(std::chrono::milliseconds(200)).empty());
}

TEST_CASE("committed offsets: a new member resumes after what the closed one committed, and reset replays", "[server]") {
  auto broker = start_node_broker(1);
  auto node = connect(*broker);
  const std::string topic = it::unique("cm");
  produce(node, topic, 0, 20);

  std::vector<int> first;
  {
    auto o = group("g", topic, client::start_position::oldest());
    o.max_poll_messages = 3;
    client::consumer c(node, o);
    first = sequence_numbers(poll_count(c, 7));
    REQUIRE(first.size() >= 7);
  }  // closes: commits everything it returned
  {
    client::consumer c(node, group("g", topic, client::start_position::oldest()));
    const auto n = static_cast<int>(first.size());
    CHECK(first == range(0, n));
    CHECK(sequence_numbers(poll_count(c, 20 - first.size())) == range(n, 20));
    CHECK(c.poll(std::chrono::milliseconds(200)).empty());
  }
  {
    // reset: the start position replaces the committed offsets.
    client::consumer c(node, group("g", topic, client::start_position::at_offset(2)));
    CHECK(sequence_numbers(poll_count(c, 18)) == range(2, 20));
  }
  {
    // ...and what the replaying member committed stands for the next one.
    client::consumer c(node, group("g", topic, client::start_position::oldest()));
    CHECK(c.poll(std::chrono::milliseconds(300)).empty());
  }
}

TEST_CASE("committed offsets: explicit commit() is durable before it returns, per group", "[server]") {
  auto broker = start_node_broker(1);
  auto node = connect(*broker);
  const std::string topic = it::unique("ec");
  produce(node, topic, 0, 4);
  client::consumer a(node, group("a", topic, client::start_position::oldest()));
  CHECK(poll_count(a, 4).size() == 4);
  a.commit();
  // Another group is independent of group a's offsets.
  client::consumer b(node, group("b", topic, client::start_position::oldest()));
  CHECK(sequence_numbers(poll_count(b, 4)) == range(0, 4));
}
