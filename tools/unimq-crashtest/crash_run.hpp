#pragma once
// The crash test itself: subscribe and go offline, publish through rounds of kill -9 and restart,
// come back and count.

#include <ostream>

#include "options.hpp"
#include "report.hpp"

namespace unimq::crashtest {

/// Runs the test as `o` says, logging progress to `log`; throws std::runtime_error if the run
/// itself fails (the broker does not start, a client cannot connect).
run_result run(const options& o, std::ostream& log);

}  // namespace unimq::crashtest
