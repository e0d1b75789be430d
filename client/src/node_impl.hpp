#pragma once
// What a client::node holds: its own CAF actor system (with the middleman and unimq's message types)
// and the handle of the node service it is connected to.

#include <caf/all.hpp>
#include <caf/io/all.hpp>

#include <string>

#include "unimq/client.hpp"

namespace unimq::client {

struct node::impl {
  impl(std::string where, node_options options);

  caf::actor_system_config config;  // before `system`, which it configures
  caf::actor_system system;
  caf::actor service;
  std::string where;  ///< "host:port", for error messages
  node_options options;
};

/// Milliseconds since the Unix epoch, now.
std::uint64_t now_unix_ms();

/// `prefix` + host name, process id and a counter: unique among the clients of a node.
std::string generated_id(const std::string& prefix);

}  // namespace unimq::client
