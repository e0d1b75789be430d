#include "protocol/packets.hpp"

#include <tuple>

namespace unimq::mqtt {

bool operator==(const will_message& a, const will_message& b) {
  return std::tie(a.topic, a.payload, a.qos, a.retain, a.props) ==
         std::tie(b.topic, b.payload, b.qos, b.retain, b.props);
}

bool operator==(const connect_packet& a, const connect_packet& b) {
  return std::tie(a.version, a.clean_start, a.keep_alive, a.props, a.client_id, a.will, a.username,
                  a.password) == std::tie(b.version, b.clean_start, b.keep_alive, b.props,
                                          b.client_id, b.will, b.username, b.password);
}

bool operator==(const connack_packet& a, const connack_packet& b) {
  return std::tie(a.session_present, a.reason, a.props) ==
         std::tie(b.session_present, b.reason, b.props);
}

bool operator==(const publish_packet& a, const publish_packet& b) {
  return std::tie(a.dup, a.qos, a.retain, a.topic, a.packet_id, a.props, a.payload) ==
         std::tie(b.dup, b.qos, b.retain, b.topic, b.packet_id, b.props, b.payload);
}

bool operator==(const subscription& a, const subscription& b) {
  return std::tie(a.filter, a.options.max_qos, a.options.no_local, a.options.retain_as_published,
                  a.options.retain_handling) ==
         std::tie(b.filter, b.options.max_qos, b.options.no_local, b.options.retain_as_published,
                  b.options.retain_handling);
}

bool operator==(const subscribe_packet& a, const subscribe_packet& b) {
  return std::tie(a.packet_id, a.props, a.subscriptions) ==
         std::tie(b.packet_id, b.props, b.subscriptions);
}

bool operator==(const suback_packet& a, const suback_packet& b) {
  return std::tie(a.packet_id, a.props, a.reasons) == std::tie(b.packet_id, b.props, b.reasons);
}

bool operator==(const unsubscribe_packet& a, const unsubscribe_packet& b) {
  return std::tie(a.packet_id, a.props, a.filters) == std::tie(b.packet_id, b.props, b.filters);
}

bool operator==(const unsuback_packet& a, const unsuback_packet& b) {
  return std::tie(a.packet_id, a.props, a.reasons) == std::tie(b.packet_id, b.props, b.reasons);
}

bool operator==(const disconnect_packet& a, const disconnect_packet& b) {
  return a.reason == b.reason && a.props == b.props;
}

bool operator==(const auth_packet& a, const auth_packet& b) {
  return a.reason == b.reason && a.props == b.props;
}

}  // namespace unimq::mqtt
