// Compliance records on a real store: versioned policies, logged decisions, the review queue,
// and the mint gate in the ledger's transaction.
#include "compliance/decisions.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "tests/ledger/ledger_fixture.h"

namespace atelier::compliance {
namespace {

using nlohmann::json;

class DecisionsTest : public ledger::LedgerTest {
 protected:
  std::unique_ptr<Decisions> decisions;
  void SetUp() override {
    LedgerTest::SetUp();
    decisions = std::make_unique<Decisions>(*db, *db, clock);
    collection("flows", "erc721");
  }
  // A PDQ match at `distance` from a registered work.
  static Evidence pdq_at(int distance) {
    Evidence e{.quality = 90};
    e.images.push_back({.signal = ImageSignal::kPdq,
                        .distance = distance,
                        .query_variant = "original",
                        .entry_variant = "original",
                        .entry_id = "e-1",
                        .bank = "studio-a",
                        .label = "Sunflowers"});
    return e;
  }
  store::ComplianceDecisionRecord decide_on(const std::string& asset, Evidence e) {
    auto d = decisions->record({.asset_sha256 = asset,
                                .collection = "flows",
                                .evidence = std::move(e),
                                .registry = {std::string(64, 'a'), 3},
                                .actor = "cli"});
    EXPECT_TRUE(d) << d.error().to_string();
    return d ? *d : store::ComplianceDecisionRecord{};
  }
  Result<store::LedgerReceipt> mint_asset(const std::string& asset) {
    ledger::MintRequest m;
    m.caller = "artist";
    m.collection = "flows";
    m.asset_sha256 = asset;
    m.to = "alice";
    auto r = ledger->mint(m);
    if (!r) return fail(r.error());
    return store::LedgerReceipt{};
  }
  json logged(std::uint64_t index) {
    auto rows = db->log_entries(index, index + 1);
    EXPECT_TRUE(rows && rows->size() == 1);
    return rows && !rows->empty() ? json::parse(rows->front().entry) : json();
  }
};

TEST_F(DecisionsTest, PoliciesAreVersionedAndLogged) {
  auto none = decisions->policy_in_force("flows");
  ASSERT_TRUE(none);
  EXPECT_EQ(none->version, 0);  // The default.
  EXPECT_EQ(none->sha256, sha256_hex(policy_json(default_policy())));

  auto v1 = decisions->set_policy("flows", R"({"pdq": [{"max_distance": 20, "action": "block"}]})",
                                  "cli");
  ASSERT_TRUE(v1) << v1.error().to_string();
  EXPECT_EQ(v1->version, 1);
  auto v2 = decisions->set_policy("flows", "{}", "key_1");
  ASSERT_TRUE(v2);
  EXPECT_EQ(v2->version, 2);
  const json entry = logged(v2->log_index);
  EXPECT_EQ(entry["type"], "compliance.policy");
  EXPECT_EQ(entry["version"], 2);
  EXPECT_EQ(entry["by"], "key_1");
  EXPECT_EQ(entry["sha256"], v2->sha256);
  auto old = db->compliance_policy("flows", 1);
  ASSERT_TRUE(old && *old);
  EXPECT_EQ((*old)->policy,
            policy_json(*parse_policy(R"({"pdq": [{"max_distance": 20, "action": "block"}]})")));

  EXPECT_EQ(decisions->set_policy("nope", "{}", "cli").error().code, "unknown_collection");
  auto bad = decisions->set_policy("flows", R"({"pdq": 3})", "cli");
  EXPECT_EQ(bad.error().field, "policy.pdq");
  EXPECT_EQ((*db->compliance_policy("flows", std::nullopt))->version, 2);  // Nothing written.
  // A writer that read version 2 and lost the race is refused, not silently made version 4.
  store::CompliancePolicyRecord stale = *v2;
  auto lost = db->put_compliance_policy(stale, {"{}", {}});
  EXPECT_EQ(lost.error().code, "policy_changed");
}

TEST_F(DecisionsTest, ADecisionIsLoggedWithItsEvidenceRegistryAndPolicy) {
  ASSERT_TRUE(decisions->set_policy("flows", "{}", "cli"));
  const std::string a = asset(1);
  const auto d = decide_on(a, pdq_at(12));
  EXPECT_EQ(d.outcome, "block");
  EXPECT_EQ(d.policy_version, 1);
  const json entry = logged(d.log_index);
  EXPECT_EQ(entry["type"], "compliance.decision");
  EXPECT_EQ(entry["decision"], "block");
  EXPECT_EQ(entry["asset"], a);
  EXPECT_EQ(entry["registry"]["entries"], 3);
  EXPECT_EQ(entry["policy"]["version"], 1);
  ASSERT_EQ(entry["findings"].size(), 1u);
  EXPECT_EQ(entry["findings"][0]["distance"], 12);
  EXPECT_EQ(entry["findings"][0]["label"], "Sunflowers");
  EXPECT_EQ(json::parse(d.record), [&] {
    json e = entry;
    for (const char* k : {"type", "v", "time_ms", "atelier_version"}) e.erase(k);
    return e;
  }());
  auto indexes = db->log_indexes("asset:" + a);
  ASSERT_TRUE(indexes);
  EXPECT_NE(std::find(indexes->begin(), indexes->end(), d.log_index), indexes->end());
  auto stored = db->compliance_decisions_for_asset(a);
  ASSERT_TRUE(stored);
  ASSERT_EQ(stored->size(), 1u);
  EXPECT_EQ(stored->front().id, d.id);
}

// Evidence gathered under one policy version is not recorded under another: the screening
// that asked gathers it again (check.cc), and nothing is stored or logged meanwhile.
TEST_F(DecisionsTest, EvidenceFromAReplacedPolicyIsRefusedNotRecorded) {
  ASSERT_TRUE(decisions->set_policy("flows", "{}", "cli"));
  ASSERT_TRUE(decisions->set_policy("flows", R"({"exact_copy": "review"})", "cli"));
  const std::string a = asset(2);
  const std::uint64_t before = *db->log_size();
  DecisionRequest stale{.asset_sha256 = a, .collection = "flows"};
  stale.policy_version = 1;
  auto refused = decisions->record(stale);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, "policy_changed");
  EXPECT_EQ(*db->log_size(), before);
  EXPECT_TRUE(db->compliance_decisions_for_asset(a)->empty());
  stale.policy_version = 2;
  auto recorded = decisions->record(stale);
  ASSERT_TRUE(recorded) << recorded.error().to_string();
  EXPECT_EQ(recorded->policy_version, 2);
}

TEST_F(DecisionsTest, MintingWaitsForAnAllowUnderTheCurrentPolicy) {
  const std::string a = asset(1);
  EXPECT_TRUE(mint_asset(asset(2)));  // No policy: no gate.
  ASSERT_TRUE(decisions->set_policy("flows", "{}", "cli"));
  auto refused = mint_asset(a);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, "compliance_required");
  EXPECT_EQ(refused.error().field, "asset_sha256");

