#define CATCH_CONFIG_EXTERNAL_INTERFACES
#include "broker_process.hpp"

#include <catch2/catch.hpp>

#include <arpa/inet.h>
#include <cerrno>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <fstream>
#include <iostream>
#include <mutex>
#include <netinet/in.h>
#include <sstream>
#include <stdexcept>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

#ifndef UNIMQD_PATH
#define UNIMQD_PATH ""
#endif

namespace unimq::it {
namespace {

using clock = std::chrono::steady_clock;

// Logs of the brokers started by the current test case, printed by the listener if the case fails.
std::mutex g_logs_mutex;
std::string g_logs;

void keep_log(const std::string& header, std::string text) {
  // The tail is what explains a failure; a whole debug log can be megabytes.
  constexpr std::size_t max_tail = 12000;
  if (text.size() > max_tail) {
    const auto cut = text.find('\n', text.size() - max_tail);
    text = "[... " + std::to_string(cut) + " bytes cut ...]\n" + text.substr(cut + 1);
  }
  std::lock_guard<std::mutex> lock(g_logs_mutex);
  g_logs += "----- " + header + " -----\n" + text;
  if (!text.empty() && text.back() != '\n') g_logs += '\n';
}

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

void remove_tree(const std::string& dir) {
  if (dir.empty()) return;
  // The dir is ours (mkdtemp); std::filesystem would do but needs no extra link on GCC 12.
  const std::string cmd = "rm -rf '" + dir + "'";
  if (std::system(cmd.c_str()) != 0) std::cerr << "broker_process: could not remove " << dir << "\n";
}

std::string env_or(const char* name, const std::string& fallback) {
  const char* v = std::getenv(name);
  return v && *v ? std::string(v) : fallback;
}

}  // namespace

broker_kind tested_broker() {
  const char* v = std::getenv("UNIMQ_TEST_BROKER");
  if (v && std::string(v) == "mosquitto") return broker_kind::mosquitto;
  return broker_kind::unimqd;
}

bool testing_mosquitto() { return tested_broker() == broker_kind::mosquitto; }

std::uint16_t free_loopback_port() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) throw std::runtime_error("socket: " + std::string(std::strerror(errno)));
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    ::close(fd);
    throw std::runtime_error("bind: " + std::string(std::strerror(errno)));
  }
  socklen_t len = sizeof addr;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  ::close(fd);
  return ntohs(addr.sin_port);
}

int tcp_connect(const std::string& host, std::uint16_t port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return -1;
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  ::inet_pton(AF_INET, host.c_str(), &addr.sin_addr);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    ::close(fd);
    return -1;
  }
  return fd;
}

broker_process::broker_process(broker_options options) : options_(std::move(options)) {
  char tmpl[] = "/tmp/unimq-it-XXXXXX";
  if (!::mkdtemp(tmpl)) throw std::runtime_error("mkdtemp: " + std::string(std::strerror(errno)));
  dir_ = tmpl;
  port_ = free_loopback_port();
  if (options_.node_port) node_port_ = free_loopback_port();
}

broker_process::~broker_process() {
  try {
    if (pid_ > 0) stop();
  } catch (...) {
  }
  keep_log((testing_mosquitto() ? "mosquitto" : "unimqd") + std::string(" on port ") +
               std::to_string(port_) + " (" + log_path() + ")",
           log());
  remove_tree(dir_);
}

std::string broker_process::log_path() const { return dir_ + "/broker.log"; }

std::string broker_process::log() const { return read_file(log_path()); }

