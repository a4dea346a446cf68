// Feeds on a real SQLite store and a manual clock: registering and changing policies, reports
// and their refusals (each of which writes nothing), the median of fresh reports, stale
// reports and outliers, the circuit breaker tripping when reporters fall silent and
// recovering when they resume, pairs in both orientations, what a buyer owes in another
// currency, and persistence across a restart. Every change is checked in the log.
#include "market/feeds.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "store/sqlite_store.h"
#include "tests/store/test_dir.h"

namespace atelier::market {
namespace {

using atelier::testing::TempDir;
using nlohmann::json;

U256 wad(const std::string& text) { return *parse_price_wad(text, "price"); }

const PriceParams kEthUsd = {{"max_age_ms", "60000"},
                             {"max_deviation_bps", "200"},
                             {"min_sources", "2"},
                             {"sources", "a,b,c"}};

class FeedsTest : public ::testing::Test {
 protected:
  TempDir dir;
  ManualClock clock;
  std::unique_ptr<store::SqliteStore> db;
  std::unique_ptr<Feeds> feeds;

  void SetUp() override { reopen(); }
  void reopen() {
    feeds.reset();
    db.reset();
    db = std::move(*store::SqliteStore::open(dir / "atelier.db"));
    feeds = std::make_unique<Feeds>(*db, clock);
  }
  std::int64_t now() const { return clock.now_ms(); }
  void report(const std::string& source, const std::string& price, std::int64_t observed_ms,
              const std::string& feed = "ETH-USD") {
    auto r = feeds->report(
        {.feed_id = feed, .source = source, .price = price, .observed_ms = observed_ms});
    ASSERT_TRUE(r) << r.error().to_string();
  }
  json entry(std::uint64_t index) {
    return json::parse(db->log_entries(index, index + 1)->at(0).entry);
  }
  std::uint64_t log_size() { return *db->log_size(); }
};

TEST_F(FeedsTest, RegisteringLogsThePolicyAndTheSamePolicyAgainIsANoOp) {
  auto r = feeds->register_feed("ETH-USD", kEthUsd);
  ASSERT_TRUE(r) << r.error().to_string();
  EXPECT_TRUE(r->created);
  EXPECT_TRUE(r->changed);
  EXPECT_EQ(r->policy.base, "ETH");
  EXPECT_EQ(r->policy.sources, (std::vector<std::string>{"a", "b", "c"}));
  json e = entry(r->log_index);
  EXPECT_EQ(e["type"], "oracle.feed");
  EXPECT_EQ(e["feed"], "ETH-USD");
  EXPECT_EQ(e["created"], true);
  EXPECT_EQ(e["policy"]["min_sources"], 2);
  EXPECT_EQ(*db->log_indexes("feed:ETH-USD"), (std::vector<std::uint64_t>{r->log_index}));

  const auto size = log_size();
  auto again = feeds->register_feed("ETH-USD", kEthUsd);
  ASSERT_TRUE(again);
  EXPECT_FALSE(again->created);
  EXPECT_FALSE(again->changed);
  EXPECT_EQ(log_size(), size);

  clock.advance_ms(1000);
  PriceParams looser = kEthUsd;
  looser[2].second = "1";
  auto changed = feeds->register_feed("ETH-USD", looser);
  ASSERT_TRUE(changed);
  EXPECT_FALSE(changed->created);
  EXPECT_TRUE(changed->changed);
  EXPECT_EQ(entry(changed->log_index)["created"], false);
  auto view = feeds->show("ETH-USD");
  ASSERT_TRUE(view);
  EXPECT_EQ(view->policy.min_sources, 1);
  EXPECT_EQ(view->updated_ms, view->created_ms + 1000);
}

TEST_F(FeedsTest, ABadPolicyIsRefusedAndWritesNothing) {
  PriceParams bad = kEthUsd;
  bad[2].second = "4";  // More than the three sources.
  auto r = feeds->register_feed("ETH-USD", bad);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, "value_out_of_range");
  EXPECT_EQ(r.error().field, "params.min_sources");
  EXPECT_EQ(feeds->register_feed("ETH-ETH", kEthUsd).error().code, "invalid_feed_id");
  EXPECT_EQ(log_size(), 0u);
  EXPECT_EQ(feeds->price("ETH-USD").error().code, "unknown_feed");
}

TEST_F(FeedsTest, ThePriceIsTheMedianOfFreshReportsAndEachReportIsLogged) {
  ASSERT_TRUE(feeds->register_feed("ETH-USD", kEthUsd));
  report("a", "3000", now() - 1000);
  report("b", "3010.5", now() - 500);
  auto c =
      feeds->report({.feed_id = "ETH-USD", .source = "c", .price = "3020", .observed_ms = now()});
  ASSERT_TRUE(c);
  EXPECT_EQ(c->received_ms, now());
  json e = entry(c->log_index);
  EXPECT_EQ(e["type"], "oracle.report");
  EXPECT_EQ(e["feed"], "ETH-USD");
  EXPECT_EQ(e["source"], "c");
  EXPECT_EQ(e["price"], "3020");
  EXPECT_EQ(e["price_wad"], "3020000000000000000000");
  EXPECT_EQ(db->log_indexes("feed:ETH-USD")->size(), 4u);

  auto p = feeds->price("ETH-USD");
  ASSERT_TRUE(p) << p.error().to_string();
  EXPECT_EQ(p->price_wad, wad("3010.5"));
  EXPECT_EQ(p->as_of_ms, now() - 1000);
  EXPECT_EQ(p->used, (std::vector<std::string>{"a", "b", "c"}));
  // A newer report of a source replaces its previous one.
  report("c", "3011", now());
  EXPECT_EQ(feeds->price("ETH-USD")->price_wad, wad("3010.5"));
  EXPECT_EQ(feeds->show("ETH-USD")->reports.size(), 3u);
}

TEST_F(FeedsTest, RefusedReportsWriteNothing) {
  ASSERT_TRUE(feeds->register_feed("ETH-USD", kEthUsd));
  report("a", "3000", now());
  const auto size = log_size();
  struct Case {
    std::string feed, source, price;
    std::int64_t observed_ms;
    std::string code, field;
  };
  const std::vector<Case> cases = {
      {"BTC-USD", "a", "1", now(), "unknown_feed", "feed"},
      {"ETH-USD", "mallory", "3000", now(), "source_not_allowed", "source"},
      {"ETH-USD", "a b", "3000", now(), "invalid_source", "source"},
      {"ETH-USD", "", "3000", now(), "invalid_source", "source"},
      {"ETH-USD", "b", "abc", now(), "invalid_number", "price"},
      {"ETH-USD", "b", "0", now(), "value_out_of_range", "price"},
      {"ETH-USD", "b", "-1", now(), "negative_value", "price"},
      {"ETH-USD", "b", "1.0000000000000000001", now(), "too_many_decimals", "price"},
      {"ETH-USD", "b", "3000", -1, "value_out_of_range", "observed_ms"},
      {"ETH-USD", "b", "3000", now() + kReportClockSkewMs + 1, "report_from_future", "observed_ms"},
      {"ETH-USD", "a", "3001", now() - 1, "report_out_of_order", "observed_ms"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.source + " " + c.price);
    auto r = feeds->report(
        {.feed_id = c.feed, .source = c.source, .price = c.price, .observed_ms = c.observed_ms});
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, c.code) << r.error().to_string();
    EXPECT_EQ(r.error().field, c.field);
  }
  EXPECT_EQ(log_size(), size);
  // Within the allowed clock skew is fine.
  report("b", "3000", now() + kReportClockSkewMs);
}

