// decisions.h — the compliance engine's record keeping (issue 16 §4): collections' policies,
// decisions with their evidence, and the review queue. Every change is a transparency-log
// entry ("compliance.policy", "compliance.decision", "compliance.review"; docs/compliance.md
// "Decisions"), so a decision can be shown later to a rights holder or a court: its evidence,
// the registry snapshot it was screened against, and the policy version that judged it.
//
//   Decisions d(store, store, clock);
//   d.set_policy("c1", R"({"pdq": [{"max_distance": 20, "action": "block"}]})", "cli");
//   auto rec = d.record({.asset_sha256 = sha, .collection = "c1", .evidence = e,
//                        .registry = {root, n}});
//   if (rec->outcome == "review") d.review(rec->id, true, "key_abc", "licensed from the owner");
//
// `ledger mint` of an asset in a collection with a policy is refused until its latest
// decision under the current policy is "allow" or an approved "review" (compliance_store.h).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "compliance/policy.h"
#include "core/clock.h"
#include "core/error.h"
#include "store/compliance_store.h"
#include "store/ledger_store.h"

namespace atelier::compliance {

// The policy that applies to a collection now: its latest version, or the default (version 0)
// where the collection has none, or for a check outside any collection.
struct PolicyInForce {
  Policy policy;
  std::int64_t version = 0;
  std::string sha256;  // Of policy_json(policy).
};

// Which registry state a screening searched ("screened against registry snapshot R with N
// entries"): the Merkle root over its entries and how many there were.
struct RegistrySnapshot {
  std::string root;  // 64 hex digits; the empty registry's root is SHA-256 of "".
  std::uint64_t entries = 0;
};

struct DecisionRequest {
  std::string asset_sha256 = {};  // Empty for texts alone.
  std::string collection = {};    // Empty: the default policy, no mint gate.
  Evidence evidence = {};
  RegistrySnapshot registry = {};
  std::string file_sha256 = {};  // The image file screened, when it was a file.
  std::string pixels_sha256 = {};
  std::string actor = {};  // Who asked: an API key id or "cli".
  // The texts screened ({field, SHA-256 of the text}) and the term lists they were screened
  // against ({name, SHA-256 of the list as imported}), and the lexicon's SHA-256 (empty: none).
  std::vector<std::pair<std::string, std::string>> texts = {};
  std::vector<std::pair<std::string, std::string>> term_lists = {};
  std::string lexicon_sha256 = {};
  // The policy version the evidence was gathered under, when that matters: a different
  // version in force when recording is "policy_changed" (gather again), not a decision.
  std::optional<std::int64_t> policy_version = {};
};

// A stored decision as the CLI and the API show it: {"id", "decision", "asset", "collection",
// "policy_version", "review" (absent when not for review), "reviewer", "review_reason",
// "reviewed_ms", "created_ms", "log_index", "record": the logged decision}.
std::string decision_json(const store::ComplianceDecisionRecord& d);
// {"collection", "version", "sha256", "policy", "created_by", "created_ms", "log_index"}.
std::string policy_record_json(const store::CompliancePolicyRecord& p);

class Decisions {
 public:
  Decisions(store::ComplianceStore& store, store::LedgerStore& ledger, const Clock& clock)
      : store_(store), ledger_(ledger), clock_(clock) {}

  // Parses `policy_json` (policy.h) and stores it as the collection's next version.
  Result<store::CompliancePolicyRecord> set_policy(std::string_view collection,
                                                   std::string_view policy_json,
                                                   std::string_view actor);
  Result<PolicyInForce> policy_in_force(std::string_view collection);

  // Decides under the policy in force and records the decision (a "review" outcome enters the
  // review queue). Retries once when the policy changed between reading it and recording.
  Result<store::ComplianceDecisionRecord> record(const DecisionRequest& request);

  // Approves (`approve`) or rejects a decision pending review; `reason` is required.
  Result<store::ComplianceDecisionRecord> review(std::string_view id, bool approve,
                                                 std::string_view reviewer,
                                                 std::string_view reason);

 private:
  store::ComplianceStore& store_;
  store::LedgerStore& ledger_;
  const Clock& clock_;
};

}  // namespace atelier::compliance
