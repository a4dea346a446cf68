// screener.cc — building the pattern database from term lists, and screening a string: scan
// the normalized text, keep the hits the boundary rules allow, map them back to the original.
#include "compliance/text/screener.h"

#include <algorithm>
#include <set>
#include <tuple>

#include "compliance/text/internal/literal_matcher.h"
#include "compliance/text/internal/term_patterns.h"
#include "compliance/text/internal/word_breaks.h"
#include "core/limits.h"

namespace atelier::compliance::text {

struct Screener::Impl {
  std::vector<TermList> lists;
  ScreenOptions options;
  Normalizer normalizer;
  internal::WordBreaks word_breaks;
  std::vector<internal::Pattern> patterns;
  internal::LiteralMatcher matcher;
  std::size_t skipped = 0;
};

namespace {

struct Hit {
  std::uint32_t pattern = 0;
  std::size_t begin = 0;  // normalized bytes
  std::size_t end = 0;
};

// Whether `rest` (a span of normalized text) splits into lexicon words of at least
// `piece_min` bytes. Dynamic programming over the byte offsets; `rest` is one word's tail.
bool splits_into_words(std::string_view rest, const Lexicon& lexicon, std::size_t piece_min) {
  constexpr std::size_t kRestBytesMax = 64;  // a word's tail longer than this is not a compound
  if (rest.size() < piece_min || rest.size() > kRestBytesMax) return false;
  std::vector<bool> reachable(rest.size() + 1, false);
  reachable[0] = true;
  for (std::size_t from = 0; from < rest.size(); ++from) {
    if (!reachable[from]) continue;
    for (std::size_t to = from + piece_min; to <= rest.size(); ++to) {
      if (!reachable[to] && lexicon.contains(rest.substr(from, to - from))) reachable[to] = true;
    }
  }
  return reachable[rest.size()];
}

// The word boundaries of a normalized text, with the nearest one on either side of every
// offset (so that many hits inside one long word cost one pass, not one pass each).
struct Words {
  std::vector<bool> boundary;
  std::vector<std::uint32_t> before;  // the last boundary at or before each offset
  std::vector<std::uint32_t> after;   // the first boundary at or after each offset

