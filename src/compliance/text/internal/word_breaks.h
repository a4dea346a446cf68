// word_breaks.h — UAX #29 word boundaries of a UTF-8 string (ICU's word BreakIterator), at
// byte offsets. ICU segments scripts written without spaces (Thai, Japanese, Chinese) by
// dictionary.
//
// Thread safety: boundaries() may run on many threads; each takes an iterator from a pool
// (a BreakIterator holds its text, so one cannot serve two scans at once).
#pragma once

#include <memory>
#include <string_view>
#include <vector>

#include "core/error.h"

namespace atelier::compliance::text::internal {

class WordBreaks {
 public:
  static Result<WordBreaks> create();

  WordBreaks(WordBreaks&&) noexcept;
  WordBreaks& operator=(WordBreaks&&) noexcept;
  ~WordBreaks();

  // result[i] is true when byte offset i (0..text.size()) is a word boundary.
  Result<std::vector<bool>> boundaries(std::string_view text) const;

 private:
  struct Pool;
  explicit WordBreaks(std::unique_ptr<Pool> pool);
  std::unique_ptr<Pool> pool_;
};

}  // namespace atelier::compliance::text::internal
