#include "actors/produce_check.hpp"

#include "protocol/topic.hpp"
#include "protocol/utf8.hpp"

namespace unimq::actors {
namespace {

constexpr std::uint32_t kMaxQos = 2;
constexpr std::uint32_t kMaxPayloadFormat = 1;  // 0 unspecified bytes, 1 UTF-8 (MQTT 5 §3.3.2.3.2)
constexpr std::size_t kMaxString = 65535;       // an MQTT string's 16-bit length
// MQTT 5's Message Expiry Interval is a 32-bit count of seconds; a later deadline would reach MQTT
// subscribers truncated.
constexpr std::uint64_t kMaxExpiryMs = std::uint64_t{0xffffffff} * 1000;

// Empty if `s` is an MQTT UTF-8 Encoded String; else why not, naming `what`.
std::string check_string(const std::string& s, const std::string& what) {
  if (s.size() > kMaxString) return what + " is longer than " + std::to_string(kMaxString) + " bytes";
  if (mqtt::validate_utf8(s) != mqtt::utf8_error::none) return what + " is not valid UTF-8 (MQTT-1.5.4)";
  return {};
}

std::string check_topic(const std::string& topic, std::uint16_t max_levels, const std::string& what) {
  if (auto why = check_string(topic, what + " '" + topic + "'"); !why.empty()) return why;
  if (auto e = mqtt::validate_topic_name(topic, max_levels); e != mqtt::topic_error::none)
    return "invalid " + what + " '" + topic + "': " + mqtt::to_string(e);
  return {};
}

}  // namespace

std::string check_produced(const proto::StoredMessage& m, std::uint16_t max_topic_levels, std::uint64_t now_ms) {
  if (auto why = check_topic(m.topic(), max_topic_levels, "topic"); !why.empty()) return why;
  // `$` topics are the broker's ($SYS), as for MQTT publishers (handle_publish.cpp).
  if (m.topic()[0] == '$') return "topic '" + m.topic() + "' starts with '$', which is reserved for the broker";
  if (m.qos() > kMaxQos) return "invalid QoS " + std::to_string(m.qos()) + " for topic '" + m.topic() + "'";
  if (m.payload_format() > kMaxPayloadFormat)
    return "invalid payload format " + std::to_string(m.payload_format()) + " (0 or 1)";
  if (m.has_content_type())
    if (auto why = check_string(m.content_type(), "the content type"); !why.empty()) return why;
  if (m.has_response_topic())
    if (auto why = check_topic(m.response_topic(), 0, "response topic"); !why.empty()) return why;
  if (m.has_expiry_deadline_ms() && m.expiry_deadline_ms() > now_ms && m.expiry_deadline_ms() - now_ms > kMaxExpiryMs)
    return "the expiry is longer than MQTT's Message Expiry Interval can say (4294967295 s)";
  for (const auto& p : m.user_properties()) {
    if (auto why = check_string(p.key(), "a user property name"); !why.empty()) return why;
    if (auto why = check_string(p.value(), "the user property '" + p.key() + "'"); !why.empty()) return why;
  }
  return {};
}

}  // namespace unimq::actors
