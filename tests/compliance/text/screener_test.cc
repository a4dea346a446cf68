// The screener on each evasion class, the boundary and lexicon rules, spans in the original,
// the steps reported, and bad input.
#include "compliance/text/screener.h"

#include <gtest/gtest.h>

#include <string>
#include <thread>

#include "core/limits.h"

namespace atelier::compliance::text {
namespace {

using Names = std::vector<std::string>;

TermList list(std::string name, std::vector<std::string> terms,
              Severity severity = Severity::kReview) {
  std::vector<Term> t;
  std::int64_t line = 0;
  for (std::string& s : terms) t.push_back(Term{std::move(s), severity, ++line});
  auto l = TermList::from_terms(TermListInfo{std::move(name), "test", "CC0-1.0", severity},
                                std::move(t));
  EXPECT_TRUE(l) << l.error().to_string();
  return std::move(*l);
}

std::vector<TermList> lists() {
  std::vector<TermList> out;
  out.push_back(list("brands", {"PayPal", "Disney", "Nike", "Coca-Cola", "Apple", "Visa"}));
  out.push_back(list("banned", {"ass", "pine"}, Severity::kBlock));
  out.push_back(list("characters", {"ピカチュウ", "皮卡丘", "Пикачу", "Pikachu"}));
  return out;
}

std::shared_ptr<const Lexicon> lexicon(const Normalizer& n) {
  auto l = Lexicon::parse("shoes\nshop\nstore\npine\napple\npineapple\nassassin\njuice\n", n);
  EXPECT_TRUE(l) << l.error().to_string();
  return std::make_shared<const Lexicon>(std::move(*l));
}

class TextScreenerTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    plain_ = new Screener(*Screener::build(lists()));
    ScreenOptions with_words;
    with_words.lexicon = lexicon(plain_->normalizer());
    words_ = new Screener(*Screener::build(lists(), with_words));
  }
  static void TearDownTestSuite() {
    delete plain_;
    delete words_;
  }

  static ScreenResult screen(const Screener& s, std::string_view text) {
    auto r = s.screen(text);
    EXPECT_TRUE(r) << r.error().to_string();
    return r ? *r : ScreenResult{};
  }
  // The terms matched, in order.
  static Names terms(const Screener& s, std::string_view text) {
    Names out;
    for (const Match& m : screen(s, text).matches) out.push_back(m.term);
    return out;
  }
  // The one match of `term` in `text`, which must cover `covered` of the original.
  static Match only(const Screener& s, std::string_view text, std::string_view term,
                    std::string_view covered) {
    const ScreenResult r = screen(s, text);
    EXPECT_EQ(r.matches.size(), 1u) << text << " normalized " << r.normalized;
    if (r.matches.empty()) return {};
    const Match& m = r.matches[0];
    EXPECT_EQ(m.term, term) << text;
    EXPECT_EQ(text.substr(m.begin, m.end - m.begin), covered) << text;
    return m;
  }

  static Screener* plain_;
  static Screener* words_;
};
Screener* TextScreenerTest::plain_ = nullptr;
Screener* TextScreenerTest::words_ = nullptr;

TEST_F(TextScreenerTest, LeetSpeak) {
  const Match m = only(*plain_, "buy p4yp4l gift cards", "PayPal", "p4yp4l");
  EXPECT_EQ(m.steps, (Names{"leet_fold"}));
  EXPECT_EQ(m.list, "brands");
  EXPECT_EQ(m.rule, MatchRule::kWholeWord);
  EXPECT_EQ(only(*plain_, "P@YP@L", "PayPal", "P@YP@L").steps,
            (Names{"nfkc_casefold", "leet_fold"}));
  EXPECT_EQ(only(*plain_, "what an a$$.", "ass", "a$$").severity, Severity::kBlock);
}

TEST_F(TextScreenerTest, StrokeAndDiacriticLetters) {
  EXPECT_EQ(only(*plain_, "ĐISNEY princess", "Disney", "ĐISNEY").steps,
            (Names{"nfkc_casefold", "confusable_skeleton", "strip_diacritics"}));
  EXPECT_EQ(only(*plain_, "Dïsñèÿ", "Disney", "Dïsñèÿ").steps,
            (Names{"nfkc_casefold", "strip_diacritics"}));
  only(*plain_, "n̴̡i̷k̸e̶ air", "Nike", "n̴̡i̷k̸e̶");
}

TEST_F(TextScreenerTest, Separators) {
  EXPECT_EQ(only(*plain_, "p.a.y p-a-l", "PayPal", "p.a.y p-a-l").steps,
            (Names{"remove_separators"}));
  only(*plain_, "send via p a y p a l today", "PayPal", "p a y p a l");
  only(*plain_, "pay_pal", "PayPal", "pay_pal");
  only(*plain_, "p.4.y-p.4.l", "PayPal", "p.4.y-p.4.l");
}

