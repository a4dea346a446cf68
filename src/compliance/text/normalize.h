// normalize.h — folds a string so that the usual evasions of a term list read as the term
// itself, keeping a map from every normalized byte back to the bytes of the original.
//
//   ATELIER_TRY_ASSIGN(const Normalizer n, Normalizer::create());
//   ATELIER_TRY_ASSIGN(NormalizedText t, n.normalize("P.a.y\u200bP4l"));
//   t.text;                   // "paypal"
//   t.source_span(0, 6);      // {0, 11}: the whole original
//   step_names(t.steps_in(0, 6));  // remove_invisible, nfkc_casefold, remove_separators, …
//
// The steps, in order (each one's name is what matches report; docs/compliance.md has the
// reasons for the order):
//  1. remove_invisible     Default_Ignorable_Code_Point (zero-width space and joiners, soft
//                          hyphen, bidi controls, variation selectors) removed.
//  2. nfkc_casefold        Unicode NFKC (ICU): fullwidth and compatibility forms, ligatures,
//                          math alphanumerics. Case folding (NFKC_Casefold) follows in step 3,
//                          after each character's skeleton, and is reported under this name.
//                          A character whose NFKC form reads as no Latin letter while the
//                          character itself does (lunate sigma ϲ, spacing ogonek ˛) is left
//                          for the skeleton.
//  3. confusable_skeleton  UTS #39 skeleton per code point (ICU's spoof checker), then
//                          NFKC_Casefold: Cyrillic "раураl" becomes "paypal", Greek "ΝΙΚΕ"
//                          "nlke". The skeleton is taken before folding because a capital and
//                          its lowercase can look like different Latin letters (Ν is N, ν is v).
//                          ASCII is only case-folded here: the skeleton's ASCII mappings (I and
//                          1 to l, 0 to O, m to rn) are step 6's, which applies the digit ones
//                          only inside words ("2024" stays a number).
//  4. strip_diacritics     Nonspacing and enclosing marks after a Latin, Greek, Cyrillic or
//                          common base removed (NFD first), and letters with a stroke or hook
//                          mapped to their base (đ→d, ø→o, ł→l, ħ→h, …). Marks on other scripts
//                          (kana voicing, Thai vowels) are kept: they are not decoration there.
//  5. remove_separators    Punctuation between two letters or digits removed (pay.pal, pay-pal,
//                          p.a.y); spaces removed inside runs of three or more single letters
//                          (p a y p a l); any other run of spaces and punctuation between words
//                          becomes one space. The leetspeak symbols of step 6 count as letters
//                          here, so p@y.p@l keeps its @.
//  6. leet_fold            Inside a word that has a Latin letter: digits and the symbols
//                          @ $ ! | + € read as letters (p4yp4l → paypal; a trailing ! or | stays
//                          punctuation). Everywhere, and not reported since every text changes
//                          alike: i and l are one letter (written l), as 1, I, l, | and ! stand
//                          in for both; m is "rn", the skeleton's reading of it.
// Terms are normalized with the same function as texts, so what matters is that both sides
// fold the same way, not that the folded text reads well.
//
// Thread safety: a Normalizer is immutable after create(); normalize() may run on many threads.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/error.h"

namespace atelier::compliance::text {

// A set of normalization steps (bits), in pipeline order.
using Steps = std::uint8_t;
inline constexpr Steps kStepRemoveInvisible = 1 << 0;
inline constexpr Steps kStepNfkcCasefold = 1 << 1;
inline constexpr Steps kStepConfusableSkeleton = 1 << 2;
inline constexpr Steps kStepStripDiacritics = 1 << 3;
inline constexpr Steps kStepRemoveSeparators = 1 << 4;
inline constexpr Steps kStepLeetFold = 1 << 5;

// The names of the steps in `steps`, in pipeline order ("nfkc_casefold", …).
std::vector<std::string> step_names(Steps steps);

struct NormalizedText {
  std::string text;  // the normalized string, UTF-8

  // Per byte of `text`: the span of original bytes its code point came from (a code point made
  // from several, like "e" + U+0301, maps to all of them) and the steps that changed it.
  std::vector<std::uint32_t> source_begin;
  std::vector<std::uint32_t> source_end;
  std::vector<Steps> steps;
  // Original characters that were removed: their offset and the step that removed them, in
  // offset order. A removal inside a match's span counts among the match's steps.
  std::vector<std::pair<std::uint32_t, Steps>> removals;

  // The original bytes behind text[begin, end) (begin < end <= text.size()).
  std::pair<std::uint32_t, std::uint32_t> source_span(std::size_t begin, std::size_t end) const;
  // The steps that shaped text[begin, end): changes to its characters and removals between.
  Steps steps_in(std::size_t begin, std::size_t end) const;
};

class Normalizer {
 public:
  // Opens ICU's normalizers and spoof checker; fails only if ICU's data is missing.
  static Result<Normalizer> create();

  Normalizer(Normalizer&&) noexcept;
  Normalizer& operator=(Normalizer&&) noexcept;
  ~Normalizer();

  // Normalizes valid UTF-8 of at most kScreenTextBytesMax bytes (`field` names the input in
  // errors). Fails on invalid UTF-8, or when the result would pass kScreenNormalizedBytesMax.
  Result<NormalizedText> normalize(std::string_view utf8, std::string_view field = "text") const;

 private:
  struct Icu;
  explicit Normalizer(std::unique_ptr<Icu> icu);
  std::unique_ptr<Icu> icu_;
};

}  // namespace atelier::compliance::text
