// The 256-bit code's hex spelling (PDQ's order) and Hamming distance.
#include "compliance/hash256.h"

#include <gtest/gtest.h>

namespace atelier::compliance {
namespace {

TEST(ComplianceHash256, TheFirstHexDigitIsTheTopOfTheFirstWord) {
  Pdq256 code{0xf000000000000001ull, 0x0123456789abcdefull, 0, 0x8000000000000000ull};
  const std::string hex = pdq256_hex(code);
  EXPECT_EQ(hex,
            "f000000000000001"
            "0123456789abcdef"
            "0000000000000000"
            "8000000000000000");
  EXPECT_EQ(parse_pdq256_hex(hex), code);
}

TEST(ComplianceHash256, ParsesEitherCaseAndWritesLowercase) {
  const std::string upper(64, 'A');
  auto code = parse_pdq256_hex(upper);
  ASSERT_TRUE(code);
  EXPECT_EQ(pdq256_hex(*code), std::string(64, 'a'));
}

TEST(ComplianceHash256, RefusesAnythingButSixtyFourHexDigits) {
  EXPECT_FALSE(parse_pdq256_hex(""));
  EXPECT_FALSE(parse_pdq256_hex(std::string(63, '0')));
  EXPECT_FALSE(parse_pdq256_hex(std::string(65, '0')));
  EXPECT_FALSE(parse_pdq256_hex("0x" + std::string(62, '0')));
  EXPECT_FALSE(parse_pdq256_hex(std::string(63, '0') + "g"));
  EXPECT_FALSE(parse_pdq256_hex(std::string(63, '0') + " "));
}

TEST(ComplianceHash256, HammingCountsDifferingBits) {
  Pdq256 a{};
  Pdq256 b{};
  EXPECT_EQ(hamming(a, b), 0);
  b = {~0ull, ~0ull, ~0ull, ~0ull};
  EXPECT_EQ(hamming(a, b), 256);
  b = {1, 2, 4, 0x8000000000000000ull};
  EXPECT_EQ(hamming(a, b), 4);
}

}  // namespace
}  // namespace atelier::compliance
