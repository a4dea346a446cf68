// word_steps.cc — normalization steps 5 and 6, which look at the word around a character:
// separators (a dot is dropped only between letters, a space only inside a run of single
// letters) and leetspeak (a digit is a letter only inside a word). Separators go first, so
// that "p.4.y" and "p 4 y" are one word when step 6 decides whether 4 is a letter.
#include <unicode/uchar.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>

#include "compliance/text/internal/steps.h"

namespace atelier::compliance::text::internal {
namespace {

bool is_mark(char32_t cp) {
  const auto type = u_charType(static_cast<UChar32>(cp));
  return type == U_NON_SPACING_MARK || type == U_ENCLOSING_MARK || type == U_COMBINING_SPACING_MARK;
}

bool is_letter_or_digit(char32_t cp) { return u_isalnum(static_cast<UChar32>(cp)) != 0; }

// The letter a leetspeak digit or symbol stands for, or 0. One reading each: 1 and ! and |
// are l (step 5 folds i into l anyway), 6 and 9 are g.
char32_t leet_letter(char32_t cp) {
  switch (cp) {
    case '0':
      return 'o';
    case '1':
      return 'l';
    case '2':
      return 'z';
    case '3':
      return 'e';
    case '4':
      return 'a';
    case '5':
      return 's';
    case '6':
      return 'g';
    case '7':
      return 't';
    case '8':
      return 'b';
    case '9':
      return 'g';
    case '@':
      return 'a';
    case '$':
      return 's';
    case '!':
      return 'l';
    case '|':
      return 'l';
    case '+':
      return 't';
    case 0x20AC:
      return 'e';  // €
    default:
      return 0;
  }
}

bool in_word(char32_t cp) { return is_letter_or_digit(cp) || is_mark(cp) || leet_letter(cp); }

// Folds one word (units [b, e), all in_word) that has a Latin letter.
void fold_word(Units& units, std::size_t b, std::size_t e) {
  for (std::size_t k = b; k < e; ++k) {
    const char32_t letter = leet_letter(units[k].cp);
    if (letter == 0) continue;
    const bool digit = units[k].cp >= '0' && units[k].cp <= '9';
    // A trailing ! or | is punctuation ("yahoo!"; a term ending in i or l also matches a
    // trailing !, term_patterns.h); other symbols count anywhere in the word ("adida$").
    const bool last = k + 1 == e;
    if (digit || !last || (units[k].cp != '!' && units[k].cp != '|')) {
      units[k].cp = letter;
      units[k].steps |= kStepLeetFold;
    }
  }
}

// What step 5 sees: runs of word characters (fragments) and the gaps between them.
struct Run {
  std::size_t begin = 0, end = 0;  // unit indexes
  bool word = false;
  bool has_space = false;  // gaps
  int letters = 0;         // fragments: how many original characters (m → "rn" is one)
};

std::vector<Run> runs_of(const Units& in) {
  std::vector<Run> runs;
  for (std::size_t i = 0; i < in.size();) {
    Run r{i, i, in_word(in[i].cp)};
    std::uint32_t last_begin = UINT32_MAX;
    while (r.end < in.size() && in_word(in[r.end].cp) == r.word) {
      const Unit& u = in[r.end];
      if (!r.word && u_isUWhiteSpace(static_cast<UChar32>(u.cp))) r.has_space = true;
      if (r.word && !is_mark(u.cp) && u.begin != last_begin) ++r.letters, last_begin = u.begin;
      ++r.end;
    }
    if (r.word && r.letters == 0) r.letters = 1;  // a mark alone: "ล - ิ - ซ" spaced out
    runs.push_back(r);
    i = r.end;
  }
  return runs;
}

// A gap of at most this many characters may separate the single letters of "p a y p a l".
constexpr std::size_t kSpacedGapMax = 3;
// Single letters spaced out are joined only in runs of at least this many ("a b" stays).
constexpr int kSpacedRunMin = 3;

}  // namespace

void leet_fold(const Units& in, Units& out) {
  Units folded = in;
  for (std::size_t i = 0; i < folded.size();) {
    if (!in_word(folded[i].cp)) {
      ++i;
      continue;
    }
    std::size_t j = i;
    bool latin = false;
    while (j < folded.size() && in_word(folded[j].cp)) {
      latin = latin || (folded[j].cp >= 'a' && folded[j].cp <= 'z');
      ++j;
    }
    if (latin) fold_word(folded, i, j);
    i = j;
  }
  // The letters UTS #39 confuses within ASCII, folded for every text alike (so not reported as
  // a step): i and l are one letter ("paypaI" with a capital I, 1, |), and m is "rn" (the
  // skeleton's own prototype), also where an m came from Greek Μ or from ḿ.
  for (Unit u : folded) {
    if (u.cp == 'i') u.cp = 'l';
    if (u.cp == 'm') {
      out.push_back(Unit{'r', u.begin, u.end, u.steps});
      u.cp = 'n';
    }
    out.push_back(u);
  }
}

void remove_separators(const Units& in, Units& out, Removals& removed) {
  const std::vector<Run> runs = runs_of(in);
  // Runs of spaced single letters: for each fragment, the first fragment of its run and the
  // run's length (runs alternate fragment, gap, fragment, …).
  std::vector<std::size_t> spaced_start(runs.size(), SIZE_MAX);
  std::vector<int> spaced_count(runs.size(), 0);
  for (std::size_t r = 0; r < runs.size();) {
    if (!runs[r].word || runs[r].letters != 1) {
      ++r;
      continue;
    }
    std::size_t last = r;
    while (last + 2 < runs.size() && runs[last + 2].word && runs[last + 2].letters == 1 &&
           runs[last + 1].end - runs[last + 1].begin <= kSpacedGapMax) {
      last += 2;
    }
    for (std::size_t k = r; k <= last; ++k) {
      spaced_start[k] = r;
      spaced_count[k] = static_cast<int>((last - r) / 2 + 1);
    }
    r = last + 1;
  }
  for (std::size_t r = 0; r < runs.size(); ++r) {
    const Run& run = runs[r];
    const bool between = r > 0 && r + 1 < runs.size();  // a gap with words on both sides
    if (run.word || !between) {
      out.insert(out.end(), in.begin() + run.begin, in.begin() + run.end);
      continue;
    }
    const bool in_spaced = spaced_start[r - 1] != SIZE_MAX &&
                           spaced_start[r - 1] == spaced_start[r + 1] &&
                           spaced_count[r - 1] >= kSpacedRunMin;
    if (!run.has_space || in_spaced) {
      for (std::size_t k = run.begin; k < run.end; ++k) {
        removed.emplace_back(in[k].begin, kStepRemoveSeparators);
      }
    } else if (run.end - run.begin == 1 && in[run.begin].cp == ' ') {
      out.push_back(in[run.begin]);
    } else {
      // Any other gap between words becomes one space, so "coca - cola" reads "coca cola".
      out.push_back(Unit{' ', in[run.begin].begin, in[run.end - 1].end,
                         static_cast<Steps>(in[run.begin].steps | kStepRemoveSeparators)});
    }
  }
}

}  // namespace atelier::compliance::text::internal
