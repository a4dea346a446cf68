// MihIndex against brute force: random codes, near-duplicates planted at r-1, r and r+1 from
// the queries, codes built to be reachable through one table only, and inserts, removals and
// compactions interleaved. Exactness means the same set: nothing missed, nothing extra.
#include "compliance/registry/mih_index.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <vector>

#include "compliance/registry/internal/mih_layout.h"
#include "tests/compliance/registry/test_codes.h"

namespace atelier::compliance {
namespace {

using testing::at_distance;
using testing::flip;
using testing::random_code;

// `code` with `bits` flipped bits inside substring k of `layout`.
void flip_in_substring(PdqHash& code, const internal::MihLayout& layout, int k, int bits,
                       std::mt19937_64& rng) {
  std::vector<int> positions;
  for (int p = layout.start[k]; p < layout.start[k] + layout.width[k]; ++p) positions.push_back(p);
  std::shuffle(positions.begin(), positions.end(), rng);
  for (int i = 0; i < bits; ++i) flip(code, positions[i]);
}

std::vector<MihMatch> brute_force(const MihIndex& index, const PdqHash& q, int radius) {
  std::vector<MihMatch> out;
  for (std::uint32_t s = 0; s < index.size(); ++s) {
    if (!index.alive(s)) continue;
    const int d = hamming_distance(index.code(s), q);
    if (d <= radius) out.push_back({s, d});
  }
  return out;
}

void expect_exact(const MihIndex& index, const PdqHash& q, int radius, const std::string& what) {
  std::vector<MihMatch> got;
  index.search(q, radius, got);
  const std::vector<MihMatch> want = brute_force(index, q, radius);
  ASSERT_EQ(got, want) << what << " radius " << radius << ": " << got.size() << " found, "
                       << want.size() << " within radius";
}

struct Case {
  int substrings;  // 0: automatic
  int radius;
};

class MihExactness : public ::testing::TestWithParam<Case> {};

TEST_P(MihExactness, FindsExactlyWhatBruteForceFinds) {
  const Case c = GetParam();
  std::mt19937_64 rng(1000 + c.substrings * 97 + c.radius);
  // No compaction but the one below: the background in the base tables, the planted codes in
  // the delta, so that both are searched.
  MihIndex index({.substrings = c.substrings, .delta_codes_min = 1 << 20});
  std::vector<PdqHash> queries;
  for (int i = 0; i < 40; ++i) queries.push_back(random_code(rng));
  // Background: random codes (at ~128 bits from everything).
  for (int i = 0; i < 20'000; ++i) index.insert(random_code(rng));
  index.compact();
  // Planted near-duplicates of every query at r-1, r, r+1 and 0.
  for (const PdqHash& q : queries) {
    for (int d : {c.radius - 1, c.radius, c.radius + 1, 0}) {
      if (d >= 0) index.insert(at_distance(q, d, rng));
    }
  }
  // Codes at r (found) and r+1 (not) that only one table can reach: every other substring as
  // far as it can be without being probed.
  const internal::MihLayout layout = internal::mih_layout(index.substrings());
  for (const PdqHash& q : queries) {
    for (int only = 0; only < layout.substrings; ++only) {
      const int only_radius = internal::substring_radius(layout, only, c.radius);
      if (only_radius < 0) continue;
      PdqHash code = q;
      int total = 0;
      for (int k = 0; k < layout.substrings; ++k) {
        const int rk = internal::substring_radius(layout, k, c.radius);
        const int bits = k == only ? rk : rk + 1;
        flip_in_substring(code, layout, k, bits, rng);
        total += bits;
      }
      ASSERT_EQ(total, c.radius);
      index.insert(code);
      // One more bit anywhere outside `only` and it is out of reach, and out of radius.
      const int other = (only + 1) % layout.substrings;
      PdqHash beyond = code;
      const int p = layout.start[other] + static_cast<int>(rng() % layout.width[other]);
      flip(beyond, p);
      if (hamming_distance(beyond, q) == c.radius + 1) index.insert(beyond);
    }
  }
  ASSERT_FALSE(index.searches_by_scan(c.radius)) << "the case must exercise the tables";
  ASSERT_GT(index.delta_size(), 0u);
  ASSERT_EQ(index.compactions(), 1u);
  for (std::size_t i = 0; i < queries.size(); ++i) {
    expect_exact(index, queries[i], c.radius, "query " + std::to_string(i));
    // Other radii on the same index (the layout does not depend on the radius).
    expect_exact(index, queries[i], std::max(0, c.radius - 7), "smaller");
  }
}

INSTANTIATE_TEST_SUITE_P(Layouts, MihExactness,
                         ::testing::Values(Case{0, 31}, Case{16, 31}, Case{16, 15}, Case{16, 0},
                                           Case{16, 47}, Case{11, 31}, Case{12, 31}, Case{13, 31},
                                           Case{13, 25}, Case{20, 31}, Case{24, 40}, Case{32, 31},
                                           Case{32, 63}, Case{14, 16}),
                         [](const ::testing::TestParamInfo<Case>& info) {
                           return "m" + std::to_string(info.param.substrings) + "_r" +
                                  std::to_string(info.param.radius);
                         });

TEST(MihIndex, InsertsRemovalsAndCompactionsNeverMakeItStale) {
  std::mt19937_64 rng(42);
  // A small delta bound: compactions happen every few hundred inserts, mid-stream.
  MihIndex index(
      {.substrings = 0, .delta_codes_min = 256, .delta_divisor = 4, .tombstone_divisor = 4});
  std::vector<PdqHash> centers;
  for (int i = 0; i < 30; ++i) centers.push_back(random_code(rng));
  std::vector<std::uint32_t> live_slots;
  for (int step = 0; step < 60; ++step) {
    for (int i = 0; i < 150; ++i) {
      // Clustered: near a center, so buckets are uneven and removals hit matches.
      const PdqHash& c = centers[rng() % centers.size()];
      const int d = static_cast<int>(rng() % 48);
      live_slots.push_back(index.insert(at_distance(c, d, rng)));
    }
    for (int i = 0; i < 60 && !live_slots.empty(); ++i) {
      const std::size_t at = rng() % live_slots.size();
      ASSERT_TRUE(index.remove(live_slots[at]));
      ASSERT_FALSE(index.remove(live_slots[at]));
      live_slots.erase(live_slots.begin() + static_cast<std::ptrdiff_t>(at));
    }
    ASSERT_EQ(index.live(), live_slots.size());
    for (int i = 0; i < 5; ++i) {
      const PdqHash q =
          at_distance(centers[rng() % centers.size()], static_cast<int>(rng() % 20), rng);
      expect_exact(index, q, 31, "step " + std::to_string(step));
    }
  }
  EXPECT_GT(index.compactions(), 3u);
}

TEST(MihIndex, InsertManyIsTheSameAsOneByOne) {
  std::mt19937_64 rng(5);
  std::vector<PdqHash> codes;
  for (int i = 0; i < 10'000; ++i) codes.push_back(random_code(rng));
  const PdqHash q = codes[17];
  for (int d : {30, 31, 32}) codes.push_back(at_distance(q, d, rng));
  MihIndex bulk({.delta_codes_min = 1000});
  EXPECT_EQ(bulk.insert_many(codes), 0u);
  EXPECT_EQ(bulk.compactions(), 1u);  // one counting sort, not one per thousand
  MihIndex single({.delta_codes_min = 1000});
  for (const PdqHash& c : codes) single.insert(c);
  std::vector<MihMatch> a;
  std::vector<MihMatch> b;
  bulk.search(q, 31, a);
  single.search(q, 31, b);
  EXPECT_EQ(a, b);
  ASSERT_EQ(a.size(), 3u);
  EXPECT_EQ(a[0], (MihMatch{17, 0}));
  // A small batch goes to the delta.
  EXPECT_EQ(bulk.insert_many(std::vector<PdqHash>{q}), codes.size());
  EXPECT_EQ(bulk.delta_size(), 1u);
  a.clear();
  bulk.search(q, 0, a);
  EXPECT_EQ(a.size(), 2u);
}

TEST(MihIndex, EdgesRadiusZeroFullAndNegativeAndEmptyIndex) {
  MihIndex index;
  std::vector<MihMatch> out;
  index.search(PdqHash{}, 31, out);
  EXPECT_TRUE(out.empty());
  std::mt19937_64 rng(9);
  for (int i = 0; i < 100; ++i) index.insert(random_code(rng));
  index.search(PdqHash{}, -1, out);
  EXPECT_TRUE(out.empty());
  index.search(PdqHash{}, 256, out);
  EXPECT_EQ(out.size(), 100u);
  out.clear();
  index.search(PdqHash{}, 1000, out);
  EXPECT_EQ(out.size(), 100u);
  EXPECT_FALSE(index.remove(100));
  EXPECT_FALSE(index.alive(1'000'000));
}

TEST(MihIndex, ReportsEachCodeOnceEvenWhenEveryTableFindsIt) {
  MihIndex index({.substrings = 16});
  std::mt19937_64 rng(3);
  for (int i = 0; i < 5000; ++i) index.insert(random_code(rng));
  const PdqHash q = random_code(rng);
  index.insert(q);  // identical: all 16 tables probe its bucket
  index.insert(q);
  std::vector<MihMatch> out;
  index.search(q, 31, out);
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[0].distance, 0);
  EXPECT_EQ(out[1].slot, out[0].slot + 1);
}

}  // namespace
}  // namespace atelier::compliance
