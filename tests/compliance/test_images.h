// test_images.h — deterministic pictures for the compliance tests, and the edits that the PDQ
// properties are checked against (re-encoding, resizing, brightness, rotations, flips).
//
// make_art draws a gradient ground with a soft texture under overlapping discs and bars in
// colours picked by a seeded generator: enough structure at every scale for PDQ's quality
// metric, and two seeds give unrelated pictures. Positions are relative to the size, so one
// seed at two sizes is the same picture.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <vector>

#include "render/image.h"

namespace atelier::testing {

// splitmix32-style generator: the pictures must not change with the standard library. The
// seed is mixed first: seeds a few apart would otherwise give the same stream shifted.
class Rng {
 public:
  explicit Rng(std::uint32_t seed) : state_(mix(seed ^ 0x7F4A7C15u)) {}
  std::uint32_t next() { return mix(state_ += 0x9E3779B9u); }
  double unit() { return next() / 4294967296.0; }  // [0, 1)

 private:
  static std::uint32_t mix(std::uint32_t z) {
    z = (z ^ (z >> 16)) * 0x85EBCA6Bu;
    z = (z ^ (z >> 13)) * 0xC2B2AE35u;
    return z ^ (z >> 16);
  }
  std::uint32_t state_;
};

inline std::uint8_t clamp_byte(double v) {
  return static_cast<std::uint8_t>(std::clamp(std::lround(v), 0L, 255L));
}

inline render::Image make_art(std::uint32_t seed, int width, int height) {
  Rng rng(seed);
  struct Shape {
    bool disc;
    double x, y, a, b, r, g, bl, alpha;
  };
  double c0[3], c1[3];
  for (double& c : c0) c = 255 * rng.unit();
  for (double& c : c1) c = 255 * rng.unit();
  const double angle = 6.283185307179586 * rng.unit();
  const double dx = std::cos(angle), dy = std::sin(angle);
  const double wave = 3 + 9 * rng.unit(), wave_amp = 10 + 25 * rng.unit();
  std::vector<Shape> shapes;
  for (int i = 0; i < 14; ++i) {
    Shape s;
    s.disc = rng.next() % 3 != 0;
    s.x = rng.unit();
    s.y = rng.unit();
    s.a = 0.04 + 0.22 * rng.unit();
    s.b = 0.04 + 0.22 * rng.unit();
    s.r = 255 * rng.unit();
    s.g = 255 * rng.unit();
    s.bl = 255 * rng.unit();
    s.alpha = 0.55 + 0.4 * rng.unit();
    shapes.push_back(s);
  }
  render::Image image{width, height, std::vector<std::uint8_t>(std::size_t(width) * height * 4)};
  for (int y = 0; y < height; ++y) {
    for (int x = 0; x < width; ++x) {
      const double u = (x + 0.5) / width, v = (y + 0.5) / height;
      const double t = std::clamp(0.5 + (u - 0.5) * dx + (v - 0.5) * dy, 0.0, 1.0);
      const double texture = wave_amp * std::sin(wave * 6.283185307179586 * (u + 0.6 * v));
      double px[3];
      for (int c = 0; c < 3; ++c) px[c] = c0[c] + (c1[c] - c0[c]) * t + texture;
      for (const Shape& s : shapes) {
        const double ex = (u - s.x) / s.a, ey = (v - s.y) / s.b;
        const bool inside =
            s.disc ? ex * ex + ey * ey <= 1.0 : std::abs(ex) <= 1 && std::abs(ey) <= 0.35;
        if (!inside) continue;
        const double col[3] = {s.r, s.g, s.bl};
        for (int c = 0; c < 3; ++c) px[c] = px[c] * (1 - s.alpha) + col[c] * s.alpha;
      }
      std::uint8_t* out = &image.rgba[(std::size_t(y) * width + x) * 4];
      for (int c = 0; c < 3; ++c) out[c] = clamp_byte(px[c]);
      out[3] = 255;
    }
  }
  return image;
}

// The same picture in grey (R = G = B = the rounded luma).
inline render::Image to_grey(render::Image image) {
  for (std::size_t i = 0; i < image.rgba.size(); i += 4) {
    const double luma =
        0.299 * image.rgba[i] + 0.587 * image.rgba[i + 1] + 0.114 * image.rgba[i + 2];
    image.rgba[i] = image.rgba[i + 1] = image.rgba[i + 2] = clamp_byte(luma);
  }
  return image;
}

// Half the size, each output pixel the mean of a 2 x 2 block (odd last rows/columns dropped).
inline render::Image half_size(const render::Image& in) {
  render::Image out{in.width / 2, in.height / 2, {}};
  out.rgba.resize(std::size_t(out.width) * out.height * 4);
  for (int y = 0; y < out.height; ++y) {
    for (int x = 0; x < out.width; ++x) {
      for (int c = 0; c < 4; ++c) {
        int sum = 0;
        for (int k = 0; k < 4; ++k) {
          sum += in.rgba[((std::size_t(2 * y + k / 2) * in.width) + 2 * x + k % 2) * 4 + c];
        }
        out.rgba[(std::size_t(y) * out.width + x) * 4 + c] = std::uint8_t((sum + 2) / 4);
      }
    }
  }
  return out;
}

// Every colour channel times `factor`, rounded and clamped.
inline render::Image brightness(render::Image image, double factor) {
  for (std::size_t i = 0; i < image.rgba.size(); ++i) {
    if (i % 4 != 3) image.rgba[i] = clamp_byte(image.rgba[i] * factor);
  }
  return image;
}

// out(x, y) = in(map(x, y)) for an output of out_w x out_h.
template <typename Map>
render::Image remap(const render::Image& in, int out_w, int out_h, Map map) {
  render::Image out{out_w, out_h, std::vector<std::uint8_t>(std::size_t(out_w) * out_h * 4)};
  for (int y = 0; y < out_h; ++y) {
    for (int x = 0; x < out_w; ++x) {
      const auto [sx, sy] = map(x, y);
      std::copy_n(&in.rgba[(std::size_t(sy) * in.width + sx) * 4], 4,
                  &out.rgba[(std::size_t(y) * out_w + x) * 4]);
    }
  }
  return out;
}

// Turned 90° counter-clockwise: the top row becomes the left column, read bottom to top.
inline render::Image rotate_ccw(const render::Image& in) {
  return remap(in, in.height, in.width, [&](int x, int y) {
    return std::pair{in.width - 1 - y, x};
  });
}
inline render::Image rotate_180(const render::Image& in) {
  return remap(in, in.width, in.height, [&](int x, int y) {
    return std::pair{in.width - 1 - x, in.height - 1 - y};
  });
}
inline render::Image rotate_cw(const render::Image& in) {
  return remap(in, in.height, in.width, [&](int x, int y) {
    return std::pair{y, in.height - 1 - x};
  });
}
inline render::Image mirror_top_bottom(const render::Image& in) {
  return remap(in, in.width, in.height, [&](int x, int y) {
    return std::pair{x, in.height - 1 - y};
  });
}
inline render::Image mirror_left_right(const render::Image& in) {
  return remap(in, in.width, in.height, [&](int x, int y) {
    return std::pair{in.width - 1 - x, y};
  });
}
inline render::Image transpose(const render::Image& in) {
  return remap(in, in.height, in.width, [&](int x, int y) { return std::pair{y, x}; });
}
inline render::Image anti_transpose(const render::Image& in) {
  return remap(in, in.height, in.width, [&](int x, int y) {
    return std::pair{in.width - 1 - y, in.height - 1 - x};
  });
}

}  // namespace atelier::testing
