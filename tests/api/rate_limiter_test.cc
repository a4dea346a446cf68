#include "api/internal/rate_limiter.h"

#include <gtest/gtest.h>

namespace atelier::api {
namespace {

TEST(RateLimiter, BurstOfOneMinuteThenRefusesWithRetryAfter) {
  ManualClock clock;
  RateLimiter limiter(clock);
  for (int i = 0; i < 3; ++i) {
    auto d = limiter.take("k", 3);
    EXPECT_TRUE(d.allowed) << i;
    EXPECT_EQ(d.remaining, 2 - i);
  }
  auto refused = limiter.take("k", 3);
  EXPECT_FALSE(refused.allowed);
  EXPECT_EQ(refused.retry_after_s, 20);  // One token per 20 s at 3/min.
  clock.advance_ms(19'999);
  EXPECT_FALSE(limiter.take("k", 3).allowed);
  clock.advance_ms(1);
  EXPECT_TRUE(limiter.take("k", 3).allowed);
}

TEST(RateLimiter, RetryAfterRoundsUpToWholeSeconds) {
  ManualClock clock;
  RateLimiter limiter(clock);
  EXPECT_TRUE(limiter.take("k", 600).allowed);  // 600/min: a token per 100 ms.
  for (int i = 0; i < 599; ++i) limiter.take("k", 600);
  auto d = limiter.take("k", 600);
  EXPECT_FALSE(d.allowed);
  EXPECT_EQ(d.retry_after_s, 1);
}

TEST(RateLimiter, BucketsAreIndependentAndZeroIsOff) {
  ManualClock clock;
  RateLimiter limiter(clock);
  EXPECT_TRUE(limiter.take("a", 1).allowed);
  EXPECT_FALSE(limiter.take("a", 1).allowed);
  EXPECT_TRUE(limiter.take("b", 1).allowed);
  for (int i = 0; i < 1000; ++i) EXPECT_TRUE(limiter.take("c", 0).allowed);
}

TEST(RateLimiter, RefillIsCappedAtOneMinute) {
  ManualClock clock;
  RateLimiter limiter(clock);
  limiter.take("k", 2);
  clock.advance_ms(3'600'000);  // An hour idle still holds only a minute's allowance.
  EXPECT_TRUE(limiter.take("k", 2).allowed);
  EXPECT_TRUE(limiter.take("k", 2).allowed);
  EXPECT_FALSE(limiter.take("k", 2).allowed);
}

TEST(RateLimiter, BucketCountIsBounded) {
  ManualClock clock;
  RateLimiter limiter(clock, 100);
  for (int i = 0; i < 1000; ++i) {
    limiter.take("ip:" + std::to_string(i), 10);
    clock.advance_ms(1);
  }
  EXPECT_LE(limiter.bucket_count(), 100u);
}

}  // namespace
}  // namespace atelier::api
