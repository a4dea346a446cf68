// det_exp_log.cc — exp, log, log2, log10 and pow with the same bits on every CPU
// (det_math.h).
//
// Ports of fdlibm (Sun Microsystems, 1993/2004; the versions FreeBSD's msun carries: e_exp.c,
// e_log.c, e_log2.c, e_log10.c with k_log.h, e_pow.c). The algorithms, the constants and the
// order of every operation are fdlibm's, so the results are fdlibm's bits; the code is ours:
// 64-bit bit casts instead of the 32-bit word macros, special cases written as comparisons,
// and no tricks to raise floating-point exception flags (nobody reads them here). Every
// operation is a plain IEEE double operation and the project builds with -ffp-contract=off,
// so the bits depend on the input alone. fdlibm's error bound is below 1 ulp for each.
//
// Several steps keep a value's "high word" (the sign, the exponent and the top 20 bits of the
// significand) and zero the low 32 bits: such a value has at most 21 significant bits, so its
// product with another one of them is exact — the cheap way fdlibm splits a double into a
// head and a tail for extra precision.
#include <bit>
#include <cmath>
#include <cstdint>
#include <limits>

#include "core/det_math.h"

namespace atelier {
namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// ---- Bit access --------------------------------------------------------------------------

// The upper 32 bits as a signed integer (negative for negative x), as fdlibm reads them.
std::int32_t high_word(double x) {
  return static_cast<std::int32_t>(std::bit_cast<std::uint64_t>(x) >> 32);
}
std::uint32_t low_word(double x) {
  return static_cast<std::uint32_t>(std::bit_cast<std::uint64_t>(x));
}

// x with its low 32 bits zeroed: a head with at most 21 significant bits.
double clear_low_word(double x) {
  return std::bit_cast<double>(std::bit_cast<std::uint64_t>(x) & 0xffffffff00000000u);
}

// x with its upper 32 bits replaced (the low 32 bits kept).
double with_high_word(double x, std::int32_t hi) {
  const std::uint64_t low = std::bit_cast<std::uint64_t>(x) & 0xffffffffu;
  return std::bit_cast<double>((static_cast<std::uint64_t>(static_cast<std::uint32_t>(hi)) << 32) |
                               low);
}

// The double whose upper 32 bits are hi and lower 32 bits zero.
double from_high_word(std::int32_t hi) {
  return std::bit_cast<double>(static_cast<std::uint64_t>(static_cast<std::uint32_t>(hi)) << 32);
}

// 2^k for a k in the normal exponent range [−1022, 1023], built from its bits.
double pow2(int k) { return std::bit_cast<double>(static_cast<std::uint64_t>(k + 1023) << 52); }

// High-word landmarks (|x| = 1, the smallest normal), field masks and the bias.
constexpr std::int32_t kHighOne = 0x3ff00000;
constexpr std::int32_t kHighMinNormal = 0x00100000;
constexpr std::int32_t kHighMantMask = 0x000fffff;
constexpr std::int32_t kHighAbsMask = 0x7fffffff;
constexpr int kExpBias = 1023;

// ---- exp ---------------------------------------------------------------------------------

// exp(x) overflows above this (0x40862E42 FEFA39EF = 1024·ln 2 rounded down) and underflows
// to zero below kExpUnderflow (0xC0874910 D52D3051 ≈ −1075·ln 2).
constexpr double kExpOverflow = 7.09782712893383973096e+02;
constexpr double kExpUnderflow = -7.45133219101941108420e+02;
// ln 2 split: the head has 32 significant bits, so k·kLn2Hi is exact for |k| < 2^21.
constexpr double kLn2Hi = 6.93147180369123816490e-01;  // 0x3FE62E42 FEE00000
constexpr double kLn2Lo = 1.90821492927058770002e-10;  // 0x3DEA39EF 35793C76
constexpr double kInvLn2 = 1.44269504088896338700e+00;  // 0x3FF71547 652B82FE
// Remez coefficients of R(r²) ≈ r·(e^r + 1)/(e^r − 1) = 2 + P1·r² + … + P5·r^10 on
// [0, ln2/2], error below 2^−59 (shared with pow's final 2^z step).
constexpr double kExpP1 = 1.66666666666666019037e-01;   // 0x3FC55555 5555553E
constexpr double kExpP2 = -2.77777777770155933842e-03;  // 0xBF66C16C 16BEBD93
constexpr double kExpP3 = 6.61375632143793436117e-05;   // 0x3F11566A AF25DE2C
constexpr double kExpP4 = -1.65339022054652515390e-06;  // 0xBEBBBD41 C5D26BF1
constexpr double kExpP5 = 4.13813679705723846039e-08;   // 0x3E663769 72BEA4D0
constexpr double kTwoM1000 = 9.33263618503218878990e-302;  // 2^−1000: scales subnormal results.
// High words of |x| that pick exp's path: ≈ 709.78 (the limits are near), ln2/2 (no
// reduction below), 1.5·ln 2 (k = ±1 below), 2^−28 (exp(x) rounds to 1 + x below).
constexpr std::int32_t kHighExpLimits = 0x40862e42;
constexpr std::int32_t kHighHalfLn2 = 0x3fd62e42;
constexpr std::int32_t kHighThreeHalvesLn2 = 0x3ff0a2b2;
constexpr std::int32_t kHighTwoM28 = 0x3e300000;

// r − R1(r) where R1(r) = P1·r² + … + P5·r^10, i.e. the "c" of exp(r) = 1 + r + r·c/(2 − c).
double exp_poly(double r) {
  const double t = r * r;
  return r - t * (kExpP1 + t * (kExpP2 + t * (kExpP3 + t * (kExpP4 + t * kExpP5))));
}

// ---- log ---------------------------------------------------------------------------------

// Remez coefficients of R(s) ≈ (log(1+s) − log(1−s) − 2s)/s in s², s = f/(2+f), on
// [0, 0.1716]: error below 2^−58.45 (k_log.h).
constexpr double kLg1 = 6.666666666666735130e-01;  // 0x3FE55555 55555593
constexpr double kLg2 = 3.999999999940941908e-01;  // 0x3FD99999 9997FA04
constexpr double kLg3 = 2.857142874366239149e-01;  // 0x3FD24924 94229359
constexpr double kLg4 = 2.222219843214978396e-01;  // 0x3FCC71C5 1D8E78AF
constexpr double kLg5 = 1.818357216161805012e-01;  // 0x3FC74664 96CB03DE
constexpr double kLg6 = 1.531383769920937332e-01;  // 0x3FC39A09 D078C69F
constexpr double kLg7 = 1.479819860511658591e-01;  // 0x3FC2F112 DF3E5244
constexpr double kTwo54 = 1.80143985094819840000e+16;  // 2^54: lifts subnormals to normals.
// 1/ln 2 and 1/ln 10 as head (33 significant bits) + tail, log10(2) likewise.
constexpr double kInvLn2Hi = 1.44269504072144627571e+00;   // 0x3FF71547 65200000
constexpr double kInvLn2Lo = 1.67517131648865118353e-10;   // 0x3DE705FC 2EEFA200
constexpr double kInvLn10Hi = 4.34294481878168880939e-01;  // 0x3FDBCB7B 15200000
constexpr double kInvLn10Lo = 2.50829467116452752298e-11;  // 0x3DBB9438 CA9AADD5
constexpr double kLog10_2Hi = 3.01029995663611771306e-01;  // 0x3FD34413 509F6000
constexpr double kLog10_2Lo = 3.69423907715893078616e-13;  // 0x3D59FEF3 11F12B36
// Adding this to the top 20 mantissa bits carries into bit 20 exactly when the mantissa is
// at least 0x6A09C (≈ √2 − 1): 0x100000 − 0x95F64 = 0x6A09C.
constexpr std::int32_t kSqrt2Carry = 0x95f64;
// Top mantissa bits between which (x/2^k in about [1.38, 1.42], around √2, where |f| is
// largest) log uses the more accurate of its two final formulas.
constexpr std::int32_t kMantLargeFLow = 0x6147a;
constexpr std::int32_t kMantLargeFHigh = 0x6b851;

// The value of log, log2 and log10 at x when x is not a positive finite number; returns false
// when x is one (the caller computes).
bool log_special_case(double x, double& result) {
  if (x > 0 && x < kInf) return false;
  if (x == 0) result = -kInf;        // log(±0) = −∞
  else if (x == kInf) result = kInf;  // log(+∞) = +∞
  else if (std::isnan(x)) result = x + x;  // Quiet it, keep the payload.
  else result = kNaN;                 // log of a negative number (or −∞)
  return true;
}

// For a positive finite x: x = 2^k · m with m in [√2/2, √2). Returns m; sets k, and
// mant_hi to the top 20 mantissa bits of x (after lifting a subnormal), which the callers use
// to pick a formula.
double log_reduce(double x, int& k, std::int32_t& mant_hi) {
  k = 0;
  if (high_word(x) < kHighMinNormal) {  // Subnormal: scale into the normal range first.
    k -= 54;
    x *= kTwo54;
  }
  const std::int32_t hx = high_word(x);
  k += (hx >> 20) - kExpBias;
  mant_hi = hx & kHighMantMask;
  // i is 0x100000 when the mantissa is ≥ √2 − 1: then m takes the exponent of 1/2 instead
  // of 1 and k grows by one.
  const std::int32_t i = (mant_hi + kSqrt2Carry) & kHighMinNormal;
  k += i >> 20;
  return with_high_word(x, mant_hi | (i ^ kHighOne));
}

// R(s) of log(1+f) = 2s + s·R(s), s = f/(2+f): the minimax series in s², odd and even
// terms summed apart (e_log.c, k_log.h).
double log_series(double s) {
  const double z = s * s;
  const double w = z * z;
  const double t1 = w * (kLg2 + w * (kLg4 + w * kLg6));
  const double t2 = z * (kLg1 + w * (kLg3 + w * (kLg5 + w * kLg7)));
  return t2 + t1;
}

// log(1+f) − f + f²/2 for 1+f in [√2/2, √2): s·(f²/2 + R(s)), s = f/(2+f) (k_log.h).
double log1p_kernel(double f) {
  const double s = f / (2.0 + f);
  const double r = log_series(s);
  const double hfsq = 0.5 * f * f;
  return s * (hfsq + r);
}

// log(m) for the reduced m of log_reduce, as hi + lo with hi carrying 21 significant bits:
// f − f²/2 is split in extra precision because, near m = 1 and m = √2/2, the terms that
// follow cancel heavily (e_log2.c, e_log10.c).
void log_reduced_split(double m, double& hi, double& lo) {
  const double f = m - 1.0;
  const double hfsq = 0.5 * f * f;
  const double r = log1p_kernel(f);
  hi = clear_low_word(f - hfsq);
  lo = (f - hi) - hfsq + r;
}

// ---- pow ---------------------------------------------------------------------------------

// log2 of x in [1, 1.5) or [1.5, 3) around the bases 1 and 1.5: log2(1.5) as head and tail.
constexpr double kPowBase[2] = {1.0, 1.5};
constexpr double kLog2BaseHi[2] = {0.0, 5.84962487220764160156e-01};  // 0x3FE2B803 40000000
constexpr double kLog2BaseLo[2] = {0.0, 1.35003920212974897128e-08};  // 0x3E4CFDEB 43CFD006
constexpr double kTwo53 = 9007199254740992.0;  // 2^53: lifts subnormals to normals.
// Remez coefficients for (3/2)·(log(x) − 2s − (2/3)s³) in s², s = (x − b)/(x + b).
constexpr double kPowL1 = 5.99999999999994648725e-01;  // 0x3FE33333 33333303
constexpr double kPowL2 = 4.28571428578550184252e-01;  // 0x3FDB6DB6 DB6FABFF
constexpr double kPowL3 = 3.33333329818377432918e-01;  // 0x3FD55555 518F264D
constexpr double kPowL4 = 2.72728123808534006489e-01;  // 0x3FD17460 A91D4101
constexpr double kPowL5 = 2.30660745775561754067e-01;  // 0x3FCD864A 93C9DB65
constexpr double kPowL6 = 2.06975017800338417784e-01;  // 0x3FCA7E28 4A454EEF
// ln 2 as a double and as a 24-bit head + tail (a different split from exp's: here the head
// multiplies a 21-bit value exactly).
constexpr double kPowLn2 = 6.93147180559945286227e-01;    // 0x3FE62E42 FEFA39EF
constexpr double kPowLn2Hi = 6.93147182464599609375e-01;  // 0x3FE62E43 00000000
constexpr double kPowLn2Lo = -1.90465429995776804525e-09;  // 0xBE205C61 0CA86C39
// −(1024 − log2(DBL_MAX + ½ulp)): the margin by which y·log2|x| = 1024 still overflows.
constexpr double kOverflowMargin = 8.0085662595372944372e-17;
// 2/(3 ln 2) as a double and as a 24-bit head + tail.
constexpr double kCp = 9.61796693925975554329e-01;     // 0x3FEEC709 DC3A03FD
constexpr double kCpHi = 9.61796700954437255859e-01;   // 0x3FEEC709 E0000000
constexpr double kCpLo = -7.02846165095275826516e-09;  // 0xBE3E2FE0 145B01F5
// 1/ln 2 as a double and as a 24-bit head + tail.
constexpr double kIvLn2 = 1.44269504088896338700e+00;    // 0x3FF71547 652B82FE
constexpr double kIvLn2Hi = 1.44269502162933349609e+00;  // 0x3FF71547 60000000
constexpr double kIvLn2Lo = 1.92596299112661746887e-08;  // 0x3E54AE0B F85DDF44
constexpr double kThird = 3.3333333333333331e-01;        // 0x3FD55555 55555555
// High words: |y| > 2^31 needs the big-y path, beyond 2^64 any x ≠ 1 over/underflows;
// |x| within 2^−20 of 1; |x| < √(3/2) and < √3 (mantissa bits) pick the base 1 or 1.5;
// z ≥ 1024 and z ≤ −1075 (in log2 of the result) are out of range.
constexpr std::int32_t kHighTwo31 = 0x41e00000;
constexpr std::int32_t kHighTwo64 = 0x43f00000;
constexpr std::int32_t kHighBelowOne = 0x3fefffff;
constexpr std::int32_t kMantSqrt3Over2 = 0x3988e;
constexpr std::int32_t kMantSqrt3 = 0xbb67a;
constexpr std::int32_t kHigh1024 = 0x40900000;
constexpr std::int32_t kHigh1075 = 0x4090cc00;
constexpr std::int32_t kHighHalf = 0x3fe00000;

enum class IntKind { kNotInteger, kOdd, kEven };

// Whether the finite nonzero y is an integer, and its parity (|y| ≥ 2^53 is always even).
IntKind integer_kind(double y) {
  const std::uint64_t bits = std::bit_cast<std::uint64_t>(y);
  const int e = static_cast<int>((bits >> 52) & 0x7ff) - kExpBias;
  if (e >= 53) return IntKind::kEven;
  if (e < 0) return IntKind::kNotInteger;
  const std::uint64_t mant = (bits & 0x000fffffffffffffu) | (std::uint64_t{1} << 52);
  const int frac_bits = 52 - e;  // Mantissa bits below the binary point.
  if ((mant & ((std::uint64_t{1} << frac_bits) - 1)) != 0) return IntKind::kNotInteger;
  return ((mant >> frac_bits) & 1) != 0 ? IntKind::kOdd : IntKind::kEven;
}

// log2(ax) for |ax| within 2^−20 of 1 as t1 + t2 (t1's low word zero), by the series
// log(1+t) = t − t²/2 + t³/3 − t⁴/4 (enough for |t| ≤ 2^−20) times 1/ln 2.
//
// Departure from fdlibm: fdlibm takes u = kIvLn2Hi·t as exact, but t = ax − 1 can carry 33
// significant bits and kIvLn2Hi has 24, so u may round — and that relative 2^−53 error, times
// |y·log2 ax| up to 1075, cost up to about 650 ulps in the result (e.g. pow(1 − 1.4e−7, −7.9e9)).
// Here t is split into a 21-bit head, whose product with kIvLn2Hi is exact, and a tail that
// joins the small terms in v.
void log2_near_one(double ax, double& t1, double& t2) {
  const double t = ax - 1.0;
  const double t_head = clear_low_word(t);
  const double t_tail = t - t_head;
  const double w = (t * t) * (0.5 - t * (kThird - t * 0.25));
  const double u = kIvLn2Hi * t_head;
  const double v = (t_tail * kIvLn2Hi + t * kIvLn2Lo) - w * kIvLn2;
  t1 = clear_low_word(u + v);
  t2 = v - (t1 - u);
}

// log2(ax) for positive finite ax as t1 + t2 (t1's low word zero), good to about 2^−64
// relative: ax = 2^n · m, m in [1, 1.5) or [1.5, 3) taken around b = 1 or 1.5, and
// log2(m) = log2(b) + (2/(3 ln 2))·(3s + s³ + …) with s = (m − b)/(m + b) in extra precision.
void log2_extended(double ax, double& t1, double& t2) {
  int n = 0;
  std::int32_t ix = high_word(ax);
  if (ix < kHighMinNormal) {  // Subnormal.
    ax *= kTwo53;
    n -= 53;
    ix = high_word(ax);
  }
  n += (ix >> 20) - kExpBias;
  const std::int32_t j = ix & kHighMantMask;
  ix = j | kHighOne;  // m in [1, 2)
  int k;              // Index of the base.
  if (j <= kMantSqrt3Over2) {
    k = 0;
  } else if (j < kMantSqrt3) {
    k = 1;
  } else {  // m ≥ √3: take m/2 around 1 instead.
    k = 0;
    n += 1;
    ix -= kHighMinNormal;
  }
  ax = with_high_word(ax, ix);

  // ss = s_h + s_l = (m − b)/(m + b), s_h with a zero low word.
  double u = ax - kPowBase[k];
  double v = 1.0 / (ax + kPowBase[k]);
  const double ss = u * v;
  const double s_h = clear_low_word(ss);
  // t_h = m + b truncated to its high word, built directly from m's bits (halving the
  // fraction and adding to the exponent of 2), t_l the rest.
  double t_h = from_high_word(((ix >> 1) | 0x20000000) + 0x00080000 + (k << 18));
  double t_l = ax - (t_h - kPowBase[k]);
  const double s_l = v * ((u - s_h * t_h) - s_h * t_l);
  // log(m/b) = 2s + (2/3)s³ + s⁴·L(s²): r is the polynomial part plus s_l's share of s².
  double s2 = ss * ss;
  double r = s2 * s2 *
             (kPowL1 + s2 * (kPowL2 + s2 * (kPowL3 + s2 * (kPowL4 + s2 * (kPowL5 + s2 * kPowL6)))));
  r += s_l * (s_h + ss);
  s2 = s_h * s_h;
  t_h = clear_low_word(3.0 + s2 + r);
  t_l = r - ((t_h - 3.0) - s2);
  // u + v = ss·(3 + s² + …) = (3/2)·log(m/b).
  u = s_h * t_h;
  v = s_l * t_h + t_l * ss;
  const double p_h = clear_low_word(u + v);
  const double p_l = v - (p_h - u);
  // Times 2/(3 ln 2), plus log2(b) and n.
  const double z_h = kCpHi * p_h;
  const double z_l = kCpLo * p_h + p_l * kCp + kLog2BaseLo[k];
  const double dn = n;
  t1 = clear_low_word(((z_h + z_l) + kLog2BaseHi[k]) + dn);
  t2 = z_l - (((t1 - dn) - kLog2BaseHi[k]) - z_h);
}

}  // namespace

