#include "protocol/topic.hpp"

#include <catch2/catch.hpp>

#include <cstring>
#include <optional>
#include <random>
#include <string>
#include <string_view>
#include <vector>

using namespace std::string_view_literals;
using unimq::mqtt::topic_error;

namespace mqtt = unimq::mqtt;

namespace {

struct validity_case {
  std::string_view topic;
  topic_error expected;
};

struct match_case {
  std::string_view filter;
  std::string_view name;
  bool expected;
};

std::vector<std::string> split_levels(std::string_view s) {
  std::vector<std::string> levels;
  std::size_t start = 0;
  for (;;) {
    const std::size_t slash = s.find('/', start);
    if (slash == std::string_view::npos) {
      levels.emplace_back(s.substr(start));
      return levels;
    }
    levels.emplace_back(s.substr(start, slash - start));
    start = slash + 1;
  }
}

// Straightforward level-by-level matcher used as the oracle for topic_matches.
bool reference_matches(std::string_view filter, std::string_view name) {
  if (name[0] == '$' && (filter[0] == '+' || filter[0] == '#')) return false;
  const std::vector<std::string> f = split_levels(filter);
  const std::vector<std::string> n = split_levels(name);
  for (std::size_t i = 0; i < f.size(); ++i) {
    if (f[i] == "#") return true;  // also when i == n.size(): `#` matches the parent level
    if (i >= n.size()) return false;
    if (f[i] != "+" && f[i] != n[i]) return false;
  }
  return f.size() == n.size();
}

}  // namespace

TEST_CASE("validate_topic_name accepts valid names", "[topic]") {
  const std::string_view names[] = {
      "a"sv,   "a/b/c"sv, "/"sv,       "//"sv,          "/a"sv,        "a/"sv,     "a//b"sv,
      " "sv,   "$SYS"sv,  "$SYS/x"sv,  "$share/g/a"sv,  "sport/tennis/player1"sv,
      "\xc3\xa9t\xc3\xa9/caf\xc3\xa9"sv,  // UTF-8
      "a b/c-d_e.f"sv,
  };
  for (const std::string_view name : names) {
    CAPTURE(name);
    CHECK(mqtt::validate_topic_name(name) == topic_error::none);
  }
}

TEST_CASE("validate_topic_name rejects invalid names with the exact error", "[topic]") {
  const validity_case cases[] = {
      {""sv, topic_error::empty},
      {"\0"sv, topic_error::null_character},
      {"a\0b"sv, topic_error::null_character},
      {"a/b\0"sv, topic_error::null_character},
      {"+"sv, topic_error::wildcard_in_name},
      {"#"sv, topic_error::wildcard_in_name},
      {"a/+"sv, topic_error::wildcard_in_name},
      {"a/#"sv, topic_error::wildcard_in_name},
      {"a+b"sv, topic_error::wildcard_in_name},
      {"a#b"sv, topic_error::wildcard_in_name},
      {"+/a"sv, topic_error::wildcard_in_name},
      {"$share/g/+"sv, topic_error::wildcard_in_name},
      // NUL is reported ahead of a wildcard even when it comes later in the string.
      {"+/\0"sv, topic_error::null_character},
  };
  for (const auto& c : cases) {
    CAPTURE(c.topic);
    CHECK(mqtt::validate_topic_name(c.topic) == c.expected);
  }
}

