// Storage micro-benchmarks (docs/benchmarks.md, "Storage"):
// - store_append vs raw_lmdb_append: 64-byte messages on 16 topics under one first-level topic,
//   batches of 1, 16 and 256, sync and nosync. The raw baseline does the same LMDB puts of the same
//   bytes (commitlog record, both index entries, queue metadata and log state) with the same
//   transaction pattern, in the same run. Goal: store ≥ 0.8× raw.
// - catch_up_read / catch_up_cursor: reading one queue from offset 0. Goal: ≥ 1 M messages/s.

#include <benchmark/benchmark.h>
#include <lmdb.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "protocol/topic.hpp"
#include "storage/key_codec.hpp"
#include "storage/store.hpp"

namespace {

using namespace unimq::storage;

constexpr int kTopicCount = 16;
const std::string kPayload(64, 'x');

class bench_dir {
 public:
  bench_dir() {
    const char* base = std::getenv("TMPDIR");
    std::string tmpl = std::string(base != nullptr ? base : "/tmp") + "/unimq-bench-XXXXXX";
    if (::mkdtemp(tmpl.data()) == nullptr) std::abort();
    path = tmpl;
  }
  ~bench_dir() {
    std::error_code ec;
    std::filesystem::remove_all(path, ec);
  }
  std::string path;
};

std::string topic_of(std::uint64_t i) { return "bench/t" + std::to_string(i % kTopicCount); }

unimq::proto::StoredMessage make(std::uint64_t i) {
  unimq::proto::StoredMessage m;
  m.set_topic(topic_of(i));
  m.set_payload(kPayload);
  m.set_qos(1);
  m.set_origin("client-000001");
  m.set_timestamp_ms(1700000000000 + i);
  return m;
}

durability mode_of(const benchmark::State& state) { return state.range(1) ? durability::sync : durability::nosync; }

void store_append(benchmark::State& state) {
  const auto batch = static_cast<std::size_t>(state.range(0));
  bench_dir dir;
  store_options o;
  o.data_dir = dir.path;
  o.mode = mode_of(state);
  o.initial_map_size = std::size_t{1} << 30;
  auto s = store::open(o);
  if (!s) {
    state.SkipWithError(s.error().to_string().c_str());
    return;
  }
  // append() takes the batch by const reference, so one batch is committed again and again.
  write_batch b;
  for (std::size_t i = 0; i < batch; ++i) b.append(make(i));
  for (auto _ : state) {
    auto r = (*s)->append(b);
    if (!r) {
      state.SkipWithError(r.error().to_string().c_str());
      break;
    }
  }
  state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(batch));
  state.SetLabel(o.mode == durability::sync ? "sync" : "nosync");
}

