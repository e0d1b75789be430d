// A shared group (shared_group.cpp) starts by loading its record, looking up the topics its filter
// covers in storage and registering with the index shards. A topic created while it starts must reach
// it all the same, once. The group runs on CAF's deterministic scheduler against a fake store that
// plays the storage reader, the writer and the only index shard, so the interleaving is exact: the
// first message of a new topic is committed right before the fake handles the group's k-th request,
// for every k from the first request to past the end of the start.
#include <caf/all.hpp>
#include <caf/scheduler/test_coordinator.hpp>
#include <catch2/catch.hpp>

#include <algorithm>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "actors/messages.hpp"
#include "actors/shared_group.hpp"
#include "protocol/topic.hpp"

using namespace unimq;
using namespace unimq::actors;

namespace {

using commit_atom = caf::atom_constant<caf::atom("tcommit")>;

constexpr std::uint64_t kGroupStart = 100;  ///< the commitlog sequence the group starts at

/// The fake store's content, which the test reads between runs (one thread: the deterministic scheduler).
struct store_model {
  std::map<std::string, std::vector<std::uint64_t>> queues;  ///< topic -> the sequence at each offset
  std::uint64_t next_sequence = kGroupStart;
  std::vector<std::pair<std::string, caf::actor>> registered;  ///< filters registered with the shard
  std::map<std::string, std::uint64_t> committed;               ///< the group's offsets as written
  bool resumed = false;  ///< the group's record and an offset on `jobs/old` are stored
  std::size_t handled = 0;
  std::size_t commit_before = 0;  ///< commit `gap_topic` right before handling this request (1-based; 0: never)
  std::string gap_topic;
};

// Appends one message and, like the writer and the shard, sends it live to every registered filter.
void commit(caf::event_based_actor* self, store_model& m, const std::string& topic) {
  auto& queue = m.queues[topic];
  queue_entry e;
  e.offset = queue.size();
  e.sequence = m.next_sequence++;
  e.message.set_topic(topic);
  queue.push_back(e.sequence);
  queue_batch live;
  live.topic = topic;
  live.entries.push_back(std::move(e));
  live.next_offset = live.end_offset = queue.size();
  for (const auto& [filter, subscriber] : m.registered)
    if (mqtt::topic_matches(filter, topic)) self->send(subscriber, deliver_atom::value, live);
}

caf::behavior fake_store(caf::event_based_actor* self, std::shared_ptr<store_model> model) {
  auto step = [self, model] {
    if (++model->handled == model->commit_before) commit(self, *model, model->gap_topic);
  };
  return {
      [=](session_atom, const std::string& consumer) {
        step();
        stored_session s;
        if (!model->resumed) return s;
        s.found = true;
        s.session.set_client_id(consumer);
        s.session.add_subscriptions()->set_subscribed_at_sequence(kGroupStart);
        s.offsets.push_back({consumer, "jobs/old", model->committed.at("jobs/old")});
        return s;
      },
      [=](write_atom, const write_request& r) {
        step();
        for (const auto& o : r.offsets) model->committed[o.topic] = o.next_offset;
        write_result result;
        result.next_sequence = model->next_sequence;
        return result;
      },
      [=](subscribe_atom, const std::string& filter) {  // the reader's topic lookup
        step();
        std::vector<std::string> topics;
        for (const auto& [topic, queue] : model->queues)
          if (mqtt::topic_matches(filter, topic)) topics.push_back(topic);
        return topics;
      },
      [=](subscribe_atom, const std::string& filter, const caf::actor& subscriber) {  // the shard
        step();
        model->registered.emplace_back(filter, subscriber);
      },
      [=](start_atom, const std::string& topic, std::uint64_t sequence) {
        step();
        const auto& queue = model->queues[topic];
        std::uint64_t offset = 0;
        while (offset < queue.size() && queue[offset] < sequence) ++offset;
        return offset;
      },
      [=](read_atom, const std::string& topic, std::uint64_t from, std::uint32_t count) {
        step();
        const auto& queue = model->queues[topic];
        queue_batch b;
        b.topic = topic;
        for (std::uint64_t o = from; o < queue.size() && b.entries.size() < count; ++o) {
          queue_entry e;
          e.offset = o;
          e.sequence = queue[o];
          e.message.set_topic(topic);
          b.entries.push_back(std::move(e));
        }
        b.next_offset = b.entries.empty() ? std::max<std::uint64_t>(from, queue.size()) : b.entries.back().offset + 1;
        b.end_offset = queue.size();
        return b;
      },
      [=](commit_atom, const std::string& topic) { commit(self, *model, topic); },  // from the test
      [](idle_atom, const std::string&, const std::string&, std::uint64_t) {},    // as the directory
  };
}

using received = std::vector<std::string>;  // "topic@offset", in arrival order

// A member that acknowledges every message at once.
caf::behavior fake_member(caf::event_based_actor* self, std::shared_ptr<received> got) {
  return {[self, got](share_atom, const std::string&, const std::string& topic, const queue_entry& e) {
    got->push_back(topic + "@" + std::to_string(e.offset));
    self->send(caf::actor_cast<caf::actor>(self->current_sender()), share_ack_atom::value, topic, e.offset, true);
  }};
}

struct deterministic_config : caf::actor_system_config {
  deterministic_config() { set("scheduler.policy", caf::atom("testing")); }
};

struct fixture {
  deterministic_config cfg;
  caf::actor_system system{cfg};
  caf::scheduler::test_coordinator& sched = dynamic_cast<caf::scheduler::test_coordinator&>(system.scheduler());
  std::shared_ptr<store_model> model = std::make_shared<store_model>();
  std::shared_ptr<received> got = std::make_shared<received>();
  caf::actor store = system.spawn(fake_store, model);
  caf::actor member = system.spawn(fake_member, got);
  caf::actor group;

