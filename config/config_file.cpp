#include "config/config_file.hpp"

#include <cerrno>
#include <cstring>
#include <fstream>
#include <map>
#include <sstream>

#include "config/option_table.hpp"
#include "config/word_wrap.hpp"

namespace unimq::config {
namespace {

constexpr std::size_t kCommentWidth = 100;

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\r'; }

std::string_view trim(std::string_view s) {
  while (!s.empty() && is_space(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_space(s.back())) s.remove_suffix(1);
  return s;
}

// Extracts the value from the text after '='. Returns the error, or std::nullopt and sets `value`.
std::optional<std::string> parse_value(std::string_view raw, std::string& value) {
  raw = trim(raw);
  if (!raw.empty() && raw.front() == '"') {
    value.clear();
    std::size_t i = 1;
    for (; i < raw.size() && raw[i] != '"'; ++i) {
      if (raw[i] == '\\' && i + 1 < raw.size() && (raw[i + 1] == '"' || raw[i + 1] == '\\')) ++i;
      value += raw[i];
    }
    if (i >= raw.size()) return std::string("unterminated quoted value");
    const std::string_view rest = trim(raw.substr(i + 1));
    if (!rest.empty() && rest.front() != '#') return "unexpected text after the closing quote: " + std::string(rest);
    return std::nullopt;
  }
  // A '#' starts a trailing comment only after whitespace, so "a#b" stays a value.
  for (std::size_t i = 1; i < raw.size(); ++i)
    if (raw[i] == '#' && is_space(raw[i - 1])) {
      raw = trim(raw.substr(0, i));
      break;
    }
  if (raw.empty() || raw.front() == '#') return std::string("missing value");
  value = std::string(raw);
  return std::nullopt;
}

std::string file_value(const std::string& v) {
  const bool plain = !v.empty() && v.find_first_of(" \t#\"\\") == std::string::npos;
  if (plain) return v;
  std::string out = "\"";
  for (const char c : v) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out + "\"";
}

}  // namespace

std::optional<std::string> apply_text(std::string_view text, std::string_view source, broker_options& options) {
  broker_options result = options;
  std::map<std::string_view, std::size_t> seen;  // option name -> first line
  std::size_t line_number = 0;
  while (!text.empty()) {
    ++line_number;
    const std::size_t end = text.find('\n');
    const std::string_view line = trim(text.substr(0, end));
    text = end == std::string_view::npos ? std::string_view() : text.substr(end + 1);
    if (line.empty() || line.front() == '#') continue;

    const std::string where = std::string(kProgramName) + ": " + std::string(source) + ":" +
                              std::to_string(line_number) + ": ";
    const std::size_t equals = line.find('=');
    if (equals == std::string_view::npos || trim(line.substr(0, equals)).empty())
      return where + "expected \"name = value\", got \"" + std::string(line) + "\"";
    const std::string_view name = trim(line.substr(0, equals));
    const option_info* option = find_option(name);
    if (!option)
      return where + "unknown option \"" + std::string(name) + "\" (did you mean \"" +
             std::string(nearest_option(name)) + "\"?)";
    const std::string prefix = where + std::string(name) + ": ";
    if (option->command_line_only) return prefix + "only valid on the command line (--" + std::string(name) + ")";
    const auto [previous, first] = seen.emplace(option->name, line_number);
    if (!first && !option->repeatable)
      return prefix + "already set on line " + std::to_string(previous->second) + " (only listen may be repeated)";
    std::string value;
    if (auto e = parse_value(line.substr(equals + 1), value)) return prefix + *e;
    if (auto e = option->apply(value, result, first)) return prefix + *e;
  }
  options = std::move(result);
  return std::nullopt;
}

std::optional<std::string> apply_file(const std::string& path, broker_options& options) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::string(kProgramName) + ": cannot read config file \"" + path + "\": " + std::strerror(errno);
  std::ostringstream contents;
  contents << in.rdbuf();
  if (in.bad()) return std::string(kProgramName) + ": cannot read config file \"" + path + "\"";
  return apply_text(contents.str(), path, options);
}

std::string example_config_text() {
  std::string out =
      "# unimqd configuration: every option with its default value.\n"
      "#\n"
      "# Generated from the option table (config/option_table.cpp) by example_config_text();\n"
      "# config_tests fails if the two differ. Regenerate with\n"
      "#   UNIMQ_WRITE_EXAMPLE_CONFIG=1 build/test/config/config_tests \"example config*\"\n"
      "#\n"
      "# Format: one \"name = value\" per line, where name is the command-line flag without \"--\".\n"
      "# Values may be double-quoted (\\\" and \\\\ escape inside quotes). '#' starts a comment at the\n"
      "# start of a line or after whitespace. Only listen may be repeated.\n"
      "# Use with: unimqd --config unimqd.conf; flags given on the command line override this file.\n"
      "#\n"
      "# Sizes: bytes, or with a binary unit: 64k = 65536, 1M = 1048576, 8G, 1T (KiB, MiB, ... also work).\n"
      "# Durations: a number with ms, s, m, h or d; a bare number is seconds.\n"
      "# Booleans: true/false, on/off, yes/no, 1/0.\n";
  const broker_options defaults;
  for (const auto& option : option_table()) {
    out += "\n";
    out += word_wrap(option.help, kCommentWidth, "# ");
    if (!option.allowed.empty()) out += word_wrap("Accepted: " + option.allowed + ".", kCommentWidth, "# ");
    if (option.command_line_only) {
      out += "# Use on the command line: --" + std::string(option.name) + " " + std::string(option.value_name) + "\n";
      continue;
    }
    for (const auto& value : option.format(defaults)) out += std::string(option.name) + " = " + file_value(value) + "\n";
  }
  return out;
}

}  // namespace unimq::config