// The same bytes the store writes, put with plain LMDB calls.
void raw_lmdb_append(benchmark::State& state) {
  const auto batch = static_cast<std::size_t>(state.range(0));
  bench_dir dir;
  MDB_env* env = nullptr;
  mdb_env_create(&env);
  mdb_env_set_maxdbs(env, 16);
  mdb_env_set_mapsize(env, std::size_t{1} << 30);
  unsigned flags = MDB_NOTLS | (mode_of(state) == durability::nosync ? MDB_NOSYNC : 0);
  if (mdb_env_open(env, dir.path.c_str(), flags, 0644) != 0) {
    state.SkipWithError("mdb_env_open");
    return;
  }
  MDB_txn* txn = nullptr;
  mdb_txn_begin(env, nullptr, 0, &txn);
  MDB_dbi commitlog, fl, tq, qmeta, meta;
  mdb_dbi_open(txn, "commitlog", MDB_CREATE, &commitlog);
  mdb_dbi_open(txn, "fl_queue", MDB_CREATE, &fl);
  mdb_dbi_open(txn, "topic_queue", MDB_CREATE, &tq);
  mdb_dbi_open(txn, "queue_meta", MDB_CREATE, &qmeta);
  mdb_dbi_open(txn, "meta", MDB_CREATE, &meta);
  mdb_txn_commit(txn);

  std::vector<std::string> records;
  std::vector<queue_id> topic_queues;
  for (std::size_t i = 0; i < batch; ++i) {
    auto m = make(i);
    m.set_first_level_offset(1000);  // the store's trailer fields, so the record has the same size
    m.set_topic_offset(1000);
    m.set_partition(1);
    records.push_back(m.SerializeAsString());
    topic_queues.push_back(queue_id::topic(topic_of(i)));
  }
  const auto fl_queue = queue_id::first_level("bench", 0);
  std::uint64_t seq = 1;
  std::uint64_t fl_next = 0;
  std::map<std::string, std::uint64_t> next;
  const std::string state_value(16, 's');
  const std::string log_value(24, 'l');
  const std::string log_key = "log_state";
  for (auto _ : state) {
    mdb_txn_begin(env, nullptr, 0, &txn);
    std::map<std::string, std::uint64_t> touched;
    for (std::size_t i = 0; i < batch; ++i, ++seq) {
      const auto sk = key_codec::sequence_key(seq);
      MDB_val k{sk.size(), const_cast<char*>(sk.data())};
      MDB_val v{records[i].size(), records[i].data()};
      mdb_put(txn, commitlog, &k, &v, MDB_APPEND);
      std::string sv;
      key_codec::put_u64(sv, seq);
      MDB_val svv{sv.size(), sv.data()};
      const auto fk = key_codec::entry_key(fl_queue, fl_next++);
      MDB_val fkv{fk.size(), const_cast<char*>(fk.data())};
      mdb_put(txn, fl, &fkv, &svv, 0);
      const auto qk = key_codec::queue_key(topic_queues[i]);
      const auto tk = key_codec::entry_key(topic_queues[i], next[qk]++);
      MDB_val tkv{tk.size(), const_cast<char*>(tk.data())};
      mdb_put(txn, tq, &tkv, &svv, 0);
      touched[qk] = 1;
    }
    touched[key_codec::queue_key(fl_queue)] = 1;
    for (const auto& [qk, _] : touched) {
      MDB_val k{qk.size(), const_cast<char*>(qk.data())};
      MDB_val v{state_value.size(), const_cast<char*>(state_value.data())};
      mdb_put(txn, qmeta, &k, &v, 0);
    }
    MDB_val lk{log_key.size(), const_cast<char*>(log_key.data())};
    MDB_val lv{log_value.size(), const_cast<char*>(log_value.data())};
    mdb_put(txn, meta, &lk, &lv, 0);
    if (mdb_txn_commit(txn) != 0) {
      state.SkipWithError("commit");
      break;
    }
  }
  mdb_env_close(env);
  state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(batch));
  state.SetLabel(mode_of(state) == durability::sync ? "sync" : "nosync");
}

constexpr std::uint64_t kCatchUpMessages = 200000;

struct filled_store {
  bench_dir dir;
  std::unique_ptr<store> s;
  filled_store() {
    store_options o;
    o.data_dir = dir.path;
    o.mode = durability::nosync;
    o.initial_map_size = std::size_t{1} << 30;
    auto opened = store::open(o);
    if (!opened) std::abort();
    s = std::move(*opened);
    for (std::uint64_t done = 0; done < kCatchUpMessages;) {
      write_batch b;
      for (int i = 0; i < 1000; ++i, ++done) {
        auto m = make(done);
        m.set_topic("catchup/one");
        b.append(std::move(m));
      }
      if (!s->append(b)) std::abort();
    }
  }
};

filled_store& catch_up_store() {
  static filled_store f;
  return f;
}

void catch_up_read(benchmark::State& state) {
  auto& s = *catch_up_store().s;
  const auto q = queue_id::topic("catchup/one");
  std::uint64_t total = 0;
  for (auto _ : state) {
    std::uint64_t from = 0;
    for (;;) {
      auto r = s.read(q, from, 1000, std::size_t{1} << 20);
      if (!r || r->entries.empty()) break;
      total += r->entries.size();
      from = r->next_offset;
      benchmark::DoNotOptimize(r->entries.back().message.payload().data());
    }
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(total));
}

void catch_up_cursor(benchmark::State& state) {
  auto& s = *catch_up_store().s;
  const auto q = queue_id::topic("catchup/one");
  std::uint64_t total = 0;
  for (auto _ : state) {
    auto snap = s.read_snapshot();
    auto c = snap->open_cursor(q, 0);
    for (;;) {
      auto more = c->next();
      if (!more || !*more) break;
      benchmark::DoNotOptimize(c->record().data());
      ++total;
    }
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(total));
}

void append_args(benchmark::internal::Benchmark* b) {
  b->ArgNames({"batch", "sync"});
  for (int sync : {0, 1})
    for (int batch : {1, 16, 256}) b->Args({batch, sync});
  b->UseRealTime();
}

}  // namespace

BENCHMARK(store_append)->Apply(append_args);
BENCHMARK(raw_lmdb_append)->Apply(append_args);
BENCHMARK(catch_up_read)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(catch_up_cursor)->Unit(benchmark::kMillisecond)->UseRealTime();

BENCHMARK_MAIN();