// exp(x) = 2^k · exp(r), x = k·ln 2 + r with |r| ≤ ln2/2 (r kept as hi − lo), and
// exp(r) = 1 + r + r·c/(2 − c), c = r − R1(r) (e_exp.c).
double det_exp(double x) {
  const std::int32_t hx = high_word(x) & kHighAbsMask;
  const bool negative = std::signbit(x);

  if (hx >= kHighExpLimits) {  // |x| ≥ 709.78…: non-finite, or near or past the limits.
    if (std::isnan(x)) return x + x;
    if (std::isinf(x)) return negative ? 0.0 : x;  // exp(+∞) = +∞, exp(−∞) = +0
    if (x > kExpOverflow) return kInf;
    if (x < kExpUnderflow) return 0.0;
  }

  double hi = 0.0, lo = 0.0;
  int k = 0;
  if (hx > kHighHalfLn2) {            // |x| > ln2/2: reduce.
    if (hx < kHighThreeHalvesLn2) {  // |x| < 1.5·ln 2: k is ±1.
      hi = negative ? x + kLn2Hi : x - kLn2Hi;
      lo = negative ? -kLn2Lo : kLn2Lo;
      k = negative ? -1 : 1;
    } else {
      k = static_cast<int>(kInvLn2 * x + (negative ? -0.5 : 0.5));  // Rounds to nearest.
      const double dk = k;
      hi = x - dk * kLn2Hi;  // Exact: dk·kLn2Hi has few enough bits.
      lo = dk * kLn2Lo;
    }
    x = hi - lo;
  } else if (hx < kHighTwoM28) {  // |x| < 2^−28: exp(x) rounds to 1 + x.
    return 1.0 + x;
  }

  const double c = exp_poly(x);
  if (k == 0) return 1.0 - ((x * c) / (c - 2.0) - x);
  const double y = 1.0 - ((lo - (x * c) / (2.0 - c)) - hi);
  if (k >= -1021) {
    if (k == 1024) return y * 2.0 * 0x1p1023;  // 2^1024 is not a double.
    return y * pow2(k);
  }
  return y * pow2(k + 1000) * kTwoM1000;  // Subnormal result: one rounding, at the end.
}