TEST_CASE("topic length limit is 65535 bytes", "[topic]") {
  const std::string at_limit(65535, 'a');
  const std::string over_limit(65536, 'a');
  std::string filter_at_limit(65533, 'a');
  filter_at_limit += "/#";
  std::string filter_over_limit(65534, 'a');
  filter_over_limit += "/#";
  REQUIRE(filter_at_limit.size() == 65535);
  REQUIRE(filter_over_limit.size() == 65536);

  CHECK(mqtt::validate_topic_name(at_limit) == topic_error::none);
  CHECK(mqtt::validate_topic_name(over_limit) == topic_error::too_long);
  CHECK(mqtt::validate_topic_filter(at_limit) == topic_error::none);
  CHECK(mqtt::validate_topic_filter(over_limit) == topic_error::too_long);
  CHECK(mqtt::validate_topic_filter(filter_at_limit) == topic_error::none);
  CHECK(mqtt::validate_topic_filter(filter_over_limit) == topic_error::too_long);

  // Length is checked before content.
  std::string long_with_nul(70000, 'a');
  long_with_nul[5] = '\0';
  CHECK(mqtt::validate_topic_name(long_with_nul) == topic_error::too_long);

  const std::string shared_over_limit = "$share/g/" + std::string(65536 - 9, 'a');
  REQUIRE(shared_over_limit.size() == 65536);
  CHECK(mqtt::validate_topic_filter(shared_over_limit) == topic_error::too_long);
  CHECK_FALSE(mqtt::parse_shared_filter(shared_over_limit).has_value());
}

TEST_CASE("validate_topic_filter accepts valid filters", "[topic]") {
  const std::string_view filters[] = {
      "a"sv,      "a/b/c"sv,   "/"sv,        "//"sv,      "/a"sv,         "a/"sv,
      "a//b"sv,   "#"sv,       "+"sv,        "a/#"sv,     "a/+"sv,        "a/+/b"sv,
      "+/+"sv,    "+/#"sv,     "/#"sv,       "/+"sv,      "+/"sv,         "a//#"sv,
      "+/+/#"sv,  "$SYS"sv,    "$SYS/#"sv,   "$SYS/+"sv,  "$"sv,          "$share"sv,
      "$sharex/g/a"sv, "$SHARE/g"sv, "sport/tennis/player1/#"sv, "sport/+/player1"sv,
  };
  for (const std::string_view filter : filters) {
    CAPTURE(filter);
    CHECK(mqtt::validate_topic_filter(filter) == topic_error::none);
  }
}

TEST_CASE("validate_topic_filter rejects invalid filters with the exact error", "[topic]") {
  const validity_case cases[] = {
      {""sv, topic_error::empty},
      {"\0"sv, topic_error::null_character},
      {"a/\0/#"sv, topic_error::null_character},
      {"a/#\0"sv, topic_error::null_character},
      // `#` must be the whole last level.
      {"a#"sv, topic_error::misplaced_multi_level},
      {"#a"sv, topic_error::misplaced_multi_level},
      {"a/#/b"sv, topic_error::misplaced_multi_level},
      {"#/"sv, topic_error::misplaced_multi_level},
      {"#/a"sv, topic_error::misplaced_multi_level},
      {"##"sv, topic_error::misplaced_multi_level},
      {"a/b#"sv, topic_error::misplaced_multi_level},
      {"sport/tennis#"sv, topic_error::misplaced_multi_level},
      {"#+"sv, topic_error::misplaced_multi_level},
      // `+` must be a whole level.
      {"a+"sv, topic_error::misplaced_single_level},
      {"+a"sv, topic_error::misplaced_single_level},
      {"a/+b/c"sv, topic_error::misplaced_single_level},
      {"a/b+"sv, topic_error::misplaced_single_level},
      {"++"sv, topic_error::misplaced_single_level},
      {"+#"sv, topic_error::misplaced_single_level},
      {"sport+"sv, topic_error::misplaced_single_level},
      // The first misplaced wildcard decides.
      {"a+/#/b"sv, topic_error::misplaced_single_level},
      {"a#/+b"sv, topic_error::misplaced_multi_level},
  };
  for (const auto& c : cases) {
    CAPTURE(c.topic);
    CHECK(mqtt::validate_topic_filter(c.topic) == c.expected);
  }
}

