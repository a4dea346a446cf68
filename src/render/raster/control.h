// control.h — a control image (the analogue of ControlNet conditioning) as scripts sample
// it: luminance and edge strength at script coordinates.
//
// The image is stretched over the canvas (0..W, 0..H). Luminance is Rec. 709 luma of the
// sRGB bytes, alpha composited over white; edges are the Sobel gradient magnitude of the
// luminance divided by its maximum possible value (4·√2), clamped to [0, 1]. Sampling is
// bilinear with clamped edges. Pure integer-indexed double math: deterministic.
#pragma once

#include <vector>

#include "render/image.h"

namespace atelier::render {

class ControlImage {
 public:
  explicit ControlImage(const Image& image);
  double luma(double u, double v) const { return sample(luma_, u, v); }  // u, v in [0, 1].
  double edge(double u, double v) const { return sample(edge_, u, v); }
  int width() const { return width_; }
  int height() const { return height_; }

 private:
  double sample(const std::vector<float>& grid, double u, double v) const;

  int width_, height_;
  std::vector<float> luma_;
  std::vector<float> edge_;
};

}  // namespace atelier::render
