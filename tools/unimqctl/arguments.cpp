#include "arguments.hpp"

#include <charconv>

#include "config/value_parsers.hpp"
#include "protocol/topic.hpp"

namespace unimq::ctl {

std::string argument_list::value_of(std::string_view flag) {
  if (empty()) throw usage_error(std::string(flag) + " needs a value");
  return take();
}

bool is_help(std::string_view word) { return word == "-h" || word == "--help"; }

std::uint64_t parse_unsigned(std::string_view text, std::string_view what, std::uint64_t min, std::uint64_t max) {
  std::uint64_t value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || ec == std::errc::invalid_argument || end != text.data() + text.size())
    throw usage_error(std::string(what) + " \"" + std::string(text) + "\" is not a number");
  if (ec == std::errc::result_out_of_range || value < min || value > max)
    throw usage_error(std::string(what) + " \"" + std::string(text) + "\" is out of range (" + std::to_string(min) +
                      " .. " + std::to_string(max) + ")");
  return value;
}

config::listen_address parse_node(std::string_view text) {
  config::listen_address address;
  if (auto why = config::parse_listen_address(text, address)) throw usage_error("--node " + *why);
  return address;
}

std::string parse_topic(std::string_view text, std::string_view what) {
  if (const auto e = mqtt::validate_topic_name(text); e != mqtt::topic_error::none)
    throw usage_error(std::string(what) + " \"" + std::string(text) + "\" is not a valid topic: " + mqtt::to_string(e));
  return std::string(text);
}

client::start_position parse_start(std::string_view text) {
  if (text == "oldest") return client::start_position::oldest();
  if (text == "newest") return client::start_position::newest();
  if (!text.empty() && text.front() == '@')
    return client::start_position::at_time(parse_unsigned(text.substr(1), "--from timestamp", 0, UINT64_MAX));
  if (!text.empty() && text.front() >= '0' && text.front() <= '9')
    return client::start_position::at_offset(parse_unsigned(text, "--from offset", 0, UINT64_MAX));
  throw usage_error("--from \"" + std::string(text) + "\" is not oldest, newest, an OFFSET or @TIMESTAMP_MS");
}

}  // namespace unimq::ctl