TEST_CASE("max_levels counts levels separated by '/'", "[topic]") {
  SECTION("names") {
    CHECK(mqtt::validate_topic_name("a/b/c", 3) == topic_error::none);
    CHECK(mqtt::validate_topic_name("a/b/c", 2) == topic_error::too_many_levels);
    CHECK(mqtt::validate_topic_name("a/b/c", 1) == topic_error::too_many_levels);
    CHECK(mqtt::validate_topic_name("a/b/c", 0) == topic_error::none);
    CHECK(mqtt::validate_topic_name("a", 1) == topic_error::none);
    CHECK(mqtt::validate_topic_name("/a", 2) == topic_error::none);
    CHECK(mqtt::validate_topic_name("/a", 1) == topic_error::too_many_levels);
    CHECK(mqtt::validate_topic_name("a/", 1) == topic_error::too_many_levels);
    CHECK(mqtt::validate_topic_name("/", 2) == topic_error::none);
    CHECK(mqtt::validate_topic_name("/", 1) == topic_error::too_many_levels);
    CHECK(mqtt::validate_topic_name("a//b", 3) == topic_error::none);
    CHECK(mqtt::validate_topic_name("a//b", 2) == topic_error::too_many_levels);
  }
  SECTION("filters count wildcard levels too") {
    CHECK(mqtt::validate_topic_filter("a/+/#", 3) == topic_error::none);
    CHECK(mqtt::validate_topic_filter("a/+/#", 2) == topic_error::too_many_levels);
    CHECK(mqtt::validate_topic_filter("#", 1) == topic_error::none);
    CHECK(mqtt::validate_topic_filter("/#", 1) == topic_error::too_many_levels);
    CHECK(mqtt::validate_topic_filter("a/b/c/d", 0) == topic_error::none);
  }
  SECTION("spec violations are reported ahead of the level limit") {
    CHECK(mqtt::validate_topic_name("a/b/+", 1) == topic_error::wildcard_in_name);
    CHECK(mqtt::validate_topic_filter("a/b/c+", 1) == topic_error::misplaced_single_level);
    CHECK(mqtt::validate_topic_filter("a/b/#/c", 1) == topic_error::misplaced_multi_level);
  }
  SECTION("for a shared subscription the limit applies to the inner filter") {
    CHECK(mqtt::validate_topic_filter("$share/g/a/b", 2) == topic_error::none);
    CHECK(mqtt::validate_topic_filter("$share/g/a/b", 1) == topic_error::too_many_levels);
    CHECK(mqtt::validate_topic_filter("$share/g/#", 1) == topic_error::none);
  }
}

