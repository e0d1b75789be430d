#pragma once
// What a server-side producer may store. A produced message reaches MQTT subscribers as a PUBLISH, so
// it must pass what the MQTT decoder checks of a client's PUBLISH (protocol/): a message a subscriber's
// library refuses as malformed would make it disconnect, reconnect and get the message again, for ever.
// Used by the node service (which must check, every peer is hostile) and by the client library (which
// reports the error at send()).

#include <cstdint>
#include <string>

#include "protocol/proto/message.pb.h"

namespace unimq::actors {

/// Empty if `m` may be stored; else why not. Checks the topic (a valid UTF-8 topic name of at most
/// `max_topic_levels` levels, 0 = no limit, not a `$` topic), the QoS, and the MQTT 5 properties
/// (payload format 0 or 1, UTF-8 strings, a response topic that is a topic name, an expiry deadline
/// no further from `now_ms` than a Message Expiry Interval can say: 2^32-1 s).
std::string check_produced(const proto::StoredMessage& m, std::uint16_t max_topic_levels, std::uint64_t now_ms);

}  // namespace unimq::actors
