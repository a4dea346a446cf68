// transmissions11/VRGDAs, step for step on solmate's SignedWadMath: VRGDA.getVRGDAPrice with
// LinearVRGDA's and LogisticVRGDA's getTargetSaleTime. The contracts compute in unchecked
// int256 ("unsafe" helpers); where they could wrap we refuse with price_overflow instead.
#include <cassert>

#include "market/internal/kinds.h"

namespace atelier::market::internal {

namespace {

constexpr std::int64_t kSecondsPerDay = 86'400;

// getVRGDAPrice: target_price * e^(ln(1 - decay) * (t - target_sale_time)), t in wad days.
Result<U256> vrgda_price(const U256& target_price_wei, const I256& decay_wad,
                         const Int& target_sale_time, const QuoteQuery& query) {
  auto decay_constant = ln_wad(wad() - from_i256(decay_wad));  // The constructor's wadLn.
  assert(decay_constant && *decay_constant < 0);               // Validated.
  Int days = Int(query.elapsed_s) * wad() / kSecondsPerDay;    // toDaysWadUnsafe: rounds down.
  Int product = *decay_constant * (days - target_sale_time);
  if (!fits_int256(product)) return fail(price_overflow("sold"));
  auto factor = exp_wad(sdiv(product, wad()));  // unsafeWadMul, then wadExp.
  if (!factor) return fail(price_overflow("sold"));
  auto price = mul_wad(from_u256(target_price_wei), *factor);  // wadMul
  if (!price) return fail(price_overflow("target_price"));
  return to_price(*price, "target_price");
}

// toWadUnsafe(sold + 1): the price asked is that of the (sold + 1)-th token.
Int next_token_wad(const QuoteQuery& query) { return Int(query.sold + 1) * wad(); }

}  // namespace

Result<U256> quote(const VrgdaLinear& model, const QuoteQuery& query) {
  // unsafeWadDiv(sold, perTimeUnit): the day by which the next token is due.
  Int target = sdiv(next_token_wad(query) * wad(), from_i256(model.per_time_unit_wad));
  return vrgda_price(model.target_price_wei, model.decay_wad, target, query);
}

Result<U256> quote(const VrgdaLogistic& model, const QuoteQuery& query) {
  if (query.sold >= model.max_sellable) {
    return fail(Error::invalid("sold_out",
                               "all max_sellable tokens are sold; the logistic "
                               "schedule has no price past them",
                               "sold"));
  }
  Int limit = Int(model.max_sellable + 1) * wad();  // logisticLimit
  Int limit_doubled = limit * 2 * wad();            // logisticLimitDoubled (36 decimals)
  Int ratio = sdiv(limit_doubled, next_token_wad(query) + limit) - wad();  // unsafeDiv - 1e18
  auto ln = ln_wad(ratio);
  if (!ln) return fail(Error::invalid("sold_out", "too close to max_sellable to price", "sold"));
  Int target = -sdiv(*ln * wad(), from_i256(model.time_scale_wad));  // -unsafeWadDiv(ln, scale)
  return vrgda_price(model.target_price_wei, model.decay_wad, target, query);
}

}  // namespace atelier::market::internal
