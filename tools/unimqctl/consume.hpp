#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <string>

#include "arguments.hpp"

namespace unimq::ctl {

/// `unimqctl consume`'s settings.
struct consume_options {
  std::string group;
  std::string topic;  ///< first-level
  client::start_position from = client::start_position::newest();
  std::optional<std::uint64_t> count;               ///< stop after this many messages
  std::optional<std::chrono::milliseconds> timeout;  ///< stop after this long without a message
};

std::string consume_usage();
/// The consume command's arguments (after the word "consume"); nullopt if --help was asked for.
std::optional<consume_options> parse_consume(argument_list& args);
/// Prints messages until --count, --timeout, SIGINT or SIGTERM; returns the exit status.
int run_consume(std::shared_ptr<client::node> node, const consume_options& options);

}  // namespace unimq::ctl
