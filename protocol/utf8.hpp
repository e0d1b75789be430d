#pragma once
#include <string_view>

namespace unimq::mqtt {

enum class utf8_error { none, ill_formed, surrogate, null_character };

/// Checks `s` against the MQTT rules for UTF-8 strings: well-formed UTF-8 (no overlong forms, nothing
/// above U+10FFFF), no UTF-16 surrogates (U+D800..U+DFFF), no U+0000.
utf8_error validate_utf8(std::string_view s);

}  // namespace unimq::mqtt
