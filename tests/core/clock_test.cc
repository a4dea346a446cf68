#include <gtest/gtest.h>

#include <chrono>

#include "core/clock.h"

namespace atelier {
namespace {

TEST(ManualClock, MovesOnlyWhenTold) {
  ManualClock c(1000);
  EXPECT_EQ(c.now_ms(), 1000);
  EXPECT_EQ(c.now_ms(), 1000);
  c.advance_ms(250);
  EXPECT_EQ(c.now_ms(), 1250);
  c.set_ms(5);
  EXPECT_EQ(c.now_ms(), 5);
  const Clock& base = c;
  EXPECT_EQ(base.now_ms(), 5);
}

TEST(SystemClock, IsUnixMilliseconds) {
  auto expected = std::chrono::duration_cast<std::chrono::milliseconds>(
                      std::chrono::system_clock::now().time_since_epoch())
                      .count();
  auto got = SystemClock::instance().now_ms();
  EXPECT_LE(std::llabs(got - expected), 5000);
  EXPECT_GT(got, 1'600'000'000'000);  // After 2020: milliseconds, not seconds.
}

}  // namespace
}  // namespace atelier
