#pragma once
// Helpers of the server-side tests: a unimqd with a node port, sequence-numbered messages, and a
// consumer loop that collects until a condition holds or a deadline passes.

#include <caf/all.hpp>
#include <caf/io/all.hpp>

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "broker_process.hpp"
#include "mqtt_client.hpp"
#include "unimq/client.hpp"

namespace unimq::st {

using namespace std::chrono_literals;

/// A started unimqd with --node-port (and `partitions` partitions per new first-level topic).
std::unique_ptr<it::broker_process> start_node_broker(std::uint32_t partitions = 4, bool sync = true);

/// A bare CAF node linked to the broker's node service, for tests that send the node's messages
/// themselves (as a misbehaving client could). Throws if the node port cannot be reached.
struct raw_node {
  explicit raw_node(const it::broker_process& broker);
  caf::actor_system_config config;  // before `system`, which it configures
  caf::actor_system system;
  caf::actor service;
};

/// A client link to the broker's node port.
std::shared_ptr<client::node> connect(const it::broker_process& broker);

/// A message on `topic` whose payload is the decimal `seq`.
client::message numbered(const std::string& topic, int seq);

/// Polls `c` until `done(received)` or `deadline`; returns everything received.
std::vector<client::message> poll_until(client::consumer& c, const std::function<bool(const std::vector<client::message>&)>& done,
                                        std::chrono::milliseconds deadline = 15s);

/// Polls until `n` messages arrived (or the deadline).
std::vector<client::message> poll_count(client::consumer& c, std::size_t n, std::chrono::milliseconds deadline = 15s);

/// Milliseconds since the Unix epoch, now.
std::uint64_t now_ms();

/// The payloads of `messages` as integers.
std::vector<int> sequence_numbers(const std::vector<client::message>& messages);

}  // namespace unimq::st
