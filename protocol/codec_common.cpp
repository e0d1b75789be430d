// Helpers shared by the per-packet codec files.
#include <string>

#include "protocol/codec_internal.hpp"

namespace unimq::mqtt::detail {

std::uint16_t read_packet_id(byte_reader& r, packet_type type) {
  const std::uint16_t id = r.u16();
  if (!r.failed() && id == 0)
    r.fail(reason_code::protocol_error, "MQTT-2.2.1-3",
           std::string(to_string(type)) + " has packet identifier 0");
  return id;
}

void expect_end(byte_reader& r, packet_type type) {
  if (!r.failed() && r.remaining() != 0)
    r.fail(reason_code::malformed_packet, "MQTT-2.1.4",
           std::to_string(r.remaining()) + " unexpected bytes at the end of " + to_string(type));
}

void check_reason_code(byte_reader& r, packet_type type, reason_code code) {
  if (!r.failed() && !reason_code_allowed(type, code))
    r.fail(reason_code::malformed_packet, "MQTT-2.4",
           "reason code " + std::to_string(static_cast<unsigned>(code)) + " is not valid in " +
               to_string(type));
}

void check_payload_format(byte_reader& r, const decode_context& ctx, const properties& props,
                          std::string_view payload) {
  if (ctx.options.validate_payload_format && props.payload_format_indicator == 1 &&
      validate_utf8(payload) != utf8_error::none)
    r.fail(reason_code::payload_format_invalid, "MQTT-3.3.2.3.2",
           "payload is not valid UTF-8 although its Payload Format Indicator is 1");
}

}  // namespace unimq::mqtt::detail
