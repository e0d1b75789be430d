#pragma once
#include <cstdint>

namespace unimq::mqtt {

/// The protocol level byte of CONNECT.
enum class protocol_version : std::uint8_t {
  v3_1 = 3,    ///< MQTT 3.1, protocol name "MQIsdp"
  v3_1_1 = 4,  ///< MQTT 3.1.1, protocol name "MQTT"
  v5 = 5,      ///< MQTT 5.0, protocol name "MQTT"
};

/// Quality of service of a message or subscription.
enum class qos : std::uint8_t { at_most_once = 0, at_least_once = 1, exactly_once = 2 };

/// Control packet types: the high nibble of the fixed header's first byte.
enum class packet_type : std::uint8_t {
  connect = 1,
  connack = 2,
  publish = 3,
  puback = 4,
  pubrec = 5,
  pubrel = 6,
  pubcomp = 7,
  subscribe = 8,
  suback = 9,
  unsubscribe = 10,
  unsuback = 11,
  pingreq = 12,
  pingresp = 13,
  disconnect = 14,
  auth = 15,  ///< MQTT 5.0 only
};

const char* to_string(packet_type t);

}  // namespace unimq::mqtt
