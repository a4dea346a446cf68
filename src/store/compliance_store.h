// compliance_store.h — what the store keeps of pre-mint compliance (issue 16 §3, §4): each
// collection's versioned policy, every decision with its evidence, the review of the
// decisions that went to review, the term lists texts are screened against, and the PDQ
// hashes of checked assets (what near-duplicate checks compare a collection's new tokens
// with). Each write but the hash cache is one transaction with its log entry.
//
// The mint gate lives in the ledger's transaction (sqlite_apply_tokens.cc): a token minted in
// a collection that has a policy needs a decision for its asset under the collection's current
// policy version whose outcome is "allow", or "review" approved by a reviewer — else the mint
// is refused whole with "compliance_required" (field "asset_sha256").
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.h"
#include "store/store.h"

namespace atelier::store {

struct CompliancePolicyRecord {
  std::string collection_id;
  std::int64_t version = 0;  // 1, 2, … per collection; assigned by the store.
  std::string policy;        // Canonical JSON, every key present (compliance/policy.h).
  std::string sha256;        // Of `policy`.
  std::string created_by;    // The API key id or "cli".
  std::int64_t created_ms = 0;
  std::uint64_t log_index = 0;
};

enum class ReviewState { kNone, kPending, kApproved, kRejected };
std::string_view review_state_name(ReviewState s);  // "", "pending", "approved", "rejected"
std::optional<ReviewState> parse_review_state(std::string_view text);

struct ComplianceDecisionRecord {
  std::string id;                   // "dec_…"
  std::string asset_sha256;         // Empty for a check of texts alone.
  std::string collection_id;        // Empty when screened without a collection.
  std::int64_t policy_version = 0;  // 0: the default policy.
  std::string policy_sha256;
  std::string outcome;  // "allow", "review" or "block".
  std::string record;   // Canonical JSON of the whole decision (its log entry's body).
  ReviewState review = ReviewState::kNone;  // kPending when the outcome is "review".
  std::string reviewer = {};
  std::string review_reason = {};
  std::int64_t reviewed_ms = 0;
  std::int64_t created_ms = 0;
  std::uint64_t log_index = 0;
};

// A term list as imported (`atelier compliance terms import`): the file itself, so that
// screening rebuilds exactly what was imported, and what it was imported as.
struct TermListRecord {
  std::string name;      // 1..64 of A-Z a-z 0-9 . _ -
  std::string source;    // Who supplies the list.
  std::string licence;   // May be empty for a studio's own list.
  std::string severity;  // "block" or "review": for terms that do not name their own.
  std::string format;    // "text" (one term per line, # comments) or "csv" (term,severity).
  std::string body;      // The file as imported (UTF-8).
  std::string sha256;    // Of `body`.
  std::int64_t terms = 0;
  std::string created_by;  // The API key id or "cli".
  std::int64_t created_ms = 0;
  std::uint64_t log_index = 0;
};

// A checked asset's PDQ hash, kept so that a collection's later tokens can be compared with
// it without decoding it again. Derived data: no log entry (anyone can recompute it).
struct AssetFingerprintRecord {
  std::string asset_sha256;
  std::string pdq;  // 64 hex digits.
  int quality = 0;  // 0..100
};

class ComplianceStore {
 public:
  virtual ~ComplianceStore() = default;

  // Stores the next version of a collection's policy with `event`: `policy.version` must be
  // the current version + 1 (1 for the first), else "policy_changed" (another writer got
  // there first: re-read and decide again). "unknown_collection" unless the collection
  // exists. Returns the record with its log_index.
  virtual Result<CompliancePolicyRecord> put_compliance_policy(CompliancePolicyRecord policy,
                                                               const LogEvent& event) = 0;
  // The current (highest) version, or a given one.
  virtual Result<std::optional<CompliancePolicyRecord>> compliance_policy(
      std::string_view collection, std::optional<std::int64_t> version = std::nullopt) = 0;

  // Stores a decision with its log entry; returns the entry's index. The decision's
  // policy_version must still be the collection's current one, else "policy_changed" (decide
  // again): a decision never names a policy that was already replaced.
  virtual Result<std::uint64_t> put_compliance_decision(const ComplianceDecisionRecord& decision,
                                                        const LogEvent& event) = 0;
  virtual Result<std::optional<ComplianceDecisionRecord>> compliance_decision(
      std::string_view id) = 0;
  // An asset's decisions, newest first.
  virtual Result<std::vector<ComplianceDecisionRecord>> compliance_decisions_for_asset(
      std::string_view asset_sha256) = 0;
  // Decisions in a review state, oldest first (the queue), paged by id.
  virtual Result<Page<ComplianceDecisionRecord>> compliance_reviews(ReviewState state,
                                                                    const PageRequest& page) = 0;
  // Approves or rejects a pending decision: "unknown_decision", or "review_not_pending" when it
  // was not (or no longer) pending. `to` is kApproved or kRejected.
  virtual Result<ComplianceDecisionRecord> review_compliance_decision(
      std::string_view id, ReviewState to, std::string_view reviewer, std::string_view reason,
      std::int64_t now_ms, const LogEvent& event) = 0;

  // Stores a term list with its log entry, replacing a list of the same name (the log keeps
  // every version's hash). Returns the record with its log_index.
  virtual Result<TermListRecord> put_term_list(TermListRecord list, const LogEvent& event) = 0;
  // Every term list by name; bodies only when asked for (they can be megabytes).
  virtual Result<std::vector<TermListRecord>> term_lists(bool with_bodies) = 0;
  // Removes a list with its log entry: "unknown_term_list" (field "list") when there is none.
  virtual Result<std::uint64_t> remove_term_list(std::string_view name, const LogEvent& event) = 0;

  // The hash cache: put replaces; get returns nothing for an asset never fingerprinted.
  virtual Result<void> put_asset_fingerprint(const AssetFingerprintRecord& fingerprint) = 0;
  virtual Result<std::optional<AssetFingerprintRecord>> asset_fingerprint(
      std::string_view asset_sha256) = 0;
};

}  // namespace atelier::store
