// Term list files: the text and CSV forms, comments, duplicates, and every error naming its
// line, on both sides of each limit.
#include "compliance/text/term_list.h"

#include <gtest/gtest.h>

#include <string>

#include "core/limits.h"

namespace atelier::compliance::text {
namespace {

TermListInfo info(std::string name = "brands", Severity severity = Severity::kReview) {
  return TermListInfo{std::move(name), "test", "CC0-1.0", severity};
}

std::vector<std::string> texts(const TermList& list) {
  std::vector<std::string> out;
  for (const Term& t : list.terms()) out.push_back(t.text);
  return out;
}

TEST(TextTermList, TextFormWithCommentsBlankLinesAndCrlf) {
  const auto list = TermList::parse(
      "\xEF\xBB\xBF# brands we sell next to\r\n"
      "PayPal\r\n"
      "\r\n"
      "  Coca-Cola   # the drink\n"
      "C#\n"
      "#hashtag is a comment\n"
      "Nike",
      info("brands", Severity::kBlock));
  ASSERT_TRUE(list) << list.error().to_string();
  EXPECT_EQ(texts(*list), (std::vector<std::string>{"PayPal", "Coca-Cola", "C#", "Nike"}));
  EXPECT_EQ(list->terms()[0].line, 2);
  EXPECT_EQ(list->terms()[1].line, 4);
  EXPECT_EQ(list->terms()[3].line, 7);
  for (const Term& t : list->terms()) EXPECT_EQ(t.severity, Severity::kBlock);
  EXPECT_EQ(list->info().licence, "CC0-1.0");
}

TEST(TextTermList, CsvFormWithQuotesAndSeverities) {
  const auto list = TermList::parse(
      "# exported\n"
      "term,severity\n"
      "PayPal,block\n"
      "\"Mr. Mime, the card\",REVIEW\n"
      "\"say \"\"hi\"\"\",\n"
      "Nike\n",
      info("marks", Severity::kBlock));
  ASSERT_TRUE(list) << list.error().to_string();
  ASSERT_EQ(list->terms().size(), 4u);
  EXPECT_EQ(list->terms()[0].severity, Severity::kBlock);
  EXPECT_EQ(list->terms()[1].text, "Mr. Mime, the card");
  EXPECT_EQ(list->terms()[1].severity, Severity::kReview);
  EXPECT_EQ(list->terms()[2].text, "say \"hi\"");
  EXPECT_EQ(list->terms()[2].severity, Severity::kBlock);  // empty cell: the list's
  EXPECT_EQ(list->terms()[3].severity, Severity::kBlock);
  EXPECT_EQ(list->terms()[3].line, 6);
}

TEST(TextTermList, RepeatsAreKeptOnceWithTheStricterSeverity) {
  const auto list =
      TermList::parse("term,severity\nNike,review\nNike,block\nNike,review\n", info());
  ASSERT_TRUE(list);
  ASSERT_EQ(list->terms().size(), 1u);
  EXPECT_EQ(list->terms()[0].severity, Severity::kBlock);
  EXPECT_EQ(list->terms()[0].line, 2);
}

void expect_error(std::string_view bytes, std::string_view code, std::string_view field,
                  TermListInfo i = info()) {
  const auto list = TermList::parse(bytes, std::move(i));
  ASSERT_FALSE(list) << "accepted: " << bytes.substr(0, 60);
  EXPECT_EQ(list.error().code, code) << list.error().to_string();
  EXPECT_EQ(list.error().field, field) << list.error().to_string();
}

TEST(TextTermList, BadListsGetClearErrorsNamingTheLine) {
  expect_error("PayPal\nNi\xC3ke\n", "term_list_invalid_utf8", "line 2");
  expect_error("PayPal\n\xED\xA0\x80\n", "term_list_invalid_utf8", "line 2");  // a surrogate
  expect_error("PayPal\nover\xC0\xAFlong\n", "term_list_invalid_utf8", "line 2");
  expect_error("a\nb\nbell\x07\n", "term_list_control_character", "line 3");
  expect_error("a\nb\nnext\xC2\x85line\n", "term_list_control_character", "line 3");
  expect_error("term,severity\nNike,forbid\n", "term_list_severity_invalid", "line 2");
  expect_error("term,severity\n\"Nike,block\n", "term_list_csv_malformed", "line 2");
  expect_error("term,severity\n\"Nike\"x,block\n", "term_list_csv_malformed", "line 2");
  expect_error("term,severity\nNi\"ke,block\n", "term_list_csv_malformed", "line 2");
  expect_error("term,severity\nNike,block,extra\n", "term_list_csv_malformed", "line 2");
  expect_error("term,severity\n,block\n", "term_empty", "line 2");
  expect_error("# nothing\n\n   \n", "term_list_empty", "");
  expect_error("Nike\n", "term_list_name_invalid", "list", info("Brands!"));
  expect_error("Nike\n", "term_list_name_invalid", "list", info(""));
  TermListInfo long_source = info();
  long_source.source.assign(limits::kTermListMetaBytesMax + 1, 's');
  expect_error("Nike\n", "term_list_meta_invalid", "source", long_source);
}

TEST(TextTermList, ErrorMessagesNameListAndLine) {
  const auto list = TermList::parse("ok\nbad\xFF\n", info("studio"));
  ASSERT_FALSE(list);
  EXPECT_EQ(list.error().message, "studio, line 2: byte 4 of the line is not valid UTF-8");
}

TEST(TextTermList, TermBytesLimitBothSides) {
  const std::string at_limit(limits::kTermBytesMax, 'x');
  EXPECT_TRUE(TermList::parse(at_limit + "\n", info()));
  expect_error("Nike\n" + at_limit + "y\n", "term_too_long", "line 2");
  // The limit is on the term, not the line: a comment may follow.
  EXPECT_TRUE(TermList::parse(at_limit + "   # a long term\n", info()));
}

TEST(TextTermList, ListBytesLimitBothSides) {
  std::string bytes = "Nike\n";
  bytes.resize(limits::kTermListBytesMax, '\n');
  EXPECT_TRUE(TermList::parse(bytes, info()));
  bytes += '\n';
  const auto over = TermList::parse(bytes, info());
  ASSERT_FALSE(over);
  EXPECT_EQ(over.error().code, "term_list_too_large");
  EXPECT_EQ(over.error().kind, ErrorKind::kTooLarge);
}

TEST(TextTermList, TermCountLimitBothSides) {
  std::string bytes;
  for (std::int64_t i = 0; i < limits::kTermListTermsMax; ++i) bytes += std::to_string(i) + "\n";
  const auto at = TermList::parse(bytes, info());
  ASSERT_TRUE(at) << at.error().to_string();
  EXPECT_EQ(std::ssize(at->terms()), limits::kTermListTermsMax);
  bytes += "one more\n";
  const auto over = TermList::parse(bytes, info());
  ASSERT_FALSE(over);
  EXPECT_EQ(over.error().code, "term_list_too_many_terms");
  EXPECT_EQ(over.error().field, "line " + std::to_string(limits::kTermListTermsMax + 1));
}

TEST(TextTermList, FromTermsChecksAsParseDoes) {
  EXPECT_TRUE(TermList::from_terms(info(), {{"  Nike ", Severity::kBlock, 0}}));
  const auto bad = TermList::from_terms(info(), {{"Ni\xFFke", Severity::kBlock, 0}});
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().code, "term_list_invalid_utf8");
  const auto empty = TermList::from_terms(info(), {});
  ASSERT_FALSE(empty);
  EXPECT_EQ(empty.error().code, "term_list_empty");
}

TEST(TextTermList, SeverityNames) {
  EXPECT_EQ(severity_name(Severity::kBlock), "block");
  EXPECT_EQ(*parse_severity("review"), Severity::kReview);
  EXPECT_FALSE(parse_severity("allow"));
}

}  // namespace
}  // namespace atelier::compliance::text
