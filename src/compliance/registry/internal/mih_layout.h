// mih_layout.h — how multi-index hashing cuts a 256-bit code into substrings, and how far
// each substring's table must be searched for a query radius. Private to the registry.
//
// The pigeonhole argument (Norouzi, Punjani, Fleet, "Fast Exact Search in Hamming Space with
// Multi-Index Hashing", TPAMI 2014, Proposition 2): cut the code into m disjoint substrings
// and write the radius r = m·s + a with 0 <= a < m. If every one of the substrings 0..a were
// at distance >= s+1 from the query's and every other one at >= s, the whole code would be at
// >= (a+1)(s+1) + (m-a-1)s = r+1. So a code within r is within s of the query in one of the
// substrings 0..a, or within s-1 in one of the others: searching table k to radius
// substring_radius(k) finds it, and no code within r is missed.
#pragma once

#include <array>
#include <cstdint>

#include "compliance/registry/internal/code_words.h"

namespace atelier::compliance::internal {

inline constexpr int kMihSubstringsMin = 11;  // 256/11 rounds up to 24 bits: a 64 MiB table.
inline constexpr int kMihSubstringsMax = 32;  // 8 bits: below this a bucket holds too much.
inline constexpr int kMihWidthMax = 24;       // bits of the widest substring

struct MihLayout {
  int substrings = 0;                                   // m, kMihSubstringsMin..kMihSubstringsMax
  std::array<std::uint8_t, kMihSubstringsMax> start{};  // first bit (code_words order)
  std::array<std::uint8_t, kMihSubstringsMax> width{};  // bits; the first 256 % m are wider
};

// m substrings as equal as can be, the wider ones first. m must be within the bounds above.
MihLayout mih_layout(int substrings);

// Norouzi et al.'s choice, m ≈ 256 / log2(n) (rounded down), within the bounds: wide substrings
// (few candidates, many probes) for large n, narrow ones for small n.
int mih_substrings_for(std::uint64_t codes);

// The radius to search substring k at for the whole-code radius `radius` (r >= 0); -1: the
// table need not be searched at all.
inline int substring_radius(const MihLayout& layout, int k, int radius) {
  const int s = radius / layout.substrings;
  const int a = radius % layout.substrings;
  return k <= a ? s : s - 1;
}

// The value of bits [start, start + width) of `code`, where bit p is bit 63 - p % 64 of word
// p / 64 (width 1..32).
inline std::uint32_t substring(const CodeWords& code, int start, int width) {
  const int word = start >> 6;
  const int offset = start & 63;
  const std::uint64_t mask = (std::uint64_t{1} << width) - 1;
  if (offset + width <= 64)
    return static_cast<std::uint32_t>((code[word] >> (64 - offset - width)) & mask);
  const int high_bits = 64 - offset;
  const int low_bits = width - high_bits;
  const std::uint64_t high = code[word] & ((std::uint64_t{1} << high_bits) - 1);
  return static_cast<std::uint32_t>((high << low_bits) | (code[word + 1] >> (64 - low_bits)));
}

// Σ_{i<=radius} C(width, i): the values within `radius` of one `width`-bit value, saturating
// at 2^62.
std::uint64_t ball_size(int width, int radius);

// Calls visit(mask) for every `width`-bit mask of at most `radius` set bits, lightest first.
template <typename Visit>
void for_each_mask(int width, int radius, Visit&& visit) {
  const std::uint64_t end = std::uint64_t{1} << width;
  for (int w = 0; w <= radius && w <= width; ++w) {
    if (w == 0) {
      visit(std::uint32_t{0});
      continue;
    }
    // Gosper's hack: the next larger integer with the same number of set bits.
    std::uint64_t x = (std::uint64_t{1} << w) - 1;
    while (x < end) {
      visit(static_cast<std::uint32_t>(x));
      const std::uint64_t low = x & (~x + 1);
      const std::uint64_t ripple = x + low;
      x = ripple | (((x ^ ripple) >> 2) / low);
    }
  }
}

}  // namespace atelier::compliance::internal
