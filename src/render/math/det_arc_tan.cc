// det_arc_tan.cc — tan, atan, atan2, asin and acos with the same bits on every CPU
// (det_math.h).
//
// Ports of fdlibm's algorithms (Sun Microsystems, 1993/2004, as FreeBSD's msun carries them:
// k_tan.c and s_tan.c, s_atan.c, e_atan2.c, e_asin.c, e_acos.c): the same reductions, minimax
// coefficients and evaluation order, so the results are fdlibm's bit for bit (errors below
// 1 ulp) — except atan2's, which keeps two rounding errors fdlibm's drops (see det_atan2).
// fdlibm tests high words of the IEEE representation; the thresholds here are the doubles those
// tests compare against, written as hexadecimal literals so they are exact. What fdlibm does
// only to raise floating-point exception flags (adding `tiny` or `huge`, volatile loads) is
// left out: nothing here reads the flags, and in round-to-nearest it changes no result.
#include <bit>
#include <cmath>
#include <cstdint>

#include "render/math/det_math.h"
#include "render/math/det_trig.h"

namespace atelier::render::internal {
namespace {

// π and its fractions, each as the nearest double (hi) and the rest (lo: hi + lo is good to
// about 107 bits), so formulas like π/2 − t can carry the rounding error of π/2 separately.
constexpr double kPi = 0x1.921fb54442d18p+1;
constexpr double kPiLo = 0x1.1a62633145c07p-53;
constexpr double kPio2Hi = 0x1.921fb54442d18p+0;
constexpr double kPio2Lo = 0x1.1a62633145c07p-54;
constexpr double kPio4Hi = 0x1.921fb54442d18p-1;
constexpr double kPio4Lo = 0x1.1a62633145c07p-55;

// Zeroes the low 32 bits of the significand: the result's square and products with short
// numbers are exact, which the "hi part" tricks below rely on.
double clear_low_word(double x) {
  return std::bit_cast<double>(std::bit_cast<std::uint64_t>(x) & 0xffffffff00000000u);
}

// ---- tan (k_tan.c, s_tan.c) ----

// tan(x)/x ≈ 1 + T1·x² + … + T13·x²⁶ on [0, 0.67434], error below 2^-59.2. kTanT1 … kTanT13.
constexpr double kTanT[13] = {
    3.33333333333334091986e-01,  1.33333333333201242699e-01,  5.39682539762260521377e-02,
    2.18694882948595424599e-02,  8.86323982359930005737e-03,  3.59207910759131235356e-03,
    1.45620945432529025516e-03,  5.88041240820264096874e-04,  2.46463134818469906812e-04,
    7.81794442939557092300e-05,  7.14072491382608190305e-05,  -1.85586374855275456654e-05,
    2.59073051863633712884e-05,
};
// Above this |x| the polynomial is not accurate enough; tan(π/4 − u) = (1 − tan u)/(1 + tan u)
// is used instead with the small u = π/4 − |x|.
constexpr double kTanFoldAbove = 0x1.59428p-1;  // ≈ 0.67434
// Below this |x|, tan(x) rounds to x (and x itself keeps the sign of −0, which the polynomial
// would lose).
constexpr double kTanTiny = 0x1p-28;
// tan(x + y) when `tan_wanted`, else −1/tan(x + y); |x| ≲ π/4, y the tail of x, x ≠ ±0.
double kernel_tan(double x, double y, bool tan_wanted) {
  const bool negative = std::signbit(x);
  const bool fold = std::fabs(x) >= kTanFoldAbove;
  if (fold) {  // Work on u = π/4 − |x + y|, small, computed with π/4's tail.
    if (negative) {
      x = -x;
      y = -y;
    }
    x = (kPio4Hi - x) + (kPio4Lo - y);
    y = 0.0;
  }
  const double z = x * x, w = z * z;
  // x⁵·(T2 + T3·x² + …) split into x⁵·(even-index terms in w = x⁴) and x⁷·(odd ones), two
  // shorter Horner chains.
  const double odd =
      kTanT[1] + w * (kTanT[3] + w * (kTanT[5] + w * (kTanT[7] + w * (kTanT[9] + w * kTanT[11]))));
  const double even =
      z * (kTanT[2] +
           w * (kTanT[4] + w * (kTanT[6] + w * (kTanT[8] + w * (kTanT[10] + w * kTanT[12])))));
  const double x3 = z * x;
  // tan(x + y) ≈ tan(x) + (1 + x²)·y: the tail enters through the derivative.
  double r = y + z * (x3 * (odd + even) + y);
  r += kTanT[0] * x3;
  const double t = x + r;  // tan of the (possibly folded) argument.
  if (fold) {
    // tan(π/4 − u) = 1 − 2·(tan u − tan²u/(1 + tan u)); −1/tan(π/4 − u) = −1 + 2·(…) likewise,
    // so with v = ±1: v − 2·(u − (t²/(t + v) − r)), then the sign of the original x.
    const double v = tan_wanted ? 1.0 : -1.0;
    const double folded = v - 2.0 * (x - (t * t / (t + v) - r));
    return negative ? -folded : folded;
  }
  if (tan_wanted) return t;
  // −1/t to better than 1 ulp: split t = t_hi + t_lo exactly (t_hi short), take a short
  // approximation q_hi of −1/t, and correct it with the residual 1 + q_hi·t.
  const double t_hi = clear_low_word(t);
  const double t_lo = r - (t_hi - x);  // t_hi + t_lo = x + r
  const double q = -1.0 / t;
  const double q_hi = clear_low_word(q);
  const double residual = 1.0 + q_hi * t_hi;
  return q_hi + q * (residual + q_hi * t_lo);
}

// ---- atan (s_atan.c) ----

// atan(t) ≈ t − t³·(a0 + a1·t² + … + a10·t²⁰) on [0, 7/16].
constexpr double kAtanA[11] = {
    3.33333333333329318027e-01,  -1.99999999998764832476e-01, 1.42857142725034663711e-01,
    -1.11111104054623557880e-01, 9.09088713343650656196e-02,  -7.69187620504482999495e-02,
    6.66107313738753120669e-02,  -5.83357013379057348645e-02, 4.97687799461593236017e-02,
    -3.65315727442169155270e-02, 1.62858201153657823623e-02,
};
// Larger |x| is moved into [−7/16, 7/16] with atan(x) = atan(c) + atan((x − c)/(1 + c·x)) for
// c = 1/2, 1, 3/2 and ∞ (that is, atan(x) = π/2 + atan(−1/x)); these are atan(c), hi and lo.
constexpr double kAtanCenterHi[4] = {
    4.63647609000806093515e-01,  // atan(1/2)
    kPio4Hi,                     // atan(1)
    9.82793723247329054082e-01,  // atan(3/2)
    kPio2Hi,                     // atan(∞)
};
constexpr double kAtanCenterLo[4] = {
    2.26987774529616870924e-17,
    kPio4Lo,
    1.39033110312309984516e-17,
    kPio2Lo,
};
// The interval edges: 7/16, 11/16, 19/16, 39/16.
constexpr double kAtanPolyOnlyBelow = 0x1.cp-2;  // 7/16
constexpr double kAtanHalfBelow = 0x1.6p-1;      // 11/16
constexpr double kAtanOneBelow = 0x1.3p+0;       // 19/16
constexpr double kAtanThreeHalvesBelow = 0x1.38p+1;  // 39/16
// Below 2^-29, atan(x) rounds to x; from 2^66 on, to ±π/2.
constexpr double kAtanTiny = 0x1p-29;
constexpr double kAtanHuge = 0x1p66;

// t³·P(t²): what the callers subtract from t.
double atan_poly_tail(double t) {
  const double z = t * t, w = z * z;
  // The sum over aᵢ·z^(i+1) split into its even-i and odd-i terms, two Horner chains in w.
  const double s1 =
      z * (kAtanA[0] +
           w * (kAtanA[2] + w * (kAtanA[4] + w * (kAtanA[6] + w * (kAtanA[8] + w * kAtanA[10])))));
  const double s2 =
      w * (kAtanA[1] + w * (kAtanA[3] + w * (kAtanA[5] + w * (kAtanA[7] + w * kAtanA[9]))));
  return t * (s1 + s2);
}

// atan(a + da) for a ≥ 0 (not NaN), da a correction far below a's ulp that is already divided
// by 1 + a² (atan's derivative): it joins the low-order part of the sum before the last
// rounding. With da = 0 the operations and the result are exactly fdlibm's atan. `rounding`
// receives that last subtraction's rounding error (exact: the result + rounding is the
// unrounded sum), for atan2 to carry into π − atan.
double atan_nonnegative(double a, double da, double& rounding) {
  rounding = 0.0;
  if (a >= kAtanHuge) return kPio2Hi;  // Also +∞.
  if (a < kAtanPolyOnlyBelow) {
    if (a < kAtanTiny) return a;  // Also 0 (det_atan puts x's sign back).
    const double w = atan_poly_tail(a) - da;
    const double z = a - w;
    rounding = (a - z) - w;  // Fast2Sum: a ≥ |w|, and a − z is exact.
    return z;
  }
  int center;
  double t;  // (a − c)/(1 + c·a), in [−7/16, 7/16], written as fdlibm rounds it.
  if (a < kAtanHalfBelow) {
    center = 0;
    t = (2.0 * a - 1.0) / (2.0 + a);
  } else if (a < kAtanOneBelow) {
    center = 1;
    t = (a - 1.0) / (a + 1.0);
  } else if (a < kAtanThreeHalvesBelow) {
    center = 2;
    t = (a - 1.5) / (1.0 + 1.5 * a);
  } else {
    center = 3;
    t = -1.0 / a;
  }
  const double w = (atan_poly_tail(t) - (kAtanCenterLo[center] + da)) - t;
  const double z = kAtanCenterHi[center] - w;
  rounding = (kAtanCenterHi[center] - z) - w;  // Fast2Sum: atan(c) ≥ |w|.
  return z;
}

// The rounding error of q = fl(a/b): a/b − q, for finite a, b > 0 with 2^-29 ≤ q < 2^66.
// The residual a − q·b of a correctly rounded quotient is a double; it is computed exactly
// with Dekker's product (Veltkamp's split of each factor into 26- and 27-bit halves) after
// scaling both by the same power of two, so that nothing overflows or underflows.
double quotient_error(double a, double b, double q) {
  const int e = std::ilogb(b);
  a = std::ldexp(a, -e);  // Exact: b lands in [1, 2), a in [2^-29, 2^67).
  b = std::ldexp(b, -e);
  constexpr double kSplit = 0x1p27 + 1.0;
  const auto split = [](double v, double& hi, double& lo) {
    const double c = kSplit * v;
    hi = c - (c - v);
    lo = v - hi;
  };
  double q_hi, q_lo, b_hi, b_lo;
  split(q, q_hi, q_lo);
  split(b, b_hi, b_lo);
  const double p = q * b;
  const double p_err =
      ((q_hi * b_hi - p) + q_hi * b_lo + q_lo * b_hi) + q_lo * b_lo;  // q·b = p + p_err
  const double residual = (a - p) - p_err;  // Both subtractions exact (a − p by Sterbenz).
  return residual / b;
}

// ---- asin, acos (e_asin.c, e_acos.c) ----

// (asin(x) − x)/x³ ≈ R(x²) = P(x²)/Q(x²) on [0, 0.5], error below 2^-58.75; R takes z = x².
constexpr double kAsinP0 = 1.66666666666666657415e-01, kAsinP1 = -3.25565818622400915405e-01,
                 kAsinP2 = 2.01212532134862925881e-01, kAsinP3 = -4.00555345006794114027e-02,
                 kAsinP4 = 7.91534994289814532176e-04, kAsinP5 = 3.47933107596021167570e-05;
constexpr double kAsinQ1 = -2.40339491173441421878e+00, kAsinQ2 = 2.02094576023350569471e+00,
                 kAsinQ3 = -6.88283971605453293030e-01, kAsinQ4 = 7.70381505559019352791e-02;

// z·R(z) (P already carries the factor z, as fdlibm evaluates it).
double asin_ratio(double z) {
  const double p =
      z * (kAsinP0 + z * (kAsinP1 + z * (kAsinP2 + z * (kAsinP3 + z * (kAsinP4 + z * kAsinP5)))));
  const double q = 1.0 + z * (kAsinQ1 + z * (kAsinQ2 + z * (kAsinQ3 + z * kAsinQ4)));
  return p / q;
}

// Below 2^-27, asin(x) rounds to x; below acos's bound (2^-57 and a bit: fdlibm tests the
// high word), acos(x) rounds to π/2.
constexpr double kAsinTiny = 0x1p-27;
constexpr double kAcosTiny = 0x1.00001p-57;
// From |x| = 0.975 on, asin's half-angle formula no longer needs sqrt's error compensated.
constexpr double kAsinNearOne = 0x1.f3333p-1;

}  // namespace

double det_tan(double x) {
  if (!std::isfinite(x)) return x - x;  // NaN for ±∞ and NaN, as det_sincos.
  // Large angles reduced as det_sincos does, so that tan agrees with sin/cos everywhere.
  if (std::fabs(x) >= det_trig::kMediumMax) x = std::remainder(x, det_trig::kTwoPiRounded);
  // After the remainder too: a multiple of the rounded 2π reduces to ±0 exactly.
  if (std::fabs(x) < kTanTiny) return x;  // Also ±0 with its sign.
  double y0, y1;
  const std::int64_t n = det_trig::reduce(x, y0, y1);  // n = 0, y0 = x, y1 = 0 for |x| ≤ π/4.
  // tan(y + n·π/2) is tan(y) for even n and −1/tan(y) for odd n.
  return kernel_tan(y0, y1, (n & 1) == 0);
}

double det_atan(double x) {
  if (std::isnan(x)) return x + x;
  double rounding;  // Unused: atan alone is fdlibm's.
  const double z = atan_nonnegative(std::fabs(x), 0.0, rounding);
  return std::signbit(x) ? -z : z;
}

double det_atan2(double y, double x) {
  if (std::isnan(x) || std::isnan(y)) return x + y;
  if (x == 1.0) return det_atan(y);
  const bool y_negative = std::signbit(y), x_negative = std::signbit(x);
  // The angle for y ≥ 0; the result for y < 0 is its negation (atan2(−y, x) = −atan2(y, x)).
  const auto with_y_sign = [y_negative](double angle) { return y_negative ? -angle : angle; };
  if (y == 0.0) return x_negative ? with_y_sign(kPi) : y;  // ±0 or ±π; x = −0 counts as negative.
  if (x == 0.0) return with_y_sign(kPio2Hi);
  if (std::isinf(x)) {
    if (std::isinf(y)) return with_y_sign(x_negative ? 3.0 * kPio4Hi : kPio4Hi);
    return with_y_sign(x_negative ? kPi : 0.0);
  }
  if (std::isinf(y)) return with_y_sign(kPio2Hi);
  // fdlibm's test on the difference of the high words: k ≈ log2|y/x| (k > 60 means
  // |y/x| > 2^60, k < −60 means |y/x| < 2^-60, roughly).
  const auto high_word = [](double v) {
    return static_cast<std::int32_t>((std::bit_cast<std::uint64_t>(v) >> 32) & 0x7fffffff);
  };
  const std::int32_t k = (high_word(y) - high_word(x)) >> 20;
  // fdlibm computes atan(|y/x|) and, for x < 0, π − that, which is not below 1 ulp: it came
  // to 1.44 ulp in our tests (Java, whose StrictMath is fdlibm, specifies atan2 to 2 ulps).
  // Two roundings are carried along here instead: the quotient's (up to half an ulp of |y/x|,
  // which passes into the angle nearly whole where |y/x| is small) and atan's last one (which
  // π − atan would add to its own).
  if (k > 60) {
    // The angle is π/2 to within rounding whatever x's sign: no quadrant correction.
    return with_y_sign(kPio2Hi + 0.5 * kPiLo);
  }
  double z, z_rounding = 0.0;  // atan(|y/x|) = z + z_rounding, nearly.
  if (x_negative && k < -60) {
    z = 0.0;  // π − z rounds to π anyway; y/x might underflow.
  } else {
    const double ay = std::fabs(y), ax = std::fabs(x);
    const double t = ay / ax;
    // The quotient's exact error, divided by 1 + t² as atan's derivative asks.
    double dt = 0.0;
    if (t >= kAtanTiny && t < kAtanHuge) dt = quotient_error(ay, ax, t) / (1.0 + t * t);
    z = atan_nonnegative(t, dt, z_rounding);
  }
  if (!x_negative) return with_y_sign(z);
  // π − (z + z_rounding): π_hi − z split exactly into its rounded value and error (Fast2Sum,
  // π_hi > z), and everything small added before the one last rounding.
  const double d = kPi - z;
  const double d_rounding = (kPi - d) - z;
  return with_y_sign(d + (d_rounding + (kPiLo - z_rounding)));
}

double det_asin(double x) {
  const double ax = std::fabs(x);
  if (!(ax < 1.0)) {  // |x| ≥ 1 or NaN.
    if (ax == 1.0) return x * kPio2Hi + x * kPio2Lo;  // ±π/2
    return (x - x) / (x - x);                          // NaN, also for NaN and ±∞.
  }
  if (ax < 0.5) {
    if (ax < kAsinTiny) return x;  // Also ±0 with its sign.
    return x + x * asin_ratio(x * x);
  }
  // |x| in [0.5, 1): asin(|x|) = π/2 − 2·asin(s), s = sqrt(z), z = (1 − |x|)/2 (exact).
  const double z = (1.0 - ax) * 0.5;
  const double s = std::sqrt(z);
  const double ratio = asin_ratio(z);
  double t;
  if (ax >= kAsinNearOne) {
    t = kPio2Hi - (2.0 * (s + s * ratio) - kPio2Lo);
  } else {
    // s's rounding error matters here: with f its high part, c = sqrt(z) − f = (z − f²)/(s + f)
    // restores it, and π/2 − 2s is computed as π/4 + (π/4 − 2f) − (2s·R − (π/2_lo + 2c)).
    const double f = clear_low_word(s);
    const double c = (z - f * f) / (s + f);
    const double p = 2.0 * s * ratio - (kPio2Lo - 2.0 * c);
    const double q = kPio4Hi - 2.0 * f;
    t = kPio4Hi - (p - q);
  }
  return std::signbit(x) ? -t : t;
}

double det_acos(double x) {
  const double ax = std::fabs(x);
  if (!(ax < 1.0)) {  // |x| ≥ 1 or NaN.
    if (x == 1.0) return 0.0;
    if (x == -1.0) return kPi + 2.0 * kPio2Lo;  // π
    return (x - x) / (x - x);                    // NaN, also for NaN and ±∞.
  }
  if (ax < 0.5) {  // acos(x) = π/2 − asin(x)
    if (ax < kAcosTiny) return kPio2Hi + kPio2Lo;
    return kPio2Hi - (x - (kPio2Lo - x * asin_ratio(x * x)));
  }
  if (std::signbit(x)) {  // acos(x) = π − 2·asin(s), s = sqrt((1 + x)/2)
    const double z = (1.0 + x) * 0.5;
    const double s = std::sqrt(z);
    const double w = asin_ratio(z) * s - kPio2Lo;
    return kPi - 2.0 * (s + w);
  }
  // acos(x) = 2·asin(s), s = sqrt((1 − x)/2), with s's rounding error restored as in det_asin.
  const double z = (1.0 - x) * 0.5;
  const double s = std::sqrt(z);
  const double f = clear_low_word(s);
  const double c = (z - f * f) / (s + f);
  const double w = asin_ratio(z) * s + c;
  return 2.0 * (f + w);
}

}  // namespace atelier::render::internal
