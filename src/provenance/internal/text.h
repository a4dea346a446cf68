// text.h — the byte-level text rules of C2SP signed notes: UTF-8 validity, the control
// characters a note may not hold, and what makes a valid key name. Private to provenance.
#pragma once

#include <string_view>

namespace atelier::provenance::internal {

// True when `s` is well-formed UTF-8 (RFC 3629: no overlong forms, no surrogates, nothing
// above U+10FFFF).
bool is_valid_utf8(std::string_view s);

// True when `s` holds an ASCII control character (below U+0020) other than newline.
bool has_control_character(std::string_view s);

// A key name per C2SP signed-note: non-empty, valid UTF-8, no Unicode white space, no plus
// (U+002B). We also refuse control characters (a note could never carry them) and names over
// limits::kKeyNameBytesMax.
bool is_valid_key_name(std::string_view name);

}  // namespace atelier::provenance::internal
