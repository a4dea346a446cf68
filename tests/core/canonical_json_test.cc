// RFC 8785 (JSON Canonicalization Scheme) conformance of canonical_json / parse_json /
// es_number_to_string, plus the bounded-parsing limits (size, depth, duplicate keys).
//
// Expected values come from the RFC itself, not from this code:
//   - RFC 8785 §3.2.2 (the main serialization example), §3.2.3 (the sorting example),
//     Appendix B (number serialization samples, IEEE-754 bit patterns -> ES6 strings):
//     https://www.rfc-editor.org/rfc/rfc8785 (mirrored at
//     https://sources.debian.org/src/doc-rfc/20230121-1/rfc8785.html).
//   - The ECMAScript Number::toString rules (ES2019 §7.1.12.1) for the extra decimal cases;
//     each was cross-checked with node's String(x) when this test was written.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <bit>
#include <cstdint>
#include <limits>
#include <nlohmann/json.hpp>
#include <string>

#include "core/canonical_json.h"
#include "core/limits.h"

namespace atelier {
namespace {

using nlohmann::json;
using ::testing::HasSubstr;

double from_bits(std::uint64_t bits) { return std::bit_cast<double>(bits); }

std::string canon(const json& j) {
  auto r = canonical_json(j);
  EXPECT_TRUE(r.has_value()) << (r ? "" : r.error().to_string());
  return r ? *r : std::string("<error>");
}

// RFC 8785 Appendix B: "Number Serialization Samples".
struct NumberSample {
  std::uint64_t bits;
  const char* expected;
};
constexpr NumberSample kAppendixB[] = {
    {0x0000000000000000, "0"},
    {0x8000000000000000, "0"},  // Minus zero.
    {0x0000000000000001, "5e-324"},
    {0x8000000000000001, "-5e-324"},
    {0x7fefffffffffffff, "1.7976931348623157e+308"},
    {0xffefffffffffffff, "-1.7976931348623157e+308"},
    {0x4340000000000000, "9007199254740992"},
    {0xc340000000000000, "-9007199254740992"},
    {0x4430000000000000, "295147905179352830000"},
    {0x44b52d02c7e14af5, "9.999999999999997e+22"},
    {0x44b52d02c7e14af6, "1e+23"},
    {0x44b52d02c7e14af7, "1.0000000000000001e+23"},
    {0x444b1ae4d6e2ef4e, "999999999999999700000"},
    {0x444b1ae4d6e2ef4f, "999999999999999900000"},
    {0x444b1ae4d6e2ef50, "1e+21"},
    {0x3eb0c6f7a0b5ed8c, "9.999999999999997e-7"},
    {0x3eb0c6f7a0b5ed8d, "0.000001"},
    {0x41b3de4355555553, "333333333.3333332"},
    {0x41b3de4355555554, "333333333.33333325"},
    {0x41b3de4355555555, "333333333.3333333"},
    {0x41b3de4355555556, "333333333.3333334"},
    {0x41b3de4355555557, "333333333.33333343"},
    {0xbecbf647612f3696, "-0.0000033333333333333333"},
    {0x43143ff3c1cb0959, "1424953923781206.2"},
};

TEST(EsNumberToString, Rfc8785AppendixBSamples) {
  for (const auto& s : kAppendixB) {
    EXPECT_EQ(es_number_to_string(from_bits(s.bits)), s.expected) << std::hex << s.bits;
  }
}

TEST(EsNumberToString, Rfc8785AppendixBSamplesThroughCanonicalJson) {
  for (const auto& s : kAppendixB) {
    EXPECT_EQ(canon(json::array({from_bits(s.bits)})), std::string("[") + s.expected + "]")
        << std::hex << s.bits;
  }
}

TEST(EsNumberToString, DecimalAndExponentBoundaries) {
  // ES Number::toString: decimal notation for 1e-6 <= |x| < 1e21, exponent outside.
  EXPECT_EQ(es_number_to_string(1e21), "1e+21");
  EXPECT_EQ(es_number_to_string(1e20), "100000000000000000000");
  EXPECT_EQ(es_number_to_string(1e-7), "1e-7");
  EXPECT_EQ(es_number_to_string(1.5e-7), "1.5e-7");
  EXPECT_EQ(es_number_to_string(0.000001), "0.000001");
  EXPECT_EQ(es_number_to_string(0.000001234), "0.000001234");
  EXPECT_EQ(es_number_to_string(-0.0), "0");
  EXPECT_EQ(es_number_to_string(333333333.33333329), "333333333.3333333");
  EXPECT_EQ(es_number_to_string(1E30), "1e+30");
  EXPECT_EQ(es_number_to_string(4.50), "4.5");
  EXPECT_EQ(es_number_to_string(2e-3), "0.002");
  EXPECT_EQ(es_number_to_string(1e-27), "1e-27");
  EXPECT_EQ(es_number_to_string(123e-20), "1.23e-18");
  EXPECT_EQ(es_number_to_string(0.1 + 0.2), "0.30000000000000004");
  EXPECT_EQ(es_number_to_string(100), "100");
  EXPECT_EQ(es_number_to_string(-1.5), "-1.5");
  EXPECT_EQ(es_number_to_string(std::numeric_limits<double>::denorm_min()), "5e-324");
}

// RFC 8785 §3.2.2: the input JSON, and §3.2.3/§3.2.4's expected canonical output.
TEST(CanonicalJson, Rfc8785MainExample) {
  const char* input = R"({
    "numbers": [333333333.33333329, 1E30, 4.50, 2e-3, 0.000000000000000000000000001],
    "string": "\u20ac$\u000F\u000aA'\u0042\u0022\u005c\\\"\/",
    "literals": [null, true, false]
  })";
  auto parsed = parse_json(input, 4096, "test");
  ASSERT_TRUE(parsed) << parsed.error().to_string();
  const std::string expected =
      "{\"literals\":[null,true,false],\"numbers\":[333333333.3333333,1e+30,4.5,0.002,1e-27],"
      "\"string\":\"\xE2\x82\xAC$\\u000f\\nA'B\\\"\\\\\\\\\\\"/\"}";
  EXPECT_EQ(canon(*parsed), expected);
}

