#include "render/internal/stroke_mask.h"

#include <algorithm>
#include <cassert>
#include <cmath>
#include <cstring>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace atelier::render::internal {

namespace {

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

StrokeMask::StrokeMask(int width_px, int height_px)
    : width_(width_px), height_(height_px), coverage_(static_cast<std::size_t>(width_px) * height_px, 0) {
  clear();
}

void StrokeMask::clear() {
  if (!empty()) {
    for (int y = min_y_; y <= max_y_; ++y) {
      std::fill_n(&coverage_[static_cast<std::size_t>(y) * width_ + min_x_], max_x_ - min_x_ + 1, 0);
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
      std::memset(row + in_lo, 255, static_cast<std::size_t>(in_hi - in_lo + 1));  // max(x, 255) = 255.
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
inline int first_index(double v, int size) { return static_cast<int>(std::ceil(clamp_index(v, size))); }
inline int last_index(double v, int size) { return static_cast<int>(std::floor(clamp_index(v, size))); }

// Coverage byte for a pixel centre at distance `d`: (reach − d)·scale clamped to [0, 1], the
// same tent as fringe() (reach r + 0.5 and scale 1, or reach 1 and scale 2r for hairlines).
inline std::uint8_t coverage_byte(double d, double reach, double scale) {
  double c = (reach - d) * scale;
  c = c < 0.0 ? 0.0 : c;
  c = c > 1.0 ? 1.0 : c;
  return static_cast<std::uint8_t>(static_cast<int>(c * 255.0 + 0.5));
}

}  // namespace

void StrokeMask::touch(int x_lo, int y_lo, int x_hi, int y_hi) {
  min_x_ = std::min(min_x_, x_lo), max_x_ = std::max(max_x_, x_hi);
  min_y_ = std::min(min_y_, y_lo), max_y_ = std::max(max_y_, y_hi);
}

void StrokeMask::add_polyline(const double* xy, std::size_t points, double radius) {
  assert(radius > 0);
  if (points < 2) return;
  if (radius > kThinRadiusMax) {
    for (std::size_t i = 1; i < points; ++i) {
      const double* a = xy + 2 * (i - 1);
      const double* b = xy + 2 * i;
      if (a[0] != b[0] || a[1] != b[1]) add_segment(a[0], a[1], b[0], b[1], radius);
    }
    return;
  }
  // The capsule of a segment is its body (points projecting onto it within `reach` of the
  // line) plus the discs at its two ends; consecutive segments share the disc of their common
  // vertex, so each vertex's disc is added once. Coverage merges by maximum, so the union of
  // the pieces is the union of the capsules.
  const bool thin = radius < 0.5;
  const double reach = thin ? 1.0 : radius + 0.5;
  const double scale = thin ? 2.0 * radius : 1.0;
  double px = xy[0], py = xy[1];
  bool started = false;
  for (std::size_t i = 1; i < points; ++i) {
    const double x = xy[2 * i], y = xy[2 * i + 1];
    if (x == px && y == py) continue;
    if (!started) add_disc(px, py, reach, scale), started = true;
    add_body(px, py, x, y, reach, scale);
    add_disc(x, y, reach, scale);
    px = x, py = y;
  }
}

void StrokeMask::add_disc(double cx, double cy, double reach, double scale) {
  const int x_lo = std::max(0, first_index(cx - reach - 0.5, width_));
  const int x_hi = std::min(width_ - 1, last_index(cx + reach - 0.5, width_));
  const int y_lo = std::max(0, first_index(cy - reach - 0.5, height_));
  const int y_hi = std::min(height_ - 1, last_index(cy + reach - 0.5, height_));
  if (x_lo > x_hi || y_lo > y_hi) return;
  touch(x_lo, y_lo, x_hi, y_hi);
  for (int y = y_lo; y <= y_hi; ++y) {
    std::uint8_t* row = &coverage_[static_cast<std::size_t>(y) * width_];
    const double ry = y + 0.5 - cy;
    for (int x = x_lo; x <= x_hi; ++x) {
      const double rx = x + 0.5 - cx;
      const std::uint8_t v = coverage_byte(std::sqrt(rx * rx + ry * ry), reach, scale);
      row[x] = std::max(row[x], v);
    }
  }
}

void StrokeMask::add_body(double x0, double y0, double x1, double y1, double reach, double scale) {
  // Off the canvas (with its reach): nothing to draw. This also keeps the arithmetic below
  // on moderate numbers.
  if (std::max(x0, x1) + reach < 0 || std::min(x0, x1) - reach > width_ || std::max(y0, y1) + reach < 0 ||
      std::min(y0, y1) - reach > height_) {
    return;
  }
  if (std::fabs(x1 - x0) >= std::fabs(y1 - y0)) {
    add_body_major<false>(x0, y0, x1, y1, reach, scale);
  } else {
    add_body_major<true>(y0, x0, y1, x1, reach, scale);
  }
}

// The body of a segment walked along its major axis u (x, or y when kYMajor) in the segment's
// own (u, v) coordinates: per pixel column u, the pixel centres within `reach` of the line
// (|h| < reach, where h is the signed distance to the line, linear in v) that also project
// onto the segment (0 ≤ s ≤ len) form one interval of v; |tu| ≥ 1/√2, so it holds at most
// 2√2·reach + 1 pixels. Outside the interval the capsule's distance is that to an end, which
// the vertex discs cover; at the interval's ends both distances agree, so pixels there may
// fall either side.
template <bool kYMajor>
void StrokeMask::add_body_major(double u0, double v0, double u1, double v1, double reach, double scale) {
  const int u_size = kYMajor ? height_ : width_, v_size = kYMajor ? width_ : height_;
  const double du = u1 - u0, dv = v1 - v0;
  const double len = std::sqrt(du * du + dv * dv);
  if (!(len > 0) || !std::isfinite(len)) return;
  const double tu = du / len, tv = dv / len;  // Unit tangent; |tu| ≥ |tv|.
  const double inv_tu = 1.0 / tu;
  const double half = reach * std::fabs(inv_tu);  // Half the band's extent along v in a column.
  const double overhang = reach * std::fabs(tv);  // How far the band reaches past the ends along u.
  const int i_lo = std::max(0, first_index(std::min(u0, u1) - overhang - 0.5, u_size));
  const int i_hi = std::min(u_size - 1, last_index(std::max(u0, u1) + overhang - 0.5, u_size));
  const double inv_tv = tv != 0 ? 1.0 / tv : 0.0;
  int v_min = v_size, v_max = -1;
  for (int i = i_lo; i <= i_hi; ++i) {
    const double ru = i + 0.5 - u0;
    const double on_line = tv * ru * inv_tu;  // v offset of the line at this column.
    double lo = on_line - half, hi = on_line + half;
    if (tv != 0) {  // 0 ≤ s = tu·ru + tv·rv ≤ len, solved for rv.
      const double a = -tu * ru * inv_tv, b = (len - tu * ru) * inv_tv;
      lo = std::max(lo, std::min(a, b)), hi = std::min(hi, std::max(a, b));
    } else if (tu * ru < 0 || tu * ru > len) {
      continue;
    }
    const int j_lo = std::max(0, first_index(v0 + lo - 0.5, v_size));
    const int j_hi = std::min(v_size - 1, last_index(v0 + hi - 0.5, v_size));
    if (j_lo > j_hi) continue;
    v_min = std::min(v_min, j_lo), v_max = std::max(v_max, j_hi);
    const double h_col = tv * ru;
    for (int j = j_lo; j <= j_hi; ++j) {
      const double h = tu * (j + 0.5 - v0) - h_col;
      std::uint8_t& cell = kYMajor ? coverage_[static_cast<std::size_t>(i) * width_ + j]
                                   : coverage_[static_cast<std::size_t>(j) * width_ + i];
      cell = std::max(cell, coverage_byte(std::fabs(h), reach, scale));
    }
  }
  if (v_min > v_max) return;
  if (kYMajor) {
    touch(v_min, i_lo, v_max, i_hi);
  } else {
    touch(i_lo, v_min, i_hi, v_max);
  }
}

namespace {

// Source-over of premultiplied `src` (a, r, g, b) scaled by coverage `c` onto one ARGB32 pixel.
inline std::uint32_t blend_one(std::uint32_t dst, std::uint32_t c, std::uint32_t alpha8, std::uint32_t r8,
                               std::uint32_t g8, std::uint32_t b8) {
  std::uint32_t sa = div255(alpha8 * c), sr = div255(r8 * c), sg = div255(g8 * c), sb = div255(b8 * c);
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

// Sixteen pixels at `dst` with coverage bytes `c`.
inline void blend_sixteen(std::uint32_t* dst, __m128i c, __m128i src16) {
  const __m128i zero = _mm_setzero_si128();
  const __m128i c16[2] = {_mm_unpacklo_epi8(c, zero), _mm_unpackhi_epi8(c, zero)};
  for (int half = 0; half < 2; ++half) {
    const __m128i pairs[2] = {_mm_unpacklo_epi16(c16[half], c16[half]), _mm_unpackhi_epi16(c16[half], c16[half])};
    for (int q = 0; q < 2; ++q) {
      auto* p = reinterpret_cast<__m128i*>(dst + 8 * half + 4 * q);
      const __m128i d = _mm_loadu_si128(p);
      const __m128i lo = blend_two(_mm_unpacklo_epi8(d, zero), _mm_unpacklo_epi32(pairs[q], pairs[q]), src16);
      const __m128i hi = blend_two(_mm_unpackhi_epi8(d, zero), _mm_unpackhi_epi32(pairs[q], pairs[q]), src16);
      _mm_storeu_si128(p, _mm_packus_epi16(lo, hi));
    }
  }
}
#endif

}  // namespace

void StrokeMask::composite_over(std::uint32_t* pixels, int stride_px, std::uint8_t alpha8, std::uint8_t r8,
                                std::uint8_t g8, std::uint8_t b8) {
  // Rows of the touched box in order: sequential memory, empty runs of coverage skipped, and
  // the coverage cleared as it is read (so no separate clearing pass).
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
      if (_mm_movemask_epi8(_mm_cmpeq_epi8(c, _mm_setzero_si128())) == 0xFFFF) continue;
      _mm_storeu_si128(reinterpret_cast<__m128i*>(cov + x), _mm_setzero_si128());
      blend_sixteen(row + x, c, src16);
    }
#endif
    for (; x <= max_x_; ++x) {
      if (cov[x] != 0) row[x] = blend_one(row[x], cov[x], alpha8, r8, g8, b8);
      cov[x] = 0;
    }
  }
  min_x_ = width_, min_y_ = height_, max_x_ = -1, max_y_ = -1;
}

void StrokeMask::take_a8(std::vector<std::uint8_t>& out, int& x0, int& y0, int& w, int& h, int& stride) {
  x0 = min_x_, y0 = min_y_;
  w = max_x_ - min_x_ + 1, h = max_y_ - min_y_ + 1;
  stride = (w + 3) & ~3;  // Cairo A8 rows are 4-byte aligned.
  out.assign(static_cast<std::size_t>(stride) * h, 0);
  for (int y = 0; y < h; ++y) {
    std::copy_n(&coverage_[static_cast<std::size_t>(y + y0) * width_ + x0], w, &out[static_cast<std::size_t>(y) * stride]);
  }
  clear();
}

}  // namespace atelier::render::internal
