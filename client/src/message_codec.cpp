#include "message_codec.hpp"

namespace unimq::client {

proto::StoredMessage to_stored(message m, std::uint64_t now_ms) {
  proto::StoredMessage s;
  s.set_topic(std::move(m.topic));
  s.set_payload(std::move(m.payload));
  s.set_qos(m.qos);
  s.set_retain(m.retain);
  if (m.payload_format) s.set_payload_format(*m.payload_format);
  if (m.content_type) s.set_content_type(std::move(*m.content_type));
  if (m.response_topic) s.set_response_topic(std::move(*m.response_topic));
  if (m.correlation_data) s.set_correlation_data(std::move(*m.correlation_data));
  for (auto& [key, value] : m.user_properties) {
    auto* p = s.add_user_properties();
    p->set_key(std::move(key));
    p->set_value(std::move(value));
  }
  if (m.expiry) s.set_expiry_deadline_ms(now_ms + static_cast<std::uint64_t>(m.expiry->count()) * 1000);
  return s;
}

bool from_record(std::string_view record, std::uint32_t partition, std::uint64_t offset, std::uint64_t now_ms,
                 message& out) {
  proto::StoredMessage s;
  if (!s.ParseFromArray(record.data(), static_cast<int>(record.size()))) return false;
  out.topic = std::move(*s.mutable_topic());
  out.payload = std::move(*s.mutable_payload());
  out.qos = static_cast<std::uint8_t>(s.qos());
  out.retain = s.retain();
  if (s.has_payload_format()) out.payload_format = static_cast<std::uint8_t>(s.payload_format());
  if (s.has_content_type()) out.content_type = std::move(*s.mutable_content_type());
  if (s.has_response_topic()) out.response_topic = std::move(*s.mutable_response_topic());
  if (s.has_correlation_data()) out.correlation_data = std::move(*s.mutable_correlation_data());
  out.user_properties.reserve(static_cast<std::size_t>(s.user_properties_size()));
  for (auto& p : *s.mutable_user_properties()) out.user_properties.emplace_back(std::move(*p.mutable_key()), std::move(*p.mutable_value()));
  if (s.has_expiry_deadline_ms()) {
    const auto deadline = s.expiry_deadline_ms();
    // Rounded up, as MQTT does when it forwards a message with its remaining lifetime.
    out.expiry = std::chrono::seconds(deadline > now_ms ? (deadline - now_ms + 999) / 1000 : 0);
  }
  out.partition = partition;
  out.offset = offset;
  out.timestamp_ms = s.timestamp_ms();
  out.origin = std::move(*s.mutable_origin());
  out.from_mqtt = s.origin_kind() == proto::StoredMessage::ORIGIN_CLIENT;
  return true;
}

}  // namespace unimq::client
