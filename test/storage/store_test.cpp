// Unit tests of the store facade: append, reads, indexes, directory, offsets, sessions, retained,
// atomicity, reopen, start-up errors, map growth and retention.

#include <catch2/catch.hpp>

#include <atomic>
#include <fstream>
#include <mutex>
#include <thread>

#include "storage/store.hpp"
#include "test_util.hpp"

using namespace unimq::storage;
using namespace unimq::storage::test;
using unimq::proto::Session;
using unimq::proto::StoredMessage;

namespace {

append_result append_ok(store& s, const write_batch& b) {
  auto r = s.append(b);
  INFO(r.error().to_string());
  REQUIRE(r);
  return std::move(*r);
}

std::vector<std::string> payloads(const read_result& r) {
  std::vector<std::string> out;
  for (const auto& e : r.entries) out.push_back(e.message.payload());
  return out;
}

}  // namespace

TEST_CASE("append assigns sequences and both queue offsets in batch order", "[storage][append]") {
  temp_dir dir;
  auto s = open_or_fail(options_for(dir));
  write_batch b;
  b.append(make_message("a/b", "1"));
  b.append(make_message("a/c", "2"));
  b.append(make_message("a/b", "3"));
  b.append(make_message("x", "4"));
  auto r = append_ok(*s, b);
  REQUIRE(r.messages.size() == 4);
  CHECK(r.messages[0].sequence == 1);
  CHECK(r.messages[3].sequence == 4);
  CHECK(r.messages[0].first_level_offset == 0);
  CHECK(r.messages[1].first_level_offset == 1);
  CHECK(r.messages[2].first_level_offset == 2);
  CHECK(r.messages[3].first_level_offset == 0);
  CHECK(r.messages[0].topic_offset == 0);
  CHECK(r.messages[1].topic_offset == 0);
  CHECK(r.messages[2].topic_offset == 1);
  CHECK(r.messages[0].stored_bytes > 0);

  auto more = append_ok(*s, b);
  CHECK(more.messages[0].sequence == 5);
  CHECK(more.messages[0].topic_offset == 2);
  CHECK(s->stats().message_count == 8);
}

TEST_CASE("read returns the messages of a topic queue with every field intact", "[storage][read]") {
  temp_dir dir;
  auto s = open_or_fail(options_for(dir));
  StoredMessage m = make_message("a/b", std::string("pay\0load", 8), 2);
  m.set_retain(true);
  m.set_payload_format(1);
  m.set_content_type("text/plain");
  m.set_response_topic("reply/to");
  m.set_correlation_data(std::string("\x00\x01", 2));
  for (int i = 0; i < 3; ++i) {
    auto* p = m.add_user_properties();
    p->set_key("k");
    p->set_value("v" + std::to_string(i));
  }
  m.set_expiry_deadline_ms(123456);
  m.set_origin_kind(StoredMessage::ORIGIN_PRODUCER);
  m.set_partition(99);  // the store overwrites index fields
  write_batch b;
  b.append(m);
  append_ok(*s, b);

  auto r = s->read(queue_id::topic("a/b"), 0, 10, 1 << 20);
  REQUIRE(r);
  REQUIRE(r->entries.size() == 1);
  const auto& got = r->entries[0].message;
  CHECK(got.payload() == m.payload());
  CHECK(got.qos() == 2);
  CHECK(got.retain());
  CHECK(got.payload_format() == 1);
  CHECK(got.content_type() == "text/plain");
  CHECK(got.response_topic() == "reply/to");
  CHECK(got.correlation_data() == m.correlation_data());
  REQUIRE(got.user_properties_size() == 3);
  CHECK(got.user_properties(2).value() == "v2");
  CHECK(got.expiry_deadline_ms() == 123456);
  CHECK(got.origin() == "client-1");
  CHECK(got.origin_kind() == StoredMessage::ORIGIN_PRODUCER);
  CHECK(got.timestamp_ms() == 1000);
  CHECK(got.partition() == 0);
  CHECK(r->entries[0].sequence == 1);
  CHECK(r->next_offset == 1);
  CHECK_FALSE(r->skipped_to_oldest);
  CHECK_FALSE(m.has_content_type() == false);
}

