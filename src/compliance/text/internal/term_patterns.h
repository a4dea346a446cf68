// term_patterns.h — what the matcher looks for on behalf of each term: the term normalized as
// text is, trimmed of punctuation at its ends, and for a term of several words also the words
// run together ("coca cola" and "cocacola", since the text "Coca-Cola" loses its hyphen).
// Terms that normalize alike share one pattern.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "compliance/text/normalize.h"
#include "core/error.h"

namespace atelier::compliance::text::internal {

struct TermRef {
  std::uint32_t list = 0;  // index into the screener's lists
  std::uint32_t term = 0;  // index into that list's terms
};

struct Pattern {
  std::string text;  // normalized bytes
  std::vector<TermRef> terms;
  int letters = 0;        // letters and digits of the shortest term written (not normalized)
  bool unspaced = false;  // has a character of a script written without spaces
};

class PatternSet {
 public:
  // Adds `raw`'s patterns for `ref`. Fails with term_too_short when the term normalizes to
  // fewer than two letters or digits (the caller decides whether that stops the build).
  Result<void> add(const Normalizer& normalizer, std::string_view raw, TermRef ref);

  const std::vector<Pattern>& patterns() const { return patterns_; }
  std::vector<Pattern> release() && { return std::move(patterns_); }

 private:
  void add_pattern(std::string text, TermRef ref, int letters);

  std::vector<Pattern> patterns_;
  std::unordered_map<std::string, std::uint32_t> index_;
};

}  // namespace atelier::compliance::text::internal
