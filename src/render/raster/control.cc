#include "render/raster/control.h"

#include <algorithm>
#include <cassert>
#include <cmath>

namespace atelier::render {

ControlImage::ControlImage(const Image& image) : width_(image.width), height_(image.height) {
  assert(width_ > 0 && height_ > 0);
  std::size_t n = static_cast<std::size_t>(width_) * height_;
  luma_.resize(n);
  edge_.resize(n);
  for (std::size_t i = 0; i < n; ++i) {
    const std::uint8_t* p = &image.rgba[4 * i];
    double a = p[3] / 255.0;
    double y = (0.2126 * p[0] + 0.7152 * p[1] + 0.0722 * p[2]) / 255.0;
    luma_[i] = static_cast<float>(y * a + (1.0 - a));  // Over white.
  }
  auto at = [&](int x, int y) {
    x = std::clamp(x, 0, width_ - 1);
    y = std::clamp(y, 0, height_ - 1);
    return static_cast<double>(luma_[static_cast<std::size_t>(y) * width_ + x]);
  };
  const double norm = 4.0 * std::sqrt(2.0);
  for (int y = 0; y < height_; ++y) {
    for (int x = 0; x < width_; ++x) {
      double gx = at(x + 1, y - 1) + 2 * at(x + 1, y) + at(x + 1, y + 1) - at(x - 1, y - 1) -
                  2 * at(x - 1, y) - at(x - 1, y + 1);
      double gy = at(x - 1, y + 1) + 2 * at(x, y + 1) + at(x + 1, y + 1) - at(x - 1, y - 1) -
                  2 * at(x, y - 1) - at(x + 1, y - 1);
      edge_[static_cast<std::size_t>(y) * width_ + x] =
          static_cast<float>(std::min(1.0, std::sqrt(gx * gx + gy * gy) / norm));
    }
  }
}

double ControlImage::sample(const std::vector<float>& grid, double u, double v) const {
  if (!std::isfinite(u)) u = 0;
  if (!std::isfinite(v)) v = 0;
  double fx = std::clamp(u, 0.0, 1.0) * (width_ - 1);
  double fy = std::clamp(v, 0.0, 1.0) * (height_ - 1);
  int x0 = static_cast<int>(fx), y0 = static_cast<int>(fy);
  int x1 = std::min(x0 + 1, width_ - 1), y1 = std::min(y0 + 1, height_ - 1);
  double tx = fx - x0, ty = fy - y0;
  auto g = [&](int x, int y) {
    return static_cast<double>(grid[static_cast<std::size_t>(y) * width_ + x]);
  };
  double top = g(x0, y0) + (g(x1, y0) - g(x0, y0)) * tx;
  double bottom = g(x0, y1) + (g(x1, y1) - g(x0, y1)) * tx;
  return top + (bottom - top) * ty;
}

}  // namespace atelier::render
