#include "render/raster/canvas.h"

#include <algorithm>
#include <cassert>
#include <chrono>
#include <cmath>
#include <string>
#include <utility>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "core/limits.h"
#include "render/internal/spare_buffer.h"

namespace atelier::render {

namespace {

struct OperatorName {
  std::string_view name;
  cairo_operator_t op;
};

constexpr OperatorName kOperators[] = {
    {"source-over", CAIRO_OPERATOR_OVER},      {"source-in", CAIRO_OPERATOR_IN},
    {"source-out", CAIRO_OPERATOR_OUT},        {"source-atop", CAIRO_OPERATOR_ATOP},
    {"destination-over", CAIRO_OPERATOR_DEST_OVER}, {"destination-in", CAIRO_OPERATOR_DEST_IN},
    {"destination-out", CAIRO_OPERATOR_DEST_OUT},   {"destination-atop", CAIRO_OPERATOR_DEST_ATOP},
    {"lighter", CAIRO_OPERATOR_ADD},           {"copy", CAIRO_OPERATOR_SOURCE},
    {"xor", CAIRO_OPERATOR_XOR},               {"multiply", CAIRO_OPERATOR_MULTIPLY},
    {"screen", CAIRO_OPERATOR_SCREEN},         {"overlay", CAIRO_OPERATOR_OVERLAY},
    {"darken", CAIRO_OPERATOR_DARKEN},         {"lighten", CAIRO_OPERATOR_LIGHTEN},
    {"color-dodge", CAIRO_OPERATOR_COLOR_DODGE}, {"color-burn", CAIRO_OPERATOR_COLOR_BURN},
    {"hard-light", CAIRO_OPERATOR_HARD_LIGHT}, {"soft-light", CAIRO_OPERATOR_SOFT_LIGHT},
    {"difference", CAIRO_OPERATOR_DIFFERENCE}, {"exclusion", CAIRO_OPERATOR_EXCLUSION},
    {"hue", CAIRO_OPERATOR_HSL_HUE},           {"saturation", CAIRO_OPERATOR_HSL_SATURATION},
    {"color", CAIRO_OPERATOR_HSL_COLOR},       {"luminosity", CAIRO_OPERATOR_HSL_LUMINOSITY},
};

class RasterTimer {
 public:
  explicit RasterTimer(std::int64_t& sink)
      : sink_(sink), start_(std::chrono::steady_clock::now()) {}
  ~RasterTimer() {
    sink_ += std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now() -
                                                                  start_)
                 .count();
  }

 private:
  std::int64_t& sink_;
  std::chrono::steady_clock::time_point start_;
};

}  // namespace

namespace {
struct CanvasPixels;  // SpareBuffer tag: the ARGB32 surface memory.
using SparePixels = internal::SpareBuffer<std::uint32_t, CanvasPixels>;
struct CanvasPathPoints;  // SpareBuffer tag: the device-space points of a lines-only path.
using SparePathPoints = internal::SpareBuffer<double, CanvasPathPoints>;

// The surface over reused, zeroed memory when it is of a size worth keeping (see
// render/internal/spare_buffer.h); otherwise Cairo's own allocation, as Cairo reports failures
// through it.
cairo_surface_t* create_surface(int width_px, int height_px, std::vector<std::uint32_t>& pixels) {
  const std::size_t count =
      static_cast<std::size_t>(width_px) * static_cast<std::size_t>(height_px);
  if (width_px > 0 && height_px > 0 && count * 4 <= internal::kSpareBytesMax &&
      cairo_format_stride_for_width(CAIRO_FORMAT_ARGB32, width_px) == width_px * 4) {
    pixels = SparePixels::take(count);
    std::fill(pixels.begin(), pixels.end(), 0u);  // Canvas 2D starts transparent black.
    return cairo_image_surface_create_for_data(reinterpret_cast<unsigned char*>(pixels.data()),
                                               CAIRO_FORMAT_ARGB32, width_px, height_px,
                                               width_px * 4);
  }
  return cairo_image_surface_create(CAIRO_FORMAT_ARGB32, width_px, height_px);
}
}  // namespace

