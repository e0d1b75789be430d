#pragma once
// The verdict of a crash test run and its two renderings: a table for people, JSON for scripts.

#include <cstdint>
#include <ostream>
#include <string>
#include <vector>

#include "tally.hpp"

namespace unimq::crashtest {

/// One subscriber's return: its session, and the counts per QoS.
struct subscriber_result {
  std::string name;
  bool session_present = false;
  bool marker_received = false;
  std::vector<qos_tally> tallies;  ///< QoS 1, QoS 2
};

struct run_result {
  std::string label;
  std::vector<std::string> command;
  std::uint64_t seed = 0;
  int settle_ms = 0;
  std::vector<round_record> rounds;
  std::vector<subscriber_result> subscribers;
  double seconds = 0;
  std::vector<std::string> violations;  ///< filled by judge(); empty = passed
};

/// Fills `violations`: an acknowledged message lost, a QoS 2 duplicate, a session lost, or nothing
/// acknowledged at some QoS (a run that proves nothing).
void judge(run_result& r);
void print_table(const run_result& r, std::ostream& out);
void print_json(const run_result& r, std::ostream& out);

}  // namespace unimq::crashtest
