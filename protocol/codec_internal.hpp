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

/// Reads a non-zero Packet Identifier [MQTT-2.2.1-3] (3.1.1: [MQTT-2.3.1-1]).
std::uint16_t read_packet_id(byte_reader& r, packet_type type);

/// Fails `r` unless every byte of the body was consumed.
void expect_end(byte_reader& r, packet_type type);

/// Fails `r` if `code` is not allowed in a packet of `type`.
void check_reason_code(byte_reader& r, packet_type type, reason_code code);

/// Fails `r` with 0x99 if `props` announce a UTF-8 payload and `payload` is not UTF-8 (when the
/// options ask for the check).
void check_payload_format(byte_reader& r, const decode_context& ctx, const properties& props,
                          std::string_view payload);

}  // namespace unimq::mqtt::detail
