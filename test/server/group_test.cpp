// A group of three members in three processes (separate CAF nodes) shares six partitions. One member
// commits, takes a few more messages without committing, and is killed with SIGKILL: its partitions
// move to the two others, no message is lost, and the only duplicates are the messages it had not
// committed. A second case: a member that never commits hands everything to the next one.
//
// Members log to a file per process: "a N" (assignment size), "r SEQ" (received), "c" (commit()
// returned: everything received before is committed), "k" (the victim is ready to be killed).
#include <catch2/catch.hpp>

#include <algorithm>
#include <csignal>
#include <fcntl.h>
#include <functional>
#include <numeric>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

#include "actors/server_messages.hpp"
#include "server_fixture.hpp"

using namespace unimq;
using namespace unimq::st;

namespace {

constexpr int kPartitions = 6;

struct member_log {
  std::vector<int> received;
  std::set<int> committed;   // received before the last "c"
  std::size_t assigned = 0;  // the last "a"
  bool ready_to_die = false;
};

member_log read_log(const std::string& path) {
  member_log out;
  std::ifstream in(path);
  std::string line;
  std::vector<int> since_commit;
  while (std::getline(in, line)) {
    if (line.empty()) continue;
    if (line[0] == 'r') {
      out.received.push_back(std::stoi(line.substr(2)));
      since_commit.push_back(out.received.back());
    } else if (line[0] == 'c') {
      out.committed.insert(since_commit.begin(), since_commit.end());
      since_commit.clear();
    } else if (line[0] == 'a') {
      out.assigned = std::stoul(line.substr(2));
    } else if (line[0] == 'k') {
      out.ready_to_die = true;
    }
  }
  return out;
}

void append_line(int fd, const std::string& line) {
  const std::string l = line + "\n";
  if (::write(fd, l.data(), l.size()) != static_cast<ssize_t>(l.size())) ::_exit(3);
}

enum class role { steady, victim, never_commits };

// A member process: polls and logs until `stop_file` exists. The victim commits after `victim_after`
// messages, then polls until it has more, logs "k" and waits to be killed. A never_commits member logs
// its first messages and "k" without ever polling again (poll() would commit the previous ones).
[[noreturn]] void run_member(const it::broker_process& broker, const std::string& topic, const std::string& log_path,
                             const std::string& stop_file, role r, std::size_t victim_after) {
  int status = 0;
  try {
    const int fd = ::open(log_path.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    auto node = connect(broker);
    client::consumer_options o;
    o.group = "workers";
    o.topic = topic;
    o.from = client::start_position::oldest();
    o.max_poll_messages = 50;
    client::consumer c(node, o);
    std::size_t assigned = ~std::size_t{0};
    std::size_t received = 0;
    bool committed_once = false;
    while (::access(stop_file.c_str(), F_OK) != 0) {
      const auto got = c.poll(std::chrono::milliseconds(50));
      if (c.assignment().size() != assigned) {
        assigned = c.assignment().size();
        append_line(fd, "a " + std::to_string(assigned));
      }
      for (const auto& m : got) append_line(fd, "r " + m.payload);
      received += got.size();
      if (r == role::never_commits && !got.empty()) {
        append_line(fd, "k");
        for (;;) ::pause();
      }
      if (r == role::victim && committed_once && !got.empty()) {
        append_line(fd, "k");
        for (;;) ::pause();
      }
      if (r == role::victim && received < victim_after) continue;  // the victim commits once, late
      c.commit();
      append_line(fd, "c");
      committed_once = true;
    }
  } catch (const std::exception& e) {
    std::fprintf(stderr, "member %d: %s\n", static_cast<int>(getpid()), e.what());
    status = 1;
  }
  ::_exit(status);
}

struct member_process {
  pid_t pid = -1;
  std::string log;
};

member_process fork_member(const it::broker_process& broker, const std::string& topic, const std::string& dir, int index,
                           const std::string& stop_file, role r, std::size_t victim_after = 0) {
  member_process m;
  m.log = dir + "/member" + std::to_string(index) + ".log";
  m.pid = ::fork();
  if (m.pid < 0) throw std::runtime_error("fork failed");
  if (m.pid == 0) run_member(broker, topic, m.log, stop_file, r, victim_after);
  return m;
}

// Polls `condition` every few ms until it holds or `deadline` passes.
bool eventually(const std::function<bool()>& condition, std::chrono::milliseconds deadline = std::chrono::seconds(20)) {
  const auto until = std::chrono::steady_clock::now() + deadline;
  while (std::chrono::steady_clock::now() < until) {
    if (condition()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));  // polling interval, not a synchronisation sleep
  }
  return condition();
}

int wait_exit(pid_t pid) {
  int status = 0;
  ::waitpid(pid, &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) : -WTERMSIG(status);
}

void produce(const it::broker_process& broker, const std::string& topic, int count) {
  auto node = connect(broker);
  client::producer producer(node);
  for (int i = 0; i < count; ++i) producer.send(numbered(topic + "/" + std::to_string(i % 24), i));
  producer.flush();
}

void remove_dir(const std::string& dir) {
  if (std::system(("rm -rf '" + dir + "'").c_str()) != 0) WARN("could not remove " << dir);
}

std::string temp_dir() {
  char tmpl[] = "/tmp/unimq-group-XXXXXX";
  if (!::mkdtemp(tmpl)) throw std::runtime_error("mkdtemp failed");
  return tmpl;
}

}  // namespace

