#include "broker_probe.hpp"

#include <unistd.h>

#include <fstream>
#include <sstream>

namespace unimq::bench {
namespace {

long status_kb(const std::string& status, const char* key) {
  auto at = status.find(key);
  if (at == std::string::npos) return 0;
  return std::strtol(status.c_str() + at + std::string(key).size(), nullptr, 10);
}

}  // namespace

std::optional<broker_sample> sample_broker(int pid) {
  std::string base = "/proc/" + std::to_string(pid);
  std::ifstream stat_file(base + "/stat");
  std::string stat((std::istreambuf_iterator<char>(stat_file)), std::istreambuf_iterator<char>());
  // The command name (field 2) may hold spaces: fields are counted after its closing parenthesis.
  auto close = stat.rfind(')');
  if (close == std::string::npos) return std::nullopt;
  std::istringstream fields(stat.substr(close + 2));
  std::string field;
  unsigned long utime = 0, stime = 0;
  for (int n = 3; n <= 15 && fields >> field; ++n) {
    if (n == 14) utime = std::stoul(field);
    if (n == 15) stime = std::stoul(field);
  }
  std::ifstream status_file(base + "/status");
  std::string status((std::istreambuf_iterator<char>(status_file)),
                     std::istreambuf_iterator<char>());
  broker_sample s;
  s.cpu_seconds = static_cast<double>(utime + stime) / static_cast<double>(sysconf(_SC_CLK_TCK));
  s.rss_kb = status_kb(status, "VmRSS:");
  s.peak_rss_kb = status_kb(status, "VmHWM:");
  return s;
}

}  // namespace unimq::bench
