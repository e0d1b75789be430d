// The option table end to end: defaults, value syntax, the config file, the command line, --help and
// examples/unimqd.conf.
#include <catch2/catch.hpp>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <initializer_list>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include <unistd.h>

#include "config/command_line.hpp"
#include "config/config_file.hpp"
#include "config/option_table.hpp"
#include "config/value_parsers.hpp"

using namespace unimq::config;
using namespace std::chrono_literals;
namespace fs = std::filesystem;

namespace {

parse_result run(std::initializer_list<std::string> args) {
  std::vector<const char*> argv{"unimqd"};
  for (const auto& a : args) argv.push_back(a.c_str());
  return parse_command_line(static_cast<int>(argv.size()), argv.data());
}

// A file in a fresh temporary directory, removed with it.
class temp_file {
 public:
  explicit temp_file(const std::string& contents) {
    static int counter = 0;
    dir_ = fs::temp_directory_path() / ("unimq_config_test_" + std::to_string(::getpid()) + "_" + std::to_string(counter++));
    fs::create_directories(dir_);
    path_ = (dir_ / "unimqd.conf").string();
    std::ofstream(path_, std::ios::binary) << contents;
  }
  ~temp_file() {
    std::error_code ignored;
    fs::remove_all(dir_, ignored);
  }
  const std::string& path() const { return path_; }

 private:
  fs::path dir_;
  std::string path_;
};

std::optional<std::string> apply(const std::string& text, broker_options& o) { return apply_text(text, "f.conf", o); }

std::string error_of(const std::string& text) {
  broker_options o;
  return apply(text, o).value_or("(no error)");
}

std::string flag_error(std::initializer_list<std::string> args) {
  const parse_result r = run(args);
  CHECK(r.outcome == parse_outcome::exit_error);
  CHECK(r.exit_status() == 2);
  return r.message;
}

std::string example_path() { return std::string(UNIMQ_SOURCE_DIR) + "/examples/unimqd.conf"; }

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

}  // namespace

TEST_CASE("defaults") {
  const broker_options o;
  REQUIRE(o.listen.size() == 1);
  CHECK(o.listen[0] == listen_address{"0.0.0.0", 1883});
  CHECK(o.data_dir == "./data");
  CHECK(o.config_file.empty());
  CHECK(o.log_level == unimq::log::level::info);
  CHECK(o.max_packet_size == 1048576);
  CHECK(o.receive_maximum == 1024);
  CHECK(o.max_inflight == 64);
  CHECK(o.max_queued_bytes == 1048576);
  CHECK(o.max_session_expiry == 7 * 24h);
  CHECK(o.retain);
  CHECK(o.storage_sync == storage_sync_mode::sync);
  CHECK(o.storage_map_size_max == (std::uint64_t{8} << 30));
  CHECK(o.storage_retention_age == 7 * 24h);
  CHECK(o.storage_retention_bytes == 0);
  CHECK(o.storage_partitions == 4);
  CHECK(o.connect_timeout == 10s);
  CHECK(o.max_keep_alive == 65535s);
  CHECK(o.max_topic_levels == 32);
  CHECK(o.topic_alias_maximum == 64);
  CHECK(o.max_connections == 0);
  CHECK(o.sys_interval == 10s);
  CHECK(o.node_port == 0);

  const parse_result r = run({});
  CHECK(r.outcome == parse_outcome::run);
  CHECK(r.exit_status() == 0);
  CHECK(summary(r.options) == summary(broker_options{}));
}

TEST_CASE("option table: unique names, help for each, defaults accepted by their own parser") {
  std::set<std::string_view> names;
  for (const auto& option : option_table()) {
    INFO(option.name);
    CHECK(names.insert(option.name).second);
    CHECK(!option.help.empty());
    CHECK(!option.value_name.empty());
    CHECK(find_option(option.name) == &option);
    broker_options o;
    bool first = true;
    for (const auto& v : option.format(broker_options{})) {
      CHECK_FALSE(option.apply(v, o, first));
      first = false;
    }
    CHECK(summary(o) == summary(broker_options{}));
  }
  CHECK(find_option("nope") == nullptr);
  CHECK(nearest_option("max-pakcet-size") == "max-packet-size");
  CHECK(nearest_option("listn") == "listen");
  CHECK(nearest_option("sys_interval") == "sys-interval");
}

