#include "report.hpp"

#include <cstdio>
#include <string>

#include "tools/common/json_string.hpp"

namespace unimq::bench {
namespace {

using cli::json_string;

const char* version_name(mqtt::protocol_version v) {
  return v == mqtt::protocol_version::v5 ? "5" : "3.1.1";
}

double per_second(std::uint64_t n, double s) { return s > 0 ? static_cast<double>(n) / s : 0; }

std::string fixed(double v, int decimals) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", decimals, v);
  return buf;
}

std::string ms(std::int64_t ns) { return fixed(static_cast<double>(ns) / 1e6, 3) + " ms"; }


// Broker CPU in the window and memory, when --broker-pid was given.
struct broker_figures {
  bool known = false;
  double cpu_s = 0;
  long rss_kb = 0;
  long peak_rss_kb = 0;
  double rss_per_connection = 0;  // bytes, from the RSS growth between baseline and window end
};

broker_figures broker_of(const run_result& r) {
  broker_figures b;
  if (!r.broker_start || !r.broker_end) return b;
  b.known = true;
  b.cpu_s = r.broker_end->cpu_seconds - r.broker_start->cpu_seconds;
  b.rss_kb = r.broker_end->rss_kb;
  b.peak_rss_kb = r.broker_final ? r.broker_final->peak_rss_kb : r.broker_end->peak_rss_kb;
  if (r.broker_baseline && r.connections_open > 0)
    b.rss_per_connection = static_cast<double>(r.broker_end->rss_kb - r.broker_baseline->rss_kb) *
                           1024.0 / static_cast<double>(r.connections_open);
  return b;
}

}  // namespace

void print_table(const run_result& r, std::ostream& out) {
  const options& o = r.opts;
  out << "unimq-bench " << to_string(o.scenario) << " against " << o.host << ":" << o.port
      << "  (MQTT " << version_name(o.version) << ", QoS " << static_cast<int>(o.qos) << ", "
      << o.payload << "-byte payload, rate "
      << (o.rate > 0 ? fixed(o.rate, 0) + "/s per publisher" : std::string("max"))
      << ", inflight " << o.inflight << ")\n";
  out << "  clients      " << r.publishers << " publishers, " << r.subscribers << " subscribers, "
      << r.connections << " connections (" << r.connections_open << " open at the end of the window)\n";
  if (!r.setup_error.empty()) out << "  SETUP FAILED " << r.setup_error << "\n";
  out << "  window       " << fixed(r.window_s, 1) << " s after " << fixed(o.warmup, 1)
      << " s warm-up (grace " << fixed(o.grace, 1) << " s)\n";
  if (r.publishers > 0) {
    out << "  sent         " << fixed(per_second(r.sent, r.window_s), 0) << " msg/s (" << r.sent
        << ")\n";
    out << "  received     " << fixed(per_second(r.received(), r.window_s), 0) << " msg/s ("
        << r.received() << " deliveries)\n";
    out << "  latency      p50 " << ms(r.latency.percentile(0.5)) << "  p99 "
        << ms(r.latency.percentile(0.99)) << "  p99.9 " << ms(r.latency.percentile(0.999))
        << "  max " << ms(r.latency.max()) << "\n";
    std::size_t affected = 0;
    for (auto& s : r.per_subscriber)
      affected += (s.lost() || s.counts.duplicated || s.counts.out_of_order) ? 1 : 0;
    out << "  delivery     expected " << r.expected() << ", lost " << r.lost() << ", late " << r.late()
        << " (after the grace period), duplicated "
        << r.duplicated() << ", out of order " << r.out_of_order() << " (" << affected << " of "
        << r.per_subscriber.size() << " subscribers affected)"
        << (o.qos == mqtt::qos::at_most_once && r.lost() ? "; QoS 0 may lose" : "") << "\n";
  } else {
    out << "  pings        " << r.pings_sent << " sent, " << r.pings_answered << " answered\n";
  }
  auto b = broker_of(r);
  if (b.known) {
    out << "  broker       CPU " << fixed(b.cpu_s, 2) << " s in the window ("
        << fixed(100 * b.cpu_s / r.window_s, 0) << " % of one core), RSS " << b.rss_kb
        << " KB, peak RSS " << b.peak_rss_kb << " KB";
    if (o.scenario == scenario_kind::idle)
      out << ", " << fixed(b.rss_per_connection, 0) << " bytes RSS per connection";
    out << "\n";
  }
  out << "  errors       " << r.connection_errors << " connections lost, " << r.protocol_errors
      << " protocol errors, " << r.setup_failures << " connections refused\n";
  for (auto& e : r.errors) out << "               " << e << "\n";
  out << "  result       " << (r.ok() ? "ok" : "FAILED") << "\n";
}

