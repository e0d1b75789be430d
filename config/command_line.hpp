#pragma once
// unimqd's command line: --help, --version, --config FILE and one flag per option of the option table.
// Precedence: built-in defaults < the --config file < the other flags, wherever --config appears.

#include <string>

#include "config/broker_options.hpp"

namespace unimq::config {

/// What the caller should do after parsing.
enum class parse_outcome {
  run,         ///< start the broker with `options`
  exit_ok,     ///< --help or --version: print `message` to stdout, exit 0
  exit_error,  ///< print `message` to stderr, exit 2
};

/// The exit status for a bad command line or config file.
constexpr int kExitUsage = 2;

/// The result of parse_command_line().
struct parse_result {
  parse_outcome outcome = parse_outcome::run;
  broker_options options;  ///< the effective settings when `outcome` is `run`
  std::string message;     ///< help text, version line or error ("unimqd: --x: ..."), ending without '\n'

  /// 0 for run and exit_ok, kExitUsage for exit_error.
  int exit_status() const { return outcome == parse_outcome::exit_error ? kExitUsage : 0; }
};

/// Parses argv (argv[0] is the program and is skipped), reading the --config file if one is given.
/// Flags take "--name VALUE" or "--name=VALUE". A non-repeatable flag given twice keeps the last value;
/// --listen replaces the file's listen list, and repeated --listen flags build a new list.
parse_result parse_command_line(int argc, const char* const* argv);

/// The --help text: usage, every option with its default, and the value syntax.
std::string help_text();

/// "unimqd 0.1.0".
std::string version_text();

/// One line naming every option and its effective value ("listen=0.0.0.0:1883 data-dir=./data ..."),
/// for the startup log.
std::string summary(const broker_options& options);

}  // namespace unimq::config
