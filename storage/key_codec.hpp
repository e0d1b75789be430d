#pragma once
// Key encodings for every named db (docs/storage-format.md is the reference). Integers are
// big-endian so that LMDB's bytewise key order is numeric order. Names end with a 0x00 byte: MQTT
// strings cannot contain U+0000 [MQTT-1.5.4-2], so the separator is unambiguous and a name's keys
// form one contiguous, prefix-scannable range.

#include <cstdint>
#include <string>
#include <string_view>

namespace unimq::storage {

/// Which index a queue lives in.
enum class queue_kind : char {
  first_level = 'F',  ///< (first-level topic, partition): the server-side queue
  topic = 'T',        ///< one full MQTT topic name
};

/// Names one queue. For `topic` queues `partition` is always 0.
struct queue_id {
  queue_kind kind = queue_kind::topic;
  std::string name;
  std::uint32_t partition = 0;

  static queue_id topic(std::string full_topic) { return {queue_kind::topic, std::move(full_topic), 0}; }
  static queue_id first_level(std::string level, std::uint32_t partition) {
    return {queue_kind::first_level, std::move(level), partition};
  }
  friend bool operator==(const queue_id& a, const queue_id& b) {
    return a.kind == b.kind && a.name == b.name && a.partition == b.partition;
  }
  friend bool operator!=(const queue_id& a, const queue_id& b) { return !(a == b); }
  friend bool operator<(const queue_id& a, const queue_id& b);
};

/// "topic a/b" or "first-level a#0", for messages.
std::string to_string(const queue_id& q);

namespace key_codec {

constexpr std::size_t kU64Size = 8;
constexpr std::size_t kU32Size = 4;

void put_u64(std::string& out, std::uint64_t v);
void put_u32(std::string& out, std::uint32_t v);
/// Precondition: `in` holds at least 8 (resp. 4) bytes.
std::uint64_t get_u64(const char* in);
std::uint32_t get_u32(const char* in);

/// Commitlog key: the sequence, 8 bytes big-endian.
std::string sequence_key(std::uint64_t seq);

/// Queue key: kind byte, name, 0x00, and for first-level queues the partition (u32 BE).
/// Used as the queue_meta key and as the prefix of its entry keys.
std::string queue_key(const queue_id& q);
/// Entry key in `fl_queue` / `topic_queue`: queue_key + offset (u64 BE).
std::string entry_key(const queue_id& q, std::uint64_t offset);
void append_offset(std::string& key, std::uint64_t offset);

/// Directory key: first level, 0x00, full topic.
std::string directory_key(std::string_view first_level, std::string_view topic);
/// Directory range prefix for one first level: first level, 0x00.
std::string directory_prefix(std::string_view first_level);

/// Consumer offset key: consumer id, 0x00, queue_key.
std::string offset_key(std::string_view consumer, const queue_id& q);
std::string offset_prefix(std::string_view consumer);

/// Splits a queue_key back into a queue_id; false if the bytes are not a queue key.
bool parse_queue_key(std::string_view key, queue_id& out);

/// True if `s` contains a 0x00 byte (and so cannot be used as a name in a key).
bool has_nul(std::string_view s);

}  // namespace key_codec
}  // namespace unimq::storage
