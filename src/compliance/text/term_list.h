// term_list.h — a named list of terms to screen text against (trademarks, brands, protected
// names, banned terms), with where it came from and under which licence.
//
//   TermListInfo info{.name = "brands", .source = "npm simple-icons 16.37.0",
//                     .licence = "CC0-1.0", .severity = Severity::kReview};
//   Result<TermList> list = TermList::parse(file_bytes, std::move(info));
//
// Two file forms, told apart by the first line that is neither blank nor a comment:
// - text: one term per line; `#` at the start of a line or after a space or tab starts a
//   comment ("C#" stays a term); every term gets the list's severity.
// - CSV: a header `term,severity`, then one row per term; a severity cell is `block`,
//   `review` or empty (the list's severity); fields may be quoted RFC 4180 style ("a, b"),
//   quotes doubled inside; a quoted field cannot span lines.
// Either form: UTF-8 (a leading BOM is skipped), LF or CRLF, surrounding spaces trimmed, blank
// lines skipped. A term repeated in one list is kept once, with the stricter severity. Every
// error names its line and the limit or rule it broke (limits.h kTermList*, kTermBytesMax).
//
// Parsing does not normalize: a term is stored as written, and the Screener normalizes terms
// the same way as the text it screens (normalize.h).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.h"

namespace atelier::compliance::text {

// What a match against a term leads to under the screening policy (allow is "no match").
enum class Severity : std::uint8_t { kReview, kBlock };

std::string_view severity_name(Severity s);  // "review", "block"
Result<Severity> parse_severity(std::string_view name);

struct TermListInfo {
  std::string name = {};     // 1..kTermListNameBytesMax of [a-z0-9_.-]: how matches name it
  std::string source = {};   // where the terms came from (a URL, a package and version)
  std::string licence = {};  // SPDX id or words; may be empty for a studio's own list
  Severity severity = Severity::kReview;  // for terms that do not set their own
};

struct Term {
  std::string text;  // as written in the list, trimmed; valid UTF-8, no control characters
  Severity severity = Severity::kReview;
  std::int64_t line = 0;  // 1-based line in the source file; 0 for terms built in code
};

class TermList {
 public:
  // Parses a list file (text or CSV form, above).
  static Result<TermList> parse(std::string_view bytes, TermListInfo info);
  // A list from terms already in memory (a package's JSON, a test), checked as parse checks
  // them: each term trimmed, non-empty, valid UTF-8, within kTermBytesMax; duplicates merged.
  static Result<TermList> from_terms(TermListInfo info, std::vector<Term> terms);

  const TermListInfo& info() const { return info_; }
  const std::vector<Term>& terms() const { return terms_; }

 private:
  TermList(TermListInfo info, std::vector<Term> terms)
      : info_(std::move(info)), terms_(std::move(terms)) {}

  TermListInfo info_;
  std::vector<Term> terms_;
};

}  // namespace atelier::compliance::text
