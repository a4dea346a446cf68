// libFuzzer target: the registry's import files (issue 16 §5) — CSV (RFC 4180 quoting) and TSV
// hash lists with their header, read by parse_import_table in every format mode. Build with
// `make fuzz`; saved inputs in fuzz/corpus/registry are replayed by tests/fuzz on every run.
//
// Invariants beyond "no crash": an accepted table has at most limits::kRegistryImportRowsMax
// rows, each row's code prints back as 64 hex digits that parse to the same code, each row
// passes check_entry_fields, and its line is in the file; a refusal names a field; kAuto
// agrees with the format it detected.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "compliance/pdq.h"
#include "compliance/registry/csv_import.h"
#include "core/limits.h"

namespace {

void check(bool ok) {
  if (!ok) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace atelier::compliance;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  std::int64_t lines = 1;
  for (char c : text) lines += c == '\n' ? 1 : 0;
  for (const TableFormat format : {TableFormat::kAuto, TableFormat::kCsv, TableFormat::kTsv}) {
    auto table = parse_import_table(text, format);
    if (!table) {
      check(!table.error().code.empty());
      continue;
    }
    check(table->format == TableFormat::kCsv || table->format == TableFormat::kTsv);
    if (format != TableFormat::kAuto) check(table->format == format);
    check(std::ssize(table->rows) <= atelier::limits::kRegistryImportRowsMax);
    for (const auto& row : table->rows) {
      const std::string hex = to_hex(row.pdq);
      check(hex.size() == 64);
      auto back = parse_pdq_hex(hex);
      check(back.has_value() && to_hex(*back) == hex);
      check(check_entry_fields(row, "line.").has_value());
      check(row.line >= 2 && row.line <= lines);
    }
    if (format == TableFormat::kAuto) {
      auto again = parse_import_table(text, table->format);
      check(again.has_value() && again->rows.size() == table->rows.size());
    }
  }
  return 0;
}
