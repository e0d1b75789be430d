#pragma once
// Word wrapping shared by --help and the example config file.

#include <string>
#include <string_view>

namespace unimq::config {

/// `text` broken at spaces into lines of at most `width` characters (a longer word gets a line of its
/// own), each starting with `prefix` and ending in '\n'.
std::string word_wrap(std::string_view text, std::size_t width, std::string_view prefix);

}  // namespace unimq::config