void print_json(const run_result& r, std::ostream& out) {
  const options& o = r.opts;
  auto b = broker_of(r);
  out << "{\"scenario\":" << json_string(to_string(o.scenario))
      << ",\"host\":" << json_string(o.host) << ",\"port\":" << o.port
      << ",\"mqtt\":" << json_string(version_name(o.version))
      << ",\"qos\":" << static_cast<int>(o.qos) << ",\"payload\":" << o.payload
      << ",\"rate\":" << o.rate << ",\"inflight\":" << o.inflight
      << ",\"publishers\":" << r.publishers << ",\"subscribers\":" << r.subscribers
      << ",\"connections\":" << r.connections << ",\"connections_open\":" << r.connections_open
      << ",\"warmup_s\":" << o.warmup << ",\"window_s\":" << r.window_s << ",\"grace_s\":" << o.grace
      << ",\"sent\":" << r.sent << ",\"sent_per_s\":" << fixed(per_second(r.sent, r.window_s), 1)
      << ",\"received\":" << r.received()
      << ",\"received_per_s\":" << fixed(per_second(r.received(), r.window_s), 1)
      << ",\"latency_ns\":{\"count\":" << r.latency.count()
      << ",\"p50\":" << r.latency.percentile(0.5) << ",\"p99\":" << r.latency.percentile(0.99)
      << ",\"p999\":" << r.latency.percentile(0.999) << ",\"max\":" << r.latency.max() << "}"
      << ",\"expected\":" << r.expected() << ",\"lost\":" << r.lost() << ",\"late\":" << r.late()
      << ",\"duplicated\":" << r.duplicated() << ",\"out_of_order\":" << r.out_of_order()
      << ",\"per_subscriber\":[";
  for (std::size_t i = 0; i < r.per_subscriber.size(); ++i) {
    auto& s = r.per_subscriber[i];
    out << (i ? "," : "") << "{\"expected\":" << s.expected << ",\"received\":" << s.counts.received
        << ",\"lost\":" << s.lost() << ",\"late\":" << s.late << ",\"duplicated\":" << s.counts.duplicated
        << ",\"out_of_order\":" << s.counts.out_of_order << ",\"foreign\":" << s.counts.foreign
        << "}";
  }
  out << "],\"pings_sent\":" << r.pings_sent << ",\"pings_answered\":" << r.pings_answered;
  if (b.known) {
    out << ",\"broker\":{\"pid\":" << o.broker_pid << ",\"cpu_s\":" << fixed(b.cpu_s, 3)
        << ",\"rss_kb\":" << b.rss_kb << ",\"peak_rss_kb\":" << b.peak_rss_kb
        << ",\"baseline_rss_kb\":" << (r.broker_baseline ? r.broker_baseline->rss_kb : 0)
        << ",\"rss_per_connection_bytes\":" << fixed(b.rss_per_connection, 0) << "}";
  }
  out << ",\"connection_errors\":" << r.connection_errors
      << ",\"protocol_errors\":" << r.protocol_errors << ",\"setup_failures\":" << r.setup_failures
      << ",\"setup_error\":" << json_string(r.setup_error) << ",\"errors\":[";
  for (std::size_t i = 0; i < r.errors.size(); ++i) out << (i ? "," : "") << json_string(r.errors[i]);
  out << "],\"ok\":" << (r.ok() ? "true" : "false") << "}\n";
}

}  // namespace unimq::bench
