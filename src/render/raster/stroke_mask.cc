#include "render/raster/internal/stroke_mask.h"

#include "render/internal/cpu.h"
#include "render/internal/spare_buffer.h"

#include <algorithm>
#include <cassert>
#include <cmath>
#include <cstring>

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#endif

namespace atelier::render::internal {

namespace {

// Candidate pixels per column of a thin capsule: ⌊2·reach·√2⌋ + 1 with reach ≤ kThinRadiusMax +
// 0.5.
constexpr int kCapsuleRowsMax = 6;
static_assert(kCapsuleRowsMax >=
              static_cast<int>(2.0 * (StrokeMask::kThinRadiusMax + 0.5) * 1.4142135623730951) + 1);

// x / 255 rounded, for x in 0..255*255 (exact for that range).
inline std::uint32_t div255(std::uint32_t x) { return (x + 128 + ((x + 128) >> 8)) >> 8; }

struct Interval {
  double lo = INFINITY, hi = -INFINITY;
  void add(double a, double b) {
    lo = std::min(lo, a);
    hi = std::max(hi, b);
  }
};

}  // namespace

namespace {
struct Coverage;  // SpareBuffer tag. Invariant: a kept coverage buffer is all zero.
using SpareCoverage = SpareBuffer<std::uint8_t, Coverage>;
}  // namespace

StrokeMask::StrokeMask(int width_px, int height_px)
    : width_(width_px),
      height_(height_px),
      coverage_(SpareCoverage::take(static_cast<std::size_t>(width_px) * height_px)),
      avx2_(use_avx2()) {
  clear();
}

StrokeMask::~StrokeMask() {
  clear();  // Zero again (a stroke may have been abandoned), so the buffer can be reused.
  SpareCoverage::give(std::move(coverage_));
}

void StrokeMask::clear() {
  if (!empty()) {
    for (int y = min_y_; y <= max_y_; ++y) {
      std::fill_n(&coverage_[static_cast<std::size_t>(y) * width_ + min_x_], max_x_ - min_x_ + 1,
                  0);
    }
  }
  min_x_ = width_, min_y_ = height_, max_x_ = -1, max_y_ = -1;
}

namespace {

// The x-interval of row centre `yc` within distance `reach` of the segment: the union of the
// two end discs and the body (|n·(p−a)| ≤ reach and 0 ≤ t·(p−a) ≤ len, solved for x). The
// capsule is convex, so the union is one interval.
struct Segment {
  double x0, y0, x1, y1, tx, ty, nx, ny, len;
};

Interval span_at(const Segment& s, double yc, double reach) {
  Interval span;
  for (int end = 0; end < 2; ++end) {
    double cx = end ? s.x1 : s.x0, cy = end ? s.y1 : s.y0;
    double h2 = reach * reach - (yc - cy) * (yc - cy);
    if (h2 >= 0) {
      double h = std::sqrt(h2);
      span.add(cx - h, cx + h);
    }
  }
  if (s.len > 0) {
    double lo = -INFINITY, hi = INFINITY;
    double ry = yc - s.y0;
    if (s.nx != 0) {
      double a = (-reach - s.ny * ry) / s.nx, b = (reach - s.ny * ry) / s.nx;
      lo = std::max(lo, std::min(a, b)), hi = std::min(hi, std::max(a, b));
    } else if (std::fabs(s.ny * ry) > reach) {
      lo = INFINITY;
    }
    if (s.tx != 0) {
      double a = (0 - s.ty * ry) / s.tx, b = (s.len - s.ty * ry) / s.tx;
      lo = std::max(lo, std::min(a, b)), hi = std::min(hi, std::max(a, b));
    } else if (s.ty * ry < 0 || s.ty * ry > s.len) {
      lo = INFINITY;
    }
    if (lo <= hi) span.add(s.x0 + lo, s.x0 + hi);
  }
  return span;
}

// Coverage of pixels [from, to) of one row from their distance to the segment, max-merged
// into `row`. Written so that GCC vectorises it (the file builds with -O3): single precision
// on coordinates relative to the segment start (small numbers, so float keeps ~1e-3 px),
// branch-free clamps, and the byte merge in a second loop.
struct FringeRow {
  double x0, y0, dx, dy, inv_len2, yc, reach_thick, thin_scale;
};

template <bool kThin>
void fringe(const FringeRow& f, std::uint8_t* row, int from, int to) {
  constexpr int kChunk = 64;
  float cov[kChunk];
  const float dx = static_cast<float>(f.dx), dy = static_cast<float>(f.dy);
  const float inv = static_cast<float>(f.inv_len2), ry = static_cast<float>(f.yc - f.y0);
  const float reach = static_cast<float>(f.reach_thick), scale = static_cast<float>(f.thin_scale);
  for (int base = from; base < to; base += kChunk) {
    const int n = std::min(kChunk, to - base);
    const float rx0 = static_cast<float>(base + 0.5 - f.x0);
    for (int i = 0; i < n; ++i) {
      const float rx = rx0 + static_cast<float>(i);
      float t = (rx * dx + ry * dy) * inv;
      t = t < 0.0f ? 0.0f : t;
      t = t > 1.0f ? 1.0f : t;
      const float ex = rx - t * dx, ey = ry - t * dy;
      const float d = std::sqrt(ex * ex + ey * ey);
      float c = kThin ? (1.0f - d) * scale : reach - d;
      c = c < 0.0f ? 0.0f : c;
      c = c > 1.0f ? 1.0f : c;
      cov[i] = c * 255.0f + 0.5f;
    }
    std::uint8_t* out = row + base;
    for (int i = 0; i < n; ++i) {
      const auto v = static_cast<std::uint8_t>(static_cast<int>(cov[i]));
      out[i] = out[i] > v ? out[i] : v;
    }
  }
}

}  // namespace

void StrokeMask::add_segment(double x0, double y0, double x1, double y1, double radius) {
  assert(radius > 0);
  const bool thin = radius < 0.5;
  const double reach = thin ? 1.0 : radius + 0.5;  // Distance beyond which coverage is 0.
  const double solid = thin ? -1.0 : radius - 0.5;  // Distance within which coverage is 1.
  const double thin_scale = thin ? 2.0 * radius : 1.0;
  const double dx = x1 - x0, dy = y1 - y0;
  const double len2 = dx * dx + dy * dy;
  const double len = std::sqrt(len2);
  const double inv_len2 = len2 > 0 ? 1.0 / len2 : 0.0;
  Segment seg{x0, y0, x1, y1, len > 0 ? dx / len : 1.0, len > 0 ? dy / len : 0.0, 0, 0, len};
  seg.nx = -seg.ty, seg.ny = seg.tx;

  int row_lo = std::max(0, static_cast<int>(std::floor(std::min(y0, y1) - reach)));
  int row_hi = std::min(height_ - 1, static_cast<int>(std::ceil(std::max(y0, y1) + reach)));
  for (int py = row_lo; py <= row_hi; ++py) {
    const double yc = py + 0.5;
    Interval outer = span_at(seg, yc, reach);
    if (!(outer.lo <= outer.hi)) continue;
    int px_lo = std::max(0, static_cast<int>(std::ceil(outer.lo - 0.5)));
    int px_hi = std::min(width_ - 1, static_cast<int>(std::floor(outer.hi - 0.5)));
    if (px_lo > px_hi) continue;
    min_x_ = std::min(min_x_, px_lo), max_x_ = std::max(max_x_, px_hi);
    min_y_ = std::min(min_y_, py), max_y_ = std::max(max_y_, py);
    // Pixels whose centres lie within `solid` of the segment are fully covered: no distance.
    int in_lo = px_hi + 1, in_hi = px_hi;
    if (solid > 0) {
      Interval inner = span_at(seg, yc, solid);
      if (inner.lo <= inner.hi) {
        in_lo = std::max(px_lo, static_cast<int>(std::ceil(inner.lo - 0.5)));
        in_hi = std::min(px_hi, static_cast<int>(std::floor(inner.hi - 0.5)));
      }
    }
    std::uint8_t* row = &coverage_[static_cast<std::size_t>(py) * width_];
    const FringeRow f{x0, y0, dx, dy, inv_len2, yc, radius + 0.5, thin_scale};
    if (in_lo <= in_hi) {
      if (thin) {
        fringe<true>(f, row, px_lo, in_lo);
        fringe<true>(f, row, in_hi + 1, px_hi + 1);
      } else {
        fringe<false>(f, row, px_lo, in_lo);
        fringe<false>(f, row, in_hi + 1, px_hi + 1);
      }
      std::memset(row + in_lo, 255,
                  static_cast<std::size_t>(in_hi - in_lo + 1));  // max(x, 255) = 255.
    } else if (thin) {
      fringe<true>(f, row, px_lo, px_hi + 1);
    } else {
      fringe<false>(f, row, px_lo, px_hi + 1);
    }
  }
}

namespace {

// Pixel indices are computed in double and clamped to [-1, size] before conversion (NaN to
// -1), so coordinates far off the canvas never overflow an int.
inline double clamp_index(double v, int size) { return v > -1.0 ? (v < size ? v : size) : -1.0; }
inline int first_index(double v, int size) {
  return static_cast<int>(std::ceil(clamp_index(v, size)));
}
inline int last_index(double v, int size) {
  return static_cast<int>(std::floor(clamp_index(v, size)));
}

}  // namespace

void StrokeMask::touch(int x_lo, int y_lo, int x_hi, int y_hi) {
  min_x_ = std::min(min_x_, x_lo), max_x_ = std::max(max_x_, x_hi);
  min_y_ = std::min(min_y_, y_lo), max_y_ = std::max(max_y_, y_hi);
}

namespace {

// The coverage buffer, as the kernels below see it.
struct MaskView {
  std::uint8_t* coverage;
  int width, height;
};

// One segment's capsule in a column-walk frame, in single precision (see capsule_columns).
struct CapsuleFrame {
  int u_int, v_base, rows;  // Integer parts of the start; candidate pixels per column.
  float u0_frac, v0_frac, tu, tv, len, slope, half, reach, scale;
};

// Inlined into each kernel: under target("avx2") its floors are single instructions (the
// same values: floor is exact).
[[gnu::always_inline]] inline CapsuleFrame capsule_frame(double u0, double v0, double u1, double v1,
                                                         double reach, double scale) {
  const double du = u1 - u0, dv = v1 - v0;
  const double len = std::sqrt(du * du + dv * dv);
  const double inv_len = 1.0 / len, inv_du = 1.0 / du;
  const double half =
      reach * len * std::fabs(inv_du);  // Half the band's extent along v in a column.
  const double u0_int = std::floor(u0), v0_int = std::floor(v0);
  CapsuleFrame f;
  f.u_int = static_cast<int>(u0_int), f.v_base = static_cast<int>(v0_int);
  f.rows = static_cast<int>(2.0 * half) + 1;
  assert(f.rows <= kCapsuleRowsMax);
  f.u0_frac = static_cast<float>(u0 - u0_int), f.v0_frac = static_cast<float>(v0 - v0_int);
  f.tu = static_cast<float>(du * inv_len), f.tv = static_cast<float>(dv * inv_len),
  f.len = static_cast<float>(len);
  f.slope = static_cast<float>(dv * inv_du), f.half = static_cast<float>(half);
  f.reach = static_cast<float>(reach), f.scale = static_cast<float>(scale);
  return f;
}

// Max-merges one block of columns' candidate coverage into the mask: column i + l (l <
// `lanes`) holds cov[row][l] at rows v_base + k0[l] + row.
template <bool kYMajor, int kLanes>
inline void scatter_block(std::uint8_t* coverage, int width, int v_size, int i, int lanes,
                          const CapsuleFrame& f, const int* k0, const int (*cov)[kLanes]) {
  const std::size_t u_step = kYMajor ? static_cast<std::size_t>(width) : 1;  // Next column.
  const std::size_t v_step = kYMajor ? 1 : static_cast<std::size_t>(width);  // Next row.
  for (int l = 0; l < lanes; ++l) {
    const int j0 = f.v_base + k0[l];
    std::uint8_t* cell = &coverage[static_cast<std::size_t>(i + l) * u_step];
    if (j0 >= 0 && j0 + f.rows <= v_size) {  // All candidates on the canvas: no checks.
      cell += static_cast<std::size_t>(j0) * v_step;
      for (int row = 0; row < f.rows; ++row, cell += v_step) {
        *cell = std::max(*cell, static_cast<std::uint8_t>(cov[row][l]));
      }
      continue;
    }
    for (int row = 0; row < f.rows; ++row) {
      const int j = j0 + row;
      if (j < 0 || j >= v_size) continue;
      std::uint8_t& c = cell[static_cast<std::size_t>(j) * v_step];
      c = std::max(c, static_cast<std::uint8_t>(cov[row][l]));
    }
  }
}

#if defined(__x86_64__) || defined(__i386__)
// scatter_block for up to four candidate rows, with the block's coverage rows `r` packed:
// the rows of each column become the four bytes of one 32-bit lane (row 0 lowest), lanes past
// `lanes` zeroed. When the column runs along memory (kYMajor) each lane is one 4-byte
// max-merge; otherwise the block is sheared into the memory rows it crosses (rows + slope·7
// of them) and each is one 8-byte max-merge. Max-merging a zero byte leaves a cell as it was,
// so the extra candidate byte and the sheared gaps change nothing, and the bytes equal
// scatter_block's. False, having stored nothing, when a lane's candidates leave the canvas
// (or the 8-byte rows would pass its right edge): then scatter_block does it.
template <bool kYMajor>
[[gnu::target("avx2"), gnu::always_inline]] inline bool scatter_packed_avx2(
    std::uint8_t* coverage, int width, int u_size, int v_size, int i, int lanes, int v_base,
    int rows, __m256i k, const int* k0, const __m256i* r) {
  // The first candidate row is monotonic across the lanes (a rounded linear function of the
  // column), so the live lanes' candidates span rows [j_lo, j_hi + rows) with j_lo and j_hi
  // from the first and last live lane.
  const int j_first = v_base + k0[0], j_last = v_base + k0[lanes - 1];
  const int j_lo = std::min(j_first, j_last), j_hi = std::max(j_first, j_last);
  if (j_lo < 0 || j_hi + 4 > v_size || (!kYMajor && i + 8 > u_size)) return false;
  const __m256i live =
      _mm256_cmpgt_epi32(_mm256_set1_epi32(lanes), _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
  // Rows 0..3 of eight columns → eight 32-bit lanes of four bytes.
  const __m256i zero = _mm256_setzero_si256();
  const __m256i p01 = _mm256_packus_epi32(r[0], rows > 1 ? r[1] : zero);
  const __m256i p23 = _mm256_packus_epi32(rows > 2 ? r[2] : zero, rows > 3 ? r[3] : zero);
  __m256i packed = _mm256_packus_epi16(p01, p23);  // Per 128 bits: row 0 of 4 columns, row 1, ….
  packed = _mm256_shuffle_epi8(
      packed, _mm256_setr_epi8(0, 4, 8, 12, 1, 5, 9, 13, 2, 6, 10, 14, 3, 7, 11, 15, 0, 4, 8, 12, 1,
                               5, 9, 13, 2, 6, 10, 14, 3, 7, 11, 15));
  packed = _mm256_and_si256(packed, live);
  if constexpr (kYMajor) {
    alignas(32) std::uint32_t bytes[8];
    _mm256_store_si256(reinterpret_cast<__m256i*>(bytes), packed);
    for (int l = 0; l < lanes; ++l) {
      std::uint8_t* cell = &coverage[static_cast<std::size_t>(i + l) * width + v_base + k0[l]];
      std::uint32_t old;
      std::memcpy(&old, cell, 4);
      const std::uint32_t merged = static_cast<std::uint32_t>(
          _mm_cvtsi128_si32(_mm_max_epu8(_mm_cvtsi32_si128(static_cast<int>(old)),
                                         _mm_cvtsi32_si128(static_cast<int>(bytes[l])))));
      std::memcpy(cell, &merged, 4);
    }
  } else {
    // Memory row j takes byte j − j0[l] of lane l (a shift by 32 or more, or a negative one
    // read as unsigned, leaves 0), then the low bytes of the eight lanes side by side.
    const __m256i j0 = _mm256_add_epi32(k, _mm256_set1_epi32(v_base));
    const __m256i low_bytes =
        _mm256_setr_epi8(0, 4, 8, 12, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, 0, 4, 8, 12,
                         -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1);
    for (int j = j_lo; j < j_hi + rows; ++j) {
      const __m256i shift = _mm256_slli_epi32(_mm256_sub_epi32(_mm256_set1_epi32(j), j0), 3);
      const __m256i picked = _mm256_shuffle_epi8(_mm256_srlv_epi32(packed, shift), low_bytes);
      const __m128i eight =
          _mm_unpacklo_epi32(_mm256_castsi256_si128(picked), _mm256_extracti128_si256(picked, 1));
      auto* cell = reinterpret_cast<__m128i*>(&coverage[static_cast<std::size_t>(j) * width + i]);
      _mm_storel_epi64(cell, _mm_max_epu8(_mm_loadl_epi64(cell), eight));
    }
  }
  return true;
}

// One block of eight columns starting at column i: kRows candidate rows (0: f.rows, at run
// time; 3 is a one-pixel pen's count, unrolled).
template <bool kYMajor, int kRows>
[[gnu::target("avx2"), gnu::always_inline]] inline void capsule_block_avx2(std::uint8_t* coverage,
                                                                           int width, int u_size,
                                                                           int v_size,
                                                                           const CapsuleFrame& f,
                                                                           int i, int i_hi) {
  const int rows = kRows != 0 ? kRows : f.rows;
  const __m256 tu8 = _mm256_set1_ps(f.tu), tv8 = _mm256_set1_ps(f.tv), zero = _mm256_setzero_ps();
  const __m256 one = _mm256_set1_ps(1.0f);
  alignas(32) int k0[8];
  const __m256 ru =
      _mm256_add_ps(_mm256_cvtepi32_ps(_mm256_add_epi32(_mm256_set1_epi32(i - f.u_int),
                                                        _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7))),
                    _mm256_set1_ps(0.5f - f.u0_frac));
  const __m256 edge = _mm256_add_ps(
      _mm256_sub_ps(_mm256_mul_ps(ru, _mm256_set1_ps(f.slope)), _mm256_set1_ps(f.half)),
      _mm256_set1_ps(f.v0_frac - 0.5f));
  __m256i k = _mm256_cvttps_epi32(edge);  // Truncation; +1 where that fell below: ceil.
  k = _mm256_sub_epi32(k,
                       _mm256_castps_si256(_mm256_cmp_ps(_mm256_cvtepi32_ps(k), edge, _CMP_LT_OQ)));
  _mm256_store_si256(reinterpret_cast<__m256i*>(k0), k);
  __m256 rv = _mm256_add_ps(_mm256_cvtepi32_ps(k), _mm256_set1_ps(0.5f - f.v0_frac));
  const __m256 tu_ru = _mm256_mul_ps(tu8, ru), tv_ru = _mm256_mul_ps(tv8, ru);
  __m256i r[kCapsuleRowsMax];
  for (int row = 0; row < rows; ++row) {
    const __m256 s_along = _mm256_add_ps(tu_ru, _mm256_mul_ps(tv8, rv));
    const __m256 h = _mm256_sub_ps(_mm256_mul_ps(tu8, rv), tv_ru);
    const __m256 e =
        _mm256_sub_ps(s_along, _mm256_min_ps(_mm256_max_ps(s_along, zero), _mm256_set1_ps(f.len)));
    const __m256 d = _mm256_sqrt_ps(_mm256_add_ps(_mm256_mul_ps(h, h), _mm256_mul_ps(e, e)));
    __m256 c = _mm256_mul_ps(_mm256_sub_ps(_mm256_set1_ps(f.reach), d), _mm256_set1_ps(f.scale));
    c = _mm256_min_ps(_mm256_max_ps(c, zero), one);
    r[row] = _mm256_cvttps_epi32(
        _mm256_add_ps(_mm256_mul_ps(c, _mm256_set1_ps(255.0f)), _mm256_set1_ps(0.5f)));
    rv = _mm256_add_ps(rv, one);
  }
  const int lanes = std::min(8, i_hi - i + 1);
  if (rows <= 4 && scatter_packed_avx2<kYMajor>(coverage, width, u_size, v_size, i, lanes, f.v_base,
                                                rows, k, k0, r)) {
    return;
  }
  alignas(32) int cov[kCapsuleRowsMax][8];
  for (int row = 0; row < rows; ++row)
    _mm256_store_si256(reinterpret_cast<__m256i*>(cov[row]), r[row]);
  scatter_block<kYMajor, 8>(coverage, width, v_size, i, lanes, f, k0, cov);
}

// capsule_columns' loop eight columns at a time: per lane, the same single-precision
// operations in the same order as the four-lane SSE2 loop (and the scalar one), so the same
// coverage bytes; only the lane count differs. A thin line's segment spans about 4–7
// columns, so one block usually covers it where four lanes took two.
template <bool kYMajor>
[[gnu::target("avx2")]] void capsule_columns_avx2(const MaskView& m, double u0, double v0,
                                                  double u1, double v1, int i_lo, int i_hi,
                                                  double reach, double scale) {
  const CapsuleFrame f = capsule_frame(u0, v0, u1, v1, reach, scale);
  const int u_size = kYMajor ? m.height : m.width, v_size = kYMajor ? m.width : m.height;
  for (int i = i_lo; i <= i_hi; i += 8) {
    if (f.rows == 3) {
      capsule_block_avx2<kYMajor, 3>(m.coverage, m.width, u_size, v_size, f, i, i_hi);
    } else {
      capsule_block_avx2<kYMajor, 0>(m.coverage, m.width, u_size, v_size, f, i, i_hi);
    }
  }
}
#endif


// The capsule walked along its major axis u (x, or y when kYMajor), a block of pixel columns
// at a time in single precision (coordinates relative to the integer part of the start, so
// small numbers). In (u, v) the segment has unit tangent (tu, tv) with |tu| ≥ 1/√2; a pixel
// centre at offset (ru, rv) from the start lies s = tu·ru + tv·rv along the segment and h =
// tu·rv − tv·ru across it, and its distance to the segment is √(h² + (s − clamp(s, 0, len))²).
// The capsule (caps included) lies inside the band |h| ≤ reach, which in one column spans
// 2·reach/|tu| ≤ 2√2·reach of v: at most `rows` = ⌊2·reach/|tu|⌋ + 1 candidate pixels per
// column, evaluated branch-free; only non-zero coverage inside the canvas is stored. Blocks
// are four columns with SSE2 (or the scalar loop), eight in capsule_columns_avx2: the same
// bytes.
template <bool kYMajor>
void capsule_columns(const MaskView& m, double u0, double v0, double u1, double v1, int i_lo,
                     int i_hi, double reach, double scale) {
  const CapsuleFrame f = capsule_frame(u0, v0, u1, v1, reach, scale);
  const int v_size = kYMajor ? m.width : m.height;
  for (int i = i_lo; i <= i_hi; i += 4) {
    // Per lane l (column i + l): the column's offset ru from the start, its first candidate
    // row k0 (relative to v_base) where the band's lower edge crosses it, and the coverage of
    // its candidate rows k0, k0 + 1, ….
    alignas(16) int k0[4];
    alignas(16) int cov[kCapsuleRowsMax][4];
#if defined(__SSE2__)
    const __m128 ru = _mm_add_ps(
        _mm_cvtepi32_ps(_mm_add_epi32(_mm_set1_epi32(i - f.u_int), _mm_setr_epi32(0, 1, 2, 3))),
        _mm_set1_ps(0.5f - f.u0_frac));
    const __m128 edge =
        _mm_add_ps(_mm_sub_ps(_mm_mul_ps(ru, _mm_set1_ps(f.slope)), _mm_set1_ps(f.half)),
                   _mm_set1_ps(f.v0_frac - 0.5f));
    __m128i k = _mm_cvttps_epi32(edge);  // Truncation; +1 where that fell below: ceil.
    k = _mm_sub_epi32(k, _mm_castps_si128(_mm_cmplt_ps(_mm_cvtepi32_ps(k), edge)));
    _mm_store_si128(reinterpret_cast<__m128i*>(k0), k);
    __m128 rv = _mm_add_ps(_mm_cvtepi32_ps(k), _mm_set1_ps(0.5f - f.v0_frac));
    const __m128 tu4 = _mm_set1_ps(f.tu), tv4 = _mm_set1_ps(f.tv), zero = _mm_setzero_ps(),
                 one = _mm_set1_ps(1.0f);
    const __m128 tu_ru = _mm_mul_ps(tu4, ru), tv_ru = _mm_mul_ps(tv4, ru);
    for (int row = 0; row < f.rows; ++row) {
      const __m128 s_along = _mm_add_ps(tu_ru, _mm_mul_ps(tv4, rv));
      const __m128 h = _mm_sub_ps(_mm_mul_ps(tu4, rv), tv_ru);
      const __m128 e =
          _mm_sub_ps(s_along, _mm_min_ps(_mm_max_ps(s_along, zero), _mm_set1_ps(f.len)));
      const __m128 d = _mm_sqrt_ps(_mm_add_ps(_mm_mul_ps(h, h), _mm_mul_ps(e, e)));
      __m128 c = _mm_mul_ps(_mm_sub_ps(_mm_set1_ps(f.reach), d), _mm_set1_ps(f.scale));
      c = _mm_min_ps(_mm_max_ps(c, zero), one);
      _mm_store_si128(
          reinterpret_cast<__m128i*>(cov[row]),
          _mm_cvttps_epi32(_mm_add_ps(_mm_mul_ps(c, _mm_set1_ps(255.0f)), _mm_set1_ps(0.5f))));
      rv = _mm_add_ps(rv, one);
    }
#else
    for (int l = 0; l < 4; ++l) {  // The same arithmetic, one lane at a time.
      const float ru = static_cast<float>(i + l - f.u_int) + (0.5f - f.u0_frac);
      const float edge = ru * f.slope - f.half + (f.v0_frac - 0.5f);
      k0[l] = static_cast<int>(edge);
      k0[l] += static_cast<float>(k0[l]) < edge ? 1 : 0;
      float rv = static_cast<float>(k0[l]) + (0.5f - f.v0_frac);
      const float tu_ru = f.tu * ru, tv_ru = f.tv * ru;
      for (int row = 0; row < f.rows; ++row) {
        const float s_along = tu_ru + f.tv * rv;
        const float h = f.tu * rv - tv_ru;
        const float e = s_along - std::min(std::max(s_along, 0.0f), f.len);
        const float d = std::sqrt(h * h + e * e);
        const float c = std::min(std::max((f.reach - d) * f.scale, 0.0f), 1.0f);
        cov[row][l] = static_cast<int>(c * 255.0f + 0.5f);
        rv = rv + 1.0f;
      }
    }
#endif
    scatter_block<kYMajor, 4>(m.coverage, m.width, v_size, i, std::min(4, i_hi - i + 1), f, k0,
                              cov);
  }
}

// add_inside's run: `Columns` is the kernel pair, BaselineColumns or Avx2Columns. Returns
// false, having added nothing, unless every capsule of the run lies on the canvas; else the
// box the run may have touched (empty when every point repeats the first).
struct Box {
  int x_lo, y_lo, x_hi, y_hi;
  bool any;
};

template <class Columns>
[[gnu::always_inline]] inline bool add_run(const MaskView& m, const double* xy, std::size_t points,
                                           double reach, double scale, Box& box) {
  double x_min = xy[0], x_max = xy[0], y_min = xy[1], y_max = xy[1];
  for (std::size_t i = 1; i < points; ++i) {
    x_min = std::min(x_min, xy[2 * i]), x_max = std::max(x_max, xy[2 * i]);
    y_min = std::min(y_min, xy[2 * i + 1]), y_max = std::max(y_max, xy[2 * i + 1]);
  }
  // Every capsule's pixel range then lies on the canvas (false for NaN, too).
  if (!(x_min - reach >= 0.5 && y_min - reach >= 0.5 && x_max + reach <= m.width - 0.5 &&
        y_max + reach <= m.height - 0.5)) {
    return false;
  }
  box.any = false;
  for (std::size_t i = 1; i < points; ++i) {
    const double x0 = xy[2 * i - 2], y0 = xy[2 * i - 1], x1 = xy[2 * i], y1 = xy[2 * i + 1];
    if (x0 == x1 && y0 == y1) continue;  // Repeated point: nothing to add.
    box.any = true;
    if (std::fabs(x1 - x0) >= std::fabs(y1 - y0)) {
      const int lo = static_cast<int>(std::ceil(std::min(x0, x1) - reach - 0.5));
      const int hi = static_cast<int>(std::floor(std::max(x0, x1) + reach - 0.5));
      Columns::template run<false>(m, x0, y0, x1, y1, lo, hi, reach, scale);
    } else {
      const int lo = static_cast<int>(std::ceil(std::min(y0, y1) - reach - 0.5));
      const int hi = static_cast<int>(std::floor(std::max(y0, y1) + reach - 0.5));
      Columns::template run<true>(m, y0, x0, y1, x1, lo, hi, reach, scale);
    }
  }
  box.x_lo = static_cast<int>(std::ceil(x_min - reach - 0.5)),
  box.y_lo = static_cast<int>(std::ceil(y_min - reach - 0.5));
  box.x_hi = static_cast<int>(std::floor(x_max + reach - 0.5)),
  box.y_hi = static_cast<int>(std::floor(y_max + reach - 0.5));
  return true;
}

struct BaselineColumns {
  template <bool kYMajor>
  static void run(const MaskView& m, double u0, double v0, double u1, double v1, int i_lo, int i_hi,
                  double reach, double scale) {
    capsule_columns<kYMajor>(m, u0, v0, u1, v1, i_lo, i_hi, reach, scale);
  }
};

bool add_run_baseline(const MaskView& m, const double* xy, std::size_t points, double reach,
                      double scale, Box& box) {
  return add_run<BaselineColumns>(m, xy, points, reach, scale, box);
}

#if defined(__x86_64__) || defined(__i386__)
struct Avx2Columns {
  template <bool kYMajor>
  [[gnu::target("avx2")]] static void run(const MaskView& m, double u0, double v0, double u1,
                                          double v1, int i_lo, int i_hi, double reach,
                                          double scale) {
    capsule_columns_avx2<kYMajor>(m, u0, v0, u1, v1, i_lo, i_hi, reach, scale);
  }
};

// The whole run under target("avx2"): the set-up's floors and ceilings are one instruction.
[[gnu::target("avx2")]] bool add_run_avx2(const MaskView& m, const double* xy, std::size_t points,
                                          double reach, double scale, Box& box) {
  return add_run<Avx2Columns>(m, xy, points, reach, scale, box);
}
#endif

}  // namespace

void StrokeMask::add_polyline(const double* xy, std::size_t points, double radius) {
  assert(radius > 0);
  if (radius <= kThinRadiusMax) {
    const bool thin = radius < 0.5;
    const double reach = thin ? 1.0 : radius + 0.5;
    const double scale = thin ? 2.0 * radius : 1.0;
    // Runs of kInsideRun segments (consecutive runs share a point): those on the canvas take
    // add_inside's route, the others (reaching an edge) are culled segment by segment.
    constexpr std::size_t kInsideRun = 16;
    for (std::size_t first = 0; first + 1 < points; first += kInsideRun) {
      const std::size_t end =
          std::min(points, first + kInsideRun + 1);  // One past the run's last point.
      if (add_inside(xy + 2 * first, end - first, reach, scale)) continue;
      for (std::size_t i = first + 1; i < end; ++i) {
        const double* a = xy + 2 * (i - 1);
        const double* b = xy + 2 * i;
        if (a[0] != b[0] || a[1] != b[1]) add_capsule(a[0], a[1], b[0], b[1], reach, scale);
      }
    }
    return;
  }
  for (std::size_t i = 1; i < points; ++i) {
    const double* a = xy + 2 * (i - 1);
    const double* b = xy + 2 * i;
    if (a[0] == b[0] && a[1] == b[1]) continue;  // Repeated point: nothing to add.
    add_segment(a[0], a[1], b[0], b[1], radius);
  }
}

bool StrokeMask::add_inside(const double* xy, std::size_t points, double reach, double scale) {
  const MaskView m{coverage_.data(), width_, height_};
  Box box;
#if defined(__x86_64__) || defined(__i386__)
  const bool inside = avx2_ ? add_run_avx2(m, xy, points, reach, scale, box)
                            : add_run_baseline(m, xy, points, reach, scale, box);
#else
  const bool inside = add_run_baseline(m, xy, points, reach, scale, box);
#endif
  if (inside && box.any) touch(box.x_lo, box.y_lo, box.x_hi, box.y_hi);
  return inside;
}

void StrokeMask::add_capsule(double x0, double y0, double x1, double y1, double reach,
                             double scale) {
  // Off the canvas (with its reach): nothing to draw. This also keeps the arithmetic below on
  // moderate numbers.
  const double x_min = std::min(x0, x1) - reach, x_max = std::max(x0, x1) + reach;
  const double y_min = std::min(y0, y1) - reach, y_max = std::max(y0, y1) + reach;
  if (!(x_max >= 0 && x_min <= width_ && y_max >= 0 && y_min <= height_)) return;
  if (!(x_max - x_min < 1e7 && y_max - y_min < 1e7)) return;  // Also rejects NaN.
  const int x_lo = std::max(0, first_index(x_min - 0.5, width_)),
            x_hi = std::min(width_ - 1, last_index(x_max - 0.5, width_));
  const int y_lo = std::max(0, first_index(y_min - 0.5, height_)),
            y_hi = std::min(height_ - 1, last_index(y_max - 0.5, height_));
  if (x_lo > x_hi || y_lo > y_hi) return;
  touch(x_lo, y_lo, x_hi, y_hi);
  const MaskView m{coverage_.data(), width_, height_};
  const bool x_major = std::fabs(x1 - x0) >= std::fabs(y1 - y0);
#if defined(__x86_64__) || defined(__i386__)
  if (avx2_) {
    if (x_major) {
      capsule_columns_avx2<false>(m, x0, y0, x1, y1, x_lo, x_hi, reach, scale);
    } else {
      capsule_columns_avx2<true>(m, y0, x0, y1, x1, y_lo, y_hi, reach, scale);
    }
    return;
  }
#endif
  if (x_major) {
    capsule_columns<false>(m, x0, y0, x1, y1, x_lo, x_hi, reach, scale);
  } else {
    capsule_columns<true>(m, y0, x0, y1, x1, y_lo, y_hi, reach, scale);
  }
}

namespace {

// Source-over of premultiplied `src` (a, r, g, b) scaled by coverage `c` onto one ARGB32 pixel.
inline std::uint32_t blend_one(std::uint32_t dst, std::uint32_t c, std::uint32_t alpha8,
                               std::uint32_t r8, std::uint32_t g8, std::uint32_t b8) {
  std::uint32_t sa = div255(alpha8 * c), sr = div255(r8 * c), sg = div255(g8 * c),
                sb = div255(b8 * c);
  std::uint32_t inv = 255 - sa;
  std::uint32_t da = dst >> 24, dr = (dst >> 16) & 0xFF, dg = (dst >> 8) & 0xFF, db = dst & 0xFF;
  da = sa + div255(da * inv);
  dr = sr + div255(dr * inv);
  dg = sg + div255(dg * inv);
  db = sb + div255(db * inv);
  return da << 24 | dr << 16 | dg << 8 | db;
}

#if defined(__SSE2__)
// div255 on eight 16-bit lanes (x ≤ 255·255): the same integer formula, so the same bytes.
inline __m128i div255_epu16(__m128i x) {
  x = _mm_add_epi16(x, _mm_set1_epi16(128));
  return _mm_srli_epi16(_mm_add_epi16(x, _mm_srli_epi16(x, 8)), 8);
}

// blend_one on two pixels held as 16-bit channels; `cov` holds each pixel's coverage in all
// four of its lanes. A coverage of 0 leaves the pixel unchanged (div255(d·255) = d).
inline __m128i blend_two(__m128i dst16, __m128i cov, __m128i src16) {
  const __m128i s = div255_epu16(_mm_mullo_epi16(src16, cov));
  __m128i sa = _mm_shufflelo_epi16(s, _MM_SHUFFLE(3, 3, 3, 3));
  sa = _mm_shufflehi_epi16(sa, _MM_SHUFFLE(3, 3, 3, 3));
  const __m128i inv = _mm_sub_epi16(_mm_set1_epi16(255), sa);
  return _mm_add_epi16(s, div255_epu16(_mm_mullo_epi16(dst16, inv)));
}

// Sixteen pixels at `dst` with coverage bytes `c`; `zero_bits` has bit i set where c[i] is 0.
// Groups of four uncovered pixels are skipped (a thin line crosses a 16-pixel run in a few).
inline void blend_sixteen(std::uint32_t* dst, __m128i c, int zero_bits, __m128i src16) {
  const __m128i zero = _mm_setzero_si128();
  const __m128i c16[2] = {_mm_unpacklo_epi8(c, zero), _mm_unpackhi_epi8(c, zero)};
  for (int half = 0; half < 2; ++half) {
    const __m128i pairs[2] = {_mm_unpacklo_epi16(c16[half], c16[half]),
                              _mm_unpackhi_epi16(c16[half], c16[half])};
    for (int q = 0; q < 2; ++q) {
      if (((zero_bits >> (8 * half + 4 * q)) & 0xF) == 0xF) continue;
      auto* p = reinterpret_cast<__m128i*>(dst + 8 * half + 4 * q);
      const __m128i d = _mm_loadu_si128(p);
      const __m128i lo =
          blend_two(_mm_unpacklo_epi8(d, zero), _mm_unpacklo_epi32(pairs[q], pairs[q]), src16);
      const __m128i hi =
          blend_two(_mm_unpackhi_epi8(d, zero), _mm_unpackhi_epi32(pairs[q], pairs[q]), src16);
      _mm_storeu_si128(p, _mm_packus_epi16(lo, hi));
    }
  }
}
#endif

#if defined(__x86_64__) || defined(__i386__)
[[gnu::target("avx2"), gnu::always_inline]] inline __m256i div255_avx2(__m256i x) {
  x = _mm256_add_epi16(x, _mm256_set1_epi16(128));
  return _mm256_srli_epi16(_mm256_add_epi16(x, _mm256_srli_epi16(x, 8)), 8);
}

// composite_over's rows with AVX2: blend_one's integer formula on four pixels at a time
// (sixteen 16-bit channels), so the same bytes as the SSE2 and scalar loops.
[[gnu::target("avx2")]] void composite_rows_avx2(std::uint8_t* coverage, int width,
                                                 std::uint32_t* pixels, int stride_px, int x_lo,
                                                 int x_hi, int y_lo, int y_hi, std::uint32_t alpha8,
                                                 std::uint32_t r8, std::uint32_t g8,
                                                 std::uint32_t b8) {
  const __m256i src16 = _mm256_setr_epi16(b8, g8, r8, alpha8, b8, g8, r8, alpha8, b8, g8, r8,
                                          alpha8, b8, g8, r8, alpha8);
  const __m256i c255 = _mm256_set1_epi16(255);
  // Coverage bytes 4q .. 4q + 3, each repeated for its pixel's four channels.
  const __m128i spread[4] = {
      _mm_setr_epi8(0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3),
      _mm_setr_epi8(4, 4, 4, 4, 5, 5, 5, 5, 6, 6, 6, 6, 7, 7, 7, 7),
      _mm_setr_epi8(8, 8, 8, 8, 9, 9, 9, 9, 10, 10, 10, 10, 11, 11, 11, 11),
      _mm_setr_epi8(12, 12, 12, 12, 13, 13, 13, 13, 14, 14, 14, 14, 15, 15, 15, 15)};
  for (int y = y_lo; y <= y_hi; ++y) {
    std::uint8_t* cov = &coverage[static_cast<std::size_t>(y) * width];
    std::uint32_t* row = pixels + static_cast<std::size_t>(y) * stride_px;
    int x = x_lo;
    for (; x + 16 <= x_hi + 1; x += 16) {
      const __m128i c = _mm_loadu_si128(reinterpret_cast<const __m128i*>(cov + x));
      const int zero_bits = _mm_movemask_epi8(_mm_cmpeq_epi8(c, _mm_setzero_si128()));
      if (zero_bits == 0xFFFF) continue;
      _mm_storeu_si128(reinterpret_cast<__m128i*>(cov + x), _mm_setzero_si128());
      for (int q = 0; q < 4; ++q) {
        if (((zero_bits >> (4 * q)) & 0xF) == 0xF) continue;
        auto* p = reinterpret_cast<__m128i*>(row + x + 4 * q);
        const __m256i d = _mm256_cvtepu8_epi16(_mm_loadu_si128(p));
        const __m256i cv = _mm256_cvtepu8_epi16(_mm_shuffle_epi8(c, spread[q]));
        const __m256i s = div255_avx2(_mm256_mullo_epi16(src16, cv));
        const __m256i sa = _mm256_shufflehi_epi16(
            _mm256_shufflelo_epi16(s, _MM_SHUFFLE(3, 3, 3, 3)), _MM_SHUFFLE(3, 3, 3, 3));
        const __m256i out =
            _mm256_add_epi16(s, div255_avx2(_mm256_mullo_epi16(d, _mm256_sub_epi16(c255, sa))));
        _mm_storeu_si128(
            p, _mm_packus_epi16(_mm256_castsi256_si128(out), _mm256_extracti128_si256(out, 1)));
      }
    }
    for (; x <= x_hi; ++x) {
      if (cov[x] != 0) row[x] = blend_one(row[x], cov[x], alpha8, r8, g8, b8);
      cov[x] = 0;
    }
  }
}
#endif

}  // namespace

void StrokeMask::composite_over(std::uint32_t* pixels, int stride_px, std::uint8_t alpha8,
                                std::uint8_t r8, std::uint8_t g8, std::uint8_t b8) {
  // Rows of the touched box in order: sequential memory, empty runs of coverage skipped, and
  // the coverage cleared as it is read (so no separate clearing pass).
#if defined(__x86_64__) || defined(__i386__)
  if (avx2_) {
    composite_rows_avx2(coverage_.data(), width_, pixels, stride_px, min_x_, max_x_, min_y_, max_y_,
                        alpha8, r8, g8, b8);
    min_x_ = width_, min_y_ = height_, max_x_ = -1, max_y_ = -1;
    return;
  }
#endif
#if defined(__SSE2__)
  const __m128i src16 = _mm_setr_epi16(b8, g8, r8, alpha8, b8, g8, r8, alpha8);
#endif
  for (int y = min_y_; y <= max_y_; ++y) {
    std::uint8_t* cov = &coverage_[static_cast<std::size_t>(y) * width_];
    std::uint32_t* row = pixels + static_cast<std::size_t>(y) * stride_px;
    int x = min_x_;
#if defined(__SSE2__)
    for (; x + 16 <= max_x_ + 1; x += 16) {
      const __m128i c = _mm_loadu_si128(reinterpret_cast<const __m128i*>(cov + x));
      const int zero_bits = _mm_movemask_epi8(_mm_cmpeq_epi8(c, _mm_setzero_si128()));
      if (zero_bits == 0xFFFF) continue;
      _mm_storeu_si128(reinterpret_cast<__m128i*>(cov + x), _mm_setzero_si128());
      blend_sixteen(row + x, c, zero_bits, src16);
    }
#endif
    for (; x <= max_x_; ++x) {
      if (cov[x] != 0) row[x] = blend_one(row[x], cov[x], alpha8, r8, g8, b8);
      cov[x] = 0;
    }
  }
  min_x_ = width_, min_y_ = height_, max_x_ = -1, max_y_ = -1;
}

void StrokeMask::take_a8(std::vector<std::uint8_t>& out, int& x0, int& y0, int& w, int& h,
                         int& stride) {
  x0 = min_x_, y0 = min_y_;
  w = max_x_ - min_x_ + 1, h = max_y_ - min_y_ + 1;
  stride = (w + 3) & ~3;  // Cairo A8 rows are 4-byte aligned.
  out.assign(static_cast<std::size_t>(stride) * h, 0);
  for (int y = 0; y < h; ++y) {
    std::copy_n(&coverage_[static_cast<std::size_t>(y + y0) * width_ + x0], w,
                &out[static_cast<std::size_t>(y) * stride]);
  }
  clear();
}

}  // namespace atelier::render::internal
