// The trie must report exactly the subscribers whose filters match, per the topic rules.
#include <catch2/catch.hpp>

#include <algorithm>
#include <random>

#include "actors/subscription_trie.hpp"
#include "protocol/topic.hpp"

using unimq::actors::subscription_trie;

namespace {

std::vector<subscription_trie::id> matches(const subscription_trie& t, std::string_view topic) {
  std::vector<subscription_trie::id> out;
  t.match(topic, [&](subscription_trie::id id) { out.push_back(id); });
  std::sort(out.begin(), out.end());
  return out;
}

using ids = std::vector<subscription_trie::id>;

}  // namespace

TEST_CASE("trie matches literal, + and # filters") {
  subscription_trie t;
  t.insert("a/b/c", 1);
  t.insert("a/+/c", 2);
  t.insert("a/#", 3);
  t.insert("#", 4);
  t.insert("+/+", 5);
  t.insert("a/b/c/d", 6);
  CHECK(matches(t, "a/b/c") == ids{1, 2, 3, 4});
  CHECK(matches(t, "a/x/c") == ids{2, 3, 4});
  CHECK(matches(t, "a") == ids{3, 4});  // `#` matches the parent level
  CHECK(matches(t, "a/b") == ids{3, 4, 5});
  CHECK(matches(t, "b/c") == ids{4, 5});
  CHECK(matches(t, "a/b/c/d") == ids{3, 4, 6});
  CHECK(t.size() == 6);
}

TEST_CASE("trie keeps $ topics away from leading wildcards") {
  subscription_trie t;
  t.insert("#", 1);
  t.insert("+/broker/uptime", 2);
  t.insert("$SYS/#", 3);
  t.insert("$SYS/broker/+", 4);
  CHECK(matches(t, "$SYS/broker/uptime") == ids{3, 4});
  CHECK(matches(t, "x/broker/uptime") == ids{1, 2});
}

TEST_CASE("trie handles empty levels") {
  subscription_trie t;
  t.insert("/a", 1);
  t.insert("+/a", 2);
  t.insert("a//b", 3);
  t.insert("a/+/b", 4);
  CHECK(matches(t, "/a") == ids{1, 2});
  CHECK(matches(t, "a//b") == ids{3, 4});
}

TEST_CASE("trie erase removes one subscriber and prunes empty nodes") {
  subscription_trie t;
  t.insert("a/+/c", 1);
  t.insert("a/+/c", 2);
  t.insert("a/+/c", 2);  // a repeat keeps one entry
  CHECK(t.size() == 2);
  CHECK(t.erase("a/+/c", 1));
  CHECK_FALSE(t.erase("a/+/c", 1));
  CHECK_FALSE(t.erase("a/b/c", 2));
  CHECK(matches(t, "a/b/c") == ids{2});
  CHECK(t.erase("a/+/c", 2));
  CHECK(t.size() == 0);
  CHECK(matches(t, "a/b/c").empty());
}

TEST_CASE("trie agrees with topic_matches on random filters and topics", "[random]") {
  std::mt19937 rng(7);
  const char* levels[] = {"a", "b", "", "$x", "c"};
  auto topic = [&] {
    std::string s;
    const int n = 1 + static_cast<int>(rng() % 4);
    for (int i = 0; i < n; ++i) s += (i ? "/" : "") + std::string(levels[rng() % 5]);
    return s;
  };
  auto filter = [&] {
    std::string s;
    const int n = 1 + static_cast<int>(rng() % 4);
    for (int i = 0; i < n; ++i) {
      const auto r = rng() % 7;
      std::string level = r == 5 ? "+" : r == 6 && i == n - 1 ? "#" : levels[r % 5];
      s += (i ? "/" : "") + level;
    }
    return s;
  };
  subscription_trie t;
  std::vector<std::string> filters;
  while (filters.size() < 200) {
    auto f = filter();
    if (f.empty()) continue;  // not a valid filter [MQTT-4.7.3-1]
    t.insert(f, filters.size());
    filters.push_back(std::move(f));
  }
  for (int i = 0; i < 2000; ++i) {
    const auto name = topic();
    if (name.empty()) continue;  // not a valid topic name [MQTT-4.7.3-1]
    ids expected;
    for (subscription_trie::id id = 0; id < filters.size(); ++id)
      if (unimq::mqtt::topic_matches(filters[id], name)) expected.push_back(id);
    INFO(name);
    CHECK(matches(t, name) == expected);
  }
}