Canvas::Canvas(int width_px, int height_px)
    : width_px_(width_px),
      height_px_(height_px),
      surface_(create_surface(width_px, height_px, pixels_)),
      cr_(cairo_create(surface_)),
      mask_(width_px, height_px) {
  assert(width_px > 0 && height_px > 0);
  lines_xy_ = SparePathPoints::take(0);  // Last render's capacity: a big path grows without copies.
  cairo_matrix_init_scale(&base_, width_px, width_px);
  cairo_set_matrix(cr_, &base_);
  // Canvas 2D defaults, in script units: a line a thousandth of the width.
  cairo_set_line_width(cr_, 0.001);
  cairo_set_line_cap(cr_, CAIRO_LINE_CAP_BUTT);
  cairo_set_line_join(cr_, CAIRO_LINE_JOIN_MITER);
  cairo_set_miter_limit(cr_, 10.0);
  cairo_set_antialias(cr_, CAIRO_ANTIALIAS_DEFAULT);
}

Canvas::~Canvas() {
  cairo_destroy(cr_);
  cairo_surface_destroy(surface_);
  if (!pixels_.empty()) SparePixels::give(std::move(pixels_));
  SparePathPoints::give(std::move(lines_xy_));
}

bool Canvas::ok() const {
  return cairo_surface_status(surface_) == CAIRO_STATUS_SUCCESS &&
         cairo_status(cr_) == CAIRO_STATUS_SUCCESS;
}

Result<void> Canvas::charge_points(std::int64_t n) {
  points_ += n;
  if (points_ > limits::kPathPointsMax) {
    return fail(Error::limit("path_points_max", "the script drew more than path_points_max (" +
                                                    std::to_string(limits::kPathPointsMax) +
                                                    ") points"));
  }
  return {};
}

Result<void> Gradient::add_color_stop(double offset, const Rgba& c) {
  if (stops_ >= limits::kGradientStopsMax) {
    return fail(Error::limit("gradient_stops_max",
                             "addColorStop: a gradient holds at most gradient_stops_max (" +
                                 std::to_string(limits::kGradientStopsMax) + ") stops"));
  }
  ++stops_;
  cairo_pattern_add_color_stop_rgba(pattern_, offset, c.r, c.g, c.b, c.a);
  return {};
}

Result<void> Canvas::charge_draw_call() {
  if (draw_calls_ >= limits::kDrawCallsMax) {
    return fail(Error::limit("draw_calls_max", "the script made more than draw_calls_max (" +
                                                   std::to_string(limits::kDrawCallsMax) +
                                                   ") canvas calls"));
  }
  ++draw_calls_;
  return {};
}

void Canvas::begin_path() {
  cairo_new_path(cr_);
  lines_only_ = true;
  lines_xy_.clear();
  lines_sub_.clear();
}

// The same affine map as cairo_matrix_transform_point.
void Canvas::push_device_point(const cairo_matrix_t& m, double x, double y) {
  lines_xy_.push_back(m.xx * x + m.xy * y + m.x0);
  lines_xy_.push_back(m.yx * x + m.yy * y + m.y0);
}

void Canvas::move_to(double x, double y) {
  if (!lines_only_) {
    cairo_move_to(cr_, x, y);
    return;
  }
  cairo_matrix_t m;
  cairo_get_matrix(cr_, &m);
  lines_sub_.push_back({lines_xy_.size() / 2, false});
  push_device_point(m, x, y);
}

