// det_trig.h — sine and cosine that give the same bits on every x86-64 CPU.
//
// glibc picks its sin/cos implementation per CPU at run time (with and without FMA), so the
// last bit of a result may differ between machines — and a flow-field walk feeds each result
// into the next step, so one bit can move a curve. These follow fdlibm's algorithm (Sun
// Microsystems, 1993; the version FreeBSD and musl carry): Cody–Waite reduction by π/2 in up
// to three rounds (exact enough for |x| < 2^20·π/2), then degree-13/14 minimax polynomials on
// [−π/4, π/4]. Error below 1 ulp (tested against long double). Every operation is a plain
// IEEE double operation and the project builds with -ffp-contract=off, so the bits depend on
// the input alone.
//
// Beyond |x| ≥ 2^20·π/2 (about 1.6e6 radians) the angle is first reduced with std::remainder
// by 2π rounded to a double: exact and deterministic, but off from the true sine by up to
// |x|·1e-16 — angles that large carry no meaningful fraction of a turn anyway.
#pragma once

#include <bit>
#include <cmath>
#include <cstdint>

namespace atelier::render::internal {

namespace det_trig {

// fdlibm's minimax coefficients (k_sin.c, k_cos.c); the AVX2 kernels (internal/avx2_math.h) use the
// same names.
constexpr double S1 = -1.66666666666666324348e-01, S2 = 8.33333333332248946124e-03,
                 S3 = -1.98412698298579493134e-04, S4 = 2.75573137070700676789e-06,
                 S5 = -2.50507602534068634195e-08, S6 = 1.58969099521155010221e-10;
constexpr double C1 = 4.16666666666666019037e-02, C2 = -1.38888888888741095749e-03,
                 C3 = 2.48015872894767294178e-05, C4 = -2.75573143513906633035e-07,
                 C5 = 2.08757232129817482790e-09, C6 = -1.13596475577881948265e-11;
// Cody–Waite reduction by π/2: 2/π, π/2 in three parts and their tails, 1.5 · 2^52.
constexpr double kInvPio2 = 6.36619772367581382433e-01;
constexpr double kPio2_1 = 1.57079632673412561417e+00, kPio2_1t = 6.07710050650619224932e-11;
constexpr double kPio2_2 = 6.07710050630396597660e-11, kPio2_2t = 2.02226624879595063154e-21;
constexpr double kPio2_3 = 2.02226624871116645580e-21, kPio2_3t = 8.47842766036889956997e-32;
constexpr double kToInt = 6755399441055744.0;  // Adding it rounds to an integer.
// Beyond kMediumMax = 2^20·π/2 angles are first reduced by 2π rounded to a double (see above).
constexpr double kMediumMax = 1647099.3291652855;
constexpr double kTwoPiRounded = 6.283185307179586;

inline double kernel_sin(double x, double y) {
  const double z = x * x, w = z * z;
  const double r = S2 + z * (S3 + z * S4) + z * w * (S5 + z * S6);
  const double v = z * x;
  return x - ((z * (0.5 * y - v * r) - y) - v * S1);
}

inline double kernel_cos(double x, double y) {
  const double z = x * x, w = z * z;
  const double r = z * (C1 + z * (C2 + z * C3)) + w * w * (C4 + z * (C5 + z * C6));
  const double hz = 0.5 * z;
  const double one_minus = 1.0 - hz;
  return one_minus + (((1.0 - one_minus) - hz) + (z * r - x * y));
}

inline int exponent_of(double x) {
  return static_cast<int>((std::bit_cast<std::uint64_t>(x) >> 52) & 0x7ff);
}

// x = n·π/2 + (y0 + y1), |y0 + y1| ≤ π/4 (a little more at the rounding edge); returns n.
inline std::int64_t reduce(double x, double& y0, double& y1) {
  const double fn = (x * kInvPio2 + kToInt) - kToInt;
  const auto n = static_cast<std::int64_t>(fn);
  double r = x - fn * kPio2_1;
  double w = fn * kPio2_1t;  // First round: good to 85 bits.
  const int e = exponent_of(x);
  y0 = r - w;
  if (e - exponent_of(y0) > 16) {  // Cancellation: second round, good to 118 bits.
    double t = r;
    w = fn * kPio2_2;
    r = t - w;
    w = fn * kPio2_2t - ((t - r) - w);
    y0 = r - w;
    if (e - exponent_of(y0) > 49) {  // Third round, good to 151 bits.
      t = r;
      w = fn * kPio2_3;
      r = t - w;
      w = fn * kPio2_3t - ((t - r) - w);
      y0 = r - w;
    }
  }
  y1 = (r - y0) - w;
  return n;
}

}  // namespace det_trig

// sin(x) and cos(x); NaN for non-finite x. Branch-free on the common path (a walk's angles
// land in any quadrant, which a branch would mispredict): the kernels run on the reduced
// angle and the quadrant picks and signs their results with bit masks.
[[gnu::always_inline]] inline void det_sincos(double x, double& s, double& c) {
  if (!std::isfinite(x)) {
    s = c = x - x;
    return;
  }
  if (std::fabs(x) >= det_trig::kMediumMax)
    x = std::remainder(x, det_trig::kTwoPiRounded);  // Exact; see above.
  double y0, y1;
  const std::int64_t n = det_trig::reduce(x, y0, y1);  // n = 0, y0 = x, y1 = 0 for |x| ≤ π/4.
  const auto ks = std::bit_cast<std::uint64_t>(det_trig::kernel_sin(y0, y1));
  const auto kc = std::bit_cast<std::uint64_t>(det_trig::kernel_cos(y0, y1));
  // Quadrant n: (sin, cos) = (ks, kc), (kc, −ks), (−ks, −kc), (−kc, ks).
  const std::uint64_t swap = 0 - static_cast<std::uint64_t>(n & 1);
  const std::uint64_t s_bits = (ks & ~swap) | (kc & swap), c_bits = (kc & ~swap) | (ks & swap);
  const auto sign = [](std::int64_t bit) { return static_cast<std::uint64_t>(bit & 1) << 63; };
  s = std::bit_cast<double>(s_bits ^ sign(n >> 1));
  c = std::bit_cast<double>(c_bits ^ sign((n + 1) >> 1));
}

}  // namespace atelier::render::internal