std::vector<std::string> broker_process::command_line() {
  std::vector<std::string> args;
  if (testing_mosquitto()) {
    const std::string conf_path = dir_ + "/mosquitto.conf";
    std::ofstream conf(conf_path);
    conf << "listener " << port_ << " " << host_ << "\n"
         << "allow_anonymous true\n"
         << "persistence true\n"
         << "persistence_location " << dir_ << "/\n"
         << "autosave_interval 1\n"
         << "log_dest stderr\n"
         << "log_type all\n"
         << "max_keepalive 65535\n"
         << "max_queued_messages 0\n";  // unlimited, like unimqd's on-disk queues
    // Run as root, Mosquitto drops to user "mosquitto", who may not write our 0700 temp dir.
    if (::geteuid() == 0) conf << "user root\n";
    if (options_.max_packet_size) conf << "max_packet_size " << *options_.max_packet_size << "\n";
    if (options_.receive_maximum) conf << "max_inflight_messages " << *options_.receive_maximum << "\n";
    else if (options_.max_inflight) conf << "max_inflight_messages " << *options_.max_inflight << "\n";
    if (options_.max_queued_bytes) conf << "max_queued_bytes " << *options_.max_queued_bytes << "\n";
    if (options_.retain) conf << "retain_available " << (*options_.retain ? "true" : "false") << "\n";
    if (options_.sys_interval_s) conf << "sys_interval " << *options_.sys_interval_s << "\n";
    for (const auto& line : options_.extra_mosquitto_conf) conf << line << "\n";
    args = {env_or("UNIMQ_MOSQUITTO_PATH", "/usr/sbin/mosquitto"), "-c", conf_path};
  } else {
    const std::string path = env_or("UNIMQD_PATH", UNIMQD_PATH);
    if (path.empty())
      throw std::runtime_error(
          "no unimqd: build the unimqd target, set UNIMQD_PATH, or run with UNIMQ_TEST_BROKER=mosquitto");
    args = {path, "--listen", host_ + ":" + std::to_string(port_), "--data-dir", dir_ + "/data"};
    auto add = [&](const char* flag, const std::string& value) {
      args.push_back(flag);
      args.push_back(value);
    };
    if (options_.max_packet_size) add("--max-packet-size", std::to_string(*options_.max_packet_size));
    if (options_.receive_maximum) add("--receive-maximum", std::to_string(*options_.receive_maximum));
    if (options_.max_inflight) add("--max-inflight", std::to_string(*options_.max_inflight));
    if (options_.max_queued_bytes) add("--max-queued-bytes", std::to_string(*options_.max_queued_bytes));
    if (options_.max_session_expiry) add("--max-session-expiry", *options_.max_session_expiry);
    if (options_.retain) add("--retain", *options_.retain ? "true" : "false");
    if (options_.storage_sync) add("--storage-sync", *options_.storage_sync);
    if (options_.sys_interval_s) add("--sys-interval", std::to_string(*options_.sys_interval_s) + "s");
    if (options_.connect_timeout_s) add("--connect-timeout", std::to_string(*options_.connect_timeout_s) + "s");
    if (!options_.log_level.empty()) add("--log-level", options_.log_level);
    if (node_port_ != 0) add("--node-port", std::to_string(node_port_));
    for (const auto& a : options_.extra_args) args.push_back(a);
  }
  return args;
}

void broker_process::start(std::chrono::milliseconds deadline) {
  if (pid_ > 0) throw std::runtime_error("broker already running");
  const auto args = command_line();
  {
    std::ofstream log(log_path(), std::ios::app);
    log << "=== start:";
    for (const auto& a : args) log << ' ' << a;
    log << "\n";
  }
  const int log_fd = ::open(log_path().c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
  if (log_fd < 0) throw std::runtime_error("open log: " + std::string(std::strerror(errno)));
  std::vector<char*> argv;
  for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  const pid_t pid = ::fork();
  if (pid < 0) {
    ::close(log_fd);
    throw std::runtime_error("fork: " + std::string(std::strerror(errno)));
  }
  if (pid == 0) {
    ::dup2(log_fd, STDOUT_FILENO);
    ::dup2(log_fd, STDERR_FILENO);
    const int devnull = ::open("/dev/null", O_RDONLY);
    if (devnull >= 0) ::dup2(devnull, STDIN_FILENO);
    ::setpgid(0, 0);
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);  // never outlive the test binary
    ::execv(argv[0], argv.data());
    const std::string msg = std::string("exec ") + argv[0] + ": " + std::strerror(errno) + "\n";
    [[maybe_unused]] auto n = ::write(STDERR_FILENO, msg.data(), msg.size());
    ::_exit(127);
  }
  ::close(log_fd);
  pid_ = pid;
  wait_ready(deadline);
}