TEST_CASE("sizes: bytes and binary suffixes") {
  CHECK(parse_size("0") == 0u);
  CHECK(parse_size("1048576") == 1048576u);
  CHECK(parse_size("64k") == 65536u);
  CHECK(parse_size("64K") == 65536u);
  CHECK(parse_size("64KiB") == 65536u);
  CHECK(parse_size("1M") == 1048576u);
  CHECK(parse_size("1m") == 1048576u);
  CHECK(parse_size("1MiB") == 1048576u);
  CHECK(parse_size("8G") == (std::uint64_t{8} << 30));
  CHECK(parse_size("2GiB") == (std::uint64_t{2} << 30));
  CHECK(parse_size("3T") == (std::uint64_t{3} << 40));
  CHECK(parse_size("18446744073709551615") == UINT64_MAX);
  for (const char* bad : {"", "k", "12x", "1.5M", "-1", "+1", "1 M", " 1", "1kb", "1MB", "18446744073709551616",
                          "16777216T", "0x10"}) {
    INFO(bad);
    CHECK_FALSE(parse_size(bad));
  }
  CHECK(format_size(0) == "0");
  CHECK(format_size(16) == "16");
  CHECK(format_size(65536) == "64k");
  CHECK(format_size(1048576) == "1M");
  CHECK(format_size(std::uint64_t{8} << 30) == "8G");
  CHECK(format_size(std::uint64_t{1} << 50) == "1024T");
  CHECK(format_size(268435460) == "268435460");
  CHECK(format_size(1536) == "1536");
}

TEST_CASE("durations: ms, s, m, h, d, and bare numbers are seconds") {
  CHECK(parse_duration("0") == 0ms);
  CHECK(parse_duration("10") == 10s);
  CHECK(parse_duration("10s") == 10s);
  CHECK(parse_duration("250ms") == 250ms);
  CHECK(parse_duration("5m") == 5min);
  CHECK(parse_duration("2h") == 2h);
  CHECK(parse_duration("7d") == 7 * 24h);
  for (const char* bad : {"", "s", "10x", "1.5s", "-1s", "10 s", "1w", "10S", "1h30m", "99999999999999999999d",
                          "9223372036854776s"}) {
    INFO(bad);
    CHECK_FALSE(parse_duration(bad));
  }
  CHECK(format_duration(0ms) == "0");
  CHECK(format_duration(250ms) == "250ms");
  CHECK(format_duration(1500ms) == "1500ms");
  CHECK(format_duration(10s) == "10s");
  CHECK(format_duration(90s) == "90s");
  CHECK(format_duration(5min) == "5m");
  CHECK(format_duration(2h) == "2h");
  CHECK(format_duration(7 * 24h) == "7d");
}

TEST_CASE("booleans and plain numbers") {
  for (const char* t : {"true", "on", "yes", "1", "TRUE", "Yes"}) CHECK(parse_bool(t) == true);
  for (const char* f : {"false", "off", "no", "0", "False", "OFF"}) CHECK(parse_bool(f) == false);
  for (const char* bad : {"", "2", "y", "enabled"}) CHECK_FALSE(parse_bool(bad));
  CHECK(parse_unsigned("0") == 0u);
  CHECK(parse_unsigned("65535") == 65535u);
  for (const char* bad : {"", "1k", "-1", " 1", "1 "}) CHECK_FALSE(parse_unsigned(bad));
}

TEST_CASE("listen addresses: IPv4, hostnames, bracketed IPv6, port 0") {
  listen_address a;
  CHECK_FALSE(parse_listen_address("0.0.0.0:1883", a));
  CHECK(a == listen_address{"0.0.0.0", 1883});
  CHECK_FALSE(parse_listen_address("localhost:0", a));
  CHECK(a == listen_address{"localhost", 0});
  CHECK_FALSE(parse_listen_address("[::]:1883", a));
  CHECK(a == listen_address{"::", 1883});
  CHECK(to_string(a) == "[::]:1883");
  CHECK_FALSE(parse_listen_address("[::1]:65535", a));
  CHECK(a == listen_address{"::1", 65535});
  CHECK(to_string(listen_address{"127.0.0.1", 0}) == "127.0.0.1:0");

  const std::string usage = " is not HOST:PORT (examples: 0.0.0.0:1883, [::]:1883, 127.0.0.1:0)";
  for (const char* bad : {"", "1883", "localhost", ":1883", "host:", "[::1]", "[::1]1883", "[]:1883", "[::1:1883",
                          "a b:1"}) {
    INFO(bad);
    CHECK(parse_listen_address(bad, a) == "\"" + std::string(bad) + "\"" + usage);
  }
  CHECK(parse_listen_address("::1:1883", a) == "\"::1:1883\": an IPv6 host must be in brackets, as in [::1]:1883");
  CHECK(parse_listen_address("h:65536", a) == "\"h:65536\": the port must be a number from 0 to 65535");
  CHECK(parse_listen_address("h:http", a) == "\"h:http\": the port must be a number from 0 to 65535");
}

