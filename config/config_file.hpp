#pragma once
// The config file format:
//
//   # a comment                   whole-line comments start with '#'
//   max-packet-size = 1M          name = value; the name is the long flag without "--"
//   data-dir = "/var/lib/unimq"   double quotes keep '#' and spaces; \" and \\ escape inside them
//   listen = 0.0.0.0:1883         a repeatable option (listen) builds a list, one line per element
//   listen = [::]:1883            # a comment may follow a value after whitespace
//
// Blank lines are ignored. Any other option may appear once; `config` is command line only.

#include <optional>
#include <string>
#include <string_view>

#include "config/broker_options.hpp"

namespace unimq::config {

/// Reads the file at `path` and applies its options on top of `options`. On error returns the
/// message ("unimqd: FILE:LINE: ...") and leaves `options` unchanged. The first `listen` line in the
/// file replaces the list in `options`; later ones add to it.
std::optional<std::string> apply_file(const std::string& path, broker_options& options);

/// The same for text already in memory; `source` stands for the file name in messages.
std::optional<std::string> apply_text(std::string_view text, std::string_view source, broker_options& options);

/// A config file listing every option with its help as a comment and its default as the value.
/// examples/unimqd.conf is this text; config_tests checks that they match.
std::string example_config_text();

}  // namespace unimq::config
