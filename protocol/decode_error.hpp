#pragma once
// What the codec reports when bytes from a peer break the spec, and what the server owes in return.

#include <string>
#include <string_view>

#include "protocol/reason_code.hpp"

namespace unimq::mqtt {

/// How a server must react to a packet it could not accept.
enum class reaction {
  send_connack,     ///< answer the CONNECT with a CONNACK carrying the code, then close
  send_disconnect,  ///< MQTT 5.0: send DISCONNECT with the code, then close
  close,            ///< MQTT 3.x: close the network connection without a packet
};

const char* to_string(reaction r);

/// A decode failure: which rule was broken, how, and what the server owes the peer.
struct decode_error {
  reason_code code = reason_code::malformed_packet;  ///< the MQTT 5.0 reason code to report
  /// The rule broken: a numbered normative statement ("MQTT-3.3.1-4"), or where the spec has none
  /// the section that defines the rule ("MQTT-5.0 §3.8.3.1", "MQTT-3.1.1 §2.2.3"). Always a literal.
  std::string_view rule;
  std::string message;                               ///< what was wrong, for the log line
  reaction action = reaction::close;
  /// The protocol version to encode the reaction's packet in (for CONNECT: the version it asked for,
  /// or 3.1.1 when it could not be read).
  protocol_version version = protocol_version::v3_1_1;
};

/// The reaction a server owes for `code` found in a packet of type `type` from a client speaking
/// `version`: CONNECT problems get a CONNACK where the version has a code for them (5.0 section 4.13;
/// in 3.1.1 the server closes without a CONNACK when no return code fits [MQTT-3.2.2-6], a 3.1.1
/// number), later ones a DISCONNECT in MQTT 5.0 [MQTT-4.13.1-1]; MQTT 3.x closes the connection
/// [MQTT-4.8.0-1].
reaction reaction_for(reason_code code, packet_type type, protocol_version version);

}  // namespace unimq::mqtt
