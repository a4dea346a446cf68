// SqliteStore's price feeds (ledger_store.h FeedRecord, FeedReportRecord): registering and
// replacing a feed's policy, keeping each source's latest report, and reading them back.
#include "store/internal/sqlite_oracle.h"

#include <cassert>
#include <cstring>
#include <string>

#include "core/limits.h"
#include "store/sqlite_store.h"

namespace atelier::store {

using internal::db_error;
using internal::Stmt;

namespace {

U256 u256_at(const Stmt& s, int col) {
  auto b = s.blob(col);
  std::array<std::uint8_t, 32> bytes{};
  if (b.size() == 32) std::memcpy(bytes.data(), b.data(), 32);
  return U256::from_be_bytes(bytes);
}

constexpr std::string_view kReportColumns =
    "feed_id, source, price_wad, observed_ms, received_ms, log_index";

FeedReportRecord read_report(const Stmt& s) {
  return {s.text(0), s.text(1), u256_at(s, 2), s.int64(3), s.int64(4),
          static_cast<std::uint64_t>(s.int64(5))};
}

}  // namespace

namespace internal {

namespace {

Result<void> upsert_feed(sqlite3* db, StmtCache& stmts, const FeedRecord& f) {
  assert(!f.id.empty() && !f.policy.empty());
  Stmt& up = stmts.get(
      "INSERT INTO oracle_feeds (id, policy, created_ms, updated_ms) VALUES (?1, ?2, ?3, ?4) "
      "ON CONFLICT (id) DO UPDATE SET policy = excluded.policy, updated_ms = excluded.updated_ms");
  up.bind(1, f.id).bind(2, f.policy).bind(3, f.created_ms).bind(4, f.updated_ms);
  if (up.step() != SQLITE_DONE) return fail(db_error(db, "writing feed"));
  return {};
}

Result<void> record_report(sqlite3* db, StmtCache& stmts, const FeedReportRecord& r,
                           std::uint64_t log_index) {
  Stmt& feed = stmts.get("SELECT 1 FROM oracle_feeds WHERE id = ?1");
  feed.bind(1, r.feed_id);
  int rc = feed.step();
  feed.reset();
  if (rc == SQLITE_DONE) {
    return fail(Error::not_found("unknown_feed", "no price feed " + r.feed_id, "feed"));
  }
  if (rc != SQLITE_ROW) return fail(db_error(db, "reading feed"));

  Stmt& prev = stmts.get(
      "SELECT observed_ms FROM oracle_reports WHERE feed_id = ?1 AND source = ?2");
  prev.bind(1, r.feed_id).bind(2, r.source);
  rc = prev.step();
  const bool known = rc == SQLITE_ROW;
  const std::int64_t stored_ms = known ? prev.int64(0) : 0;
  prev.reset();
  if (rc != SQLITE_ROW && rc != SQLITE_DONE) return fail(db_error(db, "reading report"));
  if (known && r.observed_ms < stored_ms) {
    return fail(Error::conflict(
        "report_out_of_order",
        "source " + r.source + " already reported feed " + r.feed_id + " as observed at " +
            std::to_string(stored_ms) + " ms, later than " + std::to_string(r.observed_ms),
        "observed_ms"));
  }
  if (!known) {
    Stmt& n = stmts.get("SELECT COUNT(*) FROM oracle_reports WHERE feed_id = ?1");
    n.bind(1, r.feed_id);
    rc = n.step();
    const std::int64_t count = n.int64(0);
    n.reset();
    if (rc != SQLITE_ROW) return fail(db_error(db, "counting reports"));
    if (count >= limits::kOracleReportsMax) {
      return fail(Error::limit("too_many_sources",
                               "feed " + r.feed_id + " already holds reports of " +
                                   std::to_string(count) + " sources",
                               "source"));
    }
  }
  Stmt& up = stmts.get(
      "INSERT INTO oracle_reports (feed_id, source, price_wad, observed_ms, received_ms, log_index) "
      "VALUES (?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT (feed_id, source) DO UPDATE SET "
      "price_wad = excluded.price_wad, observed_ms = excluded.observed_ms, "
      "received_ms = excluded.received_ms, log_index = excluded.log_index");
  up.bind(1, r.feed_id).bind(2, r.source).bind_blob(3, r.price_wad.to_be_bytes());
  up.bind(4, r.observed_ms).bind(5, r.received_ms).bind(6, static_cast<std::int64_t>(log_index));
  if (up.step() != SQLITE_DONE) return fail(db_error(db, "writing report"));
  return {};
}

}  // namespace

Result<void> apply_feed_changes(sqlite3* db, StmtCache& stmts, const LedgerChange& change,
                                std::uint64_t log_index) {
  for (const auto& f : change.feeds) ATELIER_TRY(upsert_feed(db, stmts, f));
  for (const auto& r : change.feed_reports) ATELIER_TRY(record_report(db, stmts, r, log_index));
  return {};
}

}  // namespace internal

Result<std::optional<FeedRecord>> SqliteStore::feed(std::string_view id) {
  std::lock_guard lock(read_mu_);
  Stmt& q = rstmts_->get("SELECT id, policy, created_ms, updated_ms FROM oracle_feeds WHERE id = ?1");
  q.bind(1, id);
  int rc = q.step();
  std::optional<FeedRecord> out;
  if (rc == SQLITE_ROW) out = FeedRecord{q.text(0), q.text(1), q.int64(2), q.int64(3)};
  q.reset();
  if (rc != SQLITE_ROW && rc != SQLITE_DONE) return fail(db_error(rdb_, "reading feed"));
  return out;
}

Result<std::vector<FeedRecord>> SqliteStore::feeds() {
  std::lock_guard lock(read_mu_);
  Stmt& q = rstmts_->get("SELECT id, policy, created_ms, updated_ms FROM oracle_feeds ORDER BY id");
  std::vector<FeedRecord> out;
  int rc;
  while ((rc = q.step()) == SQLITE_ROW) out.push_back({q.text(0), q.text(1), q.int64(2), q.int64(3)});
  q.reset();
  if (rc != SQLITE_DONE) return fail(db_error(rdb_, "reading feeds"));
  return out;
}

Result<std::vector<FeedReportRecord>> SqliteStore::feed_reports(std::string_view feed_id) {
  std::lock_guard lock(read_mu_);
  Stmt& q = rstmts_->get("SELECT " + std::string(kReportColumns) +
                         " FROM oracle_reports WHERE feed_id = ?1 ORDER BY source");
  q.bind(1, feed_id);
  std::vector<FeedReportRecord> out;
  int rc;
  while ((rc = q.step()) == SQLITE_ROW) out.push_back(read_report(q));
  q.reset();
  if (rc != SQLITE_DONE) return fail(db_error(rdb_, "reading reports"));
  return out;
}

}  // namespace atelier::store
