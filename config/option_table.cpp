#include "config/option_table.hpp"

#include <algorithm>
#include <limits>

#include "config/value_parsers.hpp"

namespace unimq::config {
namespace {

using std::chrono::milliseconds;
using error = std::optional<std::string>;

std::string quoted(std::string_view value) { return "\"" + std::string(value) + "\""; }

error out_of_range(std::string_view value, const std::string& allowed) {
  return quoted(value) + " is out of range (" + allowed + ")";
}

template <typename T>
option_info integer_option(std::string_view name, std::string_view help, T broker_options::*field,
                           std::uint64_t min, std::uint64_t max) {
  option_info o{name, "N", help, std::to_string(min) + " .. " + std::to_string(max), false, false, {}, {}};
  o.format = [field](const broker_options& b) { return std::vector<std::string>{std::to_string(b.*field)}; };
  o.apply = [field, min, max, allowed = o.allowed](std::string_view value, broker_options& b, bool) -> error {
    const auto n = parse_unsigned(value);
    if (!n) return quoted(value) + " is not a whole number (example: 100)";
    if (*n < min || *n > max) return out_of_range(value, allowed);
    b.*field = static_cast<T>(*n);
    return std::nullopt;
  };
  return o;
}

template <typename T>
option_info size_option(std::string_view name, std::string_view help, T broker_options::*field,
                        std::uint64_t min, std::uint64_t max) {
  option_info o{name, "SIZE", help, format_size(min) + " .. " + format_size(max), false, false, {}, {}};
  o.format = [field](const broker_options& b) { return std::vector<std::string>{format_size(b.*field)}; };
  o.apply = [field, min, max, allowed = o.allowed](std::string_view value, broker_options& b, bool) -> error {
    const auto n = parse_size(value);
    if (!n) return quoted(value) + " is not a size (examples: 1048576, 64k, 1M)";
    if (*n < min || *n > max) return out_of_range(value, allowed);
    b.*field = static_cast<T>(*n);
    return std::nullopt;
  };
  return o;
}

// Duration fields are std::chrono::seconds or milliseconds; a seconds field refuses a value that is
// not a whole number of seconds rather than silently rounding it.
template <typename D>
option_info duration_option(std::string_view name, std::string_view help, D broker_options::*field,
                            milliseconds min, milliseconds max) {
  option_info o{name, "DURATION", help, format_duration(min) + " .. " + format_duration(max), false, false, {}, {}};
  o.format = [field](const broker_options& b) {
    return std::vector<std::string>{format_duration(std::chrono::duration_cast<milliseconds>(b.*field))};
  };
  o.apply = [field, min, max, allowed = o.allowed](std::string_view value, broker_options& b, bool) -> error {
    const auto d = parse_duration(value);
    if (!d) return quoted(value) + " is not a duration (examples: 30s, 10m, 7d; a bare number is seconds)";
    if (*d < min || *d > max) return out_of_range(value, allowed);
    if (std::chrono::duration_cast<milliseconds>(std::chrono::duration_cast<D>(*d)) != *d)
      return quoted(value) + " is not a whole number of seconds";
    b.*field = std::chrono::duration_cast<D>(*d);
    return std::nullopt;
  };
  return o;
}

option_info bool_option(std::string_view name, std::string_view help, bool broker_options::*field) {
  option_info o{name, "BOOL", help, "true, false (also on/off, yes/no, 1/0)", false, false, {}, {}};
  o.format = [field](const broker_options& b) { return std::vector<std::string>{b.*field ? "true" : "false"}; };
  o.apply = [field](std::string_view value, broker_options& b, bool) -> error {
    const auto v = parse_bool(value);
    if (!v) return quoted(value) + " is not a boolean (true, false, on, off, yes, no, 1, 0)";
    b.*field = *v;
    return std::nullopt;
  };
  return o;
}

option_info path_option(std::string_view name, std::string_view value_name, std::string_view help,
                        std::string broker_options::*field) {
  option_info o{name, value_name, help, "", false, false, {}, {}};
  o.format = [field](const broker_options& b) {
    return b.*field == "" ? std::vector<std::string>{} : std::vector<std::string>{b.*field};
  };
  o.apply = [field](std::string_view value, broker_options& b, bool) -> error {
    if (value.empty()) return std::string("the path must not be empty");
    b.*field = std::string(value);
    return std::nullopt;
  };
  return o;
}

option_info listen_option() {
  option_info o{"listen",
                "HOST:PORT",
                "Address to accept MQTT connections on; an IPv6 host goes in brackets ([::]:1883) and port 0 "
                "asks the OS for a free port. Repeat the option for several addresses. --listen on the "
                "command line replaces the config file's list instead of adding to it.",
                "",
                true,
                false,
                {},
                {}};
  o.format = [](const broker_options& b) {
    std::vector<std::string> out;
    for (const auto& a : b.listen) out.push_back(to_string(a));
    return out;
  };
  o.apply = [](std::string_view value, broker_options& b, bool first) -> error {
    listen_address a;
    if (auto e = parse_listen_address(value, a)) return e;
    if (first) b.listen.clear();
    // Port 0 is ephemeral, so the same host with port 0 twice means two different sockets.
    if (a.port != 0 && std::find(b.listen.begin(), b.listen.end(), a) != b.listen.end())
      return quoted(value) + " is listed twice";
    b.listen.push_back(std::move(a));
    return std::nullopt;
  };
  return o;
}

option_info log_level_option() {
  option_info o{"log-level", "LEVEL", "Most verbose log lines written to stderr.", "error, warn, info, debug",
                false, false, {}, {}};
  o.format = [](const broker_options& b) { return std::vector<std::string>{log::to_string(b.log_level)}; };
  o.apply = [](std::string_view value, broker_options& b, bool) -> error {
    const auto l = log::parse_level(value);
    if (!l) return quoted(value) + " is not a log level (error, warn, info, debug)";
    b.log_level = *l;
    return std::nullopt;
  };
  return o;
}

option_info storage_sync_option() {
  option_info o{"storage-sync", "MODE",
                "sync: flush to disk before a message is acknowledged, so an acknowledged message survives a "
                "power loss. nosync: leave flushing to the OS; faster, but a machine crash may lose messages "
                "that were already acknowledged.",
                "sync, nosync", false, false, {}, {}};
  o.format = [](const broker_options& b) {
    return std::vector<std::string>{b.storage_sync == storage_sync_mode::sync ? "sync" : "nosync"};
  };
  o.apply = [](std::string_view value, broker_options& b, bool) -> error {
    if (value == "sync") b.storage_sync = storage_sync_mode::sync;
    else if (value == "nosync") b.storage_sync = storage_sync_mode::nosync;
    else return quoted(value) + " is not a storage sync mode (sync, nosync)";
    return std::nullopt;
  };
  return o;
}

std::vector<option_info> build_table() {
  using namespace std::chrono_literals;
  constexpr std::uint64_t kU16 = 65535;
  constexpr std::uint64_t kU32 = std::numeric_limits<std::uint32_t>::max();
  constexpr std::uint64_t kPiB = std::uint64_t{1} << 50;
  std::vector<option_info> t;

  t.push_back(listen_option());
  t.push_back(path_option("data-dir", "PATH", "Directory holding the broker's persistent state.",
                          &broker_options::data_dir));
  {
    option_info config = path_option("config", "FILE",
                                     "Read options from FILE (lines of \"name = value\") before applying the "
                                     "command line. Command line only.",
                                     &broker_options::config_file);
    config.command_line_only = true;
    t.push_back(std::move(config));
  }
  t.push_back(log_level_option());

  t.push_back(size_option("max-packet-size",
                          "Largest MQTT packet accepted from a client, fixed header included; announced to "
                          "MQTT 5 clients as Maximum Packet Size.",
                          &broker_options::max_packet_size, 16, kMaxPacketSizeLimit));
  t.push_back(integer_option("receive-maximum",
                             "QoS 1 and 2 PUBLISH packets a client may send before waiting for the broker's "
                             "acknowledgements; announced to MQTT 5 clients as Receive Maximum and enforced.",
                             &broker_options::receive_maximum, 1, kU16));
  t.push_back(integer_option("max-inflight",
                             "QoS 1 and 2 messages the broker sends to one client before waiting for its "
                             "acknowledgements (further capped by the client's own Receive Maximum).",
                             &broker_options::max_inflight, 1, kU16));
  t.push_back(size_option("max-queued-bytes",
                          "Memory budget per session for messages waiting to be delivered: output not yet written to "
                          "the socket, and (counted apart) messages kept for a subscriber that has no room for them; "
                          "beyond it, messages are read back from storage when there is room.",
                          &broker_options::max_queued_bytes, 1, kPiB));
  t.push_back(duration_option("max-session-expiry",
                              "Longest a disconnected session is kept: longer Session Expiry Intervals asked "
                              "for by clients, and MQTT 3.1.1 persistent sessions, are capped to this. "
                              "0 = no cap.",
                              &broker_options::max_session_expiry, 0ms, milliseconds(std::chrono::seconds(kU32))));
  t.push_back(bool_option("retain",
                          "Keep retained messages and send them to new subscribers; when false, MQTT 5 "
                          "clients are told Retain Available = 0.",
                          &broker_options::retain));

  t.push_back(storage_sync_option());
  t.push_back(size_option("storage-map-size-max", "Largest size the storage files may grow to (LMDB map size).",
                          &broker_options::storage_map_size_max, std::uint64_t{1} << 20, kPiB));
  t.push_back(duration_option("storage-retention-age",
                              "Stored messages older than this are deleted. 0 = no age limit.",
                              &broker_options::storage_retention_age, 0ms, milliseconds(std::chrono::hours(24 * 36500))));
  t.push_back(size_option("storage-retention-bytes",
                          "When stored messages take more than this, the oldest are deleted. 0 = no size limit.",
                          &broker_options::storage_retention_bytes, 0, kPiB));
  t.push_back(integer_option("storage-partitions",
                             "Partitions of each new first-level topic; the members of a consumer group share them. "
                             "Fixed when the topic is first written.",
                             &broker_options::storage_partitions, 1, 1024));

  t.push_back(duration_option("connect-timeout",
                              "Time a new connection has to send CONNECT before it is closed.",
                              &broker_options::connect_timeout, 1ms, milliseconds(1h)));
  t.push_back(duration_option("max-keep-alive",
                              "Largest Keep Alive a client may use; MQTT 5 clients asking for more are given "
                              "this as Server Keep Alive. 65535s, the protocol's maximum, caps nothing.",
                              &broker_options::max_keep_alive, 1s, milliseconds(std::chrono::seconds(kU16))));
  t.push_back(integer_option("max-topic-levels",
                             "Most '/'-separated levels in a topic name or filter. 0 = no limit.",
                             &broker_options::max_topic_levels, 0, kU16));
  t.push_back(integer_option("topic-alias-maximum",
                             "Topic aliases a client may use in the PUBLISH packets it sends; announced to "
                             "MQTT 5 clients as Topic Alias Maximum. 0 disables topic aliases.",
                             &broker_options::topic_alias_maximum, 0, kU16));
  t.push_back(integer_option("max-connections",
                             "Most simultaneous client connections; further ones are refused. 0 = unlimited.",
                             &broker_options::max_connections, 0, kU32));
  t.push_back(duration_option("sys-interval", "How often the $SYS topics are updated. 0 disables $SYS.",
                              &broker_options::sys_interval, 0ms, milliseconds(24h)));
  t.push_back(integer_option("node-port",
                             "TCP port for CAF middleman connections from server-side clients. 0 = off.",
                             &broker_options::node_port, 0, kU16));
  return t;
}

std::size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<std::size_t> row(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    std::size_t diagonal = row[0];
    row[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::size_t above = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diagonal = above;
    }
  }
  return row[b.size()];
}

}  // namespace

const std::vector<option_info>& option_table() {
  static const std::vector<option_info> table = build_table();
  return table;
}

const option_info* find_option(std::string_view name) {
  for (const auto& o : option_table())
    if (o.name == name) return &o;
  return nullptr;
}

std::string_view nearest_option(std::string_view name) {
  std::string_view best;
  std::size_t best_distance = std::numeric_limits<std::size_t>::max();
  for (const auto& o : option_table()) {
    const std::size_t d = edit_distance(name, o.name);
    if (d < best_distance) {
      best = o.name;
      best_distance = d;
    }
  }
  return best;
}

std::string default_text(const option_info& option) {
  const auto values = option.format(broker_options{});
  if (values.empty()) return "(none)";
  std::string out;
  for (const auto& v : values) out += (out.empty() ? "" : ", ") + v;
  return out;
}

}  // namespace unimq::config
