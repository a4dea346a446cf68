// det_tan, det_atan, det_atan2, det_asin, det_acos (render/math/det_math.h): within 1 ulp of the
// true values (long double as the reference) over each domain, C99 Annex F's special values
// with the right signs, tan consistent with det_sincos beyond the reduction's range, and the
// same bits as recorded — the point of them is that every CPU gives these bits.
#include <gtest/gtest.h>

#include <algorithm>
#include <bit>
#include <cerrno>
#include <cmath>
#include <cstdint>
#include <initializer_list>
#include <limits>
#include <random>
#include <sstream>
#include <string>

#include "render/math/det_math.h"
#include "render/math/det_trig.h"

namespace atelier::render::internal {
namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kMinSubnormal = std::numeric_limits<double>::denorm_min();
// det_sincos's reduction bound (2^20·π/2) and the rounded 2π it reduces larger angles by.
constexpr double kMediumMax = 1647099.3291652855;
constexpr double kTwoPiRounded = 6.283185307179586;

std::uint64_t bits(double x) { return std::bit_cast<std::uint64_t>(x); }

// |got − want| in units of the spacing of doubles in want's binade (the strict measure: just
// below a power of two the smaller spacing counts).
double ulps(double got, long double want) {
  if (std::isinf(got) || std::isnan(got)) return std::numeric_limits<double>::infinity();
  const int e = std::max(std::ilogb(want), -1022);  // −1022: subnormals' spacing is 2^-1074.
  const long double ulp = std::ldexp(1.0L, e - 52);
  return static_cast<double>(std::fabs(static_cast<long double>(got) - want) / ulp);
}

// The largest error seen and where: the failure message names the argument.
struct Worst {
  double error = 0;
  std::string where;
  void at(double error_here, double x, double y = kNaN) {
    if (!(error_here <= error)) {
      error = error_here;
      std::ostringstream s;
      s.precision(17);
      s << "x = " << x;
      if (!std::isnan(y)) s << ", y = " << y;
      where = s.str();
    }
  }
};

// The worst error and the sample count also go to --gtest_output=xml as properties.
void expect_within_one_ulp(const Worst& w, const char* name, int samples) {
  EXPECT_LT(w.error, 1.0) << name << " worst at " << w.where;
  ::testing::Test::RecordProperty(std::string(name) + "_worst_ulps", std::to_string(w.error));
  ::testing::Test::RecordProperty(std::string(name) + "_samples", samples);
}

// A random double of either sign with |x| = m·2^e, m uniform in [1, 2), e uniform in [lo, hi].
double random_magnitude(std::mt19937_64& rng, int lo, int hi) {
  const double m = std::uniform_real_distribution<double>(1.0, 2.0)(rng);
  const int e = std::uniform_int_distribution<int>(lo, hi)(rng);
  const double x = std::ldexp(m, e);
  return (rng() & 1) ? -x : x;
}

// A random subnormal of either sign.
double random_subnormal(std::mt19937_64& rng) {
  const double x = std::bit_cast<double>((rng() % 0x000fffffffffffffu) + 1);
  return (rng() & 1) ? -x : x;
}

// ---- accuracy ----

TEST(DetArcTan, TanWithinOneUlp) {
  std::mt19937_64 rng(11);
  Worst w;
  int n = 0;
  const auto check = [&](double x) {
    w.at(ulps(det_tan(x), tanl(x)), x);
    ++n;
  };
  for (int i = 0; i < 300'000; ++i) {
    const double spans[] = {0.7853981633974483, 2.0, 10.0, 1e3, 1e5, kMediumMax};
    check(std::uniform_real_distribution<double>(-spans[i % 6], spans[i % 6])(rng));
  }
  for (int i = 0; i < 50'000; ++i) check(random_magnitude(rng, -60, 19));  // Tiny to 1e6.
  for (int i = 0; i < 2'000; ++i) check(random_subnormal(rng));
  // Next to multiples of π/2, where the reduction cancels and tan passes 0 or a pole.
  for (int m = 1; m < 40'000; ++m) {
    for (double x0 : {m * 1.5707963267948966, -m * 1.5707963267948966}) {
      double up = x0, down = x0;
      for (int d = 0; d < 3;
           ++d, up = std::nextafter(up, kInf), down = std::nextafter(down, -kInf)) {
        check(up);
        check(down);
      }
    }
  }
  // Next to ±π/4 and the kernel's fold at 0.67434, either side.
  for (double edge : {0.7853981633974483, 0.6743316650390625, 2.356194490192345}) {
    double x = edge;
    for (int d = 0; d < 64; ++d) x = std::nextafter(x, -kInf);
    for (int d = 0; d < 128; ++d, x = std::nextafter(x, kInf)) {
      check(x);
      check(-x);
    }
  }
  expect_within_one_ulp(w, "tan", n);
}

// Beyond 2^20·π/2 tan reduces by the rounded 2π first, exactly as det_sincos does, so it is
// compared with the true tangent of that reduced angle, and with sin/cos.
TEST(DetArcTan, TanBeyondTheReductionRangeMatchesSinCos) {
  std::mt19937_64 rng(12);
  Worst w;
  int n = 0;
  for (int i = 0; i < 50'000; ++i) {
    const double x = random_magnitude(rng, 21, 1023);
    const double reduced = std::remainder(x, kTwoPiRounded);  // Exact.
    EXPECT_EQ(bits(det_tan(x)), bits(det_tan(reduced))) << x;
    w.at(ulps(det_tan(x), tanl(reduced)), x);
    ++n;
    double s, c;
    det_sincos(x, s, c);
    const double t = det_tan(x);
    EXPECT_EQ(std::signbit(t), std::signbit(s) != std::signbit(c)) << x;
    EXPECT_LE(std::fabs(t - s / c), 4 * std::numeric_limits<double>::epsilon() * std::fabs(t)) << x;
  }
  for (double x = kMediumMax; x < kMediumMax * 1.0001; x = std::nextafter(x, kInf) + 1e-3) {
    w.at(ulps(det_tan(x), tanl(std::remainder(x, kTwoPiRounded))), x);
    ++n;
  }
  expect_within_one_ulp(w, "tan_large", n);
}

TEST(DetArcTan, AtanWithinOneUlp) {
  std::mt19937_64 rng(13);
  Worst w;
  int n = 0;
  const auto check = [&](double x) {
    w.at(ulps(det_atan(x), atanl(x)), x);
    ++n;
  };
  for (int i = 0; i < 200'000; ++i) check(std::uniform_real_distribution<double>(-3.0, 3.0)(rng));
  for (int i = 0; i < 200'000; ++i) check(random_magnitude(rng, -40, 70));
  for (int i = 0; i < 2'000; ++i) check(random_subnormal(rng));
  // Either side of each interval edge: 2^-29, 7/16, 11/16, 19/16, 39/16, 2^66.
  for (double edge : {0x1p-29, 0.4375, 0.6875, 1.1875, 2.4375, 0x1p66}) {
    double x = edge;
    for (int d = 0; d < 64; ++d) x = std::nextafter(x, -kInf);
    for (int d = 0; d < 128; ++d, x = std::nextafter(x, kInf)) {
      check(x);
      check(-x);
    }
  }
  expect_within_one_ulp(w, "atan", n);
}

TEST(DetArcTan, Atan2WithinOneUlp) {
  std::mt19937_64 rng(14);
  Worst w;
  int n = 0;
  const auto check = [&](double y, double x) {
    w.at(ulps(det_atan2(y, x), atan2l(y, x)), x, y);
    ++n;
  };
  for (int i = 0; i < 200'000; ++i) {  // All quadrants, moderate ratios.
    std::uniform_real_distribution<double> u(-4.0, 4.0);
    check(u(rng), u(rng));
  }
  for (int i = 0; i < 200'000; ++i) {  // Wide magnitude ratios, through the |y/x| ≷ 2^±60 cuts.
    const double x = random_magnitude(rng, -200, 200);
    const int spread = (i % 3 == 0) ? 80 : 8;
    const double y = x * random_magnitude(rng, -spread, spread);
    check(y, x);
  }
  for (int i = 0; i < 20'000; ++i) {  // Subnormals on either side, and both.
    const double s = random_subnormal(rng);
    const double other = (i % 3 == 2) ? random_subnormal(rng) : random_magnitude(rng, -1022, -900);
    if (i % 2) {
      check(s, other);
    } else {
      check(other, s);
    }
  }
  for (int i = 0; i < 10'000; ++i) check(random_magnitude(rng, -30, 30), 1.0);  // atan(y) path.
  expect_within_one_ulp(w, "atan2", n);
}

TEST(DetArcTan, AsinAcosWithinOneUlp) {
  std::mt19937_64 rng(15);
  Worst ws, wc;
  int n = 0;
  const auto check = [&](double x) {
    ws.at(ulps(det_asin(x), asinl(x)), x);
    wc.at(ulps(det_acos(x), acosl(x)), x);
    ++n;
  };
  for (int i = 0; i < 300'000; ++i) check(std::uniform_real_distribution<double>(-1.0, 1.0)(rng));
  for (int i = 0; i < 100'000; ++i) check(random_magnitude(rng, -70, -1));  // Tiny to 1/2.
  for (int i = 0; i < 100'000; ++i) {  // Near ±1: 1 − 2^e·m down to the last ulp.
    const double d = std::fabs(random_magnitude(rng, -53, -2));
    const double x = 1.0 - d;
    check((i & 1) ? -x : x);
  }
  for (int i = 0; i < 2'000; ++i) check(random_subnormal(rng));
  // Either side of each branch edge: 2^-57, 2^-27, 0.5, 0.975, and the last doubles below 1.
  for (double edge : {0x1p-57, 0x1p-27, 0.5, 0x1.f3333p-1, 1.0}) {
    double x = edge;
    for (int d = 0; d < 64; ++d) x = std::nextafter(x, -kInf);
    for (int d = 0; d < 128 && x < 1.0; ++d, x = std::nextafter(x, kInf)) {
      check(x);
      check(-x);
    }
  }
  expect_within_one_ulp(ws, "asin", n);
  expect_within_one_ulp(wc, "acos", n);
}

// ---- special values (C99 Annex F) ----

constexpr std::uint64_t kPio2Bits = 0x3ff921fb54442d18u, kPio4Bits = 0x3fe921fb54442d18u;
constexpr std::uint64_t kPiBits = 0x400921fb54442d18u, k3Pio4Bits = 0x4002d97c7f3321d2u;
constexpr std::uint64_t kSign = 0x8000000000000000u;

TEST(DetArcTan, TanSpecialValues) {
  EXPECT_EQ(bits(det_tan(0.0)), bits(0.0));
  EXPECT_EQ(bits(det_tan(-0.0)), bits(-0.0));
  EXPECT_TRUE(std::isnan(det_tan(kInf)));
  EXPECT_TRUE(std::isnan(det_tan(-kInf)));
  EXPECT_TRUE(std::isnan(det_tan(kNaN)));
  for (double x : {1e-300, -1e-300, kMinSubnormal, -kMinSubnormal, 0x1.fffffffffffffp-29}) {
    EXPECT_EQ(bits(det_tan(x)), bits(x)) << x;  // tan(x) rounds to x.
  }
  // A multiple of the rounded 2π reduces to a signed zero, as sine does in det_sincos.
  EXPECT_EQ(bits(det_tan(kTwoPiRounded * 0x1p20)), bits(0.0));
  EXPECT_EQ(bits(det_tan(-kTwoPiRounded * 0x1p20)), bits(-0.0));
  // Odd: tan(−x) = −tan(x), in every quadrant.
  for (double x : {0.3, 0.7, 1.0, 1.5, 2.0, 3.0, 4.0, 5.5, 1e4, 1e7, 1e300}) {
    EXPECT_EQ(bits(det_tan(-x)), bits(det_tan(x)) ^ kSign) << x;
  }
  // The sign in each quadrant.
  EXPECT_GT(det_tan(1.5707963267948966), 0.0);  // Just below π/2: huge positive.
  EXPECT_LT(det_tan(1.5707963267948968), 0.0);  // Just above.
  EXPECT_LT(det_tan(3.1415926535897931), 0.0);  // Just below π.
  EXPECT_GT(det_tan(3.1415926535897936), 0.0);  // Just above.
}

TEST(DetArcTan, AtanSpecialValues) {
  EXPECT_EQ(bits(det_atan(0.0)), bits(0.0));
  EXPECT_EQ(bits(det_atan(-0.0)), bits(-0.0));
  EXPECT_EQ(bits(det_atan(kInf)), kPio2Bits);
  EXPECT_EQ(bits(det_atan(-kInf)), kPio2Bits | kSign);
  EXPECT_EQ(bits(det_atan(0x1p66)), kPio2Bits);
  EXPECT_EQ(bits(det_atan(-1e300)), kPio2Bits | kSign);
  EXPECT_EQ(bits(det_atan(1.0)), kPio4Bits);
  EXPECT_EQ(bits(det_atan(-1.0)), kPio4Bits | kSign);
  EXPECT_TRUE(std::isnan(det_atan(kNaN)));
  for (double x : {1e-300, -1e-300, kMinSubnormal, -kMinSubnormal, 0x1.fffffffffffffp-30}) {
    EXPECT_EQ(bits(det_atan(x)), bits(x)) << x;
  }
  for (double x : {0.1, 0.5, 0.9, 1.3, 2.0, 10.0, 1e20}) {
    EXPECT_EQ(bits(det_atan(-x)), bits(det_atan(x)) ^ kSign) << x;
  }
}

TEST(DetArcTan, Atan2SpecialValues) {
  struct Case {
    double y, x;
    std::uint64_t want;
  };
  for (const Case& c : {
           // y = ±0: ±0 toward +x (x = +0 included), ±π toward −x (x = −0 included).
           Case{0.0, 0.0, bits(0.0)}, Case{-0.0, 0.0, bits(-0.0)},
           Case{0.0, -0.0, kPiBits}, Case{-0.0, -0.0, kPiBits | kSign},
           Case{0.0, 5.0, bits(0.0)}, Case{-0.0, 5.0, bits(-0.0)},
           Case{0.0, -5.0, kPiBits}, Case{-0.0, -5.0, kPiBits | kSign},
           Case{0.0, kInf, bits(0.0)}, Case{-0.0, -kInf, kPiBits | kSign},
           Case{0.0, kMinSubnormal, bits(0.0)}, Case{-0.0, -kMinSubnormal, kPiBits | kSign},
           // x = ±0, y ≠ 0: ±π/2.
           Case{3.0, 0.0, kPio2Bits}, Case{3.0, -0.0, kPio2Bits},
           Case{-3.0, 0.0, kPio2Bits | kSign}, Case{-3.0, -0.0, kPio2Bits | kSign},
           Case{kMinSubnormal, -0.0, kPio2Bits},
           // Infinities.
           Case{kInf, kInf, kPio4Bits}, Case{-kInf, kInf, kPio4Bits | kSign},
           Case{kInf, -kInf, k3Pio4Bits}, Case{-kInf, -kInf, k3Pio4Bits | kSign},
           Case{2.0, kInf, bits(0.0)}, Case{-2.0, kInf, bits(-0.0)},
           Case{2.0, -kInf, kPiBits}, Case{-2.0, -kInf, kPiBits | kSign},
           Case{kInf, 2.0, kPio2Bits}, Case{kInf, -2.0, kPio2Bits}, Case{kInf, 0.0, kPio2Bits},
           Case{-kInf, 2.0, kPio2Bits | kSign}, Case{-kInf, -0.0, kPio2Bits | kSign},
           // The diagonals and axes' neighbours.
           Case{1.0, 1.0, kPio4Bits}, Case{-1.0, 1.0, kPio4Bits | kSign},
           Case{7.0, -7.0, k3Pio4Bits}, Case{-7.0, -7.0, k3Pio4Bits | kSign},
           Case{1e300, 1e-300, kPio2Bits}, Case{-1e300, -1e-300, kPio2Bits | kSign},
           Case{1e-300, -1e300, kPiBits}, Case{-1e-300, -1e300, kPiBits | kSign},
           Case{-1e-300, 1e300, bits(-0.0)},  // Underflows to −0.
       }) {
    EXPECT_EQ(bits(det_atan2(c.y, c.x)), c.want) << "atan2(" << c.y << ", " << c.x << ")";
  }
  for (double v : {0.0, -0.0, 1.0, -1.0, kInf, -kInf, kNaN}) {
    EXPECT_TRUE(std::isnan(det_atan2(kNaN, v))) << v;
    EXPECT_TRUE(std::isnan(det_atan2(v, kNaN))) << v;
  }
  for (double y : {0.3, -2.0, 1e-10, 1e100})
    EXPECT_EQ(bits(det_atan2(y, 1.0)), bits(det_atan(y))) << y;
}

TEST(DetArcTan, AsinAcosSpecialValues) {
  EXPECT_EQ(bits(det_asin(0.0)), bits(0.0));
  EXPECT_EQ(bits(det_asin(-0.0)), bits(-0.0));
  EXPECT_EQ(bits(det_asin(1.0)), kPio2Bits);
  EXPECT_EQ(bits(det_asin(-1.0)), kPio2Bits | kSign);
  EXPECT_EQ(bits(det_acos(1.0)), bits(0.0));  // +0, not −0.
  EXPECT_EQ(bits(det_acos(-1.0)), kPiBits);
  EXPECT_EQ(bits(det_acos(0.0)), kPio2Bits);
  EXPECT_EQ(bits(det_acos(-0.0)), kPio2Bits);
  EXPECT_EQ(bits(det_acos(0x1p-60)), kPio2Bits);
  EXPECT_EQ(bits(det_acos(kMinSubnormal)), kPio2Bits);
  for (double x : {1.0000000000000002, -1.0000000000000002, 2.0, -2.0, 1e300, kInf, -kInf, kNaN}) {
    EXPECT_TRUE(std::isnan(det_asin(x))) << x;
    EXPECT_TRUE(std::isnan(det_acos(x))) << x;
  }
  for (double x : {1e-300, -1e-300, kMinSubnormal, -kMinSubnormal, 0x1.fffffffffffffp-28}) {
    EXPECT_EQ(bits(det_asin(x)), bits(x)) << x;
  }
  for (double x : {0.1, 0.5, 0.7, 0.98, 0.9999999999999999}) {
    EXPECT_EQ(bits(det_asin(-x)), bits(det_asin(x)) ^ kSign) << x;
  }
}

TEST(DetArcTan, DoNotSetErrno) {
  errno = 0;
  for (double x : {2.0, -kInf, kInf, kNaN, 0.0, -0.0, 1e300, kMinSubnormal}) {
    (void)det_tan(x), (void)det_atan(x), (void)det_asin(x), (void)det_acos(x);
    for (double y : {0.0, -0.0, -1.0, kInf, kNaN, kMinSubnormal}) (void)det_atan2(y, x);
  }
  EXPECT_EQ(errno, 0);
}

// ---- recorded bits ----

TEST(DetArcTan, RecordedBits) {
  // Computed by this implementation on the development machine; any x86-64 CPU must agree.
  // Most are chosen where the result is not the correctly rounded one (then it is one ulp
  // away, as glibc's is noted) so that they pin this algorithm, not just a good one.
  // tan(1e10) shows the reduction by the rounded 2π: glibc's is 0xbfe1de000f443f50.
  struct Case {
    const char* name;
    double got;
    std::uint64_t want;
  };
  for (const Case& c : {
           Case{"tan(0.5)", det_tan(0.5), 0x3fe17b4f5bf3474au},
           Case{"tan(7)", det_tan(7.0), 0x3febe2e6e13eea78u},        // glibc …79
           Case{"tan(2.2)", det_tan(2.2), 0xbff5fb2de2b500ecu},      // glibc …eb
           Case{"tan(-1e5)", det_tan(-1e5), 0x3fa250a9d503313du},
           Case{"tan(1e10)", det_tan(1e10), 0xbfe1ddfefcbda088u},
           Case{"atan(0.23)", det_atan(0.23), 0x3fccefcf168bed02u},  // glibc …03
           Case{"atan(0.87)", det_atan(0.87), 0x3fe6e9663294a098u},  // glibc …97
           Case{"atan(-3)", det_atan(-3.0), 0xbff3fc176b7a8560u},
           // Just above 11/16, where fdlibm reduces around atan(1) rather than atan(1/2).
           Case{"atan(0.6895)", det_atan(0.6895), 0x3fe3510d935750f6u},
           Case{"atan2(1.2, 3)", det_atan2(1.2, 3.0), 0x3fd85a376b677dc0u},     // glibc …bf
           Case{"atan2(1.15, -1.5)", det_atan2(1.15, -1.5), 0x4003e66b9b124524u},  // glibc …25
           Case{"atan2(-3, -0.5)", det_atan2(-3.0, -0.5), 0xbffbc66e44cbc074u},
           Case{"asin(0.32)", det_asin(0.32), 0x3fd4d8c07dd17d7cu},  // glibc …7d
           Case{"asin(-0.99)", det_asin(-0.99), 0xbff6de3c6f33d51du},
           Case{"acos(-0.94)", det_acos(-0.94), 0x400658f00fec9c14u},  // glibc …15
           Case{"acos(0.6)", det_acos(0.6), 0x3fedac670561bb50u},
       }) {
    EXPECT_EQ(bits(c.got), c.want) << c.name << std::hex << " got 0x" << bits(c.got);
  }
}

}  // namespace
}  // namespace atelier::render::internal
