// xmp.cc — the XMP packet that carries the recipe in WebP and AVIF files.
//
// The packet is the smallest valid XMP (ISO 16684-1): one rdf:Description with a simple
// property atelier:recipe whose value is the recipe text, XML-escaped. Reading it back is a
// string search for that element rather than an XML parser: we only need our own property,
// and a full parser on untrusted input is more attack surface than this format needs. The
// reader accepts the escapes any XML writer may use (the five named entities and numeric
// character references), so a packet re-serialised by another tool still reads.
#include <cstdint>
#include <optional>
#include <string>
#include <utility>

#include "render/codec/internal/formats.h"

namespace atelier::render::codec_internal {
namespace {

constexpr std::string_view kPacketHead =
    "<?xpacket begin=\"\xEF\xBB\xBF\" id=\"W5M0MpCehiHzreSzNTczkc9d\"?>"
    "<x:xmpmeta xmlns:x=\"adobe:ns:meta/\">"
    "<rdf:RDF xmlns:rdf=\"http://www.w3.org/1999/02/22-rdf-syntax-ns#\">"
    "<rdf:Description rdf:about=\"\" xmlns:atelier=\"https://atelier.dev/ns/1.0/\">";
constexpr std::string_view kPacketTail =
    "</rdf:Description></rdf:RDF></x:xmpmeta><?xpacket end=\"w\"?>";
constexpr std::string_view kOpenTag = "<atelier:recipe>";
constexpr std::string_view kCloseTag = "</atelier:recipe>";
// The longest entity we accept, "&#x10FFFF;", is 10 bytes.
constexpr std::size_t kEntityBytesMax = 10;

void append_utf8(std::string& out, std::uint32_t code_point) {
  if (code_point < 0x80) {
    out += static_cast<char>(code_point);
  } else if (code_point < 0x800) {
    out += static_cast<char>(0xC0 | (code_point >> 6));
    out += static_cast<char>(0x80 | (code_point & 0x3F));
  } else if (code_point < 0x10000) {
    out += static_cast<char>(0xE0 | (code_point >> 12));
    out += static_cast<char>(0x80 | ((code_point >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (code_point & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (code_point >> 18));
    out += static_cast<char>(0x80 | ((code_point >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((code_point >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (code_point & 0x3F));
  }
}

// "#123" or "#x7B" (the text between '&' and ';') to a code point; nullopt if malformed or
// not a character XML allows.
std::optional<std::uint32_t> numeric_reference(std::string_view name) {
  if (name.size() < 2 || name[0] != '#') return std::nullopt;
  const bool hex = name[1] == 'x';
  const std::string_view digits = name.substr(hex ? 2 : 1);
  if (digits.empty()) return std::nullopt;
  std::uint32_t value = 0;
  for (const char c : digits) {
    int digit = -1;
    if (c >= '0' && c <= '9') digit = c - '0';
    if (hex && c >= 'a' && c <= 'f') digit = c - 'a' + 10;
    if (hex && c >= 'A' && c <= 'F') digit = c - 'A' + 10;
    if (digit < 0) return std::nullopt;
    value = value * (hex ? 16 : 10) + static_cast<std::uint32_t>(digit);
    if (value > 0x10FFFF) return std::nullopt;
  }
  const bool control = value < 0x20 && value != '\t' && value != '\n' && value != '\r';
  if (control || (value >= 0xD800 && value <= 0xDFFF)) return std::nullopt;
  return value;
}

// The text an entity ("amp", "#65", ...) stands for; nullopt if we do not know it.
std::optional<std::string> entity_text(std::string_view name) {
  static constexpr std::pair<std::string_view, std::string_view> kNamed[] = {
      {"amp", "&"}, {"lt", "<"}, {"gt", ">"}, {"quot", "\""}, {"apos", "'"}};
  for (const auto& [entity, text] : kNamed) {
    if (name == entity) return std::string(text);
  }
  const std::optional<std::uint32_t> code_point = numeric_reference(name);
  if (!code_point) return std::nullopt;
  std::string text;
  append_utf8(text, *code_point);
  return text;
}

Result<std::string> unescape(std::string_view text, std::string_view format) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '&') {
      out += text[i];
      continue;
    }
    const std::size_t semicolon = text.find(';', i);
    if (semicolon == std::string_view::npos || semicolon - i > kEntityBytesMax) {
      return fail(corrupt_image(format, "bad entity in the XMP recipe"));
    }
    const std::optional<std::string> replacement =
        entity_text(text.substr(i + 1, semicolon - i - 1));
    if (!replacement) return fail(corrupt_image(format, "bad entity in the XMP recipe"));
    out += *replacement;
    i = semicolon;
  }
  return out;
}

// The escape for characters XML cannot hold raw in element content; empty for the rest.
std::string_view escape(char c) {
  switch (c) {
    case '&':
      return "&amp;";
    case '<':
      return "&lt;";
    case '>':
      return "&gt;";
    case '"':
      return "&quot;";
    case '\r':  // XML parsers turn a raw CR into LF; a reference keeps it for other readers.
      return "&#13;";
    default:
      return {};
  }
}

}  // namespace

std::string build_xmp_packet(std::string_view recipe) {
  std::string packet(kPacketHead);
  packet += kOpenTag;
  for (const char c : recipe) {
    const std::string_view escaped = escape(c);
    if (escaped.empty()) {
      packet += c;
    } else {
      packet += escaped;
    }
  }
  packet += kCloseTag;
  packet += kPacketTail;
  return packet;
}

Result<std::string> parse_xmp_recipe(std::string_view packet, std::string_view format) {
  const std::size_t open = packet.find(kOpenTag);
  if (open == std::string_view::npos) return fail(no_recipe(format));
  const std::size_t start = open + kOpenTag.size();
  if (packet.find(kOpenTag, start) != std::string_view::npos) {
    return fail(corrupt_image(format, "more than one atelier:recipe in the XMP packet"));
  }
  const std::size_t close = packet.find(kCloseTag, start);
  if (close == std::string_view::npos) {
    return fail(corrupt_image(format, "unterminated atelier:recipe in the XMP packet"));
  }
  const std::string_view escaped = packet.substr(start, close - start);
  if (escaped.find('<') != std::string_view::npos) {
    return fail(corrupt_image(format, "markup inside atelier:recipe in the XMP packet"));
  }
  return unescape(escaped, format);
}

}  // namespace atelier::render::codec_internal
