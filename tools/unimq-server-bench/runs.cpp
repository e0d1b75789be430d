#include "runs.hpp"

#include <chrono>
#include <cstring>
#include <deque>
#include <future>
#include <optional>
#include <set>

namespace unimq::server_bench {
namespace {

using clock = std::chrono::steady_clock;

double seconds_since(clock::time_point start) {
  return std::chrono::duration<double>(clock::now() - start).count();
}

std::string payload(std::uint64_t sequence, std::size_t size) {
  std::string p(size, 'x');
  std::memcpy(p.data(), &sequence, sizeof sequence);
  return p;
}

std::uint64_t sequence_of(const std::string& payload) {
  std::uint64_t sequence = 0;
  if (payload.size() >= sizeof sequence) std::memcpy(&sequence, payload.data(), sizeof sequence);
  return sequence;
}

run_result failed(run_result r, std::string problem) {
  r.ok = false;
  r.problem = std::move(problem);
  return r;
}

std::string first_level(const std::string& topic) { return topic.substr(0, topic.find('/')); }

}  // namespace

run_result produce_run(const std::shared_ptr<client::node>& node, const run_options& options) {
  client::producer_options po;
  po.max_batch_messages = options.batch_messages;
  po.max_batches_in_flight = options.batches_in_flight;
  client::producer producer(node, po);
  // Receipts are checked as they complete, so memory stays bounded by the batches in flight.
  std::deque<std::future<client::receipt>> pending;
  std::set<std::uint32_t> partitions;
  std::optional<client::receipt> previous;
  run_result r;
  auto check_oldest = [&] {
    const auto receipt = pending.front().get();
    pending.pop_front();
    partitions.insert(receipt.partition);
    if (r.ok && previous && (receipt.partition != previous->partition || receipt.offset != previous->offset + 1))
      r = failed(r, "message " + std::to_string(r.messages) + " stored at offset " + std::to_string(receipt.offset) +
                        " of partition " + std::to_string(receipt.partition) + " after offset " +
                        std::to_string(previous->offset) + " of partition " + std::to_string(previous->partition));
    previous = receipt;
    ++r.messages;
  };
  const auto window = 2 * options.batch_messages * options.batches_in_flight;
  const auto start = clock::now();
  for (std::uint64_t i = 0; i < options.messages; ++i) {
    client::message m;
    m.topic = options.topic;
    m.payload = payload(i, options.payload_size);
    pending.push_back(producer.send(std::move(m)));
    while (pending.size() > window || (!pending.empty() && pending.front().wait_for(std::chrono::seconds(0)) ==
                                                               std::future_status::ready))
      check_oldest();
  }
  producer.flush();
  r.seconds = seconds_since(start);
  while (!pending.empty()) check_oldest();
  r.partitions = static_cast<std::uint32_t>(partitions.size());
  return r;
}

run_result catchup_run(const std::shared_ptr<client::node>& node, const run_options& options) {
  client::consumer_options co;
  co.group = "bench-" + options.topic;
  for (auto& c : co.group)
    if (c == '/') c = '-';
  co.topic = first_level(options.topic);
  co.from = client::start_position::oldest();
  run_result r;
  std::set<std::uint32_t> partitions;
  std::uint64_t expected = 0;  // the next sequence number
  const auto start = clock::now();
  client::consumer member(node, co);
  auto last_message = clock::now();
  while (r.messages < options.messages) {
    const auto batch = member.poll(std::chrono::milliseconds(100));
    if (batch.empty() && clock::now() - last_message > std::chrono::seconds(10))
      return failed(r, "nothing for 10 s after " + std::to_string(r.messages) + " messages");
    for (const auto& m : batch) {
      const auto sequence = sequence_of(m.payload);
      if (sequence != expected)
        return failed(r, "message " + std::to_string(sequence) + " arrived when " + std::to_string(expected) +
                             " was due (offset " + std::to_string(m.offset) + ")");
      ++expected;
      partitions.insert(m.partition);
    }
    if (!batch.empty()) last_message = clock::now();
    r.messages += batch.size();
  }
  r.seconds = seconds_since(start);
  r.partitions = static_cast<std::uint32_t>(partitions.size());
  // Anything beyond the pre-filled messages would be a duplicate.
  const auto extra = member.poll(std::chrono::milliseconds(200));
  if (!extra.empty()) return failed(r, std::to_string(extra.size()) + " messages more than were produced");
  return r;
}

}  // namespace unimq::server_bench
