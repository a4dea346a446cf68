#include "render/math/flow_walk.h"

#include <algorithm>

#include "render/internal/cpu.h"
#include "render/math/internal/avx2_math.h"

namespace atelier::render::internal {

namespace {

// Four walks at a time in lockstep, as ctx:flowlines has always walked them without AVX2.
void walk_scalar(const FlowField& f, double step_len, const WalkBounds& b, std::int64_t steps,
                 const double* starts, int m, std::vector<double> (&xy)[kLockstep],
                 std::size_t (&len)[kLockstep]) {
  constexpr int kGroup = 4;
  for (int first = 0; first < m; first += kGroup) {
    const int group = std::min(kGroup, m - first);
    double x[kGroup], y[kGroup];
    bool active[kGroup] = {};
    for (int j = 0; j < group; ++j) {
      x[j] = starts[2 * (first + j)], y[j] = starts[2 * (first + j) + 1];
      xy[first + j].resize(2 * static_cast<std::size_t>(steps) + 2);
      xy[first + j][0] = x[j], xy[first + j][1] = y[j];
      active[j] = true;
      len[first + j] = 2;
    }
    for (std::int64_t step = 0; step < steps; ++step) {
      bool any = false;
      for (int j = 0; j < group; ++j) {
        if (!active[j]) continue;
        if (walk_step(f, step_len, b, x[j], y[j])) {
          std::vector<double>& out = xy[first + j];
          std::size_t& n = len[first + j];
          out[n] = x[j], out[n + 1] = y[j];
          n += 2;
          any = true;
        } else {
          active[j] = false;
        }
      }
      if (!any) break;
    }
  }
}

#if defined(__x86_64__)

// One walk_step on four walks as the lanes of a vector. Every lane computes walk_step's
// operations in its order (internal/avx2_math.h), so the points are the same bits. A walk that has
// stopped keeps its lane, looking up the field at (0, 0), until its group is done.
struct Lanes4 {
  __m256d x, y, active;
  __m256i taken;  // Steps each walk has taken.
};

[[gnu::target("avx2"), gnu::always_inline]] inline void step4(const FlowField& f, double step_len,
                                                              const WalkBounds& b, Lanes4& w) {
  using avx2::k;
  const __m256d sign = k(-0.0);
  const __m256d xa = _mm256_and_pd(w.x, w.active), ya = _mm256_and_pd(w.y, w.active);
  // FlowField::at for a plain field; wrap_coordinate leaves |v| < 1e6 alone.
  const __m256d fx = _mm256_add_pd(_mm256_mul_pd(xa, k(f.frequency)), k(f.ox));
  const __m256d fy = _mm256_add_pd(_mm256_mul_pd(ya, k(f.frequency)), k(f.oy));
  const __m256d sum = _mm256_add_pd(_mm256_setzero_pd(), noise2x4(*f.noise, fx, fy));
  __m256d a = _mm256_add_pd(k(f.base), _mm256_mul_pd(k(f.angle), sum));
  const int wrapped = _mm256_movemask_pd(
      _mm256_andnot_pd(_mm256_and_pd(_mm256_cmp_pd(_mm256_andnot_pd(sign, xa), k(1e6), _CMP_LT_OQ),
                                     _mm256_cmp_pd(_mm256_andnot_pd(sign, ya), k(1e6), _CMP_LT_OQ)),
                       sign));
  if (wrapped != 0) [[unlikely]] {  // Far out: the scalar lookup, fmod and all.
    alignas(32) double xs[4], ys[4], as[4];
    _mm256_store_pd(xs, w.x);
    _mm256_store_pd(ys, w.y);
    _mm256_store_pd(as, a);
    for (int l = 0; l < 4; ++l) {
      if (wrapped >> l & 1) as[l] = f.at(wrap_coordinate(xs[l]), wrap_coordinate(ys[l]));
    }
    a = _mm256_load_pd(as);
  }
  __m256d sin_a, cos_a;
  det_sincos4(a, sin_a, cos_a);
  const __m256d nx = _mm256_add_pd(w.x, _mm256_mul_pd(cos_a, k(step_len)));
  const __m256d ny = _mm256_add_pd(w.y, _mm256_mul_pd(sin_a, k(step_len)));
  // walk_step's bounds test; false for NaN, as there.
  const __m256d leaves = _mm256_or_pd(_mm256_or_pd(_mm256_cmp_pd(nx, k(b.x_min), _CMP_LT_OQ),
                                                   _mm256_cmp_pd(nx, k(b.x_max), _CMP_GT_OQ)),
                                      _mm256_or_pd(_mm256_cmp_pd(ny, k(b.y_min), _CMP_LT_OQ),
                                                   _mm256_cmp_pd(ny, k(b.y_max), _CMP_GT_OQ)));
  w.active = _mm256_andnot_pd(leaves, w.active);
  w.x = _mm256_blendv_pd(w.x, nx, w.active);
  w.y = _mm256_blendv_pd(w.y, ny, w.active);
  w.taken = _mm256_sub_epi64(w.taken, _mm256_castpd_si256(w.active));
}

// walk_scalar for a plain field: the kLockstep walks as kLockstep / 4 vectors, whose serial
// chains overlap as the scalar walks' do.
[[gnu::target("avx2")]] void walk_avx2(const FlowField& f, double step_len, const WalkBounds& b,
                                       std::int64_t steps, const double* starts, int m,
                                       std::vector<double> (&xy)[kLockstep],
                                       std::size_t (&len)[kLockstep]) {
  constexpr int kVectors = kLockstep / 4;
  static_assert(kVectors * 4 == kLockstep);
  alignas(32) double x_start[kLockstep] = {}, y_start[kLockstep] = {};
  for (int j = 0; j < m; ++j) x_start[j] = starts[2 * j], y_start[j] = starts[2 * j + 1];
  // Every lane stores every step (a stopped walk's points past its len[j] are never read),
  // so all the buffers are sized, used or not.
  double* out[kLockstep];
  for (int j = 0; j < kLockstep; ++j) {
    xy[j].resize(2 * static_cast<std::size_t>(steps) + 2);
    out[j] = xy[j].data();
    out[j][0] = x_start[j], out[j][1] = y_start[j];
  }
  Lanes4 w[kVectors];
  for (int v = 0; v < kVectors; ++v) {
    w[v].x = _mm256_load_pd(x_start + 4 * v), w[v].y = _mm256_load_pd(y_start + 4 * v);
    w[v].active = _mm256_castsi256_pd(
        _mm256_cmpgt_epi64(_mm256_set1_epi64x(m - 4 * v), _mm256_setr_epi64x(0, 1, 2, 3)));
    w[v].taken = _mm256_setzero_si256();
  }
  for (std::int64_t i = 0; i < steps; ++i) {
    int any = 0;
    for (int v = 0; v < kVectors; ++v) {
      step4(f, step_len, b, w[v]);
      any |= _mm256_movemask_pd(w[v].active);
    }
    if (any == 0) break;
    const std::size_t at = 2 * static_cast<std::size_t>(i) + 2;
    for (int v = 0; v < kVectors; ++v) {
      // Lane pairs (x, y): lanes 0 and 2 in lo, 1 and 3 in hi.
      const __m256d lo = _mm256_unpacklo_pd(w[v].x, w[v].y),
                    hi = _mm256_unpackhi_pd(w[v].x, w[v].y);
      double* const* o = out + 4 * v;
      _mm_storeu_pd(o[0] + at, _mm256_castpd256_pd128(lo));
      _mm_storeu_pd(o[1] + at, _mm256_castpd256_pd128(hi));
      _mm_storeu_pd(o[2] + at, _mm256_extractf128_pd(lo, 1));
      _mm_storeu_pd(o[3] + at, _mm256_extractf128_pd(hi, 1));
    }
  }
  for (int v = 0; v < kVectors; ++v) {
    alignas(32) long long counts[4];
    _mm256_store_si256(reinterpret_cast<__m256i*>(counts), w[v].taken);
    for (int l = 0; l < 4 && 4 * v + l < m; ++l)
      len[4 * v + l] = 2 + 2 * static_cast<std::size_t>(counts[l]);
  }
}

#endif

}  // namespace

void walk_lockstep(const FlowField& f, double step_len, const WalkBounds& b, std::int64_t steps,
                   const double* starts, int m, std::vector<double> (&xy)[kLockstep],
                   std::size_t (&len)[kLockstep]) {
#if defined(__x86_64__)
  if (f.plain() && use_avx2()) return walk_avx2(f, step_len, b, steps, starts, m, xy, len);
#endif
  walk_scalar(f, step_len, b, steps, starts, m, xy, len);
}

}  // namespace atelier::render::internal