// log(x) = k·ln 2 + log(1+f), x = 2^k·(1+f), 1+f in [√2/2, √2); log(1+f) from the kernel's
// polynomial in s = f/(2+f), arranged two ways for accuracy (e_log.c).
double det_log(double x) {
  double special;
  if (log_special_case(x, special)) return special;
  int k;
  std::int32_t mant_hi;
  const double m = log_reduce(x, k, mant_hi);
  const double f = m - 1.0;
  const double dk = k;

  if ((kHighMantMask & (2 + mant_hi)) < 3) {  // −2^−20 ≤ f < 2^−20: a short series will do.
    if (f == 0.0) return k == 0 ? 0.0 : dk * kLn2Hi + dk * kLn2Lo;
    const double r = f * f * (0.5 - 0.33333333333333333 * f);
    return k == 0 ? f - r : dk * kLn2Hi - ((r - dk * kLn2Lo) - f);
  }

  const double s = f / (2.0 + f);
  const double r = log_series(s);
  // Where |f| is largest, log(1+f) = f − (f²/2 − s·(f²/2 + R)) keeps the error below 1 ulp;
  // elsewhere the cheaper f − s·(f − R) does.
  if (mant_hi >= kMantLargeFLow && mant_hi <= kMantLargeFHigh) {
    const double hfsq = 0.5 * f * f;
    if (k == 0) return f - (hfsq - s * (hfsq + r));
    return dk * kLn2Hi - ((hfsq - (s * (hfsq + r) + dk * kLn2Lo)) - f);
  }
  if (k == 0) return f - s * (f - r);
  return dk * kLn2Hi - ((s * (f - r) - dk * kLn2Lo) - f);
}