TEST_CASE("a zero timestamp is replaced by the store's clock", "[storage][append]") {
  temp_dir dir;
  auto s = open_or_fail(options_for(dir));
  write_batch b;
  b.append(make_message("t", "x", 0, 0));
  append_ok(*s, b);
  auto r = s->read(queue_id::topic("t"), 0, 1, 1 << 20);
  REQUIRE(r);
  CHECK(r->entries.at(0).message.timestamp_ms() > 1600000000000ull);
}

TEST_CASE("read honours from_offset, max_messages and max_bytes", "[storage][read]") {
  temp_dir dir;
  auto s = open_or_fail(options_for(dir));
  write_batch b;
  for (int i = 0; i < 10; ++i) b.append(make_message("q", std::to_string(i)));
  auto a = append_ok(*s, b);
  const auto q = queue_id::topic("q");

  auto r = s->read(q, 3, 4, 1 << 20);
  REQUIRE(r);
  CHECK(payloads(*r) == std::vector<std::string>{"3", "4", "5", "6"});
  CHECK(r->next_offset == 7);
  CHECK(r->queue.next == 10);

  const auto one = a.messages[0].stored_bytes;
  r = s->read(q, 0, 100, one * 2 + 1);
  REQUIRE(r);
  CHECK(r->entries.size() == 2);

  SECTION("a single message larger than max_bytes is still returned") {
    r = s->read(q, 0, 100, 1);
    REQUIRE(r);
    CHECK(r->entries.size() == 1);
  }
  SECTION("reading at or past the end is empty, not an error") {
    r = s->read(q, 10, 100, 1 << 20);
    REQUIRE(r);
    CHECK(r->entries.empty());
    CHECK(r->next_offset == 10);
    r = s->read(q, 50, 100, 1 << 20);
    REQUIRE(r);
    CHECK(r->entries.empty());
  }
  SECTION("an unknown queue reads as empty") {
    r = s->read(queue_id::topic("nope"), 0, 100, 1 << 20);
    REQUIRE(r);
    CHECK(r->entries.empty());
    CHECK(r->queue.next == 0);
  }
}

TEST_CASE("first-level queue interleaves all topics under it in append order", "[storage][read]") {
  temp_dir dir;
  auto s = open_or_fail(options_for(dir));
  write_batch b;
  b.append(make_message("a/x", "1"));
  b.append(make_message("b/x", "2"));
  b.append(make_message("a", "3"));
  b.append(make_message("a/y/z", "4"));
  append_ok(*s, b);
  auto r = s->read(queue_id::first_level("a", 0), 0, 10, 1 << 20);
  REQUIRE(r);
  CHECK(payloads(*r) == std::vector<std::string>{"1", "3", "4"});

  auto snap = s->read_snapshot();
  REQUIRE(snap);
  auto c = snap->open_cursor(queue_id::first_level("a", 0), 1);
  REQUIRE(c);
  std::vector<std::uint64_t> seqs;
  for (;;) {
    auto more = c->next();
    REQUIRE(more);
    if (!*more) break;
    seqs.push_back(c->sequence());
    StoredMessage m;
    REQUIRE(c->decode(m));
    CHECK(!c->record().empty());
  }
  CHECK(seqs == std::vector<std::uint64_t>{3, 4});
}

TEST_CASE("partitions: a topic always lands in fnv1a64(topic) % n, counts recorded at first write", "[storage][partitions]") {
  temp_dir dir;
  auto o = options_for(dir);
  o.partitions["p"] = 4;
  {
    auto s = open_or_fail(o);
    write_batch b;
    for (int i = 0; i < 40; ++i) b.append(make_message("p/t" + std::to_string(i % 8), std::to_string(i)));
    auto r = append_ok(*s, b);
    for (int i = 0; i < 40; ++i) CHECK(r.messages[i].partition == partition_for("p/t" + std::to_string(i % 8), 4));
    std::uint64_t total = 0;
    for (std::uint32_t p = 0; p < 4; ++p) {
      auto q = s->read(queue_id::first_level("p", p), 0, 100, 1 << 20);
      REQUIRE(q);
      total += q->entries.size();
      for (const auto& e : q->entries) CHECK(partition_for(e.message.topic(), 4) == p);
    }
    CHECK(total == 40);
  }
  // Reopening with another count does not move existing first-level topics.
  o.partitions["p"] = 2;
  auto s = open_or_fail(o);
  auto snap = s->read_snapshot();
  REQUIRE(snap);
  auto n = snap->partitions("p");
  REQUIRE(n);
  CHECK(n->value() == 4);
  write_batch b;
  b.append(make_message("p/t3", "x"));
  auto r = append_ok(*s, b);
  CHECK(r.messages[0].partition == partition_for("p/t3", 4));
  CHECK(fnv1a64("") == 14695981039346656037ull);
  CHECK(fnv1a64("a") == 0xaf63dc4c8601ec8cull);
}

