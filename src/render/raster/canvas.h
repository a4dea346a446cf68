// canvas.h — an HTML-Canvas-2D-like drawing surface rendered by Cairo's image backend.
//
// Coordinates are resolution-independent: the base transform maps one script unit to
// `width_px` pixels, so x spans 0..1 and y spans 0..height/width. Everything the canvas
// does is deterministic for a given build (Cairo/pixman integer rasterisation, no fonts,
// no system state). Not thread-safe: one canvas per render.
#pragma once

#include <cairo.h>

#include <cstdint>
#include <memory>
#include <string_view>
#include <vector>

#include "core/error.h"
#include "render/image.h"
#include "render/raster/color.h"
#include "render/raster/internal/stroke_mask.h"

namespace atelier::render {

// A linear or radial gradient (a Cairo pattern), shared by the Lua objects that hold it.
class Gradient {
 public:
  explicit Gradient(cairo_pattern_t* pattern) : pattern_(pattern) {}
  ~Gradient() { cairo_pattern_destroy(pattern_); }
  Gradient(const Gradient&) = delete;
  Gradient& operator=(const Gradient&) = delete;
  // Fails past kGradientStopsMax stops (the stop is not added).
  Result<void> add_color_stop(double offset, const Rgba& c);
  cairo_pattern_t* pattern() const { return pattern_; }

 private:
  cairo_pattern_t* pattern_;
  std::int64_t stops_ = 0;
};

struct Paint {
  Rgba color{0, 0, 0, 1};
  std::shared_ptr<Gradient> gradient;  // When set, it wins over color.
};

class Canvas {
 public:
  Canvas(int width_px, int height_px);
  ~Canvas();
  Canvas(const Canvas&) = delete;
  Canvas& operator=(const Canvas&) = delete;

  bool ok() const;  // False if Cairo could not allocate the surface.
  double height_units() const { return static_cast<double>(height_px_) / width_px_; }
  double pixel_units() const { return 1.0 / width_px_; }

  // Paths. Points are charged against kPathPointsMax; over it, charge() fails.
  Result<void> charge_points(std::int64_t n);
  // Every ctx method a script calls is charged against kDrawCallsMax; over it, this fails
  // (and keeps failing: the call does nothing).
  Result<void> charge_draw_call();
  //
  // A path of straight lines only (move_to, line_to, close_path, polyline) is kept here in
  // device pixels, outside Cairo, until an operation needs Cairo's path (a curve, a fill, a
  // stroke Cairo draws); the fast stroke reads it directly. Line-only paths are what
  // generative line work builds by the hundred thousand points, and Cairo's path API costs
  // a transform, a fixed-point conversion and an append per point, and a copy to read back.
  void begin_path();
  void move_to(double x, double y);
  void line_to(double x, double y);
  void bezier_to(double c1x, double c1y, double c2x, double c2y, double x, double y);
  void quadratic_to(double cx, double cy, double x, double y);
  void arc(double x, double y, double r, double a0, double a1, bool ccw);
  void ellipse(double x, double y, double rx, double ry, double rotation, double a0, double a1,
               bool ccw);
  void rect(double x, double y, double w, double h);
  void close_path();
  void polyline(const double* xy, std::size_t points, bool close);

  // Painting.
  void fill(bool even_odd);
  void stroke();
  void fill_rect(double x, double y, double w, double h);
  void stroke_rect(double x, double y, double w, double h);
  void clear_rect(double x, double y, double w, double h);
  void background(const Rgba& color);

  // State. save() fails past kSaveDepthMax.
  Paint fill_style;
  Paint stroke_style;
  double global_alpha = 1.0;
  void set_line_width(double w) { cairo_set_line_width(cr_, w); }
  double line_width() const { return cairo_get_line_width(cr_); }
  bool set_line_cap(std::string_view cap);
  bool set_line_join(std::string_view join);
  bool set_composite(std::string_view op);  // Canvas names: "multiply", "source-over", …
  Result<void> save();
  void restore();
  void translate(double x, double y) { cairo_translate(cr_, x, y); }
  void rotate(double rad) { cairo_rotate(cr_, rad); }
  void scale(double sx, double sy);
  void transform(double a, double b, double c, double d, double e, double f);
  void set_transform(double a, double b, double c, double d, double e, double f);
  void reset_transform() { cairo_set_matrix(cr_, &base_); }

  std::shared_ptr<Gradient> linear_gradient(double x0, double y0, double x1, double y1);
  std::shared_ptr<Gradient> radial_gradient(double x0, double y0, double r0, double x1, double y1,
                                            double r1);

  // Round-joined, round-capped strokes go through StrokeMask unless this is false (tests and
  // benchmarks compare the two rasterizers).
  bool fast_strokes = true;

  // Straight-alpha RGBA pixels of the surface; the second form reuses `out`'s memory.
  Image to_image() const;
  void to_image(Image& out) const;
  // Nanoseconds spent inside Cairo painting calls (fill/stroke/paint).
  std::int64_t raster_ns() const { return raster_ns_; }

 private:
  struct SavedState {
    Paint fill, stroke;
    double global_alpha;
  };
  // The line-only path: points in device pixels, and where each sub-path starts.
  struct SubPath {
    std::size_t first;  // Index of its first point in lines_xy_ (in points, not doubles).
    bool closed;
  };
  // Appends the current line-only path to Cairo's path and routes every later path operation
  // to Cairo until begin_path(). Called before anything that reads or extends Cairo's path.
  void materialize();
  void push_device_point(const cairo_matrix_t& m, double x, double y);
  void paint_with(const Paint& paint, void (*op)(cairo_t*));
  // Strokes with StrokeMask when the stroke is round-joined and round-capped under a
  // similarity transform (the common case in generative art); false: use Cairo.
  bool fast_stroke();
  void composite_mask();

  int width_px_, height_px_;
  std::vector<std::uint32_t> pixels_;  // The surface's memory when not Cairo's own (reused).
  cairo_surface_t* surface_;
  cairo_t* cr_;
  cairo_matrix_t base_;
  std::vector<SavedState> saved_;
  bool lines_only_ = true;  // The path lives in lines_xy_ / lines_sub_, Cairo's is empty.
  std::vector<double> lines_xy_;
  std::vector<SubPath> lines_sub_;
  internal::StrokeMask mask_;
  std::vector<double> polyline_scratch_;  // fast_stroke's sub-path points, reused.
  std::int64_t points_ = 0;
  std::int64_t draw_calls_ = 0;
  std::int64_t raster_ns_ = 0;
};

}  // namespace atelier::render
