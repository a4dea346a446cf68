// wad_math.h — signed 18-decimal fixed point ("wad") arithmetic with the exact semantics of
// solmate's src/utils/SignedWadMath.sol (wadMul, wadDiv, wadExp, wadLn, wadPow), so a price
// computed here agrees to the wei with one computed on an EVM by the same sequence of calls.
//
//   I256 rate = *wad_from_decimal("0.31", "params.decay");   // 310000000000000000
//   Result<I256> k = wad_ln(*wad_from_decimal("0.69", "decay"));  // -371063681390831986
//   Result<I256> e = wad_exp(I256(kWad));                     // 2718281828459045235
//
// A wad x stands for the real number x / 10^18. Where Solidity reverts, these return an
// Error instead (codes below); nothing here wraps, and there is no floating point anywhere.
// Rounding is solmate's: wad_mul and wad_div truncate toward zero (EVM SDIV); wad_exp and
// wad_ln are Remco Bloemen's rational approximations evaluated in 2^96 fixed point, with a
// relative error around 1e-18 or less before the final truncation (solmate's published
// vectors are in tests/market/wad_math_test.cc and agree to the wei). The arithmetic runs on
// Boost.Multiprecision inside the .cc files so its header stays out of everyone's includes.
#pragma once

#include <array>
#include <compare>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/error.h"

namespace atelier::market {

// 10^18, the wad unit ("1.0").
inline constexpr std::int64_t kWad = 1'000'000'000'000'000'000;

// A signed 256-bit integer in two's complement: the int256 of Solidity. A plain value type;
// arithmetic on it is the wad functions below.
class I256 {
 public:
  constexpr I256() = default;
  constexpr I256(std::int64_t v)  // NOLINT(google-explicit-constructor)
      : limbs_{static_cast<std::uint64_t>(v), v < 0 ? ~0ULL : 0, v < 0 ? ~0ULL : 0,
               v < 0 ? ~0ULL : 0} {}
  static constexpr I256 from_limbs(const std::array<std::uint64_t, 4>& little_endian) {
    I256 i;
    i.limbs_ = little_endian;
    return i;
  }
  static I256 min();  // -2^255
  static I256 max();  // 2^255 - 1

  // Decimal integer with an optional leading '-': no '+', no leading zeros, no "-0".
  static std::optional<I256> from_decimal(std::string_view text);
  std::string to_decimal() const;

  const std::array<std::uint64_t, 4>& limbs() const { return limbs_; }
  bool is_negative() const { return (limbs_[3] >> 63) != 0; }
  bool is_zero() const { return (limbs_[0] | limbs_[1] | limbs_[2] | limbs_[3]) == 0; }

  friend bool operator==(const I256&, const I256&) = default;
  friend std::strong_ordering operator<=>(const I256& a, const I256& b) {
    if (a.is_negative() != b.is_negative()) {
      return a.is_negative() ? std::strong_ordering::less : std::strong_ordering::greater;
    }
    for (int i = 3; i >= 0; --i) {  // Same sign: two's complement orders like unsigned.
      if (a.limbs_[i] != b.limbs_[i]) return a.limbs_[i] <=> b.limbs_[i];
    }
    return std::strong_ordering::equal;
  }

 private:
  std::array<std::uint64_t, 4> limbs_{};
};

// Bounds of wad_exp: at or below kWadExpZeroAtOrBelow the result rounds to 0; from
// kWadExpOverflowFrom on it does not fit an int256 ("exp_overflow").
inline constexpr std::string_view kWadExpZeroAtOrBelow = "-42139678854452767551";
inline constexpr std::string_view kWadExpOverflowFrom = "135305999368893231589";

// trunc(x * y / 1e18). Code "wad_overflow" when x * y does not fit an int256.
Result<I256> wad_mul(const I256& x, const I256& y);
// trunc(x * 1e18 / y). Codes "division_by_zero" (y == 0), "wad_overflow" (x * 1e18 too big).
Result<I256> wad_div(const I256& x, const I256& y);
// e^(x / 1e18) as a wad. 0 for x <= kWadExpZeroAtOrBelow; code "exp_overflow" for
// x >= kWadExpOverflowFrom (solmate reverts with EXP_OVERFLOW).
Result<I256> wad_exp(const I256& x);
// ln(x / 1e18) as a wad, rounded toward minus infinity. Code "ln_undefined" for x <= 0
// (solmate reverts with UNDEFINED).
Result<I256> wad_ln(const I256& x);
// x^y = wad_exp(trunc(wad_ln(x) * y / 1e18)) for x > 0, as solmate's wadPow.
Result<I256> wad_pow(const I256& x, const I256& y);

// Exact decimal text to a wad: digits, optionally '-' first and one '.' followed by 1 to 18
// digits ("0.31" -> 310000000000000000, "2" -> 2000000000000000000). No exponents, no '+',
// no leading zeros in the integer part. Errors name `field`: "invalid_number" (not such text),
// "too_many_decimals" (more than 18 after the point), "value_out_of_range" (beyond int256).
Result<I256> wad_from_decimal(std::string_view text, std::string_view field);

}  // namespace atelier::market
