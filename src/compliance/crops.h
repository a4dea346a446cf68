// crops.h — the parts of an image hashed besides the whole of it.
//
// PDQ survives re-encoding, resizing and small edits but not cropping: a copy cut down to a
// quarter or to its middle hashes like an unrelated image. So a registered image also has the
// hashes of its centre crops (the middle three quarters and half of each side) and of its four
// quadrants, and a query's hash is compared with those as well. Each crop is hashed from the
// decoded pixels at full resolution, as if it had been cut out and saved as its own file.
#pragma once

#include <array>

namespace atelier::compliance {

enum class Region {
  kCentreThreeQuarters,  // The middle 3/4 of each side.
  kCentreHalf,           // The middle 1/2 of each side.
  kTopLeft,
  kTopRight,
  kBottomLeft,
  kBottomRight,
};
inline constexpr int kRegionCount = 6;
inline constexpr std::array<Region, kRegionCount> kRegions = {
    Region::kCentreThreeQuarters, Region::kCentreHalf, Region::kTopLeft, Region::kTopRight,
    Region::kBottomLeft,          Region::kBottomRight};

// "centre_75", "centre_50", "top_left", "top_right", "bottom_left", "bottom_right".
const char* region_name(Region region);

struct Rect {
  int x = 0;
  int y = 0;
  int width = 0;
  int height = 0;
  friend bool operator==(const Rect&, const Rect&) = default;
};

// The region's rectangle in a width x height image (both at least 1); never empty. A centre
// crop keeps floor(side * fraction) pixels (at least 1), centred (the odd pixel goes right or
// down). Quadrants split each side at its middle; with an odd side both halves share the
// middle column or row, so the four cover the image and none is smaller than the other.
Rect region_rect(Region region, int width, int height);

}  // namespace atelier::compliance
