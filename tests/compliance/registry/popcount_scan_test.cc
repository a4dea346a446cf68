// The batched popcount scan against a one-pair-at-a-time loop, across block and batch edges.
#include "compliance/registry/popcount_scan.h"

#include <gtest/gtest.h>

#include <random>

#include "tests/compliance/registry/test_codes.h"

namespace atelier::compliance {
namespace {

TEST(ComplianceRegistryScan, MatchesThePairwiseLoopAcrossBlocksAndBatches) {
  std::mt19937_64 rng(11);
  std::vector<PdqHash> codes;
  // 5,003 codes: two full blocks and a tail that is not a multiple of 8.
  for (int i = 0; i < 5003; ++i) codes.push_back(testing::random_code(rng));
  std::vector<PdqHash> queries;
  for (int i = 0; i < 70; ++i) {
    PdqHash q = codes[rng() % codes.size()];
    for (int b = 0; b < i % 40; ++b) testing::flip(q, static_cast<int>(rng() % 256));
    queries.push_back(q);
  }
  for (int radius : {0, 31, 120}) {
    std::vector<ScanMatch> got;
    popcount_scan(codes, queries, radius, got);
    std::vector<ScanMatch> scalar;
    popcount_scan(codes, queries, radius, scalar, ScanKernel::kScalar);
    EXPECT_EQ(got, scalar) << "radius " << radius;
    std::vector<ScanMatch> want;
    for (std::uint32_t q = 0; q < queries.size(); ++q) {
      for (std::uint32_t i = 0; i < codes.size(); ++i) {
        const int d = hamming_distance(codes[i], queries[q]);
        if (d <= radius) want.push_back({q, i, d});
      }
    }
    EXPECT_EQ(got, want) << "radius " << radius;
    EXPECT_FALSE(want.empty());
  }
  std::vector<ScanMatch> none;
  popcount_scan(codes, queries, -1, none);
  EXPECT_TRUE(none.empty());
}

}  // namespace
}  // namespace atelier::compliance
