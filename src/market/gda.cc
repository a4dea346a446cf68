// Paradigm's gradual Dutch auctions (paradigm.xyz/2022/04/gda): discrete (one token at a time,
// each sale raising the next price by the scale factor) and continuous (units emitted at a
// steady rate, each batch its own decaying auction).
#include <cassert>

#include "market/internal/kinds.h"

namespace atelier::market::internal {

Result<U256> quote(const GdaDiscrete& model, const QuoteQuery& query) {
  Int alpha = from_i256(model.scale_factor_wad);
  Int lambda = from_i256(model.decay_constant_wad);
  auto ln_alpha = ln_wad(alpha);
  assert(ln_alpha && *ln_alpha > 0);  // Validated: alpha > 1 with a positive wad_ln.
  // alpha^N / e^(lambda S) as one exponential: dividing by a tiny e^(-x) would lose digits.
  auto growth = exp_wad(Int(query.sold) * *ln_alpha - lambda * Int(query.elapsed_s));
  if (!growth) return fail(price_overflow("sold"));
  auto alpha_q = exp_wad(Int(query.quantity) * *ln_alpha);
  if (!alpha_q) return fail(price_overflow("quantity"));
  // (alpha^Q - 1) / (alpha - 1) = 1 + alpha + ... + alpha^(Q-1), as a wad (wadDiv).
  Int series = sdiv((*alpha_q - wad()) * wad(), alpha - wad());
  // One rounding: floor(initial · g · s / 1e36). Rounding initial · g to whole wei first would
  // lose up to a wei per term of the series (40 % of a few-hundred-wei price).
  Int scaled = from_u256(model.initial_price_wei) * *growth;  // < 2^256 · 2^255
  if (!to_u256(scaled / wad()))
    return fail(price_overflow("sold"));  // series >= ~1: price >= first.
  // In 512 bits: scaled = q·1e18 + r, so the price is q·s/1e18 + r·s/1e36, rounded once.
  const Int q = scaled / wad(), r = scaled % wad();
  if (q > 0 && series > (Int(1) << 316) / q)
    return fail(price_overflow("quantity"));  // ≥ 2^256 wei.
  const Int a = q * series, b = r * series;
  const Int whole = a / wad() + b / (wad() * wad());
  const Int carry = ((a % wad()) * wad() + b % (wad() * wad())) / (wad() * wad());  // 0 or 1.
  return to_price(whole + carry, "quantity");
}

Result<U256> quote(const GdaContinuous& model, const QuoteQuery& query) {
  Int rate = from_i256(model.emission_rate_wad);
  Int lambda = from_i256(model.decay_constant_wad);
  assert(rate > 0 && lambda > 0);
  auto grown = exp_wad(sdiv(lambda * Int(query.quantity) * wad(), rate));  // e^(lambda Q / r)
  if (!grown) return fail(price_overflow("quantity"));
  auto decayed = exp_wad(-(lambda * Int(query.elapsed_s)));  // e^(-lambda S) <= 1: no overflow.
  assert(decayed);
  Int first = from_u256(model.initial_price_wei) * (*grown - wad()) / lambda;
  if (!to_u256(first)) return fail(price_overflow("quantity"));
  return to_price(first * *decayed / wad(), "quantity");
}

}  // namespace atelier::market::internal
