// The canvas and its fast stroke path: StrokeMask must draw the same round-joined strokes as
// Cairo's general stroker (up to anti-aliasing), and never draw outside them.
#include <gtest/gtest.h>

#include <array>
#include <cmath>
#include <cstdlib>
#include <vector>

#include "render/internal/cpu.h"
#include "render/raster/canvas.h"
#include "render/raster/internal/stroke_mask.h"

namespace atelier::render {
namespace {

// Draws a wavy round-joined polyline with `fast` on or off and returns the RGBA pixels.
Image draw_wave(bool fast, double line_width, double alpha) {
  Canvas c(256, 256);
  c.fast_strokes = fast;
  c.background({1, 1, 1, 1});
  c.set_line_cap("round");
  c.set_line_join("round");
  c.set_line_width(line_width);
  c.stroke_style.color = {0.1, 0.2, 0.6, 1};
  c.global_alpha = alpha;
  std::vector<double> xy;
  for (int i = 0; i <= 120; ++i) {
    double t = i / 120.0;
    xy.push_back(0.1 + 0.8 * t);
    xy.push_back(0.5 + 0.3 * std::sin(t * 9.0) * std::cos(t * 2.0));
  }
  c.polyline(xy.data(), xy.size() / 2, false);
  c.move_to(0.2, 0.15);  // A second sub-path crossing the first: the union must not double-blend.
  c.line_to(0.8, 0.85);
  c.stroke();
  return c.to_image();
}

double mean_abs_diff(const Image& a, const Image& b) {
  double sum = 0;
  for (std::size_t i = 0; i < a.rgba.size(); ++i) sum += std::abs(int(a.rgba[i]) - int(b.rgba[i]));
  return sum / static_cast<double>(a.rgba.size());
}

int max_abs_diff(const Image& a, const Image& b) {
  int m = 0;
  for (std::size_t i = 0; i < a.rgba.size(); ++i)
    m = std::max(m, std::abs(int(a.rgba[i]) - int(b.rgba[i])));
  return m;
}

TEST(Canvas, FastStrokeMatchesCairoAcrossWidths) {
  for (double width : {0.001, 0.004, 0.012, 0.05}) {  // 0.26 px hairline up to 12.8 px.
    Image fast = draw_wave(true, width, 1.0), cairo = draw_wave(false, width, 1.0);
    Image blank = draw_wave(true, 1e-9, 1.0);
    double diff = mean_abs_diff(fast, cairo), ink = mean_abs_diff(cairo, blank);
    double fast_ink = mean_abs_diff(fast, blank);
    // The same amount of ink: coverage integrates to the line width in both rasterizers.
    EXPECT_NEAR(fast_ink, ink, 0.06 * ink) << "width " << width;
    // Where it lands: sub-pixel hairlines spread over a one-pixel tent (Cairo: exact area), so
    // they differ more per pixel; lines of a pixel or more agree up to edge anti-aliasing.
    double bound = width * 256 < 1.0 ? 0.4 : 0.08;
    EXPECT_LT(diff, bound * ink) << "width " << width << ": fast vs cairo " << diff << ", ink "
                                 << ink;
    // Pixels far from the edge agree exactly; only anti-aliased edges may differ.
    EXPECT_LT(max_abs_diff(fast, cairo), 160) << "width " << width;
  }
}

TEST(Canvas, FastStrokeUnionDoesNotDoubleBlendOverlaps) {
  // With alpha 0.5, a pixel covered by both crossing sub-paths must get one coat, as in Cairo.
  Image fast = draw_wave(true, 0.02, 0.5), cairo = draw_wave(false, 0.02, 0.5);
  Image blank = draw_wave(true, 1e-9, 0.5);
  EXPECT_LT(mean_abs_diff(fast, cairo), 0.08 * mean_abs_diff(cairo, blank));
}

TEST(Canvas, FastStrokeIsDeterministic) {
  EXPECT_EQ(draw_wave(true, 0.01, 0.7).rgba, draw_wave(true, 0.01, 0.7).rgba);
}

TEST(StrokeMask, CoverageFollowsDistanceToTheSegment) {
  internal::StrokeMask mask(32, 32);
  mask.add_segment(8, 16, 24, 16, 3.0);  // Horizontal, half width 3 px.
  std::vector<std::uint32_t> px(32 * 32, 0);
  mask.composite_over(px.data(), 32, 255, 255, 255, 255);
  auto alpha = [&](int x, int y) { return px[y * 32 + x] >> 24; };
  EXPECT_EQ(alpha(16, 16), 255u);  // On the axis.
  EXPECT_EQ(alpha(16, 13), 255u);  // Centre 2.5 px away: inside.
  EXPECT_EQ(alpha(16, 12), 0u);    // Centre 3.5 px away: outside r + 0.5.
  EXPECT_EQ(alpha(16, 19), 0u);    // 3.5 px below the axis.
  EXPECT_EQ(alpha(2, 16), 0u);     // Beyond the round cap.
  EXPECT_GT(alpha(5, 16), 0u);     // Inside the round cap's reach (2.5 px left of the end).
  EXPECT_TRUE(mask.empty());       // Compositing clears the mask.
}

TEST(StrokeMask, ThinLinesFadeInsteadOfVanishing) {
  internal::StrokeMask mask(16, 16);
  mask.add_segment(2, 8.5, 14, 8.5, 0.1);  // 0.2 px wide, through pixel centres of row 8.
  std::vector<std::uint32_t> px(16 * 16, 0);
  mask.composite_over(px.data(), 16, 255, 255, 255, 255);
  std::uint32_t a = px[8 * 16 + 8] >> 24;
  EXPECT_GT(a, 40u);   // About 0.2 coverage ...
  EXPECT_LT(a, 60u);   // ... not full, not zero.
}

// A line-only path (kept outside Cairo until needed) must be the path Cairo would have built:
// points transformed by the matrix current when each was added, closePath back to the
// sub-path's start, lineTo after closePath starting from there. `cairo_first` starts the path
// with an empty rectangle, which puts every later operation into Cairo's own path.
Image draw_lines(bool cairo_first, bool fill, bool fast) {
  Canvas c(128, 128);
  c.fast_strokes = fast;
  c.background({1, 1, 1, 1});
  c.set_line_cap("round");
  c.set_line_join("round");
  c.set_line_width(0.02);
  c.stroke_style.color = {0.7, 0.1, 0.2, 0.8};
  c.fill_style.color = {0.1, 0.5, 0.3, 0.6};
  if (cairo_first) c.rect(0, 0, 0, 0);
  c.move_to(0.1, 0.1);
  c.line_to(0.5, 0.15);
  c.translate(0.05, 0.1);
  c.rotate(0.3);
  c.line_to(0.6, 0.5);
  c.close_path();
  c.line_to(0.2, 0.7);  // A new sub-path from the closed one's start.
  c.line_to(0.3, 0.9);
  const double xy[] = {0.7, 0.2, 0.9, 0.4, 0.75, 0.6};
  c.polyline(xy, 3, true);
  c.reset_transform();
  c.fill_rect(0.8, 0.8, 0.1, 0.1);  // Leaves the path alone.
  if (fill) {
    c.fill(false);
  } else {
    c.stroke();
  }
  return c.to_image();
}

TEST(Canvas, LineOnlyPathFillsAsCairosPath) {
  EXPECT_EQ(draw_lines(false, true, true).rgba, draw_lines(true, true, true).rgba);
}

TEST(Canvas, LineOnlyPathStrokesAsCairosPath) {
  // Fast stroke of the line-only path vs Cairo's stroker on Cairo's path: the same ink, and
  // per pixel the same agreement as FastStrokeMatchesCairoAcrossWidths asks on average.
  const Image fast = draw_lines(false, false, true), cairo = draw_lines(true, false, false);
  Canvas empty(128, 128);
  empty.background({1, 1, 1, 1});
  empty.fill_style.color = {0.1, 0.5, 0.3, 0.6};
  empty.fill_rect(0.8, 0.8, 0.1, 0.1);
  const Image base = empty.to_image();
  const double ink = mean_abs_diff(cairo, base);
  EXPECT_GT(ink, 1.0);
  EXPECT_NEAR(mean_abs_diff(fast, base), ink, 0.06 * ink);
  EXPECT_LT(mean_abs_diff(fast, cairo), 0.08 * ink);
  // The fast stroke of the same path taken from Cairo's path (points rounded to Cairo's
  // 1/256-pixel fixed point): at most one level apart.
  EXPECT_LE(max_abs_diff(fast, draw_lines(true, false, true)), 1);
}

// Canvases and masks reuse the previous one's memory on the same thread (spare_buffer.h): a
// new one must still start blank, whatever the last one drew or left half done.
TEST(Canvas, ReusedMemoryStartsBlank) {
  {
    Canvas c(64, 48);
    c.background({0.2, 0.4, 0.6, 1});
  }
  Canvas fresh(64, 48);
  for (std::uint8_t v : fresh.to_image().rgba) ASSERT_EQ(v, 0);
  {
    internal::StrokeMask abandoned(64, 48);
    abandoned.add_segment(5, 5, 40, 30, 2.0);  // Never composited.
  }
  internal::StrokeMask mask(64, 48);
  EXPECT_TRUE(mask.empty());
  mask.add_segment(1, 1, 1, 1, 0.5);  // Two dots in opposite corners: the composited box
  mask.add_segment(62, 46, 62, 46, 0.5);  // spans the abandoned stroke.
  std::vector<std::uint32_t> px(64 * 48, 0);
  mask.composite_over(px.data(), 64, 255, 255, 255, 255);
  for (int y = 4; y < 40; ++y) {
    for (int x = 4; x < 56; ++x) ASSERT_EQ(px[y * 64 + x], 0u) << x << "," << y;
  }
}

// to_image converts premultiplied ARGB to straight RGBA: opaque and transparent pixels four at
// a time, a row from its first translucent pixel on exactly (un-premultiplied with rounding).
TEST(Canvas, ToImageUnpremultipliesEveryPixel) {
  Canvas c(37, 3);  // Not a multiple of four.
  c.fill_style.color = {0.8, 0.4, 0.2, 1.0};
  c.fill_rect(0, 0, 20.0 / 37, 1);  // Columns 0..19 opaque.
  c.fill_style.color = {0.2, 0.6, 1.0, 0.5};
  c.fill_rect(9.0 / 37, 0, 1.0 / 37, 1);  // Column 9: opaque under a translucent coat.
  c.fill_rect(25.0 / 37, 0, 2.0 / 37, 1);  // Columns 25..26 translucent on transparent.
  const Image img = c.to_image();
  auto at = [&](int x, int y, int k) { return int(img.rgba[(std::size_t(y) * 37 + x) * 4 + k]); };
  for (int y = 0; y < 3; ++y) {
    EXPECT_EQ(at(0, y, 0), 204);
    EXPECT_EQ(at(0, y, 1), 102);
    EXPECT_EQ(at(0, y, 2), 51);
    EXPECT_EQ(at(0, y, 3), 255);
    EXPECT_EQ(at(19, y, 0), 204);
    EXPECT_EQ(at(19, y, 3), 255);
    EXPECT_EQ(at(9, y, 3), 255);
    EXPECT_NEAR(at(9, y, 0), (204 + 51) / 2, 1);
    EXPECT_NEAR(at(9, y, 2), (51 + 255) / 2, 1);
    for (int x : {20, 24, 27, 36}) EXPECT_EQ(at(x, y, 3), 0) << x;
    for (int x : {25, 26}) {
      EXPECT_NEAR(at(x, y, 3), 128, 1) << x;
      // Straight colour, not premultiplied (8-bit premultiplied storage costs a few levels).
      EXPECT_NEAR(at(x, y, 0), 51, 3) << x;
      EXPECT_NEAR(at(x, y, 1), 153, 3) << x;
      EXPECT_NEAR(at(x, y, 2), 255, 3) << x;
    }
  }
}

// Coverage of a mask, read back by compositing opaque white onto transparent black.
std::vector<std::uint32_t> coverage_of(internal::StrokeMask& mask, int size) {
  std::vector<std::uint32_t> px(static_cast<std::size_t>(size) * size, 0);
  mask.composite_over(px.data(), size, 255, 255, 255, 255);
  for (auto& p : px) p >>= 24;
  return px;
}

// add_polyline's thin route (bodies walked along the major axis plus vertex discs) must give
// the coverage of the reference capsule-by-capsule rasterizer (add_segment): the same
// geometry, so at most one level of rounding apart, on random walks of short segments in all
// directions, long segments, and points off the canvas.
TEST(StrokeMask, ThinPolylineMatchesCapsuleUnion) {
  constexpr int kSize = 96;
  std::uint32_t state = 12345;
  auto uniform = [&state] {  // xorshift32: a fixed sequence.
    state ^= state << 13, state ^= state >> 17, state ^= state << 5;
    return (state & 0xFFFFFF) / double(0x1000000);
  };
  for (double radius : {0.1, 0.3, 0.5, 0.8, 1.0, 1.5}) {
    for (int trial = 0; trial < 20; ++trial) {
      std::vector<double> xy;
      double x = uniform() * kSize, y = uniform() * kSize;
      const double step = trial % 4 == 0 ? 40.0 : 4.0;  // Some long segments.
      for (int i = 0; i < 60; ++i) {
        xy.push_back(x), xy.push_back(y);
        if (i % 17 == 5) xy.push_back(x), xy.push_back(y);  // A repeated point.
        const double a = uniform() * 6.283185307179586;
        x += std::cos(a) * step * uniform(), y += std::sin(a) * step * uniform();
        if (trial % 5 == 1) x = std::round(x), y = std::round(y) + 0.5;  // Axis-aligned cases.
      }
      internal::StrokeMask fast(kSize, kSize), reference(kSize, kSize);
      fast.add_polyline(xy.data(), xy.size() / 2, radius);
      for (std::size_t i = 1; i < xy.size() / 2; ++i) {
        const double* a = &xy[2 * (i - 1)];
        const double* b = &xy[2 * i];
        if (a[0] != b[0] || a[1] != b[1]) reference.add_segment(a[0], a[1], b[0], b[1], radius);
      }
      const auto got = coverage_of(fast, kSize), want = coverage_of(reference, kSize);
      int worst = 0, differing = 0;
      for (std::size_t i = 0; i < got.size(); ++i) {
        const int d = std::abs(int(got[i]) - int(want[i]));
        worst = std::max(worst, d);
        differing += d != 0;
      }
      EXPECT_LE(worst, 1) << "radius " << radius << " trial " << trial;
      EXPECT_LT(differing, 40) << "radius " << radius << " trial " << trial;
    }
  }
}

// The AVX2 kernels (eight-column capsule blocks, four-pixel blends) and the baseline ones
// must give the same bytes: a render may be verified on a CPU without AVX2. Random walks of
// thin segments in every direction, partly off the canvas, several pens, composited in
// translucent colours over a non-uniform destination so every blend term counts.
TEST(StrokeMask, Avx2AndBaselineDrawTheSameBytes) {
  if (!internal::use_avx2()) GTEST_SKIP() << "this CPU has no AVX2 path to compare";
  constexpr int kW = 203, kH = 157;  // Odd sizes: partial blocks at the row ends.
  auto destination = [](std::size_t i) -> std::uint32_t {  // Opaque and translucent, premultiplied.
    const std::uint32_t a = i % 3 == 0 ? 255 : 90 + i % 160, c = a * (i % 7) / 7;
    return a << 24 | c << 16 | (a - c) << 8 | c / 2;
  };
  auto draw = [&](bool avx2) {
    internal::ScopedSimd simd(avx2);
    std::vector<std::uint32_t> px(static_cast<std::size_t>(kW) * kH);
    for (std::size_t i = 0; i < px.size(); ++i) px[i] = destination(i);
    std::uint32_t state = 777;
    auto uniform = [&state] {
      state ^= state << 13, state ^= state >> 17, state ^= state << 5;
      return (state & 0xFFFFFF) / double(0x1000000);
    };
    internal::StrokeMask mask(kW, kH);
    for (int stroke = 0; stroke < 24; ++stroke) {
      const double radius = (std::array{0.2, 0.5, 0.7, 1.0, 1.5, 3.0})[stroke % 6];
      std::vector<double> xy;
      double x = uniform() * (kW + 20) - 10, y = uniform() * (kH + 20) - 10;
      for (int i = 0; i < 300; ++i) {
        xy.push_back(x), xy.push_back(y);
        const double a = uniform() * 6.283185307179586,
                     step = stroke % 4 == 0 ? 30 * uniform() : 4.1;
        x += std::cos(a) * step, y += std::sin(a) * step;
      }
      mask.add_polyline(xy.data(), xy.size() / 2, radius);
      mask.composite_over(px.data(), kW, 200, 30 + stroke * 7, 190 - stroke * 5, 120);
    }
    return px;
  };
  const auto avx2 = draw(true), baseline = draw(false);
  ASSERT_EQ(avx2.size(), baseline.size());
  std::size_t differing = 0;
  for (std::size_t i = 0; i < avx2.size(); ++i) differing += avx2[i] != baseline[i];
  EXPECT_EQ(differing, 0u);
  // And the strokes did reach most of the canvas (the comparison is not of two blank images).
  std::size_t changed = 0;
  for (std::size_t i = 0; i < avx2.size(); ++i) changed += avx2[i] != destination(i);
  EXPECT_GT(changed, avx2.size() / 4);
}

}  // namespace
}  // namespace atelier::render