TEST_CASE("resolve_filter uses the topic directory", "[storage][directory]") {
  temp_dir dir;
  auto s = open_or_fail(options_for(dir));
  write_batch b;
  for (const char* t : {"a/b/c", "a/x/c", "a/b", "a", "ab/c", "b/b/c", "$SYS/x", "/lead"}) b.append(make_message(t, "p"));
  append_ok(*s, b);
  auto names = [&](const std::string& filter) {
    auto r = s->resolve_filter(filter);
    INFO(filter << " " << r.error().to_string());
    REQUIRE(r);
    std::vector<std::string> out;
    for (const auto& q : *r) {
      CHECK(q.kind == queue_kind::topic);
      out.push_back(q.name);
    }
    std::sort(out.begin(), out.end());
    return out;
  };
  CHECK(names("a/+/c") == std::vector<std::string>{"a/b/c", "a/x/c"});
  CHECK(names("a/#") == std::vector<std::string>{"a", "a/b", "a/b/c", "a/x/c"});
  CHECK(names("+/b/c") == std::vector<std::string>{"a/b/c", "b/b/c"});
  CHECK(names("#") == std::vector<std::string>{"/lead", "a", "a/b", "a/b/c", "a/x/c", "ab/c", "b/b/c"});
  CHECK(names("$SYS/#") == std::vector<std::string>{"$SYS/x"});
  CHECK(names("a/b") == std::vector<std::string>{"a/b"});
  CHECK(names("+/lead") == std::vector<std::string>{"/lead"});
  CHECK(names("nothing/here").empty());
  CHECK(names("$share/g/a/+/c") == std::vector<std::string>{"a/b/c", "a/x/c"});
  auto bad = s->resolve_filter("a/#/b");
  REQUIRE_FALSE(bad);
  CHECK(bad.error().code() == status_code::invalid_argument);
}

TEST_CASE("consumer offsets commit atomically with appends", "[storage][offsets]") {
  temp_dir dir;
  auto s = open_or_fail(options_for(dir));
  const auto q = queue_id::first_level("a", 0);
  write_batch b;
  b.append(make_message("a/b", "1"));
  b.commit_offset("group-1", q, 1);
  b.commit_offset("client-7", queue_id::topic("a/b"), 5);
  append_ok(*s, b);
  auto snap = s->read_snapshot();
  REQUIRE(snap);
  auto off = snap->committed_offset("group-1", q);
  REQUIRE(off);
  CHECK(off->value() == 1);
  auto none = snap->committed_offset("group-1", queue_id::topic("a/b"));
  REQUIRE(none);
  CHECK_FALSE(none->has_value());
  auto all = snap->committed_offsets("client-7");
  REQUIRE(all);
  REQUIRE(all->size() == 1);
  CHECK((*all)[0].first == queue_id::topic("a/b"));
  CHECK((*all)[0].second == 5);

  write_batch d;
  d.delete_offsets("client-7");
  d.commit_offset("group-1", q, 2);
  append_ok(*s, d);
  snap = s->read_snapshot();
  REQUIRE(snap);
  CHECK(snap->committed_offsets("client-7")->empty());
  CHECK(snap->committed_offset("group-1", q)->value() == 2);
}

