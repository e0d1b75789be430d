// The storage writer hands committed messages to the index shards in memory: a caught-up subscriber
// gets them without a read from storage, exactly as a read would have returned them, and what does
// not fit in one event's in-memory cap is read from storage.
#include <catch2/catch.hpp>

#include <atomic>

#include "actors/index_shard.hpp"
#include "actors/messages.hpp"
#include "actors/storage_reader.hpp"
#include "actors/storage_writer.hpp"
#include "storage/test_util.hpp"

using namespace unimq;
using namespace unimq::actors;
using storage::test::make_message;

namespace {

struct system_config : caf::actor_system_config {
  system_config() { unimq::actors::add_message_types(*this); }
};

// Forwards everything to the real reader and counts the queue reads.
caf::behavior counting_reader(caf::event_based_actor* self, caf::actor reader, std::shared_ptr<std::atomic<int>> reads) {
  return {[self, reader, reads](read_atom, const std::string& topic, std::uint64_t from, std::uint32_t count) {
            ++*reads;
            return self->delegate(reader, read_atom::value, topic, from, count);
          }};
}

struct fixture {
  storage::test::temp_dir dir;
  std::shared_ptr<storage::store> store{storage::test::open_or_fail(storage::test::options_for(dir))};
  system_config cfg;
  caf::actor_system system{cfg};
  caf::actor reader = spawn_storage_reader(system, store);
  std::shared_ptr<std::atomic<int>> reads = std::make_shared<std::atomic<int>>(0);
  caf::actor counted = system.spawn(counting_reader, reader, reads);
  caf::actor writer = spawn_storage_writer(system, store, reader);
  caf::actor shard = spawn_index_shard(system, 0, 1, counted, caf::actor{});
  caf::scoped_actor subscriber{system};

  fixture() {
    caf::anon_send(writer, listen_atom::value, shard, std::uint32_t{0}, std::uint32_t{1});
    caf::anon_send(shard, subscribe_atom::value, std::string("a/#"), caf::actor_cast<caf::actor>(subscriber));
  }
  ~fixture() {
    for (const auto& a : {shard, counted, writer, reader}) caf::anon_send_exit(a, caf::exit_reason::user_shutdown);
  }

  void write(std::vector<proto::StoredMessage> messages) {
    write_request r;
    r.messages = std::move(messages);
    bool ok = false;
    subscriber->request(writer, caf::infinite, write_atom::value, std::move(r))
        .receive([&](const write_result& result) { ok = result.ok(); }, [](const caf::error&) {});
    REQUIRE(ok);
  }

  // The batches delivered until `count` messages arrived (or a second passed without one).
  std::vector<queue_batch> receive(std::size_t count) {
    std::vector<queue_batch> out;
    std::size_t got = 0;
    bool timed_out = false;
    while (got < count && !timed_out)
      subscriber->receive([&](deliver_atom, const queue_batch& b) { out.push_back(b), got += b.entries.size(); },
                          caf::after(std::chrono::seconds(1)) >> [&] { timed_out = true; });
    return out;
  }

  queue_batch read(const std::string& topic, std::uint64_t from, std::uint32_t count) {
    queue_batch out;
    subscriber->request(reader, caf::infinite, read_atom::value, topic, from, count)
        .receive([&](queue_batch& b) { out = std::move(b); }, [](const caf::error&) {});
    return out;
  }
};

void check_same(const queue_batch& live, const queue_batch& stored) {
  REQUIRE(live.entries.size() == stored.entries.size());
  for (std::size_t i = 0; i < live.entries.size(); ++i) {
    CHECK(live.entries[i].offset == stored.entries[i].offset);
    CHECK(live.entries[i].sequence == stored.entries[i].sequence);
    CHECK(live.entries[i].message.SerializeAsString() == stored.entries[i].message.SerializeAsString());
  }
  CHECK(live.next_offset == stored.next_offset);
}

}  // namespace

TEST_CASE("handover: a caught-up subscriber gets committed messages without a storage read", "[handover]") {
  fixture f;
  f.write({make_message("a/1", "one"), make_message("a/2", "two", 1, 0), make_message("a/1", "three")});
  auto batches = f.receive(3);
  REQUIRE(batches.size() == 2);  // one per topic
  CHECK(*f.reads == 0);
  for (const auto& b : batches) {
    CHECK(b.end_offset == b.next_offset);
    check_same(b, f.read(b.topic, 0, 10));  // the fields the store sets (offsets, clock) included
  }
  f.write({make_message("a/1", "four"), make_message("b/1", "not subscribed")});
  batches = f.receive(1);
  REQUIRE(batches.size() == 1);
  CHECK(batches[0].entries.front().offset == 2);
  CHECK(batches[0].entries.front().message.payload() == "four");
  CHECK(*f.reads == 0);
}

TEST_CASE("handover: what exceeds an event's in-memory cap is read from storage, in order", "[handover]") {
  fixture f;
  const std::string large(kMaxHandoverBytes / 2 + 1, 'x');
  f.write({make_message("a/1", "small"), make_message("a/1", large), make_message("a/1", large),
           make_message("a/1", "after")});
  auto batches = f.receive(4);
  CHECK(*f.reads > 0);
  std::vector<std::uint64_t> offsets;
  for (const auto& b : batches)
    for (const auto& e : b.entries) offsets.push_back(e.offset);
  CHECK(offsets == std::vector<std::uint64_t>{0, 1, 2, 3});
  check_same(batches.front(), f.read("a/1", 0, static_cast<std::uint32_t>(batches.front().entries.size())));
}

TEST_CASE("handover: a shard hears of a commit before the writer answers the write") {
  // Otherwise a SUBSCRIBE sent after a PUBACK could reach a shard before the message it acknowledged,
  // and that earlier message would go to the new subscription.
  fixture f;
  caf::scoped_actor probe{f.system};
  const auto me = caf::actor_cast<caf::actor>(probe);
  probe->send(f.writer, listen_atom::value, me, std::uint32_t{0}, std::uint32_t{1});  // as a shard
  write_request r;
  r.messages.push_back(make_message("a/order", "x"));
  probe->send(f.writer, write_atom::value, std::move(r));  // the answer comes as a plain message
  std::vector<std::string> order;
  for (int i = 0; i < 2; ++i)
    probe->receive([&](notify_atom, const committed_event&) { order.emplace_back("event"); },
                   [&](const write_result& result) { order.emplace_back(result.ok() ? "answer" : "failed"); },
                   caf::after(std::chrono::seconds(5)) >> [&] { order.emplace_back("nothing"); });
  CHECK(order == std::vector<std::string>{"event", "answer"});
}
