#include "compliance/registry/csv_import.h"

#include <array>
#include <optional>

#include "core/limits.h"

namespace atelier::compliance {

namespace {

constexpr std::array<std::string_view, 5> kColumns = {"hash", "label", "source", "severity", "uri"};
constexpr std::size_t kRequiredColumns = 4;  // all but uri

struct Record {
  std::int64_t line = 0;
  std::vector<std::string> fields;
};

Error row_error(std::int64_t line, std::string_view column, const std::string& problem) {
  std::string where = "line " + std::to_string(line);
  std::string field = "line[" + std::to_string(line) + "]";
  if (!column.empty()) {
    where += ", field \"" + std::string(column) + "\"";
    field += "." + std::string(column);
  }
  return Error::invalid("registry_import_row", where + ": " + problem, field);
}

// Splits `text` into records. CSV honours RFC 4180 quotes; TSV has none.
class Splitter {
 public:
  Splitter(std::string_view text, bool csv) : text_(text), csv_(csv) {}

  // The next record, nullopt at the end; an error for a malformed quote.
  Result<std::optional<Record>> next() {
    if (pos_ >= text_.size()) return std::optional<Record>();
    Record r;
    r.line = line_;
    std::string field;
    for (;;) {
      if (csv_ && pos_ < text_.size() && text_[pos_] == '"' && field.empty()) {
        ATELIER_TRY(quoted(field, r.line));
      }
      if (pos_ >= text_.size() || at_line_end()) {
        r.fields.push_back(std::move(field));
        skip_line_end();
        return std::optional<Record>(std::move(r));
      }
      const char c = text_[pos_];
      if (c == (csv_ ? ',' : '\t')) {
        r.fields.push_back(std::move(field));
        field.clear();
        ++pos_;
        continue;
      }
      if (csv_ && c == '"') {
        return fail(row_error(line_, "",
                              "a quote inside an unquoted field (quote the field "
                              "and write the quote twice)"));
      }
      field.push_back(c);
      ++pos_;
    }
  }

 private:
  bool at_line_end() const {
    return text_[pos_] == '\n' ||
           (text_[pos_] == '\r' && pos_ + 1 < text_.size() && text_[pos_ + 1] == '\n');
  }
  void skip_line_end() {
    if (pos_ < text_.size() && text_[pos_] == '\r') ++pos_;
    if (pos_ < text_.size() && text_[pos_] == '\n') ++pos_;
    ++line_;
  }
  Result<void> quoted(std::string& field, std::int64_t record_line) {
    ++pos_;  // the opening quote
    for (;;) {
      if (pos_ >= text_.size()) {
        return fail(row_error(record_line, "", "a quoted field is never closed"));
      }
      const char c = text_[pos_++];
      if (c == '"') {
        if (pos_ < text_.size() && text_[pos_] == '"') {
          field.push_back('"');
          ++pos_;
          continue;
        }
        if (pos_ < text_.size() && text_[pos_] != ',' && !at_line_end()) {
          return fail(row_error(line_, "", "a closing quote must end its field"));
        }
        return {};
      }
      if (c == '\n') ++line_;
      field.push_back(c);
    }
  }

