#pragma once
// Point-to-point messages (the RocketMQ-MQTT convention): a PUBLISH to `{first-level}/p2p/{clientId}`
// goes to the client with that id only, at the message's QoS, without a subscription. Every session
// holds an implicit subscription to its own p2p topics; no subscription, not even `#`, `+/p2p/+` or a
// shared one, receives p2p topics. A client id containing `+`, `#` or `/` cannot be a topic level,
// so such a client cannot receive p2p messages.

#include <caf/all.hpp>

#include <optional>
#include <string>
#include <string_view>

namespace unimq::actors {

/// (p2p_atom, client_id) to the session registry: the sending connection takes the p2p topics of
/// `client_id` from now on; the index shards pass those topics' batches on through the registry.
using p2p_atom = caf::atom_constant<caf::atom("p2p")>;

/// The client a topic is addressed to if it is a p2p topic (`x/p2p/{clientId}`: three levels, the
/// second `p2p`, the third not empty), std::nullopt otherwise.
inline std::optional<std::string_view> p2p_target(std::string_view topic) {
  const std::size_t first = topic.find('/');
  if (first == std::string_view::npos || topic.compare(first + 1, 4, "p2p/") != 0) return std::nullopt;
  const std::string_view client = topic.substr(first + 5);
  if (client.empty() || client.find('/') != std::string_view::npos) return std::nullopt;
  return client;
}

/// True if `client_id` can be the last level of a p2p topic.
inline bool p2p_supported(std::string_view client_id) {
  return !client_id.empty() && client_id.find_first_of("+#/") == std::string_view::npos;
}

/// The filter that covers every p2p topic of `client_id` (for finding them in storage).
inline std::string p2p_filter(std::string_view client_id) { return "+/p2p/" + std::string(client_id); }

}  // namespace unimq::actors
