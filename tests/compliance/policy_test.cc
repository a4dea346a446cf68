// Compliance policies: parsing with named errors, the default policy, and decide().
#include "compliance/policy.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

namespace atelier::compliance {
namespace {

using nlohmann::json;

ImageMatch pdq_match(int distance, std::string variant = "original") {
  return {.signal = ImageSignal::kPdq,
          .distance = distance,
          .query_variant = std::move(variant),
          .entry_variant = "original",
          .entry_id = "e-1",
          .bank = "studio-a",
          .label = "Sunflowers"};
}

Decision decided(const Policy& p, const Evidence& e) {
  auto d = decide(p, e);
  EXPECT_TRUE(d) << d.error().to_string();
  return d ? *d : Decision{};
}

void expect_refused(std::string_view text, std::string_view code, std::string_view field) {
  auto p = parse_policy(text);
  ASSERT_FALSE(p) << text;
  EXPECT_EQ(p.error().code, code) << text << ": " << p.error().to_string();
  EXPECT_EQ(p.error().field, field) << text;
}

TEST(CompliancePolicy, EmptyJsonIsTheDocumentedDefault) {
  auto p = parse_policy("{}");
  ASSERT_TRUE(p) << p.error().to_string();
  EXPECT_EQ(policy_json(*p), policy_json(default_policy()));
  EXPECT_EQ(policy_json(*p),
            R"({"exact_copy":"block","low_quality":{"action":"review","below":50},)"
            R"("near_duplicate":{"action":"review","max_distance":10},)"
            R"("pdq":[{"action":"block","max_distance":31},{"action":"review","max_distance":45}],)"
            R"("text":{"block":"block","review":"review"},"text_lists":{}})");
}

TEST(CompliancePolicy, RoundTripsThroughItsCanonicalJson) {
  auto p =
      parse_policy(R"({"exact_copy": "review", "pdq": [{"max_distance": 20, "action": "block"}],
    "low_quality": {"below": 70}, "text": {"review": "allow"},
    "text_lists": {"brands": "block"}, "near_duplicate": {"max_distance": 4, "action": "block"}})");
  ASSERT_TRUE(p) << p.error().to_string();
  EXPECT_EQ(p->exact_copy, Action::kReview);
  ASSERT_EQ(p->pdq.size(), 1u);
  EXPECT_EQ(p->low_quality_below, 70);
  EXPECT_EQ(p->low_quality, Action::kReview);  // Kept from the default.
  EXPECT_EQ(p->text_review, Action::kAllow);
  auto again = parse_policy(policy_json(*p));
  ASSERT_TRUE(again) << again.error().to_string();
  EXPECT_EQ(policy_json(*again), policy_json(*p));
}

TEST(CompliancePolicy, BadPoliciesAreRefusedNamingTheField) {
  expect_refused(R"({"pdq_bands": []})", "unknown_field", "policy.pdq_bands");
  expect_refused(R"({"exact_copy": "deny"})", "invalid_action", "policy.exact_copy");
  expect_refused(R"({"exact_copy": 1})", "invalid_policy", "policy.exact_copy");
  expect_refused(R"({"pdq": [{"max_distance": 256, "action": "block"}]})", "value_out_of_range",
                 "policy.pdq[0].max_distance");
  expect_refused(R"({"pdq": [{"max_distance": 20, "action": "block"},
                             {"max_distance": 20, "action": "review"}]})",
                 "invalid_policy", "policy.pdq[1].max_distance");
  expect_refused(R"({"pdq": [{"max_distance": 20}]})", "invalid_policy", "policy.pdq[0]");
  expect_refused(R"({"pdq": [{"max_distance": 2, "action": "block", "x": 1}]})", "unknown_field",
                 "policy.pdq[0].x");
  expect_refused(R"({"low_quality": {"below": 101}})", "value_out_of_range",
                 "policy.low_quality.below");
  expect_refused(R"({"near_duplicate": {"max_distance": -1}})", "value_out_of_range",
                 "policy.near_duplicate.max_distance");
  expect_refused(R"({"text_lists": {"brands": "maybe"}})", "invalid_action",
                 "policy.text_lists.brands");
  // A name `terms import` would refuse could never match a list: refused, not ignored.
  expect_refused(R"({"text_lists": {"Brands": "block"}})", "invalid_policy",
                 "policy.text_lists.Brands");
  expect_refused(R"([])", "invalid_policy", "policy");
  expect_refused(R"({"pdq": [)", "malformed_json", "policy");
}

