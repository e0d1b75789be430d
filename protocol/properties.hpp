#pragma once
// MQTT 5.0 properties (spec section 2.2.2): every identifier, its data type, and the packets it may
// appear in. Values are views into the decoded bytes (or into the caller's storage when encoding).

#include <cstdint>
#include <optional>
#include <string_view>
#include <utility>
#include <vector>

#include "protocol/byte_reader.hpp"
#include "protocol/byte_writer.hpp"
#include "protocol/version.hpp"

namespace unimq::mqtt {

enum class property_id : std::uint8_t {
  payload_format_indicator = 0x01,
  message_expiry_interval = 0x02,
  content_type = 0x03,
  response_topic = 0x08,
  correlation_data = 0x09,
  subscription_identifier = 0x0B,
  session_expiry_interval = 0x11,
  assigned_client_identifier = 0x12,
  server_keep_alive = 0x13,
  authentication_method = 0x15,
  authentication_data = 0x16,
  request_problem_information = 0x17,
  will_delay_interval = 0x18,
  request_response_information = 0x19,
  response_information = 0x1A,
  server_reference = 0x1C,
  reason_string = 0x1F,
  receive_maximum = 0x21,
  topic_alias_maximum = 0x22,
  topic_alias = 0x23,
  maximum_qos = 0x24,
  retain_available = 0x25,
  user_property = 0x26,
  maximum_packet_size = 0x27,
  wildcard_subscription_available = 0x28,
  subscription_identifier_available = 0x29,
  shared_subscription_available = 0x2A,
};

/// The data type of a property's value (spec section 1.5).
enum class property_type { byte, two_byte_integer, four_byte_integer, variable_byte_integer,
                           utf8_string, binary_data, utf8_string_pair };

/// Where properties can stand: a packet type, or the Will Properties of CONNECT.
enum class property_context : std::uint8_t {
  connect, connack, publish, will, puback, pubrec, pubrel, pubcomp, subscribe, suback,
  unsubscribe, unsuback, disconnect, auth,
};

/// The spec's description of one property identifier.
struct property_info {
  property_id id;
  const char* name;
  property_type type;
  std::uint16_t contexts;  ///< bit (1 << property_context) for every place it may appear
};

/// The description of `id`, or nullptr if the identifier is not defined by MQTT 5.0.
const property_info* find_property(std::uint8_t id);

/// One User Property: a name/value pair of UTF-8 strings; order and repeats are kept.
using user_property = std::pair<std::string_view, std::string_view>;

/// All properties of one packet. An unset optional means the property was absent.
struct properties {
  std::optional<std::uint8_t> payload_format_indicator;
  std::optional<std::uint32_t> message_expiry_interval;
  std::optional<std::string_view> content_type;
  std::optional<std::string_view> response_topic;
  std::optional<std::string_view> correlation_data;
  /// Several in a PUBLISH from the server (one per matching subscription), at most one in SUBSCRIBE.
  std::vector<std::uint32_t> subscription_identifiers;
  std::optional<std::uint32_t> session_expiry_interval;
  std::optional<std::string_view> assigned_client_identifier;
  std::optional<std::uint16_t> server_keep_alive;
  std::optional<std::string_view> authentication_method;
  std::optional<std::string_view> authentication_data;
  std::optional<std::uint8_t> request_problem_information;
  std::optional<std::uint32_t> will_delay_interval;
  std::optional<std::uint8_t> request_response_information;
  std::optional<std::string_view> response_information;
  std::optional<std::string_view> server_reference;
  std::optional<std::string_view> reason_string;
  std::optional<std::uint16_t> receive_maximum;
  std::optional<std::uint16_t> topic_alias_maximum;
  std::optional<std::uint16_t> topic_alias;
  std::optional<std::uint8_t> maximum_qos;
  std::optional<std::uint8_t> retain_available;
  std::vector<user_property> user_properties;
  std::optional<std::uint32_t> maximum_packet_size;
  std::optional<std::uint8_t> wildcard_subscription_available;
  std::optional<std::uint8_t> subscription_identifier_available;
  std::optional<std::uint8_t> shared_subscription_available;

  /// True if no property is set.
  bool empty() const;

  bool operator==(const properties& other) const;
  bool operator!=(const properties& other) const { return !(*this == other); }
};

/// Reads a property length and the properties after it, checking that each identifier is defined and
/// allowed in `context`, is not repeated where the spec forbids it, and has a valid value.
void read_properties(byte_reader& r, property_context context, properties& out);

/// Writes the property length and the properties that are set.
void write_properties(byte_writer& w, const properties& props);

}  // namespace unimq::mqtt