TEST_CASE("config file: comments, blank lines, quotes, trailing comments, CRLF") {
  broker_options o;
  const std::string text =
      "# a whole-line comment\n"
      "\n"
      "   # indented comment\n"
      "max-packet-size = 64k   # trailing comment\n"
      "data-dir = \"/var/lib/unimq # not a comment\"  # but this is\n"
      "log-level=debug\n"
      "  retain   =   off  \r\n"
      "storage-sync = nosync\r\n"
      "connect-timeout = 250ms\n"
      "max-session-expiry = 1h\n"
      "max-keep-alive = 60\n"
      "storage-map-size-max = \"1G\"\n"
      "sys-interval = 0\n"
      "node-port = 4242\n"
      "max-inflight = 100\n"
      "receive-maximum = 10\n"
      "topic-alias-maximum = 0\n"
      "storage-partitions = 4\n"
      "storage-retention-age = 2d\n"
      "storage-retention-bytes = 100M\n"
      "max-connections = 1000\n"
      "max-topic-levels = 0\n"
      "max-queued-bytes = 2M\n"
      "\t\n"
      "listen = 127.0.0.1:1883";  // no final newline
  REQUIRE_FALSE(apply(text, o));
  CHECK(o.max_packet_size == 65536);
  CHECK(o.data_dir == "/var/lib/unimq # not a comment");
  CHECK(o.log_level == unimq::log::level::debug);
  CHECK_FALSE(o.retain);
  CHECK(o.storage_sync == storage_sync_mode::nosync);
  CHECK(o.connect_timeout == 250ms);
  CHECK(o.max_session_expiry == 1h);
  CHECK(o.max_keep_alive == 60s);
  CHECK(o.storage_map_size_max == (std::uint64_t{1} << 30));
  CHECK(o.sys_interval == 0ms);
  CHECK(o.node_port == 4242);
  CHECK(o.max_inflight == 100);
  CHECK(o.receive_maximum == 10);
  CHECK(o.topic_alias_maximum == 0);
  CHECK(o.storage_partitions == 4);
  CHECK(o.storage_retention_age == 48h);
  CHECK(o.storage_retention_bytes == 100u << 20);
  CHECK(o.max_connections == 1000);
  CHECK(o.max_topic_levels == 0);
  CHECK(o.max_queued_bytes == 2u << 20);
  REQUIRE(o.listen.size() == 1);
  CHECK(o.listen[0] == listen_address{"127.0.0.1", 1883});
}

TEST_CASE("config file: quoted values keep spaces, '#' and escaped quotes, and unquoted '#' inside a word stays") {
  broker_options o;
  REQUIRE_FALSE(apply("data-dir = \"a \\\"b\\\" \\\\c\"\n", o));
  CHECK(o.data_dir == "a \"b\" \\c");
  REQUIRE_FALSE(apply("data-dir = dir#1 # comment\n", o));
  CHECK(o.data_dir == "dir#1");
  REQUIRE_FALSE(apply("data-dir = \"\\n\"\n", o));  // only \" and \\ are escapes
  CHECK(o.data_dir == "\\n");
}