TEST_CASE("shared subscription filters", "[topic][share]") {
  SECTION("valid shares parse into group and filter") {
    struct share_case {
      std::string_view filter;
      std::string_view group;
      std::string_view inner;
    };
    const share_case cases[] = {
        {"$share/g/a"sv, "g"sv, "a"sv},
        {"$share/consumer1/sport/tennis/+"sv, "consumer1"sv, "sport/tennis/+"sv},
        {"$share/g/#"sv, "g"sv, "#"sv},
        {"$share/g/+"sv, "g"sv, "+"sv},
        {"$share/g//"sv, "g"sv, "/"sv},
        {"$share/g//a"sv, "g"sv, "/a"sv},
        {"$share/g/$SYS/#"sv, "g"sv, "$SYS/#"sv},
        {"$share/$/a"sv, "$"sv, "a"sv},
        {"$share/a b.c-d/x"sv, "a b.c-d"sv, "x"sv},
        // The inner filter is an ordinary filter, which may itself start with `$share`.
        {"$share/g/$share/h/a"sv, "g"sv, "$share/h/a"sv},
    };
    for (const auto& c : cases) {
      CAPTURE(c.filter);
      CHECK(mqtt::validate_topic_filter(c.filter) == topic_error::none);
      const std::optional<mqtt::shared_filter> parsed = mqtt::parse_shared_filter(c.filter);
      REQUIRE(parsed.has_value());
      CHECK(parsed->group == c.group);
      CHECK(parsed->filter == c.inner);
      // The views point into the original string.
      CHECK(parsed->filter.data() + parsed->filter.size() == c.filter.data() + c.filter.size());
    }
  }

  SECTION("malformed shares are invalid_shared") {
    const std::string_view malformed[] = {
        "$share/"sv,      "$share//a"sv,   "$share/g"sv,   "$share/g/"sv,   "$share/+/a"sv,
        "$share/#/a"sv,   "$share/g+/a"sv, "$share/#"sv,   "$share/+"sv,    "$share/g#/a"sv,
        "$share//"sv,     "$share/ /"sv,
    };
    for (const std::string_view filter : malformed) {
      CAPTURE(filter);
      CHECK(mqtt::validate_topic_filter(filter) == topic_error::invalid_shared);
      CHECK_FALSE(mqtt::parse_shared_filter(filter).has_value());
    }
  }

  SECTION("an invalid inner filter reports the inner error") {
    const validity_case cases[] = {
        {"$share/g/a#"sv, topic_error::misplaced_multi_level},
        {"$share/g/#/a"sv, topic_error::misplaced_multi_level},
        {"$share/g/a+"sv, topic_error::misplaced_single_level},
        {"$share/g/a/+b"sv, topic_error::misplaced_single_level},
        {"$share/g/a\0"sv, topic_error::null_character},
        {"$share/g\0/a"sv, topic_error::null_character},
    };
    for (const auto& c : cases) {
      CAPTURE(c.topic);
      CHECK(mqtt::validate_topic_filter(c.topic) == c.expected);
      CHECK_FALSE(mqtt::parse_shared_filter(c.topic).has_value());
    }
  }

  SECTION("non-share filters are not parsed as shares") {
    const std::string_view ordinary[] = {
        "a/b"sv, "$share"sv, "$sharex/g/a"sv, "$SHARE/g/a"sv, "share/g/a"sv, "#"sv, "$SYS/#"sv, ""sv,
    };
    for (const std::string_view filter : ordinary) {
      CAPTURE(filter);
      CHECK_FALSE(mqtt::parse_shared_filter(filter).has_value());
    }
    CHECK(mqtt::validate_topic_filter("$share") == topic_error::none);
    CHECK(mqtt::validate_topic_filter("$sharex/g/a") == topic_error::none);
    CHECK(mqtt::validate_topic_filter("$sharex/+/#") == topic_error::none);
    CHECK(mqtt::validate_topic_filter("$sharex/g+") == topic_error::misplaced_single_level);
  }
}

