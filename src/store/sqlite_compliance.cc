// Where compliance is kept (compliance_store.h): policy versions, decisions and reviews, and
// term lists, each written with its log entry; and the asset hash cache. The mint gate that reads
// them is in sqlite_apply_tokens.cc.
#include "core/assert.h"
#include "core/limits.h"
#include "store/internal/ledger_rows.h"
#include "store/internal/sqlite_txn.h"

namespace atelier::store {

namespace {

using internal::Row;
using internal::Stmt;

constexpr std::string_view kPolicyColumns =
    "collection_id, version, policy, sha256, created_by, created_ms, log_index";
constexpr std::string_view kDecisionColumns =
    "id, asset_sha256, collection_id, policy_version, policy_sha256, outcome, record, review, "
    "reviewer, review_reason, reviewed_ms, created_ms, log_index, seq";

Result<CompliancePolicyRecord> read_policy(const Stmt& s) {
  Row row(s, "compliance_policies", s.text(0) + "#" + std::to_string(s.int64(1)));
  CompliancePolicyRecord p{s.text(0),
                           s.int64(1),
                           s.text(2),
                           s.text(3),
                           s.text(4),
                           s.int64(5),
                           row.count(6, "log_index")};
  if (p.version < 1) row.bad("version", "a policy version starts at 1");
  ATELIER_TRY(row.status());
  return p;
}

struct DecisionRow {
  ComplianceDecisionRecord record;
  std::int64_t seq = 0;
};

Result<DecisionRow> read_decision(const Stmt& s) {
  Row row(s, "compliance_decisions", s.text(0));
  DecisionRow d;
  auto& r = d.record;
  r.id = s.text(0);
  r.asset_sha256 = s.text(1);
  r.collection_id = s.text(2);
  r.policy_version = s.int64(3);
  r.policy_sha256 = s.text(4);
  r.outcome = row.one_of(5, "outcome", {"allow", "review", "block"});
  r.record = s.text(6);
  const std::string review = s.text(7);
  if (auto state = parse_review_state(review)) {
    r.review = *state;
  } else {
    row.bad("review", "unexpected value \"" + review + "\"");
  }
  r.reviewer = s.text(8);
  r.review_reason = s.text(9);
  r.reviewed_ms = s.int64(10);
  r.created_ms = s.int64(11);
  r.log_index = row.count(12, "log_index");
  d.seq = s.int64(13);
  ATELIER_TRY(row.status());
  return d;
}

constexpr std::string_view kTermListColumns =
    "name, source, licence, severity, format, sha256, terms, created_by, created_ms, log_index";

Result<TermListRecord> read_term_list(const Stmt& s, bool with_body) {
  Row row(s, "compliance_term_lists", s.text(0));
  TermListRecord t;
  t.name = s.text(0);
  t.source = s.text(1);
  t.licence = s.text(2);
  t.severity = row.one_of(3, "severity", {"block", "review"});
  t.format = row.one_of(4, "format", {"text", "csv"});
  t.sha256 = s.text(5);
  t.terms = s.int64(6);
  t.created_by = s.text(7);
  t.created_ms = s.int64(8);
  t.log_index = row.count(9, "log_index");
  if (with_body) t.body = s.text(10);
  ATELIER_TRY(row.status());
  return t;
}

Result<std::int64_t> current_version(sqlite3* db, std::string_view collection) {
  Stmt s(db, "SELECT COALESCE(MAX(version), 0) FROM compliance_policies WHERE collection_id = ?1");
  s.bind(1, collection);
  ATELIER_TRY(s.one("reading policy version"));
  return s.int64(0);
}

}  // namespace

std::string_view review_state_name(ReviewState s) {
  switch (s) {
    case ReviewState::kNone:
      return "";
    case ReviewState::kPending:
      return "pending";
    case ReviewState::kApproved:
      return "approved";
    case ReviewState::kRejected:
      return "rejected";
  }
  ATELIER_ASSERT(false, "a ReviewState out of range");
  return "";
}

std::optional<ReviewState> parse_review_state(std::string_view text) {
  for (auto s : {ReviewState::kNone, ReviewState::kPending, ReviewState::kApproved,
                 ReviewState::kRejected}) {
    if (text == review_state_name(s)) return s;
  }
  return std::nullopt;
}

Result<CompliancePolicyRecord> SqliteStore::put_compliance_policy(CompliancePolicyRecord p,
                                                                  const LogEvent& event) {
  ATELIER_ASSERT(p.sha256.size() == 64 && p.version >= 1, "a policy record without its hash");
  return write<CompliancePolicyRecord>([&](Txn& txn) -> Result<CompliancePolicyRecord> {
    Stmt col(db_, "SELECT 1 FROM collections WHERE id = ?1");
    col.bind(1, p.collection_id);
    ATELIER_TRY_ASSIGN(const bool known, col.next("reading collection"));
    if (!known) {
      return fail(
          Error::not_found("unknown_collection", "no collection " + p.collection_id, "collection"));
    }
    ATELIER_TRY_ASSIGN(const std::int64_t current, current_version(db_, p.collection_id));
    if (p.version != current + 1) {
      return fail(Error::conflict("policy_changed",
                                  "collection " + p.collection_id + " is at policy version " +
                                      std::to_string(current) + " now",
                                  "collection"));
    }
    ATELIER_TRY_ASSIGN(p.log_index, txn.append(event));
    Stmt ins(db_, "INSERT INTO compliance_policies (" + std::string(kPolicyColumns) +
                      ") VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)");
    ins.bind(1, p.collection_id).bind(2, p.version).bind(3, p.policy).bind(4, p.sha256);
    ins.bind(5, p.created_by).bind(6, p.created_ms);
    ins.bind(7, static_cast<std::int64_t>(p.log_index));
    ATELIER_TRY(ins.run("inserting policy"));
    return p;
  });
}

Result<std::optional<CompliancePolicyRecord>> SqliteStore::compliance_policy(
    std::string_view collection, std::optional<std::int64_t> version) {
  MutexLock lock(read_mu_);
  Stmt s(rdb_, "SELECT " + std::string(kPolicyColumns) +
                   " FROM compliance_policies WHERE collection_id = ?1 AND (?2 = 0 OR version = "
                   "?2) ORDER BY version DESC LIMIT 1");
  s.bind(1, collection).bind(2, version.value_or(0));
  ATELIER_TRY_ASSIGN(const bool found, s.next("reading policy"));
  if (!found) return std::nullopt;
  return read_policy(s);
}

Result<std::uint64_t> SqliteStore::put_compliance_decision(const ComplianceDecisionRecord& d,
                                                           const LogEvent& event) {
  ATELIER_ASSERT(d.policy_sha256.size() == 64 && !d.id.empty(), "a decision without its policy");
  ATELIER_ASSERT(d.review == (d.outcome == "review" ? ReviewState::kPending : ReviewState::kNone),
                 "decision " + d.id + ": a review outcome is pending review, no other is");
  return write<std::uint64_t>([&](Txn& txn) -> Result<std::uint64_t> {
    if (!d.collection_id.empty()) {
      ATELIER_TRY_ASSIGN(const std::int64_t current, current_version(db_, d.collection_id));
      if (d.policy_version != current) {
        return fail(Error::conflict("policy_changed",
                                    "collection " + d.collection_id + " is at policy version " +
                                        std::to_string(current) + " now; decide again",
                                    "collection"));
      }
    } else {
      ATELIER_ASSERT(d.policy_version == 0, "a decision outside a collection names a policy");
    }
    ATELIER_TRY_ASSIGN(const std::uint64_t index, txn.append(event));
    Stmt ins(db_,
             "INSERT INTO compliance_decisions (id, asset_sha256, collection_id, policy_version, "
             "policy_sha256, outcome, record, review, created_ms, log_index) "
             "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)");
    ins.bind(1, d.id).bind(2, d.asset_sha256).bind(3, d.collection_id).bind(4, d.policy_version);
    ins.bind(5, d.policy_sha256).bind(6, d.outcome).bind(7, d.record);
    ins.bind(8, review_state_name(d.review)).bind(9, d.created_ms);
    ins.bind(10, static_cast<std::int64_t>(index));
    ATELIER_TRY(ins.run("inserting decision"));
    return index;
  });
}

Result<std::optional<ComplianceDecisionRecord>> SqliteStore::compliance_decision(
    std::string_view id) {
  MutexLock lock(read_mu_);
  Stmt s(rdb_,
         "SELECT " + std::string(kDecisionColumns) + " FROM compliance_decisions WHERE id = ?1");
  s.bind(1, id);
  ATELIER_TRY_ASSIGN(const bool found, s.next("reading decision"));
  if (!found) return std::nullopt;
  ATELIER_TRY_ASSIGN(auto row, read_decision(s));
  return std::move(row.record);
}

Result<std::vector<ComplianceDecisionRecord>> SqliteStore::compliance_decisions_for_asset(
    std::string_view asset_sha256) {
  MutexLock lock(read_mu_);
  Stmt s(rdb_, "SELECT " + std::string(kDecisionColumns) +
                   " FROM compliance_decisions WHERE asset_sha256 = ?1 ORDER BY seq DESC LIMIT ?2");
  s.bind(1, asset_sha256).bind(2, limits::kPageSizeMax);
  std::vector<ComplianceDecisionRecord> out;
  ATELIER_TRY(internal::each_row(s, "reading decisions", [&]() -> Result<void> {
    ATELIER_TRY_ASSIGN(auto row, read_decision(s));
    out.push_back(std::move(row.record));
    return {};
  }));
  return out;
}

Result<Page<ComplianceDecisionRecord>> SqliteStore::compliance_reviews(ReviewState state,
                                                                       const PageRequest& page) {
  ATELIER_ASSERT(page.limit > 0, "a page of no reviews");
  ATELIER_TRY_ASSIGN(const std::int64_t after, internal::parse_seq_cursor(page.cursor, 0));
  MutexLock lock(read_mu_);
  Stmt s(rdb_, "SELECT " + std::string(kDecisionColumns) +
                   " FROM compliance_decisions WHERE review = ?1 AND seq > ?2 ORDER BY seq "
                   "LIMIT ?3");
  s.bind(1, review_state_name(state)).bind(2, after).bind(3, page.limit + 1);
  Page<ComplianceDecisionRecord> out;
  std::int64_t last_seq = 0;
  ATELIER_TRY(internal::each_row(s, "reading the review queue", [&]() -> Result<void> {
    ATELIER_TRY_ASSIGN(auto row, read_decision(s));
    if (std::ssize(out.items) < page.limit) {
      last_seq = row.seq;
      out.items.push_back(std::move(row.record));
    } else {
      out.next_cursor = std::to_string(last_seq);
    }
    return {};
  }));
  return out;
}

Result<ComplianceDecisionRecord> SqliteStore::review_compliance_decision(
    std::string_view id, ReviewState to, std::string_view reviewer, std::string_view reason,
    std::int64_t now_ms, const LogEvent& event) {
  ATELIER_ASSERT(to == ReviewState::kApproved || to == ReviewState::kRejected,
                 "a review ends approved or rejected");
  return write<ComplianceDecisionRecord>([&](Txn& txn) -> Result<ComplianceDecisionRecord> {
    Stmt q(db_,
           "SELECT " + std::string(kDecisionColumns) + " FROM compliance_decisions WHERE id = ?1");
    q.bind(1, id);
    ATELIER_TRY_ASSIGN(const bool found, q.next("reading decision"));
    if (!found) {
      return fail(Error::not_found("unknown_decision", "no decision " + std::string(id), "id"));
    }
    ATELIER_TRY_ASSIGN(auto row, read_decision(q));
    ComplianceDecisionRecord d = std::move(row.record);
    if (d.review != ReviewState::kPending) {
      return fail(Error::conflict("review_not_pending",
                                  "decision " + d.id + " is " +
                                      (d.review == ReviewState::kNone
                                           ? "not for review (" + d.outcome + ")"
                                           : "already " + std::string(review_state_name(d.review))),
                                  "id"));
    }
    ATELIER_TRY(txn.append(event));
    Stmt up(db_,
            "UPDATE compliance_decisions SET review = ?2, reviewer = ?3, review_reason = ?4, "
            "reviewed_ms = ?5 WHERE id = ?1 AND review = 'pending'");
    up.bind(1, id).bind(2, review_state_name(to)).bind(3, reviewer).bind(4, reason);
    up.bind(5, now_ms);
    ATELIER_TRY(up.run("recording review"));
    ATELIER_ASSERT(sqlite3_changes(db_) == 1, "the pending decision read above was not updated");
    d.review = to;
    d.reviewer = std::string(reviewer);
    d.review_reason = std::string(reason);
    d.reviewed_ms = now_ms;
    return d;
  });
}

Result<TermListRecord> SqliteStore::put_term_list(TermListRecord t, const LogEvent& event) {
  ATELIER_ASSERT(t.sha256.size() == 64 && !t.name.empty(), "a term list without its hash");
  return write<TermListRecord>([&](Txn& txn) -> Result<TermListRecord> {
    ATELIER_TRY_ASSIGN(t.log_index, txn.append(event));
    Stmt ins(db_, "INSERT OR REPLACE INTO compliance_term_lists (" + std::string(kTermListColumns) +
                      ", body) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)");
    ins.bind(1, t.name).bind(2, t.source).bind(3, t.licence).bind(4, t.severity);
    ins.bind(5, t.format).bind(6, t.sha256).bind(7, t.terms).bind(8, t.created_by);
    ins.bind(9, t.created_ms).bind(10, static_cast<std::int64_t>(t.log_index)).bind(11, t.body);
    ATELIER_TRY(ins.run("storing term list"));
    return t;
  });
}

Result<std::vector<TermListRecord>> SqliteStore::term_lists(bool with_bodies) {
  MutexLock lock(read_mu_);
  Stmt s(rdb_, "SELECT " + std::string(kTermListColumns) + (with_bodies ? ", body" : "") +
                   " FROM compliance_term_lists ORDER BY name");
  std::vector<TermListRecord> out;
  ATELIER_TRY(internal::each_row(s, "reading term lists", [&]() -> Result<void> {
    ATELIER_TRY_ASSIGN(auto t, read_term_list(s, with_bodies));
    out.push_back(std::move(t));
    return {};
  }));
  return out;
}

Result<std::uint64_t> SqliteStore::remove_term_list(std::string_view name, const LogEvent& event) {
  return write<std::uint64_t>([&](Txn& txn) -> Result<std::uint64_t> {
    Stmt del(db_, "DELETE FROM compliance_term_lists WHERE name = ?1");
    del.bind(1, name);
    ATELIER_TRY(del.run("removing term list"));
    if (sqlite3_changes(db_) == 0) {
      return fail(
          Error::not_found("unknown_term_list", "no term list " + std::string(name), "list"));
    }
    return txn.append(event);
  });
}

Result<void> SqliteStore::put_asset_fingerprint(const AssetFingerprintRecord& f) {
  ATELIER_ASSERT(f.pdq.size() == 64 && f.quality >= 0 && f.quality <= 100,
                 "an asset fingerprint out of shape");
  return write<void>([&](Txn&) -> Result<void> {
    Stmt ins(db_,
             "INSERT OR REPLACE INTO asset_fingerprints (asset_sha256, pdq, quality) "
             "VALUES (?1, ?2, ?3)");
    ins.bind(1, f.asset_sha256).bind(2, f.pdq).bind(3, f.quality);
    return ins.run("storing asset fingerprint");
  });
}

Result<std::optional<AssetFingerprintRecord>> SqliteStore::asset_fingerprint(
    std::string_view asset_sha256) {
  MutexLock lock(read_mu_);
  Stmt s(rdb_, "SELECT asset_sha256, pdq, quality FROM asset_fingerprints WHERE asset_sha256 = ?1");
  s.bind(1, asset_sha256);
  ATELIER_TRY_ASSIGN(const bool found, s.next("reading asset fingerprint"));
  if (!found) return std::nullopt;
  return AssetFingerprintRecord{s.text(0), s.text(1), static_cast<int>(s.int64(2))};
}

}  // namespace atelier::store
