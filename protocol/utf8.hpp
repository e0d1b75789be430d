#pragma once
#include <string_view>

namespace unimq::mqtt {

enum class utf8_error { none, ill_formed, surrogate, null_character };

/// Checks `s` against the MQTT rules for UTF-8 Encoded Strings (protocol strings: topics, client
/// identifiers, string properties): well-formed UTF-8 (no overlong forms, nothing above U+10FFFF), no
/// UTF-16 surrogates (U+D800..U+DFFF), no U+0000 (5.0 [MQTT-1.5.4-1], [MQTT-1.5.4-2]; 3.1.1
/// [MQTT-1.5.3-1], [MQTT-1.5.3-2]).
utf8_error validate_utf8(std::string_view s);

/// Checks `s` for well-formed UTF-8 as RFC 3629 defines it, which is what a payload announced as UTF-8
/// must be (5.0 §3.3.2.3.2): the same as validate_utf8 except that U+0000 is allowed.
utf8_error validate_utf8_payload(std::string_view s);

}  // namespace unimq::mqtt