  explicit Words(std::vector<bool> at) : boundary(std::move(at)) {
    const std::size_t n = boundary.size();
    before.resize(n);
    after.resize(n);
    for (std::size_t i = 0, last = 0; i < n; ++i) {
      if (boundary[i]) last = i;
      before[i] = static_cast<std::uint32_t>(last);
    }
    for (std::size_t i = n, next = n - 1; i-- > 0;) {
      if (boundary[i]) next = i;
      after[i] = static_cast<std::uint32_t>(next);
    }
  }
};

// The rule a hit matches under, or none (screener.h lists the rules).
std::optional<MatchRule> rule_for(const Hit& hit, const internal::Pattern& pattern,
                                  std::string_view text, const Words& words,
                                  const ScreenOptions& options) {
  if (pattern.unspaced) return MatchRule::kUnspacedScript;
  const bool starts = words.boundary[hit.begin], ends = words.boundary[hit.end];
  if (starts && ends) return MatchRule::kWholeWord;
  const std::size_t word_begin = words.before[hit.begin], word_end = words.after[hit.end];
  const Lexicon* lexicon = options.lexicon.get();
  if (lexicon != nullptr && lexicon->contains(text.substr(word_begin, word_end - word_begin))) {
    return std::nullopt;  // an ordinary word: "pineapple" does not hold "apple"
  }
  if (pattern.letters >= options.inside_word_letters_min) return MatchRule::kInsideWord;
  if (lexicon == nullptr || (!starts && !ends) || pattern.letters < options.compound_letters_min) {
    return std::nullopt;
  }
  const std::string_view rest = starts ? text.substr(hit.end, word_end - hit.end)
                                       : text.substr(word_begin, hit.begin - word_begin);
  if (splits_into_words(rest, *lexicon,
                        static_cast<std::size_t>(std::max(1, options.compound_piece_bytes_min)))) {
    return MatchRule::kCompound;
  }
  return std::nullopt;
}

Result<void> check_lists(const std::vector<TermList>& lists) {
  if (lists.empty() || std::ssize(lists) > limits::kTermListsMax) {
    return fail(Error::invalid("term_lists_count",
                               "a screener takes 1 to term_lists_max (" +
                                   std::to_string(limits::kTermListsMax) + ") lists; got " +
                                   std::to_string(lists.size()),
                               "lists"));
  }
  std::int64_t terms = 0;
  std::set<std::string_view> names;
  for (const TermList& list : lists) {
    terms += std::ssize(list.terms());
    if (!names.insert(list.info().name).second) {
      return fail(Error::invalid("term_list_duplicate",
                                 "two lists are named '" + list.info().name + "'", "lists"));
    }
  }
  if (terms > limits::kScreenTermsMax) {
    return fail(Error::limit("screen_too_many_terms",
                             std::to_string(terms) + " terms; the limit is screen_terms_max (" +
                                 std::to_string(limits::kScreenTermsMax) + ")",
                             "lists"));
  }
  return {};
}

}  // namespace

std::string_view match_rule_name(MatchRule rule) {
  switch (rule) {
    case MatchRule::kWholeWord:
      return "whole_word";
    case MatchRule::kInsideWord:
      return "inside_word";
    case MatchRule::kCompound:
      return "compound";
    case MatchRule::kUnspacedScript:
      return "unspaced_script";
  }
  return "unknown";
}

std::optional<Severity> ScreenResult::strongest() const {
  std::optional<Severity> s;
  for (const Match& m : matches) s = s ? std::max(*s, m.severity) : m.severity;
  return s;
}

Screener::Screener(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Screener::Screener(Screener&&) noexcept = default;
Screener& Screener::operator=(Screener&&) noexcept = default;
Screener::~Screener() = default;

Result<Screener> Screener::build(std::vector<TermList> lists, ScreenOptions options) {
  ATELIER_TRY(check_lists(lists));
  ATELIER_TRY_ASSIGN(Normalizer normalizer, Normalizer::create());
  ATELIER_TRY_ASSIGN(internal::WordBreaks word_breaks, internal::WordBreaks::create());
  internal::PatternSet set;
  std::size_t skipped = 0;
  for (std::uint32_t l = 0; l < lists.size(); ++l) {
    const TermList& list = lists[l];
    for (std::uint32_t t = 0; t < list.terms().size(); ++t) {
      const Term& term = list.terms()[t];
      auto added = set.add(normalizer, term.text, {l, t});
      if (added) continue;
      if (added.error().code == "term_too_short" && options.skip_unusable_terms) {
        ++skipped;
        continue;
      }
      Error e = added.error();
      e.message = list.info().name + ", line " + std::to_string(term.line) + ": " + e.message;
      e.field = "line " + std::to_string(term.line);
      return fail(std::move(e));
    }
  }
  std::vector<internal::Pattern> patterns = std::move(set).release();
  if (patterns.empty()) {
    return fail(
        Error::invalid("term_lists_unusable", "no term in the lists can be screened for", "lists"));
  }
  std::vector<std::string> literals;
  literals.reserve(patterns.size());
  for (const internal::Pattern& p : patterns) literals.push_back(p.text);
  ATELIER_TRY_ASSIGN(internal::LiteralMatcher matcher, internal::LiteralMatcher::compile(literals));
  return Screener(std::unique_ptr<Impl>(
      new Impl{std::move(lists), std::move(options), std::move(normalizer), std::move(word_breaks),
               std::move(patterns), std::move(matcher), skipped}));
}

Result<ScreenResult> Screener::screen(std::string_view text, std::string_view field) const {
  ATELIER_TRY_ASSIGN(NormalizedText n, impl_->normalizer.normalize(text, field));
  ScreenResult result;
  std::vector<Hit> hits;
  const auto on_hit = [&](std::uint32_t pattern, std::size_t end) {
    hits.push_back(Hit{pattern, end - impl_->patterns[pattern].text.size(), end});
    return std::ssize(hits) < limits::kScreenCandidatesMax;
  };
  ATELIER_TRY_ASSIGN(const bool complete, impl_->matcher.scan(n.text, on_hit));
  result.truncated = !complete;
  if (!hits.empty()) {
    ATELIER_TRY_ASSIGN(std::vector<bool> boundary, impl_->word_breaks.boundaries(n.text));
    const Words words(std::move(boundary));
    std::set<std::tuple<std::size_t, std::size_t, std::uint32_t, std::uint32_t>> seen;
    for (const Hit& hit : hits) {
      const internal::Pattern& p = impl_->patterns[hit.pattern];
      const auto rule = rule_for(hit, p, n.text, words, impl_->options);
      if (!rule) continue;
      const auto [begin, end] = n.source_span(hit.begin, hit.end);
      const std::vector<std::string> steps = step_names(n.steps_in(hit.begin, hit.end));
      for (const internal::TermRef& ref : p.terms) {
        if (!seen.emplace(begin, end, ref.list, ref.term).second) continue;
        if (std::ssize(result.matches) >= limits::kScreenMatchesMax) {
          result.truncated = true;
          break;
        }
        const TermList& list = impl_->lists[ref.list];
        const Term& term = list.terms()[ref.term];
        result.matches.push_back(
            Match{term.text, list.info().name, term.severity, term.line, begin, end, steps, *rule});
      }
    }
  }
  std::sort(result.matches.begin(), result.matches.end(), [](const Match& a, const Match& b) {
    return std::tie(a.begin, a.end, a.list, a.term) < std::tie(b.begin, b.end, b.list, b.term);
  });
  result.normalized = std::move(n.text);
  return result;
}

const std::vector<TermList>& Screener::lists() const { return impl_->lists; }
std::size_t Screener::pattern_count() const { return impl_->patterns.size(); }
std::size_t Screener::skipped_terms() const { return impl_->skipped; }
std::size_t Screener::database_bytes() const { return impl_->matcher.database_bytes(); }
const Normalizer& Screener::normalizer() const { return impl_->normalizer; }

}  // namespace atelier::compliance::text
