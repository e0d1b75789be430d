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

// Files rather than pipes: nothing can block on a full pipe while the other one is read.
std::string temp_file(const std::string& contents) {
  char path[] = "/tmp/unimq-cmd-XXXXXX";
  const int fd = ::mkstemp(path);
  if (fd < 0) throw std::runtime_error("mkstemp: " + std::string(std::strerror(errno)));
  ::close(fd);
  std::ofstream(path, std::ios::binary) << contents;
  return path;
}

std::string take_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  ::unlink(path.c_str());
  return ss.str();
}

}  // namespace

command_result run_command(const std::vector<std::string>& argv, const std::string& input,
                           std::chrono::milliseconds deadline) {
  const std::string in_path = temp_file(input), out_path = temp_file(""), err_path = temp_file("");
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, in_path.c_str(), O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, out_path.c_str(), O_WRONLY | O_TRUNC, 0);
  posix_spawn_file_actions_addopen(&actions, STDERR_FILENO, err_path.c_str(), O_WRONLY | O_TRUNC, 0);
  std::vector<char*> args;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  pid_t pid = -1;
  const int rc = ::posix_spawn(&pid, args[0], &actions, nullptr, args.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  ::unlink(in_path.c_str());
  if (rc != 0) {
    take_file(out_path);
    take_file(err_path);
    throw std::runtime_error("spawn " + argv[0] + ": " + std::strerror(rc));
  }

  int wstatus = 0;
  const auto until = std::chrono::steady_clock::now() + deadline;
  while (::waitpid(pid, &wstatus, WNOHANG) == 0) {
    if (std::chrono::steady_clock::now() > until) {
      ::kill(pid, SIGKILL);
      ::waitpid(pid, &wstatus, 0);
      throw std::runtime_error(argv[0] + " still running after " + std::to_string(deadline.count()) +
                               " ms; stderr: " + take_file(err_path));
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  command_result r;
  r.status = WIFEXITED(wstatus) ? WEXITSTATUS(wstatus) : -WTERMSIG(wstatus);
  r.out = take_file(out_path);
  r.err = take_file(err_path);
  return r;
}

}  // namespace unimq::it