TEST_CASE("config file: repeated listen lines build a list that replaces the default") {
  broker_options o;
  REQUIRE_FALSE(apply("listen = 127.0.0.1:1883\nlisten = [::1]:1883\nlisten = 127.0.0.1:0\nlisten = 127.0.0.1:0\n", o));
  REQUIRE(o.listen.size() == 4);
  CHECK(o.listen[0] == listen_address{"127.0.0.1", 1883});
  CHECK(o.listen[1] == listen_address{"::1", 1883});
  CHECK(o.listen[3] == listen_address{"127.0.0.1", 0});
  CHECK(error_of("listen = h:1\nlisten = h:1\n") == "unimqd: f.conf:2: listen: \"h:1\" is listed twice");
}

TEST_CASE("config file: errors name the file, the line and the option") {
  CHECK(error_of("\n# c\nmax-pakcet-size = 1\n") ==
        "unimqd: f.conf:3: unknown option \"max-pakcet-size\" (did you mean \"max-packet-size\"?)");
  CHECK(error_of("--retain = true\n") == "unimqd: f.conf:1: unknown option \"--retain\" (did you mean \"retain\"?)");
  CHECK(error_of("retain true\n") == "unimqd: f.conf:1: expected \"name = value\", got \"retain true\"");
  CHECK(error_of(" = 3\n") == "unimqd: f.conf:1: expected \"name = value\", got \"= 3\"");
  CHECK(error_of("retain =\n") == "unimqd: f.conf:1: retain: missing value");
  CHECK(error_of("retain = # nothing\n") == "unimqd: f.conf:1: retain: missing value");
  CHECK(error_of("data-dir = \"abc\n") == "unimqd: f.conf:1: data-dir: unterminated quoted value");
  CHECK(error_of("data-dir = \"abc\" x\n") ==
        "unimqd: f.conf:1: data-dir: unexpected text after the closing quote: x");
  CHECK(error_of("data-dir = \"\"\n") == "unimqd: f.conf:1: data-dir: the path must not be empty");
  CHECK(error_of("retain = on\n\nretain = off\n") ==
        "unimqd: f.conf:3: retain: already set on line 1 (only listen may be repeated)");
  CHECK(error_of("config = other.conf\n") ==
        "unimqd: f.conf:1: config: only valid on the command line (--config)");
  CHECK(error_of("data-dri = b\r\nmax-packet-size = 12x\r\n") ==
        "unimqd: f.conf:1: unknown option \"data-dri\" (did you mean \"data-dir\"?)");
  CHECK(error_of("retain = on\r\nmax-packet-size = 12x\r\n") ==
        "unimqd: f.conf:2: max-packet-size: \"12x\" is not a size (examples: 1048576, 64k, 1M)");
}

TEST_CASE("config file: a failed file leaves the options untouched") {
  broker_options o;
  CHECK(apply("max-packet-size = 64k\nlisten = 1.2.3.4:5\nretain = maybe\n", o));
  CHECK(summary(o) == summary(broker_options{}));
}

TEST_CASE("config file: read from disk, and a missing file is an error") {
  temp_file f("max-inflight = 7\n");
  broker_options o;
  REQUIRE_FALSE(apply_file(f.path(), o));
  CHECK(o.max_inflight == 7);
  CHECK(apply_file(f.path() + ".missing", o) ==
        "unimqd: cannot read config file \"" + f.path() + ".missing\": No such file or directory");
}

TEST_CASE("command line: --name VALUE and --name=VALUE") {
  const parse_result r = run({"--max-packet-size", "2M", "--retain=no", "--log-level=warn", "--listen", "[::]:0",
                              "--data-dir=/tmp/x=y"});
  REQUIRE(r.outcome == parse_outcome::run);
  CHECK(r.options.max_packet_size == 2u << 20);
  CHECK_FALSE(r.options.retain);
  CHECK(r.options.log_level == unimq::log::level::warn);
  REQUIRE(r.options.listen.size() == 1);
  CHECK(r.options.listen[0] == listen_address{"::", 0});
  CHECK(r.options.data_dir == "/tmp/x=y");
}

TEST_CASE("command line: a repeated flag keeps the last value, and repeated --listen builds a list") {
  const parse_result r = run({"--max-inflight", "5", "--max-inflight", "6", "--listen", "a:1", "--listen", "b:2"});
  REQUIRE(r.outcome == parse_outcome::run);
  CHECK(r.options.max_inflight == 6);
  REQUIRE(r.options.listen.size() == 2);
  CHECK(r.options.listen[0] == listen_address{"a", 1});
  CHECK(r.options.listen[1] == listen_address{"b", 2});
}

