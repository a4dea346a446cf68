// internal/wide.h — the 512-bit integers the wad math and the price functions compute in.
// Private to src/market (.cc files only), so Boost stays out of public headers.
//
// Int is wide enough for any product of two int256 values, so an intermediate never wraps;
// where Solidity would overflow (revert), callers check with fits_int256. The EVM's rounding
// is spelled out: sdiv truncates toward zero (SDIV), sar floors (SAR on int256).
#pragma once

#include <boost/multiprecision/cpp_int.hpp>
#include <optional>

#include "core/error.h"
#include "core/u256.h"
#include "market/wad_math.h"

namespace atelier::market::internal {

using Int = boost::multiprecision::int512_t;

const Int& wad();  // 10^18

bool fits_int256(const Int& x);
// a / b truncated toward zero, as EVM SDIV (and C++). b must not be zero.
Int sdiv(const Int& a, const Int& b);
// floor(a / 2^n), as an arithmetic right shift of a two's complement int256.
Int sar(const Int& a, unsigned n);

Int from_i256(const I256& x);
I256 to_i256(const Int& x);  // x must fit (fits_int256).
Int from_u256(const U256& x);
std::optional<U256> to_u256(const Int& x);  // nullopt when negative or 2^256 or more.

// The solmate functions on wide integers; same contracts as in wad_math.h.
Result<Int> exp_wad(const Int& x);
Result<Int> ln_wad(const Int& x);
Result<Int> mul_wad(const Int& x, const Int& y);
Result<Int> div_wad(const Int& x, const Int& y);

}  // namespace atelier::market::internal
