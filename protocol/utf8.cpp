#include "protocol/utf8.hpp"

#include <cstdint>

namespace unimq::mqtt {
namespace {

template <bool AllowNull>
utf8_error validate(std::string_view s) {
  const auto* p = reinterpret_cast<const std::uint8_t*>(s.data());
  const auto* end = p + s.size();
  while (p < end) {
    std::uint8_t c = *p;
    if (c < 0x80) {  // ASCII fast path
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
