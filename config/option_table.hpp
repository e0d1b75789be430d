#pragma once
// The table of options: the single source of truth for --help, the config file, the command line and
// examples/unimqd.conf. An option's name is both its file key and its long flag (without "--").

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "config/broker_options.hpp"

namespace unimq::config {

/// The name every error message starts with ("unimqd: --max-packet-size: ...").
constexpr std::string_view kProgramName = "unimqd";

/// One option: how to document it, parse it into broker_options and print it back.
struct option_info {
  std::string_view name;        ///< "max-packet-size": key in the file, --max-packet-size on the command line
  std::string_view value_name;  ///< placeholder shown in --help: SIZE, DURATION, HOST:PORT, ...
  std::string_view help;        ///< what it does, for operators
  std::string allowed;          ///< accepted values ("16 .. 268435460", "sync, nosync"); empty if any
  bool repeatable = false;      ///< may be given several times, building a list (listen)
  bool command_line_only = false;  ///< refused in a config file (config)

  /// The value in `o`, spelled as it would be written in a file; one string per element for a list,
  /// none when unset.
  std::function<std::vector<std::string>(const broker_options& o)> format;

  /// Parses, validates and stores `value` in `o`. Returns the reason it was refused, without the
  /// location prefix. `first` is true for the option's first occurrence in one source (file or
  /// command line): a repeatable option then replaces its list rather than appending to it.
  std::function<std::optional<std::string>(std::string_view value, broker_options& o, bool first)> apply;
};

/// Every option, in the order --help lists them.
const std::vector<option_info>& option_table();

/// The option called `name`, or nullptr.
const option_info* find_option(std::string_view name);

/// The option name closest to `name` by edit distance, for "did you mean" messages.
std::string_view nearest_option(std::string_view name);

/// The option's default as shown in --help: its values joined by ", ", or "(none)".
std::string default_text(const option_info& option);

}  // namespace unimq::config
