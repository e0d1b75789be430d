#pragma once
// Raw records of one queue packed back to back (a fetch_result's, or a session's own read in a
// queue_batch), each as
//   offset (u64 little-endian), sequence (u64 little-endian), size (u32 little-endian), the serialized
//   StoredMessage.
// One string per read instead of one parsed object per message keeps a read of thousands of messages
// one allocation, and each message is parsed once, where it is used.

#include <cstdint>
#include <string>
#include <string_view>

namespace unimq::actors::record_blob {

constexpr std::size_t kHeaderSize = 20;

inline void put_le(std::string& out, std::uint64_t v, int bytes) {
  for (int i = 0; i < bytes; ++i) out.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}

inline std::uint64_t get_le(const char* in, int bytes) {
  std::uint64_t v = 0;
  for (int i = 0; i < bytes; ++i) v |= static_cast<std::uint64_t>(static_cast<unsigned char>(in[i])) << (8 * i);
  return v;
}

/// Appends one record.
inline void append(std::string& out, std::uint64_t offset, std::uint64_t sequence, std::string_view record) {
  put_le(out, offset, 8);
  put_le(out, sequence, 8);
  put_le(out, record.size(), 4);
  out.append(record.data(), record.size());
}

/// Walks a blob; stops (and says so with malformed()) at a truncated record.
class reader {
 public:
  explicit reader(std::string_view blob, std::size_t position = 0) : _blob(blob), _pos(position) {}

  /// The next record; false at the end or at a malformed record.
  bool next(std::uint64_t& offset, std::uint64_t& sequence, std::string_view& record) {
    if (_pos + kHeaderSize > _blob.size()) {
      _malformed = _pos != _blob.size();
      return false;
    }
    offset = get_le(_blob.data() + _pos, 8);
    sequence = get_le(_blob.data() + _pos + 8, 8);
    const auto size = static_cast<std::size_t>(get_le(_blob.data() + _pos + 16, 4));
    if (size > _blob.size() - _pos - kHeaderSize) {
      _malformed = true;
      return false;
    }
    record = _blob.substr(_pos + kHeaderSize, size);
    _pos += kHeaderSize + size;
    return true;
  }
  std::size_t position() const { return _pos; }
  bool malformed() const { return _malformed; }

 private:
  std::string_view _blob;
  std::size_t _pos;
  bool _malformed = false;
};

}  // namespace unimq::actors::record_blob