void Canvas::line_to(double x, double y) {
  if (!lines_only_) {
    // Canvas 2D: lineTo on an empty path behaves as moveTo.
    if (!cairo_has_current_point(cr_)) {
      cairo_move_to(cr_, x, y);
    } else {
      cairo_line_to(cr_, x, y);
    }
    return;
  }
  if (lines_sub_.empty()) {
    move_to(x, y);
    return;
  }
  if (lines_sub_.back().closed) {  // As in Cairo: a new sub-path from the closed one's start.
    const std::size_t start = lines_sub_.back().first;
    lines_sub_.push_back({lines_xy_.size() / 2, false});
    lines_xy_.push_back(lines_xy_[2 * start]);
    lines_xy_.push_back(lines_xy_[2 * start + 1]);
  }
  cairo_matrix_t m;
  cairo_get_matrix(cr_, &m);
  push_device_point(m, x, y);
}

void Canvas::close_path() {
  if (!lines_only_) {
    cairo_close_path(cr_);
  } else if (!lines_sub_.empty()) {
    lines_sub_.back().closed = true;
  }
}

void Canvas::rect(double x, double y, double w, double h) {
  materialize();
  cairo_rectangle(cr_, x, y, w, h);
}

void Canvas::materialize() {
  if (!lines_only_) return;
  lines_only_ = false;
  if (lines_sub_.empty()) return;
  cairo_matrix_t saved;
  cairo_get_matrix(cr_, &saved);
  cairo_identity_matrix(cr_);  // The points are in device pixels already.
  const std::size_t points = lines_xy_.size() / 2;
  for (std::size_t s = 0; s < lines_sub_.size(); ++s) {
    const std::size_t end = s + 1 < lines_sub_.size() ? lines_sub_[s + 1].first : points;
    const std::size_t first = lines_sub_[s].first;
    cairo_move_to(cr_, lines_xy_[2 * first], lines_xy_[2 * first + 1]);
    for (std::size_t i = first + 1; i < end; ++i)
      cairo_line_to(cr_, lines_xy_[2 * i], lines_xy_[2 * i + 1]);
    if (lines_sub_[s].closed) cairo_close_path(cr_);
  }
  cairo_set_matrix(cr_, &saved);
  lines_xy_.clear();
  lines_sub_.clear();
}

void Canvas::bezier_to(double c1x, double c1y, double c2x, double c2y, double x, double y) {
  materialize();
  if (!cairo_has_current_point(cr_)) cairo_move_to(cr_, c1x, c1y);
  cairo_curve_to(cr_, c1x, c1y, c2x, c2y, x, y);
}

void Canvas::quadratic_to(double cx, double cy, double x, double y) {
  materialize();
  if (!cairo_has_current_point(cr_)) cairo_move_to(cr_, cx, cy);
  double x0, y0;
  cairo_get_current_point(cr_, &x0, &y0);
  // Degree elevation: the cubic with the same curve.
  cairo_curve_to(cr_, x0 + 2.0 / 3.0 * (cx - x0), y0 + 2.0 / 3.0 * (cy - y0),
                 x + 2.0 / 3.0 * (cx - x), y + 2.0 / 3.0 * (cy - y), x, y);
}

void Canvas::arc(double x, double y, double r, double a0, double a1, bool ccw) {
  materialize();
  if (ccw) {
    cairo_arc_negative(cr_, x, y, r, a0, a1);
  } else {
    cairo_arc(cr_, x, y, r, a0, a1);
  }
}

void Canvas::ellipse(double x, double y, double rx, double ry, double rotation, double a0,
                     double a1, bool ccw) {
  if (rx <= 0 || ry <= 0) return;
  materialize();
  cairo_matrix_t saved;
  cairo_get_matrix(cr_, &saved);
  cairo_translate(cr_, x, y);
  cairo_rotate(cr_, rotation);
  cairo_scale(cr_, rx, ry);
  arc(0, 0, 1, a0, a1, ccw);
  cairo_set_matrix(cr_, &saved);
}

