// The wad functions of solmate's SignedWadMath.sol, step for step, on 512-bit integers.
//
// Written by hand because no C++ library reproduces solmate's rounding to the wei (the point of
// the exercise: a price quoted here must equal the one the contract charges). The constants
// and the order of operations are Remco Bloemen's (xn--2-umb.com/22/exp-ln); every `>>` on a
// signed value in the Solidity source is an arithmetic shift (sar here), every `/` and `sdiv`
// truncates toward zero (sdiv here). Intermediates stay below 2^256 in magnitude for every
// accepted input, so the Solidity code never wraps and neither do we.
#include "market/internal/wide.h"

#include <cassert>

namespace atelier::market::internal {

namespace {

Int pow2(unsigned n) { return Int(1) << n; }

// The constants of wadExp and wadLn, parsed once.
struct Constants {
  Int wad{1'000'000'000'000'000'000LL};
  Int int256_max = pow2(255) - 1;
  Int int256_min = -pow2(255);
  Int exp_zero_at_or_below{std::string(kWadExpZeroAtOrBelow)};
  Int exp_overflow_from{std::string(kWadExpOverflowFrom)};
  Int five_pow_18{3814697265625LL};
  Int ln2_x96{"54916777467707473351141471128"};  // ln(2) * 2^96
  Int e_y1{"1346386616545796478920950773328"};
  Int e_y2{"57155421227552351082224309758442"};
  Int e_p1{"94201549194550492254356042504812"};
  Int e_p2{"28719021644029726153956944680412240"};
  Int e_p3 = Int("4385272521454847904659076985693276") * pow2(96);
  Int e_q[6] = {
      Int("2855989394907223263936484059900"),     Int("50020603652535783019961831881945"),
      Int("533845033583426703283633433725380"),   Int("3604857256930695427073651918091429"),
      Int("14423608567350463180887372962807573"), Int("26449188498355588339934803723976023")};
  Int e_scale{"3822833074963236453042738258902158003155416615667"};
  Int l_p[6] = {Int("3273285459638523848632254066296"),  Int("24828157081833163892658089445524"),
                Int("43456485725739037958740375743393"), Int("11111509109440967052023855526967"),
                Int("45023709667254063763336534515857"), Int("14706773417378608786704636184526")};
  Int l_p_last = Int("795164235651350426258249787498") * pow2(96);
  Int l_q[7] = {Int("5573035233440673466300451813936"),   Int("71694874799317883764090561454958"),
                Int("283447036172924575727196451306956"), Int("401686690394027663651624208769553"),
                Int("204048457590392012362485061816622"), Int("31853899698501571402653359427138"),
                Int("909429971244387300277376558375")};
  Int l_scale{"1677202110996718588342820967067443963516166"};
  Int l_ln2{"16597577552685614221487285958193947469193820559219878177908093499208371"};
  Int l_offset{"600920179829731861736702779321621459595472258049074101567377883020018308"};
};

const Constants& c() {
  static const Constants constants;
  return constants;
}

// The (6, 7)-term rational approximation of wadExp on x in (-½ ln 2, ½ ln 2) * 2^96; the
// result is in 2^96 basis, in (0.09, 0.25).
Int exp_kernel(const Int& x) {
  const Constants& k = c();
  Int y = x + k.e_y1;
  y = sar(y * x, 96) + k.e_y2;
  Int p = y + x - k.e_p1;
  p = sar(p * y, 96) + k.e_p2;
  p = p * x + k.e_p3;
  Int q = x - k.e_q[0];
  q = sar(q * x, 96) + k.e_q[1];
  q = sar(q * x, 96) - k.e_q[2];
  q = sar(q * x, 96) + k.e_q[3];
  q = sar(q * x, 96) - k.e_q[4];
  q = sar(q * x, 96) + k.e_q[5];
  return sdiv(p, q);  // q has no real roots: never zero.
}

// The (8, 8)-term rational approximation of wadLn on x in [1, 2) * 2^96.
Int ln_kernel(const Int& x) {
  const Constants& k = c();
  Int p = x + k.l_p[0];
  p = sar(p * x, 96) + k.l_p[1];
  p = sar(p * x, 96) + k.l_p[2];
  p = sar(p * x, 96) - k.l_p[3];
  p = sar(p * x, 96) - k.l_p[4];
  p = sar(p * x, 96) - k.l_p[5];
  p = p * x - k.l_p_last;
  Int q = x + k.l_q[0];
  for (int i = 1; i < 7; ++i) q = sar(q * x, 96) + k.l_q[i];
  return sdiv(p, q);
}

}  // namespace

const Int& wad() { return c().wad; }

bool fits_int256(const Int& x) { return x >= c().int256_min && x <= c().int256_max; }

Int sdiv(const Int& a, const Int& b) {
  assert(b != 0);
  return a / b;  // Boost's division truncates toward zero, like SDIV.
}

Int sar(const Int& a, unsigned n) {
  if (a >= 0) return a >> n;
  return -((-a + (pow2(n) - 1)) >> n);  // floor for negatives, without shifting one.
}

Int from_i256(const I256& x) {
  Int w = 0;
  for (int i = 3; i >= 0; --i) w = (w << 64) | Int(x.limbs()[i]);
  return x.is_negative() ? w - pow2(256) : w;
}

I256 to_i256(const Int& x) {
  assert(fits_int256(x));
  Int rest = x < 0 ? x + pow2(256) : x;  // Two's complement bit pattern.
  std::array<std::uint64_t, 4> limbs{};
  for (auto& limb : limbs) {
    limb = static_cast<std::uint64_t>(rest & Int(UINT64_MAX));
    rest >>= 64;
  }
  return I256::from_limbs(limbs);
}

Int from_u256(const U256& x) {
  Int w = 0;
  for (int i = 3; i >= 0; --i) w = (w << 64) | Int(x.limbs()[i]);
  return w;
}

std::optional<U256> to_u256(const Int& x) {
  if (x < 0 || x >= pow2(256)) return std::nullopt;
  Int rest = x;
  std::array<std::uint64_t, 4> limbs{};
  for (auto& limb : limbs) {
    limb = static_cast<std::uint64_t>(rest & Int(UINT64_MAX));
    rest >>= 64;
  }
  return U256::from_limbs(limbs);
}

Result<Int> exp_wad(const Int& x_wad) {
  const Constants& k = c();
  if (x_wad <= k.exp_zero_at_or_below) return Int(0);  // e^x < 0.5e-18: rounds to 0.
  if (x_wad >= k.exp_overflow_from) {
    return fail(Error::invalid("exp_overflow", "e^x does not fit an int256 wad (x >= 135.3)"));
  }
  // To 2^96 basis (times 1e18 / 2^96 = 5^18 / 2^78), then x = x' + n ln 2, |x'| <= ½ ln 2.
  Int x = sdiv(x_wad * pow2(78), k.five_pow_18);
  Int n = sar(sdiv(x * pow2(96), k.ln2_x96) + pow2(95), 96);  // In [-61, 195].
  x -= n * k.ln2_x96;
  Int r = exp_kernel(x);
  assert(r > 0);
  // Times the scale factor, 2^n and 1e18 / 2^96 at once: a right shift by 195 - n.
  return Int((r * k.e_scale) >> static_cast<unsigned>(195 - n.convert_to<int>()));
}

Result<Int> ln_wad(const Int& x) {
  if (x <= 0 || !fits_int256(x)) {
    return fail(Error::invalid("ln_undefined", "ln is defined for positive int256 wads only"));
  }
  const Constants& k = c();
  // Reduce to [1, 2) * 2^96: ln(2^n * x') = n ln 2 + ln(x').
  int top = static_cast<int>(boost::multiprecision::msb(x));
  int n = top - 96;
  Int xr = n >= 0 ? Int(x >> static_cast<unsigned>(n)) : Int(x << static_cast<unsigned>(-n));
  Int r = ln_kernel(xr);
  // Scale, add n ln 2 and ln(2^96 / 1e18), back to base 1e18: all in 5^18 * 2^192 basis.
  r *= k.l_scale;
  r += k.l_ln2 * n;
  r += k.l_offset;
  return sar(r, 174);
}

Result<Int> mul_wad(const Int& x, const Int& y) {
  Int product = x * y;
  if (!fits_int256(product)) {
    return fail(Error::invalid("wad_overflow", "wad product does not fit an int256"));
  }
  return sdiv(product, wad());
}

// x / y, solmate's wadDiv(x, y): the order is the operation itself, which no type can hold.
// NOLINTNEXTLINE(bugprone-easily-swappable-parameters)
Result<Int> div_wad(const Int& x, const Int& y) {
  if (y == 0) return fail(Error::invalid("division_by_zero", "wad division by zero"));
  Int scaled = x * wad();
  if (!fits_int256(scaled)) {
    return fail(Error::invalid("wad_overflow", "wad dividend times 1e18 does not fit an int256"));
  }
  return sdiv(scaled, y);
}

}  // namespace atelier::market::internal
