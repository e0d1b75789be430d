#pragma once
// The two server-side measurements of unimq-server-bench (docs/benchmarks.md, "Server-side"). Each
// checks what it measured: every message acknowledged or received exactly once, or the run fails.

#include <cstdint>
#include <memory>
#include <string>

#include "unimq/client.hpp"

namespace unimq::server_bench {

/// What a run sends or reads.
struct run_options {
  std::uint64_t messages = 1000000;
  std::size_t payload_size = 64;  ///< at least 8: the payload starts with the message's sequence number
  std::size_t batch_messages = 1024;
  std::size_t batches_in_flight = 4;
  std::string topic;  ///< one full topic, so one partition; a fresh one per run
};

/// What a run measured; ok is false if a message was missing, duplicated or out of order.
struct run_result {
  bool ok = true;
  std::string problem;  ///< why ok is false
  std::uint64_t messages = 0;
  double seconds = 0;
  std::uint32_t partitions = 0;  ///< distinct partitions the messages were stored in
};

/// One producer sends `messages` to `topic` and flushes; timed from the first send to the commit of
/// the last. Checks one receipt per message, consecutive offsets in one partition.
run_result produce_run(const std::shared_ptr<client::node>& node, const run_options& options);

/// A fresh group (from oldest) reads everything `topic`'s first-level topic holds, which must be
/// exactly what produce_run stored there: timed from the member's construction (join) until the poll
/// loop holds the last message. Checks each sequence number arrives once, in order.
run_result catchup_run(const std::shared_ptr<client::node>& node, const run_options& options);

}  // namespace unimq::server_bench
