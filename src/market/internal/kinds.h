// internal/kinds.h — one quote function per pricing kind (formulas in pricing.h). Callers
// (quote_price) have validated the model and the query's limits and quantity already.
#pragma once

#include <string>

#include "core/error.h"
#include "core/u256.h"
#include "market/internal/wide.h"
#include "market/pricing.h"

namespace atelier::market::internal {

Result<U256> quote(const DutchLinear& model, const QuoteQuery& query);       // dutch.cc
Result<U256> quote(const DutchExponential& model, const QuoteQuery& query);  // dutch.cc
Result<U256> quote(const GdaDiscrete& model, const QuoteQuery& query);       // gda.cc
Result<U256> quote(const GdaContinuous& model, const QuoteQuery& query);     // gda.cc
Result<U256> quote(const VrgdaLinear& model, const QuoteQuery& query);       // vrgda.cc
Result<U256> quote(const VrgdaLogistic& model, const QuoteQuery& query);     // vrgda.cc

// "price_overflow", blaming `field` (the input that drove the price out of range).
inline Error price_overflow(const std::string& field) {
  return Error::invalid("price_overflow",
                        "the price, or a step towards it, is too large for 256 bits", field);
}

// A non-negative wide value as a price, or price_overflow.
inline Result<U256> to_price(const Int& wei, const std::string& field) {
  auto price = to_u256(wei);
  if (!price) return fail(price_overflow(field));
  return *price;
}

}  // namespace atelier::market::internal
