#include "render/internal/stroke_mask.h"

#include <algorithm>
#include <cassert>
#include <cmath>

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
  for (std::uint32_t p : touched_) coverage_[static_cast<std::size_t>(p >> 16) * width_ + (p & 0xFFFF)] = 0;
  touched_.clear();
  min_x_ = width_, min_y_ = height_, max_x_ = -1, max_y_ = -1;
}

inline void StrokeMask::cover(int x, int y, std::uint8_t c) {
  std::uint8_t& cell = coverage_[static_cast<std::size_t>(y) * width_ + x];
  if (c <= cell) return;
  if (cell == 0) {
    touched_.push_back(static_cast<std::uint32_t>(y) << 16 | static_cast<std::uint32_t>(x));
    min_x_ = std::min(min_x_, x), max_x_ = std::max(max_x_, x);
    min_y_ = std::min(min_y_, y), max_y_ = std::max(max_y_, y);
  }
  cell = c;
}

void StrokeMask::add_segment(double x0, double y0, double x1, double y1, double radius) {
  assert(radius > 0);
  const bool thin = radius < 0.5;
  const double reach = thin ? 1.0 : radius + 0.5;  // Distance beyond which coverage is 0.
  const double thin_scale = thin ? 2.0 * radius : 1.0;
  // Within this squared distance coverage is 1 (never for thin lines).
  const double solid2 = thin ? -1.0 : (radius - 0.5) * (radius - 0.5);
  const double dx = x1 - x0, dy = y1 - y0;
  const double len2 = dx * dx + dy * dy;
  const double len = std::sqrt(len2);
  const double tx = len > 0 ? dx / len : 1.0, ty = len > 0 ? dy / len : 0.0;
  const double nx = -ty, ny = tx;

  int row_lo = std::max(0, static_cast<int>(std::floor(std::min(y0, y1) - reach)));
  int row_hi = std::min(height_ - 1, static_cast<int>(std::ceil(std::max(y0, y1) + reach)));
  for (int py = row_lo; py <= row_hi; ++py) {
    const double yc = py + 0.5;
    Interval span;
    for (int end = 0; end < 2; ++end) {  // The two end discs.
      double cx = end ? x1 : x0, cy = end ? y1 : y0;
      double h2 = reach * reach - (yc - cy) * (yc - cy);
      if (h2 >= 0) {
        double h = std::sqrt(h2);
        span.add(cx - h, cx + h);
      }
    }
    if (len > 0) {  // The body: |n·(p−a)| ≤ reach and 0 ≤ t·(p−a) ≤ len, solved for x.
      double lo = -INFINITY, hi = INFINITY;
      double ry = yc - y0;
      if (nx != 0) {
        double a = (-reach - ny * ry) / nx, b = (reach - ny * ry) / nx;
        lo = std::max(lo, std::min(a, b)), hi = std::min(hi, std::max(a, b));
      } else if (std::fabs(ny * ry) > reach) {
        lo = INFINITY;
      }
      if (tx != 0) {
        double a = (0 - ty * ry) / tx, b = (len - ty * ry) / tx;
        lo = std::max(lo, std::min(a, b)), hi = std::min(hi, std::max(a, b));
      } else if (ty * ry < 0 || ty * ry > len) {
        lo = INFINITY;
      }
      if (lo <= hi) span.add(x0 + lo, x0 + hi);
    }
    if (!(span.lo <= span.hi)) continue;
    int px_lo = std::max(0, static_cast<int>(std::ceil(span.lo - 0.5)));
    int px_hi = std::min(width_ - 1, static_cast<int>(std::floor(span.hi - 0.5)));
    for (int px = px_lo; px <= px_hi; ++px) {
      const double xc = px + 0.5;
      double t = len2 > 0 ? ((xc - x0) * dx + (yc - y0) * dy) / len2 : 0.0;
      t = std::clamp(t, 0.0, 1.0);
      double ex = xc - (x0 + t * dx), ey = yc - (y0 + t * dy);
      double d2 = ex * ex + ey * ey;
      if (d2 <= solid2) {  // Fully inside: no square root needed.
        cover(px, py, 255);
        continue;
      }
      double d = std::sqrt(d2);
      double c = thin ? (1.0 - d) * thin_scale : radius + 0.5 - d;
      if (c <= 0) continue;
      if (c > 1) c = 1;
      cover(px, py, static_cast<std::uint8_t>(c * 255.0 + 0.5));
    }
  }
}

void StrokeMask::composite_over(std::uint32_t* pixels, int stride_px, std::uint8_t alpha8, std::uint8_t r8,
                                std::uint8_t g8, std::uint8_t b8) {
  for (std::uint32_t p : touched_) {
    std::uint32_t x = p & 0xFFFF, y = p >> 16;
    std::uint32_t c = coverage_[static_cast<std::size_t>(y) * width_ + x];
    std::uint32_t& dst = pixels[static_cast<std::size_t>(y) * stride_px + x];
    std::uint32_t sa = div255(alpha8 * c), sr = div255(r8 * c), sg = div255(g8 * c), sb = div255(b8 * c);
    std::uint32_t inv = 255 - sa;
    std::uint32_t da = dst >> 24, dr = (dst >> 16) & 0xFF, dg = (dst >> 8) & 0xFF, db = dst & 0xFF;
    da = sa + div255(da * inv);
    dr = sr + div255(dr * inv);
    dg = sg + div255(dg * inv);
    db = sb + div255(db * inv);
    dst = da << 24 | dr << 16 | dg << 8 | db;
  }
  clear();
}

void StrokeMask::take_a8(std::vector<std::uint8_t>& out, int& x0, int& y0, int& w, int& h, int& stride) {
  x0 = min_x_, y0 = min_y_;
  w = max_x_ - min_x_ + 1, h = max_y_ - min_y_ + 1;
  stride = (w + 3) & ~3;  // Cairo A8 rows are 4-byte aligned.
  out.assign(static_cast<std::size_t>(stride) * h, 0);
  for (std::uint32_t p : touched_) {
    int x = static_cast<int>(p & 0xFFFF), y = static_cast<int>(p >> 16);
    out[static_cast<std::size_t>(y - y0) * stride + (x - x0)] = coverage_[static_cast<std::size_t>(y) * width_ + x];
  }
  clear();
}

}  // namespace atelier::render::internal
