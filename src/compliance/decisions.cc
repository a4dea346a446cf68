// The compliance engine's records (decisions.h): policies, decisions and reviews, each with
// its log entry.
#include "compliance/decisions.h"

#include <nlohmann/json.hpp>

#include "core/canonical_json.h"
#include "core/event.h"
#include "core/hash.h"
#include "core/limits.h"
#include "core/random_id.h"

namespace atelier::compliance {

namespace {

using nlohmann::json;

// A decision keeps its strictest findings up to this many (and says how many it left out):
// its log entry stays small whatever a registry of near-identical works matches.
constexpr std::size_t kFindingsMax = 64;
constexpr std::size_t kReasonBytesMax = 1024;

store::LogEvent event_for(std::string_view type, std::int64_t time_ms, json fields,
                          std::vector<std::string> subjects) {
  return {event_entry(type, time_ms, std::move(fields)), std::move(subjects)};
}

std::vector<std::string> subjects_of(std::string_view asset, std::string_view collection) {
  std::vector<std::string> s;
  if (!asset.empty()) s.push_back("asset:" + std::string(asset));
  if (!collection.empty()) s.push_back("collection:" + std::string(collection));
  return s;
}

}  // namespace

std::string decision_json(const store::ComplianceDecisionRecord& d) {
  json j = {{"id", d.id},
            {"decision", d.outcome},
            {"policy_version", d.policy_version},
            {"created_ms", d.created_ms},
            {"log_index", d.log_index},
            {"record", json::parse(d.record)}};
  if (!d.asset_sha256.empty()) j["asset"] = d.asset_sha256;
  if (!d.collection_id.empty()) j["collection"] = d.collection_id;
  if (d.review != store::ReviewState::kNone) {
    j["review"] = store::review_state_name(d.review);
    if (d.review != store::ReviewState::kPending) {
      j["reviewer"] = d.reviewer;
      j["review_reason"] = d.review_reason;
      j["reviewed_ms"] = d.reviewed_ms;
    }
  }
  return j.dump();
}

std::string policy_record_json(const store::CompliancePolicyRecord& p) {
  return json{
      {"collection", p.collection_id},   {"version", p.version},       {"sha256", p.sha256},
      {"policy", json::parse(p.policy)}, {"created_by", p.created_by}, {"created_ms", p.created_ms},
      {"log_index", p.log_index}}
      .dump();
}

Result<store::CompliancePolicyRecord> Decisions::set_policy(std::string_view collection,
                                                            std::string_view policy_text,
                                                            std::string_view actor) {
  ATELIER_TRY_ASSIGN(const Policy policy, parse_policy(policy_text));
  ATELIER_TRY_ASSIGN(const auto known, ledger_.collection(collection));
  if (!known) {
    return fail(Error::not_found("unknown_collection", "no collection " + std::string(collection),
                                 "collection"));
  }
  ATELIER_TRY_ASSIGN(const auto current, store_.compliance_policy(collection));
  store::CompliancePolicyRecord p;
  p.collection_id = std::string(collection);
  p.version = current ? current->version + 1 : 1;
  p.policy = policy_json(policy);
  p.sha256 = sha256_hex(p.policy);
  p.created_by = std::string(actor);
  p.created_ms = clock_.now_ms();
  json fields = {{"collection", p.collection_id},
                 {"version", p.version},
                 {"policy", json::parse(p.policy)},
                 {"sha256", p.sha256},
                 {"by", p.created_by}};
  return store_.put_compliance_policy(
      p, event_for("compliance.policy", p.created_ms, std::move(fields),
                   subjects_of("", p.collection_id)));
}

Result<PolicyInForce> Decisions::policy_in_force(std::string_view collection) {
  PolicyInForce in_force{default_policy(), 0, {}};
  if (!collection.empty()) {
    ATELIER_TRY_ASSIGN(const auto known, ledger_.collection(collection));
    if (!known) {
      return fail(Error::not_found("unknown_collection", "no collection " + std::string(collection),
                                   "collection"));
    }
    ATELIER_TRY_ASSIGN(const auto stored, store_.compliance_policy(collection));
    if (stored) {
      ATELIER_TRY_ASSIGN(in_force.policy, parse_policy(stored->policy));
      in_force.version = stored->version;
    }
  }
  in_force.sha256 = sha256_hex(policy_json(in_force.policy));
  return in_force;
}

Result<store::ComplianceDecisionRecord> Decisions::record(const DecisionRequest& r) {
  for (int attempt = 0;; ++attempt) {
    ATELIER_TRY_ASSIGN(const PolicyInForce in_force, policy_in_force(r.collection));
    if (r.policy_version && *r.policy_version != in_force.version) {
      return fail(Error::conflict(
          "policy_changed", "the policy changed while the evidence was gathered", "collection"));
    }
    ATELIER_TRY_ASSIGN(const Decision decision, decide(in_force.policy, r.evidence));

    store::ComplianceDecisionRecord d;
    d.id = "dec_" + random_hex(12);
    d.asset_sha256 = r.asset_sha256;
    d.collection_id = r.collection;
    d.policy_version = in_force.version;
    d.policy_sha256 = in_force.sha256;
    d.outcome = std::string(action_name(decision.outcome));
    d.review = decision.outcome == Action::kReview ? store::ReviewState::kPending
                                                   : store::ReviewState::kNone;
    d.created_ms = clock_.now_ms();

    json findings = json::array();
    for (std::size_t i = 0; i < decision.findings.size() && i < kFindingsMax; ++i) {
      findings.push_back(json::parse(decision.findings[i].json));
    }
    json fields = {{"id", d.id},
                   {"decision", d.outcome},
                   {"policy", {{"version", d.policy_version}, {"sha256", d.policy_sha256}}},
                   {"registry", {{"root", r.registry.root}, {"entries", r.registry.entries}}},
                   {"findings", std::move(findings)}};
    if (decision.findings.size() > kFindingsMax) {
      fields["findings_omitted"] = decision.findings.size() - kFindingsMax;
    }
    if (!r.asset_sha256.empty()) fields["asset"] = r.asset_sha256;
    if (!r.collection.empty()) fields["collection"] = r.collection;
    if (r.evidence.quality) fields["quality"] = *r.evidence.quality;
    if (!r.file_sha256.empty()) fields["file_sha256"] = r.file_sha256;
    if (!r.pixels_sha256.empty()) fields["pixels_sha256"] = r.pixels_sha256;
    if (!r.actor.empty()) fields["by"] = r.actor;
    if (!r.texts.empty()) {
      json texts = json::array(), lists = json::array();
      for (const auto& [field, sha] : r.texts) texts.push_back({{"field", field}, {"sha256", sha}});
      for (const auto& [name, sha] : r.term_lists)
        lists.push_back({{"name", name}, {"sha256", sha}});
      fields["texts"] = std::move(texts);
      fields["term_lists"] = std::move(lists);
      if (!r.lexicon_sha256.empty()) fields["lexicon_sha256"] = r.lexicon_sha256;
    }
    ATELIER_TRY_ASSIGN(d.record, canonical_json(fields));

    auto stored = store_.put_compliance_decision(
        d, event_for("compliance.decision", d.created_ms, std::move(fields),
                     subjects_of(d.asset_sha256, d.collection_id)));
    if (stored) {
      d.log_index = *stored;
      return d;
    }
    // The policy was replaced between reading it and recording: decide again, once.
    if (stored.error().code != "policy_changed" || attempt > 0) return fail(stored.error());
  }
}

Result<store::ComplianceDecisionRecord> Decisions::review(std::string_view id, bool approve,
                                                          std::string_view reviewer,
                                                          std::string_view reason) {
  // canonical_json refuses text that is not UTF-8, which a log entry cannot hold.
  if (reason.empty() || reason.size() > kReasonBytesMax || !canonical_json(json(reason))) {
    return fail(Error::invalid(
        "invalid_reason",
        "a review needs a reason of 1.." + std::to_string(kReasonBytesMax) + " bytes of UTF-8",
        "reason"));
  }
  ATELIER_TRY_ASSIGN(const auto decision, store_.compliance_decision(id));
  if (!decision) {
    return fail(Error::not_found("unknown_decision", "no decision " + std::string(id), "id"));
  }
  const auto to = approve ? store::ReviewState::kApproved : store::ReviewState::kRejected;
  const std::int64_t now = clock_.now_ms();
  json fields = {{"decision", decision->id},
                 {"review", store::review_state_name(to)},
                 {"by", reviewer},
                 {"reason", reason}};
  if (!decision->asset_sha256.empty()) fields["asset"] = decision->asset_sha256;
  if (!decision->collection_id.empty()) fields["collection"] = decision->collection_id;
  auto event = event_for("compliance.review", now, std::move(fields),
                         subjects_of(decision->asset_sha256, decision->collection_id));
  return store_.review_compliance_decision(id, to, reviewer, reason, now, event);
}

}  // namespace atelier::compliance
