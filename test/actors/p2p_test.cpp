// Which topics are p2p topics, and which client ids can receive them.
#include "actors/p2p.hpp"

#include <catch2/catch.hpp>

using namespace unimq::actors;

TEST_CASE("p2p: a p2p topic is {first-level}/p2p/{clientId}", "[p2p]") {
  CHECK(p2p_target("app/p2p/dev-1") == std::optional<std::string_view>("dev-1"));
  CHECK(p2p_target("/p2p/x") == std::optional<std::string_view>("x"));  // an empty first level is a level
  CHECK_FALSE(p2p_target("app/p2p/"));
  CHECK_FALSE(p2p_target("app/p2p"));
  CHECK_FALSE(p2p_target("app/p2p/a/b"));
  CHECK_FALSE(p2p_target("p2p/x"));
  CHECK_FALSE(p2p_target("app/p2px/x"));
  CHECK_FALSE(p2p_target("a/b/p2p/x"));
}

TEST_CASE("p2p: client ids that cannot be a topic level cannot receive p2p messages", "[p2p]") {
  CHECK(p2p_supported("dev-1"));
  CHECK_FALSE(p2p_supported(""));
  CHECK_FALSE(p2p_supported("a/b"));
  CHECK_FALSE(p2p_supported("a+"));
  CHECK_FALSE(p2p_supported("#"));
  CHECK(p2p_filter("dev-1") == "+/p2p/dev-1");
}