  EXPECT_EQ(decide_on(a, pdq_at(5)).outcome, "block");
  EXPECT_EQ(mint_asset(a).error().code, "compliance_required");
  EXPECT_EQ(decide_on(a, pdq_at(100)).outcome, "allow");  // The latest decision counts.
  ASSERT_TRUE(decisions->set_policy("flows", R"({"exact_copy": "review"})", "cli"));
  EXPECT_EQ(mint_asset(a).error().code, "compliance_required");  // Decided under version 1.
  EXPECT_EQ(decide_on(a, Evidence{.quality = 90}).outcome, "allow");
  EXPECT_TRUE(mint_asset(a));
  expect_ledger_ok();
}

TEST_F(DecisionsTest, ReviewsAreQueuedApprovedOnceAndUnlockTheMint) {
  ASSERT_TRUE(decisions->set_policy("flows", "{}", "cli"));
  const std::string a = asset(1);
  const std::string b = asset(2);
  const auto da = decide_on(a, pdq_at(40));  // 32..45: review.
  const auto db_ = decide_on(b, pdq_at(40));
  EXPECT_EQ(da.outcome, "review");
  EXPECT_EQ(da.review, store::ReviewState::kPending);

  auto page = db->compliance_reviews(store::ReviewState::kPending, {.limit = 1, .cursor = ""});
  ASSERT_TRUE(page);
  ASSERT_EQ(page->items.size(), 1u);
  EXPECT_EQ(page->items[0].id, da.id);  // Oldest first.
  auto next = db->compliance_reviews(store::ReviewState::kPending,
                                     {.limit = 1, .cursor = page->next_cursor});
  ASSERT_TRUE(next);
  ASSERT_EQ(next->items.size(), 1u);
  EXPECT_EQ(next->items[0].id, db_.id);
  EXPECT_TRUE(next->next_cursor.empty());

  EXPECT_EQ(mint_asset(a).error().code, "compliance_required");
  EXPECT_EQ(decisions->review(da.id, true, "key_9", "").error().code, "invalid_reason");
  EXPECT_EQ(decisions->review(da.id, true, "key_9", "\xff").error().code, "invalid_reason");
  auto approved = decisions->review(da.id, true, "key_9", "licensed from the owner");
  ASSERT_TRUE(approved) << approved.error().to_string();
  EXPECT_EQ(approved->review, store::ReviewState::kApproved);
  EXPECT_EQ(approved->reviewer, "key_9");
  EXPECT_EQ(decisions->review(da.id, false, "key_9", "again").error().code, "review_not_pending");
  EXPECT_EQ(decisions->review("dec_nope", false, "key_9", "x").error().code, "unknown_decision");
  EXPECT_TRUE(mint_asset(a));

  ASSERT_TRUE(decisions->review(db_.id, false, "key_9", "too close to Sunflowers"));
  EXPECT_EQ(mint_asset(b).error().code, "compliance_required");
  auto rejected =
      db->compliance_reviews(store::ReviewState::kRejected, {.limit = 10, .cursor = ""});
  ASSERT_TRUE(rejected);
  ASSERT_EQ(rejected->items.size(), 1u);
  EXPECT_EQ(rejected->items[0].review_reason, "too close to Sunflowers");
  auto indexes = db->log_indexes("asset:" + b);
  ASSERT_TRUE(indexes && !indexes->empty());
  EXPECT_EQ(logged(indexes->back())["type"], "compliance.review");
  expect_ledger_ok();
}

}  // namespace
}  // namespace atelier::compliance
