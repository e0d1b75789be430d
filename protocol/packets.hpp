#pragma once
// One struct per MQTT control packet. String and binary fields are views: after decoding they point
// into the bytes that were decoded, which must outlive the packet; when encoding they point into the
// caller's storage. Fields a version lacks (properties, reason codes before 5.0) are ignored when
// encoding for that version and left at their defaults when decoding it.

#include <cstdint>
#include <optional>
#include <string_view>
#include <variant>
#include <vector>

#include "protocol/properties.hpp"
#include "protocol/reason_code.hpp"
#include "protocol/version.hpp"

namespace unimq::mqtt {

struct will_message {
  std::string_view topic;
  std::string_view payload;
  mqtt::qos qos = qos::at_most_once;
  bool retain = false;
  properties props;  ///< Will Properties (5.0)
};

struct connect_packet {
  protocol_version version = protocol_version::v3_1_1;
  bool clean_start = true;  ///< "Clean Session" before 5.0
  std::uint16_t keep_alive = 0;
  properties props;
  std::string_view client_id;
  std::optional<will_message> will;
  std::optional<std::string_view> username;
  std::optional<std::string_view> password;
};

struct connack_packet {
  bool session_present = false;
  reason_code reason = reason_code::success;  ///< 3.x return codes map to reason codes
  properties props;
};

struct publish_packet {
  bool dup = false;
  mqtt::qos qos = qos::at_most_once;
  bool retain = false;
  std::string_view topic;       ///< may be empty in 5.0 when a Topic Alias stands for it
  std::uint16_t packet_id = 0;  ///< only for QoS 1 and 2
  properties props;
  std::string_view payload;
};

/// PUBACK, PUBREC, PUBREL and PUBCOMP share one layout.
template <packet_type Type>
struct publish_response {
  static constexpr packet_type type = Type;
  std::uint16_t packet_id = 0;
  reason_code reason = reason_code::success;
  properties props;
};
using puback_packet = publish_response<packet_type::puback>;
using pubrec_packet = publish_response<packet_type::pubrec>;
using pubrel_packet = publish_response<packet_type::pubrel>;
using pubcomp_packet = publish_response<packet_type::pubcomp>;

/// Subscription Options byte; no_local, retain_as_published and retain_handling are 5.0 only.
struct subscription_options {
  mqtt::qos max_qos = qos::at_most_once;
  bool no_local = false;
  bool retain_as_published = false;
  std::uint8_t retain_handling = 0;  ///< 0 send retained, 1 only for new subscriptions, 2 never
};

struct subscription {
  std::string_view filter;
  subscription_options options;
};

struct subscribe_packet {
  std::uint16_t packet_id = 0;
  properties props;
  std::vector<subscription> subscriptions;
};

struct suback_packet {
  std::uint16_t packet_id = 0;
  properties props;
  std::vector<reason_code> reasons;  ///< granted QoS or failure, one per subscription
};

struct unsubscribe_packet {
  std::uint16_t packet_id = 0;
  properties props;
  std::vector<std::string_view> filters;
};

struct unsuback_packet {
  std::uint16_t packet_id = 0;
  properties props;
  std::vector<reason_code> reasons;  ///< 5.0 only; empty before
};

struct pingreq_packet {};
struct pingresp_packet {};

struct disconnect_packet {
  reason_code reason = reason_code::normal_disconnection;
  properties props;
};

struct auth_packet {
  reason_code reason = reason_code::success;
  properties props;
};

using packet = std::variant<connect_packet, connack_packet, publish_packet, puback_packet,
                            pubrec_packet, pubrel_packet, pubcomp_packet, subscribe_packet,
                            suback_packet, unsubscribe_packet, unsuback_packet, pingreq_packet,
                            pingresp_packet, disconnect_packet, auth_packet>;

/// The control packet type of `p`.
packet_type type_of(const packet& p);

bool operator==(const will_message& a, const will_message& b);
bool operator==(const connect_packet& a, const connect_packet& b);
bool operator==(const connack_packet& a, const connack_packet& b);
bool operator==(const publish_packet& a, const publish_packet& b);
template <packet_type T>
bool operator==(const publish_response<T>& a, const publish_response<T>& b) {
  return a.packet_id == b.packet_id && a.reason == b.reason && a.props == b.props;
}
bool operator==(const subscription& a, const subscription& b);
bool operator==(const subscribe_packet& a, const subscribe_packet& b);
bool operator==(const suback_packet& a, const suback_packet& b);
bool operator==(const unsubscribe_packet& a, const unsubscribe_packet& b);
bool operator==(const unsuback_packet& a, const unsuback_packet& b);
inline bool operator==(const pingreq_packet&, const pingreq_packet&) { return true; }
inline bool operator==(const pingresp_packet&, const pingresp_packet&) { return true; }
bool operator==(const disconnect_packet& a, const disconnect_packet& b);
bool operator==(const auth_packet& a, const auth_packet& b);

}  // namespace unimq::mqtt
