// CONNECT (spec 3.1) and CONNACK (spec 3.2).
#include <string>

#include "protocol/codec_internal.hpp"

namespace unimq::mqtt::detail {
namespace {

constexpr std::string_view kMqttName = "MQTT";
constexpr std::string_view kMqisdpName = "MQIsdp";

namespace connect_flag {
constexpr std::uint8_t reserved = 0x01;
constexpr std::uint8_t clean_start = 0x02;
constexpr std::uint8_t will = 0x04;
constexpr int will_qos_shift = 3;
constexpr std::uint8_t will_retain = 0x20;
constexpr std::uint8_t password = 0x40;
constexpr std::uint8_t username = 0x80;
}  // namespace connect_flag

bool is_v5(protocol_version v) { return v == protocol_version::v5; }

// Reads the protocol name and level; sets ctx.version so that later errors are reported in it.
bool read_protocol(byte_reader& r, decode_context& ctx, connect_packet& p) {
  const auto name = r.binary();
  const auto level = r.u8();
  if (r.failed()) return false;
  if (name != kMqttName && name != kMqisdpName) {
    // The peer may speak another protocol altogether, so the server closes without a CONNACK in any
    // version [MQTT-3.1.2-1]; 0x84 is the code 5.0 names for it, for the log.
    ctx.close_without_reply = true;
    r.fail(reason_code::unsupported_protocol_version, "MQTT-3.1.2-1",
           "protocol name is not \"MQTT\" (or \"MQIsdp\" for 3.1)");
    return false;
  }
  const bool known = (name == kMqisdpName && level == 3) || (name == kMqttName && (level == 4 || level == 5));
  if (!known) {
    r.fail(reason_code::unsupported_protocol_version, "MQTT-3.1.2-2",
           "protocol level " + std::to_string(level) + " with name \"" + std::string(name) +
               "\" is not supported");
    return false;
  }
  ctx.version = p.version = static_cast<protocol_version>(level);
  r.set_version(ctx.version);
  return true;
}

void read_will(byte_reader& r, decode_context& ctx, will_message& will) {
  if (is_v5(ctx.version)) read_properties(r, property_context::will, will.props);
  will.topic = r.utf8("Will Topic");
  will.payload = r.binary();
  check_payload_format(r, ctx, will.props, will.payload, /*will=*/true);
}

}  // namespace

void decode_body(byte_reader& r, decode_context& ctx, connect_packet& p) {
  if (!read_protocol(r, ctx, p)) return;
  const bool v5 = is_v5(ctx.version);
  const std::uint8_t flags = r.u8();
  p.keep_alive = r.u16();
  if (r.failed()) return;

  // [MQTT-3.1.2-3]: the reserved flag must be zero.
  if (flags & connect_flag::reserved)
    return r.fail(reason_code::malformed_packet, "MQTT-3.1.2-3", "reserved connect flag is set");
  p.clean_start = flags & connect_flag::clean_start;
  const bool has_will = flags & connect_flag::will;
  const auto will_qos = static_cast<std::uint8_t>((flags >> connect_flag::will_qos_shift) & 0x3);
  const bool will_retain = flags & connect_flag::will_retain;
  if (!has_will && will_qos != 0)
    return r.fail(reason_code::malformed_packet, v5 ? "MQTT-3.1.2-11" : "MQTT-3.1.2-13",
                  "Will QoS is set without a Will Flag");
  if (will_qos == 3)
    return r.fail(reason_code::malformed_packet, v5 ? "MQTT-3.1.2-12" : "MQTT-3.1.2-14",
                  "Will QoS is 3");
  if (!has_will && will_retain)
    return r.fail(reason_code::malformed_packet, v5 ? "MQTT-3.1.2-13" : "MQTT-3.1.2-15",
                  "Will Retain is set without a Will Flag");
  const bool has_username = flags & connect_flag::username;
  const bool has_password = flags & connect_flag::password;
  // 5.0 allows a password without a user name; 3.x does not.
  if (!v5 && has_password && !has_username)
    return r.fail(reason_code::malformed_packet, "MQTT-3.1.2-22",
                  "Password Flag is set without a User Name Flag");

  if (v5) read_properties(r, property_context::connect, p.props);
  p.client_id = r.utf8("Client Identifier");
  if (has_will) {
    auto& will = p.will.emplace();
    will.qos = static_cast<mqtt::qos>(will_qos);
    will.retain = will_retain;
    read_will(r, ctx, will);
  }
  if (has_username) p.username = r.utf8("User Name");
  if (has_password) p.password = r.binary();
  expect_end(r, packet_type::connect);
  if (r.failed() || !p.client_id.empty()) return;

  // An empty Client Identifier: 3.1 requires one; 3.1.1 only with a clean session [MQTT-3.1.3-8];
  // 5.0 lets the server assign one.
  if (ctx.version == protocol_version::v3_1)
    r.fail(reason_code::client_identifier_not_valid, "MQTT-3.1 §3.1 Client Identifier",
           "MQTT 3.1 requires a Client Identifier of 1 to 23 characters");
  else if (ctx.version == protocol_version::v3_1_1 && !p.clean_start)
    r.fail(reason_code::client_identifier_not_valid, "MQTT-3.1.3-8",
           "an empty Client Identifier needs Clean Session set");
}

void decode_body(byte_reader& r, decode_context& ctx, connack_packet& p) {
  const std::uint8_t ack_flags = r.u8();
  const std::uint8_t code = r.u8();
  if (r.failed()) return;
  if (ctx.version == protocol_version::v3_1) {
    // 3.1 has no flags: the first byte is unused.
  } else if (ack_flags & 0xFE) {
    // 5.0 numbers the rule; 3.1.1 only marks the bits reserved (section 3.2.2.1).
    return r.fail(reason_code::malformed_packet, is_v5(ctx.version) ? "MQTT-3.2.2-1" : "MQTT-4.8.0-1",
                  "reserved Connect Acknowledge Flags are set");
  } else {
    p.session_present = ack_flags & 0x01;
  }
  if (is_v5(ctx.version)) {
    p.reason = static_cast<reason_code>(code);
    check_reason_code(r, packet_type::connack, p.reason);
    read_properties(r, property_context::connack, p.props);
  } else if (auto reason = from_connack_return_code_v3(code)) {
    p.reason = *reason;
  } else {
    return r.fail(reason_code::malformed_packet, "MQTT-4.8.0-1",
                  "CONNACK return code " + std::to_string(code) + " is reserved");
  }
  expect_end(r, packet_type::connack);
}

void encode_body(byte_writer& w, const connect_packet& p, protocol_version) {
  // A CONNECT is encoded in the version it names.
  const bool v5 = is_v5(p.version);
  w.binary(p.version == protocol_version::v3_1 ? kMqisdpName : kMqttName);
  w.u8(static_cast<std::uint8_t>(p.version));
  std::uint8_t flags = 0;
  if (p.clean_start) flags |= connect_flag::clean_start;
  if (p.will) {
    flags |= connect_flag::will;
    flags |= static_cast<std::uint8_t>(static_cast<std::uint8_t>(p.will->qos) << connect_flag::will_qos_shift);
    if (p.will->retain) flags |= connect_flag::will_retain;
  }
  if (p.username) flags |= connect_flag::username;
  if (p.password) flags |= connect_flag::password;
  w.u8(flags);
  w.u16(p.keep_alive);
  if (v5) write_properties(w, p.props);
  w.binary(p.client_id);
  if (p.will) {
    if (v5) write_properties(w, p.will->props);
    w.binary(p.will->topic);
    w.binary(p.will->payload);
  }
  if (p.username) w.binary(*p.username);
  if (p.password) w.binary(*p.password);
}

void encode_body(byte_writer& w, const connack_packet& p, protocol_version v) {
  w.u8(v == protocol_version::v3_1 ? 0 : p.session_present ? 1 : 0);
  if (is_v5(v)) {
    w.u8(static_cast<std::uint8_t>(p.reason));
    write_properties(w, p.props);
  } else if (auto code = connack_return_code_v3(p.reason)) {
    w.u8(*code);
  } else {
    w.fail();  // 3.x has no return code for this reason
  }
}

}  // namespace unimq::mqtt::detail