namespace {

// The start log2 and log10 share: their special values (false, the result in `special`), else
// x = 2^k·(1 + f) with log(1 + f) split into hi + lo.
bool log_split(double x, double& special, int& k, double& hi, double& lo) {
  if (log_special_case(x, special)) return false;
  if (x == 1.0) {
    special = 0.0;
    return false;
  }
  std::int32_t mant_hi;
  const double m = log_reduce(x, k, mant_hi);
  log_reduced_split(m, hi, lo);
  return true;
}

}  // namespace

// log2(x) = k + log(1+f)/ln 2, in extra precision: adding k to a value near ±½ cancels
// when 1+f is near √2/2 or √2 (e_log2.c).
double det_log2(double x) {
  double special = 0, hi = 0, lo = 0;
  int k = 0;
  if (!log_split(x, special, k, hi, lo)) return special;
  double val_hi = hi * kInvLn2Hi;
  double val_lo = (lo + hi) * kInvLn2Lo + lo * kInvLn2Hi;
  const double dk = k;
  const double w = dk + val_hi;  // Two-sum of k and val_hi (|k| ≥ |val_hi| when k ≠ 0).
  val_lo += (dk - w) + val_hi;
  val_hi = w;
  return val_lo + val_hi;
}

// log10(x) = k·log10(2) + log(1+f)/ln 10, in the same extra precision as log2 (e_log10.c).
double det_log10(double x) {
  double special = 0, hi = 0, lo = 0;
  int k = 0;
  if (!log_split(x, special, k, hi, lo)) return special;
  const double dk = k;
  double val_hi = hi * kInvLn10Hi;
  const double y2 = dk * kLog10_2Hi;
  double val_lo = dk * kLog10_2Lo + (lo + hi) * kInvLn10Lo + lo * kInvLn10Hi;
  const double w = y2 + val_hi;
  val_lo += (y2 - w) + val_hi;
  val_hi = w;
  return val_lo + val_hi;
}

