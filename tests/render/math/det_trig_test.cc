// det_sincos (src/render/math/det_trig.h): within 1 ulp of the true sine and cosine (long
// double as the reference), exact signs and special values, and the same bits as recorded —
// the point of it is that every CPU gives these bits.
#include "render/math/det_trig.h"

#include <gtest/gtest.h>

#include <bit>
#include <cmath>
#include <cstdint>
#include <initializer_list>
#include <random>

namespace atelier::render::internal {
namespace {

double ulps(double got, long double want) {
  const double w = static_cast<double>(want);
  const double ulp = w == 0 ? 4.9e-324 : std::nextafter(std::fabs(w), INFINITY) - std::fabs(w);
  return static_cast<double>(std::fabs(static_cast<long double>(got) - want) / ulp);
}

TEST(DetTrig, WithinOneUlpOverTheRangesWalksUse) {
  std::mt19937_64 rng(7);
  double worst = 0;
  for (int i = 0; i < 400'000; ++i) {
    const double spans[] = {7, 1e3, 1.6e6};
    double x = std::uniform_real_distribution<double>(-spans[i % 3], spans[i % 3])(rng);
    if (i % 7 == 0) x = std::ldexp(x, -static_cast<int>(rng() % 60));
    double s, c;
    det_sincos(x, s, c);
    worst = std::max({worst, ulps(s, sinl(x)), ulps(c, cosl(x))});
  }
  for (int m = 1; m < 20'000; ++m) {  // Next to multiples of π/2, where reduction cancels.
    double x = m * 1.5707963267948966;
    for (int d = 0; d < 3; ++d, x = std::nextafter(x, INFINITY)) {
      double s, c;
      det_sincos(x, s, c);
      worst = std::max({worst, ulps(s, sinl(x)), ulps(c, cosl(x))});
    }
  }
  EXPECT_LT(worst, 1.0);
}

TEST(DetTrig, SpecialValuesAndSigns) {
  double s, c;
  det_sincos(0.0, s, c);
  EXPECT_EQ(std::bit_cast<std::uint64_t>(s), std::bit_cast<std::uint64_t>(0.0));
  EXPECT_EQ(c, 1.0);
  det_sincos(-0.0, s, c);
  EXPECT_TRUE(std::signbit(s));
  det_sincos(INFINITY, s, c);
  EXPECT_TRUE(std::isnan(s) && std::isnan(c));
  det_sincos(NAN, s, c);
  EXPECT_TRUE(std::isnan(s) && std::isnan(c));
  for (double x : {1.0, 2.0, 3.0, 4.0, 5.0, 6.0, -1.0, -2.5, 100.0, 1e5}) {
    det_sincos(x, s, c);
    EXPECT_EQ(std::signbit(s), std::signbit(std::sin(x))) << x;
    EXPECT_EQ(std::signbit(c), std::signbit(std::cos(x))) << x;
  }
  det_sincos(1e300, s, c);  // Beyond the reduction's range: still finite and on the circle.
  EXPECT_NEAR(s * s + c * c, 1.0, 1e-15);
}

TEST(DetTrig, RecordedBits) {
  // Computed by this implementation on the development machine; any x86-64 CPU must agree.
  // (glibc's sin(2.5) is one ulp away: 0x3fe326af0dcfcab1.)
  struct Case {
    double x;
    std::uint64_t sin_bits, cos_bits;
  };
  for (const Case& k : {Case{2.5, 0x3fe326af0dcfcab0u, 0xbfe9a2f7ef858b7du},
                        Case{1e5, 0x3fa24daa9c527e96u, 0xbfeffac3841b3da7u},
                        Case{-0.7, 0xbfe49d6e694619b8u, 0x3fe87996529f9d93u}}) {
    double s, c;
    det_sincos(k.x, s, c);
    EXPECT_EQ(std::bit_cast<std::uint64_t>(s), k.sin_bits) << k.x;
    EXPECT_EQ(std::bit_cast<std::uint64_t>(c), k.cos_bits) << k.x;
  }
}

}  // namespace
}  // namespace atelier::render::internal
