// Pricing rules (src/market/rules.h): the demand factor against values computed independently
// by tests/data/market/expected_rules.py (exact 60-digit decimal arithmetic, within a relative
// 1e-9; and to the unit against that script's separate port of the documented integer steps),
// tiers and clamping against exact integer arithmetic worked in the comments, the canonical
// JSON round trip, and every refusal with its code and field.
#include "market/rules.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <string>

#include "core/limits.h"

namespace atelier::market {
namespace {

constexpr std::string_view kIssueExample = R"({
  "rarity_tiers": [{"max_rank": 10, "multiplier_bps": 30000},
                   {"max_rank": 100, "multiplier_bps": 15000}],
  "demand": {"decay": "0.05", "per_day": "10"},
  "floor": "1000", "ceiling": "100000000"})";

PricingRules rules_of(std::string_view json) {
  auto r = parse_pricing_rules(json);
  EXPECT_TRUE(r) << json << ": " << r.error().to_string();
  return r ? *r : PricingRules{};
}

std::string price(const PricingRules& rules, std::uint64_t base, const RuleContext& ctx) {
  auto p = apply_pricing_rules(rules, U256(base), ctx);
  return p ? p->to_decimal() : "error: " + p.error().to_string();
}

Error parse_error(std::string_view json) {
  auto r = parse_pricing_rules(json);
  return r ? Error{} : r.error();
}

void expect_refused(std::string_view json, std::string_view code, std::string_view field) {
  Error e = parse_error(json);
  EXPECT_EQ(e.code, code) << json;
  EXPECT_EQ(e.field, field) << json;
}

// Long double only here, in the test: it compares the engine with the reference values.
long double relative_error(const U256& got, const std::string& want) {
  long double g = std::strtold(got.to_decimal().c_str(), nullptr);
  long double w = std::strtold(want.c_str(), nullptr);
  return w == 0 ? (g == 0 ? 0 : 1) : std::fabs(g - w) / w;
}

struct DemandCase {
  const char* base;
  std::uint32_t multiplier_bps;
  const char* decay;
  const char* per_day;
  std::uint64_t elapsed_s;
  std::uint64_t sold;
  const char* real;   // Exact value, 6 decimals.
  const char* steps;  // The documented integer steps, to the unit.
};

// Printed by `python3 tests/data/market/expected_rules.py` (see that script for how).
const DemandCase kDemandCases[] = {
    {"1000000000000000000000000000000", 10000, "0.05", "10", 0, 0,
     "1000000000000000000000000000000.000000", "1000000000000000000000000000000"},
    {"1000000000000000000000000000000", 10000, "0.05", "10", 86400, 0,
     "950000000000000000000000000000.000000", "949999999999999999000000000000"},
    {"1000000000000000000000000000000", 10000, "0.05", "10", 86400, 10,
     "1000000000000000000000000000000.000000", "1000000000000000000000000000000"},
    {"1000000000000000000000000000000", 10000, "0.05", "10", 271545, 47,
     "1083145940617699690586875788474.094178", "1083145940617699691000000000000"},
    {"1000000000000000000000000000000", 10000, "0.05", "10", 0, 100,
     "1670182570115093075455212854431.948851", "1670182570115093085000000000000"},
    {"1000000000000000000000000000000", 10000, "0.05", "10", 2592000, 5,
     "220214725323769476762667561884.465593", "220214725323769473000000000000"},
    {"1000000000000000000000000000000", 10000, "0.31", "2", 604801, 3,
     "129917643298644686877115642503.238679", "129917643298644686000000000000"},
    {"1000000000000000000000000000000", 10000, "0.001", "1000", 123456, 789,
     "999359995843295571084417629759.118804", "999359995843295571000000000000"},
    {"1000000000000000000000000000000", 10000, "0.5", "0.25", 864000, 1,
     "15625000000000000000000000000.000000", "15624999999999999000000000000"},
    {"12345678901234567890123", 30000, "0.05", "10", 172800, 25, "37999197883383293546921.101351",
     "37999197883383293530007"},
    {"987654321987654321", 15000, "0.123456789", "3.5", 1000000, 12, "506472930990517202.928384",
     "506472930990517198"},
};

