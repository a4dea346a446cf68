// avx2_math.h — det_sincos and SimplexNoise::noise2 on four doubles at once (AVX2).
//
// For the flow-field walks (render/math/flow_walk.h), which advance four walks in lockstep:
// each lane computes the same IEEE operations in the same order as the scalar function, so
// every lane's bits equal the scalar result for that input, on every CPU. Only basic
// operations (add, sub, mul, compare, floor, int conversion, bit masks) are used — no FMA:
// the functions are compiled with target("avx2") alone, and the project with
// -ffp-contract=off. Inputs the vector code does not cover exactly (huge or non-finite
// angles, reductions that cancel, noise coordinates past ±2^29) are handed lane by lane to
// the scalar functions, so the results are the scalar ones for every input.
//
// Call only when internal::use_avx2() (render/internal/cpu.h) is true.
#pragma once

#if defined(__x86_64__)

#include <immintrin.h>

#include <cmath>

#include "render/math/det_trig.h"
#include "render/math/noise.h"

namespace atelier::render::internal {

namespace avx2 {

// (Helpers rather than lambdas: a lambda does not inherit its function's target("avx2").)
[[gnu::target("avx2"), gnu::always_inline]] inline __m256d k(double v) { return _mm256_set1_pd(v); }

[[gnu::target("avx2"), gnu::always_inline]] inline __m256d kernel_sin(__m256d x, __m256d y) {
  const __m256d z = _mm256_mul_pd(x, x), w = _mm256_mul_pd(z, z);
  // r = S2 + z * (S3 + z * S4) + z * w * (S5 + z * S6), left to right as in the scalar.
  const __m256d r = _mm256_add_pd(
      _mm256_add_pd(
          k(det_trig::S2),
          _mm256_mul_pd(z, _mm256_add_pd(k(det_trig::S3),
                                         _mm256_mul_pd(z, k(det_trig::S4))))),
      _mm256_mul_pd(_mm256_mul_pd(z, w),
                    _mm256_add_pd(k(det_trig::S5),
                                  _mm256_mul_pd(z, k(det_trig::S6)))));
  const __m256d v = _mm256_mul_pd(z, x);
  // x - ((z * (0.5 * y - v * r) - y) - v * S1)
  const __m256d inner = _mm256_sub_pd(_mm256_mul_pd(k(0.5), y), _mm256_mul_pd(v, r));
  return _mm256_sub_pd(x, _mm256_sub_pd(_mm256_sub_pd(_mm256_mul_pd(z, inner), y),
                                        _mm256_mul_pd(v, k(det_trig::S1))));
}

[[gnu::target("avx2"), gnu::always_inline]] inline __m256d kernel_cos(__m256d x, __m256d y) {
  const __m256d z = _mm256_mul_pd(x, x), w = _mm256_mul_pd(z, z);
  // r = z * (C1 + z * (C2 + z * C3)) + w * w * (C4 + z * (C5 + z * C6))
  const __m256d r = _mm256_add_pd(
      _mm256_mul_pd(
          z, _mm256_add_pd(
                 k(det_trig::C1),
                 _mm256_mul_pd(z, _mm256_add_pd(k(det_trig::C2),
                                                _mm256_mul_pd(z, k(det_trig::C3)))))),
      _mm256_mul_pd(
          _mm256_mul_pd(w, w),
          _mm256_add_pd(
              k(det_trig::C4),
              _mm256_mul_pd(z, _mm256_add_pd(k(det_trig::C5),
                                             _mm256_mul_pd(z, k(det_trig::C6)))))));
  const __m256d hz = _mm256_mul_pd(k(0.5), z);
  const __m256d one_minus = _mm256_sub_pd(k(1.0), hz);
  // one_minus + (((1 - one_minus) - hz) + (z * r - x * y))
  return _mm256_add_pd(one_minus,
                       _mm256_add_pd(_mm256_sub_pd(_mm256_sub_pd(k(1.0), one_minus), hz),
                                     _mm256_sub_pd(_mm256_mul_pd(z, r), _mm256_mul_pd(x, y))));
}

// The biased exponent field of each lane, as a 64-bit integer.
[[gnu::target("avx2"), gnu::always_inline]] inline __m256i exponent_of(__m256d x) {
  return _mm256_and_si256(_mm256_srli_epi64(_mm256_castpd_si256(x), 52), _mm256_set1_epi64x(0x7ff));
}

// table[index] & 0xff on each lane of a byte table (read as 4-byte words: 3 spare bytes at
// its end).
[[gnu::target("avx2"), gnu::always_inline]] inline __m128i byte_at(const std::uint8_t* table,
                                                                   __m128i index) {
  const __m128i all =
      _mm_set1_epi32(-1);  // The masked form: GCC 12 warns on the other's undefined source.
  return _mm_and_si128(_mm_mask_i32gather_epi32(_mm_setzero_si128(),
                                                reinterpret_cast<const int*>(table), index, all, 1),
                       _mm_set1_epi32(0xff));
}

// noise2's `if (t > 0) { t *= t; n += t * t * (g[0] * x + g[1] * y); }` for one corner,
// gradient index g.
[[gnu::target("avx2"), gnu::always_inline]] inline __m256d add_corner(__m256d n, __m128i g,
                                                                      __m256d x, __m256d y) {
  const __m128i row = _mm_add_epi32(_mm_add_epi32(g, g), g);  // Row g of the 12 × 3 table.
  const __m256d all = _mm256_castsi256_pd(_mm256_set1_epi64x(-1)), zero = _mm256_setzero_pd();
  const __m256d gx = _mm256_mask_i32gather_pd(zero, &kSimplexGrad3[0][0], row, all, 8);
  const __m256d gy = _mm256_mask_i32gather_pd(zero, &kSimplexGrad3[0][1], row, all, 8);
  __m256d t = _mm256_sub_pd(_mm256_sub_pd(k(0.5), _mm256_mul_pd(x, x)), _mm256_mul_pd(y, y));
  const __m256d live = _mm256_cmp_pd(t, _mm256_setzero_pd(), _CMP_GT_OQ);
  t = _mm256_mul_pd(t, t);
  const __m256d term =
      _mm256_mul_pd(_mm256_mul_pd(t, t), _mm256_add_pd(_mm256_mul_pd(gx, x), _mm256_mul_pd(gy, y)));
  return _mm256_blendv_pd(n, _mm256_add_pd(n, term), live);  // n stays as it was, bits and all.
}

}  // namespace avx2

// det_sincos on each lane. The vector path is the scalar one for finite |x| < 2^20·π/2 whose
// reduction needs one round (all but angles within about 2^-16 relative of a multiple of
// π/2); other lanes are recomputed with det_sincos itself.
[[gnu::target("avx2"), gnu::always_inline]] inline void det_sincos4(__m256d x, __m256d& s,
                                                                    __m256d& c) {
  using avx2::k;
  // det_trig::reduce's first round. to_int holds 1.5·2^52 + n exactly, so its low mantissa
  // bits are n mod 4 (the bias 2^51 is a multiple of 4): the quadrant, without a conversion.
  const __m256d to_int =
      _mm256_add_pd(_mm256_mul_pd(x, k(det_trig::kInvPio2)), k(det_trig::kToInt));
  const __m256d fn = _mm256_sub_pd(to_int, k(det_trig::kToInt));
  const __m256d r = _mm256_sub_pd(x, _mm256_mul_pd(fn, k(det_trig::kPio2_1)));
  const __m256d w = _mm256_mul_pd(fn, k(det_trig::kPio2_1t));
  const __m256d y0 = _mm256_sub_pd(r, w);
  const __m256d y1 = _mm256_sub_pd(_mm256_sub_pd(r, y0), w);
  // Lanes for the scalar function: not finite or |x| ≥ 2^20·π/2 (the compare is false for
  // NaN), or a cancelling reduction (det_trig::reduce's second-round test).
  const __m256d abs_x = _mm256_andnot_pd(k(-0.0), x);
  const __m256d medium = _mm256_cmp_pd(abs_x, k(det_trig::kMediumMax), _CMP_LT_OQ);
  const __m256i cancels = _mm256_cmpgt_epi64(
      _mm256_sub_epi64(avx2::exponent_of(x), avx2::exponent_of(y0)), _mm256_set1_epi64x(16));
  const int slow = _mm256_movemask_pd(
      _mm256_or_pd(_mm256_castsi256_pd(cancels), _mm256_andnot_pd(medium, k(-0.0))));

  const __m256d ks = avx2::kernel_sin(y0, y1), kc = avx2::kernel_cos(y0, y1);
  // Quadrant n: (sin, cos) = (ks, kc), (kc, −ks), (−ks, −kc), (−kc, ks), as in det_sincos.
  const __m256i n = _mm256_castpd_si256(to_int);
  const __m256d swap = _mm256_castsi256_pd(_mm256_slli_epi64(n, 63));  // blendv reads the sign bit.
  const __m256i sign_bit = _mm256_set1_epi64x(static_cast<long long>(0x8000000000000000ull));
  const __m256d s_sign = _mm256_castsi256_pd(_mm256_and_si256(_mm256_slli_epi64(n, 62), sign_bit));
  const __m256d c_sign = _mm256_castsi256_pd(_mm256_and_si256(
      _mm256_slli_epi64(_mm256_add_epi64(n, _mm256_set1_epi64x(1)), 62), sign_bit));
  s = _mm256_xor_pd(_mm256_blendv_pd(ks, kc, swap), s_sign);
  c = _mm256_xor_pd(_mm256_blendv_pd(kc, ks, swap), c_sign);
  if (slow != 0) [[unlikely]] {
    alignas(32) double xs[4], ss[4], cs[4];
    _mm256_store_pd(xs, x);
    _mm256_store_pd(ss, s);
    _mm256_store_pd(cs, c);
    for (int l = 0; l < 4; ++l) {
      if (slow >> l & 1) det_sincos(xs[l], ss[l], cs[l]);
    }
    s = _mm256_load_pd(ss);
    c = _mm256_load_pd(cs);
  }
}

// noise.noise2 on each lane. The vector path covers |x|, |y| < 2^29, where the lattice
// coordinates and their sum fit an int as the scalar code's do; other lanes (and NaN), where
// noise2's int arithmetic overflows and the result is whatever the scalar code makes of it,
// are computed by noise2 itself.
[[gnu::target("avx2"), gnu::always_inline]] inline __m256d noise2x4(const SimplexNoise& noise,
                                                                    __m256d xin, __m256d yin) {
  using avx2::k;
  const double F2 = 0.5 * (std::sqrt(3.0) - 1.0);  // The scalar's constants, the same way.
  const double G2 = (3.0 - std::sqrt(3.0)) / 6.0;
  const __m256d limit = k(536870912.0);  // 2^29
  const int slow = _mm256_movemask_pd(_mm256_andnot_pd(
      _mm256_and_pd(_mm256_cmp_pd(_mm256_andnot_pd(k(-0.0), xin), limit, _CMP_LT_OQ),
                    _mm256_cmp_pd(_mm256_andnot_pd(k(-0.0), yin), limit, _CMP_LT_OQ)),
      k(-0.0)));

  const __m256d s = _mm256_mul_pd(_mm256_add_pd(xin, yin), k(F2));
  // fast_floor is floor for these magnitudes; the ints then go back to doubles as the
  // scalar's int arithmetic does (i + j is added as ints, like there).
  const __m128i i = _mm256_cvttpd_epi32(_mm256_floor_pd(_mm256_add_pd(xin, s)));
  const __m128i j = _mm256_cvttpd_epi32(_mm256_floor_pd(_mm256_add_pd(yin, s)));
  const __m256d t = _mm256_mul_pd(_mm256_cvtepi32_pd(_mm_add_epi32(i, j)), k(G2));
  const __m256d x0 = _mm256_sub_pd(xin, _mm256_sub_pd(_mm256_cvtepi32_pd(i), t));
  const __m256d y0 = _mm256_sub_pd(yin, _mm256_sub_pd(_mm256_cvtepi32_pd(j), t));
  const __m256d upper = _mm256_cmp_pd(x0, y0, _CMP_GT_OQ);  // i1 = 1, j1 = 0.
  const __m256d i1 = _mm256_and_pd(upper, k(1.0)), j1 = _mm256_andnot_pd(upper, k(1.0));
  const __m256d x1 = _mm256_add_pd(_mm256_sub_pd(x0, i1), k(G2)),
                y1 = _mm256_add_pd(_mm256_sub_pd(y0, j1), k(G2));
  const __m256d x2 = _mm256_add_pd(_mm256_sub_pd(x0, k(1.0)), k(2.0 * G2));
  const __m256d y2 = _mm256_add_pd(_mm256_sub_pd(y0, k(1.0)), k(2.0 * G2));

  // Gradient indices: perm12[ii + i1 + perm[jj + j1]] for the three corners. perm[jj + j1]
  // is perm[jj] or perm[jj + 1], both needed anyway.
  const std::uint8_t* perm = noise.perm();
  const std::uint8_t* perm12 = noise.perm12();
  const __m128i byte = _mm_set1_epi32(0xff), one = _mm_set1_epi32(1);
  const __m128i ii = _mm_and_si128(i, byte), jj = _mm_and_si128(j, byte);
  const __m128i i1_int = _mm256_cvttpd_epi32(i1);
  const __m128i p0 = avx2::byte_at(perm, jj), p1 = avx2::byte_at(perm, _mm_add_epi32(jj, one));
  const __m128i p_mid = _mm_blendv_epi8(p1, p0, _mm_cmpeq_epi32(i1_int, one));
  const __m128i g0 = avx2::byte_at(perm12, _mm_add_epi32(ii, p0));
  const __m128i g1 = avx2::byte_at(perm12, _mm_add_epi32(_mm_add_epi32(ii, i1_int), p_mid));
  const __m128i g2 = avx2::byte_at(perm12, _mm_add_epi32(_mm_add_epi32(ii, one), p1));

  __m256d n = _mm256_setzero_pd();
  n = avx2::add_corner(n, g0, x0, y0);
  n = avx2::add_corner(n, g1, x1, y1);
  n = avx2::add_corner(n, g2, x2, y2);
  __m256d out = _mm256_mul_pd(k(70.0), n);
  if (slow != 0) [[unlikely]] {
    alignas(32) double xs[4], ys[4], os[4];
    _mm256_store_pd(xs, xin);
    _mm256_store_pd(ys, yin);
    _mm256_store_pd(os, out);
    for (int l = 0; l < 4; ++l) {
      if (slow >> l & 1) os[l] = noise.noise2(xs[l], ys[l]);
    }
    out = _mm256_load_pd(os);
  }
  return out;
}

}  // namespace atelier::render::internal

#endif  // __x86_64__
