#include "packet_generator.hpp"

#include "protocol/reason_code.hpp"

namespace unimq::mqtt::testing {
namespace {

// Code points of 1 to 4 UTF-8 bytes, none of them U+0000 or a surrogate.
constexpr const char* kSamples[] = {"a", "Z", "/", " ", "\xC3\xA9", "\xE2\x82\xAC", "\xF0\x9F\x98\x80",
                                    "\xEF\xBF\xBF", "7", "-"};

}  // namespace

std::string_view packet_generator::text(std::size_t max_len) {
  std::string s;
  const std::size_t pieces = below(static_cast<std::uint32_t>(max_len + 1));
  for (std::size_t i = 0; i < pieces; ++i) s += kSamples[below(std::size(kSamples))];
  return pool_.emplace_back(std::move(s));
}

std::string_view packet_generator::binary(std::size_t max_len) {
  std::string s(below(static_cast<std::uint32_t>(max_len + 1)), '\0');
  for (auto& c : s) c = static_cast<char>(rng_());
  return pool_.emplace_back(std::move(s));
}

std::string_view packet_generator::topic() {
  std::string s = "t";
  const std::size_t levels = below(4);
  for (std::size_t i = 0; i < levels; ++i) {
    s += '/';
    s += text(3);
  }
  return pool_.emplace_back(std::move(s));
}

properties packet_generator::props(property_context context, bool all) {
  properties p;
  for (std::uint8_t id = 0; id < 64; ++id) {
    const property_info* info = find_property(id);
    if (!info || !(info->contexts & (1u << static_cast<unsigned>(context)))) continue;
    if (!all && !coin()) continue;
    const auto u8 = static_cast<std::uint8_t>(below(2));
    const auto u16 = static_cast<std::uint16_t>(1 + below(0xFFFF));
    const std::uint32_t u32 = 1 + static_cast<std::uint32_t>(rng_() % 0xFFFFFFFEu);
    switch (info->id) {
      case property_id::payload_format_indicator: p.payload_format_indicator = 0; break;
      case property_id::message_expiry_interval: p.message_expiry_interval = u32; break;
      case property_id::content_type: p.content_type = text(8); break;
      case property_id::response_topic: p.response_topic = topic(); break;
      case property_id::correlation_data: p.correlation_data = binary(8); break;
      case property_id::subscription_identifier: {
        const std::size_t n = context == property_context::publish ? 1 + below(3) : 1;
        for (std::size_t i = 0; i < n; ++i) p.subscription_identifiers.push_back(1 + below(268'435'455));
        break;
      }
      case property_id::session_expiry_interval: p.session_expiry_interval = u32; break;
      case property_id::assigned_client_identifier: p.assigned_client_identifier = text(8); break;
      case property_id::server_keep_alive: p.server_keep_alive = u16; break;
      case property_id::authentication_method: p.authentication_method = text(8); break;
      case property_id::authentication_data: p.authentication_data = binary(8); break;
      case property_id::request_problem_information: p.request_problem_information = u8; break;
      case property_id::will_delay_interval: p.will_delay_interval = u32; break;
      case property_id::request_response_information: p.request_response_information = u8; break;
      case property_id::response_information: p.response_information = text(8); break;
      case property_id::server_reference: p.server_reference = text(8); break;
      case property_id::reason_string: p.reason_string = text(8); break;
      case property_id::receive_maximum: p.receive_maximum = u16; break;
      case property_id::topic_alias_maximum: p.topic_alias_maximum = u16; break;
      case property_id::topic_alias: p.topic_alias = u16; break;
      case property_id::maximum_qos: p.maximum_qos = u8; break;
      case property_id::retain_available: p.retain_available = u8; break;
      case property_id::user_property: {
        const std::size_t n = 1 + below(3);
        for (std::size_t i = 0; i < n; ++i) p.user_properties.emplace_back(text(4), text(4));
        break;
      }
      case property_id::maximum_packet_size: p.maximum_packet_size = u32; break;
      case property_id::wildcard_subscription_available: p.wildcard_subscription_available = u8; break;
      case property_id::subscription_identifier_available:
        p.subscription_identifier_available = u8;
        break;
      case property_id::shared_subscription_available: p.shared_subscription_available = u8; break;
    }
  }
  return p;
}

packet packet_generator::make(packet_type type, protocol_version version, bool all) {
  const bool v5 = version == protocol_version::v5;
  auto maybe_props = [&](property_context c) { return v5 ? props(c, all) : properties{}; };
  auto pick = [&](std::initializer_list<reason_code> codes) {
    return *(codes.begin() + below(static_cast<std::uint32_t>(codes.size())));
  };
  auto packet_id = [&] { return static_cast<std::uint16_t>(1 + below(0xFFFF)); };

  switch (type) {
    case packet_type::connect: {
      connect_packet p;
      p.version = version;
      p.clean_start = coin();
      p.keep_alive = static_cast<std::uint16_t>(rng_());
      p.props = maybe_props(property_context::connect);
      p.client_id = text(23);
      if (p.client_id.empty() && !v5) p.client_id = "client";
      if (all || coin()) {
        auto& w = p.will.emplace();
        w.topic = topic();
        w.payload = binary(16);
        w.qos = static_cast<qos>(below(3));
        w.retain = coin();
        w.props = maybe_props(property_context::will);
      }
      if (all || coin()) p.username = text(8);
      if ((all || coin()) && (v5 || p.username)) p.password = binary(8);
      return p;
    }
    case packet_type::connack: {
      connack_packet p;
      p.session_present = version != protocol_version::v3_1 && coin();
      p.reason = pick({reason_code::success, reason_code::unsupported_protocol_version,
                       reason_code::client_identifier_not_valid, reason_code::server_unavailable,
                       reason_code::bad_user_name_or_password, reason_code::not_authorized});
      if (v5 && coin()) p.reason = pick({reason_code::malformed_packet, reason_code::banned, reason_code::quota_exceeded});
      p.props = maybe_props(property_context::connack);
      return p;
    }
    case packet_type::publish: {
      publish_packet p;
      p.qos = static_cast<qos>(below(3));
      p.dup = p.qos != qos::at_most_once && coin();
      p.retain = coin();
      p.topic = topic();
      if (p.qos != qos::at_most_once) p.packet_id = packet_id();
      p.props = maybe_props(property_context::publish);
      p.payload = binary(64);
      return p;
    }
    case packet_type::puback:
    case packet_type::pubrec:
    case packet_type::pubrel:
    case packet_type::pubcomp: {
      reason_code reason = reason_code::success;
      if (v5 && coin())
        reason = type == packet_type::pubrel || type == packet_type::pubcomp
                     ? reason_code::packet_identifier_not_found
                     : pick({reason_code::no_matching_subscribers, reason_code::quota_exceeded,
                             reason_code::payload_format_invalid});
      const auto id = packet_id();
      auto fill = [&](auto p, property_context c) {
        p.packet_id = id;
        p.reason = reason;
        p.props = maybe_props(c);
        return packet(p);
      };
      if (type == packet_type::puback) return fill(puback_packet{}, property_context::puback);
      if (type == packet_type::pubrec) return fill(pubrec_packet{}, property_context::pubrec);
      if (type == packet_type::pubrel) return fill(pubrel_packet{}, property_context::pubrel);
      return fill(pubcomp_packet{}, property_context::pubcomp);
    }
    case packet_type::subscribe: {
      subscribe_packet p;
      p.packet_id = packet_id();
      p.props = maybe_props(property_context::subscribe);
      const std::size_t n = 1 + below(4);
      for (std::size_t i = 0; i < n; ++i) {
        auto& s = p.subscriptions.emplace_back();
        s.filter = coin() ? topic() : std::string_view("a/+/#");
        s.options.max_qos = static_cast<qos>(below(3));
        if (v5) {
          s.options.no_local = coin();
          s.options.retain_as_published = coin();
          s.options.retain_handling = static_cast<std::uint8_t>(below(3));
        }
      }
      return p;
    }
    case packet_type::suback: {
      suback_packet p;
      p.packet_id = packet_id();
      p.props = maybe_props(property_context::suback);
      const std::size_t n = 1 + below(4);
      for (std::size_t i = 0; i < n; ++i)
        p.reasons.push_back(v5 ? pick({reason_code::granted_qos_0, reason_code::granted_qos_2,
                                       reason_code::topic_filter_invalid,
                                       reason_code::wildcard_subscriptions_not_supported})
                               : pick({reason_code::granted_qos_0, reason_code::granted_qos_1,
                                       reason_code::granted_qos_2, reason_code::unspecified_error}));
      return p;
    }
    case packet_type::unsubscribe: {
      unsubscribe_packet p;
      p.packet_id = packet_id();
      p.props = maybe_props(property_context::unsubscribe);
      const std::size_t n = 1 + below(4);
      for (std::size_t i = 0; i < n; ++i) p.filters.push_back(topic());
      return p;
    }
    case packet_type::unsuback: {
      unsuback_packet p;
      p.packet_id = packet_id();
      p.props = maybe_props(property_context::unsuback);
      if (v5) {
        const std::size_t n = 1 + below(4);
        for (std::size_t i = 0; i < n; ++i)
          p.reasons.push_back(pick({reason_code::success, reason_code::no_subscription_existed,
                                    reason_code::not_authorized}));
      }
      return p;
    }
    case packet_type::pingreq: return pingreq_packet{};
    case packet_type::pingresp: return pingresp_packet{};
    case packet_type::disconnect: {
      disconnect_packet p;
      if (v5) {
        if (coin()) p.reason = pick({reason_code::disconnect_with_will_message, reason_code::session_taken_over,
                                     reason_code::packet_too_large});
        p.props = props(property_context::disconnect, all);
      }
      return p;
    }
    case packet_type::auth: {
      auth_packet p;
      p.reason = pick({reason_code::success, reason_code::continue_authentication, reason_code::re_authenticate});
      p.props = props(property_context::auth, all);
      return p;
    }
  }
  return pingreq_packet{};
}

packet packet_generator::make_any(protocol_version version) {
  const std::uint32_t types = version == protocol_version::v5 ? 15 : 14;
  return make(static_cast<packet_type>(1 + below(types)), version);
}

}  // namespace unimq::mqtt::testing
