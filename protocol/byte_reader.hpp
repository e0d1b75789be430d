#pragma once
// Reads MQTT data representations (spec section 1.5) from a byte view. The first failure is sticky:
// later reads return zero values and the error names the first problem only, so decoders can read a
// whole structure and check once.

#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

#include "protocol/decode_error.hpp"
#include "protocol/utf8.hpp"

namespace unimq::mqtt {

class byte_reader {
 public:
  explicit byte_reader(std::string_view bytes) : data_(bytes) {}

  std::size_t remaining() const { return data_.size() - pos_; }
  bool failed() const { return failed_; }
  const decode_error& error() const { return error_; }

  /// Records the first failure; later calls keep the first one.
  void fail(reason_code code, std::string_view rule, std::string message) {
    if (failed_) return;
    failed_ = true;
    pos_ = data_.size();
    error_.code = code;
    error_.rule = rule;
    error_.message = std::move(message);
  }

  std::uint8_t u8() {
    if (!need(1)) return 0;
    return static_cast<std::uint8_t>(data_[pos_++]);
  }

  std::uint16_t u16() {
    if (!need(2)) return 0;
    auto hi = static_cast<std::uint8_t>(data_[pos_]);
    auto lo = static_cast<std::uint8_t>(data_[pos_ + 1]);
    pos_ += 2;
    return static_cast<std::uint16_t>(hi << 8 | lo);
  }

  std::uint32_t u32() {
    std::uint32_t hi = u16();
    return hi << 16 | u16();
  }

  /// Variable Byte Integer: at most 4 bytes, minimal encoding [MQTT-1.5.5-1].
  std::uint32_t varint() {
    std::uint32_t value = 0;
    for (int shift = 0; shift < 28; shift += 7) {
      if (!need(1)) return 0;
      auto byte = static_cast<std::uint8_t>(data_[pos_++]);
      value |= static_cast<std::uint32_t>(byte & 0x7F) << shift;
      if ((byte & 0x80) == 0) {
        if (byte == 0 && shift > 0)
          fail(reason_code::malformed_packet, "MQTT-1.5.5-1",
               "variable byte integer is not minimally encoded");
        return value;
      }
    }
    fail(reason_code::malformed_packet, "MQTT-1.5.5-1", "variable byte integer longer than 4 bytes");
    return 0;
  }

  /// `n` raw bytes.
  std::string_view bytes(std::size_t n) {
    if (!need(n)) return {};
    auto view = data_.substr(pos_, n);
    pos_ += n;
    return view;
  }

  /// Binary Data: two-byte length, then the bytes.
  std::string_view binary() { return bytes(u16()); }

  /// UTF-8 Encoded String: well-formed, no U+0000, no surrogates [MQTT-1.5.4-1], [MQTT-1.5.4-2].
  std::string_view utf8(std::string_view what) {
    auto s = binary();
    if (!failed_) check_utf8(s, what);
    return s;
  }

  /// Checks that `s` (read elsewhere, e.g. a payload) is a valid MQTT UTF-8 string.
  bool check_utf8(std::string_view s, std::string_view what,
                  reason_code code = reason_code::malformed_packet) {
    switch (validate_utf8(s)) {
      case utf8_error::none: return true;
      case utf8_error::null_character:
        fail(code, "MQTT-1.5.4-2", std::string(what) + " contains U+0000");
        return false;
      case utf8_error::surrogate:
        fail(code, "MQTT-1.5.4-1", std::string(what) + " contains a UTF-16 surrogate");
        return false;
      case utf8_error::ill_formed:
        fail(code, "MQTT-1.5.4-1", std::string(what) + " is not well-formed UTF-8");
        return false;
    }
    return false;
  }

  /// All bytes left.
  std::string_view rest() { return bytes(remaining()); }

 private:
  bool need(std::size_t n) {
    if (remaining() >= n) return true;
    fail(reason_code::malformed_packet, "MQTT-1.5", "packet ends before its declared content");
    return false;
  }

  std::string_view data_;
  std::size_t pos_ = 0;
  bool failed_ = false;
  decode_error error_;
};

}  // namespace unimq::mqtt
