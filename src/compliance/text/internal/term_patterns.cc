// term_patterns.cc — normalizing terms into matcher patterns.
#include "compliance/text/internal/term_patterns.h"

#include <unicode/uchar.h>
#include <unicode/uscript.h>

#include <algorithm>

#include "compliance/text/internal/utf8.h"

namespace atelier::compliance::text::internal {
namespace {

bool is_word_char(char32_t cp) {
  const auto type = u_charType(static_cast<UChar32>(cp));
  return u_isalnum(static_cast<UChar32>(cp)) || type == U_NON_SPACING_MARK ||
         type == U_COMBINING_SPACING_MARK || type == U_ENCLOSING_MARK;
}

bool written_without_spaces(char32_t cp) {
  UErrorCode status = U_ZERO_ERROR;
  switch (uscript_getScript(static_cast<UChar32>(cp), &status)) {
    case USCRIPT_HAN:
    case USCRIPT_HIRAGANA:
    case USCRIPT_KATAKANA:
    case USCRIPT_HANGUL:
    case USCRIPT_THAI:
    case USCRIPT_LAO:
    case USCRIPT_KHMER:
    case USCRIPT_MYANMAR:
      return true;
    default:
      return false;
  }
}

struct Decoded {
  std::vector<char32_t> cps;
  std::vector<std::size_t> offsets;  // byte offset of each code point, then the end
};

Decoded decode(std::string_view s) {
  Decoded d;
  for (std::size_t i = 0; i < s.size();) {
    d.offsets.push_back(i);
    char32_t cp = 0;
    if (!utf8_next(s, i, cp)) break;  // normalized text is valid UTF-8
    d.cps.push_back(cp);
  }
  d.offsets.resize(d.cps.size());
  d.offsets.push_back(s.size());
  return d;
}

// `raw` normalized and trimmed of what is not a letter, digit or mark at either end; empty
// when fewer than two code points are left.
Result<std::string> pattern_of(const Normalizer& normalizer, std::string_view raw) {
  ATELIER_TRY_ASSIGN(const NormalizedText n, normalizer.normalize(raw, "term"));
  const Decoded d = decode(n.text);
  std::size_t first = 0, last = d.cps.size();
  while (first < last && !is_word_char(d.cps[first])) ++first;
  while (last > first && !is_word_char(d.cps[last - 1])) --last;
  if (last - first < 2) return std::string();
  return n.text.substr(d.offsets[first], d.offsets[last] - d.offsets[first]);
}

// `raw` with its punctuation read as spaces: "Coca-Cola" → "Coca Cola", whose pattern finds
// the text "coca cola" (where the hyphenless term's "cocacola" would not).
std::string punctuation_as_spaces(std::string_view raw) {
  std::string out;
  for (std::size_t i = 0; i < raw.size();) {
    const std::size_t at = i;
    char32_t cp = 0;
    if (!utf8_next(raw, i, cp)) return std::string(raw);  // the list checked it already
    if (u_ispunct(static_cast<UChar32>(cp))) {
      out += ' ';
    } else {
      out.append(raw.substr(at, i - at));
    }
  }
  return out;
}

}  // namespace

Result<void> PatternSet::add(const Normalizer& normalizer, std::string_view raw, TermRef ref) {
  ATELIER_TRY_ASSIGN(std::string text, pattern_of(normalizer, raw));
  if (text.empty()) {
    return fail(Error::invalid(
        "term_too_short",
        "the term '" + std::string(raw) + "' normalizes to fewer than two letters or digits",
        "term"));
  }
  std::vector<std::string> variants = {text};
  const std::string spaced_raw = punctuation_as_spaces(raw);
  ATELIER_TRY_ASSIGN(std::string spaced, pattern_of(normalizer, spaced_raw));
  if (!spaced.empty()) variants.push_back(std::move(spaced));
  if (spaced_raw.find(' ') != std::string::npos) {
    // Run together before normalizing, not after: "PlayStation 3" run together is
    // "playstatlone" (the 3 is a letter inside a word), not "playstatlon3".
    std::string joined_raw = spaced_raw;
    std::erase(joined_raw, ' ');
    ATELIER_TRY_ASSIGN(std::string joined, pattern_of(normalizer, joined_raw));
    if (!joined.empty()) variants.push_back(std::move(joined));
  }
  // A term ending in i or l (one letter after step 6) also ends in a trailing ! or |, which
  // the normalizer leaves as punctuation ("yahoo!"): "Ald!" is Aldi, "Topta|" Toptal.
  for (std::size_t k = 0, n = variants.size(); k < n; ++k) {
    if (!variants[k].ends_with('l')) continue;
    const std::string stem = variants[k].substr(0, variants[k].size() - 1);
    variants.push_back(stem + "!");
    variants.push_back(stem + "|");
  }
  std::sort(variants.begin(), variants.end());
  variants.erase(std::unique(variants.begin(), variants.end()), variants.end());
  int letters = 0;  // as written: normalization turns "M" into "rn"
  for (const char32_t cp : decode(raw).cps) letters += u_isalnum(static_cast<UChar32>(cp)) ? 1 : 0;
  for (std::string& v : variants) add_pattern(std::move(v), ref, letters);
  return {};
}

void PatternSet::add_pattern(std::string text, TermRef ref, int letters) {
  auto [it, fresh] = index_.try_emplace(text, static_cast<std::uint32_t>(patterns_.size()));
  if (!fresh) {
    Pattern& p = patterns_[it->second];
    p.terms.push_back(ref);
    p.letters = std::min(p.letters, letters);
    return;
  }
  Pattern p;
  p.letters = letters;
  for (const char32_t cp : decode(text).cps) {
    if (written_without_spaces(cp)) p.unspaced = true;
  }
  p.text = std::move(text);
  p.terms.push_back(ref);
  patterns_.push_back(std::move(p));
}

}  // namespace atelier::compliance::text::internal
