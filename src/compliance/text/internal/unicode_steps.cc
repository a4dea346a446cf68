// unicode_steps.cc — normalization steps 1–4, the ones ICU's Unicode data decides: invisible
// characters, NFKC, UTS #39 skeletons with case folding, diacritics and stroked letters.
#include <unicode/uchar.h>
#include <unicode/unistr.h>
#include <unicode/uscript.h>

#include <algorithm>
#include <array>

#include "compliance/text/internal/steps.h"

namespace atelier::compliance::text::internal {
namespace {

// Letters with a stroke, bar or hook that no decomposition takes apart (NFD leaves "đ" whole),
// to their base letter. The skeleton step already turns several into base + combining overlay
// (đ → d + U+0335), which step 4 then strips; this table catches the rest. Lowercase only:
// step 2 has case-folded everything.
constexpr std::array<std::pair<char32_t, char32_t>, 46> kStroked = {{
    {0x00F0, 'd'}, {0x00F8, 'o'}, {0x0111, 'd'}, {0x0127, 'h'}, {0x0131, 'i'}, {0x0140, 'l'},
    {0x0142, 'l'}, {0x0167, 't'}, {0x0180, 'b'}, {0x0188, 'c'}, {0x0192, 'f'}, {0x0199, 'k'},
    {0x019A, 'l'}, {0x019E, 'n'}, {0x01A5, 'p'}, {0x01AD, 't'}, {0x01B4, 'y'}, {0x01B6, 'z'},
    {0x01E5, 'g'}, {0x0225, 'z'}, {0x023C, 'c'}, {0x0247, 'e'}, {0x0249, 'j'}, {0x024D, 'r'},
    {0x024F, 'y'}, {0x0253, 'b'}, {0x0256, 'd'}, {0x0257, 'd'}, {0x0260, 'g'}, {0x0268, 'i'},
    {0x026B, 'l'}, {0x026C, 'l'}, {0x0271, 'm'}, {0x0272, 'n'}, {0x0273, 'n'}, {0x0275, 'o'},
    {0x027D, 'r'}, {0x0282, 's'}, {0x0288, 't'}, {0x0289, 'u'}, {0x028B, 'v'}, {0x0290, 'z'},
    {0x1D7D, 'p'}, {0xA741, 'k'}, {0xA7A1, 'g'}, {0xA7A5, 'n'},
}};

char32_t unstroke(char32_t cp) {
  const auto it = std::lower_bound(kStroked.begin(), kStroked.end(), cp,
                                   [](const auto& e, char32_t c) { return e.first < c; });
  return it != kStroked.end() && it->first == cp ? it->second : cp;
}

bool is_mark(char32_t cp) {
  const auto type = u_charType(static_cast<UChar32>(cp));
  return type == U_NON_SPACING_MARK || type == U_ENCLOSING_MARK;
}

// Scripts whose marks are decoration an evader can add (accents, Zalgo text). Marks on other
// scripts carry meaning (kana voicing, Indic and Thai vowels) and are kept.
bool marks_strippable_after(char32_t base) {
  UErrorCode status = U_ZERO_ERROR;
  const UScriptCode script = uscript_getScript(static_cast<UChar32>(base), &status);
  return U_FAILURE(status) || script == USCRIPT_LATIN || script == USCRIPT_GREEK ||
         script == USCRIPT_CYRILLIC || script == USCRIPT_COMMON || script == USCRIPT_INHERITED;
}

// Appends `replacement`'s code points with the span of the units it replaces.
bool emit(const icu::UnicodeString& replacement, const Unit& from, Steps steps, Units& out,
          std::size_t units_max) {
  for (int32_t k = 0; k < replacement.length();) {
    const UChar32 cp = replacement.char32At(k);
    out.push_back(Unit{static_cast<char32_t>(cp), from.begin, from.end, steps});
    k += U16_LENGTH(cp);
  }
  return out.size() <= units_max;
}

// casefold(skeleton(s)), the form the next step gives `s`.
icu::UnicodeString folded_skeleton(const IcuParts& icu, const icu::UnicodeString& s) {
  icu::UnicodeString skeleton;
  UErrorCode status = U_ZERO_ERROR;
  uspoof_getSkeletonUnicodeString(icu.spoof, 0, s, skeleton, &status);
  return U_SUCCESS(status) ? icu.nfkc_casefold->normalize(skeleton, status) : s;
}

bool ascii_letters(const icu::UnicodeString& s) {
  for (int32_t k = 0; k < s.length(); ++k) {
    const char16_t c = s.charAt(k);
    if (!((c >= u'a' && c <= u'z') || (c >= u'0' && c <= u'9'))) return false;
  }
  return !s.isEmpty();
}

// NFKC and the skeleton sometimes disagree about what a character is: NFKC makes the lunate
// sigma ϲ a σ, which looks like no Latin letter, while its skeleton is c; the spacing forms of
// marks (ͺ ˛ ¨ ´) become a space and a combining mark, splitting the word an evader put one in
// to imitate a letter (ͺ for i). Where the character as written reads as Latin letters and its
// NFKC form does not, it is left for the skeleton.
bool looks_latin_unless_normalized(const IcuParts& icu, const icu::UnicodeString& chunk,
                                   const icu::UnicodeString& normal) {
  const bool spacing_mark = normal.length() > 1 && normal.charAt(0) == u' ';
  return (spacing_mark || !ascii_letters(folded_skeleton(icu, normal))) &&
         ascii_letters(folded_skeleton(icu, chunk));
}

}  // namespace

void remove_invisible(const Units& in, Units& out, Removals& removed) {
  for (const Unit& u : in) {
    if (u_hasBinaryProperty(static_cast<UChar32>(u.cp), UCHAR_DEFAULT_IGNORABLE_CODE_POINT)) {
      removed.emplace_back(u.begin, kStepRemoveInvisible);
    } else {
      out.push_back(u);
    }
  }
}

// NFKC, chunk by chunk, a chunk ending where the next code point has a normalization boundary
// before it: the concatenation of normalized chunks is the normalized whole, and each chunk's
// output maps back to the chunk's span. Case folding waits for the skeleton step.
bool nfkc(const IcuParts& icu, const Units& in, Units& out, Removals& removed,
          std::size_t units_max) {
  for (std::size_t i = 0; i < in.size();) {
    std::size_t j = i + 1;
    while (j < in.size() && !icu.nfkc->hasBoundaryBefore(static_cast<UChar32>(in[j].cp))) ++j;
    if (j == i + 1 && in[i].cp < 0x80) {  // ASCII alone is its own NFKC
      out.push_back(in[i]);
      i = j;
      continue;
    }
    icu::UnicodeString chunk;
    Unit span = in[i];
    for (std::size_t k = i; k < j; ++k) {
      chunk.append(static_cast<UChar32>(in[k].cp));
      span.steps |= in[k].steps;
    }
    span.end = in[j - 1].end;
    UErrorCode status = U_ZERO_ERROR;
    const icu::UnicodeString normal = icu.nfkc->normalize(chunk, status);
    if (U_FAILURE(status) ||
        (normal != chunk && looks_latin_unless_normalized(icu, chunk, normal))) {
      // Failure: only out of memory.
      out.insert(out.end(), in.begin() + i, in.begin() + j);
    } else if (normal.isEmpty()) {
      for (std::size_t k = i; k < j; ++k) removed.emplace_back(in[k].begin, kStepNfkcCasefold);
    } else {
      const Steps changed = normal == chunk ? 0 : kStepNfkcCasefold;
      if (!emit(normal, span, span.steps | changed, out, units_max)) return false;
    }
    i = j;
  }
  return out.size() <= units_max;
}

// The skeleton comes before case folding so that a capital maps through its own prototype:
// Greek capital Ν is N, while its lowercase ν would be v. Both the skeleton and the folded
// original are case-folded, and the skeleton is reported only where they differ.
bool confusable_skeleton(const IcuParts& icu, const Units& in, Units& out, Removals& removed,
                         std::size_t units_max) {
  for (const Unit& u : in) {
    if (u.cp < 0x80) {
      // ASCII: case folding only. UTS #39 maps I to l and m to "rn" (and 0, 1, | to O, l, l);
      // step 6 folds every i into l and every m into "rn", whatever it came from, and reads
      // digits and | as letters only inside words.
      Unit folded = u;
      if (u.cp >= 'A' && u.cp <= 'Z') folded.cp += 'a' - 'A', folded.steps |= kStepNfkcCasefold;
      out.push_back(folded);
      continue;
    }
    const icu::UnicodeString one(static_cast<UChar32>(u.cp));
    icu::UnicodeString skeleton;
    UErrorCode status = U_ZERO_ERROR;
    uspoof_getSkeletonUnicodeString(icu.spoof, 0, one, skeleton, &status);
    const icu::UnicodeString plain = icu.nfkc_casefold->normalize(one, status);
    const icu::UnicodeString folded = icu.nfkc_casefold->normalize(skeleton, status);
    if (U_FAILURE(status) || folded == one) {
      out.push_back(u);
      continue;
    }
    const Steps steps = u.steps | (plain != one ? kStepNfkcCasefold : 0) |
                        (folded != plain ? kStepConfusableSkeleton : 0);
    if (folded.isEmpty()) {
      const Steps by = steps & ~u.steps;
      removed.emplace_back(u.begin, by != 0 ? by : kStepConfusableSkeleton);
      continue;
    }
    if (!emit(folded, u, steps, out, units_max)) return false;
  }
  return out.size() <= units_max;
}

void strip_diacritics(const IcuParts& icu, const Units& in, Units& out, Removals& removed) {
  // Whether marks are dropped: decided by the last letter, not the last character, so that a
  // Thai vowel spaced out ("ล-ิ-ซ") stays Thai. Marks before any letter are dropped.
  bool strippable = true;
  for (const Unit& u : in) {
    if (is_mark(u.cp)) {
      if (strippable) {
        removed.emplace_back(u.begin, kStepStripDiacritics);
      } else {
        out.push_back(u);
      }
      continue;
    }
    const bool letter = u_isalpha(static_cast<UChar32>(u.cp)) != 0;
    if (letter) strippable = u.cp < 0x80 || marks_strippable_after(u.cp);
    if (u.cp < 0x80 || !letter || !strippable) {
      out.push_back(u);
      continue;
    }
    icu::UnicodeString parts;
    if (!icu.nfd->getDecomposition(static_cast<UChar32>(u.cp), parts)) {
      parts = icu::UnicodeString(static_cast<UChar32>(u.cp));
    }
    const bool decomposed = parts != icu::UnicodeString(static_cast<UChar32>(u.cp));
    for (int32_t k = 0; k < parts.length();) {
      const UChar32 cp = parts.char32At(k);
      k += U16_LENGTH(cp);
      if (is_mark(static_cast<char32_t>(cp))) continue;
      const char32_t base = unstroke(static_cast<char32_t>(cp));
      const bool changed = decomposed || base != static_cast<char32_t>(cp);
      out.push_back(Unit{base, u.begin, u.end,
                         static_cast<Steps>(u.steps | (changed ? kStepStripDiacritics : 0))});
    }
  }
}

}  // namespace atelier::compliance::text::internal