// RFC 8785 §3.2.3: members sorted by UTF-16 code units, not by code points or UTF-8 bytes.
// (U+1F600 is the surrogate pair D83D DE00, which sorts before U+FB33 although its code point
// is larger.)
TEST(CanonicalJson, Rfc8785SortingExample) {
  const char* input = R"({
    "\u20ac": "Euro Sign",
    "\r": "Carriage Return",
    "\ufb33": "Hebrew Letter Dalet With Dagesh",
    "1": "One",
    "\ud83d\ude00": "Emoji: Grinning Face",
    "\u0080": "Control",
    "\u00f6": "Latin Small Letter O With Diaeresis"
  })";
  auto parsed = parse_json(input, 4096, "test");
  ASSERT_TRUE(parsed) << parsed.error().to_string();
  const std::string expected =
      "{\"\\r\":\"Carriage Return\","
      "\"1\":\"One\","
      "\"\xC2\x80\":\"Control\","
      "\"\xC3\xB6\":\"Latin Small Letter O With Diaeresis\","
      "\"\xE2\x82\xAC\":\"Euro Sign\","
      "\"\xF0\x9F\x98\x80\":\"Emoji: Grinning Face\","
      "\"\xEF\xAC\xB3\":\"Hebrew Letter Dalet With Dagesh\"}";
  EXPECT_EQ(canon(*parsed), expected);
}

TEST(CanonicalJson, SortsNestedObjectsAndKeepsArrayOrder) {
  json j = json::parse(R"({"b":[3,1,{"z":1,"a":2}],"a":{"y":true,"x":null}})");
  EXPECT_EQ(canon(j), R"({"a":{"x":null,"y":true},"b":[3,1,{"a":2,"z":1}]})");
}

TEST(CanonicalJson, StringEscapingIsMinimal) {
  // RFC 8785 §3.2.2.2: \b \t \n \f \r \" \\ in short form, other controls as lowercase \u00xx,
  // everything else (including '/', DEL, U+2028 and non-ASCII) verbatim.
  std::string s =
      std::string("\x01\x08\t\n\x0b\x0c\r\x1f", 8) + "\"\\/\x7f" + "\xE2\x80\xA8" + "\xC3\xA9";
  EXPECT_EQ(canon(json(s)),
            "\"\\u0001\\b\\t\\n\\u000b\\f\\r\\u001f\\\"\\\\/\x7f\xE2\x80\xA8\xC3\xA9\"");
  EXPECT_EQ(canon(json(std::string("a\0b", 3))), "\"a\\u0000b\"");
}