TEST_CASE("group: SIGKILL of one of three member processes moves its partitions, loses nothing", "[server][group]") {
  auto broker = start_node_broker(kPartitions, false);
  const std::string topic = it::unique("grp");
  const std::string dir = temp_dir();
  const std::string stop_file = dir + "/stop";
  constexpr int kMessages = 3000;

  // Fork before this process starts any thread (the members run their own actor systems).
  std::vector<member_process> members;
  members.push_back(fork_member(*broker, topic, dir, 0, stop_file, role::victim, 100));
  members.push_back(fork_member(*broker, topic, dir, 1, stop_file, role::steady));
  members.push_back(fork_member(*broker, topic, dir, 2, stop_file, role::steady));

  // Produce once the three share the partitions (so no message is delivered before the group is stable).
  REQUIRE(eventually([&] {
    std::size_t total = 0;
    for (const auto& m : members) {
      const auto l = read_log(m.log);
      if (l.assigned == 0 || l.assigned > 2) return false;
      total += l.assigned;
    }
    return total == kPartitions;
  }));
  produce(*broker, topic, kMessages);

  REQUIRE(eventually([&] { return read_log(members[0].log).ready_to_die; }));
  ::kill(members[0].pid, SIGKILL);
  CHECK(wait_exit(members[0].pid) == -SIGKILL);
  const auto victim = read_log(members[0].log);
  REQUIRE_FALSE(victim.committed.empty());
  std::set<int> uncommitted(victim.received.begin(), victim.received.end());
  for (int s : victim.committed) uncommitted.erase(s);
  REQUIRE_FALSE(uncommitted.empty());

  // Everything the victim did not commit reaches the survivors.
  auto survivors_have_all = [&] {
    std::set<int> seen(victim.committed.begin(), victim.committed.end());
    for (int i : {1, 2})
      for (int s : read_log(members[i].log).received) seen.insert(s);
    return seen.size() == static_cast<std::size_t>(kMessages);
  };
  CHECK(eventually(survivors_have_all));
  { std::ofstream(stop_file) << "stop\n"; }
  CHECK(wait_exit(members[1].pid) == 0);
  CHECK(wait_exit(members[2].pid) == 0);

  std::map<int, int> survivor_count;
  for (int i : {1, 2})
    for (int s : read_log(members[i].log).received) ++survivor_count[s];
  std::size_t duplicates = 0;
  for (int s = 0; s < kMessages; ++s) {
    const bool by_victim_committed = victim.committed.count(s) != 0;
    INFO("message " << s);
    // Exactly once overall, except a message the victim received and did not commit: the survivors
    // get it once more.
    REQUIRE(survivor_count[s] == (by_victim_committed ? 0 : 1));
    if (uncommitted.count(s)) ++duplicates;
  }
  CHECK(duplicates == uncommitted.size());
  remove_dir(dir);
}

