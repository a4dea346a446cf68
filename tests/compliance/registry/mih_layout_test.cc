// The MIH layout: substrings cover the code, extraction agrees with a bit-by-bit reading, the
// probe masks are the Hamming ball, and the per-table radii satisfy the pigeonhole bound.
#include "compliance/registry/internal/mih_layout.h"

#include <gtest/gtest.h>

#include <bit>
#include <random>
#include <set>

namespace atelier::compliance::internal {
namespace {

int bit_at(const CodeWords& code, int p) {
  return static_cast<int>((code[p / 64] >> (63 - p % 64)) & 1);
}

TEST(MihLayout, SubstringsCoverTheCodeWiderOnesFirst) {
  for (int m = kMihSubstringsMin; m <= kMihSubstringsMax; ++m) {
    MihLayout l = mih_layout(m);
    int next = 0;
    for (int k = 0; k < m; ++k) {
      EXPECT_EQ(l.start[k], next);
      EXPECT_LE(l.width[k], kMihWidthMax);
      if (k > 0) {
        EXPECT_LE(l.width[k], l.width[k - 1]);
      }
      EXPECT_LE(l.width[0] - l.width[k], 1);
      next += l.width[k];
    }
    EXPECT_EQ(next, 256);
  }
}

TEST(MihLayout, SubstringReadsBitsMostSignificantFirstAcrossWords) {
  std::mt19937_64 rng(7);
  for (int round = 0; round < 200; ++round) {
    CodeWords code{rng(), rng(), rng(), rng()};
    const int width = 1 + static_cast<int>(rng() % 32);
    const int start = static_cast<int>(rng() % static_cast<std::uint64_t>(257 - width));
    std::uint32_t expected = 0;
    for (int p = start; p < start + width; ++p) {
      expected = (expected << 1) | static_cast<std::uint32_t>(bit_at(code, p));
    }
    EXPECT_EQ(substring(code, start, width), expected) << start << "+" << width;
  }
}

TEST(MihLayout, MasksAreTheHammingBallEachOnce) {
  for (int width : {1, 5, 16, 21}) {
    for (int radius : {0, 1, 2, 3}) {
      std::set<std::uint32_t> seen;
      std::uint64_t count = 0;
      for_each_mask(width, radius, [&](std::uint32_t mask) {
        ++count;
        EXPECT_LE(std::popcount(mask), radius);
        EXPECT_LT(mask, std::uint64_t{1} << width);
        seen.insert(mask);
      });
      EXPECT_EQ(count, seen.size());
      EXPECT_EQ(count, ball_size(width, radius)) << width << "/" << radius;
    }
  }
  EXPECT_EQ(ball_size(24, 2), 1u + 24u + 276u);
  EXPECT_EQ(ball_size(16, 1), 17u);
  EXPECT_EQ(ball_size(8, 99), 256u);
}

TEST(MihLayout, PerTableRadiiAddUpToTheWholeRadius) {
  // The pigeonhole bound: exceeding every table's radius by one bit exceeds the radius.
  for (int m = kMihSubstringsMin; m <= kMihSubstringsMax; ++m) {
    MihLayout l = mih_layout(m);
    for (int r = 0; r <= 96; ++r) {
      int just_missed = 0;
      for (int k = 0; k < m; ++k) just_missed += substring_radius(l, k, r) + 1;
      EXPECT_EQ(just_missed, r + 1) << "m=" << m << " r=" << r;
    }
  }
}

TEST(MihLayout, SubstringCountFollowsTheIndexSize) {
  EXPECT_EQ(mih_substrings_for(0), 16);
  EXPECT_EQ(mih_substrings_for(65'536), 16);
  EXPECT_EQ(mih_substrings_for(1'000'000), 12);
  EXPECT_EQ(mih_substrings_for(10'000'000), 11);
  EXPECT_EQ(mih_substrings_for(~0ull), kMihSubstringsMin);
}

}  // namespace
}  // namespace atelier::compliance::internal