TEST(CanonicalJson, LiteralsAndIntegers) {
  EXPECT_EQ(canon(json::parse("[null,true,false,0,-0,1.0,1e2,-7,9007199254740991]")),
            "[null,true,false,0,0,1,100,-7,9007199254740991]");
  EXPECT_EQ(canon(json::object()), "{}");
  EXPECT_EQ(canon(json::array()), "[]");
}

TEST(CanonicalJson, IntegersBeyondTwoToThe53AreRefused) {
  for (const char* text : {"9007199254740993", "-9007199254740993", "18446744073709551615",
                           "[1,{\"a\":9007199254740993}]"}) {
    auto r = canonical_json(json::parse(text));
    ASSERT_FALSE(r) << text;
    EXPECT_EQ(r.error().code, "number_out_of_range") << text;
    EXPECT_EQ(r.error().kind, ErrorKind::kInvalidInput);
  }
  EXPECT_FALSE(canonical_json(json(std::uint64_t{1} << 60)));
  EXPECT_FALSE(canonical_json(json(-(std::int64_t{1} << 60))));
  // The largest safe integer is fine on both signs.
  EXPECT_EQ(canon(json(std::int64_t{9007199254740991})), "9007199254740991");
  EXPECT_EQ(canon(json(std::int64_t{-9007199254740991})), "-9007199254740991");
}

TEST(CanonicalJson, NonFiniteNumbersAreRefused) {
  for (double d :
       {std::numeric_limits<double>::quiet_NaN(), std::numeric_limits<double>::infinity(),
        -std::numeric_limits<double>::infinity()}) {
    auto r = canonical_json(json::array({d}));
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, "number_not_finite");
  }
}

TEST(CanonicalJson, InvalidUtf8IsRefused) {
  for (std::string bad :
       {std::string("\xff"), std::string("a\xc3"), std::string("\xc0\xaf"),  // overlong '/'
        std::string("\xed\xa0\x80"),                                         // a surrogate
        std::string("\xf4\x90\x80\x80")}) {                                  // > U+10FFFF
    auto r = canonical_json(json(bad));
    ASSERT_FALSE(r) << "string value accepted";
    EXPECT_EQ(r.error().code, "invalid_utf8");
    json obj;
    obj[bad] = 1;
    auto k = canonical_json(obj);
    ASSERT_FALSE(k) << "key accepted";
    EXPECT_EQ(k.error().code, "invalid_utf8");
  }
}

TEST(CanonicalJson, IsIdempotentOverItsOwnOutput) {
  const char* input = R"({"z":[1.5,"x",{"b":1,"a":[true,null]}],"\u00e9":0.000001,"A":-0.0})";
  std::string once = canon(json::parse(input));
  auto reparsed = parse_json(once, 4096, "test");
  ASSERT_TRUE(reparsed);
  EXPECT_EQ(canon(*reparsed), once);
}

// --- parse_json limits -------------------------------------------------------------------

TEST(ParseJson, DuplicateKeysAreRefused) {
  for (const char* text :
       {R"({"a":1,"a":2})", R"({"x":{"k":1,"y":2,"k":3}})", R"([{"a":1},{"b":{"c":1,"c":1}}])"}) {
    auto r = parse_json(text, 1024, "recipe");
    ASSERT_FALSE(r) << text;
    EXPECT_EQ(r.error().code, "duplicate_key") << text;
    EXPECT_EQ(r.error().field, "recipe");
    EXPECT_THAT(r.error().message, HasSubstr("twice"));
  }
  // The same key in different objects is not a duplicate.
  EXPECT_TRUE(parse_json(R"({"x":{"a":1},"y":{"a":1},"a":[{"a":1},{"a":2}]})", 1024, "recipe"));
}

