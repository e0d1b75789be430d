// PINGREQ, PINGRESP (spec 3.12, 3.13), DISCONNECT (3.14) and AUTH (3.15, 5.0 only).
#include "protocol/codec_internal.hpp"

namespace unimq::mqtt::detail {
namespace {

// DISCONNECT and AUTH in 5.0: the reason code and then the properties may each be left out, the
// missing reason code meaning 0x00 (spec 3.14.2.1, 3.15.2.1).
void read_optional_reason(byte_reader& r, packet_type type, property_context context,
                          reason_code& reason, properties& props) {
  if (r.remaining() > 0) {
    reason = static_cast<reason_code>(r.u8());
    check_reason_code(r, type, reason);
  }
  if (r.remaining() > 0) read_properties(r, context, props);
  expect_end(r, type);
}

void write_optional_reason(byte_writer& w, reason_code reason, const properties& props) {
  const bool no_props = props.empty();
  if (reason == reason_code::success && no_props) return;
  w.u8(static_cast<std::uint8_t>(reason));
  if (!no_props) write_properties(w, props);
}

}  // namespace

void decode_body(byte_reader& r, decode_context&, pingreq_packet&) {
  expect_end(r, packet_type::pingreq);
}

void decode_body(byte_reader& r, decode_context&, pingresp_packet&) {
  expect_end(r, packet_type::pingresp);
}

void encode_body(byte_writer&, const pingreq_packet&, protocol_version) {}
void encode_body(byte_writer&, const pingresp_packet&, protocol_version) {}

void decode_body(byte_reader& r, decode_context& ctx, disconnect_packet& p) {
  if (ctx.version == protocol_version::v5)
    read_optional_reason(r, packet_type::disconnect, property_context::disconnect, p.reason,
                         p.props);
  else
    expect_end(r, packet_type::disconnect);
}

void encode_body(byte_writer& w, const disconnect_packet& p, protocol_version v) {
  if (v == protocol_version::v5) write_optional_reason(w, p.reason, p.props);
}

void decode_body(byte_reader& r, decode_context&, auth_packet& p) {
  read_optional_reason(r, packet_type::auth, property_context::auth, p.reason, p.props);
}

void encode_body(byte_writer& w, const auth_packet& p, protocol_version) {
  write_optional_reason(w, p.reason, p.props);
}

}  // namespace unimq::mqtt::detail
