// rarity.h — OpenRarity scores and ranks for a collection's tokens (the "information content"
// method of github.com/OpenRarity/open-rarity, v0.7: scoring/handlers/
// information_content_scoring_handler.py, models/collection.py, rarity_ranker.py).
//
//   std::vector<RarityToken> tokens = {{U256(1), {{"Hat", "Cap"}, {"Eyes", "Laser"}}}, ...};
//   Result<std::vector<TokenRarity>> ranked = rank_rarity(tokens);
//   // (*ranked)[0].rank == 1: the rarest token; ranks go 1, 2, 2, 4 when two tie.
//
// Pure function: no clock, no I/O. Scores are doubles (rarity is not money); ranks are made
// deterministic as described below, and the logarithms are core/det_math.h's det_log2, whose
// bits do not depend on the CPU (ranks choose price tiers: the C library's log2 may differ in
// the last bit between machines). The method, step for step:
//
// 1. Normalisation. Trait types and values are lower-cased and stripped of surrounding
//    whitespace ("Hat " == "hat"). A value that is then "none" or empty counts as missing, as
//    if the token did not carry the trait. A trait_type of "meta_trait:trait_count" given by
//    the caller is dropped: OpenRarity computes that trait itself (step 2).
// 2. The trait-count meta-trait. Every token gets the trait "meta_trait:trait_count" whose
//    value is the number of its remaining traits (unscored ones included), written in decimal.
//    It is scored like any other trait, so an unusual number of traits is itself rare.
// 3. Frequencies. For every trait type T in the collection and every value v, count(T, v) is
//    the number of tokens with T = v; a token without T has the null value of T, whose count
//    is N − Σ_v count(T, v) (N = number of tokens). Types named in
//    RarityOptions::unscored_trait_types (OpenRarity's numeric and date attributes) are
//    counted in step 2 and otherwise ignored.
// 4. Score. IC(token) = Σ_T −log2(count(T, value of T on the token, or null) / N) over every
//    scored type of the collection; entropy H = −Σ p·log2(p) over every (T, v) pair and every
//    null bucket with p = count / N; score = IC / H (IC / 1 when H = 0, e.g. one token).
// 5. Unique traits: how many of the token's own (non-null, scored) traits, the meta-trait
//    included, no other token shares (count = 1): OpenRarity's unique_attribute_count.
// 6. Rank. Tokens are ordered by unique traits (more first), then by score (higher first),
//    then by token id (lower first). Walking that order, a token whose score is within
//    Python's math.isclose (relative 1e-9) of the previous token's score takes that token's
//    rank, otherwise its rank is its 1-based position (standard competition ranking, "RANK"
//    not "DENSE_RANK": 1, 2, 2, 4). As in OpenRarity the tie test looks at the score only and
//    at the neighbour only, so a token with more unique traits can share a rank with the next.
//
// Determinism: each token's IC is summed over its counts in ascending order, so tokens with
// the same multiset of counts get bit-identical scores and are listed by token id. Tokens
// whose counts differ but whose IC agrees mathematically (2·6 = 3·4) may differ in the last
// bit; they get the same rank (the tie tolerance is far wider) and are listed by that bit.
// Differences from the Python reference: lower-casing and whitespace stripping are ASCII only
// (Python's are Unicode-aware); its float sums run in another order (last-bit differences).
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/error.h"
#include "core/u256.h"

namespace atelier::market {

// The meta-trait OpenRarity adds to every token (step 2).
inline constexpr std::string_view kTraitCountTraitType = "meta_trait:trait_count";
// Python's math.isclose default, used by OpenRarity's ranker for ties.
inline constexpr double kRarityTieRelativeTolerance = 1e-9;

struct RarityToken {
  U256 token_id;
  // (trait_type, value) pairs, as in ERC-721 metadata "attributes"; at most kTraitsMax.
  std::vector<std::pair<std::string, std::string>> traits;
};

struct RarityOptions {
  // Trait types that carry numbers or dates (compared after normalisation): counted in the
  // meta-trait, not scored.
  std::vector<std::string> unscored_trait_types;
};

struct TokenRarity {
  U256 token_id;
  double score = 0;                 // IC / H; higher is rarer. 0 when every token is alike.
  std::uint64_t unique_traits = 0;  // Step 5.
  std::uint64_t rank = 0;           // 1 = rarest.
};

// The tokens' rarity, in rank order (step 6). An empty collection gives an empty list.
// Codes (input errors naming the field, e.g. "tokens[3].traits[1].trait_type"):
// "too_many_tokens" (more than kRarityTokensMax), "duplicate_token_id", "too_many_traits"
// (more than kTraitsMax on one token), "trait_too_long" (a type or value over
// kTraitValueBytesMax bytes), "empty_trait_type", "duplicate_trait" (one token names a trait
// type twice after normalisation).
Result<std::vector<TokenRarity>> rank_rarity(std::span<const RarityToken> tokens,
                                             const RarityOptions& options = {});

// Step 6 alone, on scores and unique-trait counts already set (OpenRarity's
// RarityRanker.set_rarity_ranks): sorts `tokens` into rank order and sets every rank.
void assign_rarity_ranks(std::vector<TokenRarity>& tokens);

}  // namespace atelier::market