TEST(CompliancePolicy, NoEvidenceIsAllow) {
  const Decision d = decided(default_policy(), Evidence{.quality = 90});
  EXPECT_EQ(d.outcome, Action::kAllow);
  EXPECT_TRUE(d.findings.empty());
}

TEST(CompliancePolicy, PdqBandsGiveTheirActionAndTheStrictestWins) {
  const Policy p = default_policy();
  for (const auto& [distance, want] : std::vector<std::pair<int, Action>>{{0, Action::kBlock},
                                                                          {31, Action::kBlock},
                                                                          {32, Action::kReview},
                                                                          {45, Action::kReview},
                                                                          {46, Action::kAllow}}) {
    Evidence e{.quality = 90};
    e.images.push_back(pdq_match(distance));
    EXPECT_EQ(decided(p, e).outcome, want) << distance;
  }
  Evidence e{.quality = 90};
  e.images.push_back(pdq_match(40));
  e.images.push_back(pdq_match(12, "rot90"));
  const Decision d = decided(p, e);
  EXPECT_EQ(d.outcome, Action::kBlock);
  ASSERT_EQ(d.findings.size(), 2u);
  const json first = json::parse(d.findings[0].json);  // Strictest first.
  EXPECT_EQ(first["action"], "block");
  EXPECT_EQ(first["distance"], 12);
  EXPECT_EQ(first["query_variant"], "rot90");
  EXPECT_EQ(first["label"], "Sunflowers");
}

TEST(CompliancePolicy, ALowQualityHashGoesToReviewAndItsMatchesAreNotEvidence) {
  Evidence e{.quality = 30};
  e.images.push_back(pdq_match(50));  // Would be allow; a flat image matches much by chance.
  const Decision d = decided(default_policy(), e);
  EXPECT_EQ(d.outcome, Action::kReview);
  ASSERT_EQ(d.findings.size(), 1u);
  EXPECT_EQ(json::parse(d.findings[0].json)["signal"], "low_quality");
  // An exact copy is evidence whatever the hash's quality.
  e.images.push_back({.signal = ImageSignal::kExactPixels, .entry_id = "e-2"});
  EXPECT_EQ(decided(default_policy(), e).outcome, Action::kBlock);
}

TEST(CompliancePolicy, TextMatchesTakeTheirListsSeverityUnlessTheListHasItsOwnAction) {
  Evidence e;
  e.texts.push_back({.field = "title",
                     .term = "paypal",
                     .list = "brands",
                     .severity = "review",
                     .begin = 4,
                     .end = 11,
                     .matched = "p4yp4l",
                     .steps = {"leet"}});
  EXPECT_EQ(decided(default_policy(), e).outcome, Action::kReview);
  Policy strict = default_policy();
  strict.text_lists["brands"] = Action::kBlock;
  const Decision d = decided(strict, e);
  EXPECT_EQ(d.outcome, Action::kBlock);
  const json f = json::parse(d.findings[0].json);
  EXPECT_EQ(f["span"], json::array({4, 11}));
  EXPECT_EQ(f["steps"], json::array({"leet"}));
  e.texts[0].matched = "\xff";
  EXPECT_FALSE(decide(default_policy(), e));  // Not UTF-8: an error, never a bad record.
}

TEST(CompliancePolicy, ATextWhoseScreeningWasCutShortTakesTheReviewAction) {
  Evidence e;
  e.texts_truncated.push_back("description");
  const Decision d = decided(default_policy(), e);
  EXPECT_EQ(d.outcome, Action::kReview);
  ASSERT_EQ(d.findings.size(), 1u);
  EXPECT_EQ(d.findings[0].json,
            R"({"action":"review","field":"description","signal":"text_truncated"})");
  Policy lenient = default_policy();
  lenient.text_review = Action::kAllow;
  EXPECT_EQ(decided(lenient, e).outcome, Action::kAllow);
}

TEST(CompliancePolicy, NearDuplicatesWithinTheirOwnThreshold) {
  Evidence e{.quality = 80};
  e.near_duplicates.push_back({"c1", "7", std::string(64, 'a'), 10, "original"});
  EXPECT_EQ(decided(default_policy(), e).outcome, Action::kReview);
  e.near_duplicates[0].distance = 11;
  EXPECT_EQ(decided(default_policy(), e).outcome, Action::kAllow);
}

}  // namespace
}  // namespace atelier::compliance
