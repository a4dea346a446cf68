// noise.h — seeded 2-D and 3-D simplex noise (Gustavson's formulation), in [-1, 1].
// The permutation table is shuffled from a seed derived from the token hash, so each token
// has its own field; all arithmetic is plain double math (no FMA: -ffp-contract=off).
#pragma once

#include <array>
#include <cstdint>

namespace atelier::render {

class SimplexNoise {
 public:
  explicit SimplexNoise(std::uint64_t seed);
  double noise2(double x, double y) const;
  double noise3(double x, double y, double z) const;

 private:
  std::array<std::uint8_t, 512> perm_;
  std::array<std::uint8_t, 512> perm12_;  // perm_ mod 12, the gradient index.
};

}  // namespace atelier::render
