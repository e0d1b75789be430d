// Runs programs with a given stdin and captures their stdout, stderr and exit status: how the
// unimqctl and examples tests drive the real binaries.
#pragma once

#include <chrono>
#include <string>
#include <sys/types.h>
#include <vector>

namespace unimq::it {

struct command_result {
  int status = -1;  ///< exit status, or -signal if it was killed
  std::string out;
  std::string err;
};

/// A program running in the background; its stdout and stderr go to temporary files.
class background_command {
 public:
  /// Starts `argv` (argv[0] is the path) with `input` on stdin; throws if it cannot be started.
  explicit background_command(const std::vector<std::string>& argv, const std::string& input = "");
  ~background_command();  ///< SIGKILLs the program if it still runs, removes the files
  background_command(const background_command&) = delete;
  background_command& operator=(const background_command&) = delete;

  /// Its stdout so far.
  std::string out() const;
  /// Waits until `out()` contains `text` or the deadline passes; whether it does.
  bool wait_for_output(const std::string& text, std::chrono::milliseconds deadline = std::chrono::seconds(10)) const;
  /// Waits for its exit; SIGKILLs it and throws if it has not exited after `deadline`.
  command_result wait(std::chrono::milliseconds deadline = std::chrono::seconds(20));
  /// SIGTERM, then wait().
  command_result stop(std::chrono::milliseconds deadline = std::chrono::seconds(10));

 private:
  std::string _program;
  std::string _out_path, _err_path;
  pid_t _pid = -1;
};

/// Runs `argv` to completion with `input` on stdin (see background_command::wait).
command_result run_command(const std::vector<std::string>& argv, const std::string& input = "",
                           std::chrono::milliseconds deadline = std::chrono::seconds(20));

}  // namespace unimq::it
