// normalize.cc — runs the six steps (internal/steps.h) and lays the result out as UTF-8 with a
// source span per byte.
#include "compliance/text/normalize.h"

#include <unicode/normalizer2.h>
#include <unicode/uspoof.h>

#include <algorithm>
#include <array>

#include "compliance/text/internal/steps.h"
#include "compliance/text/internal/utf8.h"
#include "core/assert.h"
#include "core/limits.h"

namespace atelier::compliance::text {

struct Normalizer::Icu {
  internal::IcuParts parts;
  USpoofChecker* spoof = nullptr;  // owned

  ~Icu() {
    if (spoof != nullptr) uspoof_close(spoof);
  }
};

namespace {

constexpr std::array<std::pair<Steps, std::string_view>, 6> kStepNames = {{
    {kStepRemoveInvisible, "remove_invisible"},
    {kStepNfkcCasefold, "nfkc_casefold"},
    {kStepConfusableSkeleton, "confusable_skeleton"},
    {kStepStripDiacritics, "strip_diacritics"},
    {kStepRemoveSeparators, "remove_separators"},
    {kStepLeetFold, "leet_fold"},
}};

Result<internal::Units> decode(std::string_view utf8, std::string_view field) {
  if (std::ssize(utf8) > limits::kScreenTextBytesMax) {
    return fail(Error{ErrorKind::kTooLarge, "text_too_large",
                      "the text is " + std::to_string(utf8.size()) +
                          " bytes; the limit is screen_text_bytes_max (" +
                          std::to_string(limits::kScreenTextBytesMax) + ")",
                      std::string(field)});
  }
  internal::Units units;
  units.reserve(utf8.size());
  for (std::size_t i = 0; i < utf8.size();) {
    const std::size_t at = i;
    char32_t cp = 0;
    if (!internal::utf8_next(utf8, i, cp)) {
      return fail(Error::invalid("text_invalid_utf8",
                                 "byte " + std::to_string(at + 1) + " is not valid UTF-8",
                                 std::string(field)));
    }
    units.push_back(
        internal::Unit{cp, static_cast<std::uint32_t>(at), static_cast<std::uint32_t>(i), 0});
  }
  return units;
}

Error too_long(std::string_view field) {
  return Error::limit("text_normalized_too_large",
                      "the normalized text would pass screen_normalized_bytes_max (" +
                          std::to_string(limits::kScreenNormalizedBytesMax) + " bytes)",
                      std::string(field));
}

NormalizedText lay_out(const internal::Units& units, internal::Removals removed) {
  NormalizedText t;
  for (const internal::Unit& u : units) {
    const std::size_t before = t.text.size();
    internal::utf8_append(t.text, u.cp);
    for (std::size_t k = before; k < t.text.size(); ++k) {
      t.source_begin.push_back(u.begin);
      t.source_end.push_back(u.end);
      t.steps.push_back(u.steps);
    }
  }
  std::sort(removed.begin(), removed.end());
  t.removals = std::move(removed);
  return t;
}

}  // namespace

std::vector<std::string> step_names(Steps steps) {
  std::vector<std::string> names;
  for (const auto& [bit, name] : kStepNames) {
    if ((steps & bit) != 0) names.emplace_back(name);
  }
  return names;
}

std::pair<std::uint32_t, std::uint32_t> NormalizedText::source_span(std::size_t begin,
                                                                    std::size_t end) const {
  ATELIER_ASSERT(begin < end && end <= text.size(), "a span inside the normalized text");
  return {source_begin[begin], std::max(source_end[end - 1], source_begin[begin])};
}

Steps NormalizedText::steps_in(std::size_t begin, std::size_t end) const {
  Steps out = 0;
  for (std::size_t k = begin; k < end; ++k) out |= steps[k];
  const auto [from, to] = source_span(begin, end);
  auto it = std::lower_bound(removals.begin(), removals.end(), std::make_pair(from, Steps{0}));
  for (; it != removals.end() && it->first < to; ++it) out |= it->second;
  return out;
}

Normalizer::Normalizer(std::unique_ptr<Icu> icu) : icu_(std::move(icu)) {}
Normalizer::Normalizer(Normalizer&&) noexcept = default;
Normalizer& Normalizer::operator=(Normalizer&&) noexcept = default;
Normalizer::~Normalizer() = default;

Result<Normalizer> Normalizer::create() {
  auto icu = std::make_unique<Icu>();
  UErrorCode status = U_ZERO_ERROR;
  icu->parts.nfkc = icu::Normalizer2::getNFKCInstance(status);
  icu->parts.nfkc_casefold = icu::Normalizer2::getNFKCCasefoldInstance(status);
  icu->parts.nfd = icu::Normalizer2::getNFDInstance(status);
  icu->spoof = uspoof_open(&status);
  icu->parts.spoof = icu->spoof;
  if (U_FAILURE(status)) {
    return fail(Error::internal("icu_unavailable", std::string("ICU normalizers or spoof "
                                                               "checker unavailable: ") +
                                                       u_errorName(status)));
  }
  return Normalizer(std::move(icu));
}

Result<NormalizedText> Normalizer::normalize(std::string_view utf8, std::string_view field) const {
  ATELIER_TRY_ASSIGN(internal::Units a, decode(utf8, field));
  const auto units_max = static_cast<std::size_t>(limits::kScreenNormalizedBytesMax);
  const internal::IcuParts& icu = icu_->parts;
  internal::Units b;
  internal::Removals removed;
  b.reserve(a.size());
  const auto next = [&] {
    std::swap(a, b);
    b.clear();
  };
  internal::remove_invisible(a, b, removed);
  next();
  if (!internal::nfkc(icu, a, b, removed, units_max)) return fail(too_long(field));
  next();
  if (!internal::confusable_skeleton(icu, a, b, removed, units_max)) return fail(too_long(field));
  next();
  internal::strip_diacritics(icu, a, b, removed);
  next();
  internal::remove_separators(a, b, removed);
  next();
  internal::leet_fold(a, b);
  NormalizedText t = lay_out(b, std::move(removed));
  if (std::ssize(t.text) > limits::kScreenNormalizedBytesMax) return fail(too_long(field));
  return t;
}

}  // namespace atelier::compliance::text
