// Durability of the server-side state: produced messages (acknowledged after the commit) and a group's
// committed offsets survive kill -9 of unimqd.
#include <catch2/catch.hpp>

#include <algorithm>
#include <set>

#include "server_fixture.hpp"

using namespace unimq;
using namespace unimq::st;

TEST_CASE("restart: produced messages and committed offsets survive kill -9", "[server][durability]") {
  auto broker = start_node_broker(3, true);
  const std::string topic = it::unique("rs");
  constexpr int kMessages = 100;
  std::set<int> first;
  {
    auto node = connect(*broker);
    {
      client::producer p(node);
      for (int i = 0; i < kMessages; ++i) p.send(numbered(topic + "/" + std::to_string(i % 5), i));
      p.flush();
    }
    client::consumer_options o{"g", topic, client::start_position::oldest()};
    o.max_poll_messages = 10;
    client::consumer c(node, o);
    for (int s : sequence_numbers(poll_count(c, 40))) first.insert(s);
    c.commit();
    broker->kill9();
    // The dropped link is an error for the consumer and the producer; destructors do not hang on it.
    // (Polls may first return messages fetched before the link dropped.)
    CHECK_THROWS_WITH(poll_until(c, [](const auto&) { return false; }, std::chrono::seconds(10)),
                      Catch::Contains("lost the link"));
    client::producer p(node);
    auto receipt = p.send(numbered(topic + "/late", 1));
    CHECK_THROWS_AS(p.flush(), client::error);
    CHECK_THROWS_AS(receipt.get(), client::error);
  }
  broker->start();
  auto node = connect(*broker);
  {
    client::consumer c(node, {"g", topic, client::start_position::oldest()});
    std::set<int> rest;
    for (int s : sequence_numbers(poll_count(c, kMessages - first.size()))) {
      CHECK(first.count(s) == 0);
      rest.insert(s);
    }
    CHECK(first.size() + rest.size() == static_cast<std::size_t>(kMessages));
    CHECK(c.poll(std::chrono::milliseconds(200)).empty());
  }
  client::consumer all(node, {"other", topic, client::start_position::oldest()});
  CHECK(poll_count(all, kMessages).size() == static_cast<std::size_t>(kMessages));
}