TEST_CASE("command line: flags override the config file wherever --config appears") {
  temp_file f("max-inflight = 7\nretain = false\nlisten = 10.0.0.1:1883\nlisten = 10.0.0.2:1883\n");
  SECTION("file only") {
    const parse_result r = run({"--config", f.path()});
    REQUIRE(r.outcome == parse_outcome::run);
    CHECK(r.options.config_file == f.path());
    CHECK(r.options.max_inflight == 7);
    CHECK_FALSE(r.options.retain);
    CHECK(r.options.listen.size() == 2);
  }
  SECTION("flag before --config still wins") {
    const parse_result r = run({"--max-inflight=9", "--config=" + f.path()});
    REQUIRE(r.outcome == parse_outcome::run);
    CHECK(r.options.max_inflight == 9);
    CHECK_FALSE(r.options.retain);
  }
  SECTION("--listen replaces the file's list instead of appending") {
    const parse_result r = run({"--config", f.path(), "--listen", "127.0.0.1:0"});
    REQUIRE(r.outcome == parse_outcome::run);
    REQUIRE(r.options.listen.size() == 1);
    CHECK(r.options.listen[0] == listen_address{"127.0.0.1", 0});
    CHECK(r.options.max_inflight == 7);
  }
  SECTION("an error in the file is reported with its line") {
    temp_file bad("retain = on\nmax-inflight = 0\n");
    CHECK(flag_error({"--config", bad.path()}) ==
          "unimqd: " + bad.path() + ":2: max-inflight: \"0\" is out of range (1 .. 65535)");
  }
  SECTION("a missing file") {
    CHECK(flag_error({"--config", f.path() + "x"}) ==
          "unimqd: cannot read config file \"" + f.path() + "x\": No such file or directory");
  }
}

TEST_CASE("command line: syntax errors") {
  CHECK(flag_error({"--max-pakcet-size", "1"}) ==
        "unimqd: unknown option \"--max-pakcet-size\" (did you mean \"--max-packet-size\"?)");
  CHECK(flag_error({"--retain=x", "--node-prot", "1"}) ==
        "unimqd: unknown option \"--node-prot\" (did you mean \"--node-port\"?)");
  CHECK(flag_error({"--max-packet-size"}) == "unimqd: --max-packet-size: missing value (SIZE)");
  CHECK(flag_error({"--data-dir", "--retain", "on"}) == "unimqd: --data-dir: missing value (PATH)");
  CHECK(flag_error({"serve"}) == "unimqd: unexpected argument \"serve\" (options start with --; see --help)");
  CHECK(flag_error({"-v"}) == "unimqd: unknown option \"-v\" (see --help)");
  CHECK(flag_error({"--"}) == "unimqd: unknown option \"--\" (see --help)");
  CHECK(flag_error({"--max-packet-size", "12x"}) ==
        "unimqd: --max-packet-size: \"12x\" is not a size (examples: 1048576, 64k, 1M)");
}

