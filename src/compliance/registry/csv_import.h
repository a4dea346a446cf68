// csv_import.h — reading a registry import file: CSV (RFC 4180) or TSV, header required.
//
//   hash,label,source,severity[,uri]
//   f8f8f0cee0f4a84f06370a22038f63f0b36e2ed596621e1d33e6b39c4e9c9b22,Sunflowers,studio-x,high
//
// Columns are named by the header in any order: hash (the 256-bit PDQ code, 64 hex digits),
// label, source (the owner or source of the work), severity (low, medium, high, critical) and
// the optional uri (where the original is). An unknown or repeated column is refused. CSV
// fields may be quoted ("" is a quote; a quoted field may hold commas and line breaks); TSV
// fields are split at tabs and cannot be quoted (IANA text/tab-separated-values). CRLF or LF,
// a leading UTF-8 byte order mark, and blank lines are accepted.
//
// The whole file is checked before anything is imported: the first bad line refuses it, with
// an error naming the line (1 = the header) and the field. Pure; thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "compliance/pdq.h"
#include "core/error.h"

namespace atelier::compliance {

enum class TableFormat { kAuto, kCsv, kTsv };

// One entry to import, checked (registry.h check_entry_fields has the rules).
struct ImportRow {
  PdqHash pdq{};
  std::string label;
  std::string source;
  std::string severity;
  std::string uri;
  std::int64_t line = 0;  // where it came from (0: not from a file)
};

struct ParsedTable {
  TableFormat format = TableFormat::kCsv;  // as detected: kCsv or kTsv
  std::vector<ImportRow> rows;
};

// Errors (kInvalidInput unless said): "registry_import_empty" (no header),
// "registry_import_header" (a missing, unknown or repeated column), "registry_import_row"
// (wrong field count, an unterminated quote, a bad value; field "line[N].<column>"),
// "registry_import_too_large" (kTooLarge: over limits::kRegistryImportBytesMax),
// "registry_import_rows_max" (over limits::kRegistryImportRowsMax rows).
// kAuto picks TSV when the header line holds a tab, CSV otherwise.
Result<ParsedTable> parse_import_table(std::string_view text, TableFormat format);

// The checks every entry passes however it arrives (file, API, image): a label of 1 to
// kRegistryFieldBytesMax bytes, a source of at most that many, a known severity, a uri of at
// most kRegistryUriBytesMax bytes; no control characters, valid UTF-8. `where` prefixes the
// field in errors ("line[7]." or "entries[3].").
Result<void> check_entry_fields(const ImportRow& row, std::string_view where);

// low, medium, high, critical.
bool is_severity(std::string_view s);

}  // namespace atelier::compliance