TEST_CASE("sessions round-trip with every field, and delete", "[storage][sessions]") {
  temp_dir dir;
  auto s = open_or_fail(options_for(dir));
  Session ses;
  ses.set_client_id("c1");
  ses.set_protocol_version(5);
  auto* sub = ses.add_subscriptions();
  sub->set_filter("$share/g/a/#");
  sub->set_max_qos(2);
  sub->set_no_local(true);
  sub->set_retain_as_published(true);
  sub->set_retain_handling(2);
  sub->set_subscription_identifier(42);
  ses.set_session_expiry_interval_s(3600);
  ses.mutable_will()->mutable_message()->set_topic("will/t");
  ses.mutable_will()->set_delay_interval_s(10);
  auto* inf = ses.add_inflight();
  inf->set_packet_id(7);
  inf->set_sequence(99);
  inf->set_state(unimq::proto::InflightOutbound::AWAITING_PUBCOMP);
  ses.add_inbound_qos2_awaiting_pubrel(3);
  ses.add_inbound_qos2_awaiting_pubrel(9);

  write_batch b;
  b.put_session("c1", ses);
  b.put_session("c2", Session());
  append_ok(*s, b);
  {
    auto snap = s->read_snapshot();
    REQUIRE(snap);
    auto got = snap->session("c1");
    REQUIRE(got);
    REQUIRE(got->has_value());
    CHECK((*got)->SerializeAsString() == ses.SerializeAsString());
    CHECK((*got)->subscriptions(0).subscription_identifier() == 42);
    CHECK((*got)->inflight(0).state() == unimq::proto::InflightOutbound::AWAITING_PUBCOMP);
    auto all = snap->sessions();
    REQUIRE(all);
    CHECK(all->size() == 2);
    auto missing = snap->session("nobody");
    REQUIRE(missing);
    CHECK_FALSE(missing->has_value());
  }
  write_batch d;
  d.delete_session("c1");
  d.delete_session("never-existed");
  append_ok(*s, d);
  auto snap = s->read_snapshot();
  REQUIRE(snap);
  CHECK_FALSE(snap->session("c1")->has_value());
  CHECK(snap->session("c2")->has_value());
}

TEST_CASE("retained messages: put, replace, clear, lookup by filter", "[storage][retained]") {
  temp_dir dir;
  auto s = open_or_fail(options_for(dir));
  write_batch b;
  for (const char* t : {"a/b", "a/c", "ab/c", "a", "$SYS/up"}) b.put_retained(make_message(t, std::string("r-") + t));
  b.put_retained(make_message("a/b", "r-a/b-2"));
  append_ok(*s, b);
  auto topics = [&](const std::string& filter) {
    auto r = s->retained_matching(filter);
    INFO(r.error().to_string());
    REQUIRE(r);
    std::vector<std::string> out;
    for (const auto& m : *r) out.push_back(m.topic() + "=" + m.payload());
    return out;
  };
  CHECK(topics("a/+") == std::vector<std::string>{"a/b=r-a/b-2", "a/c=r-a/c"});
  CHECK(topics("a/#") == std::vector<std::string>{"a=r-a", "a/b=r-a/b-2", "a/c=r-a/c"});
  CHECK(topics("#").size() == 4);
  CHECK(topics("$SYS/+") == std::vector<std::string>{"$SYS/up=r-$SYS/up"});
  CHECK(topics("ab/c") == std::vector<std::string>{"ab/c=r-ab/c"});

  write_batch d;
  d.delete_retained("a/b");
  d.delete_retained("not/there");
  append_ok(*s, d);
  CHECK(topics("a/+") == std::vector<std::string>{"a/c=r-a/c"});
  auto snap = s->read_snapshot();
  REQUIRE(snap);
  CHECK(snap->retained("a/c")->has_value());
  CHECK_FALSE(snap->retained("a/b")->has_value());
}

