#pragma once
// Per-packet body decoders and encoders shared by codec.cpp and the codec_*.cpp files. Not part of
// the public API: use codec.hpp.

#include "protocol/byte_reader.hpp"
#include "protocol/byte_writer.hpp"
#include "protocol/codec.hpp"

namespace unimq::mqtt::detail {

/// What a body decoder knows: the fixed header flags, the connection's version (a CONNECT decoder
/// sets it from the packet as soon as it has read the protocol level) and the options.
struct decode_context {
  std::uint8_t flags;
  protocol_version version;
  const decode_options& options;
  /// Set by a CONNECT decoder that cannot tell which protocol the peer speaks (an unknown protocol
  /// name): the server closes without a CONNACK whatever the reason code [MQTT-3.1.2-1].
  bool close_without_reply = false;
};

void decode_body(byte_reader& r, decode_context& ctx, connect_packet& p);
void decode_body(byte_reader& r, decode_context& ctx, connack_packet& p);
void decode_body(byte_reader& r, decode_context& ctx, publish_packet& p);
template <packet_type T>
void decode_body(byte_reader& r, decode_context& ctx, publish_response<T>& p);
void decode_body(byte_reader& r, decode_context& ctx, subscribe_packet& p);
void decode_body(byte_reader& r, decode_context& ctx, suback_packet& p);
void decode_body(byte_reader& r, decode_context& ctx, unsubscribe_packet& p);
void decode_body(byte_reader& r, decode_context& ctx, unsuback_packet& p);
void decode_body(byte_reader& r, decode_context& ctx, pingreq_packet& p);
void decode_body(byte_reader& r, decode_context& ctx, pingresp_packet& p);
void decode_body(byte_reader& r, decode_context& ctx, disconnect_packet& p);
void decode_body(byte_reader& r, decode_context& ctx, auth_packet& p);

/// The fixed header's flag nibble for `p`.
std::uint8_t header_flags(const publish_packet& p);

void encode_body(byte_writer& w, const connect_packet& p, protocol_version v);
void encode_body(byte_writer& w, const connack_packet& p, protocol_version v);
void encode_body(byte_writer& w, const publish_packet& p, protocol_version v);
template <packet_type T>
void encode_body(byte_writer& w, const publish_response<T>& p, protocol_version v);
void encode_body(byte_writer& w, const subscribe_packet& p, protocol_version v);
void encode_body(byte_writer& w, const suback_packet& p, protocol_version v);
void encode_body(byte_writer& w, const unsubscribe_packet& p, protocol_version v);
void encode_body(byte_writer& w, const unsuback_packet& p, protocol_version v);
void encode_body(byte_writer& w, const pingreq_packet& p, protocol_version v);
void encode_body(byte_writer& w, const pingresp_packet& p, protocol_version v);
void encode_body(byte_writer& w, const disconnect_packet& p, protocol_version v);
void encode_body(byte_writer& w, const auth_packet& p, protocol_version v);

/// Reads a non-zero Packet Identifier: [MQTT-2.2.1-3] in 5.0 and [MQTT-2.3.1-1] in 3.1.1 for PUBLISH,
/// SUBSCRIBE and UNSUBSCRIBE; the acknowledgements echo a non-zero identifier (section 2.2.1 / 2.3.1).
std::uint16_t read_packet_id(byte_reader& r, packet_type type);

/// Fails `r` unless every byte of the body was consumed (rule: byte_reader::extent_rule()).
void expect_end(byte_reader& r, packet_type type);

/// Fails `r` with 0x82 if `code` is not one of the reason codes a 5.0 packet of `type` may carry.
void check_reason_code(byte_reader& r, packet_type type, reason_code code);

/// Fails `r` with 0x99 if `props` announce a UTF-8 payload and `payload` is not well-formed UTF-8
/// as RFC 3629 defines it (U+0000 allowed), when the options ask for the check. `will` selects the
/// section cited: the Will's Payload Format Indicator (3.1.3.2.3) or PUBLISH's (3.3.2.3.2).
void check_payload_format(byte_reader& r, const decode_context& ctx, const properties& props,
                          std::string_view payload, bool will);

}  // namespace unimq::mqtt::detail
