// Random PDQ hashes for the registry's tests, and bits flipped by position in the order MIH's
// layout numbers them (internal/code_words.h: bit p is bit 63 - p % 64 of loaded word p / 64).
#pragma once

#include <algorithm>
#include <numeric>
#include <random>
#include <vector>

#include "compliance/pdq.h"
#include "compliance/registry/internal/code_words.h"

namespace atelier::compliance::testing {

inline PdqHash random_code(std::mt19937_64& rng) {
  return internal::pdq_hash_of({rng(), rng(), rng(), rng()});
}

inline void flip(PdqHash& code, int p) {
  internal::CodeWords w = internal::code_words(code);
  w[p / 64] ^= std::uint64_t{1} << (63 - p % 64);
  code = internal::pdq_hash_of(w);
}

// `code` with exactly `bits` distinct bits flipped, anywhere.
inline PdqHash at_distance(PdqHash code, int bits, std::mt19937_64& rng) {
  std::vector<int> positions(kPdqBits);
  std::iota(positions.begin(), positions.end(), 0);
  std::shuffle(positions.begin(), positions.end(), rng);
  for (int i = 0; i < bits; ++i) flip(code, positions[i]);
  return code;
}

}  // namespace atelier::compliance::testing
