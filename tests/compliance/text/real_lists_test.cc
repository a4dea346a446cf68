// The real term lists from npm (tests/js/node_modules, installed by scripts/setup): they load
// within the limits, and evasions of real brand, company and character names are found.
#include "real_lists.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <iterator>

#include "compliance/text/screener.h"

namespace atelier::compliance::text {
namespace {

std::filesystem::path source_dir() {
  const char* dir = std::getenv("ATELIER_SOURCE_DIR");
  return dir != nullptr ? dir : ".";
}

class TextRealListsTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    if (!testing::real_lists_missing(source_dir()).empty()) return;
    auto lists = testing::load_real_lists(source_dir());
    ASSERT_TRUE(lists) << lists.error().to_string();
    ScreenOptions options;
    options.skip_unusable_terms = true;  // "A", "3M"-style one-letter company names
    auto s = Screener::build(std::move(*lists), options);
    ASSERT_TRUE(s) << s.error().to_string();
    screener_ = new Screener(std::move(*s));
  }
  static void TearDownTestSuite() { delete screener_; }

  void SetUp() override {
    const std::string missing = testing::real_lists_missing(source_dir());
    if (!missing.empty()) GTEST_SKIP() << missing;
    ASSERT_NE(screener_, nullptr);
  }

  // "list:term" of every match.
  static std::vector<std::string> found(std::string_view text) {
    auto r = screener_->screen(text);
    EXPECT_TRUE(r) << r.error().to_string();
    std::vector<std::string> out;
    if (r) {
      for (const Match& m : r->matches) out.push_back(m.list + ":" + m.term);
    }
    return out;
  }

  static Screener* screener_;
};
Screener* TextRealListsTest::screener_ = nullptr;

using ::testing::Contains;

TEST_F(TextRealListsTest, ListsCarrySourceAndLicence) {
  const auto& lists = screener_->lists();
  ASSERT_EQ(lists.size(), 3u);
  EXPECT_EQ(lists[0].info().licence, "CC0-1.0");
  EXPECT_NE(lists[0].info().source.find("simple-icons 16."), std::string::npos);
  EXPECT_GT(lists[0].terms().size(), 3000u);
  EXPECT_GT(lists[1].terms().size(), 2000u);
  EXPECT_GT(lists[2].terms().size(), 8000u);   // distinct names over ten languages
  EXPECT_LT(screener_->skipped_terms(), 50u);  // one-letter names ("A", Korean "뮤")
}

TEST_F(TextRealListsTest, EvasionsOfRealNames) {
  EXPECT_THAT(found("p4yp4l gift card"), Contains("simple-icons:PayPal"));
  EXPECT_THAT(found("раураl"), Contains("companies:PayPal"));
  EXPECT_THAT(found("ĐISNEY plush"), Contains("companies:Disney"));
  EXPECT_THAT(found("N.e.t.f.l.i.x"), Contains("simple-icons:Netflix"));
  EXPECT_THAT(found("ｍｉｃｒｏｓｏｆｔ"), Contains("companies:Microsoft"));
  EXPECT_THAT(found("pika\u200Bchu poster"), Contains("pokemon:Pikachu"));
  EXPECT_THAT(found("ピカチュウのぬいぐるみ"), Contains("pokemon:ピカチュウ"));
  EXPECT_THAT(found("Пикачу"), Contains("pokemon:Пикачу"));
  EXPECT_THAT(found("喷火龙"), Contains("pokemon:喷火龙"));
}

// Real brand and company lists hold ordinary words ("Lighthouse", "Water", and from the
// spell-checker's company list even "of" and "at"): those match as whole words, which the
// policy weighs by severity. What the rules keep out is the inside of ordinary words.
TEST_F(TextRealListsTest, OrdinaryWordsMatchOnlyWhole) {
  const std::filesystem::path words = "/usr/share/dict/american-english-huge";
  if (!std::filesystem::exists(words)) GTEST_SKIP() << "wamerican-huge is not installed";
  std::ifstream in(words, std::ios::binary);
  const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  auto lexicon = Lexicon::parse(text, screener_->normalizer());
  ASSERT_TRUE(lexicon) << lexicon.error().to_string();
  auto lists = testing::load_real_lists(source_dir());
  ASSERT_TRUE(lists);
  ScreenOptions options;
  options.skip_unusable_terms = true;
  options.lexicon = std::make_shared<const Lexicon>(std::move(*lexicon));
  const auto with_words = Screener::build(std::move(*lists), options);
  ASSERT_TRUE(with_words) << with_words.error().to_string();

  const std::string prompt = "a watercolor of a lighthouse on a cliff at dusk, internationally";
  const auto plain = screener_->screen(prompt);
  ASSERT_TRUE(plain);
  bool inside = false;  // without a lexicon "National" matches inside "internationally"
  for (const Match& m : plain->matches) inside = inside || m.rule == MatchRule::kInsideWord;
  EXPECT_TRUE(inside);
  const auto r = with_words->screen(prompt);
  ASSERT_TRUE(r);
  std::vector<std::string> matched;
  for (const Match& m : r->matches) {
    EXPECT_EQ(m.rule, MatchRule::kWholeWord) << m.term;
    matched.push_back(prompt.substr(m.begin, m.end - m.begin));
  }
  EXPECT_EQ(matched, (std::vector<std::string>{"of", "lighthouse", "on", "at", "at"}));
  EXPECT_THAT(found("nikeshoes"), ::testing::IsEmpty());
  const auto compound = with_words->screen("nikeshoes");
  ASSERT_TRUE(compound);
  ASSERT_FALSE(compound->matches.empty());
  EXPECT_EQ(compound->matches[0].term, "Nike");
  EXPECT_EQ(compound->matches[0].rule, MatchRule::kCompound);
}

}  // namespace
}  // namespace atelier::compliance::text