TEST_F(TextScreenerTest, ZeroWidth) {
  EXPECT_EQ(only(*plain_, "pay\u200Bpal", "PayPal", "pay\u200Bpal").steps,
            (Names{"remove_invisible"}));
  only(*plain_, "\u200Dni\u00ADke\uFE0F", "Nike", "ni\u00ADke");
}

TEST_F(TextScreenerTest, FullwidthAndCase) {
  EXPECT_EQ(only(*plain_, "ｐａｙｐａｌ", "PayPal", "ｐａｙｐａｌ").steps,
            (Names{"nfkc_casefold"}));
  only(*plain_, "PAYPAL", "PayPal", "PAYPAL");
  only(*plain_, "PAYPAI", "PayPal", "PAYPAI");  // capital I for l
}

TEST_F(TextScreenerTest, CyrillicAndGreekHomoglyphs) {
  EXPECT_EQ(only(*plain_, "раураl", "PayPal", "раураl").steps, (Names{"confusable_skeleton"}));
  only(*plain_, "Νіkе", "Nike", "Νіkе");         // Greek Ν, Cyrillic і and е
  only(*plain_, "rnicro Vіsа", "Visa", "Vіsа");  // Cyrillic і, а
}

TEST_F(TextScreenerTest, RunTogetherWords) {
  // Long terms match inside words; short ones only with a lexicon that splits the rest.
  EXPECT_EQ(only(*plain_, "paypalshop", "PayPal", "paypal").rule, MatchRule::kInsideWord);
  EXPECT_EQ(terms(*plain_, "nikeshoes"), Names{});
  const Match m = only(*words_, "nikeshoes", "Nike", "nike");
  EXPECT_EQ(m.rule, MatchRule::kCompound);
  EXPECT_EQ(only(*words_, "shopnike", "Nike", "nike").rule, MatchRule::kCompound);
  EXPECT_EQ(terms(*words_, "nikeshoesxyz"), Names{});  // the rest is not words
  EXPECT_EQ(terms(*words_, "xnikeshoes"), Names{});    // not at an edge
  // In the middle of a word the compound rule does not look (a rest on each side).
  EXPECT_EQ(terms(*words_, "shoesbynikestore"), Names{});
}

TEST_F(TextScreenerTest, ShortTermsNeedWordBoundaries) {
  for (const Screener* s : {plain_, words_}) {
    EXPECT_EQ(terms(*s, "assassin"), Names{});
    EXPECT_EQ(terms(*s, "class passes"), Names{});
    EXPECT_EQ(terms(*s, "advisable"), Names{});  // visa
    EXPECT_EQ(terms(*s, "spineless"), Names{});  // pine
    EXPECT_EQ(terms(*s, "pine cone"), Names{"pine"});
  }
  EXPECT_EQ(terms(*plain_, "pineapple"), Names{});  // "apple" has 5 letters, under the 6
  EXPECT_EQ(terms(*words_, "pineapple"), Names{});
  EXPECT_EQ(terms(*words_, "applejuice"), Names{"Apple"});  // compound: apple + juice
}

TEST_F(TextScreenerTest, OrdinaryWordsInTheLexiconHideInsideMatches) {
  // With inside_word_letters_min 5, "apple" matches inside a word, unless the word is an
  // ordinary one.
  ScreenOptions five;
  five.inside_word_letters_min = 5;
  const Screener plain = *Screener::build(lists(), five);
  five.lexicon = lexicon(plain.normalizer());
  const Screener words = *Screener::build(lists(), five);
  EXPECT_EQ(terms(plain, "pineapple"), Names{"Apple"});
  EXPECT_EQ(terms(words, "pineapple"), Names{});
  EXPECT_EQ(terms(words, "pineapple slices"), Names{});
  EXPECT_EQ(only(words, "applepie", "Apple", "apple").rule, MatchRule::kInsideWord);
}

TEST_F(TextScreenerTest, MultiWordTerms) {
  only(*plain_, "Coca-Cola", "Coca-Cola", "Coca-Cola");
  only(*plain_, "a cold coca cola", "Coca-Cola", "coca cola");
  only(*plain_, "COCACOLA", "Coca-Cola", "COCACOLA");
  only(*plain_, "coca - cola", "Coca-Cola", "coca - cola");
}

TEST_F(TextScreenerTest, ScriptsWithoutSpaces) {
  EXPECT_EQ(only(*plain_, "ピカチュウのぬいぐるみ", "ピカチュウ", "ピカチュウ").rule,
            MatchRule::kUnspacedScript);
  only(*plain_, "我喜欢皮卡丘", "皮卡丘", "皮卡丘");
  only(*plain_, "постер Пикачу", "Пикачу", "Пикачу");
  only(*plain_, "ｐｉｋａｃｈｕ", "Pikachu", "ｐｉｋａｃｈｕ");
}

