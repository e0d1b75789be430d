#pragma once
// Prints a run's results: a table for people, one JSON object for scripts.

#include <ostream>

#include "scenario.hpp"

namespace unimq::bench {

void print_table(const run_result& r, std::ostream& out);
void print_json(const run_result& r, std::ostream& out);

}  // namespace unimq::bench
