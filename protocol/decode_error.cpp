#include "protocol/decode_error.hpp"

namespace unimq::mqtt {

const char* to_string(reaction r) {
  switch (r) {
    case reaction::send_connack: return "send CONNACK and close";
    case reaction::send_disconnect: return "send DISCONNECT and close";
    case reaction::close: return "close the connection";
  }
  return "close the connection";
}

reaction reaction_for(reason_code code, packet_type type, protocol_version version) {
  if (type == packet_type::connect) {
    if (version == protocol_version::v5)
      return reason_code_allowed(packet_type::connack, code) ? reaction::send_connack
                                                             : reaction::close;
    // 3.x has return codes only for a wrong protocol level and a refused client identifier.
    return connack_return_code_v3(code) ? reaction::send_connack : reaction::close;
  }
  return version == protocol_version::v5 ? reaction::send_disconnect : reaction::close;
}

}  // namespace unimq::mqtt