// Issue 14: the JSON library skipped a BOM and stopped at a NUL, so both were accepted.
TEST(ParseJson, ByteOrderMarkAndNulBytesAreRefused) {
  for (const std::string& text : {std::string("\xEF\xBB\xBF{\"a\":1}"),
                                  std::string("{\"a\":1}\0", 8), std::string("{\"a\":1}\0\0", 9),
                                  std::string("\0{\"a\":1}", 8), std::string("[1,\0 2]", 7)}) {
    auto r = parse_json(text, 1024, "body");
    ASSERT_FALSE(r) << text;
    EXPECT_EQ(r.error().code, "malformed_json");
    EXPECT_EQ(r.error().field, "body");
  }
  EXPECT_TRUE(parse_json("{\"a\":\"\\u0000\"}", 1024, "body"));  // An escaped NUL is a string's.
}

TEST(ParseJson, SizeLimitBothSides) {
  std::string text = R"({"k":")" + std::string(100, 'v') + R"("})";
  auto at_limit = parse_json(text, text.size(), "manifest");
  ASSERT_TRUE(at_limit) << at_limit.error().to_string();
  auto over = parse_json(text, text.size() - 1, "manifest");
  ASSERT_FALSE(over);
  EXPECT_EQ(over.error().kind, ErrorKind::kTooLarge);
  EXPECT_EQ(over.error().code, "manifest_too_large");
  EXPECT_EQ(over.error().field, "manifest");
}

std::string nested_arrays(int depth) {
  return std::string(static_cast<std::size_t>(depth), '[') + "1" +
         std::string(static_cast<std::size_t>(depth), ']');
}

std::string nested_objects(int depth) {
  std::string s;
  for (int i = 0; i < depth; ++i) s += "{\"a\":";
  s += "1";
  s += std::string(static_cast<std::size_t>(depth), '}');
  return s;
}

TEST(ParseJson, DepthLimitBothSides) {
  const int max = static_cast<int>(limits::kJsonDepthMax);
  for (auto make : {nested_arrays, nested_objects}) {
    auto ok = parse_json(make(max), 1 << 20, "recipe");
    ASSERT_TRUE(ok) << "depth " << max << ": " << ok.error().to_string();
    auto deep = parse_json(make(max + 1), 1 << 20, "recipe");
    ASSERT_FALSE(deep) << "depth " << max + 1 << " accepted";
    EXPECT_EQ(deep.error().code, "json_too_deep");
    EXPECT_THAT(deep.error().message, HasSubstr("json_depth_max"));
    // Very deep input is refused without recursing through it.
    auto very_deep = parse_json(make(100000), 1 << 22, "recipe");
    ASSERT_FALSE(very_deep);
    EXPECT_EQ(very_deep.error().code, "json_too_deep");
  }
}

TEST(CanonicalJson, DepthLimitBothSides) {
  const int max = static_cast<int>(limits::kJsonDepthMax);
  EXPECT_TRUE(canonical_json(json::parse(nested_arrays(max))));
  EXPECT_TRUE(canonical_json(json::parse(nested_objects(max))));
  auto deep = canonical_json(json::parse(nested_arrays(max + 1)));
  ASSERT_FALSE(deep);
  EXPECT_EQ(deep.error().code, "json_too_deep");
  auto deep_obj = canonical_json(json::parse(nested_objects(max + 1)));
  ASSERT_FALSE(deep_obj);
  EXPECT_EQ(deep_obj.error().code, "json_too_deep");
}

TEST(ParseJson, MalformedInputIsAnInputErrorNamingTheInput) {
  for (const char* text :
       {"", "{", "{\"a\":}", "[1,]", "{'a':1}", "nul", "{\"a\":1} x", "\"\xff\""}) {
    auto r = parse_json(text, 1024, "manifest");
    ASSERT_FALSE(r) << text;
    EXPECT_EQ(r.error().code, "malformed_json") << text;
    EXPECT_EQ(r.error().kind, ErrorKind::kInvalidInput);
    EXPECT_EQ(r.error().field, "manifest");
  }
}

TEST(ParseJson, AcceptsOrdinaryDocuments) {
  auto r = parse_json(R"( {"a": [1, 2.5, "x", null, true], "b": {}} )", 1024, "test");
  ASSERT_TRUE(r);
  EXPECT_EQ((*r)["a"][1].get<double>(), 2.5);
  EXPECT_TRUE((*r)["b"].is_object());
}

}  // namespace
}  // namespace atelier