void Canvas::polyline(const double* xy, std::size_t points, bool close) {
  if (points == 0) return;
  if (lines_only_) {
    cairo_matrix_t m;
    cairo_get_matrix(cr_, &m);
    lines_sub_.push_back({lines_xy_.size() / 2, close});
    const std::size_t at = lines_xy_.size();
    lines_xy_.resize(at + 2 * points);  // Geometric growth; a reserve() per call would not be.
    double* out = &lines_xy_[at];
    for (std::size_t i = 0; i < points; ++i) {
      const double x = xy[2 * i], y = xy[2 * i + 1];
      out[2 * i] = m.xx * x + m.xy * y + m.x0;
      out[2 * i + 1] = m.yx * x + m.yy * y + m.y0;
    }
    return;
  }
  cairo_move_to(cr_, xy[0], xy[1]);
  for (std::size_t i = 1; i < points; ++i) cairo_line_to(cr_, xy[2 * i], xy[2 * i + 1]);
  if (close) cairo_close_path(cr_);
}

void Canvas::paint_with(const Paint& paint, void (*op)(cairo_t*)) {
  RasterTimer timer(raster_ns_);
  if (paint.gradient) {
    if (global_alpha >= 1.0) {
      cairo_set_source(cr_, paint.gradient->pattern());
      op(cr_);
      return;
    }
    // Cairo has no global alpha for fills: draw into a group, then paint it faded.
    cairo_operator_t mode = cairo_get_operator(cr_);
    cairo_push_group(cr_);
    cairo_set_operator(cr_, CAIRO_OPERATOR_OVER);
    cairo_set_source(cr_, paint.gradient->pattern());
    op(cr_);
    cairo_pop_group_to_source(cr_);
    cairo_set_operator(cr_, mode);
    cairo_paint_with_alpha(cr_, global_alpha);
    return;
  }
  const Rgba& c = paint.color;
  cairo_set_source_rgba(cr_, c.r, c.g, c.b, c.a * global_alpha);
  op(cr_);
}

void Canvas::fill(bool even_odd) {
  materialize();
  cairo_set_fill_rule(cr_, even_odd ? CAIRO_FILL_RULE_EVEN_ODD : CAIRO_FILL_RULE_WINDING);
  paint_with(fill_style, cairo_fill_preserve);
}

void Canvas::stroke() {
  if (fast_stroke()) return;
  materialize();
  paint_with(stroke_style, cairo_stroke_preserve);
}

bool Canvas::fast_stroke() {
  if (!fast_strokes) return false;
  if (cairo_get_line_join(cr_) != CAIRO_LINE_JOIN_ROUND ||
      cairo_get_line_cap(cr_) != CAIRO_LINE_CAP_ROUND) {
    return false;
  }
  cairo_matrix_t m;
  cairo_get_matrix(cr_, &m);
  // A similarity (rotation, uniform scale, translation) keeps a round pen round.
  double sx = std::hypot(m.xx, m.yx), sy = std::hypot(m.xy, m.yy);
  if (!(sx > 0) || std::fabs(sx - sy) > 1e-9 * sx ||
      std::fabs(m.xx * m.xy + m.yx * m.yy) > 1e-9 * sx * sy) {
    return false;
  }
  double radius = cairo_get_line_width(cr_) * sx / 2;
  // Very wide pens overlap each segment's neighbours heavily; Cairo's scanline is cheaper.
  if (!(radius > 0) || radius > 32) return false;
  if (lines_only_) {
    RasterTimer timer(raster_ns_);
    const std::size_t points = lines_xy_.size() / 2;
    for (std::size_t s = 0; s < lines_sub_.size(); ++s) {
      const std::size_t first = lines_sub_[s].first;
      const std::size_t end = s + 1 < lines_sub_.size() ? lines_sub_[s + 1].first : points;
      mask_.add_polyline(&lines_xy_[2 * first], end - first, radius);
      if (lines_sub_[s].closed && end - first > 1) {  // The closing segment, back to the start.
        const double closing[4] = {lines_xy_[2 * end - 2], lines_xy_[2 * end - 1],
                                   lines_xy_[2 * first], lines_xy_[2 * first + 1]};
        mask_.add_polyline(closing, 2, radius);
      }
    }
    composite_mask();
    return true;
  }
  cairo_path_t* path = cairo_copy_path_flat(cr_);
  if (path->status != CAIRO_STATUS_SUCCESS) {
    cairo_path_destroy(path);
    return false;
  }
  RasterTimer timer(raster_ns_);
  auto device = [&m](const cairo_path_data_t& p, double& x, double& y) {
    x = m.xx * p.point.x + m.xy * p.point.y + m.x0;
    y = m.yx * p.point.x + m.yy * p.point.y + m.y0;
  };
  // One polyline per sub-path (closing: back to its start), in device pixels.
  std::vector<double>& xy = polyline_scratch_;
  xy.clear();
  auto flush = [&] {
    mask_.add_polyline(xy.data(), xy.size() / 2, radius);
    xy.clear();
  };
  for (int i = 0; i < path->num_data; i += path->data[i].header.length) {
    const cairo_path_data_t* d = &path->data[i];
    double x, y;
    switch (d->header.type) {
      case CAIRO_PATH_MOVE_TO:
        flush();
        device(d[1], x, y);
        xy.insert(xy.end(), {x, y});
        break;
      case CAIRO_PATH_LINE_TO:
        device(d[1], x, y);
        xy.insert(xy.end(), {x, y});
        break;
      case CAIRO_PATH_CLOSE_PATH:
        if (!xy.empty()) {
          const double start_x = xy[0], start_y = xy[1];
          xy.insert(xy.end(), {start_x, start_y});
        }
        break;
      case CAIRO_PATH_CURVE_TO:  // copy_path_flat has none.
        break;
    }
  }
  flush();
  cairo_path_destroy(path);
  composite_mask();
  return true;
}