TEST_CASE("an invalid operation rejects the whole batch and nothing is written", "[storage][atomic]") {
  temp_dir dir;
  auto s = open_or_fail(options_for(dir));
  auto reject = [&](write_batch& b) {
    b.append(make_message("ok/topic", "x"));
    b.put_session("c", Session());
    auto r = s->append(b);
    REQUIRE_FALSE(r);
    CHECK(r.error().code() == status_code::invalid_argument);
    CHECK(!r.error().message().empty());
  };
  {
    write_batch b;
    b.append(make_message("a/+", "wild"));
    reject(b);
  }
  {
    write_batch b;
    b.append(make_message("", "empty"));
    reject(b);
  }
  {
    write_batch b;
    b.append(make_message("q", "x", 3));
    reject(b);
  }
  {
    write_batch b;
    b.commit_offset(std::string("a\0b", 3), queue_id::topic("t"), 1);
    reject(b);
  }
  {
    write_batch b;
    b.put_retained(make_message("#", "x"));
    reject(b);
  }
  CHECK(s->stats().message_count == 0);
  CHECK(s->stats().next_sequence == 1);
  auto snap = s->read_snapshot();
  REQUIRE(snap);
  CHECK(snap->sessions()->empty());
  CHECK(snap->resolve_filter("#")->empty());
}

TEST_CASE("an empty batch commits and changes nothing", "[storage][append]") {
  temp_dir dir;
  auto s = open_or_fail(options_for(dir));
  auto r = append_ok(*s, write_batch());
  CHECK(r.messages.empty());
}

TEST_CASE("everything survives close and reopen, and sequences continue", "[storage][reopen]") {
  temp_dir dir;
  const auto o = options_for(dir);
  {
    auto s = open_or_fail(o);
    write_batch b;
    b.append(make_message("a/b", "1"));
    b.append(make_message("a/b", "2"));
    b.put_session("c", Session());
    b.put_retained(make_message("a/b", "ret"));
    b.commit_offset("g", queue_id::topic("a/b"), 1);
    append_ok(*s, b);
  }
  auto s = open_or_fail(o);
  CHECK(s->stats().next_sequence == 3);
  CHECK(s->stats().message_count == 2);
  write_batch b;
  b.append(make_message("a/b", "3"));
  auto r = append_ok(*s, b);
  CHECK(r.messages[0].sequence == 3);
  CHECK(r.messages[0].topic_offset == 2);
  auto q = s->read(queue_id::topic("a/b"), 0, 10, 1 << 20);
  REQUIRE(q);
  CHECK(payloads(*q) == std::vector<std::string>{"1", "2", "3"});
  auto snap = s->read_snapshot();
  REQUIRE(snap);
  CHECK(snap->session("c")->has_value());
  CHECK(snap->retained("a/b")->value().payload() == "ret");
  CHECK(snap->committed_offset("g", queue_id::topic("a/b"))->value() == 1);
}

TEST_CASE("a data directory can be open only once at a time", "[storage][open]") {
  temp_dir dir;
  auto s = open_or_fail(options_for(dir));
  auto second = store::open(options_for(dir));
  REQUIRE_FALSE(second);
  CHECK(second.error().code() == status_code::busy);
  s.reset();
  CHECK(store::open(options_for(dir)));
}

