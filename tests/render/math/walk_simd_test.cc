// The AVX2 flow-field walk (render/math/internal/avx2_math.h, render/math/flow_walk.h) against
// the scalar code it mirrors: det_sincos4 and noise2x4 lane by lane, then whole lockstep walks
// point by point, all compared as bits. Renders must not depend on which path a CPU takes.
#include <gtest/gtest.h>

#if defined(__x86_64__)

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstdint>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include "render/internal/cpu.h"
#include "render/math/det_trig.h"
#include "render/math/flow_walk.h"
#include "render/math/internal/avx2_math.h"
#include "render/math/noise.h"

namespace atelier::render::internal {
namespace {

std::uint64_t bits(double v) { return std::bit_cast<std::uint64_t>(v); }

[[gnu::target("avx2")]] void sincos4(const double* x, double* s, double* c) {
  __m256d vs, vc;
  det_sincos4(_mm256_loadu_pd(x), vs, vc);
  _mm256_storeu_pd(s, vs);
  _mm256_storeu_pd(c, vc);
}

[[gnu::target("avx2")]] void noise4(const SimplexNoise& n, const double* x, const double* y,
                                    double* out) {
  _mm256_storeu_pd(out, noise2x4(n, _mm256_loadu_pd(x), _mm256_loadu_pd(y)));
}

// Runs `inputs` through det_sincos4 four at a time (a lane for each input in turn, so slow
// and fast lanes share vectors) and expects det_sincos's bits on every lane.
void expect_sincos_matches(const std::vector<double>& inputs) {
  for (std::size_t i = 0; i + 4 <= inputs.size(); ++i) {  // Every window: each input in each lane.
    double s[4], c[4];
    sincos4(&inputs[i], s, c);
    for (int l = 0; l < 4; ++l) {
      double ws, wc;
      det_sincos(inputs[i + l], ws, wc);
      ASSERT_EQ(bits(s[l]), bits(ws))
          << "sin lane " << l << " of x = " << std::hexfloat << inputs[i + l];
      ASSERT_EQ(bits(c[l]), bits(wc))
          << "cos lane " << l << " of x = " << std::hexfloat << inputs[i + l];
    }
  }
}

TEST(WalkSimd, Sincos4IsDetSincosOnEveryLane) {
  if (!use_avx2()) GTEST_SKIP() << "no AVX2 on this CPU";
  std::mt19937_64 rng(11);
  std::vector<double> xs;
  for (int i = 0; i < 200'000; ++i) {
    const double spans[] = {0.8, 7, 1e3, 1.6e6};
    double x = std::uniform_real_distribution<double>(-spans[i % 4], spans[i % 4])(rng);
    if (i % 5 == 0) x = std::ldexp(x, -static_cast<int>(rng() % 1100));  // Tiny, down to subnormal.
    xs.push_back(x);
  }
  // Next to multiples of π/2, where the reduction cancels and the lane goes to the scalar
  // code, and the edge of the medium range (2^20·π/2) on both sides.
  for (int m = -3000; m < 3000; m += 7) {
    double x = m * 1.5707963267948966;
    for (int d = 0; d < 3; ++d, x = std::nextafter(x, INFINITY))
      xs.push_back(x), xs.push_back(xs.back() * 0.5);
  }
  for (double x = 1647099.3291652855 - 1e-9; x < 1647099.3291652855 + 1e-9;
       x = std::nextafter(x, INFINITY)) {
    if (xs.size() % 64 == 0) xs.push_back(-x);
    xs.push_back(x);
  }
  for (double x :
       {0.0, -0.0, 4.9e-324, -4.9e-324, 0.7853981633974483, 2.356194490192345, 1e7, -3e9, 1e300,
        -1e300, std::numeric_limits<double>::max(), std::numeric_limits<double>::infinity(),
        -std::numeric_limits<double>::infinity(), std::numeric_limits<double>::quiet_NaN(), 2.5,
        1e5}) {
    xs.push_back(x);
    xs.push_back(0.5);  // Mixed with an ordinary lane.
  }
  std::shuffle(xs.begin() + 200'000, xs.end(), rng);
  expect_sincos_matches(xs);
}

TEST(WalkSimd, Noise2x4IsNoise2OnEveryLane) {
  if (!use_avx2()) GTEST_SKIP() << "no AVX2 on this CPU";
  std::mt19937_64 rng(12);
  for (std::uint64_t seed : {1234ull, 0x5eedull, 99ull}) {
    const SimplexNoise noise(seed);
    std::vector<double> xs, ys;
    for (int i = 0; i < 100'000; ++i) {
      // Small, and past the vector path's ±2^29 into noise2's own lanes, up to the 1e12 a
      // field's frequency and offset allow (where noise2's ints are out of range, as they are).
      const double spans[] = {1, 30, 1e4, 1e6, 5.3e8, 5.4e8, 1e9, 3e9, 1e12};
      const double span = spans[i % 9];
      std::uniform_real_distribution<double> u(-span, span);
      double x = u(rng), y = u(rng);
      if (i % 11 == 0) x = std::round(x), y = std::round(y * 4) / 4;  // On lattice lines.
      if (i % 13 == 0) x = std::ldexp(x, -static_cast<int>(rng() % 80));
      xs.push_back(x), ys.push_back(y);
    }
    for (double v : {0.0, -0.0, 536870912.0, -536870912.0, std::nextafter(536870912.0, 0.0), 0.5,
                     -1.0, -2.2e9}) {
      xs.push_back(v), ys.push_back(0.25), xs.push_back(0.25), ys.push_back(v), xs.push_back(v),
          ys.push_back(v);
    }
    for (std::size_t i = 0; i + 4 <= xs.size(); i += (i < 4000 ? 1 : 4)) {
      double out[4];
      noise4(noise, &xs[i], &ys[i], out);
      for (int l = 0; l < 4; ++l) {
        ASSERT_EQ(bits(out[l]), bits(noise.noise2(xs[i + l], ys[i + l])))
            << "lane " << l << " of (" << std::hexfloat << xs[i + l] << ", " << ys[i + l]
            << ") seed " << seed;
      }
    }
  }
}

// One lockstep group walked on each path; expects the same points, bit for bit.
void expect_walks_match(const FlowField& f, double step_len, const WalkBounds& b,
                        std::int64_t steps, const std::vector<double>& starts,
                        const std::string& what) {
  const int m = static_cast<int>(starts.size() / 2);
  std::vector<double> xy[2][kLockstep];
  std::size_t len[2][kLockstep] = {};
  for (int simd = 0; simd < 2; ++simd) {
    ScopedSimd path(simd == 1);
    walk_lockstep(f, step_len, b, steps, starts.data(), m, xy[simd], len[simd]);
  }
  for (int j = 0; j < m; ++j) {
    ASSERT_EQ(len[1][j], len[0][j]) << what << ", walk " << j;
    for (std::size_t i = 0; i < len[0][j]; ++i) {
      ASSERT_EQ(bits(xy[1][j][i]), bits(xy[0][j][i]))
          << what << ", walk " << j << ", coordinate " << i;
    }
  }
}

TEST(WalkSimd, LockstepWalksAreTheScalarWalks) {
  if (!use_avx2()) GTEST_SKIP() << "no AVX2 on this CPU";
  const SimplexNoise noise(1234);
  // noise, frequency, lacunarity, gain, angle, base, ox, oy, z, warp, warp_frequency, octaves,
  // use_z
  const FlowField plain{&noise, 2.2, 2, 0.5, 6.2831853, 0, 0, 0, 0, 0, 0.8, 1, false};
  const FlowField turned{&noise, 1.3, 2, 0.5,  6.283185307179586, 0.25, -3.5, 17, 0,
                         0,      0.8, 1, false};
  const FlowField fine{&noise, 1e6, 2, 0.5, 40, -2, 0, 0, 0, 0, 0.8, 1, false};
  const FlowField huge_angle{&noise, 0.7, 2, 0.5, 1e6, 1e6,  0,
                             0,      0,   0, 0.8, 1,   false};  // sincos past 2^20·π/2.
  const FlowField due_north{&noise, 1, 2,   0.5, 0,    1.5707963267948966, 0, 0,
                            0,      0, 0.8, 1,   false};  // Cancels.
  const FlowField octaves{&noise, 2, 2, 0.5, 6.28, 0,    0,
                          0,      0, 0, 0.8, 3,    false};  // Scalar on both paths.
  const FlowField warped{&noise, 2, 2, 0.5, 6.28, 0, 0, 0, 0, 0.5, 0.8, 1, false};
  const WalkBounds open{-1e9, -1e9, 1e9, 1e9}, box{0.1, 0.1, 0.9, 0.9};
  std::mt19937_64 rng(13);
  std::uniform_real_distribution<double> u(0.1, 0.9);
  for (int m = 1; m <= kLockstep; ++m) {
    std::vector<double> starts;
    for (int j = 0; j < m; ++j) starts.push_back(u(rng)), starts.push_back(u(rng));
    const std::string tag = std::to_string(m) + " walks";
    expect_walks_match(plain, 0.004, open, 500, starts, "plain, " + tag);
    expect_walks_match(plain, 0.01, box, 400, starts,
                       "plain in a box (walks stop at different steps), " + tag);
    expect_walks_match(turned, 0.02, box, 300, starts, "offset field, " + tag);
    expect_walks_match(fine, 1e-4, open, 300, starts, "fine field, " + tag);
    expect_walks_match(huge_angle, 0.01, open, 300, starts, "huge angles, " + tag);
    expect_walks_match(due_north, 0.01, open, 50, starts, "angle next to π/2, " + tag);
    expect_walks_match(octaves, 0.01, box, 200, starts, "three octaves, " + tag);
    expect_walks_match(warped, 0.01, box, 200, starts, "warped, " + tag);
    expect_walks_match(plain, 0.01, open, 0, starts, "no steps, " + tag);
  }
  // Walks that cross ±1e6, where wrap_coordinate takes the fmod, beside ordinary ones; and
  // steps so long that a walk overflows to infinity inside infinite bounds.
  const WalkBounds everywhere{-INFINITY, -INFINITY, INFINITY, INFINITY};
  expect_walks_match(plain, 3000, open, 400,
                     {999'000, -998'500, 0.5, 0.5, -999'900, 12, 0.3, 999'999.5}, "±1e6");
  // Noise coordinates either side of ±2^29 (536.870912 · 1e6), where noise2x4 hands lanes to
  // noise2.
  expect_walks_match(fine, 0.003, open, 300,
                     {536.8, 536.9, -536.87, 537, 600, -600, 0.5, 536.870912}, "2^29");
  expect_walks_match(plain, 1e307, everywhere, 20, {0.5, 0.5, 0.2, 0.3, 0.9, 0.1, 0.4, 0.6},
                     "overflow");
}

}  // namespace
}  // namespace atelier::render::internal

#endif  // __x86_64__