void Canvas::composite_mask() {
  if (mask_.empty()) return;
  const Paint& paint = stroke_style;
  if (!paint.gradient && cairo_get_operator(cr_) == CAIRO_OPERATOR_OVER) {
    // Source-over of a solid colour: blend directly at the covered pixels.
    double a = paint.color.a * global_alpha;
    auto a8 = static_cast<std::uint8_t>(std::lround(a * 255.0));
    auto pre = [&](double c) { return static_cast<std::uint8_t>(std::lround(c * a * 255.0)); };
    cairo_surface_flush(surface_);
    auto* pixels = reinterpret_cast<std::uint32_t*>(cairo_image_surface_get_data(surface_));
    mask_.composite_over(pixels, cairo_image_surface_get_stride(surface_) / 4, a8,
                         pre(paint.color.r), pre(paint.color.g), pre(paint.color.b));
    cairo_surface_mark_dirty(surface_);
    return;
  }
  // Any other operator or a gradient: let Cairo composite the source through the mask.
  std::vector<std::uint8_t> a8;
  int x0, y0, w, h, stride;
  mask_.take_a8(a8, x0, y0, w, h, stride);
  if (paint.gradient && global_alpha < 1.0) {
    for (auto& v : a8) v = static_cast<std::uint8_t>(std::lround(v * global_alpha));
  }
  cairo_surface_t* mask =
      cairo_image_surface_create_for_data(a8.data(), CAIRO_FORMAT_A8, w, h, stride);
  cairo_save(cr_);
  if (paint.gradient) {
    cairo_set_source(cr_, paint.gradient->pattern());  // Locked to the current user space.
  } else {
    cairo_set_source_rgba(cr_, paint.color.r, paint.color.g, paint.color.b,
                          paint.color.a * global_alpha);
  }
  cairo_identity_matrix(cr_);
  cairo_mask_surface(cr_, mask, x0, y0);
  cairo_restore(cr_);
  cairo_surface_destroy(mask);
}

