// stroke_mask.h — a fast, exact-geometry rasterizer for round-joined, round-capped strokes.
//
// Why hand-written: a stroke with round joins and round caps is exactly the union of
// "capsules" (each segment swept by a disc of the half width), so its coverage at a pixel is a
// function of the distance to the nearest segment. Evaluating that distance only inside each
// segment's row spans is many times faster than Cairo's general stroker + tessellator for the
// long, thin polylines generative art draws (tens of thousands of curves, hundreds of thousands
// of segments), and it is deterministic: plain double arithmetic, no FMA contraction.
//
// Anti-aliasing: coverage = clamp(r + 0.5 − d, 0, 1) for a half width r ≥ 0.5 px; thinner
// lines use a one-pixel tent scaled by their width, clamp(1 − d, 0, 1) · 2r, so a hairline
// fades instead of vanishing. The union takes the maximum coverage, so overlapping segments of
// one stroke never double-blend (as in Canvas 2D).
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace atelier::render::internal {

class StrokeMask {
 public:
  StrokeMask(int width_px, int height_px);
  ~StrokeMask();
  StrokeMask(const StrokeMask&) = delete;
  StrokeMask& operator=(const StrokeMask&) = delete;

  // Adds the capsule of segment (x0,y0)-(x1,y1) in device pixels with half width `radius`.
  // A zero-length segment adds a disc (a round-capped dot).
  void add_segment(double x0, double y0, double x1, double y1, double radius);

  // Adds a round-joined, round-capped polyline of `points` (x, y) pairs in device pixels: the
  // union of the capsules of consecutive points, the same coverage as add_segment per segment.
  // Repeated points are skipped; a polyline whose points are all equal adds nothing.
  //
  // Thin pens (radius <= kThinRadiusMax) take a faster route: each capsule is walked along its
  // major axis, four pixel columns at a time, over the few pixels per column that the band
  // within reach of the segment's line can hold; no per-row span set-up. Wider pens go through
  // add_segment's row spans, which fill solid interiors with memset.
  void add_polyline(const double* xy, std::size_t points, double radius);
  static constexpr double kThinRadiusMax = 1.5;

  // Blends a premultiplied colour (`argb` channels 0..255 premultiplied by `alpha8`) with
  // source-over onto a Cairo ARGB32 buffer, weighted by coverage, at the touched pixels only,
  // then clears the mask.
  void composite_over(std::uint32_t* pixels, int stride_px, std::uint8_t alpha8, std::uint8_t r8,
                      std::uint8_t g8, std::uint8_t b8);

  // Copies the coverage of the touched bounding box into an A8 buffer (stride `stride`) that
  // starts at (x0, y0), for compositing through Cairo, then clears the mask.
  void take_a8(std::vector<std::uint8_t>& out, int& x0, int& y0, int& w, int& h, int& stride);

  // True when nothing was added since the last composite (a conservative box test).
  bool empty() const { return max_x_ < min_x_; }

 private:
  void clear();
  void touch(int x_lo, int y_lo, int x_hi, int y_hi);
  // add_polyline's thin route for a polyline whose every capsule lies on the canvas (most of
  // a drawing's): no per-segment culling or clamping, one box update. False, having added
  // nothing, when the polyline reaches the canvas edge.
  bool add_inside(const double* xy, std::size_t points, double reach, double scale);
  // add_polyline's thin route: one segment's capsule, `reach` where coverage reaches 0.
  void add_capsule(double x0, double y0, double x1, double y1, double reach, double thin_scale);

  int width_, height_;
  std::vector<std::uint8_t> coverage_;  // width × height, 0 outside the current stroke.
  // Bounding box of the cells the current stroke may have covered (empty: max < min).
  int min_x_ = 0, min_y_ = 0, max_x_ = -1, max_y_ = -1;
  bool avx2_;  // internal::use_avx2() at construction: the kernels' eight-lane paths.
};

}  // namespace atelier::render::internal
