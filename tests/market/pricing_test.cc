// Every pricing kind against values computed independently in exact / 60-digit arithmetic by
// tests/data/market/expected_prices.py (see that script for how), within a relative 1e-9; the
// VRGDA kinds also to the wei against that script's port of the contracts' integer steps; exact
// values where the formula allows them, and every refusal with its code and field.
#include "market/pricing.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>

#include "core/limits.h"

namespace atelier::market {
namespace {

std::filesystem::path source_dir() {
  if (const char* env = std::getenv("ATELIER_SOURCE_DIR"); env && *env) return env;
  return ATELIER_SOURCE_DIR_DEFAULT;
}

// Long double only here, in the test: it compares the engine with the reference values.
long double relative_error(const U256& price, const std::string& expected) {
  long double got = std::strtold(price.to_decimal().c_str(), nullptr);
  long double want = std::strtold(expected.c_str(), nullptr);
  if (want == 0) return got == 0 ? 0 : 1;
  return std::fabs(got - want) / want;
}

PriceModel model(const std::string& kind, const PriceParams& params) {
  auto m = parse_price_model(kind, params);
  EXPECT_TRUE(m) << kind << ": " << m.error().to_string();
  return m ? *m : PriceModel{};
}

std::string quote(const std::string& kind, const PriceParams& params, QuoteQuery q) {
  auto price = quote_price(model(kind, params), q);
  return price ? price->to_decimal() : "error";
}

Error error_of(const Result<U256>& r) { return r ? Error{} : r.error(); }

const PriceParams kLinearVrgda = {
    {"target_price", "69420000000000000000"}, {"decay", "0.31"}, {"per_time_unit", "2"}};
const PriceParams kLogisticVrgda = {{"target_price", "69420000000000000000"},
                                    {"decay", "0.31"},
                                    {"max_sellable", "6392"},
                                    {"time_scale", "0.0023"}};

TEST(Pricing, AgreesWithHighPrecisionReferenceValues) {
  std::ifstream in(source_dir() / "tests/data/market/expected_prices.json");
  ASSERT_TRUE(in) << "tests/data/market/expected_prices.json";
  auto doc = nlohmann::json::parse(in);
  int checked = 0, to_the_wei = 0;
  for (const auto& c : doc["cases"]) {
    PriceParams params;
    for (const auto& [name, value] : c["params"].items())
      params.emplace_back(name, value.get<std::string>());
    QuoteQuery q{c["elapsed_s"].get<std::uint64_t>(), c["sold"].get<std::uint64_t>(),
                 c["quantity"].get<std::uint64_t>()};
    std::string kind = c["kind"];
    auto price = quote_price(model(kind, params), q);
    ASSERT_TRUE(price) << kind << " " << c.dump() << ": " << price.error().to_string();
    EXPECT_LE(relative_error(*price, c["expected_wei"]), 1e-9L)
        << kind << " S=" << q.elapsed_s << " N=" << q.sold << " Q=" << q.quantity << ": got "
        << price->to_decimal() << ", exact " << c["expected_wei"].get<std::string>();
    if (c.contains("contract_wei")) {  // The contracts' own integer steps, ported separately.
      EXPECT_EQ(price->to_decimal(), c["contract_wei"].get<std::string>())
          << kind << " S=" << q.elapsed_s << " N=" << q.sold;
      ++to_the_wei;
    }
    ++checked;
  }
  EXPECT_GE(checked, 40);
  EXPECT_GE(to_the_wei, 13);
}

TEST(Pricing, DutchLinearIsExactWithTheDiscountRoundedDown) {
  PriceParams p = {{"start_price", "1000000000000000007"},
                   {"end_price", "123456789012345678"},
                   {"duration_s", "25200"}};
  // start - floor(876543210987654329 / 25200) = start - 34783460753478.
  EXPECT_EQ(quote("dutch-linear", p, {.elapsed_s = 1}), "999965216539246529");
  EXPECT_EQ(quote("dutch-linear", p, {.elapsed_s = 0}), "1000000000000000007");
  EXPECT_EQ(quote("dutch-linear", p, {.elapsed_s = 25200}), "123456789012345678");
  EXPECT_EQ(quote("dutch-linear", p, {.elapsed_s = limits::kQuoteElapsedSMax}),
            "123456789012345678");
}

TEST(Pricing, DutchExponentialHalvesEachHalfLifeAndStopsAtTheFloor) {
  PriceParams p = {
      {"start_price", "5000000000000000000"}, {"end_price", "0"}, {"half_life_s", "600"}};
  EXPECT_EQ(quote("dutch-exponential", p, {.elapsed_s = 600}), "2500000000000000000");
  EXPECT_EQ(quote("dutch-exponential", p, {.elapsed_s = 1200}), "1250000000000000000");
  EXPECT_EQ(quote("dutch-exponential", p, {.elapsed_s = 600 * 300}), "0");  // 2^-300: no UB.
  p[1].second = "1000";
  EXPECT_EQ(quote("dutch-exponential", p, {.elapsed_s = 600 * 100}), "1000");
}

TEST(Pricing, VrgdaOnScheduleCostsExactlyTheTargetPrice) {
  // transmissions11/VRGDAs test/LinearVRGDA.t.sol testPricingBasic: 239 sold after 120 days at
  // 2 a day puts the 240th token on schedule: e^0 = 1 exactly, so the price is the target.
  EXPECT_EQ(quote("vrgda-linear", kLinearVrgda, {.elapsed_s = 120 * 86400, .sold = 239}),
            "69420000000000000000");
  EXPECT_EQ(quote("vrgda-linear", kLinearVrgda, {.elapsed_s = 43200, .sold = 0}),
            "69420000000000000000");
  // Ahead of schedule the price rises; behind it, it falls.
  EXPECT_GT(U256::from_decimal(quote("vrgda-linear", kLinearVrgda, {.elapsed_s = 0, .sold = 0})),
            U256::from_decimal("69420000000000000000"));
  EXPECT_LT(
      U256::from_decimal(quote("vrgda-linear", kLinearVrgda, {.elapsed_s = 86400, .sold = 0})),
      U256::from_decimal("69420000000000000000"));
}

TEST(Pricing, VrgdaLogisticRefusesPastMaxSellableLikeTheContract) {
  auto m = model("vrgda-logistic", kLogisticVrgda);
  EXPECT_TRUE(quote_price(m, {.elapsed_s = 4000 * 86400, .sold = 6391}));
  for (std::uint64_t sold : {6392ULL, 6393ULL, 100000ULL}) {
    auto e = error_of(quote_price(m, {.elapsed_s = 86400, .sold = sold}));
    EXPECT_EQ(e.code, "sold_out") << sold;
    EXPECT_EQ(e.field, "sold");
  }
}

TEST(Pricing, RefusesPricesThatOverflow) {
  // 5,000 days ahead of schedule: (1 - 0.31)^-5000 does not fit.
  auto e =
      error_of(quote_price(model("vrgda-linear", kLinearVrgda), {.elapsed_s = 0, .sold = 10000}));
  EXPECT_EQ(e.code, "price_overflow");
  EXPECT_EQ(e.field, "sold");
  PriceParams gda = {
      {"initial_price", "1000000000000000000"}, {"scale_factor", "2"}, {"decay_constant", "0"}};
  e = error_of(quote_price(model("gda-discrete", gda), {.sold = 200}));
  EXPECT_EQ(e.code, "price_overflow");
  e = error_of(quote_price(model("gda-discrete", gda), {.sold = 0, .quantity = 400}));
  EXPECT_EQ(e.code, "price_overflow");
  EXPECT_EQ(e.field, "quantity");
}

TEST(Pricing, QuantityIsForBatchKindsOnly) {
  auto e = error_of(quote_price(model("vrgda-linear", kLinearVrgda), {.quantity = 2}));
  EXPECT_EQ(e.code, "invalid_quantity");
  EXPECT_EQ(e.field, "quantity");
  PriceParams gda = {{"initial_price", "1000"}, {"emission_rate", "1"}, {"decay_constant", "0.1"}};
  e = error_of(quote_price(model("gda-continuous", gda), {.quantity = 0}));
  EXPECT_EQ(e.code, "invalid_quantity");
  e = error_of(
      quote_price(model("gda-continuous", gda), {.quantity = limits::kQuoteQuantityMax + 1}));
  EXPECT_EQ(e.code, "value_out_of_range");
  EXPECT_EQ(e.field, "quantity");
  e = error_of(
      quote_price(model("gda-continuous", gda), {.elapsed_s = limits::kQuoteElapsedSMax + 1}));
  EXPECT_EQ(e.field, "elapsed_s");
  e = error_of(quote_price(model("gda-continuous", gda), {.sold = limits::kQuoteSoldMax + 1}));
  EXPECT_EQ(e.field, "sold");
}

TEST(Pricing, LimitsHoldOnBothSides) {
  PriceParams dutch = {{"start_price", "2"}, {"end_price", "1"}, {"duration_s", "10"}};
  EXPECT_EQ(quote("dutch-linear", dutch,
                  {.elapsed_s = limits::kQuoteElapsedSMax, .sold = limits::kQuoteSoldMax}),
            "1");
  PriceParams gda = {{"initial_price", "1000000000000000000"},
                     {"emission_rate", "1000000"},
                     {"decay_constant", "0.000000000000000001"}};
  auto m = model("gda-continuous", gda);
  EXPECT_TRUE(quote_price(m, {.quantity = limits::kQuoteQuantityMax}));
  EXPECT_EQ(error_of(quote_price(m, {.quantity = limits::kQuoteQuantityMax + 1})).field,
            "quantity");
  // kPriceParamsMax name=value pairs, and kPriceParamBytesMax bytes in one.
  PriceParams many(limits::kPriceParamsMax + 1, {"decay", "0.31"});
  auto e = parse_price_model("vrgda-linear", many);
  ASSERT_FALSE(e);
  EXPECT_EQ(e.error().code, "value_out_of_range");
  EXPECT_EQ(e.error().field, "params");
  std::string at_limit(limits::kPriceParamBytesMax - 5, '1');  // "decay" + value = the max.
  e = parse_price_model("vrgda-linear",
                        {{"target_price", "1"}, {"decay", at_limit}, {"per_time_unit", "1"}});
  ASSERT_FALSE(e);
  EXPECT_EQ(e.error().code, "value_out_of_range");  // Read, then refused: no int256 wad.
  EXPECT_EQ(e.error().field, "params.decay");
  e = parse_price_model("vrgda-linear",
                        {{"target_price", "1"}, {"decay", at_limit + "1"}, {"per_time_unit", "1"}});
  ASSERT_FALSE(e);
  EXPECT_EQ(e.error().field, "params.decay");
  EXPECT_NE(e.error().message.find("kPriceParamBytesMax"), std::string::npos);
}

struct BadParams {
  std::string kind;
  PriceParams params;
  std::string code;
  std::string field;
};

TEST(Pricing, RefusesBadParamsNamingTheField) {
  const std::vector<BadParams> cases = {
      {"dutch-quadratic", {}, "unknown_kind", "kind"},
      {"vrgda-linear",
       {{"target_price", "1"}, {"decay", "0.31"}},
       "missing_param",
       "params.per_time_unit"},
      {"vrgda-linear",
       {{"target_price", "1"}, {"decay", "0.31"}, {"per_time_unit", "2"}, {"speed", "1"}},
       "unknown_param",
       "params.speed"},
      {"vrgda-linear",
       {{"target_price", "1"}, {"decay", "0.31"}, {"decay", "0.3"}, {"per_time_unit", "2"}},
       "duplicate_param",
       "params.decay"},
      {"vrgda-linear",
       {{"target_price", "abc"}, {"decay", "0.31"}, {"per_time_unit", "2"}},
       "invalid_number",
       "params.target_price"},
      {"vrgda-linear",
       {{"target_price", "1.5"}, {"decay", "0.31"}, {"per_time_unit", "2"}},
       "invalid_number",
       "params.target_price"},
      {"vrgda-linear",
       {{"target_price", "-1"}, {"decay", "0.31"}, {"per_time_unit", "2"}},
       "negative_value",
       "params.target_price"},
      {"vrgda-linear",
       {{"target_price", "1"}, {"decay", "-0.31"}, {"per_time_unit", "2"}},
       "negative_value",
       "params.decay"},
      {"vrgda-linear",
       {{"target_price", "1"}, {"decay", "0.3100000000000000001"}, {"per_time_unit", "2"}},
       "too_many_decimals",
       "params.decay"},
      {"vrgda-linear",
       {{"target_price", "1"}, {"decay", "1"}, {"per_time_unit", "2"}},
       "value_out_of_range",
       "params.decay"},
      {"vrgda-linear",
       {{"target_price", "1"}, {"decay", "0"}, {"per_time_unit", "2"}},
       "value_out_of_range",
       "params.decay"},
      {"vrgda-linear",
       {{"target_price", "1"}, {"decay", "0.31"}, {"per_time_unit", "0"}},
       "value_out_of_range",
       "params.per_time_unit"},
      {"vrgda-linear",
       {{"target_price",
         "57896044618658097711785492504343953926634992332820282019728792003956564819968"},
        {"decay", "0.31"},
        {"per_time_unit", "2"}},
       "value_out_of_range",
       "params.target_price"},
      {"vrgda-logistic",
       {{"target_price", "1"}, {"decay", "0.31"}, {"max_sellable", "0"}, {"time_scale", "1"}},
       "value_out_of_range",
       "params.max_sellable"},
      {"vrgda-logistic",
       {{"target_price", "1"}, {"decay", "0.31"}, {"max_sellable", "1.5"}, {"time_scale", "1"}},
       "invalid_number",
       "params.max_sellable"},
      {"dutch-linear",
       {{"start_price", "1"}, {"end_price", "2"}, {"duration_s", "10"}},
       "value_out_of_range",
       "params.end_price"},
      {"dutch-linear",
       {{"start_price", "2"}, {"end_price", "1"}, {"duration_s", "0"}},
       "value_out_of_range",
       "params.duration_s"},
      {"dutch-linear",
       {{"start_price",
         "115792089237316195423570985008687907853269984665640564039457584007913129639936"},
        {"end_price", "1"},
        {"duration_s", "10"}},
       "value_out_of_range",
       "params.start_price"},
      {"dutch-exponential",
       {{"start_price", "2"}, {"end_price", "1"}, {"half_life_s", "18446744073709551616"}},
       "value_out_of_range",
       "params.half_life_s"},
      {"gda-discrete",
       {{"initial_price", "1"}, {"scale_factor", "1"}, {"decay_constant", "0.1"}},
       "value_out_of_range",
       "params.scale_factor"},
      {"gda-continuous",
       {{"initial_price", "1"}, {"emission_rate", "0"}, {"decay_constant", "0.1"}},
       "value_out_of_range",
       "params.emission_rate"},
      {"gda-continuous",
       {{"initial_price", "1"}, {"emission_rate", "1"}, {"decay_constant", "0"}},
       "value_out_of_range",
       "params.decay_constant"},
  };
  for (const auto& c : cases) {
    auto m = parse_price_model(c.kind, c.params);
    ASSERT_FALSE(m) << c.kind << " " << c.code;
    EXPECT_EQ(m.error().code, c.code) << c.kind << ": " << m.error().to_string();
    EXPECT_EQ(m.error().field, c.field) << c.kind << ": " << m.error().to_string();
    EXPECT_EQ(m.error().kind, ErrorKind::kInvalidInput);
  }
}

TEST(Pricing, KindsAndParamNamesAreListed) {
  ASSERT_EQ(price_kind_names().size(), 6u);
  for (std::string_view kind : price_kind_names())
    EXPECT_FALSE(price_param_names(kind).empty()) << kind;
  EXPECT_EQ(price_kind_name(model("vrgda-linear", kLinearVrgda)), "vrgda-linear");
}

}  // namespace
}  // namespace atelier::market
