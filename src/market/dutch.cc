// Dutch auctions: a price falling from start to end, linearly or halving every half-life.
#include <algorithm>
#include <cassert>

#include "core/assert.h"
#include "market/internal/kinds.h"

namespace atelier::market::internal {

Result<U256> quote(const DutchLinear& model, const QuoteQuery& query) {
  if (query.elapsed_s >= model.duration_s) return model.end_price_wei;
  // Validated: end <= start, duration > 0; the discount is at most the span, so all fit.
  const U256 span =
      ATELIER_VALUE(checked_sub(model.start_price_wei, model.end_price_wei), "parsed: end ≤ start");
  const U256 discount = ATELIER_VALUE(mul_div(span, U256(query.elapsed_s), U256(model.duration_s)),
                                      "elapsed < duration: discount < span");
  return ATELIER_VALUE(checked_sub(model.start_price_wei, discount), "discount ≤ span ≤ start");
}

Result<U256> quote(const DutchExponential& model, const QuoteQuery& query) {
  std::uint64_t halvings = query.elapsed_s / model.half_life_s;
  std::uint64_t rest_s = query.elapsed_s % model.half_life_s;
  if (halvings >= 256) return model.end_price_wei;  // start / 2^256 < 1 wei.
  // 2^(-rest/half_life) = e^(-rest * ln 2 / half_life), in (0.5, 1] as a wad.
  static const Int kLn2Wad("693147180559945309");  // floor(ln 2 * 1e18)
  auto fraction = exp_wad(-sdiv(Int(rest_s) * kLn2Wad, Int(model.half_life_s)));
  assert(fraction && *fraction > 0 && *fraction <= wad());
  Int price =
      from_u256(model.start_price_wei) * *fraction / (wad() << static_cast<unsigned>(halvings));
  return std::max(*to_u256(price), model.end_price_wei);  // price <= start: fits.
}

}  // namespace atelier::market::internal
