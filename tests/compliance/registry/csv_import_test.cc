// Reading registry import files: CSV with quotes, TSV, the header, and errors that name the
// line and the field.
#include "compliance/registry/csv_import.h"

#include <gtest/gtest.h>

#include "core/limits.h"

namespace atelier::compliance {
namespace {

const std::string kHash = std::string(63, '0') + "1";
const std::string kHash2 = std::string(62, 'f') + "0e";

Error error_of(std::string_view text, TableFormat f = TableFormat::kAuto) {
  auto r = parse_import_table(text, f);
  EXPECT_FALSE(r);
  return r ? Error{} : r.error();
}

TEST(ComplianceRegistryCsv, ReadsRowsByHeaderNameInAnyOrder) {
  const std::string text =
      "label,hash,severity,source,uri\r\n"
      "Sunflowers," +
      kHash +
      ",high,studio-x,https://example.com/a.png\r\n"
      "\r\n"
      "\"Night, starry\"," +
      kHash2 + ",low,,\n";
  auto t = parse_import_table(text, TableFormat::kAuto);
  ASSERT_TRUE(t) << t.error().to_string();
  EXPECT_EQ(t->format, TableFormat::kCsv);
  ASSERT_EQ(t->rows.size(), 2u);
  EXPECT_EQ(to_hex(t->rows[0].pdq), kHash);
  EXPECT_EQ(t->rows[0].label, "Sunflowers");
  EXPECT_EQ(t->rows[0].source, "studio-x");
  EXPECT_EQ(t->rows[0].uri, "https://example.com/a.png");
  EXPECT_EQ(t->rows[0].line, 2);
  EXPECT_EQ(t->rows[1].label, "Night, starry");
  EXPECT_EQ(t->rows[1].line, 4);
  EXPECT_EQ(t->rows[1].uri, "");
}

TEST(ComplianceRegistryCsv, QuotesHoldCommasAndQuotesButNoLineBreaks) {
  const std::string text = "\xEF\xBB\xBFhash,label,source,severity\n" + kHash +
                           ",\"say \"\"hi\"\"\",\"a,b\",medium\n" + kHash2 + ",x,y,critical";
  auto t = parse_import_table(text, TableFormat::kCsv);
  ASSERT_TRUE(t) << t.error().to_string();
  ASSERT_EQ(t->rows.size(), 2u);
  EXPECT_EQ(t->rows[0].label, "say \"hi\"");
  EXPECT_EQ(t->rows[0].source, "a,b");
  EXPECT_EQ(t->rows[1].line, 3);
  // A quoted line break is read (and counted), then refused: no field holds control characters.
  const std::string broken = "hash,label,source,severity\n" + kHash + ",x,\"a\nb\",low\n" + kHash2 +
                             ",x,y,critical,extra\n";
  Error e = error_of(broken);
  EXPECT_EQ(e.field, "line[2].source");
  const std::string later = "hash,label,source,severity\n" + kHash + ",\"a\nb\",y,low,\n";
  EXPECT_EQ(error_of(later).field, "line[2]");  // 5 fields: the count is checked first
}

TEST(ComplianceRegistryCsv, TsvIsDetectedAndHasNoQuotes) {
  const std::string text = "hash\tlabel\tsource\tseverity\n" + kHash + "\t\"quoted\"\tme\thigh\n";
  auto t = parse_import_table(text, TableFormat::kAuto);
  ASSERT_TRUE(t) << t.error().to_string();
  EXPECT_EQ(t->format, TableFormat::kTsv);
  EXPECT_EQ(t->rows[0].label, "\"quoted\"");
}

TEST(ComplianceRegistryCsv, TheHeaderIsRequiredAndChecked) {
  EXPECT_EQ(error_of("").code, "registry_import_empty");
  EXPECT_EQ(error_of(kHash + ",a,b,high\n").code, "registry_import_header");
  Error missing = error_of("hash,label,source\n");
  EXPECT_EQ(missing.code, "registry_import_header");
  EXPECT_NE(missing.message.find("severity"), std::string::npos);
  EXPECT_EQ(error_of("hash,label,source,severity,label\n").code, "registry_import_header");
  Error unknown = error_of("hash,label,source,severity,colour\n");
  EXPECT_NE(unknown.message.find("colour"), std::string::npos);
  EXPECT_EQ(unknown.field, "line[1]");
}

TEST(ComplianceRegistryCsv, ErrorsNameTheLineAndTheField) {
  const std::string header = "hash,label,source,severity\n";
  Error e = error_of(header + kHash + ",a,b,high\n" + kHash + ",a,b,urgent\n");
  EXPECT_EQ(e.code, "registry_import_row");
  EXPECT_EQ(e.field, "line[3].severity");
  EXPECT_NE(e.message.find("line 3"), std::string::npos);
  e = error_of(header + "abc,a,b,high\n");
  EXPECT_EQ(e.field, "line[2].hash");
  e = error_of(header + kHash + ",a,b\n");
  EXPECT_EQ(e.field, "line[2]");
  EXPECT_NE(e.message.find("expected 4 fields"), std::string::npos);
  e = error_of(header + kHash + ",,b,high\n");
  EXPECT_EQ(e.field, "line[2].label");
  e = error_of(header + kHash + ",\"open,b,high\n");
  EXPECT_NE(e.message.find("never closed"), std::string::npos);
  e = error_of(header + kHash + ",a\"b,c,high\n");
  EXPECT_NE(e.message.find("quote"), std::string::npos);
  e = error_of(header + kHash + ",\"a\"b,c,high\n");
  EXPECT_EQ(e.code, "registry_import_row");
  e = error_of(header + kHash + "," + std::string("\xff\xfe") + ",b,high\n");
  EXPECT_EQ(e.field, "line[2].label");
  e = error_of(header + kHash + ",a," + std::string(257, 's') + ",high\n");
  EXPECT_EQ(e.field, "line[2].source");
  EXPECT_TRUE(parse_import_table(header + kHash + ",a," + std::string(256, 's') + ",high\n",
                                 TableFormat::kCsv));
}

TEST(ComplianceRegistryCsv, SizeLimitsAreNamed) {
  auto big =
      parse_import_table(std::string(limits::kRegistryImportBytesMax + 1, 'x'), TableFormat::kCsv);
  ASSERT_FALSE(big);
  EXPECT_EQ(big.error().code, "registry_import_too_large");
  EXPECT_EQ(big.error().kind, ErrorKind::kTooLarge);
}

TEST(ComplianceRegistryCsv, FieldChecksApplyToEveryRoute) {
  ImportRow row;
  row.label = "ok";
  row.severity = "critical";
  EXPECT_TRUE(check_entry_fields(row, "entries[0]."));
  row.uri = "has space";
  EXPECT_EQ(check_entry_fields(row, "entries[0].").error().field, "entries[0].uri");
  row.uri = std::string(limits::kRegistryUriBytesMax, 'u');
  EXPECT_TRUE(check_entry_fields(row, ""));
  row.uri.push_back('u');
  EXPECT_FALSE(check_entry_fields(row, ""));
  EXPECT_TRUE(is_severity("low"));
  EXPECT_FALSE(is_severity("High"));
}

}  // namespace
}  // namespace atelier::compliance
