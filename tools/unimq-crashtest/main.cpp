// unimq-crashtest: does an MQTT broker keep what it acknowledged when it is killed with SIGKILL?
// (usage: unimq-crashtest --help; results in docs/benchmarks.md, "Durability under kill -9").

#include <mosquitto.h>

#include <iostream>
#include <stdexcept>

#include "crash_run.hpp"
#include "options.hpp"

int main(int argc, char** argv) {
  using namespace unimq::crashtest;
  auto parsed = parse_options(argc, argv);
  if (parsed.help) {
    std::cout << usage();
    return 0;
  }
  if (!parsed.opts) {
    std::cerr << "unimq-crashtest: " << parsed.error << "\n\n" << usage();
    return 2;
  }
  mosquitto_lib_init();
  int status = 2;
  try {
    const run_result result = run(*parsed.opts, std::cerr);
    if (parsed.opts->json) print_json(result, std::cout);
    else print_table(result, std::cout);
    status = result.violations.empty() ? 0 : 1;
  } catch (const std::exception& e) {
    std::cerr << "unimq-crashtest: " << e.what() << "\n";
  }
  mosquitto_lib_cleanup();
  return status;
}
