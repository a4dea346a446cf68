// U256: decimal round trips at the edges, checked arithmetic that refuses to wrap, and mul_div
// with a full 512-bit product (the rounding every fee and royalty uses).
#include "core/u256.h"

#include <gtest/gtest.h>

#include <vector>

namespace atelier {
namespace {

const std::string kMax =
    "115792089237316195423570985008687907853269984665640564039457584007913129639935";

U256 dec(const std::string& s) {
  auto v = U256::from_decimal(s);
  EXPECT_TRUE(v) << s;
  return v.value_or(U256());
}

TEST(U256, DecimalRoundTripsAndRejectsNonCanonicalText) {
  for (const std::string& s : std::vector<std::string>{
           "0", "1", "18446744073709551615", "18446744073709551616", "1500000000000000000", kMax}) {
    EXPECT_EQ(dec(s).to_decimal(), s);
  }
  EXPECT_EQ(U256::max().to_decimal(), kMax);
  for (const char* bad :
       {"", "-1", "+1", "01", "1.5", "1e18", " 1", "0x10",
        "115792089237316195423570985008687907853269984665640564039457584007913129639936"}) {
    EXPECT_FALSE(U256::from_decimal(bad)) << bad;
  }
  EXPECT_EQ(dec("18446744073709551616").limbs()[1], 1u);
  EXPECT_EQ(dec("42").to_u64(), 42u);
  EXPECT_FALSE(dec("18446744073709551616").to_u64());
}

TEST(U256, ArithmeticIsCheckedNeverWrapping) {
  EXPECT_EQ(checked_add(dec("18446744073709551615"), U256(1))->to_decimal(),
            "18446744073709551616");
  EXPECT_FALSE(checked_add(U256::max(), U256(1)));
  EXPECT_EQ(*checked_sub(U256(5), U256(5)), U256(0));
  EXPECT_FALSE(checked_sub(U256(5), U256(6)));
  EXPECT_EQ(checked_mul(dec("340282366920938463463374607431768211456"),
                        dec("340282366920938463463374607431768211455"))
                ->to_decimal(),
            "115792089237316195423570985008687907852929702298719625575994209400481361428480");
  EXPECT_FALSE(checked_mul(dec("340282366920938463463374607431768211456"),
                           dec("340282366920938463463374607431768211456")));
  EXPECT_EQ(*checked_div(U256(7), U256(2)), U256(3));
  EXPECT_EQ(*checked_mod(U256(7), U256(2)), U256(1));
  EXPECT_FALSE(checked_div(U256(7), U256(0)));
  EXPECT_FALSE(checked_mod(U256(7), U256(0)));
  EXPECT_LT(U256(1), dec("18446744073709551616"));
  EXPECT_GT(U256::max(), dec("18446744073709551616"));
}

TEST(U256, MulDivKeepsTheFullProductAndRoundsDown) {
  EXPECT_EQ(*mul_div(U256::max(), U256::max(), U256::max()),
            U256::max());  // Product needs 512 bits.
  // A 2.5 % fee on 1 wei less than 1 ETH rounds down.
  EXPECT_EQ(mul_div(dec("999999999999999999"), U256(250), U256(10'000))->to_decimal(),
            "24999999999999999");
  EXPECT_EQ(*mul_div(U256(10), U256(3), U256(4)), U256(7));
  EXPECT_FALSE(mul_div(U256::max(), U256(2), U256(1)));
  EXPECT_FALSE(mul_div(U256(1), U256(1), U256(0)));
}

TEST(U256, BigEndianBytesAreTheAbiEncoding) {
  auto one = U256(1).to_be_bytes();
  EXPECT_EQ(one[31], 1);
  EXPECT_EQ(one[0], 0);
  auto v = dec("1234567890123456789012345678901234567890");
  EXPECT_EQ(U256::from_be_bytes(v.to_be_bytes()), v);
  EXPECT_EQ(U256::max().to_be_bytes()[0], 0xff);
}

}  // namespace
}  // namespace atelier
