// The screener's matches as the policy's evidence: lists loaded from both file forms, screened,
// handed to decide() (policy.h), and the findings it writes.
#include "compliance/text/evidence.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>

#include "compliance/policy.h"
#include "core/limits.h"

namespace atelier::compliance::text {
namespace {

using nlohmann::json;

// The two file forms a `terms import` reads: text with comments, and CSV with severities.
constexpr std::string_view kBrandsText =
    "# brands, one per line\n"
    "PayPal\n"
    "Nike  # the sportswear maker\n";
constexpr std::string_view kCharactersCsv =
    "term,severity\n"
    "Pikachu,block\n"
    "Disney,\n";

TermList parsed(std::string_view bytes, std::string name, Severity severity) {
  auto l =
      TermList::parse(bytes, {.name = std::move(name), .source = "test", .severity = severity});
  EXPECT_TRUE(l) << l.error().to_string();
  return std::move(*l);
}

class TextEvidenceTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    std::vector<TermList> lists;
    lists.push_back(parsed(kBrandsText, "brands", Severity::kReview));
    lists.push_back(parsed(kCharactersCsv, "characters", Severity::kReview));
    auto s = Screener::build(std::move(lists));
    ASSERT_TRUE(s) << s.error().to_string();
    screener_ = new Screener(std::move(*s));
  }
  static void TearDownTestSuite() { delete screener_; }

  static Evidence screened(std::string_view text, std::string_view field) {
    Evidence e;
    auto r = screen_into(*screener_, text, field, e);
    EXPECT_TRUE(r) << r.error().to_string();
    return e;
  }
  static Decision decided(const Policy& p, const Evidence& e) {
    auto d = decide(p, e);
    EXPECT_TRUE(d) << d.error().to_string();
    return d ? *d : Decision{};
  }

  static Screener* screener_;
};
Screener* TextEvidenceTest::screener_ = nullptr;

TEST_F(TextEvidenceTest, AMatchBecomesATextFindingWithItsSpanBytesAndSteps) {
  const std::string title = "Buy p4yp4l gift cards";
  const Evidence e = screened(title, "title");
  ASSERT_EQ(e.texts.size(), 1u);
  const TextMatch& m = e.texts[0];
  EXPECT_EQ(m.field, "title");
  EXPECT_EQ(m.term, "PayPal");
  EXPECT_EQ(m.list, "brands");
  EXPECT_EQ(m.severity, "review");
  EXPECT_EQ(m.begin, 4u);
  EXPECT_EQ(m.end, 10u);
  EXPECT_EQ(m.matched, "p4yp4l");
  EXPECT_EQ(m.steps, std::vector<std::string>{"leet_fold"});
  EXPECT_TRUE(e.texts_truncated.empty());

  const Decision d = decided(default_policy(), e);
  EXPECT_EQ(d.outcome, Action::kReview);
  ASSERT_EQ(d.findings.size(), 1u);
  EXPECT_EQ(json::parse(d.findings[0].json),
            json::parse(R"({"signal": "text", "action": "review", "field": "title",
                            "term": "PayPal", "list": "brands", "severity": "review",
                            "span": [4, 10], "matched": "p4yp4l", "steps": ["leet_fold"]})"));
}

TEST_F(TextEvidenceTest, ACsvSeverityOverridesTheListsAndThePolicyActsOnIt) {
  // "Pikachu" is `block` in the CSV; "Disney" has an empty cell and takes the list's review.
  const Evidence e = screened("P1KACHU on ĐISNEY paper", "prompt");
  ASSERT_EQ(e.texts.size(), 2u);
  EXPECT_EQ(e.texts[0].term, "Pikachu");
  EXPECT_EQ(e.texts[0].severity, "block");
  EXPECT_EQ(e.texts[1].term, "Disney");
  EXPECT_EQ(e.texts[1].severity, "review");
  EXPECT_EQ(e.texts[1].matched, "ĐISNEY");  // The original's bytes, not the normalized ones.
  EXPECT_EQ(decided(default_policy(), e).outcome, Action::kBlock);

  Policy lenient = default_policy();
  lenient.text_lists["characters"] = Action::kAllow;
  const Decision d = decided(lenient, e);
  EXPECT_EQ(d.outcome, Action::kAllow);
  EXPECT_EQ(d.findings.size(), 2u);  // Still listed: the evidence stays in the record.
}

TEST_F(TextEvidenceTest, SeveralFieldsGoIntoOneEvidenceInOrder) {
  Evidence e;
  ASSERT_TRUE(screen_into(*screener_, "nike shoes", "title", e));
  ASSERT_TRUE(screen_into(*screener_, "a quiet landscape", "description", e));
  ASSERT_TRUE(screen_into(*screener_, "Раураl", "traits[0].value", e));  // Cyrillic
  ASSERT_EQ(e.texts.size(), 2u);
  EXPECT_EQ(e.texts[0].field, "title");
  EXPECT_EQ(e.texts[1].field, "traits[0].value");
  EXPECT_EQ(e.texts[1].matched, "Раураl");
  EXPECT_EQ(decided(default_policy(), e).outcome, Action::kReview);
  EXPECT_EQ(decided(default_policy(), screened("a quiet landscape", "title")).outcome,
            Action::kAllow);
}

TEST_F(TextEvidenceTest, AnErrorLeavesTheEvidenceAsItWas) {
  Evidence e = screened("paypal", "title");
  ASSERT_EQ(e.texts.size(), 1u);
  auto r = screen_into(*screener_, "pay\xffpal", "description", e);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().field, "description");
  EXPECT_EQ(e.texts.size(), 1u);
  EXPECT_TRUE(e.texts_truncated.empty());
}

TEST_F(TextEvidenceTest, AResultCutShortGoesToReviewEvenWithoutMatches) {
  // More matches than the screener keeps: the field is named as cut short.
  std::string flood;
  while (std::ssize(flood) < 8 * (limits::kScreenMatchesMax + 10)) flood += "paypal, ";
  Evidence e = screened(flood, "description");
  EXPECT_EQ(std::ssize(e.texts), limits::kScreenMatchesMax);
  EXPECT_EQ(e.texts_truncated, std::vector<std::string>{"description"});

  // Alone (the kept matches aside), a cut-short text is a review under the default policy and
  // under a policy's own "review" action.
  e.texts.clear();
  Decision d = decided(default_policy(), e);
  EXPECT_EQ(d.outcome, Action::kReview);
  ASSERT_EQ(d.findings.size(), 1u);
  EXPECT_EQ(json::parse(d.findings[0].json),
            json::parse(R"({"signal": "text_truncated", "action": "review",
                            "field": "description"})"));
  Policy strict = default_policy();
  strict.text_review = Action::kBlock;
  EXPECT_EQ(decided(strict, e).outcome, Action::kBlock);
}

}  // namespace
}  // namespace atelier::compliance::text