void Canvas::fill_rect(double x, double y, double w, double h) {
  // fillRect leaves the current path alone (a line-only path is not in Cairo's).
  cairo_path_t* path = lines_only_ ? nullptr : cairo_copy_path(cr_);
  cairo_new_path(cr_);
  cairo_rectangle(cr_, x, y, w, h);
  cairo_set_fill_rule(cr_, CAIRO_FILL_RULE_WINDING);
  paint_with(fill_style, cairo_fill);
  if (path != nullptr) {
    cairo_append_path(cr_, path);
    cairo_path_destroy(path);
  }
}

void Canvas::stroke_rect(double x, double y, double w, double h) {
  cairo_path_t* path = lines_only_ ? nullptr : cairo_copy_path(cr_);
  cairo_new_path(cr_);
  cairo_rectangle(cr_, x, y, w, h);
  paint_with(stroke_style, cairo_stroke);
  if (path != nullptr) {
    cairo_append_path(cr_, path);
    cairo_path_destroy(path);
  }
}

void Canvas::clear_rect(double x, double y, double w, double h) {
  RasterTimer timer(raster_ns_);
  cairo_path_t* path = lines_only_ ? nullptr : cairo_copy_path(cr_);
  cairo_save(cr_);
  cairo_new_path(cr_);
  cairo_rectangle(cr_, x, y, w, h);
  cairo_set_operator(cr_, CAIRO_OPERATOR_CLEAR);
  cairo_fill(cr_);
  cairo_restore(cr_);
  if (path != nullptr) {
    cairo_append_path(cr_, path);
    cairo_path_destroy(path);
  }
}

void Canvas::background(const Rgba& c) {
  RasterTimer timer(raster_ns_);
  cairo_save(cr_);
  cairo_reset_clip(cr_);
  cairo_set_operator(cr_, CAIRO_OPERATOR_SOURCE);
  cairo_set_source_rgba(cr_, c.r, c.g, c.b, c.a);
  cairo_paint(cr_);
  cairo_restore(cr_);
}

bool Canvas::set_line_cap(std::string_view cap) {
  if (cap == "butt") cairo_set_line_cap(cr_, CAIRO_LINE_CAP_BUTT);
  else if (cap == "round") cairo_set_line_cap(cr_, CAIRO_LINE_CAP_ROUND);
  else if (cap == "square") cairo_set_line_cap(cr_, CAIRO_LINE_CAP_SQUARE);
  else return false;
  return true;
}

bool Canvas::set_line_join(std::string_view join) {
  if (join == "miter") cairo_set_line_join(cr_, CAIRO_LINE_JOIN_MITER);
  else if (join == "round") cairo_set_line_join(cr_, CAIRO_LINE_JOIN_ROUND);
  else if (join == "bevel") cairo_set_line_join(cr_, CAIRO_LINE_JOIN_BEVEL);
  else return false;
  return true;
}

bool Canvas::set_composite(std::string_view op) {
  for (const auto& entry : kOperators) {
    if (entry.name == op) {
      cairo_set_operator(cr_, entry.op);
      return true;
    }
  }
  return false;
}

Result<void> Canvas::save() {
  if (static_cast<std::int64_t>(saved_.size()) >= limits::kSaveDepthMax) {
    return fail(Error::limit("save_depth_max", "ctx:save() nested deeper than save_depth_max (" +
                                                   std::to_string(limits::kSaveDepthMax) + ")"));
  }
  saved_.push_back({fill_style, stroke_style, global_alpha});
  cairo_save(cr_);
  return {};
}

void Canvas::restore() {
  if (saved_.empty()) return;  // Canvas 2D: restore with nothing saved does nothing.
  fill_style = std::move(saved_.back().fill);
  stroke_style = std::move(saved_.back().stroke);
  global_alpha = saved_.back().global_alpha;
  saved_.pop_back();
  cairo_restore(cr_);
}

void Canvas::scale(double sx, double sy) {
  // A singular matrix puts Cairo into a permanent error state; Canvas 2D just draws nothing.
  if (sx == 0 || sy == 0) sx = sy = 1e-12;
  cairo_scale(cr_, sx, sy);
}

