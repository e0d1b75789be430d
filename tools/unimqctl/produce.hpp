#pragma once

#include <memory>
#include <optional>
#include <string>

#include "arguments.hpp"

namespace unimq::ctl {

/// `unimqctl produce`'s settings.
struct produce_options {
  std::string topic;
  std::optional<std::string> message;  ///< absent: one message per line of stdin
  std::uint8_t qos = 1;
  bool retain = false;
  bool verbose = false;  ///< print where each message was stored
};

std::string produce_usage();
/// The produce command's arguments (after the word "produce"); nullopt if --help was asked for.
std::optional<produce_options> parse_produce(argument_list& args);
/// Sends and waits until the node committed every message; returns the exit status.
int run_produce(std::shared_ptr<client::node> node, const produce_options& options);

}  // namespace unimq::ctl