TEST_CASE("start-up refuses directories that are not ours or newer", "[storage][open]") {
  temp_dir dir;
  SECTION("foreign files and no data.mdb") {
    std::filesystem::create_directories(dir.data());
    std::ofstream(dir.data() + "/notes.txt") << "hello";
    auto s = store::open(options_for(dir));
    REQUIRE_FALSE(s);
    CHECK(s.error().code() == status_code::not_ours);
    CHECK(s.error().message().find("notes.txt") != std::string::npos);
  }
  SECTION("an LMDB environment of another application") {
    std::filesystem::create_directories(dir.data());
    MDB_env* env = nullptr;
    REQUIRE(mdb_env_create(&env) == 0);
    REQUIRE(mdb_env_open(env, dir.data().c_str(), 0, 0644) == 0);
    MDB_txn* txn = nullptr;
    REQUIRE(mdb_txn_begin(env, nullptr, 0, &txn) == 0);
    MDB_dbi dbi = 0;
    REQUIRE(mdb_dbi_open(txn, nullptr, 0, &dbi) == 0);
    MDB_val k{3, const_cast<char*>("key")};
    MDB_val v{3, const_cast<char*>("val")};
    REQUIRE(mdb_put(txn, dbi, &k, &v, 0) == 0);
    REQUIRE(mdb_txn_commit(txn) == 0);
    mdb_env_close(env);
    auto s = store::open(options_for(dir));
    REQUIRE_FALSE(s);
    CHECK(s.error().code() == status_code::not_ours);
  }
  SECTION("a newer format version") {
    { auto s = open_or_fail(options_for(dir)); }
    MDB_env* env = nullptr;
    REQUIRE(mdb_env_create(&env) == 0);
    REQUIRE(mdb_env_set_maxdbs(env, 16) == 0);
    REQUIRE(mdb_env_open(env, dir.data().c_str(), 0, 0644) == 0);
    MDB_txn* txn = nullptr;
    REQUIRE(mdb_txn_begin(env, nullptr, 0, &txn) == 0);
    MDB_dbi meta = 0;
    REQUIRE(mdb_dbi_open(txn, "meta", 0, &meta) == 0);
    std::string version;
    key_codec::put_u32(version, kFormatVersion + 1);
    MDB_val k{kMetaVersionKey.size(), const_cast<char*>(kMetaVersionKey.data())};
    MDB_val v{version.size(), version.data()};
    REQUIRE(mdb_put(txn, meta, &k, &v, 0) == 0);
    REQUIRE(mdb_txn_commit(txn) == 0);
    mdb_env_close(env);
    auto s = store::open(options_for(dir));
    REQUIRE_FALSE(s);
    CHECK(s.error().code() == status_code::newer_format);
    CHECK(s.error().message().find("upgrade") != std::string::npos);
  }
  SECTION("bad options") {
    auto o = options_for(dir);
    o.data_dir.clear();
    CHECK(store::open(o).error().code() == status_code::invalid_argument);
    o = options_for(dir);
    o.default_partitions = 0;
    CHECK(store::open(o).error().code() == status_code::invalid_argument);
  }
}

TEST_CASE("the map grows on demand, and at max_map_size appends fail with quota_exceeded", "[storage][mapsize]") {
  temp_dir dir;
  auto o = options_for(dir);
  o.initial_map_size = 256 << 10;
  o.max_map_size = 4 << 20;
  auto s = open_or_fail(o);
  const std::string payload(4000, 'x');
  std::uint64_t appended = 0;
  status last;
  for (int i = 0; i < 2000; ++i) {
    write_batch b;
    for (int j = 0; j < 8; ++j) b.append(make_message("big/" + std::to_string(j), payload));
    auto r = s->append(b);
    if (!r) {
      last = r.error();
      break;
    }
    appended += 8;
  }
  CHECK(last.code() == status_code::quota_exceeded);
  CHECK(last.message().find("max_map_size") != std::string::npos);
  CHECK(s->stats().map_size == o.max_map_size);
  CHECK(appended > 256);  // it grew well past the initial map
  CHECK(s->stats().message_count == appended);
  // The store is intact: everything appended reads back, and small writes that fit still work.
  std::uint64_t read = 0;
  for (int j = 0; j < 8; ++j) {
    auto r = s->read(queue_id::topic("big/" + std::to_string(j)), 0, 100000, std::size_t{1} << 30);
    REQUIRE(r);
    read += r->entries.size();
  }
  CHECK(read == appended);
  write_batch b;
  b.append(make_message("big/0", payload));
  SECTION("retention frees room at the limit") {
    s.reset();
    o.retention_max_bytes = 1 << 20;
    s = open_or_fail(o);
    for (;;) {
      auto r = s->run_retention(0);
      INFO(r.error().to_string());
      REQUIRE(r);
      if (!r->more) break;
    }
    CHECK(s->stats().log_bytes <= o.retention_max_bytes);
    CHECK(s->append(b));
  }
  SECTION("raising the limit lets appends continue") {
    s.reset();
    o.max_map_size = 64 << 20;
    s = open_or_fail(o);
    CHECK(s->append(b));
  }
}

