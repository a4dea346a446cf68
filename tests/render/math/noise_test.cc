#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <cstring>

#include "render/math/noise.h"

namespace atelier::render {
namespace {

TEST(SimplexNoise, StaysInMinusOneToOneAndUsesTheRange) {
  SimplexNoise n(12345);
  double lo2 = 1, hi2 = -1, lo3 = 1, hi3 = -1;
  for (int i = -200; i < 200; ++i) {
    for (int j = -50; j < 50; ++j) {
      double x = i * 0.137, y = j * 0.291;
      double v2 = n.noise2(x, y);
      double v3 = n.noise3(x, y, (i + j) * 0.073);
      ASSERT_TRUE(std::isfinite(v2) && std::isfinite(v3));
      ASSERT_GE(v2, -1.0);
      ASSERT_LE(v2, 1.0);
      ASSERT_GE(v3, -1.0);
      ASSERT_LE(v3, 1.0);
      lo2 = std::min(lo2, v2), hi2 = std::max(hi2, v2);
      lo3 = std::min(lo3, v3), hi3 = std::max(hi3, v3);
    }
  }
  // Not a constant or a tiny band: simplex noise spans most of [-1, 1].
  EXPECT_LT(lo2, -0.6);
  EXPECT_GT(hi2, 0.6);
  EXPECT_LT(lo3, -0.6);
  EXPECT_GT(hi3, 0.6);
}

// Pins noise2's exact values (FNV-1a over the bits of 2,000,000 samples, and a few samples).
// Flow fields integrate noise2, so a change in its last bit moves every curve: a rewrite for
// speed must keep these (a branch-free variant did, but was no faster and was dropped).
TEST(SimplexNoise, Noise2BitsArePinned) {
  SimplexNoise n(0x5eed);
  std::uint64_t h = 1469598103934665603ULL;
  for (int i = 0; i < 2000000; ++i) {
    const double x = (i % 2000) * 0.01713 - 7.3, y = (i / 2000) * 0.0291 - 3.1;
    const double v = n.noise2(x, y);
    std::uint64_t bits;
    std::memcpy(&bits, &v, 8);
    h = (h ^ bits) * 1099511628211ULL;
  }
  EXPECT_EQ(h, 0xd4bc641ae2dd7228ULL);
  EXPECT_EQ(n.noise2(0.25, 0.275), 0x1.00c6cb637f2b5p-3);
  EXPECT_EQ(n.noise2(1.7, 1.29), 0x1.96e9b51683ec3p-3);
  EXPECT_EQ(n.noise2(-3.9, -2.63), 0x1.ef65ee2ed054p-4);
  EXPECT_EQ(n.noise2(123.456, 86.5192), -0x1.1bbbd549eb2efp-1);
}

TEST(SimplexNoise, IsDeterministicForASeed) {
  SimplexNoise a(42), b(42);
  for (int i = 0; i < 1000; ++i) {
    double x = i * 0.731 - 300, y = i * 0.117 + 5, z = i * 0.05;
    EXPECT_EQ(a.noise2(x, y), b.noise2(x, y));
    EXPECT_EQ(a.noise3(x, y, z), b.noise3(x, y, z));
  }
}

TEST(SimplexNoise, DifferentSeedsGiveDifferentFields) {
  SimplexNoise a(1), b(2);
  int differ2 = 0, differ3 = 0;
  double diff_sum = 0;
  for (int i = 0; i < 1000; ++i) {
    double x = i * 0.37 + 0.1, y = i * 0.19 + 0.2;
    if (a.noise2(x, y) != b.noise2(x, y)) ++differ2;
    if (a.noise3(x, y, 0.5) != b.noise3(x, y, 0.5)) ++differ3;
    diff_sum += std::fabs(a.noise2(x, y) - b.noise2(x, y));
  }
  EXPECT_GT(differ2, 950);
  EXPECT_GT(differ3, 950);
  EXPECT_GT(diff_sum / 1000, 0.1);
}

TEST(SimplexNoise, IsContinuous) {
  SimplexNoise n(7);
  for (int i = 0; i < 2000; ++i) {
    double x = i * 0.0123, y = 3.3 - i * 0.007;
    EXPECT_LT(std::fabs(n.noise2(x, y) - n.noise2(x + 1e-4, y)), 0.01);
    EXPECT_LT(std::fabs(n.noise3(x, y, 1.0) - n.noise3(x, y, 1.0 + 1e-4)), 0.01);
  }
}

TEST(SimplexNoise, IsZeroAtLatticePoints) {
  // A property of simplex noise: at integer lattice points every corner contribution vanishes
  // except the one at the point itself, whose gradient dot product is zero.
  SimplexNoise n(99);
  EXPECT_EQ(n.noise2(0, 0), 0.0);
  EXPECT_EQ(n.noise3(0, 0, 0), 0.0);
  EXPECT_EQ(n.noise3(3, -2, 5), 0.0);
}

}  // namespace
}  // namespace atelier::render