TEST_CASE("topic_matches: table of filters and names", "[topic][match]") {
  const match_case cases[] = {
      // Exact levels.
      {"a"sv, "a"sv, true},
      {"a"sv, "b"sv, false},
      {"a/b/c"sv, "a/b/c"sv, true},
      {"a/b/c"sv, "a/b"sv, false},
      {"a/b"sv, "a/b/c"sv, false},
      {"a/b"sv, "a/bc"sv, false},
      {"a/bc"sv, "a/b"sv, false},
      {"ab"sv, "a"sv, false},
      {"a"sv, "ab"sv, false},
      {"a/b"sv, "a/B"sv, false},  // case-sensitive
      {"a/b"sv, "ab"sv, false},
      {"ab"sv, "a/b"sv, false},
      // Empty levels are levels.
      {"/a"sv, "/a"sv, true},
      {"/a"sv, "a"sv, false},
      {"a"sv, "/a"sv, false},
      {"a/"sv, "a/"sv, true},
      {"a/"sv, "a"sv, false},
      {"a"sv, "a/"sv, false},
      {"a//b"sv, "a//b"sv, true},
      {"a//b"sv, "a/b"sv, false},
      {"a/b"sv, "a//b"sv, false},
      {"/"sv, "/"sv, true},
      {"//"sv, "/"sv, false},
      // `#` matches any number of levels, including the parent.
      {"#"sv, "a"sv, true},
      {"#"sv, "a/b/c"sv, true},
      {"#"sv, "/"sv, true},
      {"#"sv, "/a"sv, true},
      {"a/#"sv, "a"sv, true},
      {"a/#"sv, "a/"sv, true},
      {"a/#"sv, "a/b"sv, true},
      {"a/#"sv, "a/b/c"sv, true},
      {"a/#"sv, "ab"sv, false},
      {"a/#"sv, "b"sv, false},
      {"a/#"sv, "b/a"sv, false},
      {"a/b/#"sv, "a"sv, false},
      {"a/b/#"sv, "a/b"sv, true},
      {"a/b/#"sv, "a/bc"sv, false},
      {"/#"sv, "/"sv, true},
      {"/#"sv, "/a/b"sv, true},
      {"/#"sv, "a"sv, false},
      {"a//#"sv, "a"sv, false},
      {"a//#"sv, "a/"sv, true},
      {"a//#"sv, "a//x"sv, true},
      {"sport/tennis/player1/#"sv, "sport/tennis/player1"sv, true},
      {"sport/tennis/player1/#"sv, "sport/tennis/player1/ranking"sv, true},
      {"sport/tennis/player1/#"sv, "sport/tennis/player1/score/wimbledon"sv, true},
      {"sport/#"sv, "sport"sv, true},
      // `+` matches exactly one level, which may be empty.
      {"+"sv, "a"sv, true},
      {"+"sv, "a/b"sv, false},
      {"+"sv, "/"sv, false},
      {"+"sv, "/finance"sv, false},
      {"+/+"sv, "/finance"sv, true},
      {"/+"sv, "/finance"sv, true},
      {"+/+"sv, "a/b"sv, true},
      {"+/+"sv, "a"sv, false},
      {"+/+"sv, "a/b/c"sv, false},
      {"+/+"sv, "/"sv, true},
      {"a/+"sv, "a/"sv, true},
      {"a/+"sv, "a"sv, false},
      {"a/+"sv, "a/b"sv, true},
      {"a/+"sv, "a/b/c"sv, false},
      {"a/+/c"sv, "a/b/c"sv, true},
      {"a/+/c"sv, "a//c"sv, true},
      {"a/+/c"sv, "a/b/d"sv, false},
      {"a/+/c"sv, "a/c"sv, false},
      {"+/b"sv, "/b"sv, true},
      {"+/b"sv, "b"sv, false},
      {"sport/tennis/+"sv, "sport/tennis/player1"sv, true},
      {"sport/tennis/+"sv, "sport/tennis/player1/ranking"sv, false},
      {"sport/+"sv, "sport"sv, false},
      {"sport/+"sv, "sport/"sv, true},
      {"+/tennis/#"sv, "sport/tennis"sv, true},
      {"+/tennis/#"sv, "sport/tennis/x/y"sv, true},
      {"+/tennis/#"sv, "sport/golf"sv, false},
      {"+/#"sv, "a"sv, true},
      {"+/#"sv, "/"sv, true},
      {"+/+/#"sv, "a"sv, false},
      {"+/+/#"sv, "a/b"sv, true},
      // `$` topics: not matched by a leading wildcard.
      {"#"sv, "$SYS"sv, false},
      {"#"sv, "$SYS/broker/load"sv, false},
      {"+"sv, "$SYS"sv, false},
      {"+/monitor/Clients"sv, "$SYS/monitor/Clients"sv, false},
      {"+/#"sv, "$SYS/x"sv, false},
      {"$SYS/#"sv, "$SYS"sv, true},
      {"$SYS/#"sv, "$SYS/broker/load"sv, true},
      {"$SYS/monitor/+"sv, "$SYS/monitor/Clients"sv, true},
      {"$SYS/+"sv, "$SYS/"sv, true},
      {"$SYS"sv, "$SYS"sv, true},
      {"$SYS/#"sv, "$SYS2/x"sv, false},
      {"$"sv, "$"sv, true},
      {"+"sv, "$"sv, false},
      {"a/#"sv, "a/$b"sv, true},  // `$` only matters at the start of the name
      {"a/+"sv, "a/$b"sv, true},
      {"#"sv, "a$"sv, true},
      {"+"sv, "a$"sv, true},
      {"#"sv, "/$SYS"sv, true},
  };
  for (const auto& c : cases) {
    CAPTURE(c.filter, c.name);
    REQUIRE(mqtt::validate_topic_filter(c.filter) == topic_error::none);
    REQUIRE(mqtt::validate_topic_name(c.name) == topic_error::none);
    CHECK(mqtt::topic_matches(c.filter, c.name) == c.expected);
    CHECK(reference_matches(c.filter, c.name) == c.expected);
  }
}

