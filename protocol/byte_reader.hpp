#pragma once
// Reads MQTT data representations (spec section 1.5) from a byte view. The first failure is sticky:
// later reads return zero values and the error names the first problem only, so decoders can read a
// whole structure and check once.

#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <type_traits>

#include "protocol/decode_error.hpp"
#include "protocol/utf8.hpp"

namespace unimq::mqtt {

/// The rule a packet breaks when its bytes and its declared extent disagree (Remaining Length against
/// the bytes given, a field running past the end, bytes left over): for a CONNECT [MQTT-3.1.4-1] in
/// both versions; otherwise 3.1.1 closes on any protocol violation [MQTT-4.8.0-1] and 5.0 calls it a
/// Malformed Packet (section 1.2).
constexpr std::string_view extent_rule(protocol_version v, bool connect) {
  if (connect) return "MQTT-3.1.4-1";
  return v == protocol_version::v5 ? "MQTT-5.0 §1.2" : "MQTT-4.8.0-1";
}

class byte_reader {
 public:
  /// `version` selects the rule numbers failures cite and whether a Variable Byte Integer must be
  /// minimally encoded (5.0 only); `connect` says the bytes are (or start) a CONNECT, whose extent
  /// rule differs. A CONNECT decoder calls set_version() once it has read the protocol level.
  explicit byte_reader(std::string_view bytes, protocol_version version = protocol_version::v3_1_1,
                       bool connect = false)
      : _data(bytes), _version(version), _connect(connect) {}

  std::size_t remaining() const { return _data.size() - _pos; }
  bool failed() const { return _failed; }
  const decode_error& error() const { return _error; }
  protocol_version version() const { return _version; }
  void set_version(protocol_version v) { _version = v; }
  bool v5() const { return _version == protocol_version::v5; }
  /// See extent_rule().
  std::string_view extent_rule() const { return mqtt::extent_rule(_version, _connect); }

  /// Records the first failure; later calls keep the first one.
  void fail(reason_code code, std::string_view rule, std::string message) {
    if (_failed) return;
    _failed = true;
    _pos = _data.size();
    _error.code = code;
    _error.rule = rule;
    _error.message = std::move(message);
  }

  std::uint8_t u8() {
    if (!need(1)) return 0;
    return static_cast<std::uint8_t>(_data[_pos++]);
  }

  std::uint16_t u16() {
    if (!need(2)) return 0;
    auto hi = static_cast<std::uint8_t>(_data[_pos]);
    auto lo = static_cast<std::uint8_t>(_data[_pos + 1]);
    _pos += 2;
    return static_cast<std::uint16_t>(hi << 8 | lo);
  }

  std::uint32_t u32() {
    std::uint32_t hi = u16();
    return hi << 16 | u16();
  }

  /// Variable Byte Integer: at most 4 bytes (5.0 section 1.5.5, 3.1.1 section 2.2.3, neither
  /// numbered); minimally encoded in 5.0 [MQTT-1.5.5-1]. 3.1.1 has no minimal-encoding rule, so a
  /// longer form is accepted there.
  std::uint32_t varint() {
    std::uint32_t value = 0;
    for (int shift = 0; shift < 28; shift += 7) {
      if (!need(1)) return 0;
      auto byte = static_cast<std::uint8_t>(_data[_pos++]);
      value |= static_cast<std::uint32_t>(byte & 0x7F) << shift;
      if ((byte & 0x80) == 0) {
        if (byte == 0 && shift > 0 && v5())
          fail(reason_code::malformed_packet, "MQTT-1.5.5-1",
               "variable byte integer is not minimally encoded");
        return value;
      }
    }
    fail(reason_code::malformed_packet, v5() ? "MQTT-5.0 §1.5.5" : "MQTT-3.1.1 §2.2.3",
         "variable byte integer longer than 4 bytes");
    return 0;
  }

  /// `n` raw bytes.
  std::string_view bytes(std::size_t n) {
    if (!need(n)) return {};
    auto view = _data.substr(_pos, n);
    _pos += n;
    return view;
  }

  /// Binary Data: two-byte length, then the bytes.
  std::string_view binary() { return bytes(u16()); }

  /// UTF-8 Encoded String: well-formed, no surrogates, no U+0000 (5.0 [MQTT-1.5.4-1],
  /// [MQTT-1.5.4-2]; 3.1.1 [MQTT-1.5.3-1], [MQTT-1.5.3-2]). `what` names the field in the error.
  std::string_view utf8(std::string_view what) {
    auto s = binary();
    if (!_failed) check_utf8(s, what);
    return s;
  }

  /// The same for a name that costs something to build (a property's "Content Type (0x03)"):
  /// `what()` returns it and is called only if the string is invalid.
  template <class What, class = std::enable_if_t<std::is_invocable_v<const What&>>>
  std::string_view utf8(const What& what) {
    auto s = binary();
    if (!_failed) {
      const utf8_error e = validate_utf8(s);
      if (e != utf8_error::none) fail_utf8(e, what(), reason_code::malformed_packet);
    }
    return s;
  }

  /// Checks that `s` (read elsewhere) is a valid MQTT UTF-8 Encoded String.
  bool check_utf8(std::string_view s, std::string_view what,
                  reason_code code = reason_code::malformed_packet) {
    const utf8_error e = validate_utf8(s);
    if (e == utf8_error::none) return true;
    fail_utf8(e, what, code);
    return false;
  }

  /// All bytes left.
  std::string_view rest() { return bytes(remaining()); }

 private:
  void fail_utf8(utf8_error e, std::string_view what, reason_code code) {
    const std::string_view well_formed = v5() ? "MQTT-1.5.4-1" : "MQTT-1.5.3-1";
    switch (e) {
      case utf8_error::none: return;
      case utf8_error::null_character:
        return fail(code, v5() ? "MQTT-1.5.4-2" : "MQTT-1.5.3-2", std::string(what) + " contains U+0000");
      case utf8_error::surrogate:
        return fail(code, well_formed, std::string(what) + " contains a UTF-16 surrogate");
      case utf8_error::ill_formed:
        return fail(code, well_formed, std::string(what) + " is not well-formed UTF-8");
    }
  }

  bool need(std::size_t n) {
    if (remaining() >= n) return true;
    fail(reason_code::malformed_packet, extent_rule(), "packet ends before its declared content");
    return false;
  }

  std::string_view _data;
  protocol_version _version;
  bool _connect;
  std::size_t _pos = 0;
  bool _failed = false;
  decode_error _error;
};

}  // namespace unimq::mqtt
