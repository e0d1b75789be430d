// unimq-bench: an MQTT load generator that checks what it measures (usage: unimq-bench --help; results in docs/benchmarks.md).

#include <sys/resource.h>

#include <iostream>

#include "options.hpp"
#include "report.hpp"
#include "scenario.hpp"

namespace {

// Thousands of connections need as many descriptors: take the hard limit.
void raise_fd_limit() {
  rlimit l{};
  if (getrlimit(RLIMIT_NOFILE, &l) == 0 && l.rlim_cur < l.rlim_max) {
    l.rlim_cur = l.rlim_max;
    setrlimit(RLIMIT_NOFILE, &l);
  }
}

}  // namespace

int main(int argc, char** argv) {
  using namespace unimq::bench;
  auto parsed = parse_options(argc, argv);
  if (parsed.help) {
    std::cout << usage();
    return 0;
  }
  if (!parsed.opts) {
    std::cerr << "unimq-bench: " << parsed.error << "\n\n" << usage();
    return 2;
  }
  raise_fd_limit();
  asio::io_context io(1);
  run_result result;
  {
    scenario s(io, *parsed.opts);
    result = s.run();
  }
  if (parsed.opts->json) print_json(result, std::cout);
  else print_table(result, std::cout);
  return result.ok() ? 0 : 1;
}
