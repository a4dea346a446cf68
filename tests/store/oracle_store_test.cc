// SqliteStore's price feeds (ledger_store.h FeedRecord, FeedReportRecord; migration v5):
// registering and replacing a policy, the latest report per source with its log index,
// out-of-order and unknown-feed refusals that change nothing, the per-feed source cap, and
// persistence across reopen and upgrade from v4.
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <string>

#include "core/limits.h"
#include "store/internal/migrations.h"
#include "store/sqlite_store.h"
#include "tests/store/test_dir.h"

namespace atelier::store {
namespace {

using atelier::testing::TempDir;

LogEvent event(const std::string& what) {
  return {R"({"type":")" + what + R"("})", {"feed:ETH-USD"}};
}

LedgerChange feed_change(const std::string& id, const std::string& policy, std::int64_t ms) {
  LedgerChange c;
  c.time_ms = ms;
  c.oracle.feeds.push_back({id, policy, ms, ms});
  c.event = event("oracle.feed");
  return c;
}

LedgerChange report_change(const std::string& feed, const std::string& source, std::uint64_t price,
                           std::int64_t observed_ms, std::int64_t received_ms) {
  LedgerChange c;
  c.time_ms = received_ms;
  c.oracle.reports.push_back({feed, source, U256(price), observed_ms, received_ms, 0});
  c.event = event("oracle.report");
  return c;
}

std::string code_of(const Result<LedgerReceipt>& r) { return r ? "ok" : r.error().code; }

class OracleStore : public ::testing::Test {
 protected:
  TempDir dir;
  std::unique_ptr<SqliteStore> db;
  void SetUp() override { reopen(); }
  void reopen() {
    db.reset();
    auto opened = SqliteStore::open(dir / "atelier.db");
    ASSERT_TRUE(opened) << opened.error().to_string();
    db = std::move(*opened);
  }
};

const std::string kPolicy =
    R"({"max_age_ms":60000,"max_deviation_bps":200,"min_sources":2,"sources":["a","b"]})";
const std::string kPolicy2 =
    R"({"max_age_ms":30000,"max_deviation_bps":100,"min_sources":1,"sources":[]})";

TEST_F(OracleStore, AFeedIsRegisteredThenItsPolicyReplacedKeepingCreatedMs) {
  EXPECT_EQ(db->feed("ETH-USD").value(), std::nullopt);
  ASSERT_EQ(code_of(db->apply_ledger_change(feed_change("ETH-USD", kPolicy, 1000))), "ok");
  auto f = db->feed("ETH-USD").value();
  ASSERT_TRUE(f);
  EXPECT_EQ(f->policy, kPolicy);
  EXPECT_EQ(f->created_ms, 1000);
  EXPECT_EQ(f->updated_ms, 1000);
  ASSERT_EQ(code_of(db->apply_ledger_change(feed_change("ETH-USD", kPolicy2, 2000))), "ok");
  f = db->feed("ETH-USD").value();
  EXPECT_EQ(f->policy, kPolicy2);
  EXPECT_EQ(f->created_ms, 1000);
  EXPECT_EQ(f->updated_ms, 2000);
  ASSERT_EQ(code_of(db->apply_ledger_change(feed_change("BTC-USD", kPolicy, 3000))), "ok");
  auto all = db->feeds().value();
  ASSERT_EQ(all.size(), 2u);
  EXPECT_EQ(all[0].id, "BTC-USD");
  EXPECT_EQ(all[1].id, "ETH-USD");
  EXPECT_EQ(db->log_size().value(), 3u);  // Every change logged.
}

TEST_F(OracleStore, TheLatestReportPerSourceIsKeptWithItsLogIndex) {
  ASSERT_EQ(code_of(db->apply_ledger_change(feed_change("ETH-USD", kPolicy, 1000))), "ok");
  auto first = db->apply_ledger_change(report_change("ETH-USD", "b", 3000, 1500, 1600));
  ASSERT_TRUE(first) << first.error().to_string();
  auto second = db->apply_ledger_change(report_change("ETH-USD", "a", 3010, 1500, 1700));
  ASSERT_TRUE(second);
  auto newer = db->apply_ledger_change(report_change("ETH-USD", "b", 3020, 1800, 1900));
  ASSERT_TRUE(newer);
  auto reports = db->feed_reports("ETH-USD").value();
  ASSERT_EQ(reports.size(), 2u);
  EXPECT_EQ(reports[0].source, "a");  // By source.
  EXPECT_EQ(reports[0].price_wad, U256(3010));
  EXPECT_EQ(reports[0].log_index, second->log_index);
  EXPECT_EQ(reports[1].source, "b");
  EXPECT_EQ(reports[1].price_wad, U256(3020));
  EXPECT_EQ(reports[1].observed_ms, 1800);
  EXPECT_EQ(reports[1].received_ms, 1900);
  EXPECT_EQ(reports[1].log_index, newer->log_index);
  EXPECT_TRUE(db->feed_reports("BTC-USD").value().empty());
}

TEST_F(OracleStore, AnOlderReportIsRefusedAndAnEqualOneReplaces) {
  ASSERT_EQ(code_of(db->apply_ledger_change(feed_change("ETH-USD", kPolicy, 1000))), "ok");
  ASSERT_EQ(code_of(db->apply_ledger_change(report_change("ETH-USD", "a", 3000, 5000, 5000))),
            "ok");
  const auto size = db->log_size().value();
  auto older = db->apply_ledger_change(report_change("ETH-USD", "a", 2000, 4999, 5100));
  ASSERT_FALSE(older);
  EXPECT_EQ(older.error().code, "report_out_of_order");
  EXPECT_EQ(older.error().field, "observed_ms");
  EXPECT_EQ(older.error().kind, ErrorKind::kConflict);
  EXPECT_EQ(db->log_size().value(), size);  // Refused whole: no log entry either.
  EXPECT_EQ(db->feed_reports("ETH-USD").value()[0].price_wad, U256(3000));
  // The same observation time: the later arrival wins, as in aggregate().
  ASSERT_EQ(code_of(db->apply_ledger_change(report_change("ETH-USD", "a", 3001, 5000, 5200))),
            "ok");
  EXPECT_EQ(db->feed_reports("ETH-USD").value()[0].price_wad, U256(3001));
}

TEST_F(OracleStore, AReportForAnUnknownFeedIsRefusedWithTheWholeChange) {
  auto r = db->apply_ledger_change(report_change("ETH-USD", "a", 3000, 5000, 5000));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, "unknown_feed");
  EXPECT_EQ(r.error().kind, ErrorKind::kNotFound);
  // A feed registered in a change whose report fails is not registered either.
  LedgerChange both = feed_change("BTC-USD", kPolicy, 1000);
  both.oracle.reports.push_back({"SOL-USD", "a", U256(1), 1000, 1000, 0});
  EXPECT_EQ(code_of(db->apply_ledger_change(both)), "unknown_feed");
  EXPECT_EQ(db->feed("BTC-USD").value(), std::nullopt);
  EXPECT_EQ(db->log_size().value(), 0u);
  // Registered and reported in one change: feeds are applied first.
  both.oracle.reports[0].feed_id = "BTC-USD";
  ASSERT_EQ(code_of(db->apply_ledger_change(both)), "ok");
  EXPECT_EQ(db->feed_reports("BTC-USD").value().size(), 1u);
}

TEST_F(OracleStore, AFeedHoldsAtMostOneAggregationsWorthOfSources) {
  ASSERT_EQ(code_of(db->apply_ledger_change(feed_change("ETH-USD", kPolicy2, 1000))), "ok");
  LedgerChange many;
  many.event = event("oracle.report");
  for (std::int64_t i = 0; i < limits::kOracleReportsMax; ++i) {
    many.oracle.reports.push_back({"ETH-USD", "s" + std::to_string(i), U256(7), 1000, 1000, 0});
  }
  ASSERT_EQ(code_of(db->apply_ledger_change(many)), "ok");
  auto one_more = db->apply_ledger_change(report_change("ETH-USD", "late", 7, 1000, 1000));
  ASSERT_FALSE(one_more);
  EXPECT_EQ(one_more.error().code, "too_many_sources");
  EXPECT_EQ(one_more.error().kind, ErrorKind::kLimitExceeded);
  // A source already there may still report.
  EXPECT_EQ(code_of(db->apply_ledger_change(report_change("ETH-USD", "s0", 8, 2000, 2000))), "ok");
}

TEST_F(OracleStore, FeedsAndReportsSurviveReopen) {
  ASSERT_EQ(code_of(db->apply_ledger_change(feed_change("ETH-USD", kPolicy, 1000))), "ok");
  U256 big = *U256::from_decimal("3012450000000000000000");
  LedgerChange r = report_change("ETH-USD", "a", 0, 1500, 1600);
  r.oracle.reports[0].price_wad = big;
  ASSERT_EQ(code_of(db->apply_ledger_change(r)), "ok");
  reopen();
  ASSERT_TRUE(db->feed("ETH-USD").value());
  auto reports = db->feed_reports("ETH-USD").value();
  ASSERT_EQ(reports.size(), 1u);
  EXPECT_EQ(reports[0].price_wad, big);
  EXPECT_EQ(reports[0].observed_ms, 1500);
}

TEST_F(OracleStore, MigrationV5AppliesOnTopOfAV4Database) {
  ASSERT_EQ(db->schema_version(), static_cast<int>(internal::migrations().size()));
  ASSERT_GE(internal::migrations().size(), 5u);
  db.reset();
  // Roll the file back to v4 (the oracle tables did not exist), then open it again.
  sqlite3* raw = nullptr;
  ASSERT_EQ(sqlite3_open((dir / "atelier.db").c_str(), &raw), SQLITE_OK);
  // (v6 and later changed other tables: roll those back too, so that they apply again.)
  ASSERT_EQ(sqlite3_exec(raw,
                         "DROP TABLE oracle_reports; DROP TABLE oracle_feeds; "
                         "ALTER TABLE idempotency_keys DROP COLUMN owner; "
                         "ALTER TABLE idempotency_keys DROP COLUMN token; "
                         "ALTER TABLE idempotency_keys DROP COLUMN lease_expires_ms; "
                         "DROP TABLE asset_credentials; DROP TABLE compliance_decisions; "
                         "DROP TABLE compliance_policies; DROP TABLE registry_codes; "
                         "DROP TABLE registry_works; DROP TABLE registry_banks; "
                         "DROP TABLE registry_state; DROP TABLE compliance_term_lists; "
                         "DROP TABLE asset_fingerprints; PRAGMA user_version = 4",
                         nullptr, nullptr, nullptr),
            SQLITE_OK);
  sqlite3_close(raw);
  reopen();
  EXPECT_EQ(db->schema_version(), static_cast<int>(internal::migrations().size()));
  EXPECT_EQ(code_of(db->apply_ledger_change(feed_change("ETH-USD", kPolicy, 1000))), "ok");
}

}  // namespace
}  // namespace atelier::store