  ~fixture() {
    for (const auto& a : {group, member, store})
      if (a) caf::anon_send_exit(a, caf::exit_reason::user_shutdown);
    sched.run();
  }

  // `jobs/old` has two messages from before the group's start; a resumed group has read them.
  void seed(bool resumed) {
    model->next_sequence = 1;
    commit_now("jobs/old");
    commit_now("jobs/old");
    model->next_sequence = kGroupStart;
    model->resumed = resumed;
    if (resumed) model->committed["jobs/old"] = 2;
  }

  void commit_now(const std::string& topic) {
    caf::anon_send(store, commit_atom::value, topic);
    sched.run();
  }

  // The first member joins (as the directory forwards it): the group starts.
  void join(const std::string& filter) {
    group = spawn_shared_group(system, store, "g", filter, store, store, {store});
    caf::anon_send(group, subscribe_atom::value, member, kGroupStart, std::uint32_t{8});
    sched.run();
  }
};

received sorted(received r) {
  std::sort(r.begin(), r.end());
  return r;
}

}  // namespace

TEST_CASE("shared group: a topic created while the group starts is delivered once", "[share]") {
  const bool resumed = GENERATE(false, true);
  // A start takes fewer requests than that, so the last values commit after it.
  constexpr std::size_t kPastTheStart = 12;
  const std::size_t commit_before = GENERATE(range<std::size_t>(1, kPastTheStart + 1));
  CAPTURE(resumed, commit_before);
  fixture f;
  f.seed(resumed);
  f.model->gap_topic = "jobs/new";
  f.model->commit_before = commit_before;
  f.join("jobs/+");
  if (f.model->handled < commit_before) {  // the start was over: commit now
    f.model->commit_before = 0;
    f.commit_now("jobs/new");
  } else {
    REQUIRE(commit_before < kPastTheStart);  // else the values do not reach past the start
  }
  REQUIRE(f.model->queues["jobs/new"].size() == 1);
  // Quiescent: everything the group would ever send for this has been sent.
  CHECK(*f.got == received{"jobs/new@0"});
  CHECK(f.model->committed["jobs/new"] == 1);

  // Both topics go on live from where they are, without a repeat.
  f.commit_now("jobs/new");
  f.commit_now("jobs/old");
  CHECK(sorted(*f.got) == received{"jobs/new@0", "jobs/new@1", "jobs/old@2"});
  CHECK(f.model->committed["jobs/new"] == 2);
  CHECK(f.model->committed["jobs/old"] == 3);
}

TEST_CASE("shared group: messages from before the group's start are not delivered", "[share]") {
  fixture f;
  f.seed(false);
  f.join("jobs/#");
  CHECK(f.got->empty());
  f.commit_now("jobs/old");
  CHECK(*f.got == received{"jobs/old@2"});
}
