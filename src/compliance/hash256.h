// hash256.h — the 256-bit perceptual code (PDQ's hash) as four 64-bit words, its Hamming
// distance and its hex spelling.
//
//   auto code = parse_pdq256_hex("f8f8…");            // 64 hex digits, either case
//   int d = hamming(*code, other);                     // 0..256
//   std::string hex = pdq256_hex(*code);               // 64 lowercase digits
//
// Hex order is PDQ's: the first hex digit is the most significant 4 bits of words[0], the
// 17th digit the most significant 4 bits of words[1], and so on (each word big-endian, words
// in order). Everything here is a value type and thread-compatible.
#pragma once

#include <array>
#include <bit>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace atelier::compliance {

using Pdq256 = std::array<std::uint64_t, 4>;

inline constexpr int kPdq256Bits = 256;
inline constexpr std::size_t kPdq256HexDigits = 64;

// Bits that differ. Compiled without -mpopcnt, std::popcount is a few shifts and adds; the hot
// loops (popcount_scan.cc, mih_index.cc) are compiled for the popcnt instruction where the CPU
// has it, and use their own copy of this.
inline int hamming(const Pdq256& a, const Pdq256& b) {
  return std::popcount(a[0] ^ b[0]) + std::popcount(a[1] ^ b[1]) + std::popcount(a[2] ^ b[2]) +
         std::popcount(a[3] ^ b[3]);
}

inline std::string pdq256_hex(const Pdq256& code) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out(kPdq256HexDigits, '0');
  for (std::size_t i = 0; i < kPdq256HexDigits; ++i) {
    const int shift = 60 - 4 * static_cast<int>(i % 16);
    out[i] = kDigits[(code[i / 16] >> shift) & 0xf];
  }
  return out;
}

// Exactly 64 hex digits (either case); nullopt for anything else (a prefix, "0x", spaces).
inline std::optional<Pdq256> parse_pdq256_hex(std::string_view hex) {
  if (hex.size() != kPdq256HexDigits) return std::nullopt;
  Pdq256 code{};
  for (std::size_t i = 0; i < kPdq256HexDigits; ++i) {
    const char c = hex[i];
    std::uint64_t v = 0;
    if (c >= '0' && c <= '9') {
      v = static_cast<std::uint64_t>(c - '0');
    } else if (c >= 'a' && c <= 'f') {
      v = static_cast<std::uint64_t>(c - 'a' + 10);
    } else if (c >= 'A' && c <= 'F') {
      v = static_cast<std::uint64_t>(c - 'A' + 10);
    } else {
      return std::nullopt;
    }
    code[i / 16] = (code[i / 16] << 4) | v;
  }
  return code;
}

}  // namespace atelier::compliance
