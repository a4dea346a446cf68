// OpenRarity scores and ranks (src/market/rarity.h) against: the expectations of OpenRarity's
// own test suite (github.com/OpenRarity/open-rarity, v0.7; the test each case comes from is
// named above it), a collection worked by hand, reference scores printed by
// tests/data/market/rarity_reference.py (an independent Python transcription of the method),
// and every refusal with its code and field.
#include "market/rarity.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <string>
#include <vector>

#include "core/limits.h"

namespace atelier::market {
namespace {

using Traits = std::vector<std::pair<std::string, std::string>>;

// Tokens with ids 0, 1, 2, ... as OpenRarity's generate_collection_with_token_traits numbers them.
std::vector<RarityToken> collection(const std::vector<Traits>& traits) {
  std::vector<RarityToken> tokens;
  for (std::size_t i = 0; i < traits.size(); ++i) tokens.push_back({U256(i), traits[i]});
  return tokens;
}

std::vector<TokenRarity> ranked(const std::vector<RarityToken>& tokens,
                                const RarityOptions& options = {}) {
  auto r = rank_rarity(tokens, options);
  EXPECT_TRUE(r) << r.error().to_string();
  return r ? *r : std::vector<TokenRarity>{};
}

struct Expected {
  std::uint64_t id;
  std::uint64_t unique_traits;
  std::uint64_t rank;
  double score = -1;  // -1: not checked.
};

void expect_ranking(const std::vector<TokenRarity>& got, const std::vector<Expected>& want) {
  ASSERT_EQ(got.size(), want.size());
  for (std::size_t i = 0; i < want.size(); ++i) {
    SCOPED_TRACE("position " + std::to_string(i));
    EXPECT_EQ(got[i].token_id, U256(want[i].id));
    EXPECT_EQ(got[i].unique_traits, want[i].unique_traits);
    EXPECT_EQ(got[i].rank, want[i].rank);
    // OpenRarity's values are numpy sums in another order: equal to a few units of 1e-16.
    if (want[i].score >= 0) {
      EXPECT_NEAR(got[i].score, want[i].score, 1e-14);
    }
  }
}

std::map<std::uint64_t, double> score_by_id(const std::vector<TokenRarity>& got) {
  std::map<std::uint64_t, double> out;
  for (const auto& t : got) out[*t.token_id.to_u64()] = t.score;
  return out;
}

Error error_of(const std::vector<RarityToken>& tokens, const RarityOptions& options = {}) {
  auto r = rank_rarity(tokens, options);
  return r ? Error{} : r.error();
}

// tests/test_rarity_ranker.py, test_rarity_ranker_same_scores: the exact scores asserted there.
TEST(Rarity, OpenRarityRankerSameScores) {
  auto tokens = collection({
      {{"trait1", "value1"}, {"trait2", "value1"}, {"trait3", "value1"}},
      {{"trait1", "value1"}, {"trait2", "value1"}, {"trait3", "value1"}},
      {{"trait1", "value2"}, {"trait2", "value1"}, {"trait3", "value3"}},
      {{"trait1", "value2"}, {"trait2", "value2"}, {"trait3", "value3"}},
      {{"trait1", "value3"}, {"trait2", "value3"}, {"trait3", "value3"}},
  });
  expect_ranking(ranked(tokens), {{4, 2, 1, 1.3926137488801251},
                                  {3, 1, 2, 1.1338031424711967},
                                  {0, 0, 3, 0.8749925360622679},
                                  {1, 0, 3, 0.8749925360622679},
                                  {2, 0, 5, 0.7235980365241422}});
}

// tests/test_rarity_ranker.py, test_rarity_ranker_equal_score_and_unique_trait: unique traits
// (the trait count of 4 on token 3 is one of its two) order before the score.
TEST(Rarity, OpenRarityRankerUniqueTraitsFirst) {
  auto tokens = collection({
      {{"trait1", "value1"}, {"trait2", "value1"}, {"trait3", "value2"}},
      {{"trait1", "value1"}, {"trait2", "value2"}, {"trait3", "value2"}},
      {{"trait1", "value1"}, {"trait2", "value2"}, {"trait3", "value3"}},
      {{"trait1", "value1"}, {"trait2", "value2"}, {"trait3", "value2"}, {"trait4", "value1"}},
  });
  expect_ranking(ranked(tokens), {{3, 2, 1}, {0, 1, 2}, {2, 1, 2}, {1, 0, 4}});
}

// tests/test_rarity_ranker.py, test_rarity_ranker_one_item.
TEST(Rarity, OpenRarityOneToken) {
  expect_ranking(ranked(collection({{{"trait1", "value1"}}})), {{0, 2, 1, 0.0}});
  EXPECT_FALSE(std::signbit(ranked(collection({{{"trait1", "value1"}}}))[0].score));
}

// tests/test_rarity_ranker.py, test_rarity_ranker_empty_collection.
TEST(Rarity, EmptyCollection) { EXPECT_TRUE(ranked({}).empty()); }

// tests/test_rarity_ranker.py, test_set_ranks_same_unique_different_ic_score: ties look at the
// score and the neighbour only, across unique-trait groups.
TEST(Rarity, OpenRaritySetRanks) {
  std::vector<TokenRarity> tokens = {
      {U256(1), 1.5, 1, 0}, {U256(2), 1.5, 2, 0}, {U256(3), 0.2, 3, 0}, {U256(4), 7.0, 0, 0}};
  assign_rarity_ranks(tokens);
  expect_ranking(tokens, {{3, 3, 1}, {2, 2, 2}, {1, 1, 2}, {4, 0, 4}});
}

// math.isclose's relative 1e-9: within it a tie, beyond it not; ties list by token id.
TEST(Rarity, TieToleranceAndTokenIdOrder) {
  std::vector<TokenRarity> tokens = {{U256(9), 2.0, 0, 0},
                                     {U256(5), 2.0 * (1 - 0.9e-9), 0, 0},
                                     {U256(7), 2.0 * (1 - 0.9e-9) * (1 - 1.1e-9), 0, 0},
                                     {U256(3), 2.0, 0, 0}};
  assign_rarity_ranks(tokens);
  expect_ranking(tokens, {{3, 0, 1}, {9, 0, 1}, {5, 0, 1}, {7, 0, 4}});
}

// tests/scoring/test_scoring_handlers.py, test_information_content_rarity_uniform: 10,000
// tokens, 5 traits of 10 equally common values each: every score is exactly 1.
TEST(Rarity, OpenRarityUniformCollectionScoresOne) {
  std::vector<RarityToken> tokens;
  for (std::uint64_t id = 0; id < 10'000; ++id) {
    Traits traits;
    for (int t = 0; t < 5; ++t) traits.emplace_back(std::to_string(t), std::to_string(id / 1000));
    tokens.push_back({U256(id), traits});
  }
  auto got = ranked(tokens);
  ASSERT_EQ(got.size(), 10'000u);
  for (const auto& t : got) {
    EXPECT_NEAR(t.score, 1.0, 1e-12);
    EXPECT_EQ(t.rank, 1u);
  }
  EXPECT_EQ(got.front().token_id, U256(0));  // All tied: listed by token id.
  EXPECT_EQ(got.back().token_id, U256(9'999));
}

// tests/scoring/test_scoring_handlers.py, test_information_content_null_value_attribute: its
// order assertions, and the scores of rarity_reference.py ("null_value"), whose entropy
// 5.214035419190713 is that of the test's spread (bottom 2/2/1/1, hat 2/3/1, special 2 +
// null 4, trait count 4/2, over 6 tokens).
TEST(Rarity, OpenRarityNullValueAttribute) {
  auto tokens = collection({
      {{"bottom", "spec"}, {"hat", "spec"}, {"special", "true"}},
      {{"bottom", "1"}, {"hat", "1"}, {"special", "true"}},
      {{"bottom", "1"}, {"hat", "1"}},
      {{"bottom", "2"}, {"hat", "2"}},
      {{"bottom", "2"}, {"hat", "2"}},
      {{"bottom", "3"}, {"hat", "2"}},
  });
  auto s = score_by_id(ranked(tokens));
  EXPECT_GT(s[0], s[1]);
  EXPECT_GT(s[1], s[2]);
  EXPECT_GT(s[5], s[2]);
  EXPECT_GT(s[2], s[3]);
  EXPECT_EQ(s[3], s[4]);
  const double reference[] = {1.5995000671052362, 1.215920010736838,  0.8323399543684394,
                              0.7201499798684291, 0.7201499798684291, 0.9119400080526283};
  for (std::uint64_t i = 0; i < 6; ++i) EXPECT_NEAR(s[i], reference[i], 1e-14) << i;
}

// tests/scoring/test_scoring_handlers.py, test_information_content_empty_attribute: a value
// "none" is the same as leaving the trait out.
TEST(Rarity, OpenRarityNoneIsMissing) {
  auto with_missing = ranked(collection({
      {{"bottom", "1"}, {"hat", "1"}, {"special", "true"}},
      {{"bottom", "1"}, {"hat", "1"}},
      {{"bottom", "2"}, {"hat", "2"}},
      {{"bottom", "2"}, {"hat", "2"}},
      {{"bottom", "3"}, {"hat", "2"}},
  }));
  auto with_none = ranked(collection({
      {{"bottom", "1"}, {"hat", "1"}, {"special", "true"}},
      {{"bottom", "1"}, {"hat", "1"}, {"special", "none"}},
      {{"bottom", "2"}, {"hat", "2"}, {"special", "None "}},
      {{"bottom", "2"}, {"hat", "2"}, {"special", "NONE"}},
      {{"bottom", "3"}, {"hat", "2"}, {"special", ""}},
  }));
  ASSERT_EQ(with_missing.size(), with_none.size());
  for (std::size_t i = 0; i < with_none.size(); ++i) {
    EXPECT_EQ(with_none[i].token_id, with_missing[i].token_id);
    EXPECT_EQ(with_none[i].score, with_missing[i].score);
    EXPECT_EQ(with_none[i].rank, with_missing[i].rank);
  }
}

// tests/models/test_collection.py, test_init_no_trait_count: the trait count counts the
// numeric trait (OpenRarity: {"3": 1, "2": 1, "4": 2}) but does not score it. Scores from
// rarity_reference.py ("trait_count").
TEST(Rarity, TraitCountIncludesUnscoredTraits) {
  auto tokens = collection({
      {{"hat", "cap"}, {"bottom", "jeans"}, {"something another", "special"}},
      {{"hat", "cap"}, {"something another", "not special"}},
      {{"hat", "bucket hat"},
       {"new", "very special"},
       {"integer trait", "1"},
       {"four", "four value"}},
      {{"hat", "bucket hat"},
       {"new", "very special"},
       {"integer trait", "1"},
       {"four", "four value"}},
  });
  auto s = score_by_id(ranked(tokens, {.unscored_trait_types = {"Integer Trait"}}));
  const double reference[] = {1.321337909794231, 1.0886411278158832, 0.795010481194943,
                              0.795010481194943};
  for (std::uint64_t i = 0; i < 4; ++i) EXPECT_NEAR(s[i], reference[i], 1e-14) << i;
}

// Worked by hand. N = 4: A{hat: cap}, B{hat: cap}, C{hat: beanie}, D{}.
//   hat: cap 2, beanie 1, null 1; trait count: "1" 3, "0" 1.
//   H = (½·1 + ¼·2 + ¼·2) + (¾·log2(4/3) + ¼·2) = 1.5 + 0.811278124459133 = 2.311278124459133
//   A, B: (log2(4/2) + log2(4/3)) / H = 1.415037499278844 / H = 0.612232...
//   C:    (log2(4/1) + log2(4/3)) / H = 2.415037499278844 / H = 1.044894...
//   D:    (log2(4/1) + log2(4/1)) / H = 4 / H                  = 1.730644...
// Unique traits: C (beanie) 1, D (trait count 0) 1, A and B 0. Order: D, C, then A and B tied.
TEST(Rarity, HandWorkedCollection) {
  const double h = 1.5 + 0.75 * std::log2(4.0 / 3.0) + 0.5;
  std::vector<RarityToken> tokens = {{U256(30), {{"Hat", "Cap"}}},    // A: case and space
                                     {U256(20), {{"hat ", " cap"}}},  // B: do not matter.
                                     {U256(10), {{"hat", "beanie"}}},
                                     {U256(40), {}}};
  expect_ranking(ranked(tokens), {{40, 1, 1, 4 / h},
                                  {10, 1, 2, (2 + std::log2(4.0 / 3.0)) / h},
                                  {20, 0, 3, (1 + std::log2(4.0 / 3.0)) / h},
                                  {30, 0, 3, (1 + std::log2(4.0 / 3.0)) / h}});
}

// The order does not depend on the order of the input.
TEST(Rarity, IndependentOfInputOrder) {
  std::vector<RarityToken> tokens;
  for (std::uint64_t id = 0; id < 200; ++id) {
    tokens.push_back({U256(id * 7919 % 1000),
                      {{"a", std::to_string(id % 3)},
                       {"b", std::to_string(id % 7)},
                       {"c", std::to_string((id * id) % 11)}}});
  }
  auto forward = ranked(tokens);
  std::reverse(tokens.begin(), tokens.end());
  auto backward = ranked(tokens);
  ASSERT_EQ(forward.size(), backward.size());
  for (std::size_t i = 0; i < forward.size(); ++i) {
    EXPECT_EQ(forward[i].token_id, backward[i].token_id);
    EXPECT_EQ(forward[i].score, backward[i].score);
    EXPECT_EQ(forward[i].rank, backward[i].rank);
  }
}

// A caller's own "meta_trait:trait_count" is replaced by the computed one, as OpenRarity's
// Collection._trait_countify does (tests/models/test_collection.py,
// test_init_trait_count_exists).
TEST(Rarity, CallersTraitCountIsReplaced) {
  auto plain = ranked(collection({{{"hat", "cap"}, {"eyes", "x"}}, {{"hat", "cap"}}}));
  auto with_meta =
      ranked(collection({{{"hat", "cap"}, {"eyes", "x"}, {"meta_trait:trait_count", "9"}},
                         {{"hat", "cap"}, {"Meta_Trait:Trait_Count", "1"}}}));
  ASSERT_EQ(plain.size(), 2u);
  ASSERT_EQ(with_meta.size(), 2u);
  for (std::size_t i = 0; i < 2; ++i) {
    EXPECT_EQ(plain[i].token_id, with_meta[i].token_id);
    EXPECT_EQ(plain[i].score, with_meta[i].score);
    EXPECT_EQ(plain[i].unique_traits, with_meta[i].unique_traits);
  }
}

TEST(Rarity, Refusals) {
  auto e = error_of({{U256(1), {{"hat", "cap"}}}, {U256(1), {{"hat", "cap"}}}});
  EXPECT_EQ(e.code, "duplicate_token_id");
  EXPECT_EQ(e.field, "tokens[1].token_id");

  e = error_of({{U256(1), {{"Hat", "cap"}, {"hat ", "none"}}}});
  EXPECT_EQ(e.code, "duplicate_trait");
  EXPECT_EQ(e.field, "tokens[0].traits[1].trait_type");

  e = error_of({{U256(1), {{"  ", "cap"}}}});
  EXPECT_EQ(e.code, "empty_trait_type");
  EXPECT_EQ(e.field, "tokens[0].traits[0].trait_type");

  const auto long_text =
      std::string(static_cast<std::size_t>(limits::kTraitValueBytesMax) + 1, 'x');
  const auto max_text = std::string(static_cast<std::size_t>(limits::kTraitValueBytesMax), 'x');
  EXPECT_EQ(error_of({{U256(1), {{max_text, max_text}}}}).code, "");
  e = error_of({{U256(1), {{"hat", long_text}}}});
  EXPECT_EQ(e.code, "trait_too_long");
  EXPECT_EQ(e.field, "tokens[0].traits[0].value");
  e = error_of({{U256(1), {{long_text, "cap"}}}});
  EXPECT_EQ(e.field, "tokens[0].traits[0].trait_type");

  Traits many;
  for (std::int64_t i = 0; i < limits::kTraitsMax; ++i) many.emplace_back(std::to_string(i), "v");
  EXPECT_EQ(error_of({{U256(1), many}}).code, "");
  many.emplace_back("one more", "v");
  e = error_of({{U256(0), {}}, {U256(1), many}});
  EXPECT_EQ(e.code, "too_many_traits");
  EXPECT_EQ(e.field, "tokens[1].traits");
  EXPECT_EQ(e.kind, ErrorKind::kInvalidInput);
}

}  // namespace
}  // namespace atelier::market
