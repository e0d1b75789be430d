#include "command_run.hpp"

#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <fstream>
#include <spawn.h>
#include <sstream>
#include <stdexcept>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

namespace unimq::it {
namespace {

using clock = std::chrono::steady_clock;
constexpr std::chrono::milliseconds kPollInterval{5};

// Files rather than pipes: nothing can block on a full pipe while the other one is read.
std::string temp_file(const std::string& contents) {
  char path[] = "/tmp/unimq-cmd-XXXXXX";
  const int fd = ::mkstemp(path);
  if (fd < 0) throw std::runtime_error("mkstemp: " + std::string(std::strerror(errno)));
  ::close(fd);
  std::ofstream(path, std::ios::binary) << contents;
  return path;
}

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

}  // namespace

background_command::background_command(const std::vector<std::string>& argv, const std::string& input)
    : _program(argv.at(0)), _out_path(temp_file("")), _err_path(temp_file("")) {
  const std::string in_path = temp_file(input);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, in_path.c_str(), O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, _out_path.c_str(), O_WRONLY | O_TRUNC, 0);
  posix_spawn_file_actions_addopen(&actions, STDERR_FILENO, _err_path.c_str(), O_WRONLY | O_TRUNC, 0);
  std::vector<char*> args;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  const int rc = ::posix_spawn(&_pid, args[0], &actions, nullptr, args.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  ::unlink(in_path.c_str());
  if (rc != 0) {
    _pid = -1;
    ::unlink(_out_path.c_str());
    ::unlink(_err_path.c_str());
    throw std::runtime_error("spawn " + _program + ": " + std::strerror(rc));
  }
}

background_command::~background_command() {
  if (_pid > 0) {
    ::kill(_pid, SIGKILL);
    ::waitpid(_pid, nullptr, 0);
  }
  ::unlink(_out_path.c_str());
  ::unlink(_err_path.c_str());
}

std::string background_command::out() const { return read_file(_out_path); }

bool background_command::wait_for_output(const std::string& text, std::chrono::milliseconds deadline) const {
  const auto until = clock::now() + deadline;
  while (out().find(text) == std::string::npos) {
    if (clock::now() > until) return false;
    std::this_thread::sleep_for(kPollInterval);
  }
  return true;
}

command_result background_command::wait(std::chrono::milliseconds deadline) {
  if (_pid <= 0) throw std::runtime_error(_program + " was already waited for");
  int wstatus = 0;
  const auto until = clock::now() + deadline;
  while (::waitpid(_pid, &wstatus, WNOHANG) == 0) {
    if (clock::now() > until) {
      ::kill(_pid, SIGKILL);
      ::waitpid(_pid, &wstatus, 0);
      _pid = -1;
      throw std::runtime_error(_program + " still running after " + std::to_string(deadline.count()) +
                               " ms; stderr: " + read_file(_err_path));
    }
    std::this_thread::sleep_for(kPollInterval);
  }
  _pid = -1;
  command_result r;
  r.status = WIFEXITED(wstatus) ? WEXITSTATUS(wstatus) : -WTERMSIG(wstatus);
  r.out = read_file(_out_path);
  r.err = read_file(_err_path);
  return r;
}

command_result background_command::stop(std::chrono::milliseconds deadline) {
  if (_pid > 0) ::kill(_pid, SIGTERM);
  return wait(deadline);
}

command_result run_command(const std::vector<std::string>& argv, const std::string& input,
                           std::chrono::milliseconds deadline) {
  return background_command(argv, input).wait(deadline);
}

}  // namespace unimq::it
