// Runs a program to completion with a given stdin and captures its stdout, stderr and exit status:
// how the unimqctl tests drive the real binary.
#pragma once

#include <chrono>
#include <string>
#include <vector>

namespace unimq::it {

struct command_result {
  int status = -1;  ///< exit status, or -signal if it was killed
  std::string out;
  std::string err;
};

/// Runs `argv` (argv[0] is the path) with `input` on stdin; kills it with SIGKILL and fails (throws)
/// if it has not exited after `deadline`.
command_result run_command(const std::vector<std::string>& argv, const std::string& input = "",
                           std::chrono::milliseconds deadline = std::chrono::seconds(20));

}  // namespace unimq::it
