// SHA-256 against the FIPS 180-2 / NIST example vectors, and the hex helpers.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "core/hash.h"

namespace atelier {
namespace {

// FIPS 180-2, Appendix B (SHA-256 examples), and the empty-string digest.
constexpr const char* kAbc = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";
constexpr const char* kEmpty = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
constexpr const char* kTwoBlock =
    "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1";
constexpr const char* kMillionA =
    "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0";
constexpr const char* kTwoBlockInput = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";

TEST(Sha256, KnownVectors) {
  EXPECT_EQ(sha256_hex(std::string_view("abc")), kAbc);
  EXPECT_EQ(sha256_hex(std::string_view("")), kEmpty);
  EXPECT_EQ(sha256_hex(std::string_view(kTwoBlockInput)), kTwoBlock);
  EXPECT_EQ(sha256_hex(std::string(1'000'000, 'a')), kMillionA);
}

TEST(Sha256, SpanAndStringAgree) {
  std::vector<std::uint8_t> bytes = {'a', 'b', 'c'};
  EXPECT_EQ(sha256_hex(std::span<const std::uint8_t>(bytes)), kAbc);
  Digest d = sha256(std::span<const std::uint8_t>(bytes));
  EXPECT_EQ(to_hex(d), kAbc);
  EXPECT_EQ(sha256(std::string_view("abc")), d);
}

TEST(Sha256, IncrementalMatchesOneShot) {
  Sha256 h;
  std::string a(1'000'000, 'a');
  // Uneven pieces across block boundaries.
  std::size_t pos = 0;
  for (std::size_t piece : {1u, 63u, 64u, 65u, 1000u, 77777u}) {
    h.update(std::string_view(a).substr(pos, piece));
    pos += piece;
  }
  h.update(std::string_view(a).substr(pos));
  EXPECT_EQ(to_hex(h.finish()), kMillionA);

  Sha256 empty;
  EXPECT_EQ(to_hex(empty.finish()), kEmpty);
}

TEST(Hex, RoundTrip) {
  std::vector<std::uint8_t> bytes;
  for (int i = 0; i < 256; ++i) bytes.push_back(static_cast<std::uint8_t>(i));
  std::string hex = to_hex(bytes);
  ASSERT_EQ(hex.size(), 512u);
  EXPECT_EQ(hex.substr(0, 8), "00010203");
  EXPECT_EQ(hex.substr(504), "fcfdfeff");
  auto back = from_hex(hex, 256);
  ASSERT_TRUE(back);
  EXPECT_EQ(*back, bytes);
}

TEST(Hex, FromHexAcceptsEitherCaseAndRejectsTheRest) {
  auto upper = from_hex("DEADbeef", 4);
  ASSERT_TRUE(upper);
  EXPECT_EQ(*upper, (std::vector<std::uint8_t>{0xde, 0xad, 0xbe, 0xef}));
  EXPECT_FALSE(from_hex("deadbeef", 3));   // Wrong length.
  EXPECT_FALSE(from_hex("deadbeef", 5));
  EXPECT_FALSE(from_hex("deadbee", 4));
  EXPECT_FALSE(from_hex("deadbeeg", 4));   // Not hex.
  EXPECT_FALSE(from_hex("0xdeadbe", 4));
  EXPECT_FALSE(from_hex(" deadbee", 4));
  auto none = from_hex("", 0);
  ASSERT_TRUE(none);
  EXPECT_TRUE(none->empty());
}

TEST(Hex, IsSha256Hex) {
  EXPECT_TRUE(is_sha256_hex(kAbc));
  EXPECT_FALSE(is_sha256_hex(std::string(kAbc).substr(1)));
  EXPECT_FALSE(is_sha256_hex(std::string(kAbc) + "0"));
  std::string upper = kAbc;
  upper[0] = 'B';
  EXPECT_FALSE(is_sha256_hex(upper));
  std::string bad = kAbc;
  bad[10] = 'g';
  EXPECT_FALSE(is_sha256_hex(bad));
  EXPECT_FALSE(is_sha256_hex(""));
}

}  // namespace
}  // namespace atelier
