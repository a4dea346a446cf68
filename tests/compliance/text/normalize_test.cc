// The normalizer on each evasion class: what comes out, which steps it reports, and how each
// normalized byte maps back to the original.
#include "compliance/text/normalize.h"

#include <gtest/gtest.h>

#include <string>

#include "core/limits.h"

namespace atelier::compliance::text {
namespace {

class TextNormalizeTest : public ::testing::Test {
 protected:
  NormalizedText norm(std::string_view s) {
    auto r = normalizer_.normalize(s);
    EXPECT_TRUE(r) << r.error().to_string();
    return r ? *r : NormalizedText{};
  }
  std::vector<std::string> steps(std::string_view s) {
    const NormalizedText t = norm(s);
    return t.text.empty() ? std::vector<std::string>{} : step_names(t.steps_in(0, t.text.size()));
  }
  Normalizer normalizer_ = *Normalizer::create();
};

using Names = std::vector<std::string>;

TEST_F(TextNormalizeTest, EachEvasionClassFoldsToThePlainWord) {
  EXPECT_EQ(norm("p4yp4l").text, "paypal");
  EXPECT_EQ(norm("ĐISNEY").text, "dlsney");  // i and l are one letter
  EXPECT_EQ(norm("p.a.y p-a-l").text, "paypal");
  EXPECT_EQ(norm("pay\u200Bpal").text, "paypal");
  EXPECT_EQ(norm("ｐａｙｐａｌ").text, "paypal");
  EXPECT_EQ(norm("раураl").text, "paypal");  // Cyrillic р а у р а, Latin l
  EXPECT_EQ(norm("p a y p a l").text, "paypal");
  EXPECT_EQ(norm("Ｎｉｋｅ").text, "nlke");
  EXPECT_EQ(norm("n̴̡i̷k̸e").text, "nlke");  // Zalgo marks
  EXPECT_EQ(norm("Ŋøķë").text, "ŋoke");
  EXPECT_EQ(norm("rnicrosoft").text, norm("microsoft").text);  // rn reads as m
  EXPECT_EQ(norm("PAYPAI").text, norm("paypal").text);         // capital I for l
}

TEST_F(TextNormalizeTest, StepsAreReportedPerClass) {
  EXPECT_EQ(steps("p4yp4l"), (Names{"leet_fold"}));
  EXPECT_EQ(steps("ĐISNEY"), (Names{"nfkc_casefold", "confusable_skeleton", "strip_diacritics"}));
  EXPECT_EQ(steps("p.a.y p-a-l"), (Names{"remove_separators"}));
  EXPECT_EQ(steps("pay\u200Bpal"), (Names{"remove_invisible"}));
  EXPECT_EQ(steps("ｐａｙｐａｌ"), (Names{"nfkc_casefold"}));
  EXPECT_EQ(steps("раураl"), (Names{"confusable_skeleton"}));
  EXPECT_EQ(steps("café"), (Names{"strip_diacritics"}));
  // Folds every text goes through alike (i → l, m → rn) are no evidence of evasion.
  EXPECT_EQ(steps("minimal"), Names{});
}

TEST_F(TextNormalizeTest, OrdinaryTextKeepsItsWords) {
  EXPECT_EQ(norm("A cat, in 2024; by the sea.").text, "a cat ln 2024 by the sea.");
  EXPECT_EQ(norm("yahoo! mail").text, "yahoo! rnall");  // a trailing ! is punctuation
  EXPECT_EQ(norm("a b").text, "a b");                   // two single letters stay apart
  EXPECT_EQ(norm("don't well-known").text, "dont wellknown");
}

TEST_F(TextNormalizeTest, MarksOfOtherScriptsStay) {
  // Kana voicing marks and Thai vowels are letters' parts there, not decoration.
  const NormalizedText pikachu = norm("ピカチュウ");
  // ピ keeps its handakuten, as the skeleton's ring above (U+030A) on ヒ.
  EXPECT_NE(pikachu.text.find("\u030A"), std::string::npos) << pikachu.text;
  EXPECT_NE(norm("ปิกาจู").text.find("\u0E34"), std::string::npos);  // Thai sara i
}

TEST_F(TextNormalizeTest, SpansMapBackToOriginalBytes) {
  const std::string original = "Buy P.4.y\u200Bp4l now";
  const NormalizedText t = norm(original);
  ASSERT_EQ(t.text, "buy paypal now");
  const auto [begin, end] = t.source_span(4, 10);
  EXPECT_EQ(original.substr(begin, end - begin), "P.4.y\u200Bp4l");
  EXPECT_EQ(step_names(t.steps_in(4, 10)),
            (Names{"remove_invisible", "nfkc_casefold", "remove_separators", "leet_fold"}));
  // "now" was only copied.
  const auto [now_begin, now_end] = t.source_span(11, 14);
  EXPECT_EQ(original.substr(now_begin, now_end - now_begin), "now");
  EXPECT_EQ(t.steps_in(11, 14), 0);
}

TEST_F(TextNormalizeTest, ExpansionsMapToTheWholeSourceCharacter) {
  const std::string original = "ﬁsh Ǆ";  // ligature fi, DŽ
  const NormalizedText t = norm(original);
  ASSERT_EQ(t.text, "flsh dz");
  EXPECT_EQ(t.source_span(0, 1), (std::pair<std::uint32_t, std::uint32_t>{0, 3}));
  EXPECT_EQ(t.source_span(1, 2), (std::pair<std::uint32_t, std::uint32_t>{0, 3}));
  EXPECT_EQ(t.source_span(5, 7), (std::pair<std::uint32_t, std::uint32_t>{6, 8}));
}

TEST_F(TextNormalizeTest, InvalidUtf8AndLimits) {
  auto bad = normalizer_.normalize("ok\xC3(", "title");
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().code, "text_invalid_utf8");
  EXPECT_EQ(bad.error().field, "title");
  EXPECT_EQ(bad.error().message, "byte 3 is not valid UTF-8");

  const std::string at_limit(limits::kScreenTextBytesMax, 'a');
  EXPECT_TRUE(normalizer_.normalize(at_limit));
  auto over = normalizer_.normalize(at_limit + "a");
  ASSERT_FALSE(over);
  EXPECT_EQ(over.error().code, "text_too_large");

  // U+FDFA expands to 33 bytes under NFKC: within the input limit, past the output one.
  std::string expanding;
  while (std::ssize(expanding) + 3 <= limits::kScreenTextBytesMax) expanding += "\uFDFA";
  auto blown = normalizer_.normalize(expanding);
  ASSERT_FALSE(blown);
  EXPECT_EQ(blown.error().code, "text_normalized_too_large");
}

TEST_F(TextNormalizeTest, EmptyAndInvisibleOnly) {
  EXPECT_EQ(norm("").text, "");
  const NormalizedText t = norm("\u200B\u200D\uFE0F");
  EXPECT_EQ(t.text, "");
  EXPECT_EQ(t.removals.size(), 3u);
}

}  // namespace
}  // namespace atelier::compliance::text
