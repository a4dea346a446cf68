#include "render/internal/stroke_mask.h"

#include <algorithm>
#include <cassert>
#include <cmath>
#include <cstring>

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

void StrokeMask::composite_over(std::uint32_t* pixels, int stride_px, std::uint8_t alpha8, std::uint8_t r8,
                                std::uint8_t g8, std::uint8_t b8) {
  // Rows of the touched box in order: sequential memory, and eight empty cells skipped at once.
  for (int y = min_y_; y <= max_y_; ++y) {
    const std::uint8_t* cov = &coverage_[static_cast<std::size_t>(y) * width_];
    std::uint32_t* row = pixels + static_cast<std::size_t>(y) * stride_px;
    int x = min_x_;
    while (x <= max_x_) {
      if (x + 8 <= max_x_ + 1) {
        std::uint64_t eight;
        std::memcpy(&eight, cov + x, 8);
        if (eight == 0) {
          x += 8;
          continue;
        }
      }
      std::uint32_t c = cov[x];
      if (c != 0) {
        std::uint32_t& dst = row[x];
        std::uint32_t sa = div255(alpha8 * c), sr = div255(r8 * c), sg = div255(g8 * c), sb = div255(b8 * c);
        std::uint32_t inv = 255 - sa;
        std::uint32_t da = dst >> 24, dr = (dst >> 16) & 0xFF, dg = (dst >> 8) & 0xFF, db = dst & 0xFF;
        da = sa + div255(da * inv);
        dr = sr + div255(dr * inv);
        dg = sg + div255(dg * inv);
        db = sb + div255(db * inv);
        dst = da << 24 | dr << 16 | dg << 8 | db;
      }
      ++x;
    }
  }
  clear();
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
