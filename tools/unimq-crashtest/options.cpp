#include "options.hpp"

#include <charconv>
#include <string_view>

namespace unimq::crashtest {
namespace {

template <typename Int>
bool parse_int(std::string_view text, Int& out, Int min, Int max) {
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
  return ec == std::errc() && ptr == text.data() + text.size() && out >= min && out <= max;
}

}  // namespace

std::string usage() {
  return R"(usage: unimq-crashtest [options] -- BROKER COMMAND LINE...

Kills an MQTT broker with SIGKILL while publishers send sequence-numbered QoS 1 and QoS 2
messages to persistent subscribers that are offline, restarts it on the same port and data
directory, several rounds; then the subscribers come back and count, per QoS, every message that
was acknowledged (PUBACK / PUBCOMP) but never delivered, delivered twice, or out of order, and
whether their session survived. In the broker command line {port} and {dir} stand for the port
and the data directory.

Options:
  --rounds N          kills (default 5)
  --seed N            seed of the kill moments (default: from the clock; always printed)
  --settle MS         wait between subscribing and publishing (default 0): a broker that saves
                      its state every few seconds gets the chance to save the subscriptions
  --min-delay MS      publishing time before a kill, drawn from [min, max] (default 300)
  --max-delay MS      (default 1500)
  --publishers N      publishers per QoS, MQTT 3.1.1 and 5.0 alternating (default 2)
  --window N          unacknowledged messages per publisher (default 32)
  --port P            broker port (default: a free one)
  --dir DIR           data directory (default: a new one under $TMPDIR, removed if all went well)
  --keep              keep the directory and the broker log even if all went well
  --discard           remove the directory even after a violation
  --idle-timeout S    the drain gives up after S seconds without a message (default 10)
  --label NAME        the broker's name in the report
  --json              print the result as JSON

Exit status: 0 nothing acknowledged was lost, no QoS 2 duplicate, the sessions survived;
1 any of these failed; 2 the run itself failed (usage, broker would not start).

Example:
  unimq-crashtest --rounds 5 -- unimqd --listen 127.0.0.1:{port} --data-dir {dir}/data
)";
}

parse_result parse_options(int argc, char** argv) {
  parse_result r;
  options o;
  int i = 1;
  auto value = [&](std::string_view flag) -> std::optional<std::string_view> {
    if (i + 1 >= argc) {
      r.error = std::string(flag) + " needs a value";
      return std::nullopt;
    }
    return std::string_view(argv[++i]);
  };
  for (; i < argc; ++i) {
    const std::string_view a = argv[i];
    std::optional<std::string_view> v;
    bool ok = true;
    if (a == "--") {
      ++i;
      break;
    } else if (a == "-h" || a == "--help") {
      r.help = true;
      return r;
    } else if (a == "--json") {
      o.json = true;
    } else if (a == "--keep") {
      o.keep = true;
    } else if (a == "--discard") {
      o.discard = true;
    } else if (a == "--rounds") {
      ok = (v = value(a)) && parse_int(*v, o.rounds, 1, 1000);
    } else if (a == "--seed") {
      std::uint64_t s = 0;
      ok = (v = value(a)) && parse_int<std::uint64_t>(*v, s, 0, UINT64_MAX);
      o.seed = s;
    } else if (a == "--settle") {
      ok = (v = value(a)) && parse_int(*v, o.settle_ms, 0, 3'600'000);
    } else if (a == "--min-delay") {
      ok = (v = value(a)) && parse_int(*v, o.min_delay_ms, 0, 3'600'000);
    } else if (a == "--max-delay") {
      ok = (v = value(a)) && parse_int(*v, o.max_delay_ms, 0, 3'600'000);
    } else if (a == "--publishers") {
      ok = (v = value(a)) && parse_int(*v, o.publishers_per_qos, 1, 100);
    } else if (a == "--window") {
      ok = (v = value(a)) && parse_int<std::size_t>(*v, o.window, 1, 1000);
    } else if (a == "--port") {
      ok = (v = value(a)) && parse_int<std::uint16_t>(*v, o.port, 1, 65535);
    } else if (a == "--dir") {
      ok = static_cast<bool>(v = value(a));
      if (ok) o.dir = std::string(*v);
    } else if (a == "--idle-timeout") {
      ok = (v = value(a)) && parse_int(*v, o.idle_timeout_s, 1, 3600);
    } else if (a == "--label") {
      ok = static_cast<bool>(v = value(a));
      if (ok) o.label = std::string(*v);
    } else {
      r.error = "unknown option " + std::string(a) + " (the broker command line goes after --)";
      return r;
    }
    if (!ok) {
      if (r.error.empty()) r.error = "bad value for " + std::string(a) + ": " + std::string(*v);
      return r;
    }
  }
  for (; i < argc; ++i) o.broker.emplace_back(argv[i]);
  if (o.broker.empty()) {
    r.error = "no broker command line after --";
    return r;
  }
  if (o.min_delay_ms > o.max_delay_ms) {
    r.error = "--min-delay is above --max-delay";
    return r;
  }
  if (o.label.empty()) o.label = o.broker.front();
  r.opts = std::move(o);
  return r;
}

}  // namespace unimq::crashtest