void Canvas::transform(double a, double b, double c, double d, double e, double f) {
  cairo_matrix_t m;
  cairo_matrix_init(&m, a, b, c, d, e, f);
  if (cairo_matrix_invert(&m) != CAIRO_STATUS_SUCCESS) return;  // Singular: ignored.
  cairo_matrix_init(&m, a, b, c, d, e, f);
  cairo_transform(cr_, &m);
}

void Canvas::set_transform(double a, double b, double c, double d, double e, double f) {
  cairo_set_matrix(cr_, &base_);
  transform(a, b, c, d, e, f);
}

std::shared_ptr<Gradient> Canvas::linear_gradient(double x0, double y0, double x1, double y1) {
  return std::make_shared<Gradient>(cairo_pattern_create_linear(x0, y0, x1, y1));
}

std::shared_ptr<Gradient> Canvas::radial_gradient(double x0, double y0, double r0, double x1,
                                                  double y1, double r1) {
  return std::make_shared<Gradient>(cairo_pattern_create_radial(x0, y0, r0, x1, y1, r1));
}

Image Canvas::to_image() const {
  Image img;
  to_image(img);
  return img;
}

void Canvas::to_image(Image& img) const {
  cairo_surface_flush(surface_);
  img.width = width_px_;
  img.height = height_px_;
  img.rgba.resize(static_cast<std::size_t>(width_px_) * height_px_ * 4);  // All written below.
  const unsigned char* data = cairo_image_surface_get_data(surface_);
  int stride = cairo_image_surface_get_stride(surface_);
  std::uint8_t* out = img.rgba.data();
  for (int y = 0; y < height_px_; ++y) {
    const auto* row =
        reinterpret_cast<const std::uint32_t*>(data + static_cast<std::size_t>(y) * stride);
    int x = 0;
#if defined(__SSE2__)
    // Four pixels at a time while their alpha is 0 or 255 (no un-premultiplying): ARGB words
    // to R, G, B, A bytes by shifts and masks; the same bytes as the loop below.
    const __m128i byte = _mm_set1_epi32(0xFF),
                  alpha = _mm_set1_epi32(static_cast<int>(0xFF000000u));
    for (; x + 4 <= width_px_; x += 4) {
      const __m128i px = _mm_loadu_si128(reinterpret_cast<const __m128i*>(row + x));
      const __m128i a = _mm_and_si128(px, alpha);
      if (_mm_movemask_epi8(_mm_or_si128(_mm_cmpeq_epi32(a, alpha),
                                         _mm_cmpeq_epi32(a, _mm_setzero_si128()))) != 0xFFFF) {
        break;  // A translucent pixel: the rest of the row takes the exact loop.
      }
      const __m128i rgba =
          _mm_or_si128(_mm_or_si128(_mm_and_si128(_mm_srli_epi32(px, 16), byte),
                                    _mm_and_si128(px, _mm_set1_epi32(0xFF00))),
                       _mm_or_si128(_mm_slli_epi32(_mm_and_si128(px, byte), 16), a));
      _mm_storeu_si128(reinterpret_cast<__m128i*>(out), rgba);
      out += 16;
    }
#endif
    for (; x < width_px_; ++x) {
      std::uint32_t px = row[x];  // Premultiplied ARGB in native endianness.
      std::uint32_t a = px >> 24, r = (px >> 16) & 0xFF, g = (px >> 8) & 0xFF, b = px & 0xFF;
      if (a != 255 && a != 0) {  // Un-premultiply with rounding, integers only.
        r = (r * 255 + a / 2) / a;
        g = (g * 255 + a / 2) / a;
        b = (b * 255 + a / 2) / a;
      }
      out[0] = static_cast<std::uint8_t>(r);
      out[1] = static_cast<std::uint8_t>(g);
      out[2] = static_cast<std::uint8_t>(b);
      out[3] = static_cast<std::uint8_t>(a);
      out += 4;
    }
  }
}

}  // namespace atelier::render