  std::string_view text_;
  bool csv_;
  std::size_t pos_ = 0;
  std::int64_t line_ = 1;
};

bool valid_utf8(std::string_view s) {
  std::size_t i = 0;
  while (i < s.size()) {
    const auto c = static_cast<unsigned char>(s[i]);
    int extra = 0;
    std::uint32_t cp = 0;
    if (c < 0x80) {
      ++i;
      continue;
    } else if ((c & 0xe0) == 0xc0) {
      extra = 1, cp = c & 0x1f;
    } else if ((c & 0xf0) == 0xe0) {
      extra = 2, cp = c & 0x0f;
    } else if ((c & 0xf8) == 0xf0) {
      extra = 3, cp = c & 0x07;
    } else {
      return false;
    }
    if (i + static_cast<std::size_t>(extra) >= s.size()) return false;
    for (int k = 1; k <= extra; ++k) {
      const auto cc = static_cast<unsigned char>(s[i + static_cast<std::size_t>(k)]);
      if ((cc & 0xc0) != 0x80) return false;
      cp = (cp << 6) | (cc & 0x3f);
    }
    // Overlong forms, surrogates and code points past U+10FFFF are not UTF-8.
    static constexpr std::uint32_t kMin[] = {0, 0x80, 0x800, 0x10000};
    if (cp < kMin[extra] || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return false;
    i += static_cast<std::size_t>(extra) + 1;
  }
  return true;
}

Result<void> check_text(std::string_view value, std::string_view where, std::string_view name,
                        std::int64_t bytes_max, bool required) {
  const std::string field = std::string(where) + std::string(name);
  if (required && value.empty()) {
    return fail(
        Error::invalid("registry_field_invalid", std::string(name) + " is required", field));
  }
  if (static_cast<std::int64_t>(value.size()) > bytes_max) {
    return fail(Error::invalid("registry_field_invalid",
                               std::string(name) + " is " + std::to_string(value.size()) +
                                   " bytes; at most " + std::to_string(bytes_max),
                               field));
  }
  for (char c : value) {
    const auto u = static_cast<unsigned char>(c);
    if (u < 0x20 || u == 0x7f) {
      return fail(Error::invalid("registry_field_invalid",
                                 std::string(name) + " holds a control character", field));
    }
  }
  if (!valid_utf8(value)) {
    return fail(
        Error::invalid("registry_field_invalid", std::string(name) + " is not UTF-8", field));
  }
  return {};
}

// Column positions by name from the header record.
Result<std::array<int, kColumns.size()>> read_header(const Record& header) {
  std::array<int, kColumns.size()> at;
  at.fill(-1);
  for (std::size_t i = 0; i < header.fields.size(); ++i) {
    std::string_view name = header.fields[i];
    while (!name.empty() && name.front() == ' ') name.remove_prefix(1);
    while (!name.empty() && name.back() == ' ') name.remove_suffix(1);
    std::size_t c = 0;
    while (c < kColumns.size() && kColumns[c] != name) ++c;
    if (c == kColumns.size()) {
      return fail(Error::invalid(
          "registry_import_header",
          "line 1: unknown column \"" + std::string(name.substr(0, 64)) +
              "\"; the header names hash, label, source, severity and optionally uri",
          "line[1]"));
    }
    if (at[c] >= 0) {
      return fail(Error::invalid("registry_import_header",
                                 "line 1: column \"" + std::string(name) + "\" appears twice",
                                 "line[1]"));
    }
    at[c] = static_cast<int>(i);
  }
  for (std::size_t c = 0; c < kRequiredColumns; ++c) {
    if (at[c] < 0) {
      return fail(Error::invalid("registry_import_header",
                                 "line 1: the header lacks column \"" + std::string(kColumns[c]) +
                                     "\" (hash,label,source,severity are required)",
                                 "line[1]"));
    }
  }
  return at;
}

Result<ImportRow> read_row(const Record& r, const std::array<int, kColumns.size()>& at,
                           std::size_t columns) {
  if (r.fields.size() != columns) {
    return fail(row_error(r.line, "",
                          "expected " + std::to_string(columns) + " fields as in the header, " +
                              "found " + std::to_string(r.fields.size())));
  }
  ImportRow row;
  row.line = r.line;
  const std::string& hash = r.fields[static_cast<std::size_t>(at[0])];
  auto code = parse_pdq_hex(hash);
  if (!code) {
    return fail(row_error(r.line, "hash", "not a 256-bit hash of 64 hex digits"));
  }
  row.pdq = *code;
  row.label = r.fields[static_cast<std::size_t>(at[1])];
  row.source = r.fields[static_cast<std::size_t>(at[2])];
  row.severity = r.fields[static_cast<std::size_t>(at[3])];
  if (at[4] >= 0) row.uri = r.fields[static_cast<std::size_t>(at[4])];
  if (auto ok = check_entry_fields(row, "line[" + std::to_string(r.line) + "]."); !ok) {
    // Name the line and the field in the message too, as for the other row errors.
    const std::string& field = ok.error().field;
    const std::string column = field.substr(field.find('.') + 1);
    return fail(row_error(r.line, column, ok.error().message));
  }
  return row;
}

}  // namespace

bool is_severity(std::string_view s) {
  return s == "low" || s == "medium" || s == "high" || s == "critical";
}

Result<void> check_entry_fields(const ImportRow& row, std::string_view where) {
  ATELIER_TRY(check_text(row.label, where, "label", limits::kRegistryFieldBytesMax, true));
  ATELIER_TRY(check_text(row.source, where, "source", limits::kRegistryFieldBytesMax, false));
  if (!is_severity(row.severity)) {
    return fail(Error::invalid("registry_field_invalid",
                               "severity must be low, medium, high or critical",
                               std::string(where) + "severity"));
  }
  ATELIER_TRY(check_text(row.uri, where, "uri", limits::kRegistryUriBytesMax, false));
  for (char c : row.uri) {
    if (c == ' ') {
      return fail(Error::invalid("registry_field_invalid", "uri holds a space",
                                 std::string(where) + "uri"));
    }
  }
  return {};
}

Result<ParsedTable> parse_import_table(std::string_view text, TableFormat format) {
  if (static_cast<std::int64_t>(text.size()) > limits::kRegistryImportBytesMax) {
    return fail(Error{ErrorKind::kTooLarge, "registry_import_too_large",
                      "an import of " + std::to_string(text.size()) +
                          " bytes exceeds registry_import_bytes_max (" +
                          std::to_string(limits::kRegistryImportBytesMax) + ")",
                      "file"});
  }
  if (text.starts_with("\xEF\xBB\xBF")) text.remove_prefix(3);
  ParsedTable out;
  if (format == TableFormat::kAuto) {
    const std::string_view first = text.substr(0, text.find('\n'));
    format = first.find('\t') != std::string_view::npos ? TableFormat::kTsv : TableFormat::kCsv;
  }
  out.format = format;
  Splitter split(text, format == TableFormat::kCsv);
  ATELIER_TRY_ASSIGN(std::optional<Record> header, split.next());
  if (!header || (header->fields.size() == 1 && header->fields[0].empty())) {
    return fail(Error::invalid("registry_import_empty",
                               "the file is empty; its first line must be the header "
                               "hash,label,source,severity",
                               "line[1]"));
  }
  ATELIER_TRY_ASSIGN(const auto at, read_header(*header));
  for (;;) {
    ATELIER_TRY_ASSIGN(std::optional<Record> r, split.next());
    if (!r) break;
    if (r->fields.size() == 1 && r->fields[0].empty()) continue;  // a blank line
    if (static_cast<std::int64_t>(out.rows.size()) >= limits::kRegistryImportRowsMax) {
      return fail(Error::limit(
          "registry_import_rows_max",
          "an import holds at most " + std::to_string(limits::kRegistryImportRowsMax) + " rows",
          "line[" + std::to_string(r->line) + "]"));
    }
    ATELIER_TRY_ASSIGN(ImportRow row, read_row(*r, at, header->fields.size()));
    out.rows.push_back(std::move(row));
  }
  return out;
}

}  // namespace atelier::compliance
