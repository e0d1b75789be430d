// The kill test: a child process appends batches (messages, an offset commit, a session and a
// retained update each) and reports every committed batch over a pipe; the parent SIGKILLs it at a
// random moment, reopens the store and checks that every reported batch is there, intact and indexed,
// and that nothing of an unfinished batch is visible.

#include <catch2/catch.hpp>

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <random>

#include "consistency.hpp"
#include "test_util.hpp"

using namespace unimq::storage;
using namespace unimq::storage::test;

namespace {

constexpr int kRounds = 60;  // more by hand: --rng-seed and a loop
constexpr std::uint32_t kTopics = 5;
const queue_id kProgress = queue_id::topic("crash/progress");

// Everything about batch k is a function of k, so the parent can check it without being told.
std::size_t batch_size(std::uint64_t k) { return 1 + k % 7; }
std::string topic_of(std::uint64_t k) { return "crash/t" + std::to_string(k % kTopics); }
std::string payload_of(std::uint64_t k, std::size_t j) {
  return "b" + std::to_string(k) + "m" + std::to_string(j) + std::string((k * 31 + j * 7) % 300, 'p');
}

write_batch make_batch(std::uint64_t k) {
  write_batch b;
  for (std::size_t j = 0; j < batch_size(k); ++j) b.append(make_message(topic_of(k), payload_of(k, j), 1, 1000 + k));
  unimq::proto::Session session;
  session.set_client_id("crash-client");
  session.set_next_packet_id(static_cast<std::uint32_t>(k));
  b.put_session("crash-client", session);
  b.put_retained(make_message("crash/retained", "b" + std::to_string(k)));
  b.commit_offset("crash", kProgress, k + 1);  // batches committed so far
  return b;
}

[[noreturn]] void child_main(const store_options& o, int fd) {
  auto s = store::open(o);
  if (!s) _exit(2);
  auto snap = (*s)->read_snapshot();
  if (!snap) _exit(3);
  auto next = snap->committed_offset("crash", kProgress);
  if (!next) _exit(4);
  std::uint64_t k = next->value_or(0);
  snap = status::internal("released");  // never append while holding a snapshot
  for (;; ++k) {
    if (!(*s)->append(make_batch(k))) _exit(5);
    if (::write(fd, &k, sizeof k) != static_cast<ssize_t>(sizeof k)) _exit(6);
  }
}

/// Checks batches [0, batches) are all present and complete.
std::string verify(store& s, std::uint64_t batches) {
  if (auto e = check_consistency(s); !e.empty()) return e;
  auto snap = s.read_snapshot();
  if (!snap) return snap.error().to_string();
  std::uint64_t total = 0;
  std::vector<std::vector<std::string>> expected(kTopics);
  for (std::uint64_t k = 0; k < batches; ++k) {
    total += batch_size(k);
    for (std::size_t j = 0; j < batch_size(k); ++j) expected[k % kTopics].push_back(payload_of(k, j));
  }
  if (s.stats().message_count != total) return "expected " + std::to_string(total) + " messages, found " + std::to_string(s.stats().message_count);
  for (std::uint32_t t = 0; t < kTopics; ++t) {
    auto r = snap->read(queue_id::topic("crash/t" + std::to_string(t)), 0, SIZE_MAX, SIZE_MAX);
    if (!r) return r.error().to_string();
    if (r->entries.size() != expected[t].size()) return "topic " + std::to_string(t) + " has the wrong number of messages";
    for (std::size_t i = 0; i < expected[t].size(); ++i)
      if (r->entries[i].message.payload() != expected[t][i]) return "payload mismatch in topic " + std::to_string(t);
  }
  if (batches > 0) {
    auto ses = snap->session("crash-client");
    if (!ses || !ses->has_value() || (*ses)->next_packet_id() != batches - 1) return "session does not belong to the last batch";
    auto ret = snap->retained("crash/retained");
    if (!ret || !ret->has_value() || (*ret)->payload() != "b" + std::to_string(batches - 1)) return "retained does not belong to the last batch";
  }
  return {};
}

}  // namespace

TEST_CASE("crash: SIGKILL at random moments never loses a reported batch nor exposes half of one", "[storage][crash]") {
  temp_dir dir;
  auto o = options_for(dir);
  o.initial_map_size = 512 << 10;  // small, so growth happens under the kill too
  int rounds = kRounds;
  SECTION("sync") { o.mode = durability::sync; }
  SECTION("nosync survives a process crash too") {
    o.mode = durability::nosync;
    rounds = kRounds / 3;
  }
  std::mt19937_64 rng(Catch::rngSeed() + 4);
  std::int64_t last_reported = -1;
  for (int round = 0; round < rounds; ++round) {
    int fds[2];
    REQUIRE(::pipe(fds) == 0);
    const pid_t pid = ::fork();
    REQUIRE(pid >= 0);
    if (pid == 0) {
      ::close(fds[0]);
      child_main(o, fds[1]);
    }
    ::close(fds[1]);
    // Let it commit a random number of batches (at least one in the first round, so the directory
    // is initialised), then kill it a random number of spins later: mid-commit, mid-fsync, mid-growth.
    const int wait_for = static_cast<int>(rng() % 20) + (round == 0 ? 1 : 0);
    for (int i = 0; i < wait_for; ++i) {
      std::uint64_t k = 0;
      const auto n = ::read(fds[0], &k, sizeof k);
      REQUIRE(n == static_cast<ssize_t>(sizeof k));
      last_reported = static_cast<std::int64_t>(k);
    }
    const auto spins = rng() % 200000;
    for (volatile std::uint64_t i = 0; i < spins; ++i) {
    }
    REQUIRE(::kill(pid, SIGKILL) == 0);
    int wstatus = 0;
    REQUIRE(::waitpid(pid, &wstatus, 0) == pid);
    INFO("round " << round);
    REQUIRE(WIFSIGNALED(wstatus));  // an exit code would mean the child hit an error
    for (;;) {  // reports already in the pipe count too
      std::uint64_t k = 0;
      const auto n = ::read(fds[0], &k, sizeof k);
      if (n != static_cast<ssize_t>(sizeof k)) break;
      last_reported = static_cast<std::int64_t>(k);
    }
    ::close(fds[0]);

    auto s = store::open(o);
    INFO(s.error().to_string());
    REQUIRE(s);
    auto snap = (*s)->read_snapshot();
    REQUIRE(snap);
    const auto batches = snap->committed_offset("crash", kProgress)->value_or(0);
    snap = status::internal("released");
    // Every reported batch is there; at most one more (committed, killed before reporting).
    CHECK(static_cast<std::int64_t>(batches) >= last_reported + 1);
    CHECK(static_cast<std::int64_t>(batches) <= last_reported + 2);
    const auto problem = verify(**s, batches);
    INFO(problem);
    REQUIRE(problem.empty());
  }
}