TEST_CASE("group: the messages of a member that never commits go to the next member after it dies", "[server][group]") {
  auto broker = start_node_broker(2, false);
  const std::string topic = it::unique("nc");
  const std::string dir = temp_dir();
  const std::string stop_file = dir + "/stop";
  auto idle = fork_member(*broker, topic, dir, 0, stop_file, role::never_commits);
  REQUIRE(eventually([&] { return read_log(idle.log).assigned == 2; }));
  produce(*broker, topic, 40);
  REQUIRE(eventually([&] { return read_log(idle.log).ready_to_die; }));
  ::kill(idle.pid, SIGKILL);
  CHECK(wait_exit(idle.pid) == -SIGKILL);
  REQUIRE_FALSE(read_log(idle.log).received.empty());

  // The next member starts where the group committed: the beginning.
  auto node = connect(*broker);
  client::consumer next(node, {"workers", topic, client::start_position::newest()});
  auto got = sequence_numbers(poll_count(next, 40));
  std::sort(got.begin(), got.end());
  std::vector<int> all(40);
  std::iota(all.begin(), all.end(), 0);
  CHECK(got == all);
  remove_dir(dir);
}

TEST_CASE("group: more members than partitions: when a member leaves, a waiting one takes over", "[server][group]") {
  auto broker = start_node_broker(2, false);
  const std::string topic = it::unique("idle");
  auto node = connect(*broker);
  const client::consumer_options o{"workers", topic, client::start_position::oldest()};
  std::vector<std::unique_ptr<client::consumer>> members;
  for (int i = 0; i < 3; ++i) members.push_back(std::make_unique<client::consumer>(node, o));
  auto sizes = [&] {
    std::multiset<std::size_t> s;
    for (const auto& m : members)
      if (m) s.insert(m->assignment().size());
    return s;
  };
  REQUIRE(eventually([&] { return sizes() == std::multiset<std::size_t>{0, 1, 1}; }));
  const auto busy = std::find_if(members.begin(), members.end(), [](const auto& m) { return m->assignment().size() == 1; });
  busy->reset();  // leaves the group
  REQUIRE(eventually([&] { return sizes() == std::multiset<std::size_t>{1, 1}; }));

  produce(*broker, topic, 100);
  std::set<int> got;
  REQUIRE(eventually([&] {
    for (auto& m : members)
      if (m)
        for (int s : sequence_numbers(m->poll(std::chrono::milliseconds(10)))) CHECK(got.insert(s).second);
    return got.size() == 100;
  }));
}

