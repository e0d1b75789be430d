#pragma once
// Writes MQTT data representations (spec section 1.5). A writer made without a buffer only counts,
// so the same encoding function computes a packet's size and then writes it.

#include <cstdint>
#include <cstring>
#include <string_view>

namespace unimq::mqtt {

/// The largest value of a Variable Byte Integer (4 bytes).
constexpr std::uint32_t kMaxVarint = 268'435'455;

/// Bytes the Variable Byte Integer encoding of `value` takes (1 to 4).
constexpr std::size_t varint_size(std::uint32_t value) {
  return value < 128 ? 1 : value < 16'384 ? 2 : value < 2'097'152 ? 3 : 4;
}

class byte_writer {
 public:
  /// A writer that only counts bytes.
  byte_writer() = default;
  /// A writer into `out`, which the caller has sized from a counting pass.
  explicit byte_writer(char* out) : _out(out) {}
  /// The same, reusing the sizes `counted` (the counting pass over the same data) noted.
  byte_writer(char* out, const byte_writer& counted)
      : _out(out), _notes{counted._notes[0], counted._notes[1]}, _noted(counted._noted) {}

  std::size_t size() const { return _size; }
  /// False if something could not be represented (a string over 65535 bytes, a too large integer).
  bool ok() const { return _ok; }

  /// Marks the encoding as impossible (a value the target version cannot express).
  void fail() { _ok = false; }

  /// True for a writer that only counts.
  bool counting() const { return _out == nullptr; }
  /// Counts `n` bytes sized elsewhere, without their values: for a counting writer only.
  void skip(std::size_t n) { _size += n; }

  /// A counting pass notes sizes it had to compute (a property length) and the writing pass, made
  /// from it, takes them back in the same order instead of computing them again. Only the first
  /// two are kept (CONNECT has two property lists); take_size() is false when there is none left.
  void note_size(std::size_t n) {
    if (_noted < kMaxNotes) _notes[_noted++] = n;
  }
  bool take_size(std::size_t& n) {
    if (_taken == _noted) return false;
    n = _notes[_taken++];
    return true;
  }

  void u8(std::uint8_t v) {
    if (_out) _out[_size] = static_cast<char>(v);
    ++_size;
  }
  void u16(std::uint16_t v) {
    u8(static_cast<std::uint8_t>(v >> 8));
    u8(static_cast<std::uint8_t>(v));
  }
  void u32(std::uint32_t v) {
    u16(static_cast<std::uint16_t>(v >> 16));
    u16(static_cast<std::uint16_t>(v));
  }
  void varint(std::uint32_t v) {
    if (v > kMaxVarint) _ok = false;
    do {
      std::uint8_t byte = v & 0x7F;
      v >>= 7;
      u8(v ? byte | 0x80 : byte);
    } while (v);
  }
  void bytes(std::string_view s) {
    if (_out && !s.empty()) std::memcpy(_out + _size, s.data(), s.size());
    _size += s.size();
  }
  /// Binary Data or UTF-8 String: two-byte length, then the bytes.
  void binary(std::string_view s) {
    if (s.size() > 0xFFFF) _ok = false;
    u16(static_cast<std::uint16_t>(s.size()));
    bytes(s);
  }

 private:
  static constexpr std::uint8_t kMaxNotes = 2;

  char* _out = nullptr;
  std::size_t _size = 0;
  bool _ok = true;
  std::size_t _notes[kMaxNotes] = {};
  std::uint8_t _noted = 0;
  std::uint8_t _taken = 0;
};

}  // namespace unimq::mqtt