TEST_CASE("command line: every option rejects bad values with a precise message") {
  struct bad_value {
    const char* option;
    const char* value;
    const char* message;
  };
  const bad_value cases[] = {
      {"listen", "1883", "\"1883\" is not HOST:PORT (examples: 0.0.0.0:1883, [::]:1883, 127.0.0.1:0)"},
      {"data-dir", "", "the path must not be empty"},
      {"config", "", "the path must not be empty"},
      {"log-level", "trace", "\"trace\" is not a log level (error, warn, info, debug)"},
      {"max-packet-size", "12x", "\"12x\" is not a size (examples: 1048576, 64k, 1M)"},
      {"max-packet-size", "15", "\"15\" is out of range (16 .. 268435460)"},
      {"max-packet-size", "257M", "\"257M\" is out of range (16 .. 268435460)"},
      {"receive-maximum", "0", "\"0\" is out of range (1 .. 65535)"},
      {"receive-maximum", "65536", "\"65536\" is out of range (1 .. 65535)"},
      {"receive-maximum", "1k", "\"1k\" is not a whole number (example: 100)"},
      {"max-inflight", "0", "\"0\" is out of range (1 .. 65535)"},
      {"max-queued-bytes", "0", "\"0\" is out of range (1 .. 1024T)"},
      {"max-queued-bytes", "2048T", "\"2048T\" is out of range (1 .. 1024T)"},
      {"max-session-expiry", "1500ms", "\"1500ms\" is not a whole number of seconds"},
      {"max-session-expiry", "4294967296", "\"4294967296\" is out of range (0 .. 4294967295s)"},
      {"max-session-expiry", "1w", "\"1w\" is not a duration (examples: 30s, 10m, 7d; a bare number is seconds)"},
      {"retain", "maybe", "\"maybe\" is not a boolean (true, false, on, off, yes, no, 1, 0)"},
      {"storage-sync", "fsync", "\"fsync\" is not a storage sync mode (sync, nosync)"},
      {"storage-map-size-max", "1023k", "\"1023k\" is out of range (1M .. 1024T)"},
      {"storage-map-size-max", "lots", "\"lots\" is not a size (examples: 1048576, 64k, 1M)"},
      {"storage-retention-age", "36501d", "\"36501d\" is out of range (0 .. 36500d)"},
      {"storage-retention-age", "10ms", "\"10ms\" is not a whole number of seconds"},
      {"storage-retention-bytes", "2048T", "\"2048T\" is out of range (0 .. 1024T)"},
      {"storage-partitions", "0", "\"0\" is out of range (1 .. 1024)"},
      {"storage-partitions", "1025", "\"1025\" is out of range (1 .. 1024)"},
      {"connect-timeout", "0", "\"0\" is out of range (1ms .. 1h)"},
      {"connect-timeout", "61m", "\"61m\" is out of range (1ms .. 1h)"},
      {"max-keep-alive", "0", "\"0\" is out of range (1s .. 65535s)"},
      {"max-keep-alive", "1d", "\"1d\" is out of range (1s .. 65535s)"},
      {"max-topic-levels", "65536", "\"65536\" is out of range (0 .. 65535)"},
      {"topic-alias-maximum", "-1", "\"-1\" is not a whole number (example: 100)"},
      {"max-connections", "4294967296", "\"4294967296\" is out of range (0 .. 4294967295)"},
      {"sys-interval", "25h", "\"25h\" is out of range (0 .. 1d)"},
      {"node-port", "65536", "\"65536\" is out of range (0 .. 65535)"},
  };
  std::set<std::string> covered;
  for (const auto& c : cases) {
    INFO(c.option << " " << c.value);
    covered.insert(c.option);
    const std::string expected = "unimqd: --" + std::string(c.option) + ": " + c.message;
    CHECK(flag_error({"--" + std::string(c.option) + "=" + c.value}) == expected);
    if (std::string(c.value) != "" && std::string(c.option) != "config") {
      // The same value in a file gets the same explanation, prefixed with file:line instead.
      CHECK(error_of("\n" + std::string(c.option) + " = \"" + c.value + "\"\n") ==
            "unimqd: f.conf:2: " + std::string(c.option) + ": " + c.message);
    }
  }
  for (const auto& option : option_table()) {
    INFO("no bad-value case for " << option.name);
    CHECK(covered.count(std::string(option.name)) == 1);
  }
}

TEST_CASE("command line: range limits themselves are accepted") {
  const parse_result r = run({"--max-packet-size=16", "--receive-maximum=65535", "--max-session-expiry=0",
                              "--max-keep-alive=65535", "--connect-timeout=1ms", "--sys-interval=1d",
                              "--storage-partitions=1024", "--max-connections=4294967295", "--node-port=65535",
                              "--max-session-expiry=4294967295", "--storage-map-size-max=1M"});
  REQUIRE(r.outcome == parse_outcome::run);
  CHECK(r.options.max_packet_size == 16);
  CHECK(r.options.max_session_expiry == 4294967295s);
  CHECK(r.options.max_keep_alive == 65535s);
  CHECK(r.options.connect_timeout == 1ms);
  CHECK(r.options.max_connections == 4294967295u);
  CHECK(run({"--max-packet-size=268435460"}).options.max_packet_size == 268435460u);
}

TEST_CASE("command line: node-port may not equal a listen port") {
  CHECK(flag_error({"--node-port", "1883"}) == "unimqd: node-port 1883 is also a listen port (0.0.0.0:1883)");
  CHECK(run({"--node-port", "0", "--listen", "h:0"}).outcome == parse_outcome::run);
}

