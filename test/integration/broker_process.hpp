// A broker under test, run as a child process on a free loopback port with a temporary data dir.
//
// Which broker: UNIMQ_TEST_BROKER=mosquitto runs Eclipse Mosquitto (UNIMQ_MOSQUITTO_PATH, default
// /usr/sbin/mosquitto) with a generated mosquitto.conf; anything else runs unimqd from the path CMake
// compiled in (UNIMQD_PATH), or from UNIMQD_PATH in the environment if set.
//
// Readiness is detected by polling a TCP connect to the port until a deadline, never by a fixed sleep.
// The broker's stdout+stderr go to DIR/broker.log; when a test case fails, the logs of every broker it
// started are printed (see the Catch listener in broker_process.cpp).
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <sys/types.h>
#include <vector>

namespace unimq::it {

enum class broker_kind { unimqd, mosquitto };

// The broker the suite runs against (from UNIMQ_TEST_BROKER).
broker_kind tested_broker();
bool testing_mosquitto();

struct broker_options {
  std::optional<std::uint32_t> max_packet_size;   // --max-packet-size / max_packet_size
  std::optional<std::uint16_t> receive_maximum;   // --receive-maximum / max_inflight_messages (v5 RM)
  std::optional<std::uint32_t> max_inflight;      // --max-inflight / max_inflight_messages
  std::optional<std::uint64_t> max_queued_bytes;  // --max-queued-bytes / max_queued_bytes
  std::optional<std::string> max_session_expiry;  // --max-session-expiry (unimqd only), e.g. "1d"
  std::optional<bool> retain;                     // --retain / retain_available
  std::optional<std::string> storage_sync;        // --storage-sync sync|nosync (unimqd only)
  std::optional<int> sys_interval_s;              // --sys-interval Ns / sys_interval
  std::optional<int> connect_timeout_s;           // --connect-timeout Ns (unimqd only)
  bool node_port = false;                         // --node-port on a free port (unimqd only)
  std::string log_level = "debug";                // --log-level (unimqd only)
  std::vector<std::string> extra_args;            // appended to unimqd's command line
  std::vector<std::string> extra_mosquitto_conf;  // appended to mosquitto.conf
};

class broker_process {
 public:
  explicit broker_process(broker_options options = {});
  ~broker_process();  // stops the broker (SIGTERM, then SIGKILL), removes the data dir
  broker_process(const broker_process&) = delete;
  broker_process& operator=(const broker_process&) = delete;

  // Starts the broker and waits (deadline) until it accepts TCP connections; throws on failure
  // (exited early, never listening), the exception text includes the broker's log.
  void start(std::chrono::milliseconds deadline = std::chrono::seconds(15));
  // SIGTERM and wait for exit (SIGKILL after the deadline). Returns the exit status (or -signal).
  int stop(std::chrono::milliseconds deadline = std::chrono::seconds(10));
  // SIGKILL and reap: the crash the durability tests simulate.
  void kill9();
  // stop() (or kill9() if hard) and start() again on the same port and data dir; throws if stop()
  // does not return 0 (a graceful stop that fails or hangs).
  void restart(bool hard = false);
  void pause();   // SIGSTOP
  void resume();  // SIGCONT

  bool running();  // reaps the child if it exited
  std::uint16_t port() const { return port_; }
  std::uint16_t node_port() const { return node_port_; }  // 0 unless options().node_port
  const std::string& host() const { return host_; }
  const std::string& data_dir() const { return dir_; }
  std::string log_path() const;
  std::string log() const;  // the whole log so far (all starts)
  pid_t pid() const { return pid_; }
  const broker_options& options() const { return options_; }

 private:
  std::vector<std::string> command_line();
  void wait_ready(std::chrono::milliseconds deadline);

  broker_options options_;
  std::string host_ = "127.0.0.1";
  std::uint16_t port_ = 0;
  std::uint16_t node_port_ = 0;
  std::string dir_;
  pid_t pid_ = -1;
};

// A free TCP port on 127.0.0.1 (bind to port 0, read it back, close).
std::uint16_t free_loopback_port();

// A TCP connection to host:port, or -1.
int tcp_connect(const std::string& host, std::uint16_t port);

}  // namespace unimq::it

// Skips the rest of a test case (Catch2 v2 has no SKIP): unimq-specific expectations on Mosquitto.
#define UNIMQ_ONLY()                                                              \
  do {                                                                            \
    if (::unimq::it::testing_mosquitto()) {                                       \
      WARN("skipped on mosquitto: expectations specific to unimqd");              \
      return;                                                                     \
    }                                                                             \
  } while (false)

// Skips a kill -9 test on Mosquitto, which persists only periodically and at exit.
#define DURABILITY_ONLY()                                                         \
  do {                                                                            \
    if (::unimq::it::testing_mosquitto()) {                                       \
      WARN("skipped on mosquitto: it does not persist before acknowledging");     \
      return;                                                                     \
    }                                                                             \
  } while (false)

// Skips the rest of a test case on Mosquitto 2.0.11 where it was seen to break the spec (the check
// stays strict for unimqd). `why` names what Mosquitto does instead.
#define MOSQUITTO_DIVERGES(why)                                                          \
  do {                                                                                   \
    if (::unimq::it::testing_mosquitto()) {                                              \
      WARN("rest skipped on mosquitto 2.0.11, which diverges from the spec: " << why);  \
      return;                                                                            \
    }                                                                                    \
  } while (false)