TEST_CASE("retention by size deletes the oldest messages and their index entries", "[storage][retention]") {
  temp_dir dir;
  auto o = options_for(dir);
  auto s = open_or_fail(o);
  write_batch b;
  for (int i = 0; i < 20; ++i) b.append(make_message(i % 2 ? "r/odd" : "r/even", std::string(100, 'a' + i)));
  auto a = append_ok(*s, b);
  const auto record = a.messages[0].stored_bytes;
  s.reset();
  o.retention_max_bytes = record * 5;
  o.retention_batch = 4;
  s = open_or_fail(o);
  std::uint64_t deleted = 0;
  for (;;) {
    auto r = s->run_retention(0);
    REQUIRE(r);
    deleted += r->deleted;
    if (!r->more) break;
    CHECK(r->deleted == 4);
  }
  CHECK(deleted == 15);
  CHECK(s->stats().message_count == 5);
  CHECK(s->stats().log_bytes <= o.retention_max_bytes);

  auto r = s->read(queue_id::topic("r/odd"), 0, 100, 1 << 20);
  REQUIRE(r);
  CHECK(r->skipped_to_oldest);
  CHECK(r->queue.oldest == 7);  // odd messages 15, 17, 19 remain
  CHECK(r->entries.front().offset == 7);
  CHECK(r->entries.size() == 3);
  auto fl = s->read(queue_id::first_level("r", 0), 15, 100, 1 << 20);
  REQUIRE(fl);
  CHECK_FALSE(fl->skipped_to_oldest);
  CHECK(fl->entries.size() == 5);
  auto snap = s->read_snapshot();
  REQUIRE(snap);
  CHECK_FALSE(snap->message(1)->has_value());
  CHECK(snap->message(20)->has_value());
}

TEST_CASE("retention by age stops at the first young message", "[storage][retention]") {
  temp_dir dir;
  auto o = options_for(dir);
  o.retention_max_age_ms = 1000;
  auto s = open_or_fail(o);
  write_batch b;
  for (std::uint64_t ts : {100, 200, 5000, 300, 6000}) b.append(make_message("age", "x", 1, ts));
  append_ok(*s, b);
  auto r = s->run_retention(5500);  // cutoff 4500
  REQUIRE(r);
  CHECK(r->deleted == 2);
  auto q = s->read(queue_id::topic("age"), 0, 10, 1 << 20);
  REQUIRE(q);
  CHECK(q->queue.oldest == 2);
  CHECK(q->entries.size() == 3);
  r = s->run_retention(100000);
  REQUIRE(r);
  CHECK(r->deleted == 3);
  q = s->read(queue_id::topic("age"), 0, 10, 1 << 20);
  REQUIRE(q);
  CHECK(q->entries.empty());
  CHECK(q->queue.oldest == 5);
  CHECK(q->queue.next == 5);
  CHECK(q->next_offset == 5);
  // Sequences and offsets are never reused after everything was deleted.
  write_batch more;
  more.append(make_message("age", "y", 1, 200000));
  auto a = append_ok(*s, more);
  CHECK(a.messages[0].sequence == 6);
  CHECK(a.messages[0].topic_offset == 5);
}

TEST_CASE("retained messages are copies and survive retention of the original", "[storage][retained][retention]") {
  temp_dir dir;
  auto o = options_for(dir);
  o.retention_max_age_ms = 1;
  auto s = open_or_fail(o);
  write_batch b;
  auto m = make_message("keep/me", "retained payload", 1, 10);
  b.append(m);
  b.put_retained(m);
  append_ok(*s, b);
  auto r = s->run_retention(1000);
  REQUIRE(r);
  CHECK(r->deleted == 1);
  auto ret = s->retained_matching("keep/#");
  REQUIRE(ret);
  REQUIRE(ret->size() == 1);
  CHECK((*ret)[0].payload() == "retained payload");
}

