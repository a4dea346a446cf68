// Storage errors and corruption on the money path (issue 14 §1–2): a value read from the
// database that cannot be what atelier wrote is an error naming its table, row and column —
// never a zero that a following write would then overwrite the real value with — and the
// invariants that only a bug could break stop the process (ATELIER_ASSERT).
#include <gtest/gtest.h>
#include <sqlite3.h>

#include "core/assert.h"
#include "tests/ledger/ledger_fixture.h"

namespace atelier::ledger {
namespace {

class IntegrityTest : public MarketTest {
 protected:
  // Changes the database behind atelier's back, past its CHECK constraints, as a disk
  // fault or a hand edit would.
  void tamper(const std::string& sql) {
    sqlite3* raw = nullptr;
    ASSERT_EQ(sqlite3_open((dir / "atelier.db").c_str(), &raw), SQLITE_OK);
    char* err = nullptr;
    const std::string all = "PRAGMA ignore_check_constraints = ON; " + sql;
    EXPECT_EQ(sqlite3_exec(raw, all.c_str(), nullptr, nullptr, &err), SQLITE_OK)
        << (err ? err : "");
    sqlite3_free(err);
    sqlite3_close(raw);
  }
  std::string hex_of(const std::string& sql) {
    sqlite3* raw = nullptr;
    EXPECT_EQ(sqlite3_open((dir / "atelier.db").c_str(), &raw), SQLITE_OK);
    sqlite3_stmt* st = nullptr;
    std::string out = "<none>";
    if (sqlite3_prepare_v2(raw, sql.c_str(), -1, &st, nullptr) == SQLITE_OK &&
        sqlite3_step(st) == SQLITE_ROW) {
      out = reinterpret_cast<const char*>(sqlite3_column_text(st, 0));
    }
    sqlite3_finalize(st);
    sqlite3_close(raw);
    return out;
  }
};

TEST_F(IntegrityTest, AMalformedBalanceIsCorruptionAndIsNeverOverwritten) {
  ASSERT_TRUE(ledger->deposit(AccountId("alice"), "ETH", U256(1'000)));
  tamper("UPDATE balances SET amount = x'03e8' WHERE account = 'alice' AND currency = 'ETH'");
  auto view = ledger->account("alice");
  ASSERT_FALSE(view);
  EXPECT_EQ(view.error().code, "database_corrupt");
  EXPECT_NE(view.error().message.find("balances row alice/ETH column amount"), std::string::npos)
      << view.error().message;
  // A posting onto that balance is refused: read as zero, the upsert would have replaced it.
  auto more = ledger->deposit(AccountId("alice"), "ETH", U256(5));
  ASSERT_FALSE(more);
  EXPECT_EQ(more.error().code, "database_corrupt");
  EXPECT_EQ(hex_of("SELECT hex(amount) FROM balances WHERE account = 'alice'"), "03E8");
  auto check = db->check_ledger();
  ASSERT_FALSE(check);
  EXPECT_EQ(check.error().code, "database_corrupt");
}

TEST_F(IntegrityTest, AMalformedHoldingRefusesTheMoveAndKeepsTheRow) {
  const U256 id = mint("eds", 1, "alice", U256(5));
  tamper("UPDATE token_holdings SET amount = x'05' WHERE account = 'alice'");
  auto moved = ledger->transfer({.caller = "alice",
                                 .collection = "eds",
                                 .token_id = id,
                                 .from = "alice",
                                 .to = "bob",
                                 .amount = U256(1)});
  ASSERT_FALSE(moved);
  EXPECT_EQ(moved.error().code, "database_corrupt");
  EXPECT_EQ(hex_of("SELECT hex(amount) FROM token_holdings WHERE account = 'alice'"), "05");
  EXPECT_EQ(hex_of("SELECT COUNT(*) FROM token_holdings WHERE account = 'bob'"), "0");
}

TEST_F(IntegrityTest, AnUnknownListingStatusIsCorruption) {
  const U256 id = mint("flows", 2, "artist");
  auto l = market->create_listing(
      {.seller = "artist", .collection = "flows", .token_id = id, .price = U256(100)});
  ASSERT_TRUE(l);
  tamper("UPDATE listings SET status = 'paused' WHERE id = '" + l->id + "'");
  auto read = market->listing(l->id);
  ASSERT_FALSE(read);
  EXPECT_EQ(read.error().code, "database_corrupt");
  EXPECT_NE(read.error().message.find("column status"), std::string::npos);
  ASSERT_TRUE(ledger->deposit(AccountId("alice"), "ETH", U256(100)));
  EXPECT_EQ(market->purchase(ListingId(l->id), AccountId("alice"), U256(1)).error().code,
            "database_corrupt");
  EXPECT_EQ(*ledger->owner_of(CollectionId("flows"), id), "artist");
}

TEST_F(IntegrityTest, AnUnknownListingKindIsCorruption) {
  // Read as a default kind, a listing's terms would be priced by the wrong rules.
  const U256 id = mint("flows", 5, "artist");
  auto l = market->create_listing(
      {.seller = "artist", .collection = "flows", .token_id = id, .price = U256(100)});
  ASSERT_TRUE(l);
  tamper("UPDATE listings SET kind = 'sealed-bid' WHERE id = '" + l->id + "'");
  auto read = market->listing(l->id);
  ASSERT_FALSE(read);
  EXPECT_EQ(read.error().code, "database_corrupt");
  EXPECT_NE(read.error().message.find("listings row " + l->id + " column kind"), std::string::npos)
      << read.error().message;
  ASSERT_TRUE(ledger->deposit(AccountId("alice"), "ETH", U256(100)));
  EXPECT_EQ(market->purchase(ListingId(l->id), AccountId("alice"), U256(1)).error().code,
            "database_corrupt");
  EXPECT_EQ(*ledger->owner_of(CollectionId("flows"), id), "artist");
}

TEST_F(IntegrityTest, MalformedSplitsAreCorruptionNotAnEmptyList) {
  // Read as "no splits", the whole primary sale would go to the seller.
  const U256 id = mint("flows", 3, "artist");
  auto l = market->create_listing(
      {.seller = "artist", .collection = "flows", .token_id = id, .price = U256(100)});
  ASSERT_TRUE(l);
  for (const char* splits :
       {R"({"artist":8000})", R"([{"account":"artist"}])",
        R"([{"account":"artist","bps":8000},{"account":"studio","bps":1000}])"}) {
    tamper(std::string("UPDATE collections SET primary_splits = '") + splits +
           "' WHERE id = 'flows'");
    auto c = db->collection("flows");
    ASSERT_FALSE(c) << splits;
    EXPECT_EQ(c.error().code, "database_corrupt");
    EXPECT_NE(c.error().message.find("collections row flows column primary_splits"),
              std::string::npos)
        << c.error().message;
  }
  ASSERT_TRUE(ledger->deposit(AccountId("alice"), "ETH", U256(100)));
  EXPECT_EQ(market->purchase(ListingId(l->id), AccountId("alice"), U256(1)).error().code,
            "database_corrupt");
  EXPECT_EQ(balance("artist"), U256(0));
}

TEST_F(IntegrityTest, MoreSoldThanListedIsCorruption) {
  const U256 id = mint("eds", 4, "artist", U256(3));
  auto l = market->create_listing({.seller = "artist",
                                   .collection = "eds",
                                   .token_id = id,
                                   .price = U256(10),
                                   .quantity = U256(3)});
  ASSERT_TRUE(l) << l.error().to_string();
  tamper("UPDATE listings SET sold = x'" + std::string(62, '0') + "04' WHERE id = '" + l->id + "'");
  auto read = market->listing(l->id);
  ASSERT_FALSE(read);
  EXPECT_NE(read.error().message.find("column sold"), std::string::npos);
}

using IntegrityDeathTest = IntegrityTest;

TEST(AssertDeathTest, AFailedAssertionNamesItselfAndAborts) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  EXPECT_DEATH(
      ATELIER_ASSERT(1 + 1 == 3, "arithmetic is " + std::string("broken")),
      "assertion failed at .*integrity_test.cc:[0-9]+: 1 \\+ 1 == 3 — arithmetic is broken");
  EXPECT_DEATH((void)ATELIER_VALUE(checked_sub(U256(1), U256(2)), "1 ≥ 2"), "checked_sub.*1 ≥ 2");
  EXPECT_EQ(ATELIER_VALUE(checked_sub(U256(2), U256(1)), "2 ≥ 1"), U256(1));
}

TEST_F(IntegrityDeathTest, AnUnbalancedChangeNeverReachesTheDatabase) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  store::LedgerChange change;
  change.ledger.postings.push_back({"alice", "ETH", U256(10), true});
  change.ledger.postings.push_back({"external", "ETH", U256(9), false});
  change.event = {R"({"type":"bug"})", {}};
  EXPECT_DEATH((void)db->apply_ledger_change(change),
               "postings in ETH do not balance: credits 10, debits 9");
  EXPECT_EQ(balance("alice"), U256(0));
}

}  // namespace
}  // namespace atelier::ledger
