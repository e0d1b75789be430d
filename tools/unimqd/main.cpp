// unimqd: the unimq MQTT broker. Options: unimqd --help (defaults are built in; no file is needed).
#include <caf/all.hpp>
#include <caf/io/all.hpp>

#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <sys/resource.h>

#include "actors/broker.hpp"
#include "actors/messages.hpp"
#include "actors/node_service.hpp"
#include "config/command_line.hpp"
#include "config/log.hpp"

namespace {

namespace ulog = unimq::log;

// Thousands of devices reconnecting at once need as many descriptors as the system allows.
void raise_file_limit() {
  rlimit limit{};
  if (getrlimit(RLIMIT_NOFILE, &limit) != 0 || limit.rlim_cur == limit.rlim_max) return;
  limit.rlim_cur = limit.rlim_max;
  if (setrlimit(RLIMIT_NOFILE, &limit) != 0) ulog::write(ulog::level::warn, "start", "could not raise the open file limit");
}

}  // namespace

int main(int argc, char** argv) {
  const auto parsed = unimq::config::parse_command_line(argc, argv);
  if (parsed.outcome != unimq::config::parse_outcome::run) {
    std::fprintf(parsed.exit_status() ? stderr : stdout, "%s\n", parsed.message.c_str());
    return parsed.exit_status();
  }
  const auto& options = parsed.options;
  ulog::set_level(options.log_level);
  raise_file_limit();

  // Signals are taken with sigwait by the main thread: block them before any thread starts.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  std::signal(SIGPIPE, SIG_IGN);

  caf::actor_system_config cfg;
  unimq::actors::add_message_types(cfg);
  cfg.load<caf::io::middleman>();
  unimq::actors::set_link_timeouts(cfg);
  // Two cores: the network thread and the storage writer have threads of their own.
  cfg.set("scheduler.max-threads", 2);
  caf::actor_system system{cfg};

  ulog::write(ulog::level::info, "start", "unimqd " UNIMQ_VERSION " " + unimq::config::summary(options));
  auto started = unimq::actors::broker::start(system, options);
  if (auto* error = std::get_if<std::string>(&started)) {
    ulog::write(ulog::level::error, "start", *error);
    return 1;
  }
  auto& broker = std::get<std::unique_ptr<unimq::actors::broker>>(started);
  broker->wait_for_signal();
  if (!broker->stop()) {
    // Every acknowledged write is committed, but ~actor_system would wait for ever for the writer.
    ulog::write(ulog::level::error, "shutdown", "exiting without tearing the actor system down");
    std::fflush(nullptr);
    std::_Exit(1);
  }
  ulog::write(ulog::level::info, "shutdown", "stopped");
  return 0;
}
