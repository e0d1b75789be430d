// PUBLISH (spec 3.3) and its responses PUBACK, PUBREC, PUBREL, PUBCOMP (spec 3.4 to 3.7).
#include "protocol/codec_internal.hpp"

namespace unimq::mqtt::detail {
namespace {

namespace publish_flag {
constexpr std::uint8_t retain = 0x01;
constexpr int qos_shift = 1;
constexpr std::uint8_t dup = 0x08;
}  // namespace publish_flag

constexpr property_context context_of(packet_type t) {
  switch (t) {
    case packet_type::puback: return property_context::puback;
    case packet_type::pubrec: return property_context::pubrec;
    case packet_type::pubrel: return property_context::pubrel;
    default: return property_context::pubcomp;
  }
}

}  // namespace

std::uint8_t header_flags(const publish_packet& p) {
  std::uint8_t flags = static_cast<std::uint8_t>(static_cast<std::uint8_t>(p.qos) << publish_flag::qos_shift);
  if (p.dup) flags |= publish_flag::dup;
  if (p.retain) flags |= publish_flag::retain;
  return flags;
}

void decode_body(byte_reader& r, decode_context& ctx, publish_packet& p) {
  const auto qos_bits = static_cast<std::uint8_t>((ctx.flags >> publish_flag::qos_shift) & 0x3);
  if (qos_bits == 3)
    return r.fail(reason_code::malformed_packet, "MQTT-3.3.1-4", "QoS is 3");
  p.qos = static_cast<mqtt::qos>(qos_bits);
  p.dup = ctx.flags & publish_flag::dup;
  p.retain = ctx.flags & publish_flag::retain;
  // The packet parses, but breaks the protocol: 5.0 calls that a Protocol Error (section 1.2).
  if (p.dup && p.qos == qos::at_most_once)
    return r.fail(ctx.version == protocol_version::v5 ? reason_code::protocol_error
                                                      : reason_code::malformed_packet,
                  "MQTT-3.3.1-2", "DUP is set on a QoS 0 message");

  p.topic = r.utf8("Topic Name");
  if (p.qos != qos::at_most_once) p.packet_id = read_packet_id(r, packet_type::publish);
  const bool v5 = ctx.version == protocol_version::v5;
  if (v5) read_properties(r, property_context::publish, p.props);
  p.payload = r.rest();
  if (r.failed()) return;

  // An empty Topic Name is only allowed in 5.0, where a Topic Alias stands for it ("It is a Protocol
  // Error if the Topic Name is zero length and there is no Topic Alias", 5.0 section 3.3.2.1).
  if (p.topic.empty() && !(v5 && p.props.topic_alias))
    return r.fail(v5 ? reason_code::protocol_error : reason_code::malformed_packet,
                  v5 ? "MQTT-5.0 §3.3.2.1" : "MQTT-4.7.3-1", "Topic Name is empty");
  check_payload_format(r, ctx, p.props, p.payload, /*will=*/false);
}

void encode_body(byte_writer& w, const publish_packet& p, protocol_version v) {
  w.binary(p.topic);
  if (p.qos != qos::at_most_once) w.u16(p.packet_id);
  if (v == protocol_version::v5) write_properties(w, p.props);
  w.bytes(p.payload);
}

template <packet_type T>
void decode_body(byte_reader& r, decode_context& ctx, publish_response<T>& p) {
  p.packet_id = read_packet_id(r, T);
  if (ctx.version == protocol_version::v5) {
    // Reason code and properties may be left out when they are Success and empty (spec 3.4.2.1).
    if (r.remaining() > 0) {
      p.reason = static_cast<reason_code>(r.u8());
      check_reason_code(r, T, p.reason);
    }
    if (r.remaining() > 0) read_properties(r, context_of(T), p.props);
  }
  expect_end(r, T);
}

template <packet_type T>
void encode_body(byte_writer& w, const publish_response<T>& p, protocol_version v) {
  w.u16(p.packet_id);
  if (v != protocol_version::v5) return;
  const bool no_props = p.props.empty();
  if (p.reason == reason_code::success && no_props) return;
  w.u8(static_cast<std::uint8_t>(p.reason));
  if (!no_props) write_properties(w, p.props);
}

template void decode_body(byte_reader&, decode_context&, puback_packet&);
template void decode_body(byte_reader&, decode_context&, pubrec_packet&);
template void decode_body(byte_reader&, decode_context&, pubrel_packet&);
template void decode_body(byte_reader&, decode_context&, pubcomp_packet&);
template void encode_body(byte_writer&, const puback_packet&, protocol_version);
template void encode_body(byte_writer&, const pubrec_packet&, protocol_version);
template void encode_body(byte_writer&, const pubrel_packet&, protocol_version);
template void encode_body(byte_writer&, const pubcomp_packet&, protocol_version);

}  // namespace unimq::mqtt::detail
