#pragma once
// The broker under test as a child process: started from a command-line template, killed with
// SIGKILL, started again on the same port and data directory.

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

namespace unimq::crashtest {

/// A broker started from `command`, in which every `{port}` and `{dir}` is replaced by the port and
/// the data directory; stdout and stderr are appended to `log_path`.
class broker_child {
 public:
  broker_child(std::vector<std::string> command, std::uint16_t port, std::string dir, std::string log_path);
  ~broker_child();  ///< SIGKILL if still running
  broker_child(const broker_child&) = delete;
  broker_child& operator=(const broker_child&) = delete;

  /// Starts the broker and waits until it accepts TCP connections on the port; returns the time
  /// that took, or throws (with the log's tail) if it exits or does not listen before the deadline.
  std::chrono::milliseconds start(std::chrono::milliseconds deadline = std::chrono::seconds(30));
  /// The crash: SIGKILL and reap.
  void kill9();
  /// SIGTERM, wait up to `deadline`, then SIGKILL. Returns the exit status or -signal.
  int stop(std::chrono::milliseconds deadline = std::chrono::seconds(10));
  bool running();
  pid_t pid() const { return _pid; }
  /// The command line with the placeholders filled in, as run.
  std::vector<std::string> argv() const;
  std::string log_tail(std::size_t bytes = 4000) const;

 private:
  std::vector<std::string> _command;
  std::uint16_t _port;
  std::string _dir;
  std::string _log_path;
  pid_t _pid = -1;
};

/// A TCP port on 127.0.0.1 that was free a moment ago (bound to 0, read back, closed).
std::uint16_t free_loopback_port();

}  // namespace unimq::crashtest
