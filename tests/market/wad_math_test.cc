// Wad math against published vectors, to the wei. The wad_exp and wad_ln values are the ones
// solmate asserts for the same Remco Bloemen algorithm: transmissions11/solmate,
// src/test/FixedPointMathLib.t.sol (testExpWad, testLnWad, testLnWadSmall, testLnWadBig, in
// the 2022 version that carried expWad/lnWad); wad_mul and wad_div follow
// src/test/SignedWadMath.t.sol (truncation toward zero, the -1 * int256.min edge case).
#include "market/wad_math.h"

#include <gtest/gtest.h>

#include <string>
#include <utility>
#include <vector>

namespace atelier::market {
namespace {

I256 i(const std::string& decimal) {
  auto v = I256::from_decimal(decimal);
  EXPECT_TRUE(v) << decimal;
  return v.value_or(I256());
}

std::string str(const Result<I256>& r) { return r ? r->to_decimal() : "error " + r.error().code; }

TEST(I256, DecimalRoundTripsAndOrdersBySign) {
  for (const char* s :
       {"0", "1", "-1", "18446744073709551616", "-18446744073709551616",
        "57896044618658097711785492504343953926634992332820282019728792003956564819967",
        "-57896044618658097711785492504343953926634992332820282019728792003956564819968"}) {
    EXPECT_EQ(i(s).to_decimal(), s);
  }
  EXPECT_EQ(I256::max().to_decimal(),
            "57896044618658097711785492504343953926634992332820282019728792003956564819967");
  EXPECT_EQ(I256::min().to_decimal(),
            "-57896044618658097711785492504343953926634992332820282019728792003956564819968");
  for (const char* bad :
       {"", "-", "-0", "+1", "01", "1.5", "1e18",
        "57896044618658097711785492504343953926634992332820282019728792003956564819968"}) {
    EXPECT_FALSE(I256::from_decimal(bad)) << bad;
  }
  EXPECT_LT(I256(-2), I256(-1));
  EXPECT_LT(I256(-1), I256(0));
  EXPECT_LT(I256::min(), I256::max());
  EXPECT_EQ(I256(-1).to_decimal(), "-1");
}

TEST(WadExp, MatchesSolmateVectors) {
  const std::vector<std::pair<std::string, std::string>> vectors = {
      {"-42139678854452767551", "0"},
      {"-3000000000000000000", "49787068367863942"},
      {"-2000000000000000000", "135335283236612691"},
      {"-1000000000000000000", "367879441171442321"},
      {"-500000000000000000", "606530659712633423"},
      {"-300000000000000000", "740818220681717866"},
      {"0", "1000000000000000000"},
      {"300000000000000000", "1349858807576003103"},
      {"500000000000000000", "1648721270700128146"},
      {"1000000000000000000", "2718281828459045235"},
      {"2000000000000000000", "7389056098930650227"},
      {"3000000000000000000", "20085536923187667741"},
      {"10000000000000000000", "22026465794806716516980"},
      {"50000000000000000000", "5184705528587072464148529318587763226117"},
      {"100000000000000000000", "26881171418161354484134666106240937146178367581647816351662017"},
      {"135305999368893231588",
       "57896044618658097650144101621524338577433870140581303254786265309376407432913"},
  };
  for (const auto& [x, expected] : vectors) EXPECT_EQ(str(wad_exp(i(x))), expected) << x;
}

TEST(WadExp, RoundsToZeroBelowAndRefusesOverflow) {
  EXPECT_EQ(str(wad_exp(i(std::string(kWadExpZeroAtOrBelow)))), "0");
  EXPECT_EQ(str(wad_exp(I256::min())), "0");
  EXPECT_NE(str(wad_exp(i("-42139678854452767550"))), "error exp_overflow");
  EXPECT_EQ(str(wad_exp(i(std::string(kWadExpOverflowFrom)))), "error exp_overflow");
  EXPECT_EQ(str(wad_exp(I256::max())), "error exp_overflow");
}

TEST(WadLn, MatchesSolmateVectors) {
  const std::vector<std::pair<std::string, std::string>> vectors = {
      {"1000000000000000000", "0"},
      {"2718281828459045235", "999999999999999999"},
      {"11723640096265400935", "2461607324344817918"},
      // Small: rounds toward minus infinity.
      {"1", "-41446531673892822313"},
      {"42", "-37708862055609454007"},
      {"10000", "-32236191301916639577"},
      {"1000000000", "-20723265836946411157"},
      // Big: 2^255 - 1, 2^170, 2^128.
      {"57896044618658097711785492504343953926634992332820282019728792003956564819967",
       "135305999368893231589"},
      {"1496577676626844588240573268701473812127674924007424", "76388489021297880288"},
      {"340282366920938463463374607431768211456", "47276307437780177293"},
  };
  for (const auto& [x, expected] : vectors) EXPECT_EQ(str(wad_ln(i(x))), expected) << x;
}

TEST(WadLn, RefusesNonPositive) {
  EXPECT_EQ(str(wad_ln(I256(0))), "error ln_undefined");
  EXPECT_EQ(str(wad_ln(I256(-1))), "error ln_undefined");
  EXPECT_EQ(str(wad_ln(I256::min())), "error ln_undefined");
}

TEST(WadMul, TruncatesTowardZeroAndRefusesOverflow) {
  EXPECT_EQ(str(wad_mul(i("2500000000000000000"), i("500000000000000000"))), "1250000000000000000");
  EXPECT_EQ(str(wad_mul(i("3000000000000000000"), i("1000000000000000000"))),
            "3000000000000000000");
  EXPECT_EQ(str(wad_mul(I256(369), I256(271))), "0");
  EXPECT_EQ(str(wad_mul(I256(-369), I256(2710000))), "0");  // -0.99..e-12 truncates to 0, not -1.
  EXPECT_EQ(str(wad_mul(i("-3000000000000000000"), i("500000000000000000"))),
            "-1500000000000000000");
  EXPECT_EQ(str(wad_mul(I256::min(), I256(0))), "0");
  EXPECT_EQ(str(wad_mul(I256(-1), I256::min())), "error wad_overflow");
  EXPECT_EQ(str(wad_mul(I256::max(), I256(2))), "error wad_overflow");
}

TEST(WadDiv, TruncatesTowardZeroAndRefusesZeroAndOverflow) {
  EXPECT_EQ(str(wad_div(i("1250000000000000000"), i("500000000000000000"))), "2500000000000000000");
  EXPECT_EQ(str(wad_div(i("3000000000000000000"), i("1000000000000000000"))),
            "3000000000000000000");
  EXPECT_EQ(str(wad_div(I256(2), i("100000000000000000000000000000000"))), "0");
  EXPECT_EQ(str(wad_div(i("-1000000000000000000"), i("3000000000000000000"))),
            "-333333333333333333");
  EXPECT_EQ(str(wad_div(I256(1), I256(0))), "error division_by_zero");
  EXPECT_EQ(str(wad_div(I256::max(), I256(1))), "error wad_overflow");
}

TEST(WadPow, IsExpOfLnTimesExponent) {
  // 2^0.5: sqrt(2) = 1.41421356237309504880…; ln and exp each lose about a wei.
  auto root2 = wad_pow(i("2000000000000000000"), i("500000000000000000"));
  ASSERT_TRUE(root2);
  EXPECT_NEAR(static_cast<double>(std::stoll(root2->to_decimal()) - 1414213562373095048LL), 0.0,
              3.0);
  EXPECT_EQ(str(wad_pow(i("4000000000000000000"), I256(0))), "1000000000000000000");
  EXPECT_EQ(str(wad_pow(I256(0), i("2000000000000000000"))), "error ln_undefined");
}

TEST(WadFromDecimal, ParsesExactDecimalsAndNamesTheField) {
  EXPECT_EQ(str(wad_from_decimal("0.31", "params.decay")), "310000000000000000");
  EXPECT_EQ(str(wad_from_decimal("2", "f")), "2000000000000000000");
  EXPECT_EQ(str(wad_from_decimal("0", "f")), "0");
  EXPECT_EQ(str(wad_from_decimal("1.000000000000000001", "f")), "1000000000000000001");
  EXPECT_EQ(str(wad_from_decimal("0.0023", "f")), "2300000000000000");
  EXPECT_EQ(str(wad_from_decimal("-0.5", "f")), "-500000000000000000");
  for (const char* bad :
       {"", ".5", "5.", "1e18", "+1", "01", "0x10", " 1", "1 ", "1.2.3", "-", "0,5"}) {
    auto r = wad_from_decimal(bad, "params.decay");
    ASSERT_FALSE(r) << bad;
    EXPECT_EQ(r.error().code, "invalid_number") << bad;
    EXPECT_EQ(r.error().field, "params.decay");
  }
  auto precise = wad_from_decimal("0.1234567890123456789", "params.decay");
  ASSERT_FALSE(precise);
  EXPECT_EQ(precise.error().code, "too_many_decimals");
  EXPECT_EQ(precise.error().field, "params.decay");
  auto huge =
      wad_from_decimal("57896044618658097711785492504343953926634992332820282019728792003957", "x");
  ASSERT_FALSE(huge);
  EXPECT_EQ(huge.error().code, "value_out_of_range");
}

}  // namespace
}  // namespace atelier::market
