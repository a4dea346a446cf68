// term_list.cc — reading term list files (text and CSV forms) under limits.
#include "compliance/text/term_list.h"

#include <algorithm>
#include <deque>
#include <iterator>
#include <string>
#include <unordered_map>
#include <utility>

#include "compliance/policy.h"
#include "compliance/text/internal/utf8.h"
#include "core/limits.h"

namespace atelier::compliance::text {
namespace {

constexpr std::string_view kBom = "\xEF\xBB\xBF";

std::string at_line(const TermListInfo& info, std::int64_t line) {
  return info.name + (line > 0 ? ", line " + std::to_string(line) : std::string()) + ": ";
}

std::string line_field(std::int64_t line) {
  return line > 0 ? "line " + std::to_string(line) : std::string();
}

std::string code_point_name(char32_t cp) {
  constexpr std::string_view kHex = "0123456789ABCDEF";
  std::string hex;
  for (int shift = 20; shift >= 0; shift -= 4) hex += kHex[(cp >> shift) & 0xF];
  hex.erase(0, std::min(hex.find_first_not_of('0'), hex.size() - 4));
  return "U+" + hex;
}

bool is_space(char c) { return c == ' ' || c == '\t'; }

std::string_view trim(std::string_view s) {
  while (!s.empty() && is_space(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_space(s.back())) s.remove_suffix(1);
  return s;
}

std::string lower_ascii(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

Result<void> check_info(const TermListInfo& info) {
  if (!is_term_list_name(info.name)) {
    return fail(
        Error::invalid("term_list_name_invalid",
                       "a term list name is 1 to " + std::to_string(limits::kTermListNameBytesMax) +
                           " characters of a-z, 0-9, '_', '.', '-'; got '" + info.name + "'",
                       "list"));
  }
  for (const std::string* meta : {&info.source, &info.licence}) {
    if (std::ssize(*meta) > limits::kTermListMetaBytesMax ||
        internal::utf8_invalid_at(*meta) != std::string_view::npos) {
      return fail(Error::invalid("term_list_meta_invalid",
                                 info.name + ": a list's source and licence are UTF-8 of at most " +
                                     std::to_string(limits::kTermListMetaBytesMax) +
                                     " bytes (term_list_meta_bytes_max)",
                                 meta == &info.source ? "source" : "licence"));
    }
  }
  return {};
}

// Checks one trimmed term: length, control characters (UTF-8 was checked per line, or is
// checked here for terms built in code).
Result<void> check_term(const TermListInfo& info, std::string_view term, std::int64_t line) {
  if (term.empty()) {
    return fail(
        Error::invalid("term_empty", at_line(info, line) + "the term is empty", line_field(line)));
  }
  if (std::ssize(term) > limits::kTermBytesMax) {
    return fail(Error::invalid("term_too_long",
                               at_line(info, line) + "the term is " + std::to_string(term.size()) +
                                   " bytes; the limit is term_bytes_max (" +
                                   std::to_string(limits::kTermBytesMax) + ")",
                               line_field(line)));
  }
  std::size_t i = 0;
  char32_t cp = 0;
  while (i < term.size()) {
    const std::size_t at = i;
    if (!internal::utf8_next(term, i, cp)) {
      return fail(Error::invalid("term_list_invalid_utf8",
                                 at_line(info, line) + "byte " + std::to_string(at + 1) +
                                     " of the term is not valid UTF-8",
                                 line_field(line)));
    }
    if (cp < 0x20 || (cp >= 0x7F && cp <= 0x9F)) {
      return fail(Error::invalid(
          "term_list_control_character",
          at_line(info, line) + "the term holds control character " + code_point_name(cp),
          line_field(line)));
    }
  }
  return {};
}

// Collects terms, merging repeats (the stricter severity wins) and enforcing the count limit.
class Collector {
 public:
  explicit Collector(const TermListInfo& info) : info_(info) {}

  Result<void> add(std::string_view raw, Severity severity, std::int64_t line) {
    const std::string_view term = trim(raw);
    ATELIER_TRY(check_term(info_, term, line));
    if (const auto it = index_.find(term); it != index_.end()) {
      Term& kept = terms_[it->second];
      kept.severity = std::max(kept.severity, severity);
      return {};
    }
    if (std::ssize(terms_) >= limits::kTermListTermsMax) {
      return fail(Error::limit("term_list_too_many_terms",
                               at_line(info_, line) + "more than term_list_terms_max (" +
                                   std::to_string(limits::kTermListTermsMax) + ") terms",
                               line_field(line)));
    }
    terms_.push_back(Term{std::string(term), severity, line});
    index_.emplace(terms_.back().text, terms_.size() - 1);
    return {};
  }

  Result<std::vector<Term>> finish() && {
    if (terms_.empty()) {
      return fail(Error::invalid("term_list_empty", info_.name + ": the list has no terms"));
    }
    index_.clear();
    return std::vector<Term>(std::make_move_iterator(terms_.begin()),
                             std::make_move_iterator(terms_.end()));
  }

 private:
  const TermListInfo& info_;
  std::deque<Term> terms_;  // a deque: its strings stay put as it grows, for index_'s views
  std::unordered_map<std::string_view, std::size_t> index_;
};

// A text-form line without its comment: `#` at the start or after a space or tab.
std::string_view strip_comment(std::string_view line) {
  for (std::size_t i = 0; i < line.size(); ++i) {
    if (line[i] == '#' && (i == 0 || is_space(line[i - 1]))) return line.substr(0, i);
  }
  return line;
}

// Splits one CSV row into fields (RFC 4180 quoting within the line).
Result<std::vector<std::string>> csv_fields(const TermListInfo& info, std::string_view row,
                                            std::int64_t line) {
  const auto malformed = [&](const std::string& why) {
    return fail(
        Error::invalid("term_list_csv_malformed", at_line(info, line) + why, line_field(line)));
  };
  std::vector<std::string> fields;
  std::size_t i = 0;
  while (true) {
    std::string field;
    while (i < row.size() && is_space(row[i])) ++i;
    if (i < row.size() && row[i] == '"') {
      ++i;
      while (true) {
        if (i >= row.size()) return malformed("a quoted field is not closed on its line");
        if (row[i] == '"') {
          if (i + 1 < row.size() && row[i + 1] == '"') {
            field += '"';
            i += 2;
            continue;
          }
          ++i;
          break;
        }
        field += row[i++];
      }
      while (i < row.size() && is_space(row[i])) ++i;
      if (i < row.size() && row[i] != ',') {
        return malformed("text after a closing quote (a quote inside a field is written \"\")");
      }
    } else {
      const std::size_t end = std::min(row.find(',', i), row.size());
      field = std::string(trim(row.substr(i, end - i)));
      if (field.find('"') != std::string::npos) {
        return malformed("a quote inside an unquoted field (quote the whole field)");
      }
      i = end;
    }
    fields.push_back(std::move(field));
    if (i >= row.size()) break;
    ++i;  // the comma
  }
  return fields;
}

Result<void> parse_csv_row(const TermListInfo& info, Collector& out, std::string_view row,
                           std::int64_t line) {
  ATELIER_TRY_ASSIGN(const std::vector<std::string> fields, csv_fields(info, row, line));
  if (fields.size() > 2) {
    return fail(Error::invalid("term_list_csv_malformed",
                               at_line(info, line) + "a row has " + std::to_string(fields.size()) +
                                   " fields; the header is term,severity (quote a term that "
                                   "holds a comma)",
                               line_field(line)));
  }
  Severity severity = info.severity;
  if (fields.size() == 2 && !fields[1].empty()) {
    auto parsed = parse_severity(lower_ascii(fields[1]));
    if (!parsed) {
      return fail(Error::invalid(
          "term_list_severity_invalid",
          at_line(info, line) + "severity '" + fields[1] + "' is neither block nor review",
          line_field(line)));
    }
    severity = *parsed;
  }
  return out.add(fields[0], severity, line);
}

}  // namespace

std::string_view severity_name(Severity s) { return s == Severity::kBlock ? "block" : "review"; }

Result<Severity> parse_severity(std::string_view name) {
  if (name == "block") return Severity::kBlock;
  if (name == "review") return Severity::kReview;
  return fail(Error::invalid("severity_invalid",
                             "severity is block or review, not '" + std::string(name) + "'",
                             "severity"));
}

Result<TermList> TermList::parse(std::string_view bytes, TermListInfo info) {
  ATELIER_TRY(check_info(info));
  if (std::ssize(bytes) > limits::kTermListBytesMax) {
    return fail(Error{ErrorKind::kTooLarge, "term_list_too_large",
                      info.name + ": the list is " + std::to_string(bytes.size()) +
                          " bytes; the limit is term_list_bytes_max (" +
                          std::to_string(limits::kTermListBytesMax) + ")",
                      ""});
  }
  if (bytes.starts_with(kBom)) bytes.remove_prefix(kBom.size());
  enum class Form { kUnknown, kText, kCsv } form = Form::kUnknown;
  Collector out(info);
  std::int64_t line = 0;
  for (std::size_t pos = 0; pos < bytes.size();) {
    const std::size_t nl = std::min(bytes.find('\n', pos), bytes.size());
    std::string_view row = bytes.substr(pos, nl - pos);
    pos = nl + 1;
    ++line;
    if (row.ends_with('\r')) row.remove_suffix(1);
    if (const std::size_t bad = internal::utf8_invalid_at(row); bad != std::string_view::npos) {
      return fail(Error::invalid("term_list_invalid_utf8",
                                 at_line(info, line) + "byte " + std::to_string(bad + 1) +
                                     " of the line is not valid UTF-8",
                                 line_field(line)));
    }
    const std::string_view content = trim(row);
    if (content.empty() || content.front() == '#') continue;
    if (form == Form::kUnknown) {
      const std::string header = lower_ascii(content);
      if (header == "term,severity" || header == "term, severity") {
        form = Form::kCsv;
        continue;
      }
      form = Form::kText;
    }
    if (form == Form::kCsv) {
      ATELIER_TRY(parse_csv_row(info, out, content, line));
    } else if (const std::string_view term = trim(strip_comment(content)); !term.empty()) {
      ATELIER_TRY(out.add(term, info.severity, line));
    }
  }
  ATELIER_TRY_ASSIGN(std::vector<Term> terms, std::move(out).finish());
  return TermList(std::move(info), std::move(terms));
}

Result<TermList> TermList::from_terms(TermListInfo info, std::vector<Term> terms) {
  ATELIER_TRY(check_info(info));
  Collector out(info);
  for (const Term& t : terms) ATELIER_TRY(out.add(t.text, t.severity, t.line));
  ATELIER_TRY_ASSIGN(std::vector<Term> kept, std::move(out).finish());
  return TermList(std::move(info), std::move(kept));
}

}  // namespace atelier::compliance::text
