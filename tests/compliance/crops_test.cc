// The crop regions (src/compliance/crops.h): inside the image, never empty, the quadrants
// covering it, the centre crops centred.
#include "compliance/crops.h"

#include <gtest/gtest.h>

#include <vector>

namespace atelier::compliance {
namespace {

TEST(ComplianceCrops, RegionsOfAnEvenImage) {
  EXPECT_EQ(region_rect(Region::kCentreThreeQuarters, 1024, 768), (Rect{128, 96, 768, 576}));
  EXPECT_EQ(region_rect(Region::kCentreHalf, 1024, 768), (Rect{256, 192, 512, 384}));
  EXPECT_EQ(region_rect(Region::kTopLeft, 1024, 768), (Rect{0, 0, 512, 384}));
  EXPECT_EQ(region_rect(Region::kTopRight, 1024, 768), (Rect{512, 0, 512, 384}));
  EXPECT_EQ(region_rect(Region::kBottomLeft, 1024, 768), (Rect{0, 384, 512, 384}));
  EXPECT_EQ(region_rect(Region::kBottomRight, 1024, 768), (Rect{512, 384, 512, 384}));
}

TEST(ComplianceCrops, OddSidesShareTheMiddle) {
  EXPECT_EQ(region_rect(Region::kTopLeft, 257, 129), (Rect{0, 0, 129, 65}));
  EXPECT_EQ(region_rect(Region::kBottomRight, 257, 129), (Rect{128, 64, 129, 65}));
  EXPECT_EQ(region_rect(Region::kCentreHalf, 257, 129), (Rect{64, 32, 128, 64}));
}

TEST(ComplianceCrops, EveryRegionIsInsideAndNotEmpty) {
  for (int w : {1, 2, 3, 5, 64, 257, 1000}) {
    for (int h : {1, 2, 7, 100, 513}) {
      std::vector<int> covered(std::size_t(w) * h, 0);
      for (Region region : kRegions) {
        const Rect r = region_rect(region, w, h);
        EXPECT_GE(r.x, 0);
        EXPECT_GE(r.y, 0);
        EXPECT_GE(r.width, 1);
        EXPECT_GE(r.height, 1);
        EXPECT_LE(r.x + r.width, w) << region_name(region) << " " << w << "x" << h;
        EXPECT_LE(r.y + r.height, h) << region_name(region) << " " << w << "x" << h;
        if (region == Region::kCentreHalf || region == Region::kCentreThreeQuarters) {
          // Centred: the margins differ by at most one pixel.
          EXPECT_LE(std::abs((w - r.x - r.width) - r.x), 1);
          EXPECT_LE(std::abs((h - r.y - r.height) - r.y), 1);
          continue;
        }
        for (int y = r.y; y < r.y + r.height; ++y) {
          for (int x = r.x; x < r.x + r.width; ++x) covered[std::size_t(y) * w + x] = 1;
        }
      }
      for (int c : covered) ASSERT_EQ(c, 1) << "quadrants cover " << w << "x" << h;
    }
  }
}

TEST(ComplianceCrops, Names) {
  EXPECT_STREQ(region_name(Region::kCentreThreeQuarters), "centre_75");
  EXPECT_STREQ(region_name(Region::kCentreHalf), "centre_50");
  EXPECT_STREQ(region_name(Region::kBottomLeft), "bottom_left");
}

}  // namespace
}  // namespace atelier::compliance
