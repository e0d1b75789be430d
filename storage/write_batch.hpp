#pragma once
// A write_batch collects everything one group commit changes: appended messages plus the offset
// commits, session and retained updates that must become durable atomically with them.

#include <cstdint>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "protocol/proto/message.pb.h"
#include "protocol/proto/session.pb.h"
#include "storage/key_codec.hpp"

namespace unimq::storage {

/// Operations are applied in the order they were added, all in one write transaction: either all of
/// them become visible (and durable, per the durability mode) or none.
class write_batch {
 public:
  struct append_op {
    proto::StoredMessage message;
  };
  struct commit_offset_op {
    std::string consumer;
    queue_id queue;
    std::uint64_t next_offset;
  };
  struct delete_offsets_op {
    std::string consumer;
  };
  struct put_session_op {
    std::string client_id;
    proto::Session session;
  };
  struct delete_session_op {
    std::string client_id;
  };
  struct put_retained_op {
    proto::StoredMessage message;
  };
  struct delete_retained_op {
    std::string topic;
  };
  using op = std::variant<append_op, commit_offset_op, delete_offsets_op, put_session_op, delete_session_op,
                          put_retained_op, delete_retained_op>;

  /// Appends `message` to the commitlog and both queue indexes. Its topic must be a valid topic name
  /// and its QoS at most 2. Returns its index in append_result::messages.
  std::size_t append(proto::StoredMessage message) {
    _ops.emplace_back(append_op{std::move(message)});
    return _message_count++;
  }
  /// Records that `consumer` (a client id or a group id) will next read `queue` at `next_offset`.
  void commit_offset(std::string consumer, queue_id queue, std::uint64_t next_offset) {
    _ops.emplace_back(commit_offset_op{std::move(consumer), std::move(queue), next_offset});
  }
  /// Forgets every offset of `consumer`.
  void delete_offsets(std::string consumer) { _ops.emplace_back(delete_offsets_op{std::move(consumer)}); }
  void put_session(std::string client_id, proto::Session session) {
    _ops.emplace_back(put_session_op{std::move(client_id), std::move(session)});
  }
  void delete_session(std::string client_id) { _ops.emplace_back(delete_session_op{std::move(client_id)}); }
  /// Makes `message` (a copy is stored) the retained message of its topic.
  void put_retained(proto::StoredMessage message) { _ops.emplace_back(put_retained_op{std::move(message)}); }
  void delete_retained(std::string topic) { _ops.emplace_back(delete_retained_op{std::move(topic)}); }

  /// Moves the appended messages out, in append order, and clears the batch: for a caller that keeps
  /// them after the commit (the storage writer hands them to the subscribers) without a copy.
  std::vector<proto::StoredMessage> take_messages() {
    std::vector<proto::StoredMessage> out;
    out.reserve(_message_count);
    for (auto& o : _ops)
      if (auto* a = std::get_if<append_op>(&o)) out.push_back(std::move(a->message));
    clear();
    return out;
  }

  bool empty() const { return _ops.empty(); }
  std::size_t message_count() const { return _message_count; }
  const std::vector<op>& ops() const { return _ops; }
  void clear() {
    _ops.clear();
    _message_count = 0;
  }

 private:
  std::vector<op> _ops;
  std::size_t _message_count = 0;
};

}  // namespace unimq::storage
