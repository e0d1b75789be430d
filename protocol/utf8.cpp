#include "protocol/utf8.hpp"

#include <cstdint>
#include <cstring>

namespace unimq::mqtt {
namespace {

constexpr std::uint64_t kOnes = 0x0101010101010101;
constexpr std::uint64_t kHighBits = 0x8080808080808080;

// True if a byte of `w` is 0 (exact: borrows only reach past a byte that is 0 itself).
constexpr bool has_zero_byte(std::uint64_t w) { return ((w - kOnes) & ~w & kHighBits) != 0; }

template <class T>
T load(const std::uint8_t* p) {
  T v;
  std::memcpy(&v, p, sizeof v);
  return v;
}

template <bool AllowNull>
utf8_error validate(std::string_view s) {
  const auto* p = reinterpret_cast<const std::uint8_t*>(s.data());
  const auto* end = p + s.size();
  while (p < end) {
    // Protocol strings are nearly always ASCII: check 8 bytes at a time that none has its high bit
    // set. Near the end the word is the string's last 8 bytes, or for a string of 4 to 7 bytes its
    // first and last 4, overlapping bytes already checked. Those are valid, so not 0 (unless
    // allowed), and a 0 byte in an all-ASCII word is the first error.
    const std::size_t left = static_cast<std::size_t>(end - p);
    std::uint64_t w = 0;
    const std::uint8_t* next;
    if (left >= 8) {
      w = load<std::uint64_t>(p);
      next = p + 8;
    } else if (s.size() >= 8) {
      w = load<std::uint64_t>(end - 8);
      next = end;
    } else if (left >= 4) {
      w = load<std::uint32_t>(p) | std::uint64_t{load<std::uint32_t>(end - 4)} << 32;
      next = end;
    } else {
      next = nullptr;
    }
    if (next && (w & kHighBits) == 0) {
      if (!AllowNull && has_zero_byte(w)) return utf8_error::null_character;
      p = next;
      continue;
    }
    std::uint8_t c = *p;
    if (c < 0x80) {
      if (!AllowNull && c == 0) return utf8_error::null_character;
      ++p;
      continue;
    }
    int extra;
    std::uint32_t cp;
    if ((c & 0xE0) == 0xC0) {
      extra = 1;
      cp = c & 0x1F;
    } else if ((c & 0xF0) == 0xE0) {
      extra = 2;
      cp = c & 0x0F;
    } else if ((c & 0xF8) == 0xF0) {
      extra = 3;
      cp = c & 0x07;
    } else {
      return utf8_error::ill_formed;
    }
    if (end - p <= extra) return utf8_error::ill_formed;
    for (int i = 1; i <= extra; ++i) {
      if ((p[i] & 0xC0) != 0x80) return utf8_error::ill_formed;
      cp = cp << 6 | (p[i] & 0x3F);
    }
    static constexpr std::uint32_t min_for_length[] = {0, 0x80, 0x800, 0x10000};
    if (cp < min_for_length[extra] || cp > 0x10FFFF) return utf8_error::ill_formed;
    if (cp >= 0xD800 && cp <= 0xDFFF) return utf8_error::surrogate;
    p += extra + 1;
  }
  return utf8_error::none;
}

}  // namespace

utf8_error validate_utf8(std::string_view s) { return validate<false>(s); }

utf8_error validate_utf8_payload(std::string_view s) { return validate<true>(s); }

}  // namespace unimq::mqtt
