// The shared group's bookkeeping: which messages a member holds, and how far the group may commit.
#include "actors/shared_group_tracker.hpp"

#include <catch2/catch.hpp>

#include <string>

using unimq::actors::shared_group_tracker;

TEST_CASE("shared group tracker: the commit point waits for the lowest unacknowledged message", "[share]") {
  shared_group_tracker<std::string> t(10);
  CHECK(t.commit_point() == 10);
  for (std::uint64_t o = 10; o < 13; ++o) t.add(o, "m" + std::to_string(o));
  CHECK(t.read_to() == 13);
  CHECK(t.commit_point() == 10);
  t.assign(10, 1);
  t.assign(11, 2);
  t.assign(12, 1);
  CHECK_FALSE(t.next_waiting());
  CHECK(t.acknowledge(11, 2));
  CHECK(t.commit_point() == 10);  // 10 is still out
  CHECK(t.acknowledge(10, 1));
  CHECK(t.commit_point() == 12);
  CHECK(t.acknowledge(12, 1));
  CHECK(t.commit_point() == 13);
  CHECK(t.buffered() == 0);
}

TEST_CASE("shared group tracker: a member that leaves gives its messages back", "[share]") {
  shared_group_tracker<int> t;
  t.add(0, 100);
  t.add(1, 101);
  t.add(2, 102);
  t.assign(0, 7);
  t.assign(1, 8);
  t.assign(2, 7);
  CHECK(t.release(7) == 2);
  CHECK(t.next_waiting() == std::optional<std::uint64_t>(0));
  CHECK(t.value(0) == 100);
  CHECK(t.holder(1) == 8);
  // A late acknowledgement from the member that left counts for nothing; the new holder's does.
  CHECK_FALSE(t.acknowledge(0, 7));
  t.assign(0, 8);
  CHECK(t.acknowledge(0, 8));
  CHECK(t.commit_point() == 1);
  CHECK(t.next_waiting() == std::optional<std::uint64_t>(2));
}

TEST_CASE("shared group tracker: a refused message waits again, for the refusing member only", "[share]") {
  shared_group_tracker<int> t(5);
  t.add(5, 1);
  t.assign(5, 3);
  CHECK_FALSE(t.give_back(5, 4));  // not its message
  CHECK(t.give_back(5, 3));
  CHECK(t.next_waiting() == std::optional<std::uint64_t>(5));
  CHECK(t.holder(5) == 0);
  CHECK_FALSE(t.acknowledge(5, 3));
  CHECK(t.commit_point() == 5);
}

TEST_CASE("shared group tracker: offsets retention deleted are skipped, and commit past them", "[share]") {
  shared_group_tracker<int> t(0);
  t.skip_to(40);  // a read that found messages from offset 40 on only
  CHECK(t.commit_point() == 40);
  t.add(41, 1);
  t.skip_to(30);  // never backwards
  CHECK(t.read_to() == 42);
  CHECK(t.commit_point() == 41);
}