TEST_CASE("topic_matches never reads past either string", "[topic][match]") {
  // Views cut out of a longer buffer: the bytes after the view would change the answer if read.
  const std::string buffer = "a/b/c/d";
  const std::string_view name_ab = std::string_view(buffer).substr(0, 3);  // "a/b"
  const std::string_view filter_a = std::string_view(buffer).substr(0, 1);  // "a"
  CHECK(mqtt::topic_matches("a/b", name_ab));
  CHECK_FALSE(mqtt::topic_matches("a/b/c", name_ab));
  CHECK_FALSE(mqtt::topic_matches("a/+/c", name_ab));
  CHECK_FALSE(mqtt::topic_matches(filter_a, "a/b"));
  CHECK(mqtt::topic_matches(filter_a, "a"));
}

TEST_CASE("topic_matches agrees with a split-on-'/' reference on random topics", "[topic][match]") {
  // Small alphabets so that matches are common; `$` appears at level starts to exercise [MQTT-4.7.2-1].
  const std::string_view name_levels[] = {""sv, "a"sv, "b"sv, "ab"sv, "$"sv, "$SYS"sv, "a$"sv};
  const std::string_view filter_levels[] = {""sv, "a"sv, "b"sv, "ab"sv, "$SYS"sv, "+"sv, "+"sv};
  std::mt19937 rng(20240611);
  auto pick = [&rng](std::size_t n) { return std::uniform_int_distribution<std::size_t>(0, n - 1)(rng); };

  auto random_name = [&] {
    std::string s;
    const std::size_t levels = 1 + pick(5);
    for (std::size_t i = 0; i < levels; ++i) {
      if (i != 0) s += '/';
      s += name_levels[pick(std::size(name_levels))];
    }
    if (s.empty()) s = "a";
    return s;
  };
  auto random_filter = [&] {
    std::string s;
    const std::size_t levels = 1 + pick(5);
    for (std::size_t i = 0; i < levels; ++i) {
      if (i != 0) s += '/';
      if (i + 1 == levels && pick(3) == 0) {
        s += '#';
      } else {
        s += filter_levels[pick(std::size(filter_levels))];
      }
    }
    if (s.empty()) s = "+";
    return s;
  };

  std::size_t matched = 0;
  constexpr std::size_t iterations = 200000;
  for (std::size_t i = 0; i < iterations; ++i) {
    const std::string filter = random_filter();
    // Half the time derive the name from the filter so that matches are frequent.
    std::string name;
    if (pick(2) == 0) {
      for (const std::string& level : split_levels(filter)) {
        if (level == "#") {
          const std::size_t extra = pick(3);
          if (extra == 0 && !name.empty()) {
            name.pop_back();  // drop the '/' before `#`: the parent level
          }
          for (std::size_t k = 0; k < extra; ++k) {
            if (k != 0) name += '/';
            name += name_levels[pick(std::size(name_levels))];
          }
          name += '/';
        } else if (level == "+") {
          name += name_levels[pick(std::size(name_levels))];
          name += '/';
        } else {
          name += level;
          name += '/';
        }
      }
      name.pop_back();
      if (name.empty()) name = "a";
    } else {
      name = random_name();
    }
    if (mqtt::validate_topic_filter(filter) != topic_error::none ||
        mqtt::validate_topic_name(name) != topic_error::none) {
      FAIL("generator produced an invalid topic: filter '" << filter << "' name '" << name << "'");
    }
    const bool expected = reference_matches(filter, name);
    if (mqtt::topic_matches(filter, name) != expected) {
      FAIL("filter '" << filter << "' name '" << name << "' expected " << expected);
    }
    matched += expected ? 1 : 0;
  }
  // The generator must actually exercise both outcomes.
  CHECK(matched > iterations / 10);
  CHECK(matched < iterations - iterations / 10);
}

