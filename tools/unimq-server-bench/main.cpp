// unimq-server-bench: server-side throughput against a running unimqd (--node-port), checking what it
// measures (docs/benchmarks.md, "Server-side"):
//   produce   one producer sends N messages to one topic over CAF remote, batched; time to the last commit
//   catchup   pre-fills N messages into one partition (timed as a produce run), then a fresh consumer
//             group reads them all; time from the member's join to the last message in its poll loop
// Every run uses a fresh topic; --runs K repeats it and reports each run and the median.

#include <algorithm>
#include <cstdio>
#include <iostream>
#include <limits>
#include <optional>
#include <string>
#include <unistd.h>
#include <vector>

#include "config/value_parsers.hpp"
#include "runs.hpp"

namespace {

using namespace unimq;
using namespace unimq::server_bench;

const char* const kUsage =
    "usage: unimq-server-bench [options] produce|catchup\n"
    "  --node HOST:PORT   unimqd's node port (default 127.0.0.1:7000)\n"
    "  --messages N       per run (default 1000000)\n"
    "  --size B           payload bytes, at least 8 (default 64)\n"
    "  --batch N          producer batch, messages (default 1024)\n"
    "  --in-flight N      producer batches in flight (default 4)\n"
    "  --runs K           repeat K times, each on a fresh topic, and report the median (default 1)\n";

struct options {
  std::string node = "127.0.0.1:7000";
  std::string mode;
  run_options run;
  unsigned runs = 1;
};

std::optional<options> parse(int argc, char** argv) {
  options o;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "produce" || a == "catchup") {
      o.mode = a;
      continue;
    }
    if (i + 1 >= argc) return std::nullopt;
    const std::string value = argv[++i];
    if (a == "--node") {
      o.node = value;
      continue;
    }
    const auto parsed = config::parse_unsigned(value);
    if (!parsed || *parsed == 0) return std::nullopt;
    const std::uint64_t n = *parsed;
    if (a == "--messages") o.run.messages = n;
    else if (a == "--size") o.run.payload_size = n;
    else if (a == "--batch") o.run.batch_messages = n;
    else if (a == "--in-flight") o.run.batches_in_flight = n;
    else if (a == "--runs" && n <= std::numeric_limits<unsigned>::max()) o.runs = static_cast<unsigned>(n);
    else return std::nullopt;
  }
  if (o.mode.empty() || o.run.payload_size < 8) return std::nullopt;
  return o;
}

// Prints one run; false if it failed its checks.
bool report(const std::string& what, const run_result& r, std::size_t payload_size) {
  const double rate = r.seconds > 0 ? r.messages / r.seconds : 0;
  std::printf("%-8s %9llu msgs  %7.3f s  %10.0f msg/s  %7.1f MB/s  partitions %u%s%s\n", what.c_str(),
              static_cast<unsigned long long>(r.messages), r.seconds, rate, rate * payload_size / 1e6, r.partitions,
              r.ok ? "" : "  FAILED: ", r.problem.c_str());
  return r.ok;
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

}  // namespace

int main(int argc, char** argv) {
  const auto o = parse(argc, argv);
  if (!o) {
    std::cerr << kUsage;
    return 2;
  }
  try {
    auto node = client::node::connect(o->node);
    std::vector<double> produce_rates, catchup_rates;
    bool ok = true;
    for (unsigned run = 0; run < o->runs; ++run) {
      auto r = o->run;
      r.topic = "bench" + std::to_string(::getpid()) + "r" + std::to_string(run) + "/p";
      const auto produced = produce_run(node, r);
      ok = report("produce", produced, r.payload_size) && ok;
      produce_rates.push_back(produced.messages / produced.seconds);
      if (o->mode == "catchup" && produced.ok) {
        const auto read = catchup_run(node, r);
        ok = report("catchup", read, r.payload_size) && ok;
        catchup_rates.push_back(read.messages / read.seconds);
      }
    }
    if (o->runs > 1) {
      std::printf("median   produce %.0f msg/s", median(produce_rates));
      if (!catchup_rates.empty()) std::printf("  catchup %.0f msg/s", median(catchup_rates));
      std::printf("\n");
    }
    return ok ? 0 : 1;
  } catch (const client::error& e) {
    std::cerr << "unimq-server-bench: " << e.what() << "\n";
    return 1;
  }
}
