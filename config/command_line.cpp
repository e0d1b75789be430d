#include "config/command_line.hpp"

#include <optional>
#include <string_view>
#include <utility>
#include <vector>

#include "config/config_file.hpp"
#include "config/option_table.hpp"
#include "config/word_wrap.hpp"

#ifndef UNIMQ_VERSION
#define UNIMQ_VERSION "unknown"
#endif

namespace unimq::config {
namespace {

constexpr std::size_t kHelpWidth = 100;
constexpr std::string_view kHelpIndent = "      ";

parse_result failure(std::string message) {
  return parse_result{parse_outcome::exit_error, broker_options{}, std::move(message)};
}

std::string program() { return std::string(kProgramName) + ": "; }

// Settings that are valid one by one but not together.
std::optional<std::string> check_combination(const broker_options& o) {
  if (o.node_port != 0)
    for (const auto& a : o.listen)
      if (a.port == o.node_port)
        return program() + "node-port " + std::to_string(o.node_port) + " is also a listen port (" + to_string(a) +
               ")";
  return std::nullopt;
}

}  // namespace

parse_result parse_command_line(int argc, const char* const* argv) {
  std::vector<std::pair<const option_info*, std::string>> flags;
  std::optional<std::string> config_path;
  for (int i = 1; i < argc; ++i) {
    const std::string_view arg = argv[i];
    if (arg == "-h" || arg == "--help") return parse_result{parse_outcome::exit_ok, broker_options{}, help_text()};
    if (arg == "--version") return parse_result{parse_outcome::exit_ok, broker_options{}, version_text()};
    if (arg.size() < 3 || arg.substr(0, 2) != "--") {
      if (!arg.empty() && arg.front() == '-')
        return failure(program() + "unknown option \"" + std::string(arg) + "\" (see --help)");
      return failure(program() + "unexpected argument \"" + std::string(arg) +
                     "\" (options start with --; see --help)");
    }
    const std::size_t equals = arg.find('=');
    const std::string_view name = arg.substr(2, equals == std::string_view::npos ? equals : equals - 2);
    const option_info* option = find_option(name);
    if (!option)
      return failure(program() + "unknown option \"--" + std::string(name) + "\" (did you mean \"--" +
                     std::string(nearest_option(name)) + "\"?)");
    std::string value;
    if (equals != std::string_view::npos) {
      value = std::string(arg.substr(equals + 1));
    } else if (i + 1 < argc && std::string_view(argv[i + 1]).substr(0, 2) != "--") {
      value = argv[++i];
    } else {
      return failure(program() + "--" + std::string(name) + ": missing value (" + std::string(option->value_name) +
                     ")");
    }
    if (option->name == "config") config_path = value;
    flags.emplace_back(option, std::move(value));
  }

  parse_result result;
  if (config_path && !config_path->empty())
    if (auto e = apply_file(*config_path, result.options)) return failure(std::move(*e));
  std::vector<const option_info*> seen;
  for (const auto& [option, value] : flags) {
    bool first = true;
    for (const option_info* s : seen) first = first && s != option;
    if (first) seen.push_back(option);
    if (auto e = option->apply(value, result.options, first))
      return failure(program() + "--" + std::string(option->name) + ": " + *e);
  }
  if (auto e = check_combination(result.options)) return failure(std::move(*e));
  return result;
}

std::string help_text() {
  std::string out =
      "Usage: " + std::string(kProgramName) + " [OPTION]...\n\n" +
      word_wrap("unimq MQTT broker. Settings come from built-in defaults, then the file named by --config, "
                "then the command line; each source overrides the one before. Each option is written "
                "--name VALUE or --name=VALUE on the command line and \"name = value\" in the file.",
                kHelpWidth, "") +
      "\nOptions:\n";
  for (const auto& option : option_table()) {
    out += "  --" + std::string(option.name) + " " + std::string(option.value_name) + "\n";
    out += word_wrap(option.help, kHelpWidth, kHelpIndent);
    std::string tail;
    if (!option.allowed.empty()) tail = "Accepted: " + option.allowed + ". ";
    tail += "Default: " + default_text(option) + ".";
    out += word_wrap(tail, kHelpWidth, kHelpIndent);
  }
  out += "  -h, --help\n" + std::string(kHelpIndent) + "Print this help and exit.\n";
  out += "  --version\n" + std::string(kHelpIndent) + "Print the version and exit.\n\n";
  out += word_wrap("Sizes: bytes, or with a binary unit: 64k = 65536, 1M = 1048576, 8G, 1T (KiB, MiB, GiB, "
                   "TiB also work).",
                   kHelpWidth, "");
  out += word_wrap("Durations: a number with ms, s, m, h or d (30s, 10m, 7d); a bare number is seconds.",
                   kHelpWidth, "");
  out += word_wrap("Booleans: true/false, on/off, yes/no, 1/0.", kHelpWidth, "");
  out += word_wrap("Exit status: 0 on success, 2 for an invalid option or config file.", kHelpWidth, "");
  out.pop_back();  // message ends without '\n'
  return out;
}

std::string version_text() { return std::string(kProgramName) + " " + UNIMQ_VERSION; }

std::string summary(const broker_options& options) {
  std::string out;
  for (const auto& option : option_table()) {
    std::string values;
    for (const auto& v : option.format(options)) values += (values.empty() ? "" : ",") + v;
    if (values.empty()) continue;
    out += (out.empty() ? "" : " ") + std::string(option.name) + "=" + values;
  }
  return out;
}

}  // namespace unimq::config
