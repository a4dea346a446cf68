// lexicon.cc — reading a word list into normalized words.
#include "compliance/text/lexicon.h"

#include <algorithm>

#include "core/limits.h"

namespace atelier::compliance::text {

Result<Lexicon> Lexicon::parse(std::string_view word_list, const Normalizer& normalizer) {
  if (std::ssize(word_list) > limits::kLexiconBytesMax) {
    return fail(Error{ErrorKind::kTooLarge, "lexicon_too_large",
                      "the word list is " + std::to_string(word_list.size()) +
                          " bytes; the limit is lexicon_bytes_max (" +
                          std::to_string(limits::kLexiconBytesMax) + ")",
                      "lexicon"});
  }
  Lexicon lexicon;
  std::int64_t line = 0;
  for (std::size_t pos = 0; pos < word_list.size();) {
    const std::size_t nl = std::min(word_list.find('\n', pos), word_list.size());
    std::string_view word = word_list.substr(pos, nl - pos);
    pos = nl + 1;
    ++line;
    if (word.ends_with('\r')) word.remove_suffix(1);
    if (word.empty()) continue;
    const std::string where = "lexicon line " + std::to_string(line);
    if (std::ssize(word) > limits::kTermBytesMax) {
      return fail(Error::invalid("lexicon_word_too_long",
                                 where + ": a word is at most term_bytes_max (" +
                                     std::to_string(limits::kTermBytesMax) + ") bytes",
                                 where));
    }
    ATELIER_TRY_ASSIGN(const NormalizedText n, normalizer.normalize(word, where));
    if (!n.text.empty()) lexicon.words_.insert(n.text);
  }
  return lexicon;
}

}  // namespace atelier::compliance::text
