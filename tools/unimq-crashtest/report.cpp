#include "report.hpp"

#include <cstdio>

#include "tools/common/json_string.hpp"

namespace unimq::crashtest {

using cli::json_string;

void judge(run_result& r) {
  for (const auto& s : r.subscribers) {
    if (!s.session_present) r.violations.push_back(s.name + ": session not present on return");
    if (!s.marker_received) r.violations.push_back(s.name + ": subscription gone (a new message did not arrive)");
    for (const auto& t : s.tallies) {
      const std::string where = s.name + " QoS " + std::to_string(t.qos) + ": ";
      if (t.acknowledged == 0) r.violations.push_back(where + "nothing was acknowledged, the run proves nothing");
      if (t.lost > 0) r.violations.push_back(where + std::to_string(t.lost) + " acknowledged messages lost");
      if (t.qos == 2 && t.duplicated > 0)
        r.violations.push_back(where + std::to_string(t.duplicated) + " duplicates (exactly once violated)");
    }
  }
}

void print_table(const run_result& r, std::ostream& out) {
  out << "broker: " << r.label << "\ncommand:";
  for (const auto& a : r.command) out << ' ' << a;
  out << "\nseed " << r.seed << ", settle " << r.settle_ms << " ms, " << r.rounds.size() << " kill -9 rounds, "
      << r.seconds << " s\n\n";
  out << "round  publish ms  acked at kill  restart ms  publisher sessions kept\n";
  for (std::size_t i = 0; i < r.rounds.size(); ++i) {
    const auto& rd = r.rounds[i];
    char line[128];
    std::snprintf(line, sizeof line, "%5zu  %10d  %13llu  %10lld  %d\n", i + 1, rd.delay_ms,
                  static_cast<unsigned long long>(rd.acknowledged_at_kill), static_cast<long long>(rd.restart_ms),
                  rd.publisher_sessions_present);
    out << line;
  }
  out << "\nsubscriber       session  QoS  published  acknowledged  refused  received  ACKED-BUT-LOST  duplicated  reordered\n";
  for (const auto& s : r.subscribers)
    for (const auto& t : s.tallies) {
      char line[200];
      std::snprintf(line, sizeof line, "%-15s  %-7s  %3d  %9llu  %12llu  %7llu  %8llu  %14llu  %10llu  %9llu\n", s.name.c_str(),
                    s.session_present && s.marker_received ? "kept" : "LOST", t.qos,
                    static_cast<unsigned long long>(t.published), static_cast<unsigned long long>(t.acknowledged), static_cast<unsigned long long>(t.refused),
                    static_cast<unsigned long long>(t.received), static_cast<unsigned long long>(t.lost),
                    static_cast<unsigned long long>(t.duplicated), static_cast<unsigned long long>(t.reordered));
      out << line;
    }
  out << "\nacknowledged but lost, by when acknowledged (round 1 .. " << r.rounds.size() << ", after the last kill):\n";
  for (const auto& s : r.subscribers)
    for (const auto& t : s.tallies) {
      out << "  " << s.name << " QoS " << t.qos << ":";
      for (const auto n : t.lost_by_round) out << ' ' << n;
      out << '\n';
    }
  out << '\n';
  if (r.violations.empty()) out << "PASS: nothing acknowledged was lost, no QoS 2 duplicate, sessions kept\n";
  for (const auto& v : r.violations) out << "VIOLATION: " << v << '\n';
}

void print_json(const run_result& r, std::ostream& out) {
  out << "{\"label\": " << json_string(r.label) << ", \"command\": [";
  for (std::size_t i = 0; i < r.command.size(); ++i) out << (i ? ", " : "") << json_string(r.command[i]);
  out << "], \"seed\": " << r.seed << ", \"settle_ms\": " << r.settle_ms << ", \"seconds\": " << r.seconds << ", \"ok\": " << (r.violations.empty() ? "true" : "false");
  out << ",\n \"rounds\": [";
  for (std::size_t i = 0; i < r.rounds.size(); ++i) {
    const auto& rd = r.rounds[i];
    out << (i ? ",\n  " : "\n  ") << "{\"delay_ms\": " << rd.delay_ms << ", \"acknowledged_at_kill\": " << rd.acknowledged_at_kill
        << ", \"restart_ms\": " << rd.restart_ms << ", \"publisher_sessions_present\": " << rd.publisher_sessions_present
        << "}";
  }
  out << "],\n \"subscribers\": [";
  for (std::size_t i = 0; i < r.subscribers.size(); ++i) {
    const auto& s = r.subscribers[i];
    out << (i ? ",\n  " : "\n  ") << "{\"name\": " << json_string(s.name) << ", \"session_present\": "
        << (s.session_present ? "true" : "false") << ", \"marker_received\": " << (s.marker_received ? "true" : "false")
        << ", \"qos\": [";
    for (std::size_t j = 0; j < s.tallies.size(); ++j) {
      const auto& t = s.tallies[j];
      out << (j ? ", " : "") << "{\"qos\": " << t.qos << ", \"published\": " << t.published
          << ", \"acknowledged\": " << t.acknowledged << ", \"refused\": " << t.refused
          << ", \"received\": " << t.received << ", \"lost\": " << t.lost
          << ", \"duplicated\": " << t.duplicated << ", \"reordered\": " << t.reordered << ", \"lost_by_round\": [";
      for (std::size_t k = 0; k < t.lost_by_round.size(); ++k) out << (k ? ", " : "") << t.lost_by_round[k];
      out << "]}";
    }
    out << "]}";
  }
  out << "],\n \"violations\": [";
  for (std::size_t i = 0; i < r.violations.size(); ++i) out << (i ? ", " : "") << json_string(r.violations[i]);
  out << "]}\n";
}

}  // namespace unimq::crashtest
