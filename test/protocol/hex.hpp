#pragma once
// Byte strings written as hex in tests: "10 0e 00 04" -> bytes; whitespace is ignored.
#include <cctype>
#include <string>
#include <string_view>

namespace unimq::mqtt::testing {

inline std::string unhex(std::string_view hex) {
  std::string out;
  int hi = -1;
  for (char c : hex) {
    if (std::isspace(static_cast<unsigned char>(c))) continue;
    const int v = std::isdigit(static_cast<unsigned char>(c))
                      ? c - '0'
                      : std::tolower(static_cast<unsigned char>(c)) - 'a' + 10;
    if (hi < 0) {
      hi = v;
    } else {
      out.push_back(static_cast<char>(hi << 4 | v));
      hi = -1;
    }
  }
  return out;
}

}  // namespace unimq::mqtt::testing