void broker_process::wait_ready(std::chrono::milliseconds deadline) {
  const auto until = clock::now() + deadline;
  auto backoff = std::chrono::milliseconds(2);
  while (clock::now() < until) {
    if (!running()) throw std::runtime_error("broker exited during start-up; log:\n" + log());
    // unimqd opens the node port after the MQTT listeners: ready means both accept.
    const int fd = tcp_connect(host_, node_port_ != 0 ? node_port_ : port_);
    if (fd >= 0) {
      ::close(fd);
      return;
    }
    // Polling interval between connect attempts (not a synchronisation sleep: the deadline rules).
    std::this_thread::sleep_for(backoff);
    backoff = std::min(backoff * 2, std::chrono::milliseconds(50));
  }
  kill9();
  throw std::runtime_error("broker did not accept connections on port " + std::to_string(port_) +
                           " within the deadline; log:\n" + log());
}

bool broker_process::running() {
  if (pid_ <= 0) return false;
  int status = 0;
  const pid_t r = ::waitpid(pid_, &status, WNOHANG);
  if (r == pid_) {
    std::ofstream(log_path(), std::ios::app)
        << "=== exited: " << (WIFEXITED(status) ? "status " + std::to_string(WEXITSTATUS(status))
                                                  : "signal " + std::to_string(WTERMSIG(status)))
        << "\n";
    pid_ = -1;
    return false;
  }
  return true;
}

int broker_process::stop(std::chrono::milliseconds deadline) {
  if (pid_ <= 0) return 0;
  ::kill(pid_, SIGCONT);
  ::kill(pid_, SIGTERM);
  const auto until = clock::now() + deadline;
  int status = 0;
  for (;;) {
    const pid_t r = ::waitpid(pid_, &status, WNOHANG);
    if (r == pid_) break;
    if (clock::now() >= until) {
      std::ofstream(log_path(), std::ios::app) << "=== did not exit on SIGTERM in time: SIGKILL\n";
      ::kill(pid_, SIGKILL);
      ::waitpid(pid_, &status, 0);
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(5));  // polling waitpid until the deadline
  }
  pid_ = -1;
  const int result = WIFEXITED(status) ? WEXITSTATUS(status) : -WTERMSIG(status);
  std::ofstream(log_path(), std::ios::app) << "=== stopped: " << result << "\n";
  return result;
}

void broker_process::kill9() {
  if (pid_ <= 0) return;
  ::kill(pid_, SIGKILL);
  int status = 0;
  ::waitpid(pid_, &status, 0);
  pid_ = -1;
  std::ofstream(log_path(), std::ios::app) << "=== killed with SIGKILL\n";
}

void broker_process::restart(bool hard) {
  if (hard) {
    kill9();
  } else if (const int status = stop(); status != 0) {
    // A graceful stop that fails (or hangs until SIGKILL) is a bug, not a crash to recover from.
    throw std::runtime_error("the broker did not stop cleanly on SIGTERM: status " + std::to_string(status) +
                             "\n" + log());
  }
  start();
}

void broker_process::pause() {
  if (pid_ > 0) ::kill(pid_, SIGSTOP);
}

void broker_process::resume() {
  if (pid_ > 0) ::kill(pid_, SIGCONT);
}

// Prints the logs of the brokers a failed test case started, and forgets them otherwise.
struct broker_log_listener : Catch::TestEventListenerBase {
  using TestEventListenerBase::TestEventListenerBase;
  void testCaseStarting(Catch::TestCaseInfo const& info) override {
    std::lock_guard<std::mutex> lock(g_logs_mutex);
    g_logs.clear();
    TestEventListenerBase::testCaseStarting(info);
  }
  void testCaseEnded(Catch::TestCaseStats const& stats) override {
    std::string logs;
    {
      std::lock_guard<std::mutex> lock(g_logs_mutex);
      logs.swap(g_logs);
    }
    if (stats.totals.assertions.failed > 0 && !logs.empty())
      std::cerr << "===== broker logs for failed test case \"" << stats.testInfo.name << "\" =====\n"
                << logs << "===== end of broker logs =====\n";
    TestEventListenerBase::testCaseEnded(stats);
  }
};
CATCH_REGISTER_LISTENER(broker_log_listener)

}  // namespace unimq::it
