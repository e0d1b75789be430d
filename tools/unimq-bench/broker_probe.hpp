#pragma once
// Reads a broker's CPU time and memory from /proc, so the bench can report what the load cost it.

#include <optional>
#include <string>

namespace unimq::bench {

/// One reading of /proc/PID/stat and /proc/PID/status.
struct broker_sample {
  double cpu_seconds = 0;  ///< utime + stime
  long rss_kb = 0;         ///< VmRSS
  long peak_rss_kb = 0;    ///< VmHWM
};

/// The broker's current figures, or nothing if the process is gone.
std::optional<broker_sample> sample_broker(int pid);

}  // namespace unimq::bench
