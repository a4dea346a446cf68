// code_words.h — a PDQ hash as the registry's search loops read it: its 32 bytes loaded as four
// 64-bit words. Private to the registry.
//
// PdqHash (compliance/pdq.h) is the one hash type; these words are only how the loops hold it.
// A popcnt per 64 bits takes a quarter of the instructions of one per 16-bit word, and the load
// is a fixed permutation of the 256 bits (each 64-bit word is four consecutive 16-bit words),
// so the Hamming distance between two loaded hashes is the distance between the hashes, and
// MIH's substrings can be any fixed bit ranges of the words without changing what is found.
#pragma once

#include <array>
#include <bit>
#include <cstdint>
#include <cstring>

#include "compliance/pdq.h"

namespace atelier::compliance::internal {

static_assert(sizeof(PdqHash) == 32, "a PDQ hash is 32 bytes, nothing else");

using CodeWords = std::array<std::uint64_t, 4>;

inline CodeWords code_words(const PdqHash& hash) {
  CodeWords w;
  std::memcpy(w.data(), hash.words.data(), sizeof w);
  return w;
}

inline PdqHash pdq_hash_of(const CodeWords& w) {
  PdqHash hash;
  std::memcpy(hash.words.data(), w.data(), sizeof w);
  return hash;
}

inline int word_distance(const CodeWords& a, const CodeWords& b) {
  return std::popcount(a[0] ^ b[0]) + std::popcount(a[1] ^ b[1]) + std::popcount(a[2] ^ b[2]) +
         std::popcount(a[3] ^ b[3]);
}

}  // namespace atelier::compliance::internal