TEST_CASE("readers on other threads see consistent snapshots while the writer appends", "[storage][concurrency]") {
  temp_dir dir;
  auto o = options_for(dir);
  o.mode = durability::nosync;
  o.initial_map_size = 256 << 10;  // force map growth while readers run
  auto s = open_or_fail(o);
  constexpr int kBatches = 300;
  std::atomic<bool> done{false};
  std::atomic<int> reads{0};
  std::vector<std::string> errors;
  std::mutex errors_mutex;
  auto reader = [&] {
    while (!done.load()) {
      auto r = s->read(queue_id::topic("c/t"), 0, 100000, std::size_t{1} << 30);
      auto fl = s->read(queue_id::first_level("c", 0), 0, 100000, std::size_t{1} << 30);
      std::lock_guard<std::mutex> lock(errors_mutex);
      if (!r || !fl) {
        errors.push_back((!r ? r.error() : fl.error()).to_string());
        continue;
      }
      // Batches are whole: each holds 10 messages.
      if (r->entries.size() % 10 != 0) errors.push_back("partial batch visible: " + std::to_string(r->entries.size()));
      for (std::size_t i = 0; i < r->entries.size(); ++i)
        if (r->entries[i].message.payload() != std::to_string(i)) errors.push_back("wrong payload at " + std::to_string(i));
      ++reads;
    }
  };
  std::thread t1(reader);
  std::thread t2(reader);
  for (int i = 0; i < kBatches; ++i) {
    write_batch b;
    for (int j = 0; j < 10; ++j) b.append(make_message("c/t", std::to_string(i * 10 + j)));
    REQUIRE(s->append(b));
  }
  done = true;
  t1.join();
  t2.join();
  CHECK(errors.empty());
  if (!errors.empty()) FAIL(errors.front());
  CHECK(s->stats().map_size > o.initial_map_size);
}

TEST_CASE("snapshot point lookups: queue_info, message, partitions, cursor clamping", "[storage][read]") {
  temp_dir dir;
  auto o = options_for(dir);
  o.retention_max_age_ms = 1;
  auto s = open_or_fail(o);
  write_batch b;
  b.append(make_message("q/1", "old", 1, 10));
  b.append(make_message("q/1", "new", 1, 1000000));
  append_ok(*s, b);
  REQUIRE(s->run_retention(500000)->deleted == 1);
  auto snap = s->read_snapshot();
  REQUIRE(snap);
  auto info = snap->queue_info(queue_id::topic("q/1"));
  REQUIRE(info);
  CHECK(info->value() == queue_state{2, 1});
  CHECK_FALSE(snap->queue_info(queue_id::topic("q/2"))->has_value());
  CHECK_FALSE(snap->message(1)->has_value());
  CHECK(snap->message(2)->value().payload() == "new");
  CHECK_FALSE(snap->message(0)->has_value());
  CHECK_FALSE(snap->partitions("nope")->has_value());
  auto c = snap->open_cursor(queue_id::topic("q/1"), 0);
  REQUIRE(c);
  CHECK(c->skipped_to_oldest());
  REQUIRE(*c->next());
  CHECK(c->offset() == 1);
  CHECK_FALSE(*c->next());
  CHECK_FALSE(*c->next());  // stays at the end
  auto beyond = s->read(queue_id::first_level("q", 5), 0, 10, 100);  // partition that does not exist
  REQUIRE(beyond);
  CHECK(beyond->entries.empty());
  CHECK(s->retained_matching("a/#/b").error().code() == status_code::invalid_argument);
}

TEST_CASE("map growth waits for open snapshots, then reports busy instead of deadlocking", "[storage][mapsize]") {
  temp_dir dir;
  auto o = options_for(dir);
  o.initial_map_size = 256 << 10;
  o.resize_wait_ms = 50;
  auto s = open_or_fail(o);
  write_batch big;
  for (int i = 0; i < 200; ++i) big.append(make_message("g/" + std::to_string(i % 4), std::string(4000, 'g')));
  {
    auto snap = s->read_snapshot();
    REQUIRE(snap);
    auto r = s->append(big);
    REQUIRE_FALSE(r);
    CHECK(r.error().code() == status_code::busy);
    CHECK(s->stats().message_count == 0);
  }
  auto r = s->append(big);  // snapshot closed: growth proceeds
  INFO(r.error().to_string());
  REQUIRE(r);
  CHECK(s->stats().message_count == 200);
}

TEST_CASE("a batch's appended messages can be taken back after the commit, in append order", "[storage][append]") {
  temp_dir dir;
  auto s = open_or_fail(options_for(dir));
  write_batch b;
  b.append(make_message("a/b", "1"));
  b.put_retained(make_message("a/b", "retained"));
  b.append(make_message("x", "2"));
  append_ok(*s, b);
  const auto taken = b.take_messages();
  REQUIRE(taken.size() == 2);
  CHECK(taken[0].payload() == "1");
  CHECK(taken[1].payload() == "2");
  CHECK(b.empty());
  CHECK(b.message_count() == 0);
}