TEST_F(FeedsTest, StaleReportsAndOutliersAreLeftOut) {
  ASSERT_TRUE(feeds->register_feed("ETH-USD", kEthUsd));
  report("a", "2000", now() - 60'001);  // Stale by one millisecond.
  report("b", "3000", now() - 60'000);  // Exactly max_age_ms old: fresh.
  report("c", "3002", now());
  auto p = feeds->price("ETH-USD");
  ASSERT_TRUE(p) << p.error().to_string();
  EXPECT_EQ(p->stale, (std::vector<std::string>{"a"}));
  EXPECT_EQ(p->price_wad, wad("3001"));

  report("a", "3100", now());  // Fresh now, but 3.3 % above the median of 3002.
  p = feeds->price("ETH-USD");
  ASSERT_TRUE(p);
  EXPECT_EQ(p->outliers, (std::vector<std::string>{"a"}));
  EXPECT_EQ(p->used, (std::vector<std::string>{"b", "c"}));
  EXPECT_EQ(p->price_wad, wad("3001"));
}

TEST_F(FeedsTest, TheBreakerTripsWhenReportersFallSilentAndRecoversWhenTheyResume) {
  ASSERT_TRUE(feeds->register_feed("ETH-USD", kEthUsd));
  report("a", "3000", now());
  report("b", "3002", now());
  ASSERT_TRUE(feeds->price("ETH-USD"));

  clock.advance_ms(30'000);
  report("a", "3001", now());
  clock.advance_ms(30'001);  // b's report is now stale; one source is not enough.
  auto p = feeds->price("ETH-USD");
  ASSERT_FALSE(p);
  EXPECT_EQ(p.error().code, "oracle_circuit_open");
  EXPECT_EQ(p.error().kind, ErrorKind::kConflict);
  auto view = feeds->show("ETH-USD");
  ASSERT_TRUE(view);
  EXPECT_FALSE(view->price);
  ASSERT_TRUE(view->tripped);
  EXPECT_EQ(view->tripped->code, "oracle_circuit_open");
  json j = json::parse(feed_json(*view));
  EXPECT_EQ(j["status"], "tripped");
  EXPECT_EQ(j["code"], "oracle_circuit_open");
  EXPECT_FALSE(j.contains("price"));
  EXPECT_EQ(j["reports"].size(), 2u);
  // A buyer is refused rather than charged a guess.
  EXPECT_EQ(feeds->due(U256(100), "USD", "ETH").error().code, "oracle_circuit_open");

  // Two sources split too far apart also trip it: neither is within 2 % of their median.
  report("b", "3500", now());
  EXPECT_EQ(feeds->price("ETH-USD").error().code, "oracle_circuit_open");

  report("c", "3003", now());  // a (3001) and c agree; b is the outlier.
  p = feeds->price("ETH-USD");
  ASSERT_TRUE(p) << p.error().to_string();
  EXPECT_EQ(p->outliers, (std::vector<std::string>{"b"}));
  EXPECT_EQ(p->price_wad, wad("3002"));
  j = json::parse(feed_json(*feeds->show("ETH-USD")));
  EXPECT_EQ(j["status"], "ok");
  EXPECT_EQ(j["price"], "3002");
  EXPECT_EQ(j["price_wad"], "3002000000000000000000");
}

TEST_F(FeedsTest, AnOpenFeedTakesAnySourceAndAPolicyChangeRejectsTheUnlisted) {
  ASSERT_TRUE(feeds->register_feed(
      "BTC-USD", {{"max_age_ms", "1000"}, {"max_deviation_bps", "100"}, {"min_sources", "2"}}));
  report("x", "60000", now(), "BTC-USD");
  report("y", "60010", now(), "BTC-USD");
  ASSERT_TRUE(feeds->price("BTC-USD"));
  ASSERT_TRUE(feeds->register_feed("BTC-USD", {{"max_age_ms", "1000"}, {"max_deviation_bps", "100"},
                                               {"min_sources", "1"}, {"sources", "x"}}));
  auto p = feeds->price("BTC-USD");
  ASSERT_TRUE(p);
  EXPECT_EQ(p->used, (std::vector<std::string>{"x"}));
  EXPECT_EQ(p->rejected, (std::vector<std::string>{"y"}));
  EXPECT_EQ(feeds->report({.feed_id = "BTC-USD", .source = "y", .price = "1", .observed_ms = now()})
                .error()
                .code,
            "source_not_allowed");
}

TEST_F(FeedsTest, PairsAreFoundInEitherOrientation) {
  EXPECT_EQ(feeds->find_pair("ETH", "USD").error().code, "no_feed");
  ASSERT_TRUE(feeds->register_feed("ETH-USD", kEthUsd));
  EXPECT_EQ(feeds->find_pair("ETH", "USD")->id, "ETH-USD");
  EXPECT_EQ(feeds->find_pair("USD", "ETH")->id, "ETH-USD");
  EXPECT_EQ(feeds->find_pair("BTC", "USD").error().code, "no_feed");
  EXPECT_EQ(feeds->find_pair("BTC", "USD").error().field, "currency");
}

TEST_F(FeedsTest, DueConvertsAtTheFeedPriceRoundingUp) {
  ASSERT_TRUE(feeds->register_feed("ETH-USD", kEthUsd));
  report("a", "3000", now());
  report("b", "3000", now());
  // $1234.56 at 3000 USD/ETH = 0.41152 ETH exactly.
  auto d = feeds->due(U256(123456), "USD", "ETH");
  ASSERT_TRUE(d) << d.error().to_string();
  EXPECT_EQ(d->amount, *U256::from_decimal("411520000000000000"));
  EXPECT_EQ(d->feed, "ETH-USD");
  EXPECT_EQ(d->price.price_wad, wad("3000"));
  // 1 cent at 3000 USD/ETH = 3333333333333.33… wei: rounded up, never short.
  EXPECT_EQ(feeds->due(U256(1), "USD", "ETH")->amount, *U256::from_decimal("3333333333334"));
  // 1 ETH is 300000 cents.
  EXPECT_EQ(feeds->due(*U256::from_decimal("1000000000000000000"), "ETH", "USD")->amount,
            U256(300000));
  // The same currency needs no feed.
  auto same = feeds->due(U256(5), "ETH", "ETH");
  ASSERT_TRUE(same);
  EXPECT_EQ(same->amount, U256(5));
  EXPECT_EQ(same->feed, "");
  EXPECT_EQ(feeds->due(U256(5), "ETH", "EUR").error().code, "unknown_currency");
}

TEST_F(FeedsTest, FeedsAndReportsSurviveARestart) {
  ASSERT_TRUE(feeds->register_feed("ETH-USD", kEthUsd));
  report("a", "3012.45", now());
  report("b", "3012.47", now());
  auto before = feeds->price("ETH-USD");
  ASSERT_TRUE(before);
  reopen();
  auto after = feeds->price("ETH-USD");
  ASSERT_TRUE(after) << after.error().to_string();
  EXPECT_EQ(after->price_wad, before->price_wad);
  EXPECT_EQ(after->price_wad, wad("3012.46"));
  EXPECT_EQ(feeds->show("ETH-USD")->policy.sources, (std::vector<std::string>{"a", "b", "c"}));
  // The out-of-order check holds across the restart too.
  EXPECT_EQ(
      feeds->report({.feed_id = "ETH-USD", .source = "a", .price = "1", .observed_ms = now() - 1})
          .error()
          .code,
      "report_out_of_order");
}

TEST_F(FeedsTest, WadTextIsExactWithoutTrailingZeros) {
  EXPECT_EQ(wad_text(wad("3012.45")), "3012.45");
  EXPECT_EQ(wad_text(wad("1")), "1");
  EXPECT_EQ(wad_text(U256(1)), "0.000000000000000001");
  EXPECT_EQ(wad_text(U256(0)), "0");
  EXPECT_EQ(wad_text(wad("0.5")), "0.5");
}

}  // namespace
}  // namespace atelier::market
