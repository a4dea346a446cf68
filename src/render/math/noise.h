// noise.h — seeded 2-D and 3-D simplex noise (Gustavson's formulation), in [-1, 1].
// The permutation table is shuffled from a seed derived from the token hash, so each token
// has its own field; all arithmetic is plain double math (no FMA: -ffp-contract=off).
#pragma once

#include <array>
#include <cstdint>

namespace atelier::render {

// The 12 gradient directions both noise functions pick from (noise2 reads the first two).
inline constexpr double kSimplexGrad3[12][3] = {{1, 1, 0}, {-1, 1, 0}, {1, -1, 0}, {-1, -1, 0},
                                                {1, 0, 1}, {-1, 0, 1}, {1, 0, -1}, {-1, 0, -1},
                                                {0, 1, 1}, {0, -1, 1}, {0, 1, -1}, {0, -1, -1}};

class SimplexNoise {
 public:
  explicit SimplexNoise(std::uint64_t seed);
  double noise2(double x, double y) const;
  double noise3(double x, double y, double z) const;

  // The permutation tables, for the 4-lane noise2 (internal/avx2_math.h). Both are 512
  // entries followed by 3 spare bytes: the AVX2 code gathers 4-byte words at an entry's
  // address and keeps the low byte.
  const std::uint8_t* perm() const { return perm_.data(); }
  const std::uint8_t* perm12() const { return perm12_.data(); }

 private:
  std::array<std::uint8_t, 512 + 3> perm_{};
  std::array<std::uint8_t, 512 + 3> perm12_{};  // perm_ mod 12, the gradient index.
};

}  // namespace atelier::render
