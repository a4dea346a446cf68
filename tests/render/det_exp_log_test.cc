// det_exp, det_log, det_log2, det_log10, det_pow (internal/det_math.h).
#include <gtest/gtest.h>

#include "render/internal/det_math.h"

namespace atelier::render::internal {
namespace {

TEST(DetExpLog, ExactCases) {
  EXPECT_EQ(det_exp(0.0), 1.0);
  EXPECT_EQ(det_log(1.0), 0.0);
  EXPECT_EQ(det_pow(2.0, 10.0), 1024.0);
}

}  // namespace
}  // namespace atelier::render::internal