TEST_CASE("has_wildcards", "[topic]") {
  CHECK(mqtt::has_wildcards("+"));
  CHECK(mqtt::has_wildcards("#"));
  CHECK(mqtt::has_wildcards("a/+/b"));
  CHECK(mqtt::has_wildcards("a/#"));
  CHECK(mqtt::has_wildcards("$share/g/a/+"));
  CHECK_FALSE(mqtt::has_wildcards("a/b/c"));
  CHECK_FALSE(mqtt::has_wildcards("$SYS/x"));
  CHECK_FALSE(mqtt::has_wildcards("/"));
  CHECK_FALSE(mqtt::has_wildcards(""));
}

TEST_CASE("first_level", "[topic]") {
  struct first_level_case {
    std::string_view topic;
    std::string_view expected;
  };
  const first_level_case cases[] = {
      {"a/b/c"sv, "a"sv},     {"a"sv, "a"sv},         {"/a/b"sv, ""sv},      {"/"sv, ""sv},
      {"a/"sv, "a"sv},        {"$SYS/x"sv, "$SYS"sv}, {"$SYS"sv, "$SYS"sv},  {"+/x"sv, "+"sv},
      {"#"sv, "#"sv},         {"+"sv, "+"sv},         {"ab//c"sv, "ab"sv},   {"$share/g/a"sv, "$share"sv},
  };
  for (const auto& c : cases) {
    CAPTURE(c.topic);
    const std::string_view level = mqtt::first_level(c.topic);
    CHECK(level == c.expected);
    CHECK(level.data() == c.topic.data());
  }
}

TEST_CASE("to_string names the rule for every error", "[topic]") {
  const std::pair<topic_error, std::string_view> cases[] = {
      {topic_error::empty, "[MQTT-4.7.3-1]"sv},
      {topic_error::too_long, "[MQTT-4.7.3-3]"sv},
      {topic_error::null_character, "[MQTT-4.7.3-2]"sv},
      {topic_error::wildcard_in_name, "[MQTT-3.3.2-2]"sv},
      {topic_error::misplaced_multi_level, "[MQTT-4.7.1-2 in 3.1.1, MQTT-4.7.1-1 in 5.0]"sv},
      {topic_error::misplaced_single_level, "[MQTT-4.7.1-3 in 3.1.1, MQTT-4.7.1-2 in 5.0]"sv},
      {topic_error::invalid_shared, "[MQTT-4.8.2-1]"sv},
  };
  for (const auto& [error, rule] : cases) {
    const std::string_view text = mqtt::to_string(error);
    CAPTURE(text);
    CHECK(text.find(rule) != std::string_view::npos);
  }
  CHECK(std::string_view(mqtt::to_string(topic_error::wildcard_in_name)) ==
        "topic name contains a wildcard [MQTT-3.3.2-2]");
  CHECK(std::string_view(mqtt::to_string(topic_error::too_many_levels)).find("levels") !=
        std::string_view::npos);
  CHECK(std::string_view(mqtt::to_string(topic_error::none)).size() > 0);
}
