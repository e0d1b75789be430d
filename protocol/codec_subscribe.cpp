// SUBSCRIBE, SUBACK, UNSUBSCRIBE, UNSUBACK (spec 3.8 to 3.11). Topic filters are checked for UTF-8
// here; their MQTT rules (wildcard placement, $share) are the broker's, through protocol/topic.hpp,
// because a bad filter earns a per-filter SUBACK failure rather than a closed connection.
#include <string>

#include "protocol/codec_internal.hpp"

namespace unimq::mqtt::detail {
namespace {

namespace option_bits {
constexpr std::uint8_t qos = 0x03;
constexpr std::uint8_t no_local = 0x04;
constexpr std::uint8_t retain_as_published = 0x08;
constexpr int retain_handling_shift = 4;
constexpr std::uint8_t reserved_v5 = 0xC0;
constexpr std::uint8_t reserved_v3 = 0xFC;
}  // namespace option_bits

bool is_v5(protocol_version v) { return v == protocol_version::v5; }

subscription_options read_options(byte_reader& r, protocol_version v) {
  const std::uint8_t bits = r.u8();
  subscription_options o;
  if (r.failed()) return o;
  if (bits & (is_v5(v) ? option_bits::reserved_v5 : option_bits::reserved_v3)) {
    r.fail(reason_code::malformed_packet, is_v5(v) ? "MQTT-3.8.3-5" : "MQTT-3.8.3-4",
           "reserved bits of the subscription options are set");
    return o;
  }
  // 5.0 section 3.8.3.1: "It is a Protocol Error if the Maximum QoS field has the value 3"; 3.1.1
  // calls it malformed [MQTT-3.8.3-4].
  if ((bits & option_bits::qos) == 3) {
    if (is_v5(v))
      r.fail(reason_code::protocol_error, "MQTT-5.0 §3.8.3.1", "requested QoS is 3");
    else
      r.fail(reason_code::malformed_packet, "MQTT-3.8.3-4", "requested QoS is 3");
    return o;
  }
  o.max_qos = static_cast<mqtt::qos>(bits & option_bits::qos);
  o.no_local = bits & option_bits::no_local;
  o.retain_as_published = bits & option_bits::retain_as_published;
  o.retain_handling = static_cast<std::uint8_t>(bits >> option_bits::retain_handling_shift);
  if (o.retain_handling == 3)
    r.fail(reason_code::protocol_error, "MQTT-5.0 §3.8.3.1", "Retain Handling is 3");
  return o;
}

void write_options(byte_writer& w, const subscription_options& o, protocol_version v) {
  auto bits = static_cast<std::uint8_t>(o.max_qos);
  if (is_v5(v)) {
    if (o.no_local) bits |= option_bits::no_local;
    if (o.retain_as_published) bits |= option_bits::retain_as_published;
    bits |= static_cast<std::uint8_t>(o.retain_handling << option_bits::retain_handling_shift);
  }
  w.u8(bits);
}

void read_ack_codes(byte_reader& r, packet_type type, std::vector<reason_code>& out) {
  while (r.remaining() > 0 && !r.failed()) {
    out.push_back(static_cast<reason_code>(r.u8()));
    check_reason_code(r, type, out.back());
  }
}

}  // namespace

void decode_body(byte_reader& r, decode_context& ctx, subscribe_packet& p) {
  p.packet_id = read_packet_id(r, packet_type::subscribe);
  // read_properties refuses a second Subscription Identifier here.
  if (is_v5(ctx.version)) read_properties(r, property_context::subscribe, p.props);
  while (r.remaining() > 0 && !r.failed()) {
    auto& s = p.subscriptions.emplace_back();
    s.filter = r.utf8("Topic Filter");
    s.options = read_options(r, ctx.version);
  }
  if (!r.failed() && p.subscriptions.empty())
    r.fail(reason_code::protocol_error, is_v5(ctx.version) ? "MQTT-3.8.3-2" : "MQTT-3.8.3-3",
           "SUBSCRIBE without a topic filter");
}

void encode_body(byte_writer& w, const subscribe_packet& p, protocol_version v) {
  w.u16(p.packet_id);
  if (is_v5(v)) write_properties(w, p.props);
  for (const auto& s : p.subscriptions) {
    w.binary(s.filter);
    write_options(w, s.options, v);
  }
}

void decode_body(byte_reader& r, decode_context& ctx, suback_packet& p) {
  p.packet_id = read_packet_id(r, packet_type::suback);
  if (is_v5(ctx.version)) {
    read_properties(r, property_context::suback, p.props);
    read_ack_codes(r, packet_type::suback, p.reasons);
    return;
  }
  // 3.x return codes: granted QoS 0 to 2, or 0x80 for a failure (3.1.1 only, accepted from 3.1 too).
  while (r.remaining() > 0 && !r.failed()) {
    const std::uint8_t code = r.u8();
    if (code > 2 && code != 0x80)
      return r.fail(reason_code::malformed_packet, "MQTT-3.9.3-2",
                    "SUBACK return code " + std::to_string(code) + " is reserved");
    p.reasons.push_back(static_cast<reason_code>(code));
  }
}

void encode_body(byte_writer& w, const suback_packet& p, protocol_version v) {
  w.u16(p.packet_id);
  if (is_v5(v)) write_properties(w, p.props);
  for (auto code : p.reasons) {
    // 3.x knows only granted QoS or 0x80: every 5.0 failure becomes 0x80.
    w.u8(is_v5(v) || !is_error(code) ? static_cast<std::uint8_t>(code) : 0x80);
  }
}

void decode_body(byte_reader& r, decode_context& ctx, unsubscribe_packet& p) {
  p.packet_id = read_packet_id(r, packet_type::unsubscribe);
  if (is_v5(ctx.version)) read_properties(r, property_context::unsubscribe, p.props);
  while (r.remaining() > 0 && !r.failed()) p.filters.push_back(r.utf8("Topic Filter"));
  if (!r.failed() && p.filters.empty())
    r.fail(reason_code::protocol_error, "MQTT-3.10.3-2", "UNSUBSCRIBE without a topic filter");
}

void encode_body(byte_writer& w, const unsubscribe_packet& p, protocol_version v) {
  w.u16(p.packet_id);
  if (is_v5(v)) write_properties(w, p.props);
  for (auto filter : p.filters) w.binary(filter);
}

void decode_body(byte_reader& r, decode_context& ctx, unsuback_packet& p) {
  p.packet_id = read_packet_id(r, packet_type::unsuback);
  if (is_v5(ctx.version)) {
    read_properties(r, property_context::unsuback, p.props);
    read_ack_codes(r, packet_type::unsuback, p.reasons);
  }
  expect_end(r, packet_type::unsuback);
}

void encode_body(byte_writer& w, const unsuback_packet& p, protocol_version v) {
  w.u16(p.packet_id);
  if (!is_v5(v)) return;
  write_properties(w, p.props);
  for (auto code : p.reasons) w.u8(static_cast<std::uint8_t>(code));
}

}  // namespace unimq::mqtt::detail
