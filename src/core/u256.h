// u256.h — the unsigned 256-bit integer money is counted in (DESIGN.md "Money": integer minor
// units, wei for ETH, cents for USD), the width of a Solidity uint256 so amounts agree with
// an EVM to the unit.
//
//   auto price = U256::from_decimal("1500000000000000000");   // 1.5 ETH in wei
//   auto fee = mul_div(*price, U256(250), U256(10'000));         // 2.5 %, rounded down
//   auto total = checked_add(*price, *fee);                      // nullopt on overflow
//
// Arithmetic never wraps silently: + - * are checked (nullopt on overflow or underflow);
// mul_div keeps the 512-bit product and rounds toward zero. The value type is four 64-bit
// limbs, little-endian; the arithmetic itself runs on Boost.Multiprecision inside u256.cc so
// its header stays out of everyone's includes.
#pragma once

#include <array>
#include <compare>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace atelier {

class U256 {
 public:
  constexpr U256() = default;
  constexpr U256(std::uint64_t v) : limbs_{v, 0, 0, 0} {}  // NOLINT(google-explicit-constructor)
  static constexpr U256 from_limbs(const std::array<std::uint64_t, 4>& little_endian) {
    U256 u;
    u.limbs_ = little_endian;
    return u;
  }
  static U256 max();

  // Canonical decimal: digits only, no sign, no leading zeros (except "0"), at most 2^256 - 1.
  static std::optional<U256> from_decimal(std::string_view text);
  std::string to_decimal() const;
  // 32 bytes, big-endian (ABI encoding of a uint256).
  std::array<std::uint8_t, 32> to_be_bytes() const;
  static U256 from_be_bytes(const std::array<std::uint8_t, 32>& bytes);

  const std::array<std::uint64_t, 4>& limbs() const { return limbs_; }
  bool is_zero() const { return (limbs_[0] | limbs_[1] | limbs_[2] | limbs_[3]) == 0; }
  // The value when it fits in 64 bits.
  std::optional<std::uint64_t> to_u64() const;

  friend bool operator==(const U256&, const U256&) = default;
  friend std::strong_ordering operator<=>(const U256& a, const U256& b) {
    for (int i = 3; i >= 0; --i) {
      if (a.limbs_[i] != b.limbs_[i]) return a.limbs_[i] <=> b.limbs_[i];
    }
    return std::strong_ordering::equal;
  }

 private:
  std::array<std::uint64_t, 4> limbs_{};
};

std::optional<U256> checked_add(const U256& a, const U256& b);
std::optional<U256> checked_sub(const U256& a, const U256& b);  // nullopt when b > a.
std::optional<U256> checked_mul(const U256& a, const U256& b);
// floor(a / b), a mod b; nullopt when b is zero.
std::optional<U256> checked_div(const U256& a, const U256& b);
std::optional<U256> checked_mod(const U256& a, const U256& b);
// floor(a · b / d) with the full 512-bit product; nullopt when d is zero or the quotient does
// not fit in 256 bits.
std::optional<U256> mul_div(const U256& a, const U256& b, const U256& d);

}  // namespace atelier
