#include "protocol/properties.hpp"

#include <array>
#include <cstdio>
#include <string>

namespace unimq::mqtt {
namespace {

constexpr std::uint16_t in(std::initializer_list<property_context> contexts) {
  std::uint16_t bits = 0;
  for (auto c : contexts) bits |= 1u << static_cast<unsigned>(c);
  return bits;
}

using pc = property_context;
using pt = property_type;
using pid = property_id;

constexpr std::uint16_t kEverywhere =
    in({pc::connect, pc::connack, pc::publish, pc::will, pc::puback, pc::pubrec, pc::pubrel,
        pc::pubcomp, pc::subscribe, pc::suback, pc::unsubscribe, pc::unsuback, pc::disconnect,
        pc::auth});

// MQTT 5.0 table 2-4.
constexpr property_info kProperties[] = {
    {pid::payload_format_indicator, "Payload Format Indicator", pt::byte, in({pc::publish, pc::will})},
    {pid::message_expiry_interval, "Message Expiry Interval", pt::four_byte_integer, in({pc::publish, pc::will})},
    {pid::content_type, "Content Type", pt::utf8_string, in({pc::publish, pc::will})},
    {pid::response_topic, "Response Topic", pt::utf8_string, in({pc::publish, pc::will})},
    {pid::correlation_data, "Correlation Data", pt::binary_data, in({pc::publish, pc::will})},
    {pid::subscription_identifier, "Subscription Identifier", pt::variable_byte_integer, in({pc::publish, pc::subscribe})},
    {pid::session_expiry_interval, "Session Expiry Interval", pt::four_byte_integer, in({pc::connect, pc::connack, pc::disconnect})},
    {pid::assigned_client_identifier, "Assigned Client Identifier", pt::utf8_string, in({pc::connack})},
    {pid::server_keep_alive, "Server Keep Alive", pt::two_byte_integer, in({pc::connack})},
    {pid::authentication_method, "Authentication Method", pt::utf8_string, in({pc::connect, pc::connack, pc::auth})},
    {pid::authentication_data, "Authentication Data", pt::binary_data, in({pc::connect, pc::connack, pc::auth})},
    {pid::request_problem_information, "Request Problem Information", pt::byte, in({pc::connect})},
    {pid::will_delay_interval, "Will Delay Interval", pt::four_byte_integer, in({pc::will})},
    {pid::request_response_information, "Request Response Information", pt::byte, in({pc::connect})},
    {pid::response_information, "Response Information", pt::utf8_string, in({pc::connack})},
    {pid::server_reference, "Server Reference", pt::utf8_string, in({pc::connack, pc::disconnect})},
    {pid::reason_string, "Reason String", pt::utf8_string,
     in({pc::connack, pc::puback, pc::pubrec, pc::pubrel, pc::pubcomp, pc::suback, pc::unsuback, pc::disconnect, pc::auth})},
    {pid::receive_maximum, "Receive Maximum", pt::two_byte_integer, in({pc::connect, pc::connack})},
    {pid::topic_alias_maximum, "Topic Alias Maximum", pt::two_byte_integer, in({pc::connect, pc::connack})},
    {pid::topic_alias, "Topic Alias", pt::two_byte_integer, in({pc::publish})},
    {pid::maximum_qos, "Maximum QoS", pt::byte, in({pc::connack})},
    {pid::retain_available, "Retain Available", pt::byte, in({pc::connack})},
    {pid::user_property, "User Property", pt::utf8_string_pair, kEverywhere},
    {pid::maximum_packet_size, "Maximum Packet Size", pt::four_byte_integer, in({pc::connect, pc::connack})},
    {pid::wildcard_subscription_available, "Wildcard Subscription Available", pt::byte, in({pc::connack})},
    {pid::subscription_identifier_available, "Subscription Identifier Available", pt::byte, in({pc::connack})},
    {pid::shared_subscription_available, "Shared Subscription Available", pt::byte, in({pc::connack})},
};

// The section that defines a property in each place it may stand. Each says which values are valid
// and that including the property more than once is a Protocol Error, without a numbered statement,
// so range and repeat failures cite it. User Property may repeat and has no range, so it is left out.
struct section_entry {
  property_context context;
  property_id id;
  const char* section;
};

constexpr section_entry kSections[] = {
    {pc::connect, pid::session_expiry_interval, "MQTT-5.0 §3.1.2.11.2"},
    {pc::connect, pid::receive_maximum, "MQTT-5.0 §3.1.2.11.3"},
    {pc::connect, pid::maximum_packet_size, "MQTT-5.0 §3.1.2.11.4"},
    {pc::connect, pid::topic_alias_maximum, "MQTT-5.0 §3.1.2.11.5"},
    {pc::connect, pid::request_response_information, "MQTT-5.0 §3.1.2.11.6"},
    {pc::connect, pid::request_problem_information, "MQTT-5.0 §3.1.2.11.7"},
    {pc::connect, pid::authentication_method, "MQTT-5.0 §3.1.2.11.9"},
    {pc::connect, pid::authentication_data, "MQTT-5.0 §3.1.2.11.10"},
    {pc::will, pid::will_delay_interval, "MQTT-5.0 §3.1.3.2.2"},
    {pc::will, pid::payload_format_indicator, "MQTT-5.0 §3.1.3.2.3"},
    {pc::will, pid::message_expiry_interval, "MQTT-5.0 §3.1.3.2.4"},
    {pc::will, pid::content_type, "MQTT-5.0 §3.1.3.2.5"},
    {pc::will, pid::response_topic, "MQTT-5.0 §3.1.3.2.6"},
    {pc::will, pid::correlation_data, "MQTT-5.0 §3.1.3.2.7"},
    {pc::connack, pid::session_expiry_interval, "MQTT-5.0 §3.2.2.3.2"},
    {pc::connack, pid::receive_maximum, "MQTT-5.0 §3.2.2.3.3"},
    {pc::connack, pid::maximum_qos, "MQTT-5.0 §3.2.2.3.4"},
    {pc::connack, pid::retain_available, "MQTT-5.0 §3.2.2.3.5"},
    {pc::connack, pid::maximum_packet_size, "MQTT-5.0 §3.2.2.3.6"},
    {pc::connack, pid::assigned_client_identifier, "MQTT-5.0 §3.2.2.3.7"},
    {pc::connack, pid::topic_alias_maximum, "MQTT-5.0 §3.2.2.3.8"},
    {pc::connack, pid::reason_string, "MQTT-5.0 §3.2.2.3.9"},
    {pc::connack, pid::wildcard_subscription_available, "MQTT-5.0 §3.2.2.3.11"},
    {pc::connack, pid::subscription_identifier_available, "MQTT-5.0 §3.2.2.3.12"},
    {pc::connack, pid::shared_subscription_available, "MQTT-5.0 §3.2.2.3.13"},
    {pc::connack, pid::server_keep_alive, "MQTT-5.0 §3.2.2.3.14"},
    {pc::connack, pid::response_information, "MQTT-5.0 §3.2.2.3.15"},
    {pc::connack, pid::server_reference, "MQTT-5.0 §3.2.2.3.16"},
    {pc::connack, pid::authentication_method, "MQTT-5.0 §3.2.2.3.17"},
    {pc::connack, pid::authentication_data, "MQTT-5.0 §3.2.2.3.18"},
    {pc::publish, pid::payload_format_indicator, "MQTT-5.0 §3.3.2.3.2"},
    {pc::publish, pid::message_expiry_interval, "MQTT-5.0 §3.3.2.3.3"},
    {pc::publish, pid::topic_alias, "MQTT-5.0 §3.3.2.3.4"},
    {pc::publish, pid::response_topic, "MQTT-5.0 §3.3.2.3.5"},
    {pc::publish, pid::correlation_data, "MQTT-5.0 §3.3.2.3.6"},
    {pc::publish, pid::subscription_identifier, "MQTT-5.0 §3.3.2.3.8"},
    {pc::publish, pid::content_type, "MQTT-5.0 §3.3.2.3.9"},
    {pc::puback, pid::reason_string, "MQTT-5.0 §3.4.2.2.2"},
    {pc::pubrec, pid::reason_string, "MQTT-5.0 §3.5.2.2.2"},
    {pc::pubrel, pid::reason_string, "MQTT-5.0 §3.6.2.2.2"},
    {pc::pubcomp, pid::reason_string, "MQTT-5.0 §3.7.2.2.2"},
    {pc::subscribe, pid::subscription_identifier, "MQTT-5.0 §3.8.2.1.2"},
    {pc::suback, pid::reason_string, "MQTT-5.0 §3.9.2.1.2"},
    {pc::unsuback, pid::reason_string, "MQTT-5.0 §3.11.2.1.2"},
    {pc::disconnect, pid::session_expiry_interval, "MQTT-5.0 §3.14.2.2.2"},
    {pc::disconnect, pid::reason_string, "MQTT-5.0 §3.14.2.2.3"},
    {pc::disconnect, pid::server_reference, "MQTT-5.0 §3.14.2.2.5"},
    {pc::auth, pid::authentication_method, "MQTT-5.0 §3.15.2.2.2"},
    {pc::auth, pid::authentication_data, "MQTT-5.0 §3.15.2.2.3"},
    {pc::auth, pid::reason_string, "MQTT-5.0 §3.15.2.2.4"},
};

// Looked up on failure only.
std::string_view section_of(property_id id, property_context context) {
  for (const auto& s : kSections)
    if (s.id == id && s.context == context) return s.section;
  return "MQTT-5.0 §2.2.2.2";
}

template <class T>
struct field {
  property_id id;
  std::optional<T> properties::*member;
};

constexpr field<std::uint8_t> kByteFields[] = {
    {pid::payload_format_indicator, &properties::payload_format_indicator},
    {pid::request_problem_information, &properties::request_problem_information},
    {pid::request_response_information, &properties::request_response_information},
    {pid::maximum_qos, &properties::maximum_qos},
    {pid::retain_available, &properties::retain_available},
    {pid::wildcard_subscription_available, &properties::wildcard_subscription_available},
    {pid::subscription_identifier_available, &properties::subscription_identifier_available},
    {pid::shared_subscription_available, &properties::shared_subscription_available},
};
constexpr field<std::uint16_t> kTwoByteFields[] = {
    {pid::server_keep_alive, &properties::server_keep_alive},
    {pid::receive_maximum, &properties::receive_maximum},
    {pid::topic_alias_maximum, &properties::topic_alias_maximum},
    {pid::topic_alias, &properties::topic_alias},
};
constexpr field<std::uint32_t> kFourByteFields[] = {
    {pid::message_expiry_interval, &properties::message_expiry_interval},
    {pid::session_expiry_interval, &properties::session_expiry_interval},
    {pid::will_delay_interval, &properties::will_delay_interval},
    {pid::maximum_packet_size, &properties::maximum_packet_size},
};
constexpr field<std::string_view> kStringFields[] = {
    {pid::content_type, &properties::content_type},
    {pid::response_topic, &properties::response_topic},
    {pid::correlation_data, &properties::correlation_data},
    {pid::assigned_client_identifier, &properties::assigned_client_identifier},
    {pid::authentication_method, &properties::authentication_method},
    {pid::authentication_data, &properties::authentication_data},
    {pid::response_information, &properties::response_information},
    {pid::server_reference, &properties::server_reference},
    {pid::reason_string, &properties::reason_string},
};

// Everything decoding needs about one identifier, in a table indexed by it, so that reading a
// property searches nothing: its description and where its member is in its type's field list.
struct id_entry {
  const property_info* info = nullptr;  ///< nullptr: the identifier is not defined by MQTT 5.0
  std::uint8_t field = 0;  ///< index into kByteFields, kTwoByteFields, kFourByteFields or kStringFields
};

constexpr std::size_t kIdTableSize = 64;  // identifiers are 0x01 to 0x2A

template <class T, std::size_t N>
constexpr void index_fields(std::array<id_entry, kIdTableSize>& table, const field<T> (&fields)[N]) {
  for (std::size_t i = 0; i < N; ++i)
    table[static_cast<std::size_t>(fields[i].id)].field = static_cast<std::uint8_t>(i);
}

constexpr std::array<id_entry, kIdTableSize> make_id_table() {
  std::array<id_entry, kIdTableSize> table{};
  for (const auto& info : kProperties) table[static_cast<std::size_t>(info.id)].info = &info;
  index_fields(table, kByteFields);
  index_fields(table, kTwoByteFields);
  index_fields(table, kFourByteFields);
  index_fields(table, kStringFields);
  return table;
}

constexpr auto kIdTable = make_id_table();

// Every property of a fixed-width or string type has its field, and the field is the property's.
template <class T, std::size_t N>
constexpr bool field_matches(const id_entry& e, const field<T> (&fields)[N]) {
  return e.field < N && fields[e.field].id == e.info->id;
}

constexpr bool id_table_consistent() {
  for (std::size_t id = 0; id < kIdTableSize; ++id) {
    const id_entry& e = kIdTable[id];
    if (!e.info) continue;
    if (static_cast<std::size_t>(e.info->id) != id) return false;
    switch (e.info->type) {
      case pt::byte: if (!field_matches(e, kByteFields)) return false; break;
      case pt::two_byte_integer: if (!field_matches(e, kTwoByteFields)) return false; break;
      case pt::four_byte_integer: if (!field_matches(e, kFourByteFields)) return false; break;
      case pt::utf8_string:
      case pt::binary_data: if (!field_matches(e, kStringFields)) return false; break;
      case pt::variable_byte_integer:
      case pt::utf8_string_pair: break;
    }
  }
  return true;
}
static_assert(id_table_consistent(), "a property lacks its field, or a field names another property");

std::string describe(const property_info& info) {
  char hex[8];
  std::snprintf(hex, sizeof hex, "0x%02X", static_cast<unsigned>(info.id));
  return std::string(info.name) + " (" + hex + ")";
}

// Range rules on values, each stated in the property's section; returns false after recording a
// failure. A value outside the range is a Protocol Error (0x82).
bool check_value(byte_reader& r, const property_info& info, property_context context,
                 std::uint32_t value) {
  // Only a failure pays for the section lookup and the message.
  auto fail = [&](reason_code code, std::string_view rule, const char* what) {
    r.fail(code, rule, describe(info) + " " + what);
    return false;
  };
  auto section = [&] { return section_of(info.id, context); };
  switch (info.id) {
    case pid::payload_format_indicator:
    case pid::request_problem_information:
    case pid::request_response_information:
    case pid::maximum_qos:
    case pid::retain_available:
    case pid::wildcard_subscription_available:
    case pid::subscription_identifier_available:
    case pid::shared_subscription_available:
      if (value > 1) return fail(reason_code::protocol_error, section(), "must be 0 or 1");
      return true;
    case pid::receive_maximum:
    case pid::maximum_packet_size:
      if (value == 0) return fail(reason_code::protocol_error, section(), "must not be 0");
      return true;
    case pid::topic_alias:
      if (value == 0) return fail(reason_code::topic_alias_invalid, "MQTT-3.3.2-8", "must not be 0");
      return true;
    case pid::subscription_identifier:
      if (value == 0)
        return fail(reason_code::protocol_error, section(), "must be 1 to 268435455");
      return true;
    default:
      return true;
  }
}

void read_one(byte_reader& r, const id_entry& entry, property_context context, properties& out) {
  const property_info& info = *entry.info;
  switch (info.type) {
    case pt::byte: {
      auto v = r.u8();
      if (check_value(r, info, context, v)) out.*kByteFields[entry.field].member = v;
      return;
    }
    case pt::two_byte_integer: {
      auto v = r.u16();
      if (check_value(r, info, context, v)) out.*kTwoByteFields[entry.field].member = v;
      return;
    }
    case pt::four_byte_integer: {
      auto v = r.u32();
      if (check_value(r, info, context, v)) out.*kFourByteFields[entry.field].member = v;
      return;
    }
    case pt::variable_byte_integer: {
      auto v = r.varint();
      if (!r.failed() && check_value(r, info, context, v))
        out.subscription_identifiers.push_back(v);
      return;
    }
    case pt::utf8_string:
      out.*kStringFields[entry.field].member = r.utf8([&info] { return describe(info); });
      return;
    case pt::binary_data:
      out.*kStringFields[entry.field].member = r.binary();
      return;
    case pt::utf8_string_pair: {
      auto name = r.utf8("User Property name");
      auto value = r.utf8("User Property value");
      // Packets that carry User Properties usually carry a few: one allocation, not one per growth.
      if (out.user_properties.capacity() == 0) out.user_properties.reserve(4);
      out.user_properties.emplace_back(name, value);
      return;
    }
  }
}

bool may_repeat(property_id id, property_context context) {
  return id == pid::user_property ||
         (id == pid::subscription_identifier && context == pc::publish);
}

}  // namespace

const property_info* find_property(std::uint8_t id) {
  return id < kIdTableSize ? kIdTable[id].info : nullptr;
}

void read_properties(byte_reader& r, property_context context, properties& out) {
  std::uint32_t length = r.varint();
  if (r.failed()) return;
  if (length > r.remaining()) {
    r.fail(reason_code::malformed_packet, "MQTT-5.0 §2.2.2.1", "property length exceeds the packet");
    return;
  }
  const std::size_t end = r.remaining() - length;
  std::uint64_t seen = 0;
  while (r.remaining() > end && !r.failed()) {
    std::uint32_t id = r.varint();
    if (r.failed()) return;
    const id_entry* entry = id < kIdTableSize ? &kIdTable[id] : nullptr;
    const property_info* info = entry ? entry->info : nullptr;
    if (!info) {
      r.fail(reason_code::malformed_packet, "MQTT-5.0 §2.2.2.2",
             "unknown property identifier " + std::to_string(id));
      return;
    }
    if (!(info->contexts & (1u << static_cast<unsigned>(context)))) {
      r.fail(reason_code::malformed_packet, "MQTT-5.0 §2.2.2.2",
             describe(*info) + " is not allowed in this packet");
      return;
    }
    const std::uint64_t bit = std::uint64_t{1} << id;
    if ((seen & bit) && !may_repeat(info->id, context)) {
      r.fail(reason_code::protocol_error, section_of(info->id, context),
             describe(*info) + " appears twice");
      return;
    }
    seen |= bit;
    read_one(r, *entry, context, out);
  }
  if (!r.failed() && r.remaining() != end)
    r.fail(reason_code::malformed_packet, "MQTT-5.0 §2.2.2.1",
           "a property value runs past the property length");
}

namespace {

void write_fields(byte_writer& w, const properties& p) {
  for (const auto& f : kByteFields)
    if (auto& v = p.*f.member) w.u8(static_cast<std::uint8_t>(f.id)), w.u8(*v);
  for (const auto& f : kTwoByteFields)
    if (auto& v = p.*f.member) w.u8(static_cast<std::uint8_t>(f.id)), w.u16(*v);
  for (const auto& f : kFourByteFields)
    if (auto& v = p.*f.member) w.u8(static_cast<std::uint8_t>(f.id)), w.u32(*v);
  for (const auto& f : kStringFields)
    if (auto& v = p.*f.member) w.u8(static_cast<std::uint8_t>(f.id)), w.binary(*v);
  for (auto id : p.subscription_identifiers)
    w.u8(static_cast<std::uint8_t>(pid::subscription_identifier)), w.varint(id);
  for (const auto& [name, value] : p.user_properties) {
    w.u8(static_cast<std::uint8_t>(pid::user_property));
    w.binary(name);
    w.binary(value);
  }
}

// The number of bytes write_fields writes, computed without writing; clears `ok` if a value
// cannot be encoded (a string over 65535 bytes, a Subscription Identifier over the varint range).
std::size_t fields_size(const properties& p, bool& ok) {
  std::size_t n = 0;
  for (const auto& f : kByteFields) n += (p.*f.member).has_value() ? 2 : 0;
  for (const auto& f : kTwoByteFields) n += (p.*f.member).has_value() ? 3 : 0;
  for (const auto& f : kFourByteFields) n += (p.*f.member).has_value() ? 5 : 0;
  for (const auto& f : kStringFields)
    if (auto& v = p.*f.member) {
      n += 3 + v->size();
      if (v->size() > 0xFFFF) ok = false;
    }
  for (auto id : p.subscription_identifiers) {
    n += 1 + varint_size(id);
    if (id > kMaxVarint) ok = false;
  }
  for (const auto& [name, value] : p.user_properties) {
    n += 5 + name.size() + value.size();
    if (name.size() > 0xFFFF || value.size() > 0xFFFF) ok = false;
  }
  return n;
}

}  // namespace

void write_properties(byte_writer& w, const properties& props) {
  // The counting pass sizes the properties (one walk, no writing) and notes the length; the
  // writing pass made from it takes the length back and walks them once more, to write them.
  std::size_t length;
  if (w.counting() || !w.take_size(length)) {
    bool ok = true;
    length = fields_size(props, ok);
    if (!ok || length > kMaxVarint) return w.fail();
    if (w.counting()) {
      w.note_size(length);
      w.varint(static_cast<std::uint32_t>(length));
      return w.skip(length);
    }
  }
  w.varint(static_cast<std::uint32_t>(length));
  write_fields(w, props);
}

bool properties::empty() const {
  bool ok = true;
  return fields_size(*this, ok) == 0;
}

bool properties::operator==(const properties& other) const {
  // Encoding is deterministic (fields in a fixed order, repeats in order), so equal encodings mean
  // equal properties; this keeps the comparison in step with the field list.
  byte_writer a_size, b_size;
  write_fields(a_size, *this);
  write_fields(b_size, other);
  if (a_size.size() != b_size.size()) return false;
  std::string a(a_size.size(), '\0'), b(b_size.size(), '\0');
  byte_writer a_out(a.data()), b_out(b.data());
  write_fields(a_out, *this);
  write_fields(b_out, other);
  return a == b;
}

}  // namespace unimq::mqtt