TEST_CASE("--help lists every option with its default, and --version") {
  for (const char* flag : {"--help", "-h"}) {
    // Values are checked only after all arguments are read, so --help wins over a bad value...
    const parse_result h = run({"--max-packet-size=bad", flag});
    REQUIRE(h.outcome == parse_outcome::exit_ok);
    CHECK(h.exit_status() == 0);
    CHECK(h.message == help_text());
    // ...but not over an unknown option before it.
    CHECK(run({"--bogus", flag}).outcome == parse_outcome::exit_error);
  }
  const std::string help = help_text();
  CHECK(help.rfind("Usage: unimqd [OPTION]...", 0) == 0);
  for (const auto& option : option_table()) {
    INFO(option.name);
    const std::string heading = "  --" + std::string(option.name) + " " + std::string(option.value_name) + "\n";
    const std::size_t at = help.find(heading);
    REQUIRE(at != std::string::npos);
    const std::size_t next = help.find("\n  -", at + 1);
    const std::string entry = help.substr(at, next - at);
    const std::string default_line = "Default: " + default_text(option) + ".";
    // The default may be wrapped onto the entry's last line together with "Accepted: ...".
    std::string flat = entry;
    for (auto& c : flat)
      if (c == '\n') c = ' ';
    std::string collapsed;
    for (const char c : flat)
      if (!(c == ' ' && !collapsed.empty() && collapsed.back() == ' ')) collapsed += c;
    CHECK(collapsed.find(default_line) != std::string::npos);
  }
  CHECK(help.find("Default: 0.0.0.0:1883.") != std::string::npos);
  CHECK(help.find("Default: 1M.") != std::string::npos);
  CHECK(help.find("replaces the config file's list") != std::string::npos);
  CHECK(help.find("  -h, --help\n") != std::string::npos);
  CHECK(help.find("  --version\n") != std::string::npos);
  for (std::size_t start = 0, end; start < help.size(); start = end + 1) {
    end = help.find('\n', start);
    if (end == std::string::npos) end = help.size();
    CHECK(end - start <= 100);
  }

  const parse_result v = run({"--version"});
  CHECK(v.outcome == parse_outcome::exit_ok);
  CHECK(v.message == "unimqd 0.1.0");
}

TEST_CASE("summary names every option") {
  broker_options o;
  o.config_file = "x.conf";
  o.listen.push_back({"::1", 0});
  const std::string s = summary(o);
  for (const auto& option : option_table()) CHECK(s.find(std::string(option.name) + "=") != std::string::npos);
  CHECK(s.rfind("listen=0.0.0.0:1883,[::1]:0 data-dir=./data config=x.conf log-level=info max-packet-size=1M", 0) == 0);
}

TEST_CASE("example config: examples/unimqd.conf is the generated text") {
  const std::string expected = example_config_text();
  if (std::getenv("UNIMQ_WRITE_EXAMPLE_CONFIG")) std::ofstream(example_path(), std::ios::binary) << expected;
  INFO("examples/unimqd.conf is out of date; regenerate it with UNIMQ_WRITE_EXAMPLE_CONFIG=1 config_tests");
  CHECK(read_file(example_path()) == expected);
}

TEST_CASE("example config: parses to exactly the defaults") {
  broker_options o;
  o.max_inflight = 1;  // proves the file sets it back
  o.listen = {{"1.1.1.1", 1}, {"2.2.2.2", 2}};
  REQUIRE_FALSE(apply_file(example_path(), o));
  CHECK(summary(o) == summary(broker_options{}));

  const parse_result r = run({"--config", example_path()});
  REQUIRE(r.outcome == parse_outcome::run);
  broker_options expected;
  expected.config_file = example_path();
  CHECK(summary(r.options) == summary(expected));
}

TEST_CASE("example config: every option in the table appears in the file") {
  const std::string text = read_file(example_path());
  for (const auto& option : option_table()) {
    INFO(option.name);
    if (option.command_line_only) {
      CHECK(text.find("# Use on the command line: --" + std::string(option.name) + " ") != std::string::npos);
    } else {
      for (const auto& v : option.format(broker_options{}))
        CHECK(text.find("\n" + std::string(option.name) + " = " + v + "\n") != std::string::npos);
    }
  }
}
