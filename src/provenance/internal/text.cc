// Hand-written because neither OpenSSL nor the other dependencies expose a UTF-8 validator
// or the Unicode White_Space table; both are small and fixed.
#include "provenance/internal/text.h"

#include <algorithm>
#include <cstdint>
#include <iterator>
#include <optional>

#include "core/limits.h"

namespace atelier::provenance::internal {

namespace {

struct Decoded {
  char32_t code_point;
  std::size_t length;
};

// Decodes one code point at `s[pos]`; nullopt when the bytes there are not well-formed UTF-8.
std::optional<Decoded> decode_one(std::string_view s, std::size_t pos) {
  auto byte = [&](std::size_t i) { return static_cast<std::uint8_t>(s[pos + i]); };
  std::uint8_t lead = byte(0);
  if (lead < 0x80) return Decoded{lead, 1};
  std::size_t length = 0;
  char32_t cp = 0;
  char32_t min = 0;
  if ((lead & 0xE0) == 0xC0) {
    length = 2, cp = lead & 0x1F, min = 0x80;
  } else if ((lead & 0xF0) == 0xE0) {
    length = 3, cp = lead & 0x0F, min = 0x800;
  } else if ((lead & 0xF8) == 0xF0) {
    length = 4, cp = lead & 0x07, min = 0x10000;
  } else {
    return std::nullopt;  // A continuation byte or 0xF8..0xFF in lead position.
  }
  if (pos + length > s.size()) return std::nullopt;
  for (std::size_t i = 1; i < length; ++i) {
    if ((byte(i) & 0xC0) != 0x80) return std::nullopt;
    cp = (cp << 6) | (byte(i) & 0x3F);
  }
  if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return std::nullopt;
  return Decoded{cp, length};
}

// Unicode White_Space, the set Go's unicode.IsSpace (and so the reference note code) uses.
bool is_unicode_space(char32_t cp) {
  constexpr char32_t kSpaces[] = {0x09, 0x0A,   0x0B,   0x0C,   0x0D,   0x20,   0x85,
                                  0xA0, 0x1680, 0x2028, 0x2029, 0x202F, 0x205F, 0x3000};
  return (cp >= 0x2000 && cp <= 0x200A) || std::ranges::find(kSpaces, cp) != std::end(kSpaces);
}

}  // namespace

bool is_valid_utf8(std::string_view s) {
  for (std::size_t pos = 0; pos < s.size();) {
    auto d = decode_one(s, pos);
    if (!d) return false;
    pos += d->length;
  }
  return true;
}

bool has_control_character(std::string_view s) {
  for (char c : s) {
    if (static_cast<unsigned char>(c) < 0x20 && c != '\n') return true;
  }
  return false;
}

bool is_valid_key_name(std::string_view name) {
  if (name.empty() || name.size() > static_cast<std::size_t>(limits::kKeyNameBytesMax)) {
    return false;
  }
  for (std::size_t pos = 0; pos < name.size();) {
    auto d = decode_one(name, pos);
    if (!d) return false;
    if (d->code_point < 0x20 || d->code_point == 0x7F || d->code_point == '+' ||
        is_unicode_space(d->code_point)) {
      return false;
    }
    pos += d->length;
  }
  return true;
}

}  // namespace atelier::provenance::internal
