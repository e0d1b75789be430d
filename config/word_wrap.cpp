#include "config/word_wrap.hpp"

namespace unimq::config {

std::string word_wrap(std::string_view text, std::size_t width, std::string_view prefix) {
  std::string out;
  std::string line;
  auto flush = [&] {
    out.append(prefix).append(line).push_back('\n');
    line.clear();
  };
  std::size_t pos = 0;
  while (pos < text.size()) {
    const std::size_t space = text.find(' ', pos);
    const std::string_view word = text.substr(pos, space == std::string_view::npos ? space : space - pos);
    pos = space == std::string_view::npos ? text.size() : space + 1;
    if (word.empty()) continue;
    if (!line.empty() && prefix.size() + line.size() + 1 + word.size() > width) flush();
    if (!line.empty()) line += ' ';
    line += word;
  }
  if (!line.empty()) flush();
  return out;
}

}  // namespace unimq::config
