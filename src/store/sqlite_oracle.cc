// SqliteStore's price feeds (ledger_store.h FeedRecord, FeedReportRecord): registering and
// replacing a feed's policy, keeping each source's latest report, and reading them back.
#include "store/internal/sqlite_oracle.h"

#include <cstring>
#include <string>

#include "core/assert.h"
#include "core/limits.h"
#include "store/sqlite_store.h"

namespace atelier::store {

using internal::Stmt;

namespace {

constexpr std::string_view kReportColumns =
    "feed_id, source, price_wad, observed_ms, received_ms, log_index";

Result<FeedReportRecord> read_report(const Stmt& s) {
  internal::Row row(s, "oracle_reports", s.text(0) + "/" + s.text(1));
  FeedReportRecord r{s.text(0),  s.text(1),  row.u256(2, "price_wad"),
                     s.int64(3), s.int64(4), row.count(5, "log_index")};
  ATELIER_TRY(row.status());
  return r;
}

}  // namespace

namespace internal {

namespace {

Result<void> upsert_feed(StmtCache& stmts, const FeedRecord& f) {
  ATELIER_ASSERT(!f.id.empty() && !f.policy.empty());
  Stmt& up = stmts.get(
      "INSERT INTO oracle_feeds (id, policy, created_ms, updated_ms) VALUES (?1, ?2, ?3, ?4) "
      "ON CONFLICT (id) DO UPDATE SET policy = excluded.policy, updated_ms = excluded.updated_ms");
  up.bind(1, f.id).bind(2, f.policy).bind(3, f.created_ms).bind(4, f.updated_ms);
  return up.run("writing feed");
}

Result<void> record_report(StmtCache& stmts, const FeedReportRecord& r, std::uint64_t log_index) {
  Stmt& feed = stmts.get("SELECT 1 FROM oracle_feeds WHERE id = ?1");
  feed.bind(1, r.feed_id);
  auto feed_known = feed.next("reading feed");
  feed.reset();
  if (!feed_known) return fail(feed_known.error());
  if (!*feed_known) {
    return fail(Error::not_found("unknown_feed", "no price feed " + r.feed_id, "feed"));
  }

  Stmt& prev =
      stmts.get("SELECT observed_ms FROM oracle_reports WHERE feed_id = ?1 AND source = ?2");
  prev.bind(1, r.feed_id).bind(2, r.source);
  auto prev_row = prev.next("reading report");
  const bool known = prev_row && *prev_row;
  const std::int64_t stored_ms = known ? prev.int64(0) : 0;
  prev.reset();
  if (!prev_row) return fail(prev_row.error());
  if (known && r.observed_ms < stored_ms) {
    return fail(Error::conflict("report_out_of_order",
                                "source " + r.source + " already reported feed " + r.feed_id +
                                    " as observed at " + std::to_string(stored_ms) +
                                    " ms, later than " + std::to_string(r.observed_ms),
                                "observed_ms"));
  }
  if (!known) {
    Stmt& n = stmts.get("SELECT COUNT(*) FROM oracle_reports WHERE feed_id = ?1");
    n.bind(1, r.feed_id);
    auto counted = n.one("counting reports");
    const std::int64_t count = counted ? n.int64(0) : 0;
    n.reset();
    if (!counted) return fail(counted.error());
    if (count >= limits::kOracleReportsMax) {
      return fail(Error::limit(
          "too_many_sources",
          "feed " + r.feed_id + " already holds reports of " + std::to_string(count) + " sources",
          "source"));
    }
  }
  Stmt& up = stmts.get(
      "INSERT INTO oracle_reports (feed_id, source, price_wad, observed_ms, received_ms, "
      "log_index) "
      "VALUES (?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT (feed_id, source) DO UPDATE SET "
      "price_wad = excluded.price_wad, observed_ms = excluded.observed_ms, "
      "received_ms = excluded.received_ms, log_index = excluded.log_index");
  up.bind(1, r.feed_id).bind(2, r.source).bind_blob(3, r.price_wad.to_be_bytes());
  up.bind(4, r.observed_ms).bind(5, r.received_ms).bind(6, static_cast<std::int64_t>(log_index));
  return up.run("writing report");
}

}  // namespace

Result<void> apply_oracle_changes(StmtCache& stmts, const OracleChanges& oracle,
                                  std::uint64_t log_index) {
  for (const auto& f : oracle.feeds) ATELIER_TRY(upsert_feed(stmts, f));
  for (const auto& r : oracle.reports) ATELIER_TRY(record_report(stmts, r, log_index));
  return {};
}

}  // namespace internal

Result<std::optional<FeedRecord>> SqliteStore::feed(std::string_view id) {
  MutexLock lock(read_mu_);
  Stmt& q =
      rstmts_->get("SELECT id, policy, created_ms, updated_ms FROM oracle_feeds WHERE id = ?1");
  q.bind(1, id);
  internal::ScopedReset q_done(q);
  ATELIER_TRY_ASSIGN(const bool found, q.next("reading feed"));
  std::optional<FeedRecord> out;
  if (found) out = FeedRecord{q.text(0), q.text(1), q.int64(2), q.int64(3)};
  return out;
}

Result<std::vector<FeedRecord>> SqliteStore::feeds() {
  MutexLock lock(read_mu_);
  Stmt& q = rstmts_->get("SELECT id, policy, created_ms, updated_ms FROM oracle_feeds ORDER BY id");
  std::vector<FeedRecord> out;
  internal::ScopedReset q_done(q);
  ATELIER_TRY(internal::each_row(q, "reading feeds", [&]() -> Result<void> {
    out.push_back({q.text(0), q.text(1), q.int64(2), q.int64(3)});
    return {};
  }));
  return out;
}

Result<std::vector<FeedReportRecord>> SqliteStore::feed_reports(std::string_view feed_id) {
  MutexLock lock(read_mu_);
  Stmt& q = rstmts_->get("SELECT " + std::string(kReportColumns) +
                         " FROM oracle_reports WHERE feed_id = ?1 ORDER BY source");
  q.bind(1, feed_id);
  std::vector<FeedReportRecord> out;
  internal::ScopedReset q_done(q);
  ATELIER_TRY(internal::each_row(q, "reading reports", [&]() -> Result<void> {
    ATELIER_TRY_ASSIGN(auto report, read_report(q));
    out.push_back(std::move(report));
    return {};
  }));
  return out;
}

}  // namespace atelier::store
