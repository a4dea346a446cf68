// crops.cc — the rectangles of crops.h.
#include "compliance/crops.h"

#include <algorithm>
#include <cstdint>

#include "core/assert.h"

namespace atelier::compliance {
namespace {

// The middle `num / den` of a side of `side` pixels: {start, length}.
std::array<int, 2> centre(int side, int num, int den) {
  const int length = std::max(1, static_cast<int>(std::int64_t{side} * num / den));
  return {(side - length) / 2, length};
}

}  // namespace

const char* region_name(Region region) {
  switch (region) {
    case Region::kCentreThreeQuarters:
      return "centre_75";
    case Region::kCentreHalf:
      return "centre_50";
    case Region::kTopLeft:
      return "top_left";
    case Region::kTopRight:
      return "top_right";
    case Region::kBottomLeft:
      return "bottom_left";
    case Region::kBottomRight:
      return "bottom_right";
  }
  return "unknown";
}

Rect region_rect(Region region, int width, int height) {
  ATELIER_ASSERT(width >= 1 && height >= 1, "an image has pixels");
  // Halves: [0, ceil(side / 2)) and [floor(side / 2), side).
  const int left_w = (width + 1) / 2, right_x = width / 2;
  const int top_h = (height + 1) / 2, bottom_y = height / 2;
  switch (region) {
    case Region::kCentreThreeQuarters:
    case Region::kCentreHalf: {
      const int num = region == Region::kCentreHalf ? 1 : 3;
      const int den = region == Region::kCentreHalf ? 2 : 4;
      const auto [x, w] = centre(width, num, den);
      const auto [y, h] = centre(height, num, den);
      return {x, y, w, h};
    }
    case Region::kTopLeft:
      return {0, 0, left_w, top_h};
    case Region::kTopRight:
      return {right_x, 0, width - right_x, top_h};
    case Region::kBottomLeft:
      return {0, bottom_y, left_w, height - bottom_y};
    case Region::kBottomRight:
      return {right_x, bottom_y, width - right_x, height - bottom_y};
  }
  return {0, 0, width, height};
}

}  // namespace atelier::compliance
