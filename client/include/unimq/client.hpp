#pragma once
// unimq's server-side client: produce to and consume from a unimqd node over CAF's middleman
// (`unimqd --node-port PORT`). Server applications see first-level topic queues (`a` covers `a/b/c`
// and `a/x`), split into partitions and consumed by groups with committed offsets, like RocketMQ
// consumers; MQTT devices see the same stored messages through their topics.
//
// The header does not expose CAF: a node owns its own actor system. All classes are thread-safe
// unless said otherwise. Errors are reported as unimq::client::error exceptions.

#include <chrono>
#include <cstdint>
#include <future>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace unimq::client {

/// Every failure: unreachable node, refused request, bad argument. what() says which and why.
class error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// A message as produced and as consumed. Producers fill the first block; the node fills the rest.
/// How each field maps to MQTT (QoS, retain, v5 properties) is documented in docs/server-side.md.
struct message {
  std::string topic;  ///< a full MQTT topic name (`a/b/c`), no wildcards
  std::string payload;
  std::uint8_t qos = 1;  ///< the QoS MQTT subscribers receive it at (at most their subscription's)
  bool retain = false;   ///< also becomes the topic's retained message for MQTT subscribers
  std::optional<std::uint8_t> payload_format;  ///< MQTT 5 Payload Format Indicator
  std::optional<std::string> content_type;
  std::optional<std::string> response_topic;
  std::optional<std::string> correlation_data;
  std::vector<std::pair<std::string, std::string>> user_properties;  ///< order is kept
  std::optional<std::chrono::seconds> expiry;  ///< MQTT 5 Message Expiry Interval

  // Set on consumed messages.
  std::uint32_t partition = 0;  ///< of its first-level topic
  std::uint64_t offset = 0;     ///< in that partition
  std::uint64_t timestamp_ms = 0;  ///< when the node stored it (ms since the Unix epoch)
  std::string origin;              ///< the MQTT client id or producer id that sent it
  bool from_mqtt = false;          ///< true if an MQTT client published it
};

/// Where a sent message was stored.
struct receipt {
  std::uint32_t partition = 0;
  std::uint64_t offset = 0;  ///< in the partition of its first-level topic
};

/// Options of a link to a node.
struct node_options {
  std::chrono::milliseconds connect_timeout{5000};
  std::chrono::milliseconds request_timeout{10000};  ///< a request unanswered this long fails
};

/// A link to one unimqd node (host:port of its --node-port). Producers and consumers made from it
/// share the link. The node must outlive them.
class node {
 public:
  /// Connects; throws error naming host:port if the node cannot be reached in connect_timeout.
  static std::shared_ptr<node> connect(const std::string& host, std::uint16_t port, node_options options = {});
  /// "host:port" form ("[v6-host]:port" for an IPv6 address), as unimqd's --listen takes it.
  static std::shared_ptr<node> connect(const std::string& host_port, node_options options = {});

  ~node();
  node(const node&) = delete;
  node& operator=(const node&) = delete;

  /// The implementation (CAF actor system, remote node handle); opaque to users.
  struct impl;
  impl& internals() { return *_impl; }

 private:
  explicit node(std::unique_ptr<impl> impl);
  std::unique_ptr<impl> _impl;
};

/// Options of a producer.
struct producer_options {
  std::string producer_id;  ///< recorded as the origin of its messages; generated if empty
  std::size_t max_batch_messages = 1024;  ///< a batch is sent when it holds this many messages...
  std::size_t max_batch_bytes = 1 << 20;  ///< ...or this many payload bytes...
  std::chrono::microseconds linger{500};  ///< ...or when its first message has waited this long
  std::size_t max_batches_in_flight = 4;  ///< further sends block until a batch is committed
};

/// Sends messages to full topics. A send completes after the node committed it to storage
/// (at-least-once: a failed or timed-out future may still have been stored). Messages of one
/// producer to one topic are stored in send order.
class producer {
 public:
  producer(std::shared_ptr<node> node, producer_options options = {});
  ~producer();  ///< flushes, then waits for every batch in flight
  producer(const producer&) = delete;
  producer& operator=(const producer&) = delete;

  /// Queues `m` in the current batch. Throws error at once for a message the node would refuse: an
  /// invalid or `$` topic, a QoS above 2, MQTT 5 properties that are not valid MQTT (non-UTF-8 strings,
  /// a payload format other than 0 or 1, a response topic that is not a topic name).
  std::future<receipt> send(message m);
  /// Sends the current batch now and waits until every message sent so far is committed; throws
  /// the first error of those messages.
  void flush();

 private:
  struct impl;
  std::unique_ptr<impl> _impl;
};

/// Where a consumer group starts reading a partition it has no committed offset for, or, with
/// `reset`, where it restarts regardless of what it committed (replay).
struct start_position {
  enum class kind { newest, oldest, offset, timestamp };
  kind where = kind::newest;
  std::uint64_t value = 0;  ///< the offset (in every partition) or timestamp (ms since the Unix epoch)
  bool reset = false;       ///< true: the group's committed offsets are replaced at join

  static start_position newest() { return {kind::newest, 0, false}; }
  static start_position oldest() { return {kind::oldest, 0, false}; }
  static start_position at_offset(std::uint64_t offset) { return {kind::offset, offset, true}; }
  static start_position at_time(std::uint64_t timestamp_ms) { return {kind::timestamp, timestamp_ms, true}; }
};

/// Options of a consumer-group member.
struct consumer_options {
  std::string group;  ///< consumer group name: members of one group share the partitions
  std::string topic;  ///< first-level topic (`a`, not `a/b`)
  start_position from = start_position::newest();
  std::size_t max_poll_messages = 4096;
  std::size_t max_fetch_bytes = 4 << 20;
};

/// One member of a consumer group. The group's members share the partitions of the first-level topic;
/// they are rebalanced when a member joins, leaves, or its node link drops. At-least-once: offsets are
/// committed per (group, partition) for what poll() returned before, so after a member dies what it had
/// not committed is delivered to another member. Not thread-safe: one thread polls.
class consumer {
 public:
  /// Joins; throws error for an empty or invalid group or topic name.
  consumer(std::shared_ptr<node> node, consumer_options options);
  ~consumer();  ///< commits, then leaves the group
  consumer(const consumer&) = delete;
  consumer& operator=(const consumer&) = delete;

  /// Commits the messages returned by the previous poll, then returns the next messages of the
  /// partitions assigned to this member, waiting at most `timeout` for some; empty on timeout.
  std::vector<message> poll(std::chrono::milliseconds timeout);
  /// Commits everything returned so far and waits for the node to store it.
  void commit();
  /// The partitions currently assigned to this member.
  std::vector<std::uint32_t> assignment() const;

 private:
  struct impl;
  std::unique_ptr<impl> _impl;
};

}  // namespace unimq::client