TEST_F(TextScreenerTest, EveryMatchIsReported) {
  const ScreenResult r = screen(*plain_, "Nike or ｎｉｋｅ, and PayPal");
  ASSERT_EQ(r.matches.size(), 3u);
  EXPECT_EQ(r.matches[0].begin, 0u);
  EXPECT_EQ(r.matches[1].term, "Nike");
  EXPECT_EQ(r.matches[2].term, "PayPal");
  EXPECT_EQ(r.strongest(), Severity::kReview);
  EXPECT_EQ(screen(*plain_, "you ass, pay up").strongest(), Severity::kBlock);
  EXPECT_FALSE(screen(*plain_, "a quiet lake at dawn").strongest());
}

TEST_F(TextScreenerTest, TermsAreNormalizedLikeText) {
  std::vector<TermList> l;
  l.push_back(list("odd", {"P4YP4L", "ｎｉｋｅ", "Yahoo!", "7-Eleven"}));
  const Screener s = *Screener::build(std::move(l));
  EXPECT_EQ(terms(s, "paypal"), Names{"P4YP4L"});
  EXPECT_EQ(terms(s, "NIKE"), Names{"ｎｉｋｅ"});
  EXPECT_EQ(terms(s, "yahoo mail"), Names{"Yahoo!"});
  EXPECT_EQ(terms(s, "yahoo! mail"), Names{"Yahoo!"});
  EXPECT_EQ(terms(s, "7 eleven"), Names{"7-Eleven"});
  EXPECT_EQ(terms(s, "7eleven"), Names{"7-Eleven"});
}

TEST_F(TextScreenerTest, TooShortTermsAreErrorsOrSkipped) {
  std::vector<TermList> l;
  l.push_back(list("companies", {"Nike", "A", "3"}));
  const auto bad = Screener::build(std::move(l));
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().code, "term_too_short");
  EXPECT_EQ(bad.error().field, "line 2");
  EXPECT_NE(bad.error().message.find("companies, line 2"), std::string::npos);

  std::vector<TermList> again;
  again.push_back(list("companies", {"Nike", "A", "3"}));
  ScreenOptions skip;
  skip.skip_unusable_terms = true;
  const auto ok = Screener::build(std::move(again), skip);
  ASSERT_TRUE(ok);
  EXPECT_EQ(ok->skipped_terms(), 2u);
  EXPECT_EQ(terms(*ok, "a nike"), Names{"Nike"});
}

TEST_F(TextScreenerTest, ListsAreChecked) {
  EXPECT_EQ(Screener::build({}).error().code, "term_lists_count");
  std::vector<TermList> twice;
  twice.push_back(list("brands", {"Nike"}));
  twice.push_back(list("brands", {"Visa"}));
  EXPECT_EQ(Screener::build(std::move(twice)).error().code, "term_list_duplicate");
}

TEST_F(TextScreenerTest, FloodsAreCutShort) {
  std::vector<TermList> l;
  l.push_back(list("tiny", {"aa"}));
  const Screener s = *Screener::build(std::move(l));
  const ScreenResult r = screen(s, std::string(limits::kScreenCandidatesMax + 10, 'a'));
  EXPECT_TRUE(r.truncated);
  EXPECT_TRUE(r.matches.empty());  // one word of a's: "aa" is never a whole word in it
  const ScreenResult spaced = screen(s, [] {
    std::string t;
    for (int i = 0; i < limits::kScreenMatchesMax + 5; ++i) t += "aa ";
    return t;
  }());
  EXPECT_TRUE(spaced.truncated);
  EXPECT_EQ(std::ssize(spaced.matches), limits::kScreenMatchesMax);
}

TEST_F(TextScreenerTest, BadTextIsAnErrorNamingTheField) {
  const auto r = plain_->screen("bad\xFF", "traits[2].value");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, "text_invalid_utf8");
  EXPECT_EQ(r.error().field, "traits[2].value");
}

TEST_F(TextScreenerTest, ScreensFromManyThreads) {
  std::vector<std::thread> threads;
  std::vector<int> found(4, 0);
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([t, &found] {
      for (int i = 0; i < 200; ++i) {
        auto r = words_->screen("p4yp4l nikeshoes ピカチュウ assassin");
        if (r && r->matches.size() == 3) ++found[t];
      }
    });
  }
  for (std::thread& th : threads) th.join();
  EXPECT_EQ(found, (std::vector<int>{200, 200, 200, 200}));
}

}  // namespace
}  // namespace atelier::compliance::text
