// validate_utf8 / validate_utf8_payload, which check 8 bytes at a time while the text is ASCII: every
// result must equal that of a plain one-code-point-at-a-time check, wherever the interesting bytes
// fall relative to the 8-byte words (and the overlapping last word of the string).
#include "protocol/utf8.hpp"

#include <catch2/catch.hpp>

#include <cstdint>
#include <algorithm>
#include <memory>
#include <random>
#include <string>
#include <string_view>
#include <vector>

using unimq::mqtt::utf8_error;
namespace mqtt = unimq::mqtt;

namespace {

// The definition: well-formed UTF-8 (RFC 3629), no surrogates, U+0000 only if allowed.
utf8_error reference(std::string_view s, bool allow_null) {
  std::size_t i = 0;
  while (i < s.size()) {
    const auto c = static_cast<std::uint8_t>(s[i]);
    std::size_t n;
    std::uint32_t cp;
    if (c < 0x80) n = 1, cp = c;
    else if (c >= 0xC0 && c < 0xE0) n = 2, cp = c & 0x1F;
    else if (c >= 0xE0 && c < 0xF0) n = 3, cp = c & 0x0F;
    else if (c >= 0xF0 && c < 0xF8) n = 4, cp = c & 0x07;
    else return utf8_error::ill_formed;
    if (s.size() - i < n) return utf8_error::ill_formed;
    for (std::size_t k = 1; k < n; ++k) {
      const auto b = static_cast<std::uint8_t>(s[i + k]);
      if ((b & 0xC0) != 0x80) return utf8_error::ill_formed;
      cp = cp << 6 | (b & 0x3F);
    }
    const std::uint32_t min[] = {0, 0, 0x80, 0x800, 0x10000};
    if (cp < min[n] || cp > 0x10FFFF) return utf8_error::ill_formed;
    if (cp >= 0xD800 && cp <= 0xDFFF) return utf8_error::surrogate;
    if (cp == 0 && !allow_null) return utf8_error::null_character;
    i += n;
  }
  return utf8_error::none;
}

// Checks both functions against the reference, on a copy in an allocation of exactly its size
// (so that an ASan build catches a word read past either end).
void check(const std::string& s) {
  std::unique_ptr<char[]> exact(new char[s.size() + 1]);
  std::copy(s.begin(), s.end(), exact.get());
  const std::string_view v(exact.get(), s.size());
  std::string hex;
  for (unsigned char c : s) {
    hex += "0123456789abcdef"[c >> 4];
    hex += "0123456789abcdef"[c & 15];
  }
  INFO("bytes: " << hex);
  CHECK(mqtt::validate_utf8(v) == reference(s, false));
  CHECK(mqtt::validate_utf8_payload(v) == reference(s, true));
}

}  // namespace

TEST_CASE("utf8: U+0000 at each position of 8-byte words", "[protocol][utf8]") {
  for (std::size_t length = 1; length <= 24; ++length)
    for (std::size_t pos = 0; pos < length; ++pos) {
      std::string s(length, 'a');
      s[pos] = '\0';
      check(s);
      CHECK(mqtt::validate_utf8(s) == utf8_error::null_character);
      CHECK(mqtt::validate_utf8_payload(s) == utf8_error::none);
    }
  // After a multibyte character, which takes the check off the word boundary.
  for (std::size_t pos = 2; pos < 20; ++pos) {
    std::string s = "\xC3\xA9" + std::string(18, 'b');
    s[pos] = '\0';
    check(s);
    CHECK(mqtt::validate_utf8(s) == utf8_error::null_character);
  }
}

TEST_CASE("utf8: multibyte sequences at every offset, across word boundaries", "[protocol][utf8]") {
  const std::vector<std::string> valid = {
      "\xC2\x80", "\xDF\xBF", "\xE0\xA0\x80", "\xED\x9F\xBF", "\xEE\x80\x80", "\xEF\xBF\xBF",
      "\xF0\x90\x80\x80", "\xF4\x8F\xBF\xBF"};
  const std::vector<std::pair<std::string, utf8_error>> invalid = {
      {"\xC0\xAF", utf8_error::ill_formed},          // overlong '/'
      {"\xC1\xBF", utf8_error::ill_formed},          // overlong
      {"\xE0\x80\xAF", utf8_error::ill_formed},      // overlong, 3 bytes
      {"\xF0\x82\x82\xAC", utf8_error::ill_formed},  // overlong, 4 bytes
      {"\xED\xA0\x80", utf8_error::surrogate},       // U+D800
      {"\xED\xBF\xBF", utf8_error::surrogate},       // U+DFFF
      {"\xF4\x90\x80\x80", utf8_error::ill_formed},  // above U+10FFFF
      {"\xF8\x88\x80\x80", utf8_error::ill_formed},  // 5-byte lead
      {"\x80", utf8_error::ill_formed},              // lone continuation
      {"\xE2\x82", utf8_error::ill_formed},          // truncated unless the string ends there
      {"\xC3\x28", utf8_error::ill_formed},          // lead without continuation
  };
  for (std::size_t length = 0; length <= 20; ++length)
    for (std::size_t pos = 0; pos <= length; ++pos) {
      for (const auto& seq : valid) {
        std::string s(length, 'x');
        s.insert(pos, seq);
        check(s);
        CHECK(mqtt::validate_utf8(s) == utf8_error::none);
      }
      for (const auto& [seq, error] : invalid) {
        std::string s(length, 'x');
        s.insert(pos, seq);
        check(s);
        CHECK(mqtt::validate_utf8(s) == error);
      }
      // A sequence cut by the end of the string.
      std::string cut(length, 'x');
      cut.insert(pos, "\xF0\x9F\x98\x80");
      cut.resize(pos + 3);
      check(cut);
      CHECK(mqtt::validate_utf8(cut) == utf8_error::ill_formed);
    }
}

TEST_CASE("utf8: random strings agree with a one-byte-at-a-time check", "[protocol][utf8]") {
  std::mt19937 rng(20261125);
  // Mostly ASCII with some zero, high and multibyte bytes, so that every path is taken.
  const std::string alphabet = std::string("abc/+#\0", 7) + "\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80\xED\xA0\x80\xC0";
  for (int i = 0; i < 20000; ++i) {
    const std::size_t length = rng() % 40;
    std::string s;
    for (std::size_t k = 0; k < length; ++k) {
      const unsigned r = rng() % 100;
      s += r < 85 ? static_cast<char>('a' + r % 26) : alphabet[rng() % alphabet.size()];
    }
    check(s);
  }
}
