#pragma once
// What a tool's command-line parser returns.

#include <optional>
#include <string>

namespace unimq::cli {

/// Parsed options, or an error message for the user, or a request for help.
template <typename Options>
struct parse_result {
  std::optional<Options> opts;
  std::string error;
  bool help = false;
};

}  // namespace unimq::cli
