#include "broker_child.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstring>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>

namespace unimq::crashtest {
namespace {

using clock = std::chrono::steady_clock;

std::string replace_all(std::string s, const std::string& from, const std::string& to) {
  for (auto pos = s.find(from); pos != std::string::npos; pos = s.find(from, pos + to.size()))
    s.replace(pos, from.size(), to);
  return s;
}

bool accepts_connections(std::uint16_t port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return false;
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = htons(port);
  const bool ok = ::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
  ::close(fd);
  return ok;
}

}  // namespace

broker_child::broker_child(std::vector<std::string> command, std::uint16_t port, std::string dir,
                           std::string log_path)
    : _command(std::move(command)), _port(port), _dir(std::move(dir)), _log_path(std::move(log_path)) {}

broker_child::~broker_child() {
  if (_pid > 0) kill9();
}

std::vector<std::string> broker_child::argv() const {
  std::vector<std::string> out;
  for (const auto& a : _command) out.push_back(replace_all(replace_all(a, "{port}", std::to_string(_port)), "{dir}", _dir));
  return out;
}

std::chrono::milliseconds broker_child::start(std::chrono::milliseconds deadline) {
  const auto args = argv();
  const auto begin = clock::now();
  const int log_fd = ::open(_log_path.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
  if (log_fd < 0) throw std::runtime_error("open " + _log_path + ": " + std::strerror(errno));
  std::vector<char*> c_args;
  for (const auto& a : args) c_args.push_back(const_cast<char*>(a.c_str()));
  c_args.push_back(nullptr);
  const pid_t pid = ::fork();
  if (pid < 0) {
    ::close(log_fd);
    throw std::runtime_error(std::string("fork: ") + std::strerror(errno));
  }
  if (pid == 0) {
    ::dup2(log_fd, STDOUT_FILENO);
    ::dup2(log_fd, STDERR_FILENO);
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);  // a crashed or interrupted tool leaves no broker behind
    ::execvp(c_args[0], c_args.data());
    const std::string msg = std::string("exec ") + c_args[0] + ": " + std::strerror(errno) + "\n";
    [[maybe_unused]] auto n = ::write(STDERR_FILENO, msg.data(), msg.size());
    ::_exit(127);
  }
  ::close(log_fd);
  _pid = pid;
  while (clock::now() - begin < deadline) {
    if (!running()) throw std::runtime_error("the broker exited during start-up; log:\n" + log_tail());
    if (accepts_connections(_port))
      return std::chrono::duration_cast<std::chrono::milliseconds>(clock::now() - begin);
    std::this_thread::sleep_for(std::chrono::milliseconds(10));  // polling a condition, with a deadline
  }
  kill9();
  throw std::runtime_error("the broker did not listen on port " + std::to_string(_port) + "; log:\n" + log_tail());
}

void broker_child::kill9() {
  if (_pid <= 0) return;
  ::kill(_pid, SIGKILL);
  ::waitpid(_pid, nullptr, 0);
  _pid = -1;
}

int broker_child::stop(std::chrono::milliseconds deadline) {
  if (_pid <= 0) return 0;
  ::kill(_pid, SIGTERM);
  const auto begin = clock::now();
  int status = 0;
  while (::waitpid(_pid, &status, WNOHANG) == 0) {
    if (clock::now() - begin > deadline) {
      ::kill(_pid, SIGKILL);
      ::waitpid(_pid, &status, 0);
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  _pid = -1;
  return WIFEXITED(status) ? WEXITSTATUS(status) : -WTERMSIG(status);
}

bool broker_child::running() {
  if (_pid <= 0) return false;
  if (::waitpid(_pid, nullptr, WNOHANG) == _pid) _pid = -1;
  return _pid > 0;
}

std::string broker_child::log_tail(std::size_t bytes) const {
  std::ifstream in(_log_path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  const std::string all = ss.str();
  return all.size() > bytes ? all.substr(all.size() - bytes) : all;
}

std::uint16_t free_loopback_port() {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) throw std::runtime_error(std::string("socket: ") + std::strerror(errno));
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof addr;
  const bool ok = ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0 &&
                  ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0;
  ::close(fd);
  if (!ok) throw std::runtime_error(std::string("no free port: ") + std::strerror(errno));
  return ntohs(addr.sin_port);
}

}  // namespace unimq::crashtest
