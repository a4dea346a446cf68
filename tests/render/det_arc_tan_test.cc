// det_tan, det_atan, det_atan2, det_asin, det_acos (internal/det_math.h).
#include <gtest/gtest.h>

#include "render/internal/det_math.h"

namespace atelier::render::internal {
namespace {

TEST(DetArcTan, ExactCases) {
  EXPECT_EQ(det_tan(0.0), 0.0);
  EXPECT_EQ(det_atan(0.0), 0.0);
  EXPECT_EQ(det_asin(0.0), 0.0);
  EXPECT_EQ(det_acos(1.0), 0.0);
}

}  // namespace
}  // namespace atelier::render::internal
