// lexicon.h — ordinary words, normalized as texts are, for the screener's run-together rules:
// a match inside a word that is itself ordinary ("pineapple" for the term "apple") is dropped,
// and a short term at the edge of a word whose rest is ordinary ("nike" + "shoes") is kept.
//
//   ATELIER_TRY_ASSIGN(Lexicon words, Lexicon::parse(read("/usr/share/dict/words"), normalizer));
//
// A word list is UTF-8, one word per line (Debian's wamerican and friends); blank lines are
// skipped and a line that is not valid UTF-8 is an error naming it. Thread safety: immutable
// after parse; contains() may run on many threads.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <unordered_set>

#include "compliance/text/normalize.h"
#include "core/error.h"

namespace atelier::compliance::text {

class Lexicon {
 public:
  // Limits: kLexiconBytesMax for the file, kTermBytesMax per word (longer lines are errors).
  static Result<Lexicon> parse(std::string_view word_list, const Normalizer& normalizer);

  // Whether `normalized` (a span of normalized text) is a word of the list.
  bool contains(std::string_view normalized) const { return words_.contains(normalized); }
  std::size_t size() const { return words_.size(); }

 private:
  struct Hash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  std::unordered_set<std::string, Hash, std::equal_to<>> words_;
};

}  // namespace atelier::compliance::text
