// rules.h — dynamic pricing rules a studio attaches to a listing: rarity tiers (a multiplier
// by the token's rarity rank, rarity.h), demand response (VRGDA-style: sales ahead of
// schedule raise the price, sales behind it lower it), and a floor and a ceiling.
//
//   auto rules = parse_pricing_rules(R"({
//       "rarity_tiers": [{"max_rank": 10, "multiplier_bps": 30000},
//                        {"max_rank": 100, "multiplier_bps": 15000}],
//       "demand": {"decay": "0.05", "per_day": "10"},
//       "floor": "1000", "ceiling": "100000000"})");
//   Result<U256> price = apply_pricing_rules(*rules, U256(50'000),
//                                            {.rarity_rank = 7, .elapsed_s = 86'400, .sold = 12});
//
// Pure functions: no clock, no I/O, no floating point. Amounts are U256 minor units (wei,
// cents); rates are wads (wad_math.h) parsed from exact decimal text. The JSON, every key
// optional ({} is the identity):
//
// "rarity_tiers": up to kRarityTiersMax tiers, each {"max_rank": R, "multiplier_bps": M} or
//   each {"top_percent": "P", "multiplier_bps": M} (one kind per rule set). The first tier
//   the token falls in gives the multiplier M / 10000, M in 1..1,000,000 (0.01× to 100×).
//   max_rank: ranks 1..R, R in 1..kRarityTokensMax, strictly increasing from tier to tier.
//   top_percent: a decimal string with at most 2 decimals in (0, 100], strictly increasing;
//   the token is in the tier when rank · 100 ≤ P · collection_size, exactly (top 1% of 1000
//   tokens is ranks 1..10; of 150 tokens, rank 1 only). These need RuleContext::
//   collection_size. A token past every tier, or with no rank, keeps the base price (10000).
// "demand": {"decay": "D", "per_day": "R"}: D in (0, 1) is the fraction the price loses per
//   day without sales, R > 0 the tokens per day the studio expects to sell. With t = elapsed_s
//   / 86400 days and N = sold, factor = (1 − D)^(t − N/R): N/R is the day by which N sales
//   were due, so selling faster (N/R > t) raises the price and slower lowers it. Computed
//   exactly like vrgda-linear (pricing.h) on solmate's wad math: k = wad_ln(1e18 − D);
//   t = floor(S · 1e18 / 86400); due = trunc(N · 1e36 / R);
//   factor = wad_exp(trunc(k · (t − due) / 1e18)). (vrgda-linear prices the next token, N+1;
//   this factor uses N, the sales so far.)
// "floor", "ceiling": minor units as decimal strings; floor ≤ ceiling. No floor: 0; no
//   ceiling: none.
//
// apply_pricing_rules: p1 = floor(base · M / 10000); p2 = floor(p1 · factor / 1e18) (p1 when
// no demand rule); price = min(max(p2, floor), ceiling). Accuracy of the demand factor against
// exact arithmetic: within a relative 1e-9 while the factor stays above about 1e-8 (as the
// VRGDA kinds, pricing.h), tested in tests/market/rules_test.cc.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.h"
#include "core/u256.h"
#include "market/wad_math.h"

namespace atelier::market {

enum class TierBasis {
  kMaxRank,     // RarityTier::bound is a rank: ranks 1..bound.
  kTopPercent,  // RarityTier::bound is hundredths of a percent, 1..10000 (top 0.01%..100%).
};

struct RarityTier {
  std::uint64_t bound = 0;
  std::uint32_t multiplier_bps = 10'000;  // 1..1,000,000
};

struct DemandRule {
  I256 decay_wad;    // In (0, 1).
  I256 per_day_wad;  // > 0 tokens per day.
};

struct PricingRules {
  TierBasis tier_basis = TierBasis::kMaxRank;
  std::vector<RarityTier> rarity_tiers;  // Bounds strictly increasing.
  std::optional<DemandRule> demand;
  U256 floor;                   // 0: no floor.
  std::optional<U256> ceiling;  // At least floor.
};

struct RuleContext {
  // 1 = rarest (rarity.h); none: the token is not ranked.
  std::optional<std::uint64_t> rarity_rank = std::nullopt;
  std::uint64_t elapsed_s = 0;  // Seconds since the listing's schedule started (demand).
  std::uint64_t sold = 0;       // Tokens sold so far on that schedule (demand).
  // Tokens ranked together; top_percent tiers need it.
  std::optional<std::uint64_t> collection_size = std::nullopt;
};

// Parses and validates rules. Codes, each naming the field ("rules" or a path such as
// "rules.rarity_tiers[1].multiplier_bps"): those of parse_json ("rules_too_large",
// "malformed_json", "json_too_deep", "duplicate_key"); "invalid_type" (not an object / array /
// integer / string where one is due), "unknown_field", "missing_field", "too_many_tiers",
// "mixed_tier_basis" (max_rank and top_percent in one list), "invalid_number" (not a
// canonical decimal), "too_many_decimals", "negative_value", "value_out_of_range" (outside
// the ranges above), "tiers_not_increasing", "floor_above_ceiling".
Result<PricingRules> parse_pricing_rules(std::string_view json);

// The checks of parse_pricing_rules on rules built in code (same codes and fields).
Result<void> validate_pricing_rules(const PricingRules& rules);

// The price. Codes: validate_pricing_rules's; "value_out_of_range" for a context beyond
// limits.h (field "elapsed_s" or "sold": kQuoteElapsedSMax, kQuoteSoldMax) or a rank of 0
// ("rarity_rank"); "missing_field" ("collection_size") when top_percent tiers meet a ranked
// token without it; "value_out_of_range" ("rarity_rank") for a rank beyond collection_size;
// "price_overflow" when a step exceeds 256 bits (field "base_price" or "sold").
Result<U256> apply_pricing_rules(const PricingRules& rules, const U256& base_price,
                                 const RuleContext& ctx);

// The canonical JSON text (RFC 8785: keys sorted, no whitespace) of valid rules:
// "rarity_tiers" and "floor" always, "demand" and "ceiling" when set; decimals in their
// shortest exact spelling ("0.05", "10"). parse_pricing_rules of it gives the rules back.
std::string pricing_rules_json(const PricingRules& rules);

}  // namespace atelier::market
