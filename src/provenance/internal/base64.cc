// OpenSSL does the coding; this file only adds the strictness EVP_DecodeBlock lacks (it
// skips white space, accepts padding anywhere and ignores non-zero trailing bits).
#include "provenance/internal/base64.h"

#include <openssl/evp.h>

#include <cassert>

namespace atelier::provenance::internal {

namespace {

// Keeps the lengths handed to OpenSSL (an int) far from overflow; callers bound their input
// much lower (a whole note is at most limits::kNoteBytesMax).
constexpr std::size_t kTextBytesMax = std::size_t{1} << 30;

bool is_alphabet(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '+' ||
         c == '/';
}

// Counts the trailing '=' and checks every other character is in the alphabet.
std::optional<std::size_t> padding_of(std::string_view text) {
  std::size_t pad = 0;
  while (pad < 2 && pad < text.size() && text[text.size() - 1 - pad] == '=') ++pad;
  for (std::size_t i = 0; i + pad < text.size(); ++i) {
    if (!is_alphabet(text[i])) return std::nullopt;
  }
  return pad;
}

}  // namespace

std::string base64_encode(std::span<const std::uint8_t> bytes) {
  std::string out(4 * ((bytes.size() + 2) / 3) + 1, '\0');  // +1: EVP writes a NUL.
  int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()), bytes.data(),
                          static_cast<int>(bytes.size()));
  assert(n >= 0 && static_cast<std::size_t>(n) + 1 == out.size());
  out.resize(static_cast<std::size_t>(n));
  return out;
}

std::optional<std::vector<std::uint8_t>> base64_decode(std::string_view text) {
  if (text.size() % 4 != 0 || text.size() > kTextBytesMax) return std::nullopt;
  if (text.empty()) return std::vector<std::uint8_t>{};
  auto pad = padding_of(text);
  if (!pad) return std::nullopt;
  std::vector<std::uint8_t> out(text.size() / 4 * 3);
  int n = EVP_DecodeBlock(out.data(), reinterpret_cast<const unsigned char*>(text.data()),
                          static_cast<int>(text.size()));
  if (n < 0 || static_cast<std::size_t>(n) != out.size()) return std::nullopt;
  out.resize(out.size() - *pad);
  // Non-zero bits in the unused part of the last symbol would give a second spelling.
  if (base64_encode(out) != text) return std::nullopt;
  return out;
}

}  // namespace atelier::provenance::internal
