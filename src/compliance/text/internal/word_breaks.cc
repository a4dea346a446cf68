// word_breaks.cc — a pool of ICU word break iterators over UTF-8 (UText, no UTF-16 copy).
#include "compliance/text/internal/word_breaks.h"

#include <unicode/brkiter.h>
#include <unicode/utext.h>

#include <mutex>

namespace atelier::compliance::text::internal {

struct WordBreaks::Pool {
  std::unique_ptr<icu::BreakIterator> prototype;
  std::mutex mutex;
  std::vector<std::unique_ptr<icu::BreakIterator>> idle;  // guarded by mutex

  std::unique_ptr<icu::BreakIterator> take() {
    {
      std::lock_guard lock(mutex);
      if (!idle.empty()) {
        auto it = std::move(idle.back());
        idle.pop_back();
        return it;
      }
    }
    return std::unique_ptr<icu::BreakIterator>(prototype->clone());
  }

  void give_back(std::unique_ptr<icu::BreakIterator> it) {
    std::lock_guard lock(mutex);
    idle.push_back(std::move(it));
  }
};

WordBreaks::WordBreaks(std::unique_ptr<Pool> pool) : pool_(std::move(pool)) {}
WordBreaks::WordBreaks(WordBreaks&&) noexcept = default;
WordBreaks& WordBreaks::operator=(WordBreaks&&) noexcept = default;
WordBreaks::~WordBreaks() = default;

Result<WordBreaks> WordBreaks::create() {
  auto pool = std::make_unique<Pool>();
  UErrorCode status = U_ZERO_ERROR;
  pool->prototype.reset(icu::BreakIterator::createWordInstance(icu::Locale::getRoot(), status));
  if (U_FAILURE(status) || pool->prototype == nullptr) {
    return fail(Error::internal("icu_unavailable",
                                std::string("ICU word break iterator: ") + u_errorName(status)));
  }
  return WordBreaks(std::move(pool));
}

Result<std::vector<bool>> WordBreaks::boundaries(std::string_view text) const {
  std::vector<bool> at(text.size() + 1, false);
  std::unique_ptr<icu::BreakIterator> it = pool_->take();
  if (it == nullptr) return fail(Error::internal("icu_unavailable", "break iterator clone"));
  UErrorCode status = U_ZERO_ERROR;
  UText* utext = utext_openUTF8(nullptr, text.data(), static_cast<int64_t>(text.size()), &status);
  it->setText(utext, status);
  if (U_SUCCESS(status)) {
    for (int32_t b = it->first(); b != icu::BreakIterator::DONE; b = it->next()) {
      if (b >= 0 && static_cast<std::size_t>(b) <= text.size()) at[b] = true;
    }
  }
  // The iterator keeps a shallow clone of `utext` that points into `text`; it is not read again
  // before the next setText replaces it.
  utext_close(utext);
  pool_->give_back(std::move(it));
  if (U_FAILURE(status)) {
    return fail(Error::internal("icu_word_breaks_failed",
                                std::string("ICU word breaks: ") + u_errorName(status)));
  }
  at[0] = at[text.size()] = true;
  return at;
}

}  // namespace atelier::compliance::text::internal
