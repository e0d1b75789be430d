// Helpers shared by the per-packet codec files.
#include <string>

#include "protocol/codec_internal.hpp"

namespace unimq::mqtt::detail {

namespace {

// The statement that requires a non-zero Packet Identifier covers the packets that pick one
// (PUBLISH with QoS > 0, SUBSCRIBE, UNSUBSCRIBE); an acknowledgement echoes the identifier it
// answers, for which the spec has no statement of its own, so its section is cited.
std::string_view packet_id_rule(packet_type type, bool v5) {
  switch (type) {
    case packet_type::publish:
    case packet_type::subscribe:
    case packet_type::unsubscribe: return v5 ? "MQTT-2.2.1-3" : "MQTT-2.3.1-1";
    default: return v5 ? "MQTT-5.0 §2.2.1" : "MQTT-3.1.1 §2.3.1";
  }
}

// 5.0: the statement that makes the sender use one of the packet's own reason codes.
std::string_view reason_code_rule(packet_type type) {
  switch (type) {
    case packet_type::connack: return "MQTT-3.2.2-8";
    case packet_type::puback: return "MQTT-3.4.2-1";
    case packet_type::pubrec: return "MQTT-3.5.2-1";
    case packet_type::pubrel: return "MQTT-3.6.2-1";
    case packet_type::pubcomp: return "MQTT-3.7.2-1";
    case packet_type::suback: return "MQTT-3.9.3-2";
    case packet_type::unsuback: return "MQTT-3.11.3-2";
    case packet_type::disconnect: return "MQTT-3.14.2-1";
    case packet_type::auth: return "MQTT-3.15.2-1";
    default: return "MQTT-5.0 §2.4";
  }
}

}  // namespace

std::uint16_t read_packet_id(byte_reader& r, packet_type type) {
  const std::uint16_t id = r.u16();
  if (!r.failed() && id == 0)
    r.fail(reason_code::protocol_error, packet_id_rule(type, r.v5()),
           std::string(to_string(type)) + " has packet identifier 0");
  return id;
}

void expect_end(byte_reader& r, packet_type type) {
  if (!r.failed() && r.remaining() != 0)
    r.fail(reason_code::malformed_packet, r.extent_rule(),
           std::to_string(r.remaining()) + " unexpected bytes at the end of " + to_string(type));
}

void check_reason_code(byte_reader& r, packet_type type, reason_code code) {
  if (!r.failed() && !reason_code_allowed(type, code))
    r.fail(reason_code::protocol_error, reason_code_rule(type),
           "reason code " + std::to_string(static_cast<unsigned>(code)) + " is not valid in " +
               to_string(type));
}

void check_payload_format(byte_reader& r, const decode_context& ctx, const properties& props,
                          std::string_view payload, bool will) {
  if (ctx.options.validate_payload_format && props.payload_format_indicator == 1 &&
      validate_utf8_payload(payload) != utf8_error::none)
    r.fail(reason_code::payload_format_invalid, will ? "MQTT-5.0 §3.1.3.2.3" : "MQTT-5.0 §3.3.2.3.2",
           "payload is not valid UTF-8 although its Payload Format Indicator is 1");
}

}  // namespace unimq::mqtt::detail
