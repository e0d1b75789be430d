#pragma once

#include <string>
#include <string_view>

namespace unimq::ctl {

/// `bytes` as one printable line: printable ASCII (0x20..0x7e) stays, a backslash becomes `\\`, every
/// other byte (tab, newline, UTF-8, binary) becomes `\xHH`. So a field never holds a tab or a newline,
/// and the original bytes can be recovered exactly (`printf '%b'` undoes it).
std::string escape(std::string_view bytes);

}  // namespace unimq::ctl
