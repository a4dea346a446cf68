// evidence.cc — screener matches to the policy's TextMatch (evidence.h).
#include "compliance/text/evidence.h"

#include <string>

#include "core/assert.h"

namespace atelier::compliance::text {

TextMatch to_text_match(const Match& match, std::string_view text, std::string_view field) {
  // The span comes from screening this very text: a span outside it is a caller's mix-up.
  ATELIER_ASSERT(match.begin < match.end && match.end <= text.size(),
                 "a match's span lies inside the text it was found in");
  return TextMatch{
      .field = std::string(field),
      .term = match.term,
      .list = match.list,
      .severity = std::string(severity_name(match.severity)),
      .begin = match.begin,
      .end = match.end,
      .matched = std::string(text.substr(match.begin, match.end - match.begin)),
      .steps = match.steps,
  };
}

void append_evidence(const ScreenResult& result, std::string_view text, std::string_view field,
                     Evidence& evidence) {
  evidence.texts.reserve(evidence.texts.size() + result.matches.size());
  for (const Match& m : result.matches) evidence.texts.push_back(to_text_match(m, text, field));
  if (result.truncated) evidence.texts_truncated.emplace_back(field);
}

Result<void> screen_into(const Screener& screener, std::string_view text, std::string_view field,
                         Evidence& evidence) {
  ATELIER_TRY_ASSIGN(const ScreenResult result, screener.screen(text, field));
  append_evidence(result, text, field, evidence);
  return {};
}

}  // namespace atelier::compliance::text
