// Price feeds: policy parsing, aggregation (median, staleness, clock skew, outliers, circuit
// breaker, one report per source), conversion both ways with expected values worked out by
// hand in the comments, rounding, overflow, slippage; and property tests against slow
// references written independently of src/market/oracle.cc (__int128 arithmetic, brute force).
#include "market/oracle.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "core/limits.h"

namespace atelier::market {
namespace {

using u128 = unsigned __int128;

const U256 kWadU = U256(1'000'000'000'000'000'000ULL);

U256 dec(const std::string& text) {
  auto v = U256::from_decimal(text);
  EXPECT_TRUE(v) << text;
  return v ? *v : U256();
}

// n whole quote units per base unit, as a wad.
U256 units(std::uint64_t n) { return *checked_mul(U256(n), kWadU); }

U256 from_u128(u128 v) {
  return U256::from_limbs(
      {static_cast<std::uint64_t>(v), static_cast<std::uint64_t>(v >> 64), 0, 0});
}

FeedPolicy policy(std::int64_t max_age_ms, std::int64_t max_deviation_bps, std::int64_t min_sources,
                  std::vector<std::string> sources = {}) {
  return {.id = "ETH-USD",
          .base = "ETH",
          .quote = "USD",
          .max_age_ms = max_age_ms,
          .max_deviation_bps = max_deviation_bps,
          .min_sources = min_sources,
          .sources = std::move(sources)};
}

constexpr std::int64_t kNow = 1'700'000'000'000;

OracleReport report(std::string source, U256 price, std::int64_t observed_ms = kNow) {
  return {.source = std::move(source), .price_wad = price, .observed_ms = observed_ms};
}

template <typename T>
Error error_of(const Result<T>& r) {
  return r ? Error{} : r.error();
}

using Names = std::vector<std::string>;

// ---- parse_price_wad ----------------------------------------------------------------------

TEST(ParsePriceWad, ExactDecimalText) {
  EXPECT_EQ(*parse_price_wad("3012.45", "price"), dec("3012450000000000000000"));
  EXPECT_EQ(*parse_price_wad("1", "price"), kWadU);
  EXPECT_EQ(*parse_price_wad("0.000000000000000001", "price"), U256(1));  // 18 decimals: 1 unit
}

TEST(ParsePriceWad, RefusalsNameTheField) {
  struct Case {
    const char* text;
    const char* code;
  } cases[] = {{"0", "value_out_of_range"}, {"0.0", "value_out_of_range"},
               {"-1", "negative_value"},    {"0.0000000000000000001", "too_many_decimals"},
               {"abc", "invalid_number"},   {"1e3", "invalid_number"},
               {"01.5", "invalid_number"},  {"", "invalid_number"},
               {"1.", "invalid_number"}};
  for (const auto& c : cases) {
    auto r = parse_price_wad(c.text, "reports[0].price");
    ASSERT_FALSE(r) << c.text;
    EXPECT_EQ(r.error().code, c.code) << c.text;
    EXPECT_EQ(r.error().field, "reports[0].price") << c.text;
  }
}

// ---- parse_feed_policy --------------------------------------------------------------------

const PriceParams kParams = {{"max_age_ms", "60000"},
                             {"max_deviation_bps", "200"},
                             {"min_sources", "2"},
                             {"sources", "chainlink,coinbase,kraken"}};

TEST(FeedPolicy, ParsesAndDerivesBaseAndQuote) {
  auto p = parse_feed_policy("ETH-USD", kParams);
  ASSERT_TRUE(p) << p.error().to_string();
  EXPECT_EQ(p->id, "ETH-USD");
  EXPECT_EQ(p->base, "ETH");
  EXPECT_EQ(p->quote, "USD");
  EXPECT_EQ(p->max_age_ms, 60'000);
  EXPECT_EQ(p->max_deviation_bps, 200);
  EXPECT_EQ(p->min_sources, 2);
  EXPECT_EQ(p->sources, (Names{"chainlink", "coinbase", "kraken"}));
  EXPECT_TRUE(validate_feed_policy(*p));
  // Without sources: any reporter.
  auto any = parse_feed_policy(
      "BTC-ETH", {{"max_age_ms", "1"}, {"max_deviation_bps", "1"}, {"min_sources", "1"}});
  ASSERT_TRUE(any) << any.error().to_string();
  EXPECT_TRUE(any->sources.empty());
}

TEST(FeedPolicy, RefusesBadIds) {
  for (const char* id : {"ETHUSD", "eth-usd", "ETH-ETH", "E-USD", "ETH-U", "ETH-USD-X", "-USD",
                         "ETH-", "", "ABCDEFGHIJK-USD", "ETH_USD"}) {
    auto p = parse_feed_policy(id, kParams);
    ASSERT_FALSE(p) << id;
    EXPECT_EQ(p.error().code, "invalid_feed_id") << id;
    EXPECT_EQ(p.error().field, "id") << id;
  }
  EXPECT_TRUE(parse_feed_policy("ABCDEFGHIJ-US", kParams));  // 10 and 2: both limits inside.
}

TEST(FeedPolicy, RefusesBadParams) {
  struct Case {
    PriceParams params;
    const char* code;
    const char* field;
  } cases[] = {
      {{{"max_age_ms", "60000"}, {"max_deviation_bps", "200"}},
       "missing_param",
       "params.min_sources"},
      {{{"max_age_ms", "60000"},
        {"max_age_ms", "1"},
        {"max_deviation_bps", "2"},
        {"min_sources", "1"}},
       "duplicate_param",
       "params.max_age_ms"},
      {{{"max_age", "60000"}}, "unknown_param", "params.max_age"},
      {{{"max_age_ms", "1m"}, {"max_deviation_bps", "200"}, {"min_sources", "1"}},
       "invalid_number",
       "params.max_age_ms"},
      {{{"max_age_ms", "-5"}, {"max_deviation_bps", "200"}, {"min_sources", "1"}},
       "invalid_number",
       "params.max_age_ms"},
      {{{"max_age_ms", "0"}, {"max_deviation_bps", "200"}, {"min_sources", "1"}},
       "value_out_of_range",
       "params.max_age_ms"},
      {{{"max_age_ms", "86400001"}, {"max_deviation_bps", "200"}, {"min_sources", "1"}},
       "value_out_of_range",
       "params.max_age_ms"},
      {{{"max_age_ms", "99999999999999999999999"},
        {"max_deviation_bps", "200"},
        {"min_sources", "1"}},
       "value_out_of_range",
       "params.max_age_ms"},
      {{{"max_age_ms", "1000"}, {"max_deviation_bps", "0"}, {"min_sources", "1"}},
       "value_out_of_range",
       "params.max_deviation_bps"},
      {{{"max_age_ms", "1000"}, {"max_deviation_bps", "10001"}, {"min_sources", "1"}},
       "value_out_of_range",
       "params.max_deviation_bps"},
      {{{"max_age_ms", "1000"}, {"max_deviation_bps", "1"}, {"min_sources", "0"}},
       "value_out_of_range",
       "params.min_sources"},
      {{{"max_age_ms", "1000"}, {"max_deviation_bps", "1"}, {"min_sources", "33"}},
       "value_out_of_range",
       "params.min_sources"},
      // min_sources can never be met by two allowed sources.
      {{{"max_age_ms", "1000"},
        {"max_deviation_bps", "1"},
        {"min_sources", "3"},
        {"sources", "a,b"}},
       "value_out_of_range",
       "params.min_sources"},
      {{{"max_age_ms", "1000"},
        {"max_deviation_bps", "1"},
        {"min_sources", "1"},
        {"sources", "a,,b"}},
       "invalid_source",
       "params.sources"},
      {{{"max_age_ms", "1000"},
        {"max_deviation_bps", "1"},
        {"min_sources", "1"},
        {"sources", "a b"}},
       "invalid_source",
       "params.sources"},
      {{{"max_age_ms", "1000"},
        {"max_deviation_bps", "1"},
        {"min_sources", "1"},
        {"sources", "a,b,a"}},
       "duplicate_source",
       "params.sources"},
  };
  for (const auto& c : cases) {
    auto p = parse_feed_policy("ETH-USD", c.params);
    ASSERT_FALSE(p) << c.code << " " << c.field;
    EXPECT_EQ(p.error().code, c.code) << p.error().to_string();
    EXPECT_EQ(p.error().field, c.field) << p.error().to_string();
  }
}

TEST(FeedPolicy, LimitsBothSides) {
  auto with = [](std::string age, std::string dev, std::string min, std::string sources) {
    PriceParams p = {{"max_age_ms", age}, {"max_deviation_bps", dev}, {"min_sources", min}};
    if (!sources.empty()) p.push_back({"sources", sources});
    return parse_feed_policy("ETH-USD", p);
  };
  EXPECT_TRUE(with("86400000", "10000", "32", ""));  // every maximum, exactly
  std::string s32 = "s0";                            // "s0,s1,…,s31"
  for (int i = 1; i < 32; ++i) s32 += ",s" + std::to_string(i);
  std::string s33 = s32 + ",s32";
  EXPECT_TRUE(with("1", "1", "32", s32));
  EXPECT_EQ(error_of(with("1", "1", "1", s33)).code, "value_out_of_range");
  EXPECT_EQ(error_of(with("1", "1", "1", s33)).field, "params.sources");
  std::string name64(64, 'a'), name65(65, 'a');
  EXPECT_TRUE(with("1", "1", "1", name64));
  EXPECT_EQ(error_of(with("1", "1", "1", name65)).code, "invalid_source");
}

TEST(FeedPolicy, ValidateChecksACodeBuiltPolicy) {
  EXPECT_TRUE(validate_feed_policy(policy(1000, 100, 1)));
  FeedPolicy p = policy(1000, 100, 1);
  p.quote = "EUR";
  EXPECT_EQ(error_of(validate_feed_policy(p)).code, "invalid_feed_id");
  EXPECT_EQ(error_of(validate_feed_policy(policy(0, 100, 1))).field, "max_age_ms");
  EXPECT_EQ(error_of(validate_feed_policy(policy(1000, 100, 0))).field, "min_sources");
  // The zero defaults are refused: a policy is always chosen.
  EXPECT_FALSE(validate_feed_policy(FeedPolicy{.id = "ETH-USD", .base = "ETH", .quote = "USD"}));
}

// ---- aggregate ----------------------------------------------------------------------------

TEST(Aggregate, MedianOfAnOddCount) {
  std::vector<OracleReport> r = {report("a", units(3020)), report("b", units(3000)),
                                 report("c", units(3010))};
  auto p = aggregate(policy(60'000, 10'000, 1), r, kNow);
  ASSERT_TRUE(p) << p.error().to_string();
  EXPECT_EQ(p->price_wad, units(3010));
  EXPECT_EQ(p->used, (Names{"a", "b", "c"}));
}

TEST(Aggregate, MedianOfAnEvenCountIsTheFlooredMean) {
  // 3001 and 3010 in the middle: 3005.5 exactly, a wad holds it.
  std::vector<OracleReport> r = {report("a", units(3000)), report("b", units(3001)),
                                 report("c", units(3010)), report("d", units(3011))};
  auto p = aggregate(policy(60'000, 10'000, 1), r, kNow);
  ASSERT_TRUE(p);
  EXPECT_EQ(p->price_wad, dec("3005500000000000000000"));
  // 100 and 101 units of a wad (1e-16 USD): (100 + 101) / 2 = 100.5, floored to 100.
  std::vector<OracleReport> tiny = {report("a", U256(101)), report("b", U256(100))};
  EXPECT_EQ(aggregate(policy(60'000, 10'000, 1), tiny, kNow)->price_wad, U256(100));
  // The two largest values: their sum does not fit 256 bits, the median still does.
  U256 max = U256::max(), below = *checked_sub(U256::max(), U256(2));
  std::vector<OracleReport> huge = {report("a", max), report("b", below)};
  EXPECT_EQ(aggregate(policy(60'000, 10'000, 1), huge, kNow)->price_wad,
            *checked_sub(U256::max(), U256(1)));
}

TEST(Aggregate, ExactlyMaxAgeIsFreshOneMoreIsStale) {
  std::vector<OracleReport> r = {report("a", units(3000), kNow - 60'000),
                                 report("b", units(3100), kNow - 60'001)};
  auto p = aggregate(policy(60'000, 10'000, 1), r, kNow);
  ASSERT_TRUE(p);
  EXPECT_EQ(p->price_wad, units(3000));
  EXPECT_EQ(p->used, Names{"a"});
  EXPECT_EQ(p->stale, Names{"b"});
  EXPECT_EQ(p->as_of_ms, kNow - 60'000);
}

TEST(Aggregate, ReportsFromTheFutureBeyondTheSkewAreRejected) {
  std::vector<OracleReport> r = {report("a", units(3000), kNow + kReportClockSkewMs),
                                 report("b", units(3100), kNow + kReportClockSkewMs + 1)};
  auto p = aggregate(policy(60'000, 10'000, 1), r, kNow);
  ASSERT_TRUE(p);
  EXPECT_EQ(p->used, Names{"a"});
  EXPECT_EQ(p->rejected, Names{"b"});
  // A future report does not shadow the same source's valid one.
  std::vector<OracleReport> both = {report("a", units(3000), kNow - 10),
                                    report("a", units(9999), kNow + 60'000)};
  auto q = aggregate(policy(60'000, 10'000, 1), both, kNow);
  ASSERT_TRUE(q);
  EXPECT_EQ(q->price_wad, units(3000));
  EXPECT_EQ(q->used, Names{"a"});
  EXPECT_EQ(q->rejected, Names{"a"});
}

TEST(Aggregate, ZeroPricesAndNegativeTimesAreRejected) {
  std::vector<OracleReport> r = {report("a", units(3000)), report("b", U256(0)),
                                 report("c", units(3000), -1)};
  auto p = aggregate(policy(60'000, 10'000, 1), r, kNow);
  ASSERT_TRUE(p);
  EXPECT_EQ(p->used, Names{"a"});
  EXPECT_EQ(p->rejected, (Names{"b", "c"}));
}

TEST(Aggregate, OutliersAreMeasuredAgainstTheMedianOfTheFreshReports) {
  // m = 100; at 100 bps a report may be 1 away: |101 − 100| · 10000 = 100 · 100, not more.
  std::vector<OracleReport> r = {report("a", units(100)), report("b", units(100)),
                                 report("c", units(101)), report("d", units(99)),
                                 report("e", units(102)), report("f", units(98))};
  // Fresh sorted: 98 99 100 100 101 102, median (100 + 100) / 2 = 100.
  auto p = aggregate(policy(60'000, 100, 1), r, kNow);
  ASSERT_TRUE(p);
  EXPECT_EQ(p->used, (Names{"a", "b", "c", "d"}));
  EXPECT_EQ(p->outliers, (Names{"e", "f"}));
  EXPECT_EQ(p->price_wad, units(100));  // median of 99 100 100 101
  // One wild reporter among five does not move the price.
  std::vector<OracleReport> wild = {report("a", units(3000)), report("b", units(3001)),
                                    report("c", units(3002)), report("d", units(3003)),
                                    report("evil", units(30'000))};
  auto q = aggregate(policy(60'000, 200, 3), wild, kNow);
  ASSERT_TRUE(q);
  EXPECT_EQ(q->outliers, Names{"evil"});
  EXPECT_EQ(q->price_wad, dec("3001500000000000000000"));  // (3001 + 3002) / 2
}

TEST(Aggregate, BreakerTripsWithTheCountsInTheMessage) {
  std::vector<OracleReport> r = {report("a", units(3000)), report("b", units(3001)),
                                 report("c", units(3000), kNow - 60'001), report("d", units(4000)),
                                 report("x", units(1))};
  auto p = aggregate(policy(60'000, 200, 3, {"a", "b", "c", "d"}), r, kNow);
  ASSERT_FALSE(p);
  EXPECT_EQ(p.error().code, "oracle_circuit_open");
  EXPECT_EQ(p.error().kind, ErrorKind::kConflict);
  EXPECT_EQ(p.error().field, "feed");
  const std::string& m = p.error().message;
  EXPECT_NE(m.find("ETH-USD"), std::string::npos) << m;
  EXPECT_NE(m.find("2 usable reports, 3 needed"), std::string::npos) << m;
  EXPECT_NE(m.find("3 fresh"), std::string::npos) << m;
  EXPECT_NE(m.find("1 stale"), std::string::npos) << m;
  EXPECT_NE(m.find("1 outliers"), std::string::npos) << m;
  EXPECT_NE(m.find("1 rejected"), std::string::npos) << m;
  // One more good source closes it again.
  r.push_back(report("d", units(3002), kNow + 1));
  auto q = aggregate(policy(60'000, 200, 3, {"a", "b", "c", "d"}), r, kNow);
  ASSERT_TRUE(q) << q.error().to_string();
  EXPECT_EQ(q->price_wad, units(3001));
}

TEST(Aggregate, BreakerTripsWithNoReportsAndOnAnEvenSplit) {
  EXPECT_EQ(error_of(aggregate(policy(60'000, 200, 1), {}, kNow)).code, "oracle_circuit_open");
  // Two sources disagreeing by half: m = 150, both 33 % away at 10 %: nothing left to trust.
  std::vector<OracleReport> r = {report("a", units(100)), report("b", units(200))};
  auto p = aggregate(policy(60'000, 1'000, 1), r, kNow);
  ASSERT_FALSE(p);
  EXPECT_EQ(p.error().code, "oracle_circuit_open");
  EXPECT_NE(p.error().message.find("2 outliers"), std::string::npos) << p.error().message;
}

TEST(Aggregate, OnlyTheLatestReportOfEachSourceCounts) {
  // Three old reports of "a" would outvote "b" and "c" if each counted.
  std::vector<OracleReport> r = {report("a", units(200), kNow - 3), report("b", units(100)),
                                 report("a", units(200), kNow - 2), report("c", units(101)),
                                 report("a", units(102), kNow - 1)};
  auto p = aggregate(policy(60'000, 10'000, 1), r, kNow);
  ASSERT_TRUE(p);
  EXPECT_EQ(p->used, (Names{"a", "b", "c"}));
  EXPECT_EQ(p->price_wad, units(101));
  // The latest by time, not by position; on equal times the later in arrival order.
  std::vector<OracleReport> newest_first = {report("a", units(5), kNow),
                                            report("a", units(7), kNow - 1)};
  EXPECT_EQ(aggregate(policy(60'000, 10'000, 1), newest_first, kNow)->price_wad, units(5));
  std::vector<OracleReport> tie = {report("a", units(5), kNow), report("a", units(7), kNow)};
  EXPECT_EQ(aggregate(policy(60'000, 10'000, 1), tie, kNow)->price_wad, units(7));
  // A fresh latest report hides the same source's stale one.
  std::vector<OracleReport> renewed = {report("a", units(1), kNow - 90'000),
                                       report("a", units(3), kNow - 1)};
  auto q = aggregate(policy(60'000, 10'000, 1), renewed, kNow);
  EXPECT_TRUE(q->stale.empty());
  EXPECT_EQ(q->price_wad, units(3));
}

TEST(Aggregate, DisallowedSourcesAreIgnored) {
  std::vector<OracleReport> r = {report("chainlink", units(3000)), report("coinbase", units(3002)),
                                 report("mallory", U256::max()), report("", units(1)),
                                 report("bad name", units(1))};
  auto p = aggregate(policy(60'000, 100, 2, {"chainlink", "coinbase"}), r, kNow);
  ASSERT_TRUE(p);
  EXPECT_EQ(p->price_wad, units(3001));
  EXPECT_EQ(p->used, (Names{"chainlink", "coinbase"}));
  EXPECT_EQ(p->rejected, (Names{"", "bad name", "mallory"}));
  // With no list every well-named source counts (and even at 10000 bps mallory's price, more
  // than twice the median, is an outlier); a malformed name never counts.
  auto any = aggregate(policy(60'000, 10'000, 1), r, kNow);
  ASSERT_TRUE(any);
  EXPECT_EQ(any->used, (Names{"chainlink", "coinbase"}));
  EXPECT_EQ(any->outliers, Names{"mallory"});
  EXPECT_EQ(any->rejected, (Names{"", "bad name"}));
  EXPECT_EQ(any->price_wad, units(3001));
}

TEST(Aggregate, AsOfIsTheOldestUsedReport) {
  std::vector<OracleReport> r = {report("a", units(1), kNow - 5), report("b", units(1), kNow - 9),
                                 report("c", units(1), kNow + 3)};
  EXPECT_EQ(aggregate(policy(60'000, 100, 3), r, kNow)->as_of_ms, kNow - 9);
}

TEST(Aggregate, InputLimits) {
  EXPECT_EQ(error_of(aggregate(policy(60'000, 100, 1), {}, -1)).field, "now_ms");
  EXPECT_EQ(error_of(aggregate(policy(0, 100, 1), {}, kNow)).field, "max_age_ms");
  std::vector<OracleReport> many(limits::kOracleReportsMax, report("a", units(1)));
  EXPECT_TRUE(aggregate(policy(60'000, 100, 1), many, kNow));
  many.push_back(report("a", units(1)));
  auto p = aggregate(policy(60'000, 100, 1), many, kNow);
  EXPECT_EQ(error_of(p).code, "value_out_of_range");
  EXPECT_EQ(error_of(p).field, "reports");
  // now_ms near the top of int64: no overflow in the skew or age arithmetic.
  constexpr std::int64_t kLate = INT64_MAX;
  std::vector<OracleReport> late = {report("a", units(1), kLate), report("b", units(1), 0)};
  auto q = aggregate(policy(60'000, 100, 1), late, kLate);
  ASSERT_TRUE(q);
  EXPECT_EQ(q->used, Names{"a"});
  EXPECT_EQ(q->stale, Names{"b"});
}

// ---- convert and amount_due ---------------------------------------------------------------

const U256 kEthUsd = dec("3012450000000000000000");  // 3012.45 USD per ETH

TEST(Convert, UsdToEthDividesAndRoundsUp) {
  // $1234.56 = 123456 cents. wei = 123456 · 10^18 · 10^18 / (3012450000000000000000 · 10^2)
  //   = 123456 · 10^18 / 301245 = 409819250112035054 remainder 157770 (≈ 0.4098 ETH).
  Conversion up{.from_decimals = 2,
                .to_decimals = 18,
                .direction = Direction::kQuoteToBase,
                .rounding = Rounding::kUp};
  Conversion down = up;
  down.rounding = Rounding::kDown;
  EXPECT_EQ(*convert(U256(123456), kEthUsd, up), dec("409819250112035055"));
  EXPECT_EQ(*convert(U256(123456), kEthUsd, down), dec("409819250112035054"));
}

TEST(Convert, EthToUsdMultipliesAndRoundsAsAsked) {
  // 1.5 ETH at 3012.45 = 4518.675 USD = 451867.5 cents:
  //   15·10^17 · 301245·10^16 · 10^2 / (10^18 · 10^18) = 4518675 · 10^35 / 10^36.
  Conversion up{.from_decimals = 18,
                .to_decimals = 2,
                .direction = Direction::kBaseToQuote,
                .rounding = Rounding::kUp};
  Conversion down = up;
  down.rounding = Rounding::kDown;
  EXPECT_EQ(*convert(dec("1500000000000000000"), kEthUsd, up), U256(451868));
  EXPECT_EQ(*convert(dec("1500000000000000000"), kEthUsd, down), U256(451867));
  // Exact results are not nudged: 2 ETH at 3000 = 600000 cents, and back.
  EXPECT_EQ(*convert(dec("2000000000000000000"), units(3000), up), U256(600000));
  Conversion back{.from_decimals = 2,
                  .to_decimals = 18,
                  .direction = Direction::kQuoteToBase,
                  .rounding = Rounding::kUp};
  EXPECT_EQ(*convert(U256(600000), units(3000), back), dec("2000000000000000000"));
  EXPECT_EQ(*convert(U256(0), kEthUsd, up), U256(0));
  // 1 wei is 0.00000000000000301245 USD: down to 0 cents, up to 1.
  EXPECT_EQ(*convert(U256(1), kEthUsd, down), U256(0));
  EXPECT_EQ(*convert(U256(1), kEthUsd, up), U256(1));
}

TEST(Convert, OverflowAndBadArguments) {
  Conversion same{.from_decimals = 18, .to_decimals = 18};
  // At price 1 the largest amount maps to itself; at price 2 it cannot fit.
  EXPECT_EQ(*convert(U256::max(), kWadU, same), U256::max());
  auto r = convert(U256::max(), units(2), same);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, "amount_overflow");
  EXPECT_EQ(r.error().field, "amount");
  // A result of 2^256 − 1 plus a fraction: down fits, up would need 2^256 and is refused, not
  // wrapped. With a + floor(a / 10^19) = 2^256 − 1 (a found by fixed-point iteration),
  // a · (10^19 + 1) / 10^19 = a + a / 10^19 has floor 2^256 − 1 and remainder a mod 10^19 ≠ 0.
  U256 a = dec("115792089237316195411991776084956288312070807057144935208250503302198636119110");
  U256 price = dec("10000000000000000001");  // 10.000000000000000001
  Conversion edge{.from_decimals = 1, .to_decimals = 0, .rounding = Rounding::kDown};
  EXPECT_EQ(*convert(a, price, edge), U256::max());
  edge.rounding = Rounding::kUp;
  EXPECT_EQ(error_of(convert(a, price, edge)).code, "amount_overflow");
  EXPECT_EQ(error_of(convert(U256(1), U256(0), same)).field, "price_wad");
  Conversion bad{.from_decimals = 37, .to_decimals = 2};
  EXPECT_EQ(error_of(convert(U256(1), kWadU, bad)).field, "decimals");
  bad = {.from_decimals = 2, .to_decimals = -1};
  EXPECT_EQ(error_of(convert(U256(1), kWadU, bad)).field, "decimals");
  Conversion widest{.from_decimals = 36, .to_decimals = 36, .direction = Direction::kQuoteToBase};
  EXPECT_EQ(
      *convert(
          U256::max(), U256(1),
          Conversion{.from_decimals = 36, .to_decimals = 0, .direction = Direction::kQuoteToBase}),
      dec("115792089237316195423570985008687907853269984665640564039458"));  // ceil(max/1e18)
  EXPECT_EQ(error_of(convert(U256::max(), U256(1), widest)).code, "amount_overflow");
}

TEST(AmountDue, PicksTheDirectionFromTheFeedAndRoundsUpForTheSeller) {
  FeedPolicy feed = policy(60'000, 100, 1);
  auto wei =
      amount_due(feed, kEthUsd,
                 {.listed_minor = U256(123456), .listed_currency = "USD", .pay_currency = "ETH"});
  ASSERT_TRUE(wei) << wei.error().to_string();
  EXPECT_EQ(*wei, dec("409819250112035055"));
  // The seller is made whole: 409819250112035055 wei · 3012.45 = 123456.000000000000000143475
  // cents ≥ 123456, while one wei less is 123455.99999999999984223 cents.
  Conversion back{.from_decimals = 18, .to_decimals = 2, .rounding = Rounding::kDown};
  EXPECT_EQ(*convert(*wei, kEthUsd, back), U256(123456));
  EXPECT_EQ(*convert(*checked_sub(*wei, U256(1)), kEthUsd, back), U256(123455));
  auto cents = amount_due(feed, kEthUsd,
                          {.listed_minor = dec("1500000000000000000"),
                           .listed_currency = "ETH",
                           .pay_currency = "USD"});
  EXPECT_EQ(*cents, U256(451868));
}

TEST(AmountDue, RefusesCurrenciesTheFeedDoesNotJoin) {
  FeedPolicy feed = policy(60'000, 100, 1);
  auto same = amount_due(feed, kEthUsd, {U256(1), "USD", "USD"});
  EXPECT_EQ(error_of(same).code, "currency_mismatch");
  EXPECT_EQ(error_of(same).field, "currency");
  EXPECT_EQ(error_of(amount_due(feed, kEthUsd, {U256(1), "BTC", "USD"})).code, "unknown_currency");
  EXPECT_EQ(error_of(amount_due(feed, kEthUsd, {U256(1), "usd", "ETH"})).code, "unknown_currency");
}

TEST(AmountDue, ATrippedFeedRefusesTheSale) {
  FeedPolicy feed = policy(60'000, 100, 2);
  std::vector<OracleReport> r = {report("a", kEthUsd), report("b", kEthUsd, kNow - 120'000)};
  // The composition a purchase uses: no price, no amount, no sale.
  auto due = [&]() -> Result<U256> {
    auto price = aggregate(feed, r, kNow);
    if (!price) return fail(price.error());
    return amount_due(feed, price->price_wad, {U256(123456), "USD", "ETH"});
  }();
  EXPECT_EQ(error_of(due).code, "oracle_circuit_open");
  r.push_back(report("b", kEthUsd, kNow));
  auto price = aggregate(feed, r, kNow);
  ASSERT_TRUE(price);
  EXPECT_EQ(*amount_due(feed, price->price_wad, {U256(123456), "USD", "ETH"}),
            dec("409819250112035055"));
}

// ---- check_slippage -----------------------------------------------------------------------

TEST(Slippage, Bounds) {
  // 10000 quoted, 50 bps: up to 10050 due.
  EXPECT_TRUE(check_slippage(U256(10050), U256(10000), 50));
  auto r = check_slippage(U256(10051), U256(10000), 50);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, "slippage_exceeded");
  EXPECT_EQ(r.error().field, "max_slippage_bps");
  EXPECT_EQ(r.error().kind, ErrorKind::kConflict);
  // 0 bps: exactly the quote.
  EXPECT_TRUE(check_slippage(U256(7), U256(7), 0));
  EXPECT_FALSE(check_slippage(U256(8), U256(7), 0));
  // Paying less is fine.
  EXPECT_TRUE(check_slippage(U256(1), U256(7), 0));
  // The bound is compared exactly: 1001 · 1.0001 = 1001.1001, so 1001 passes and 1002 does not
  // (flooring the bound first would give the same here; 1 bps on 10001 gives 10002.0001).
  EXPECT_TRUE(check_slippage(U256(1001), U256(1001), 1));
  EXPECT_FALSE(check_slippage(U256(1002), U256(1001), 1));
  EXPECT_TRUE(check_slippage(U256(10002), U256(10001), 1));
  EXPECT_FALSE(check_slippage(U256(10003), U256(10001), 1));
  // Nothing overflows at the top.
  EXPECT_TRUE(check_slippage(U256::max(), U256::max(), 0));
  EXPECT_TRUE(check_slippage(U256::max(), *checked_sub(U256::max(), U256(1)), 10'000));
  // A zero quote allows only zero.
  EXPECT_TRUE(check_slippage(U256(0), U256(0), 10'000));
  EXPECT_FALSE(check_slippage(U256(1), U256(0), 10'000));
  EXPECT_EQ(error_of(check_slippage(U256(1), U256(1), -1)).code, "value_out_of_range");
  EXPECT_EQ(error_of(check_slippage(U256(1), U256(1), 10'001)).code, "value_out_of_range");
  EXPECT_TRUE(check_slippage(U256(2), U256(1), 10'000));
  EXPECT_FALSE(check_slippage(U256(3), U256(1), 10'000));
}

// ---- properties against slow references ---------------------------------------------------

u128 pow10_128(int n) {
  u128 p = 1;
  while (n-- > 0) p *= 10;
  return p;
}

TEST(OracleProperty, ConvertAgreesWithInt128OnSmallValues) {
  std::mt19937_64 rng(20240601);
  for (int i = 0; i < 20'000; ++i) {
    std::uint64_t amount = rng() >> 24;       // < 2^40
    std::uint64_t price = (rng() >> 24) + 1;  // 1 .. 2^40
    int from = static_cast<int>(rng() % 7), to = static_cast<int>(rng() % 7);
    Direction dir = rng() % 2 ? Direction::kBaseToQuote : Direction::kQuoteToBase;
    Rounding rounding = rng() % 2 ? Rounding::kUp : Rounding::kDown;
    // < 2^40 · 2^60 · 10^6 < 2^120: exact in 128 bits.
    u128 num = dir == Direction::kBaseToQuote ? u128(amount) * price * pow10_128(to)
                                              : u128(amount) * pow10_128(18) * pow10_128(to);
    u128 den = dir == Direction::kBaseToQuote ? pow10_128(18) * pow10_128(from)
                                              : u128(price) * pow10_128(from);
    u128 want = num / den + (rounding == Rounding::kUp && num % den != 0 ? 1 : 0);
    auto got =
        convert(U256(amount), U256(price),
                {.from_decimals = from, .to_decimals = to, .direction = dir, .rounding = rounding});
    ASSERT_TRUE(got) << got.error().to_string();
    ASSERT_EQ(*got, from_u128(want))
        << "amount " << amount << " price " << price << " from " << from << " to " << to;
  }
}

// Written the slow, obvious way: scan for each source's latest acceptable report, classify,
// take medians by sorting copies. Prices are small enough for plain 64-bit arithmetic.
std::optional<std::uint64_t> reference_price(const FeedPolicy& p,
                                             const std::vector<OracleReport>& reports,
                                             std::int64_t now) {
  auto median_of = [](std::vector<std::uint64_t> v) {
    std::sort(v.begin(), v.end());
    std::size_t n = v.size();
    return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
  };
  std::vector<std::uint64_t> fresh;
  for (const std::string& s : p.sources) {
    const OracleReport* best = nullptr;
    for (const auto& r : reports) {
      std::uint64_t price = *r.price_wad.to_u64();
      bool ok = r.source == s && price > 0 && r.observed_ms >= 0 &&
                r.observed_ms <= now + kReportClockSkewMs;
      if (ok && (!best || r.observed_ms >= best->observed_ms)) best = &r;
    }
    if (best && now - best->observed_ms <= p.max_age_ms) fresh.push_back(*best->price_wad.to_u64());
  }
  if (fresh.empty()) return std::nullopt;
  std::uint64_t m = median_of(fresh);
  std::vector<std::uint64_t> kept;
  for (std::uint64_t x : fresh) {
    std::uint64_t d = x > m ? x - m : m - x;
    if (d * 10'000 <= m * static_cast<std::uint64_t>(p.max_deviation_bps)) kept.push_back(x);
  }
  if (static_cast<std::int64_t>(kept.size()) < p.min_sources) return std::nullopt;
  return median_of(kept);
}

TEST(OracleProperty, AggregateAgreesWithABruteForceReference) {
  std::mt19937_64 rng(7);
  const Names pool = {"s0", "s1", "s2", "s3", "s4", "s5"};
  int tripped = 0, priced = 0;
  for (int i = 0; i < 5'000; ++i) {
    FeedPolicy p = policy(static_cast<std::int64_t>(rng() % 100) + 1,
                          static_cast<std::int64_t>(rng() % 3'000) + 1,
                          static_cast<std::int64_t>(rng() % 4) + 1, {"s0", "s1", "s2", "s3", "s4"});
    // Some reports stale, some before the epoch, some just inside or beyond the clock skew.
    const std::int64_t now = 100;
    std::vector<OracleReport> reports(rng() % 12);
    for (auto& r : reports) {
      r.source = pool[rng() % pool.size()];                        // s5 is not allowed
      r.price_wad = U256(rng() % 8 == 0 ? 0 : 900 + rng() % 200);  // some zero prices
      r.observed_ms = rng() % 8 == 0
                          ? now + kReportClockSkewMs - 3 + static_cast<std::int64_t>(rng() % 6)
                          : now - 150 + static_cast<std::int64_t>(rng() % 160);
    }
    auto want = reference_price(p, reports, now);
    auto got = aggregate(p, reports, now);
    ASSERT_EQ(got.has_value(), want.has_value()) << i;
    if (!got) {
      ASSERT_EQ(got.error().code, "oracle_circuit_open");
      ++tripped;
      continue;
    }
    ++priced;
    ASSERT_EQ(got->price_wad, U256(*want)) << i;
    // Every listed source is counted once, and the order of the reports does not matter
    // (ties in observed_ms aside, which arrival order decides).
    std::vector<OracleReport> by_time = reports;
    std::stable_sort(by_time.begin(), by_time.end(),
                     [](const auto& a, const auto& b) { return a.observed_ms < b.observed_ms; });
    ASSERT_EQ(aggregate(p, by_time, now)->price_wad, got->price_wad) << i;
    EXPECT_LE(static_cast<std::int64_t>(got->used.size()), 5);
  }
  EXPECT_GT(tripped, 100);  // Both outcomes are exercised.
  EXPECT_GT(priced, 1'000);
}

TEST(OracleProperty, RoundingUpNeverShortsTheSeller) {
  std::mt19937_64 rng(99);
  for (int i = 0; i < 5'000; ++i) {
    U256 price = U256((rng() >> 8) + 1);  // Up to 0.072 USD per ETH, or 1e6 times that.
    if (rng() % 2) price = *checked_mul(price, U256(1'000'000));
    U256 listed = U256(rng() >> 20);
    auto wei = amount_due(policy(1, 1, 1), price, {listed, "USD", "ETH"});
    ASSERT_TRUE(wei);
    // Valued back at the same price, the payment is worth at least the listing, and one unit
    // less would not be.
    auto back =
        convert(*wei, price, {.from_decimals = 18, .to_decimals = 2, .rounding = Rounding::kDown});
    ASSERT_GE(*back, listed) << i;
    if (!wei->is_zero()) {
      U256 less = *checked_sub(*wei, U256(1));
      auto short_back = convert(
          less, price, {.from_decimals = 18, .to_decimals = 2, .rounding = Rounding::kDown});
      ASSERT_LT(*short_back, listed) << i;
    }
  }
}

}  // namespace
}  // namespace atelier::market
