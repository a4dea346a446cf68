// JUMBF: writing and reading superboxes, description toggles, and malformed boxes.
#include <gtest/gtest.h>

#include "c2pa/internal/bytes.h"
#include "c2pa/jumbf.h"

namespace atelier::c2pa::jumbf {
namespace {

TEST(Jumbf, WritesTheIsoLayoutAndReadsItBack) {
  Box store =
      Box::super(kUuidStore, "c2pa",
                 {Box::super(kUuidCbor, "c2pa.actions.v2", {Box::content("cbor", {0xa0})})});
  const Bytes bytes = store.write();
  // jumb header, then jumd: 8 header + 16 uuid + 1 toggles + "c2pa\0".
  ASSERT_GE(bytes.size(), 38u);
  EXPECT_EQ(internal::be32(bytes.data()), bytes.size());
  EXPECT_EQ(std::string(bytes.begin() + 4, bytes.begin() + 8), "jumb");
  EXPECT_EQ(internal::be32(bytes.data() + 8), 8u + 16 + 1 + 5);
  EXPECT_EQ(std::string(bytes.begin() + 12, bytes.begin() + 16), "jumd");
  EXPECT_EQ(uuid_hex(kUuidStore), "6332706100110010800000AA00389B71");
  EXPECT_EQ(bytes[32], 0x03);  // requestable + label
  auto back = Box::parse(bytes);
  ASSERT_TRUE(back) << back.error().to_string();
  EXPECT_EQ(back->label, "c2pa");
  ASSERT_NE(back->child("c2pa.actions.v2"), nullptr);
  EXPECT_EQ(back->child("c2pa.actions.v2")->content_child("cbor")->payload, Bytes{0xa0});
  EXPECT_EQ(back->write(), bytes);
  EXPECT_EQ(back->contents(), store.write_contents());
}

TEST(Jumbf, ReadsOptionalDescriptionFieldsAndLargeSizes) {
  Box b = Box::super(kUuidCbor, "x", {Box::content("cbor", {1, 2})});
  b.id = 7;
  b.signature = std::array<std::uint8_t, 32>{};
  auto back = Box::parse(b.write());
  ASSERT_TRUE(back);
  EXPECT_EQ(back->id, 7u);
  EXPECT_TRUE(back->signature.has_value());
  // A content box with a 64-bit size (LBox = 1) is read too.
  Bytes big = {0, 0, 0, 1, 'c', 'b', 'o', 'r', 0, 0, 0, 0, 0, 0, 0, 18, 0xa0, 0xa0};
  auto c = Box::parse(big);
  ASSERT_TRUE(c) << c.error().to_string();
  EXPECT_EQ(c->payload, (Bytes{0xa0, 0xa0}));
}

TEST(Jumbf, MalformedBoxesAreErrorsNamingTheOffset) {
  const Bytes good = Box::super(kUuidStore, "c2pa", {Box::content("cbor", {0xa0})}).write();
  std::vector<Bytes> bad;
  bad.push_back(Bytes(good.begin(), good.begin() + 5));              // truncated header
  Bytes past = good;
  past[3] = static_cast<std::uint8_t>(past[3] + 1);                    // size past the end
  bad.push_back(past);
  Bytes no_desc = {0, 0, 0, 16, 'j', 'u', 'm', 'b', 0, 0, 0, 8, 'c', 'b', 'o', 'r'};
  bad.push_back(no_desc);                                              // superbox without jumd
  Bytes huge = {0, 0, 0, 1, 'c', 'b', 'o', 'r', 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
  bad.push_back(huge);                                                 // 2^64 - 1 bytes
  Bytes tiny = {0, 0, 0, 4, 'c', 'b', 'o', 'r'};
  bad.push_back(tiny);                                                 // smaller than header
  Bytes nonul = {0, 0, 0, 34, 'j', 'u', 'm', 'b', 0, 0, 0, 26, 'j', 'u', 'm', 'd'};
  nonul.resize(nonul.size() + 16, 0);
  nonul.push_back(0x03);
  nonul.push_back('a');
  bad.push_back(nonul);                                                // label without NUL
  Bytes trailing = good;
  trailing.push_back(0);
  bad.push_back(trailing);
  for (const auto& b : bad) {
    auto r = Box::parse(b);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, "jumbf_malformed");
    EXPECT_NE(r.error().message.find("at byte"), std::string::npos);
  }
}

TEST(Jumbf, NestingIsBounded) {
  Box inner = Box::content("cbor", {0xa0});
  for (int i = 0; i < 40; ++i) inner = Box::super(kUuidCbor, "n", {inner});
  auto r = Box::parse(inner.write());
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("deeper"), std::string::npos);
}

}  // namespace
}  // namespace atelier::c2pa::jumbf
