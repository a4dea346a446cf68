// evidence.h — the screener's matches as the evidence a compliance policy judges (policy.h):
// each Match becomes a TextMatch naming the field, the term, its list and severity, the span
// and the bytes it covers in the original text, and the normalization steps.
//
//   ATELIER_TRY_ASSIGN(ScreenResult r, screener.screen(title, "title"));
//   append_evidence(r, title, "title", evidence);
//   ATELIER_TRY_ASSIGN(Decision d, decide(policy, evidence));
//
// or, in one call, ATELIER_TRY(screen_into(screener, title, "title", evidence)).
//
// A result the screener cut short (ScreenResult::truncated) also names its field in
// Evidence::texts_truncated, so the policy can send the text to review instead of letting it
// pass on the matches found before the cut.
#pragma once

#include <string_view>
#include <vector>

#include "compliance/policy.h"
#include "compliance/text/screener.h"
#include "core/error.h"

namespace atelier::compliance::text {

// The policy's form of one match of `result`, which screening `text` gave. `field` names the
// text ("title", "traits[2].value").
TextMatch to_text_match(const Match& match, std::string_view text, std::string_view field);

// Appends every match of `result` (in its order) to evidence.texts, and `field` to
// evidence.texts_truncated when the result was cut short.
void append_evidence(const ScreenResult& result, std::string_view text, std::string_view field,
                     Evidence& evidence);

// Screens `text` and appends what it found to `evidence`; on an error (invalid UTF-8, a limit)
// `evidence` is unchanged.
Result<void> screen_into(const Screener& screener, std::string_view text, std::string_view field,
                         Evidence& evidence);

}  // namespace atelier::compliance::text
