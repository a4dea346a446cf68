// screener.h — screens prompts, titles, descriptions, trait names and values, and generator
// names against term lists, through the evasions people use to slip a name past a filter.
//
//   ATELIER_TRY_ASSIGN(Screener s, Screener::build(std::move(lists), {.lexicon = words}));
//   ATELIER_TRY_ASSIGN(ScreenResult r, s.screen("p4yp4l giftcard", "title"));
//   for (const Match& m : r.matches) {
//     // m.term "PayPal", m.list "brands", m.begin 0, m.end 6 (bytes of the original),
//     // m.steps {"leet_fold"}, m.rule MatchRule::kWholeWord
//   }
//
// Both the terms and the text are normalized (normalize.h), and every normalized term is
// found in the normalized text by one multi-pattern scan (Vectorscan). What counts as a match
// depends on where it falls among the UAX #29 word boundaries of the normalized text
// (docs/compliance.md "Text screening" has the measurements behind the defaults):
//  - whole words: a match that starts and ends on word boundaries always counts;
//  - inside a word: a term of at least `inside_word_letters_min` letters (6) counts anywhere
//    ("paypalshop"); a shorter one never does by itself ("ass" is not in "assassin");
//  - a lexicon of ordinary words, if given, refines both: a match inside a word that is in the
//    lexicon is dropped ("apple" in "pineapple"), and a short term (of compound_letters_min
//    letters or more) at the start or end of a word counts when the rest of the word splits
//    into lexicon words ("nike" + "shoes");
//  - terms in scripts written without spaces (Han, kana, Hangul, Thai, Lao, Khmer, Myanmar)
//    count anywhere once they have two characters: UAX #29 segments those scripts by
//    dictionary and would split a name it does not know.
//
// Thread safety: a Screener is immutable after build; screen() may run on many threads.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "compliance/text/lexicon.h"
#include "compliance/text/normalize.h"
#include "compliance/text/term_list.h"
#include "core/error.h"

namespace atelier::compliance::text {

struct ScreenOptions {
  // Letters (and digits) a term needs, as written, to match inside a word. 6 keeps "nike",
  // "visa", "apple" and "ass" to whole words (or the compound rule) and lets "paypal" and
  // "adidas" match in "paypalshop" and "adidasoriginals". Measured on words a lexicon does not
  // know (docs/compliance.md): 5 matches 9.6% of them, 6 4.3%, 7 2.4%, whole words only 0.8%,
  // while run-together recall falls from 92% (5) to 85% (6) and 75% (7).
  int inside_word_letters_min = 6;
  // Ordinary words for the lexicon rules above; none: those rules are off.
  std::shared_ptr<const Lexicon> lexicon;
  // The compound rule takes terms of at least this many letters ("nike" yes, "ing" no), and
  // splits a word's rest into lexicon words of at least compound_piece_bytes_min bytes (word
  // lists hold every letter and most pairs of letters as "words").
  int compound_letters_min = 4;
  int compound_piece_bytes_min = 3;
  // A term that normalizes to fewer than two characters ("A", "3") cannot be screened for
  // without matching half of all text: an error naming it by default; skipped (and counted in
  // Screener::skipped_terms) when true.
  bool skip_unusable_terms = false;
};

// Why a match counts (the rules above).
enum class MatchRule : std::uint8_t { kWholeWord, kInsideWord, kCompound, kUnspacedScript };
std::string_view match_rule_name(MatchRule rule);  // "whole_word", "inside_word", …

struct Match {
  std::string term;  // as written in its list
  std::string list;
  Severity severity = Severity::kReview;
  std::int64_t term_line = 0;  // the term's line in its list file
  std::size_t begin = 0;       // the matched bytes of the original text: [begin, end)
  std::size_t end = 0;
  std::vector<std::string> steps;  // normalization steps that shaped the matched text
  MatchRule rule = MatchRule::kWholeWord;
};

struct ScreenResult {
  std::vector<Match> matches;  // by begin, then end, then list and term
  // More than kScreenMatchesMax matches, or kScreenCandidatesMax raw hits: the list is cut
  // short; evidence.h names the field in Evidence::texts_truncated, which the policy reviews.
  bool truncated = false;
  std::string normalized;  // the normalized text the terms were found in

  // The strictest severity among the matches; none when nothing matched.
  std::optional<Severity> strongest() const;
};

class Screener {
 public:
  // Normalizes and compiles every term of `lists` (at most kTermListsMax lists, together at
  // most kScreenTermsMax terms). Compiling is the slow part: 5 to 15 s for 105,000 terms.
  static Result<Screener> build(std::vector<TermList> lists, ScreenOptions options = {});

  Screener(Screener&&) noexcept;
  Screener& operator=(Screener&&) noexcept;
  ~Screener();

  // Screens one string (at most kScreenTextBytesMax bytes of UTF-8); `field` names it in
  // errors ("title", "traits[2].value").
  Result<ScreenResult> screen(std::string_view text, std::string_view field = "text") const;

  const std::vector<TermList>& lists() const;
  std::size_t pattern_count() const;   // distinct normalized patterns compiled
  std::size_t skipped_terms() const;   // terms left out under skip_unusable_terms
  std::size_t database_bytes() const;  // the compiled matcher's size

  // The normalizer this screener uses on terms and text (for a caller's own lexicon).
  const Normalizer& normalizer() const;

 private:
  struct Impl;
  explicit Screener(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace atelier::compliance::text
