// steps.h — the six normalization steps of normalize.h, each a pass from one sequence of code
// points to the next. Every code point carries the span of original bytes it came from and the
// steps that changed it, which is how a match finds its way back to the original.
#pragma once

#include <unicode/normalizer2.h>
#include <unicode/uspoof.h>

#include <cstddef>
#include <cstdint>
#include <utility>
#include <vector>

#include "compliance/text/normalize.h"

namespace atelier::compliance::text::internal {

struct Unit {
  char32_t cp = 0;
  std::uint32_t begin = 0;  // original bytes [begin, end)
  std::uint32_t end = 0;
  Steps steps = 0;
};
using Units = std::vector<Unit>;
// Original offsets of removed characters, with the step that removed each.
using Removals = std::vector<std::pair<std::uint32_t, Steps>>;

struct IcuParts {
  const icu::Normalizer2* nfkc = nullptr;
  const icu::Normalizer2* nfkc_casefold = nullptr;
  const icu::Normalizer2* nfd = nullptr;
  const USpoofChecker* spoof = nullptr;
};

// Steps 1–4 (unicode_steps.cc). The expanding steps stop once `out` passes `units_max` and
// return false, so that a string of U+FDFA cannot allocate 18 times its size twice over.
void remove_invisible(const Units& in, Units& out, Removals& removed);
bool nfkc(const IcuParts& icu, const Units& in, Units& out, Removals& removed,
          std::size_t units_max);
bool confusable_skeleton(const IcuParts& icu, const Units& in, Units& out, Removals& removed,
                         std::size_t units_max);
void strip_diacritics(const IcuParts& icu, const Units& in, Units& out, Removals& removed);

// Steps 5–6 (word_steps.cc): they look at the word around a character.
void remove_separators(const Units& in, Units& out, Removals& removed);
void leet_fold(const Units& in, Units& out);

}  // namespace atelier::compliance::text::internal
