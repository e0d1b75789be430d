#pragma once
// MQTT 5.0 reason codes (spec section 2.4) and the MQTT 3.x return codes they map to.

#include <cstdint>
#include <optional>

#include "protocol/version.hpp"

namespace unimq::mqtt {

/// Reason codes with the spec's names. 0x00 has three names, as in the spec.
enum class reason_code : std::uint8_t {
  success = 0x00,
  normal_disconnection = 0x00,
  granted_qos_0 = 0x00,
  granted_qos_1 = 0x01,
  granted_qos_2 = 0x02,
  disconnect_with_will_message = 0x04,
  no_matching_subscribers = 0x10,
  no_subscription_existed = 0x11,
  continue_authentication = 0x18,
  re_authenticate = 0x19,
  unspecified_error = 0x80,
  malformed_packet = 0x81,
  protocol_error = 0x82,
  implementation_specific_error = 0x83,
  unsupported_protocol_version = 0x84,
  client_identifier_not_valid = 0x85,
  bad_user_name_or_password = 0x86,
  not_authorized = 0x87,
  server_unavailable = 0x88,
  server_busy = 0x89,
  banned = 0x8A,
  server_shutting_down = 0x8B,
  bad_authentication_method = 0x8C,
  keep_alive_timeout = 0x8D,
  session_taken_over = 0x8E,
  topic_filter_invalid = 0x8F,
  topic_name_invalid = 0x90,
  packet_identifier_in_use = 0x91,
  packet_identifier_not_found = 0x92,
  receive_maximum_exceeded = 0x93,
  topic_alias_invalid = 0x94,
  packet_too_large = 0x95,
  message_rate_too_high = 0x96,
  quota_exceeded = 0x97,
  administrative_action = 0x98,
  payload_format_invalid = 0x99,
  retain_not_supported = 0x9A,
  qos_not_supported = 0x9B,
  use_another_server = 0x9C,
  server_moved = 0x9D,
  shared_subscriptions_not_supported = 0x9E,
  connection_rate_exceeded = 0x9F,
  maximum_connect_time = 0xA0,
  subscription_identifiers_not_supported = 0xA1,
  wildcard_subscriptions_not_supported = 0xA2,
};

/// The spec's name of `code` ("Success" for 0x00), or "Unknown reason code" when it has none.
const char* to_string(reason_code code);

/// True if `code` is a reason code the spec allows in a packet of type `type` (MQTT 5.0).
bool reason_code_allowed(packet_type type, reason_code code);

/// True for codes of 0x80 and above, which report a failure.
constexpr bool is_error(reason_code code) { return static_cast<std::uint8_t>(code) >= 0x80; }

/// The MQTT 3.x CONNACK return code that stands for `code`, if 3.x has one (0 to 5).
std::optional<std::uint8_t> connack_return_code_v3(reason_code code);

/// The reason code that stands for an MQTT 3.x CONNACK return code, if it is one of 0 to 5.
std::optional<reason_code> from_connack_return_code_v3(std::uint8_t return_code);

}  // namespace unimq::mqtt