TEST(Rules, DemandFactorAgreesWithExactArithmetic) {
  for (const auto& c : kDemandCases) {
    SCOPED_TRACE(std::string(c.base) + " decay " + c.decay + " per_day " + c.per_day + " S " +
                 std::to_string(c.elapsed_s) + " N " + std::to_string(c.sold));
    // One tier holding every rank carries the case's multiplier.
    std::string json = R"({"rarity_tiers": [{"max_rank": 1, "multiplier_bps": )" +
                       std::to_string(c.multiplier_bps) + R"(}], "demand": {"decay": ")" + c.decay +
                       R"(", "per_day": ")" + c.per_day + R"("}})";
    auto p = apply_pricing_rules(rules_of(json), *U256::from_decimal(c.base),
                                 {.rarity_rank = 1, .elapsed_s = c.elapsed_s, .sold = c.sold});
    ASSERT_TRUE(p) << p.error().to_string();
    EXPECT_EQ(p->to_decimal(), c.steps);
    EXPECT_LE(relative_error(*p, c.real), 1e-9L);
  }
}

// The issue's example, every step exact: p1 = floor(base · M / 10000), then the demand
// factor, then the clamp. With S = 86400 and N = 10 the factor is exactly 1 (t = N/R = 1 day).
TEST(Rules, IssueExampleTiersAndClamp) {
  const PricingRules rules = rules_of(kIssueExample);
  const RuleContext on_schedule = {.elapsed_s = 86'400, .sold = 10};
  auto at_rank = [&](std::optional<std::uint64_t> rank) {
    RuleContext ctx = on_schedule;
    ctx.rarity_rank = rank;
    return ctx;
  };
  EXPECT_EQ(price(rules, 50'000, at_rank(1)), "150000");   // × 3
  EXPECT_EQ(price(rules, 50'000, at_rank(10)), "150000");  // last rank of tier 0
  EXPECT_EQ(price(rules, 50'000, at_rank(11)), "75000");   // × 1.5
  EXPECT_EQ(price(rules, 50'000, at_rank(100)), "75000");
  EXPECT_EQ(price(rules, 50'000, at_rank(101)), "50000");           // past every tier: × 1
  EXPECT_EQ(price(rules, 50'000, at_rank(std::nullopt)), "50000");  // not ranked: × 1
  EXPECT_EQ(price(rules, 3'333, at_rank(50)), "4999");              // floor(3333 · 1.5) = 4999
  EXPECT_EQ(price(rules, 333, at_rank(50)), "1000");                // 499 → floor 1000
  EXPECT_EQ(price(rules, 0, at_rank(1)), "1000");
  EXPECT_EQ(price(rules, 40'000'000, at_rank(1)), "100000000");  // 120,000,000 → ceiling
  EXPECT_EQ(price(rules, 33'333'333, at_rank(1)), "99999999");   // just under the ceiling
}

// Faster sales raise the price, slower lower it; far behind schedule it rests on the floor.
TEST(Rules, DemandDirection) {
  const PricingRules rules = rules_of(kIssueExample);
  auto at = [&](std::uint64_t elapsed_s, std::uint64_t sold) {
    return *U256::from_decimal(price(rules, 1'000'000, {.elapsed_s = elapsed_s, .sold = sold}));
  };
  EXPECT_EQ(at(86'400, 10), U256(1'000'000));
  EXPECT_GT(at(86'400, 20), U256(1'000'000));
  EXPECT_LT(at(86'400, 5), U256(1'000'000));
  EXPECT_LT(at(2 * 86'400, 10), at(86'400, 10));
  EXPECT_EQ(at(1000 * 86'400, 0), U256(1000));  // 0.95^1000 ≈ 5e-23: the floor.
}

// top_percent: in the tier when rank · 100 ≤ P · collection_size, exactly.
TEST(Rules, TopPercentTiers) {
  const PricingRules rules = rules_of(
      R"({"rarity_tiers": [{"top_percent": "1", "multiplier_bps": 20000},
                           {"top_percent": "12.5", "multiplier_bps": 12000}]})");
  auto at = [&](std::uint64_t rank, std::uint64_t size) {
    return price(rules, 10'000, {.rarity_rank = rank, .collection_size = size});
  };
  EXPECT_EQ(at(10, 1000), "20000");  // 10 · 100 ≤ 1 · 1000
  EXPECT_EQ(at(11, 1000), "12000");
  EXPECT_EQ(at(125, 1000), "12000");  // 12500 ≤ 12.5 · 1000 · 100
  EXPECT_EQ(at(126, 1000), "10000");
  EXPECT_EQ(at(1, 150), "20000");  // 1% of 150 is 1.5 ranks: rank 1 only
  EXPECT_EQ(at(2, 150), "12000");
  EXPECT_EQ(at(1, 50), "12000");                 // 1% of 50 holds no rank
  EXPECT_EQ(price(rules, 10'000, {}), "10000");  // not ranked

  auto e = apply_pricing_rules(rules, U256(1), {.rarity_rank = 3});
  ASSERT_FALSE(e);
  EXPECT_EQ(e.error().code, "missing_field");
  EXPECT_EQ(e.error().field, "collection_size");
  e = apply_pricing_rules(rules, U256(1), {.rarity_rank = 51, .collection_size = 50});
  ASSERT_FALSE(e);
  EXPECT_EQ(e.error().code, "value_out_of_range");
  EXPECT_EQ(e.error().field, "rarity_rank");
}

TEST(Rules, EmptyRulesAreTheIdentity) {
  const PricingRules rules = rules_of("{}");
  EXPECT_EQ(price(rules, 0, {}), "0");
  EXPECT_EQ(price(rules, 123'456'789, {.rarity_rank = 1, .elapsed_s = 999, .sold = 5}),
            "123456789");
  EXPECT_EQ(pricing_rules_json(rules), R"({"floor":"0","rarity_tiers":[]})");
}

TEST(Rules, CanonicalJsonRoundTrips) {
  const PricingRules rules = rules_of(kIssueExample);
  const std::string canonical = pricing_rules_json(rules);
  EXPECT_EQ(canonical,
            R"({"ceiling":"100000000","demand":{"decay":"0.05","per_day":"10"},"floor":"1000",)"
            R"("rarity_tiers":[{"max_rank":10,"multiplier_bps":30000},)"
            R"({"max_rank":100,"multiplier_bps":15000}]})");
  EXPECT_EQ(pricing_rules_json(rules_of(canonical)), canonical);

  const std::string spelled = pricing_rules_json(rules_of(
      R"({"demand": {"per_day": "0.500", "decay": "0.000000000000000001"},
          "rarity_tiers": [{"top_percent": "0.5", "multiplier_bps": 1},
                           {"top_percent": "100.00", "multiplier_bps": 1000000}]})"));
  EXPECT_EQ(spelled, R"({"demand":{"decay":"0.000000000000000001","per_day":"0.5"},"floor":"0",)"
                     R"("rarity_tiers":[{"multiplier_bps":1,"top_percent":"0.5"},)"
                     R"({"multiplier_bps":1000000,"top_percent":"100"}]})");
  EXPECT_EQ(pricing_rules_json(rules_of(spelled)), spelled);
}

TEST(Rules, Overflow) {
  // 2^256 − 1 × 3 does not fit.
  const PricingRules tiers =
      rules_of(R"({"rarity_tiers": [{"max_rank": 1, "multiplier_bps": 30000}]})");
  auto p = apply_pricing_rules(tiers, U256::max(), {.rarity_rank = 1});
  ASSERT_FALSE(p);
  EXPECT_EQ(p.error().code, "price_overflow");
  EXPECT_EQ(p.error().field, "base_price");
  // × 1 (past every tier) fits.
  EXPECT_EQ(*apply_pricing_rules(tiers, U256::max(), {.rarity_rank = 2}), U256::max());

  // Far ahead of schedule the factor leaves int256: (1 − 0.5)^(−1e6) at 1e6 sales a day early.
  const PricingRules demand = rules_of(R"({"demand": {"decay": "0.5", "per_day": "1"}})");
  p = apply_pricing_rules(demand, U256(1), {.sold = 1'000'000});
  ASSERT_FALSE(p);
  EXPECT_EQ(p.error().code, "price_overflow");
  EXPECT_EQ(p.error().field, "sold");
  // A factor that fits but a product that does not: 2^200 · 0.5^(−100).
  p = apply_pricing_rules(demand, U256::from_limbs({0, 0, 0, 1ULL << 8}), {.sold = 100});
  ASSERT_FALSE(p);
  EXPECT_EQ(p.error().code, "price_overflow");
  // A ceiling does not rescue an overflow: the rules refuse rather than guess.
  const PricingRules capped =
      rules_of(R"({"demand": {"decay": "0.5", "per_day": "1"}, "ceiling": "5"})");
  EXPECT_EQ(apply_pricing_rules(capped, U256(1), {.sold = 1'000'000}).error().code,
            "price_overflow");
}

TEST(Rules, ContextLimits) {
  const PricingRules rules = rules_of(kIssueExample);
  EXPECT_TRUE(apply_pricing_rules(rules, U256(1), {.elapsed_s = limits::kQuoteElapsedSMax}));
  auto e = apply_pricing_rules(rules, U256(1), {.elapsed_s = limits::kQuoteElapsedSMax + 1});
  EXPECT_EQ(e.error().code, "value_out_of_range");
  EXPECT_EQ(e.error().field, "elapsed_s");
  e = apply_pricing_rules(rules, U256(1), {.sold = limits::kQuoteSoldMax + 1});
  EXPECT_EQ(e.error().field, "sold");
  e = apply_pricing_rules(rules, U256(1), {.rarity_rank = 0});
  EXPECT_EQ(e.error().code, "value_out_of_range");
  EXPECT_EQ(e.error().field, "rarity_rank");
}

TEST(Rules, ParseRefusals) {
  expect_refused("[]", "invalid_type", "rules");
  expect_refused("{", "malformed_json", "rules");
  expect_refused(R"({"floor": "1", "floor": "2"})", "duplicate_key", "rules");
  expect_refused(R"({"flor": "1"})", "unknown_field", "rules.flor");
  expect_refused(R"({"rarity_tiers": {}})", "invalid_type", "rules.rarity_tiers");
  expect_refused(R"({"rarity_tiers": [3]})", "invalid_type", "rules.rarity_tiers[0]");
  expect_refused(R"({"rarity_tiers": [{"max_rank": 1, "multiplier_bps": 2, "x": 1}]})",
                 "unknown_field", "rules.rarity_tiers[0].x");
  expect_refused(R"({"rarity_tiers": [{"multiplier_bps": 2}]})", "missing_field",
                 "rules.rarity_tiers[0].max_rank");
  expect_refused(R"({"rarity_tiers": [{"max_rank": 2}]})", "missing_field",
                 "rules.rarity_tiers[0].multiplier_bps");
  expect_refused(R"({"rarity_tiers": [{"max_rank": 1, "multiplier_bps": 1},
                                      {"max_rank": 2, "multiplier_bps": 0}]})",
                 "value_out_of_range", "rules.rarity_tiers[1].multiplier_bps");
  expect_refused(R"({"rarity_tiers": [{"max_rank": 1, "multiplier_bps": 1000001}]})",
                 "value_out_of_range", "rules.rarity_tiers[0].multiplier_bps");
  expect_refused(R"({"rarity_tiers": [{"max_rank": 1, "multiplier_bps": -5}]})", "negative_value",
                 "rules.rarity_tiers[0].multiplier_bps");
  expect_refused(R"({"rarity_tiers": [{"max_rank": 1, "multiplier_bps": 1.5}]})", "invalid_type",
                 "rules.rarity_tiers[0].multiplier_bps");
  expect_refused(R"({"rarity_tiers": [{"max_rank": "1", "multiplier_bps": 5}]})", "invalid_type",
                 "rules.rarity_tiers[0].max_rank");
  expect_refused(R"({"rarity_tiers": [{"max_rank": 0, "multiplier_bps": 5}]})",
                 "value_out_of_range", "rules.rarity_tiers[0].max_rank");
  expect_refused(R"({"rarity_tiers": [{"max_rank": 10000001, "multiplier_bps": 5}]})",
                 "value_out_of_range", "rules.rarity_tiers[0].max_rank");
  expect_refused(R"({"rarity_tiers": [{"max_rank": 10, "multiplier_bps": 5},
                                      {"max_rank": 10, "multiplier_bps": 5}]})",
                 "tiers_not_increasing", "rules.rarity_tiers[1].max_rank");
  expect_refused(R"({"rarity_tiers": [{"max_rank": 10, "multiplier_bps": 5},
                                      {"top_percent": "10", "multiplier_bps": 5}]})",
                 "mixed_tier_basis", "rules.rarity_tiers[1].top_percent");
  expect_refused(
      R"({"rarity_tiers": [{"max_rank": 10, "top_percent": "10", "multiplier_bps": 5}]})",
      "mixed_tier_basis", "rules.rarity_tiers[0].top_percent");
  expect_refused(R"({"rarity_tiers": [{"top_percent": "0", "multiplier_bps": 5}]})",
                 "value_out_of_range", "rules.rarity_tiers[0].top_percent");
  expect_refused(R"({"rarity_tiers": [{"top_percent": "100.01", "multiplier_bps": 5}]})",
                 "value_out_of_range", "rules.rarity_tiers[0].top_percent");
  expect_refused(R"({"rarity_tiers": [{"top_percent": "1.005", "multiplier_bps": 5}]})",
                 "too_many_decimals", "rules.rarity_tiers[0].top_percent");
  expect_refused(R"({"rarity_tiers": [{"top_percent": 1, "multiplier_bps": 5}]})", "invalid_type",
                 "rules.rarity_tiers[0].top_percent");

  std::string tiers;
  for (std::int64_t i = 1; i <= limits::kRarityTiersMax + 1; ++i) {
    tiers += (i > 1 ? "," : "") + std::string(R"({"max_rank": )") + std::to_string(i) +
             R"(, "multiplier_bps": 5})";
  }
  expect_refused(R"({"rarity_tiers": [)" + tiers + "]}", "too_many_tiers", "rules.rarity_tiers");

  expect_refused(R"({"demand": []})", "invalid_type", "rules.demand");
  expect_refused(R"({"demand": {"decay": "0.1"}})", "missing_field", "rules.demand.per_day");
  expect_refused(R"({"demand": {"per_day": "1"}})", "missing_field", "rules.demand.decay");
  expect_refused(R"({"demand": {"decay": "0.1", "per_day": "1", "k": "1"}})", "unknown_field",
                 "rules.demand.k");
  expect_refused(R"({"demand": {"decay": "0", "per_day": "1"}})", "value_out_of_range",
                 "rules.demand.decay");
  expect_refused(R"({"demand": {"decay": "1", "per_day": "1"}})", "value_out_of_range",
                 "rules.demand.decay");
  expect_refused(R"({"demand": {"decay": "-0.1", "per_day": "1"}})", "negative_value",
                 "rules.demand.decay");
  expect_refused(R"({"demand": {"decay": 0.1, "per_day": "1"}})", "invalid_type",
                 "rules.demand.decay");
  expect_refused(R"({"demand": {"decay": "0.1", "per_day": "0"}})", "value_out_of_range",
                 "rules.demand.per_day");
  expect_refused(R"({"demand": {"decay": "0.1", "per_day": "1e3"}})", "invalid_number",
                 "rules.demand.per_day");
  expect_refused(R"({"demand": {"decay": "0.1234567890123456789", "per_day": "1"}})",
                 "too_many_decimals", "rules.demand.decay");

  expect_refused(R"({"floor": 1000})", "invalid_type", "rules.floor");
  expect_refused(R"({"floor": "10.5"})", "invalid_number", "rules.floor");
  expect_refused(R"({"floor": "-1"})", "negative_value", "rules.floor");
  expect_refused(R"({"floor": "007"})", "invalid_number", "rules.floor");
  expect_refused(
      R"({"ceiling": )"
      R"("115792089237316195423570985008687907853269984665640564039457584007913129639936"})",
      "value_out_of_range", "rules.ceiling");
  expect_refused(R"({"floor": "10", "ceiling": "9"})", "floor_above_ceiling", "rules.floor");
  EXPECT_EQ(parse_error(R"({"floor": "10", "ceiling": "10"})").code, "");

  Error too_large =
      parse_error(std::string(static_cast<std::size_t>(limits::kPricingRulesBytesMax) + 1, ' '));
  EXPECT_EQ(too_large.code, "rules_too_large");
  EXPECT_EQ(too_large.kind, ErrorKind::kTooLarge);
}

// Rules built in code get the same checks.
TEST(Rules, ValidateRulesBuiltInCode) {
  PricingRules rules;
  rules.rarity_tiers = {{5, 10'000}, {3, 10'000}};
  auto v = validate_pricing_rules(rules);
  ASSERT_FALSE(v);
  EXPECT_EQ(v.error().code, "tiers_not_increasing");
  EXPECT_EQ(v.error().field, "rules.rarity_tiers[1].max_rank");
  EXPECT_FALSE(apply_pricing_rules(rules, U256(1), {}));

  rules.rarity_tiers = {{1, 10'000}};
  rules.tier_basis = TierBasis::kTopPercent;
  rules.rarity_tiers[0].bound = 10'001;
  EXPECT_EQ(validate_pricing_rules(rules).error().field, "rules.rarity_tiers[0].top_percent");

  rules = {};
  rules.demand = DemandRule{I256(kWad), I256(kWad)};
  EXPECT_EQ(validate_pricing_rules(rules).error().field, "rules.demand.decay");
  rules.demand = DemandRule{I256(kWad / 2), I256(-1)};
  EXPECT_EQ(validate_pricing_rules(rules).error().field, "rules.demand.per_day");
}

}  // namespace
}  // namespace atelier::market
