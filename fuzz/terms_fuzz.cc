// libFuzzer target: term list import and text screening (issue 16 §3, §5). The input is read
// three ways: as a text to normalize, as a term list file (text or CSV form), and — when it
// parses — as the text screened against itself as a list. Build with `make fuzz`; saved
// inputs in fuzz/corpus/terms are replayed by tests/fuzz on every test run.
//
// Invariants beyond "no crash, no out-of-bounds read": every normalized byte maps to a span of
// the input, in order; a parse error has a code and names a line when it is about one; a parsed
// list holds distinct, trimmed, non-empty terms within the limits; every match names a term of
// the list and a span of the input that starts and ends on code point boundaries; the matches,
// handed to the default policy as evidence, always make a decision: the strictest severity
// matched (review for a result cut short).
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <set>
#include <string>
#include <string_view>

#include "compliance/policy.h"
#include "compliance/text/evidence.h"
#include "compliance/text/screener.h"
#include "core/limits.h"

namespace {

using namespace atelier::compliance::text;

void check(bool ok) {
  if (!ok) std::abort();
}

bool code_point_start(std::string_view s, std::size_t at) {
  return at == s.size() || (static_cast<unsigned char>(s[at]) & 0xC0) != 0x80;
}

const Normalizer& normalizer() {
  static const Normalizer* n = new Normalizer(*Normalizer::create());
  return *n;
}

std::shared_ptr<const Lexicon> lexicon() {
  static const auto words = std::make_shared<const Lexicon>(
      *Lexicon::parse("shoes\nshop\nstore\nofficial\nart\nfan\npine\napple\n", normalizer()));
  return words;
}

void check_normalized(std::string_view in) {
  const auto n = normalizer().normalize(in);
  if (!n) {
    check(!n.error().code.empty());
    return;
  }
  check(n->source_begin.size() == n->text.size() && n->source_end.size() == n->text.size());
  std::uint32_t last = 0;
  for (std::size_t i = 0; i < n->text.size(); ++i) {
    check(n->source_begin[i] <= n->source_end[i] && n->source_end[i] <= in.size());
    check(n->source_begin[i] >= last);
    last = n->source_begin[i];
  }
  for (const auto& [offset, step] : n->removals) check(offset < in.size() && step != 0);
}

void check_list(const TermList& list) {
  std::set<std::string_view> seen;
  for (const Term& t : list.terms()) {
    check(!t.text.empty() && std::ssize(t.text) <= atelier::limits::kTermBytesMax);
    check(t.text.front() != ' ' && t.text.back() != ' ' && t.line > 0);
    check(seen.insert(t.text).second);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view in(reinterpret_cast<const char*>(data), size);
  check_normalized(in);
  auto list = TermList::parse(in, TermListInfo{"fuzz", "fuzz input", "", Severity::kReview});
  if (!list) {
    check(!list.error().code.empty() && !list.error().message.empty());
    return 0;
  }
  check_list(*list);
  // Compiling the matcher is the slow part (milliseconds per hundred terms): fuzz the screening
  // of small lists, the parsing of any.
  if (list->terms().size() > 64) return 0;
  std::set<std::string> terms;
  for (const Term& t : list->terms()) terms.insert(t.text);
  ScreenOptions options;
  options.skip_unusable_terms = true;
  options.lexicon = lexicon();
  auto screener = Screener::build({*list}, options);
  if (!screener) {
    check(screener.error().code == "term_lists_unusable");
    return 0;
  }
  const auto result = screener->screen(in);
  if (!result) {
    check(!result.error().code.empty());
    return 0;
  }
  check(std::ssize(result->matches) <= atelier::limits::kScreenMatchesMax);
  for (const Match& m : result->matches) {
    check(m.begin < m.end && m.end <= in.size());
    check(code_point_start(in, m.begin) && code_point_start(in, m.end));
    check(m.list == "fuzz" && terms.contains(m.term));
  }
  atelier::compliance::Evidence evidence;
  append_evidence(*result, in, "text", evidence);
  const auto decision =
      atelier::compliance::decide(atelier::compliance::default_policy(), evidence);
  check(decision.has_value());
  using atelier::compliance::Action;
  Action expected = result->truncated ? Action::kReview : Action::kAllow;
  if (const auto s = result->strongest()) {
    expected = *s == Severity::kBlock ? Action::kBlock : std::max(expected, Action::kReview);
  }
  check(decision->outcome == expected);
  return 0;
}