TEST_CASE("group: fetches and commits of a partition the member no longer holds are refused", "[server][group]") {
  auto broker = start_node_broker(2, false);
  const std::string topic = it::unique("stale");
  raw_node raw(*broker);
  // Two members driven by hand; scoped actors receive their assignments in their mailboxes.
  caf::scoped_actor a{raw.system};
  caf::scoped_actor b{raw.system};
  auto join = [&](caf::scoped_actor& self, const std::string& id) {
    actors::join_result out;
    actors::group_join j{"g", topic, id, caf::actor_cast<caf::actor>(self), {}};
    self->request(raw.service, std::chrono::seconds(10), actors::join_atom::value, j)
        .receive([&](const actors::join_result& r) { out = r; }, [](const caf::error&) {});
    REQUIRE(out.error.empty());
    return out.coordinator;
  };
  auto last_assignment = [](caf::scoped_actor& self) {
    actors::assignment latest;
    bool any = true;
    while (any) {
      any = false;
      self->receive([&](actors::assign_atom, const actors::assignment& x) { latest = x, any = true; },
                    caf::after(std::chrono::milliseconds(200)) >> [] {});
    }
    return latest;
  };
  auto coordinator = join(a, "a");
  REQUIRE(last_assignment(a).partitions.size() == 2);
  join(b, "b");
  const auto now_b = last_assignment(b);
  REQUIRE(now_b.partitions.size() == 1);
  const auto lost = now_b.partitions[0].partition;

  // Member a, still at generation 1, asks for the partition b holds now.
  actors::commit_result committed;
  a->request(coordinator, std::chrono::seconds(10), actors::commit_atom::value, actors::commit_request{1, {{lost, 0}}})
      .receive([&](const actors::commit_result& r) { committed = r; }, [](const caf::error&) {});
  CHECK(committed.error.empty());
  CHECK(committed.refused == std::vector<std::uint32_t>{lost});
  actors::fetch_result fetched;
  a->request(coordinator, std::chrono::seconds(10), actors::fetch_atom::value, actors::fetch_request{1, lost, 10, 1 << 20, 0})
      .receive([&](const actors::fetch_result& r) { fetched = r; }, [](const caf::error&) {});
  CHECK(fetched.stale);
  // b's own commit of it is accepted.
  b->request(coordinator, std::chrono::seconds(10), actors::commit_atom::value,
             actors::commit_request{now_b.generation, {{lost, 0}}})
      .receive([&](const actors::commit_result& r) { committed = r; }, [](const caf::error&) {});
  CHECK(committed.error.empty());
  CHECK(committed.refused.empty());
}

TEST_CASE("group: a hung member (SIGSTOP) loses its partitions after the link timeout, idle links stay up", "[server][group]") {
  auto broker = start_node_broker(2, false);
  const std::string topic = it::unique("hung");
  const std::string dir = temp_dir();
  auto hung = fork_member(*broker, topic, dir, 0, dir + "/stop", role::steady);
  REQUIRE(eventually([&] { return read_log(hung.log).assigned == 2; }));
  auto node = connect(*broker);
  auto idle_node = connect(*broker);
  client::producer idle_producer(idle_node);  // a link of its own, silent from here on but for heartbeats
  client::consumer survivor(node, {"workers", topic, client::start_position::oldest()});
  REQUIRE(eventually([&] { return survivor.assignment().size() == 1; }));

  ::kill(hung.pid, SIGSTOP);
  REQUIRE(eventually([&] { return survivor.assignment().size() == 2; }, std::chrono::seconds(30)));
  idle_producer.send(numbered(topic + "/after", 1));
  CHECK_NOTHROW(idle_producer.flush());
  CHECK(poll_count(survivor, 1).size() == 1);
  ::kill(hung.pid, SIGKILL);
  CHECK(wait_exit(hung.pid) == -SIGKILL);
  remove_dir(dir);
}

TEST_CASE("group: a group whose last member left ends on the node and resumes from its offsets", "[server][group]") {
  auto broker = start_node_broker(2, false);
  const std::string topic = it::unique("idle");
  auto node = connect(*broker);
  client::producer p(node);
  for (int i = 0; i < 3; ++i) p.send(numbered(topic + "/x", i));
  p.flush();
  {
    client::consumer c(node, {"g", topic, client::start_position::oldest()});
    CHECK(sequence_numbers(poll_count(c, 3)) == std::vector<int>{0, 1, 2});
  }  // commits and leaves: the coordinator has no member and ends
  const auto deadline = std::chrono::steady_clock::now() + 10s;
  while (broker->log().find("topic=" + topic + " has no members: ends") == std::string::npos &&
         std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(20ms);
  REQUIRE_THAT(broker->log(), Catch::Contains("topic=" + topic + " has no members: ends"));
  for (int i = 3; i < 5; ++i) p.send(numbered(topic + "/x", i));
  p.flush();
  // A new coordinator reads the group's committed offsets: only the messages after them arrive.
  client::consumer c(node, {"g", topic, client::start_position::oldest()});
  auto got = sequence_numbers(poll_count(c, 2));
  std::sort(got.begin(), got.end());
  CHECK(got == std::vector<int>{3, 4});
  CHECK(c.poll(300ms).empty());
}
