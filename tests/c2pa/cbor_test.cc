// CBOR: RFC 8949 Appendix A encodings, §4.2.1 deterministic map order, and bounded decoding.
#include <gtest/gtest.h>

#include "c2pa/cbor.h"
#include "core/hash.h"

namespace atelier::c2pa::cbor {
namespace {

std::string hex_of(const Value& v) { return to_hex(encode(v)); }

Bytes unhex(std::string_view h) {
  auto b = from_hex(h, h.size() / 2);
  return b ? *b : Bytes{};
}

TEST(Cbor, EncodesRfc8949AppendixAIntegersInShortestForm) {
  EXPECT_EQ(hex_of(Value::unsigned_int(0)), "00");
  EXPECT_EQ(hex_of(Value::unsigned_int(23)), "17");
  EXPECT_EQ(hex_of(Value::unsigned_int(24)), "1818");
  EXPECT_EQ(hex_of(Value::unsigned_int(1000)), "1903e8");
  EXPECT_EQ(hex_of(Value::unsigned_int(1000000)), "1a000f4240");
  EXPECT_EQ(hex_of(Value::unsigned_int(1000000000000)), "1b000000e8d4a51000");
  EXPECT_EQ(hex_of(Value::unsigned_int(UINT64_MAX)), "1bffffffffffffffff");
  EXPECT_EQ(hex_of(Value::integer(-1)), "20");
  EXPECT_EQ(hex_of(Value::integer(-1000)), "3903e7");
  EXPECT_EQ(hex_of(Value::negative(UINT64_MAX)), "3bffffffffffffffff");
}

TEST(Cbor, EncodesRfc8949AppendixAFloatsInShortestExactForm) {
  EXPECT_EQ(hex_of(Value::floating(0.0)), "f90000");
  EXPECT_EQ(hex_of(Value::floating(-0.0)), "f98000");
  EXPECT_EQ(hex_of(Value::floating(1.5)), "f93e00");
  EXPECT_EQ(hex_of(Value::floating(65504.0)), "f97bff");
  EXPECT_EQ(hex_of(Value::floating(100000.0)), "fa47c35000");
  EXPECT_EQ(hex_of(Value::floating(5.960464477539063e-8)), "f90001");
  EXPECT_EQ(hex_of(Value::floating(1.1)), "fb3ff199999999999a");
  EXPECT_EQ(hex_of(Value::floating(std::numeric_limits<double>::infinity())), "f97c00");
}

TEST(Cbor, EncodesStringsArraysTagsAndSimpleValues) {
  EXPECT_EQ(hex_of(Value("")), "60");
  EXPECT_EQ(hex_of(Value("IETF")), "6449455446");
  EXPECT_EQ(hex_of(Value(Bytes{1, 2, 3, 4})), "4401020304");
  EXPECT_EQ(hex_of(Value::array({Value::unsigned_int(1), Value::array({Value::unsigned_int(2)})})),
            "8201810" "2");
  EXPECT_EQ(hex_of(Value::tag(18, Value::array())), "d280");
  EXPECT_EQ(hex_of(Value::boolean(false)), "f4");
  EXPECT_EQ(hex_of(Value::boolean(true)), "f5");
  EXPECT_EQ(hex_of(Value::null()), "f6");
  EXPECT_EQ(hex_of(Value::undefined()), "f7");
}

TEST(Cbor, ANanWithAPayloadIsWrittenAsTheCanonicalNan) {
  // c2pa_fuzz finding: a double NaN with payload bits (fb ffffffff07000000) read back from
  // its deterministic encoding is the canonical quiet NaN (RFC 8949 §4.2.2), not itself.
  auto v = decode(unhex("fbffffffff07000000"), "test");
  ASSERT_TRUE(v);
  EXPECT_EQ(hex_of(*v), "f97e00");
  EXPECT_EQ(hex_of(*decode(encode(*v), "test")), "f97e00");
}

TEST(Cbor, KeysThatEncodeAlikeAreOneKey) {
  // c2pa_fuzz finding 2: NaN keys with different payloads, and a chunked and a plain string,
  // are distinct bits but one key once written deterministically: a repeated key.
  for (const char* h :
       {"a2fb7ff8000000000001 00 fb7ff8000000000002 00", "a2 7f6161ff 00 6161 00"}) {
    std::string hex;
    for (const char* c = h; *c; ++c) {
      if (*c != ' ') hex.push_back(*c);
    }
    auto v = decode(unhex(hex), "test");
    ASSERT_FALSE(v) << h;
    EXPECT_NE(v.error().message.find("repeats a key"), std::string::npos);
  }
}

TEST(Cbor, SortsMapKeysByTheirEncodedBytes) {
  // §4.2.1: bytewise order of encoded keys — shorter text first, integers before text.
  Value m = Value::map({{"aa", Value::unsigned_int(1)},
                        {"b", Value::unsigned_int(2)},
                        {Value::integer(-1), Value::unsigned_int(3)},
                        {Value::unsigned_int(10), Value::unsigned_int(4)}});
  EXPECT_EQ(hex_of(m), "a40a0420036162026261610" "1");
}

TEST(Cbor, DecodesWhatItEncodesAndKnowsDeterministicBytes) {
  Value m = Value::map(
      {{"url", "self#jumbf=c2pa.assertions/c2pa.hash.data"},
       {"hash", Value(Bytes(32, 7))},
       {"n", Value::integer(-7)},
       {"list", Value::array({Value::floating(0.5), Value::null(), Value::boolean(true)})}});
  const Bytes bytes = encode(m);
  auto back = decode(bytes, "test");
  ASSERT_TRUE(back) << back.error().to_string();
  EXPECT_EQ(encode(*back), bytes);
  EXPECT_TRUE(is_deterministic(bytes));
  // The same map with its keys in another order, or a number in a longer form, is valid CBOR
  // but not the deterministic encoding.
  EXPECT_FALSE(is_deterministic(unhex("a2616202616101")));
  EXPECT_TRUE(is_deterministic(unhex("a2616101616202")));
  EXPECT_FALSE(is_deterministic(unhex("1817")));
}

TEST(Cbor, ReadsEveryOneByteTagHead) {
  // libcbor 0.8's streaming decoder refuses heads 0xc6..0xd4; COSE_Sign1 is tag 18 (0xd2).
  for (int tag = 0; tag < 24; ++tag) {
    Bytes b = {static_cast<std::uint8_t>(0xc0 + tag), 0x80};
    auto v = decode(b, "test");
    ASSERT_TRUE(v) << tag << ": " << v.error().to_string();
    EXPECT_EQ(v->type(), Value::Type::kTag);
    EXPECT_EQ(v->number(), static_cast<std::uint64_t>(tag));
    EXPECT_EQ(encode(*v), b);
  }
}

TEST(Cbor, ReadsIndefiniteLengthItems) {
  auto v = decode(unhex("9f018202039f0405ffff"), "test");  // [_ 1, [2, 3], [_ 4, 5]]
  ASSERT_TRUE(v) << v.error().to_string();
  EXPECT_EQ(encode(*v), unhex("83018202038204" "05"));
  auto s = decode(unhex("5f42010243030405ff"), "test");  // (_ h'0102', h'030405')
  ASSERT_TRUE(s);
  EXPECT_EQ(s->bytes(), (Bytes{1, 2, 3, 4, 5}));
  auto m = decode(unhex("bf61610161629f0203ffff"), "test");
  ASSERT_TRUE(m);
  EXPECT_EQ(m->find("b")->items().size(), 2u);
}

TEST(Cbor, RefusesMalformedInputWithTheOffset) {
  for (const char* h :
       {"", "18", "1a0000", "62", "6261", "8201", "a161", "ff", "1c", "0101", "9f01",
        "a2616101616102" /* repeated key */, "5f01ff" /* int chunk in a byte string */}) {
    auto v = decode(unhex(h), "claim");
    ASSERT_FALSE(v) << h;
    EXPECT_EQ(v.error().code, "cbor_malformed") << h;
    EXPECT_NE(v.error().message.find("claim"), std::string::npos);
  }
}

TEST(Cbor, AHugeDeclaredLengthDoesNotAllocate) {
  // An array claiming 2^32 items and a map claiming 2^63 entries in a few bytes.
  for (const char* h :
       {"9affffffff", "bb7fffffffffffffff", "5bffffffffffffffff00", "7a7fffffff41"}) {
    auto v = decode(unhex(h), "test");
    ASSERT_FALSE(v) << h;
    EXPECT_EQ(v.error().code, "cbor_malformed") << h;
  }
}

TEST(Cbor, NestingDeeperThanTheLimitIsRefused) {
  Bytes deep(100, 0x81);
  deep.push_back(0x00);
  auto v = decode(deep, "test");
  ASSERT_FALSE(v);
  EXPECT_EQ(v.error().code, "cbor_too_deep");
  Bytes ok(31, 0x81);
  ok.push_back(0x00);
  EXPECT_TRUE(decode(ok, "test"));
}

TEST(Cbor, TooManyItemsIsRefused) {
  Bytes many = {0x9a, 0x00, 0x01, 0x00, 0x00};  // 65536 items
  many.resize(many.size() + 65536, 0x00);
  DecodeLimits small;
  small.items_max = 1000;
  auto v = decode(many, "test", small);
  ASSERT_FALSE(v);
  EXPECT_EQ(v.error().code, "cbor_too_large");
  EXPECT_TRUE(decode(many, "test"));
}

}  // namespace
}  // namespace atelier::c2pa::cbor
