// The checked statement helpers (store/internal/sqlite_stmt.h): every failure to prepare, bind
// or step is an error naming what was being done, never "no row"; Row reports malformed
// values as corruption naming the table, row and column.
#include <gtest/gtest.h>

#include "store/internal/sqlite_stmt.h"

namespace atelier::store::internal {
namespace {

class StmtTest : public ::testing::Test {
 protected:
  sqlite3* db = nullptr;
  void SetUp() override {
    ASSERT_EQ(sqlite3_open(":memory:", &db), SQLITE_OK);
    ASSERT_TRUE(
        exec(db, "CREATE TABLE t (id TEXT PRIMARY KEY, amount BLOB, status TEXT, flag INTEGER)"));
  }
  void TearDown() override { sqlite3_close(db); }
};

TEST_F(StmtTest, APreparationErrorIsReportedByTheFirstStep) {
  Stmt q(db, "SELECT nothing FROM nowhere");
  auto r = q.next("reading nowhere");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, "database_error");
  EXPECT_NE(r.error().message.find("reading nowhere"), std::string::npos) << r.error().message;
  EXPECT_FALSE(q.run("writing nowhere"));
}

TEST_F(StmtTest, ABindErrorIsKeptUntilTheStep) {
  Stmt q(db, "INSERT INTO t (id) VALUES (?1)");
  q.bind(1, std::string_view("a")).bind(7, std::int64_t{1});  // No parameter 7: SQLITE_RANGE.
  auto r = q.run("inserting");
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("inserting"), std::string::npos);
  Stmt count(db, "SELECT COUNT(*) FROM t");
  ASSERT_TRUE(count.one("counting"));
  EXPECT_EQ(count.int64(0), 0) << "a statement with a failed bind must not run";
  q.reset();  // A reset clears the kept error with the bindings.
  q.bind(1, std::string_view("a"));
  EXPECT_TRUE(q.run("inserting"));
}

TEST_F(StmtTest, AConstraintViolationIsAnErrorWithSqlitesMessage) {
  ASSERT_TRUE(exec(db, "INSERT INTO t (id) VALUES ('a')"));
  Stmt q(db, "INSERT INTO t (id) VALUES ('a')");
  auto r = q.run("inserting a twice");
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("UNIQUE"), std::string::npos) << r.error().message;
}

TEST_F(StmtTest, RunRefusesAQueryWithRowsAndOneRefusesNoRow) {
  ASSERT_TRUE(exec(db, "INSERT INTO t (id) VALUES ('a')"));
  Stmt rows(db, "SELECT id FROM t");
  EXPECT_FALSE(rows.run("not a write"));
  Stmt none(db, "SELECT id FROM t WHERE id = 'z'");
  auto r = none.one("reading z");
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("no row"), std::string::npos);
}

TEST_F(StmtTest, EachRowStopsAtTheFirstErrorOfTheCallback) {
  ASSERT_TRUE(exec(db, "INSERT INTO t (id) VALUES ('a'), ('b'), ('c')"));
  Stmt q(db, "SELECT id FROM t ORDER BY id");
  int seen = 0;
  auto r = each_row(q, "walking", [&]() -> Result<void> {
    if (++seen == 2) return fail(Error::internal("stop", "second row"));
    return {};
  });
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, "stop");
  EXPECT_EQ(seen, 2);
}

TEST_F(StmtTest, RowReportsMalformedValuesAsCorruptionNamingTheirPlace) {
  ASSERT_TRUE(exec(db,
                   "INSERT INTO t VALUES ('good', zeroblob(32), 'active', 1), "
                   "('short', x'0102', 'active', 0), ('odd', zeroblob(32), 'weird', 2)"));
  Stmt q(db, "SELECT id, amount, status, flag FROM t ORDER BY id");
  std::vector<std::string> problems;
  ASSERT_TRUE(each_row(q, "reading t", [&]() -> Result<void> {
    Row row(q, "t", q.text(0));
    (void)row.u256(1, "amount");
    (void)row.one_of(2, "status", {"active", "closed"});
    (void)row.flag(3, "flag");
    if (auto s = row.status(); !s) problems.push_back(s.error().message);
    return {};
  }));
  ASSERT_EQ(problems.size(), 2u);
  EXPECT_EQ(problems[0], "t row odd column status: unexpected value \"weird\"");
  EXPECT_EQ(problems[1], "t row short column amount: a 256-bit amount must be 32 bytes, found 2");
}

}  // namespace
}  // namespace atelier::store::internal
