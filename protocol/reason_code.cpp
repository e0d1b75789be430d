#include "protocol/reason_code.hpp"

#include <algorithm>
#include <initializer_list>
#include <iterator>

namespace unimq::mqtt {

const char* to_string(reason_code code) {
  switch (code) {
    case reason_code::success: return "Success";
    case reason_code::granted_qos_1: return "Granted QoS 1";
    case reason_code::granted_qos_2: return "Granted QoS 2";
    case reason_code::disconnect_with_will_message: return "Disconnect with Will Message";
    case reason_code::no_matching_subscribers: return "No matching subscribers";
    case reason_code::no_subscription_existed: return "No subscription existed";
    case reason_code::continue_authentication: return "Continue authentication";
    case reason_code::re_authenticate: return "Re-authenticate";
    case reason_code::unspecified_error: return "Unspecified error";
    case reason_code::malformed_packet: return "Malformed Packet";
    case reason_code::protocol_error: return "Protocol Error";
    case reason_code::implementation_specific_error: return "Implementation specific error";
    case reason_code::unsupported_protocol_version: return "Unsupported Protocol Version";
    case reason_code::client_identifier_not_valid: return "Client Identifier not valid";
    case reason_code::bad_user_name_or_password: return "Bad User Name or Password";
    case reason_code::not_authorized: return "Not authorized";
    case reason_code::server_unavailable: return "Server unavailable";
    case reason_code::server_busy: return "Server busy";
    case reason_code::banned: return "Banned";
    case reason_code::server_shutting_down: return "Server shutting down";
    case reason_code::bad_authentication_method: return "Bad authentication method";
    case reason_code::keep_alive_timeout: return "Keep Alive timeout";
    case reason_code::session_taken_over: return "Session taken over";
    case reason_code::topic_filter_invalid: return "Topic Filter invalid";
    case reason_code::topic_name_invalid: return "Topic Name invalid";
    case reason_code::packet_identifier_in_use: return "Packet Identifier in use";
    case reason_code::packet_identifier_not_found: return "Packet Identifier not found";
    case reason_code::receive_maximum_exceeded: return "Receive Maximum exceeded";
    case reason_code::topic_alias_invalid: return "Topic Alias invalid";
    case reason_code::packet_too_large: return "Packet too large";
    case reason_code::message_rate_too_high: return "Message rate too high";
    case reason_code::quota_exceeded: return "Quota exceeded";
    case reason_code::administrative_action: return "Administrative action";
    case reason_code::payload_format_invalid: return "Payload format invalid";
    case reason_code::retain_not_supported: return "Retain not supported";
    case reason_code::qos_not_supported: return "QoS not supported";
    case reason_code::use_another_server: return "Use another server";
    case reason_code::server_moved: return "Server moved";
    case reason_code::shared_subscriptions_not_supported: return "Shared Subscriptions not supported";
    case reason_code::connection_rate_exceeded: return "Connection rate exceeded";
    case reason_code::maximum_connect_time: return "Maximum connect time";
    case reason_code::subscription_identifiers_not_supported:
      return "Subscription Identifiers not supported";
    case reason_code::wildcard_subscriptions_not_supported:
      return "Wildcard Subscriptions not supported";
  }
  return "Unknown reason code";
}

namespace {

using rc = reason_code;

bool one_of(rc code, std::initializer_list<rc> allowed) {
  return std::find(allowed.begin(), allowed.end(), code) != allowed.end();
}

}  // namespace

// The tables are the "Packets" column of MQTT 5.0 table 2-6.
bool reason_code_allowed(packet_type type, reason_code code) {
  switch (type) {
    case packet_type::connack:
      return one_of(code, {rc::success, rc::unspecified_error, rc::malformed_packet,
                           rc::protocol_error, rc::implementation_specific_error,
                           rc::unsupported_protocol_version, rc::client_identifier_not_valid,
                           rc::bad_user_name_or_password, rc::not_authorized,
                           rc::server_unavailable, rc::server_busy, rc::banned,
                           rc::bad_authentication_method, rc::topic_name_invalid,
                           rc::packet_too_large, rc::quota_exceeded, rc::payload_format_invalid,
                           rc::retain_not_supported, rc::qos_not_supported,
                           rc::use_another_server, rc::server_moved,
                           rc::connection_rate_exceeded});
    case packet_type::puback:
    case packet_type::pubrec:
      return one_of(code, {rc::success, rc::no_matching_subscribers, rc::unspecified_error,
                           rc::implementation_specific_error, rc::not_authorized,
                           rc::topic_name_invalid, rc::packet_identifier_in_use,
                           rc::quota_exceeded, rc::payload_format_invalid});
    case packet_type::pubrel:
    case packet_type::pubcomp:
      return one_of(code, {rc::success, rc::packet_identifier_not_found});
    case packet_type::suback:
      return one_of(code, {rc::granted_qos_0, rc::granted_qos_1, rc::granted_qos_2,
                           rc::unspecified_error, rc::implementation_specific_error,
                           rc::not_authorized, rc::topic_filter_invalid,
                           rc::packet_identifier_in_use, rc::quota_exceeded,
                           rc::shared_subscriptions_not_supported,
                           rc::subscription_identifiers_not_supported,
                           rc::wildcard_subscriptions_not_supported});
    case packet_type::unsuback:
      return one_of(code, {rc::success, rc::no_subscription_existed, rc::unspecified_error,
                           rc::implementation_specific_error, rc::not_authorized,
                           rc::topic_filter_invalid, rc::packet_identifier_in_use});
    case packet_type::disconnect:
      return one_of(code, {rc::normal_disconnection, rc::disconnect_with_will_message,
                           rc::unspecified_error, rc::malformed_packet, rc::protocol_error,
                           rc::implementation_specific_error, rc::not_authorized,
                           rc::server_busy, rc::server_shutting_down, rc::keep_alive_timeout,
                           rc::session_taken_over, rc::topic_filter_invalid,
                           rc::topic_name_invalid, rc::receive_maximum_exceeded,
                           rc::topic_alias_invalid, rc::packet_too_large,
                           rc::message_rate_too_high, rc::quota_exceeded,
                           rc::administrative_action, rc::payload_format_invalid,
                           rc::retain_not_supported, rc::qos_not_supported,
                           rc::use_another_server, rc::server_moved,
                           rc::shared_subscriptions_not_supported,
                           rc::connection_rate_exceeded, rc::maximum_connect_time,
                           rc::subscription_identifiers_not_supported,
                           rc::wildcard_subscriptions_not_supported});
    case packet_type::auth:
      return one_of(code, {rc::success, rc::continue_authentication, rc::re_authenticate});
    default:
      return false;
  }
}

std::optional<std::uint8_t> connack_return_code_v3(reason_code code) {
  switch (code) {
    case rc::success: return 0;
    case rc::unsupported_protocol_version: return 1;
    case rc::client_identifier_not_valid: return 2;
    case rc::server_unavailable:
    case rc::server_busy: return 3;
    case rc::bad_user_name_or_password: return 4;
    case rc::not_authorized: return 5;
    default: return std::nullopt;
  }
}

std::optional<reason_code> from_connack_return_code_v3(std::uint8_t return_code) {
  constexpr reason_code codes[] = {rc::success, rc::unsupported_protocol_version,
                                   rc::client_identifier_not_valid, rc::server_unavailable,
                                   rc::bad_user_name_or_password, rc::not_authorized};
  if (return_code >= std::size(codes)) return std::nullopt;
  return codes[return_code];
}

}  // namespace unimq::mqtt