// pow(x, y) = 2^(y·log2|x|) with log2|x| = t1 + t2 to about 64 bits, the product y·(t1 + t2)
// as p_h + p_l exactly enough, then 2^(n + z) = 2^n·exp(z·ln 2) with |z| ≤ ½ (e_pow.c).
// The special cases follow C99 Annex F.9.4.4.
double det_pow(double x, double y) {
  if (y == 0) return 1.0;  // x^±0 = 1, even for a NaN x.
  if (x == 1.0) return 1.0;  // 1^y = 1, even for a NaN y.
  if (std::isnan(x) || std::isnan(y)) return x + y;

  const bool x_negative = std::signbit(x);
  const double ax = std::fabs(x);
  // Only negative x cares whether y is an integer (and odd).
  const IntKind y_kind = x_negative && std::isfinite(y) ? integer_kind(y) : IntKind::kNotInteger;

  if (std::isinf(y)) {
    if (ax == 1.0) return 1.0;  // (−1)^±∞ = 1
    if (ax > 1.0) return y > 0 ? kInf : 0.0;  // |x| > 1: +∞ for +∞, +0 for −∞
    return y < 0 ? kInf : 0.0;                // |x| < 1: +0 for +∞, +∞ for −∞
  }
  // Exact (or correctly rounded) shortcuts, as fdlibm has them.
  if (y == 1.0) return x;
  if (y == -1.0) return 1.0 / x;
  if (y == 2.0) return x * x;
  if (y == 0.5 && !x_negative) return std::sqrt(x);  // Not for −0: pow(−0, ½) = +0.

  // x = ±0, ±∞ or −1: the result is 0, ∞ or ±1 with a sign from y's parity.
  if (ax == 0.0 || ax == kInf || ax == 1.0) {
    double z = y < 0 ? 1.0 / ax : ax;
    if (x_negative) {
      if (ax == 1.0 && y_kind == IntKind::kNotInteger) return kNaN;  // (−1)^non-integer
      if (y_kind == IntKind::kOdd) z = -z;
    }
    return z;
  }

  if (x_negative && y_kind == IntKind::kNotInteger) return kNaN;  // (x < 0)^non-integer
  const double sign = x_negative && y_kind == IntKind::kOdd ? -1.0 : 1.0;

  const std::int32_t hy = high_word(y);
  const std::int32_t ix = high_word(x) & kHighAbsMask;
  const std::int32_t iy = hy & kHighAbsMask;
  const bool y_positive = hy > 0;

  double t1, t2;  // log2|x| = t1 + t2
  if (iy > kHighTwo31) {
    // |y| > 2^31: the result over/underflows unless |x| is very close to 1. Beyond 2^64 it
    // does even then (y is an even integer there, so the sign is +).
    if (iy > kHighTwo64) {
      if (ix <= kHighBelowOne) return y_positive ? 0.0 : kInf;
      return y_positive ? kInf : 0.0;
    }
    if (ix < kHighBelowOne) return sign * (y_positive ? 0.0 : kInf);
    if (ix > kHighOne) return sign * (y_positive ? kInf : 0.0);
    log2_near_one(ax, t1, t2);
  } else {
    log2_extended(ax, t1, t2);
  }

  // y·(t1 + t2) = p_h + p_l with y split as y1 + (y − y1): y1·t1 is exact (21 × 21 bits).
  const double y1 = clear_low_word(y);
  const double p_l = (y - y1) * t1 + y * t2;
  double p_h = y1 * t1;
  double z = p_l + p_h;
  std::int32_t j = high_word(z);
  const std::uint32_t i_lo = low_word(z);
  if (j >= kHigh1024) {  // z ≥ 1024: overflow, unless exactly 1024 with p_l pulling back.
    if (j > kHigh1024 || i_lo != 0) return sign * kInf;
    if (p_l + kOverflowMargin > z - p_h) return sign * kInf;
  } else if ((j & kHighAbsMask) >= kHigh1075) {  // z ≤ −1075: underflow, likewise.
    if ((j & kHighAbsMask) > kHigh1075 || i_lo != 0) return sign * 0.0;
    if (p_l <= z - p_h) return sign * 0.0;
  }

  // 2^(p_h + p_l): take out the nearest integer n (read off z's high word), leaving |z| ≤ ½.
  const std::int32_t iz = j & kHighAbsMask;
  int k = (iz >> 20) - kExpBias;
  int n = 0;
  if (iz > kHighHalf) {
    // Adding half a unit at the integer position of z's high word rounds it; the masked
    // high word is then the integer n as a double, and the shifted mantissa is |n|.
    const std::int32_t rounded = j + (kHighMinNormal >> (k + 1));
    k = ((rounded & kHighAbsMask) >> 20) - kExpBias;
    const double t = from_high_word(rounded & ~(kHighMantMask >> k));
    n = ((rounded & kHighMantMask) | kHighMinNormal) >> (20 - k);
    if (j < 0) n = -n;
    p_h -= t;
  }
  // exp(r) with r = (p_h + p_l)·ln 2 = z + w, as in det_exp.
  const double t = clear_low_word(p_l + p_h);
  const double u = t * kPowLn2Hi;
  const double v = (p_l - (t - p_h)) * kPowLn2 + t * kPowLn2Lo;
  z = u + v;
  const double w = v - (z - u);
  const double c = exp_poly(z);
  const double r = (z * c) / (c - 2.0) - (w + z * w);
  z = 1.0 - (r - z);
  // Scale by 2^n: straight into the exponent field, or with scalbn (one rounding) when the
  // result is subnormal.
  j = high_word(z) + n * (1 << 20);
  if ((j >> 20) <= 0) {
    z = std::scalbn(z, n);
  } else {
    z = with_high_word(z, j);
  }
  return sign * z;
}

}  // namespace atelier
