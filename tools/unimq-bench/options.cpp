#include "options.hpp"

#include <charconv>
#include <cstdlib>
#include <string_view>

#include "payload.hpp"

namespace unimq::bench {
namespace {

// Bounds that keep a typo from turning the bench into a runaway process.
constexpr std::uint32_t kMaxClients = 100'000;
constexpr double kMaxSeconds = 3600;
constexpr std::size_t kMaxPayload = 1 << 20;

bool parse_number(std::string_view text, double& out) {
  std::string copy(text);
  char* end = nullptr;
  out = std::strtod(copy.c_str(), &end);
  return !copy.empty() && end == copy.c_str() + copy.size() && out >= 0;
}

template <typename Int>
bool parse_int(std::string_view text, Int& out) {
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
  return ec == std::errc() && ptr == text.data() + text.size();
}

std::optional<scenario_kind> parse_scenario(std::string_view s) {
  if (s == "fan-in") return scenario_kind::fan_in;
  if (s == "fan-out") return scenario_kind::fan_out;
  if (s == "p2p") return scenario_kind::p2p;
  if (s == "idle") return scenario_kind::idle;
  return std::nullopt;
}

// The bench floods whatever it points at: it only talks to this machine.
bool is_loopback(std::string& host) {
  if (host == "localhost") host = "127.0.0.1";
  return host.rfind("127.", 0) == 0;
}

}  // namespace

const char* to_string(scenario_kind k) {
  switch (k) {
    case scenario_kind::fan_in: return "fan-in";
    case scenario_kind::fan_out: return "fan-out";
    case scenario_kind::p2p: return "p2p";
    case scenario_kind::idle: return "idle";
  }
  return "?";
}

std::string usage() {
  return R"(usage: unimq-bench SCENARIO [options]

Scenarios:
  fan-in    N publishers (one topic each) -> 1 subscriber on a '+' wildcard
  fan-out   1 publisher -> N subscribers of its topic
  p2p       N publisher/subscriber pairs, one topic per pair
  idle      open N connections, hold them, send PINGREQ now and then

Options:
  --host ADDR        broker address, loopback only (default 127.0.0.1)
  --port PORT        broker port (default 1883)
  --mqtt 3.1.1|5     protocol version (default 3.1.1)
  --qos 0|1|2        QoS of PUBLISH and SUBSCRIBE (default 0)
  --payload BYTES    payload size, at least 20 (default 64)
  --rate R           messages/s per publisher, 0 = as fast as flow control allows (default 0)
  --inflight N       unacknowledged QoS 1/2 messages per publisher (default 64)
  --clients N        publishers (fan-in), subscribers (fan-out), pairs (p2p), connections (idle)
                     (default 10)
  --warmup S         seconds of load before measuring (default 2)
  --duration S       seconds measured (default 10)
  --grace S          seconds after the window for late deliveries (default 5)
  --drain S          QoS 1/2: then wait on while deliveries still arrive, until none for S seconds;
                     those count as late, not lost (default 0: no drain)
  --broker-pid PID   report the broker's CPU time in the window and its RSS (from /proc)
  --json             print one JSON object instead of the table

Exit status: 0 ok, 1 the run failed (connection refused, errors, QoS 1/2 messages lost), 2 usage.
)";
}

parse_result parse_options(int argc, char** argv) {
  parse_result r;
  options o;
  bool have_scenario = false;
  auto fail = [&](std::string message) {
    r.error = std::move(message);
    return r;
  };
  for (int i = 1; i < argc; ++i) {
    std::string_view arg = argv[i];
    if (arg == "-h" || arg == "--help") {
      r.help = true;
      return r;
    }
    if (arg == "--json") {
      o.json = true;
      continue;
    }
    if (arg.rfind("--", 0) != 0) {
      auto s = parse_scenario(arg);
      if (!s || have_scenario) return fail("unexpected argument '" + std::string(arg) + "'");
      o.scenario = *s;
      have_scenario = true;
      continue;
    }
    if (i + 1 >= argc) return fail(std::string(arg) + " needs a value");
    std::string_view value = argv[++i];
    auto bad = [&]() { return fail("bad value '" + std::string(value) + "' for " + std::string(arg)); };
    double d = 0;
    if (arg == "--host") {
      o.host = std::string(value);
      if (!is_loopback(o.host)) return fail("--host must be a loopback address (127.x.x.x)");
    } else if (arg == "--port") {
      if (!parse_int(value, o.port) || o.port == 0) return bad();
    } else if (arg == "--mqtt") {
      if (value == "3.1.1") o.version = mqtt::protocol_version::v3_1_1;
      else if (value == "5") o.version = mqtt::protocol_version::v5;
      else return bad();
    } else if (arg == "--qos") {
      if (value != "0" && value != "1" && value != "2") return bad();
      o.qos = static_cast<mqtt::qos>(value[0] - '0');
    } else if (arg == "--payload") {
      if (!parse_int(value, o.payload) || o.payload < kPayloadHeaderSize || o.payload > kMaxPayload)
        return fail("--payload must be " + std::to_string(kPayloadHeaderSize) + " .. " +
                    std::to_string(kMaxPayload));
    } else if (arg == "--rate") {
      if (!parse_number(value, o.rate)) return bad();
    } else if (arg == "--inflight") {
      if (!parse_int(value, o.inflight) || o.inflight == 0 || o.inflight > 65535) return bad();
    } else if (arg == "--clients") {
      if (!parse_int(value, o.clients) || o.clients == 0 || o.clients > kMaxClients) return bad();
    } else if (arg == "--warmup" || arg == "--duration" || arg == "--grace" || arg == "--drain") {
      if (!parse_number(value, d) || d > kMaxSeconds) return bad();
      (arg == "--warmup" ? o.warmup : arg == "--duration" ? o.duration : arg == "--grace" ? o.grace : o.drain) = d;
    } else if (arg == "--broker-pid") {
      if (!parse_int(value, o.broker_pid) || o.broker_pid <= 0) return bad();
    } else {
      return fail("unknown option " + std::string(arg));
    }
  }
  if (!have_scenario) return fail("missing scenario (fan-in, fan-out, p2p or idle)");
  if (o.duration <= 0) return fail("--duration must be positive");
  r.opts = o;
  return r;
}

}  // namespace unimq::bench
