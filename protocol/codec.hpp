#pragma once
// Decoding and encoding of whole MQTT control packets for protocol levels 3, 4 and 5.

#include <cstdint>
#include <string>
#include <string_view>
#include <variant>

#include "protocol/decode_error.hpp"
#include "protocol/packets.hpp"

namespace unimq::mqtt {

/// The largest packet the protocol can express: 1 type byte, 4 length bytes, 268435455 body bytes.
constexpr std::uint32_t kMaxPacketSize = 268'435'460;

/// Checks applied while decoding beyond the packet's structure.
struct decode_options {
  /// Reject a PUBLISH or Will whose Payload Format Indicator is 1 but whose payload is not valid
  /// UTF-8 (the spec lets a receiver check this; reason 0x99).
  bool validate_payload_format = true;
};

/// Either a packet or the reason it could not be decoded.
class decode_result {
 public:
  decode_result(packet p) : _value(std::move(p)) {}
  decode_result(decode_error e) : _value(std::move(e)) {}
  /// Decodes one packet as decode_packet() does, straight into the result. A `packet` is about
  /// 800 bytes: this lets a holder build the result in place, without moving it, as in
  /// `std::optional<decode_result> r(std::in_place, first_byte, body, version, options)`.
  decode_result(std::uint8_t first_byte, std::string_view body, protocol_version version,
                const decode_options& options = {});

  bool ok() const { return _value.index() == 0; }
  explicit operator bool() const { return ok(); }
  packet& value() { return std::get<packet>(_value); }
  const packet& value() const { return std::get<packet>(_value); }
  const decode_error& error() const { return std::get<decode_error>(_value); }

 private:
  using value_type = std::variant<packet, decode_error>;
  /// An empty packet of the type in `first_byte`, or the error if the fixed header is invalid.
  static value_type start(std::uint8_t first_byte, protocol_version version);

  value_type _value;
};

/// Decodes one packet from its first byte and its body (the Remaining Length bytes after the fixed
/// header). `version` is the connection's protocol version; a CONNECT brings its own. Views in the
/// result point into `body`.
decode_result decode_packet(std::uint8_t first_byte, std::string_view body, protocol_version version,
                            const decode_options& options = {});

/// Decodes `bytes`, which must hold exactly one whole packet, fixed header included.
decode_result decode(std::string_view bytes, protocol_version version,
                     const decode_options& options = {});

/// The number of bytes `p` encodes to in `version`, or 0 if it cannot be encoded (a string longer than
/// 65535 bytes, a body longer than 268435455 bytes).
std::size_t encoded_size(const packet& p, protocol_version version);

/// Appends the encoding of `p` for `version` to `out`. Returns false, leaving `out` unchanged, if the
/// packet cannot be encoded. The caller guarantees the packet is valid for `version`.
bool encode(const packet& p, protocol_version version, std::string& out);
/// The same for a PUBLISH, without building a `packet` variant (the broker's hot path).
bool encode(const publish_packet& p, protocol_version version, std::string& out);

}  // namespace unimq::mqtt
