// Kind names, model validation and the quote dispatch; the formulas live in dutch.cc, gda.cc
// and vrgda.cc, parameter parsing in price_params.cc.
#include "market/pricing.h"

#include <array>

#include "core/limits.h"
#include "market/internal/kinds.h"

namespace atelier::market {

namespace {

using internal::Int;

constexpr std::array<std::string_view, 6> kKindNames = {"dutch-linear", "dutch-exponential",
                                                        "gda-discrete", "gda-continuous",
                                                        "vrgda-linear", "vrgda-logistic"};
static_assert(kKindNames.size() == std::variant_size_v<PriceModel>);

Error out_of_range(const std::string& field, const std::string& message) {
  return Error::invalid("value_out_of_range", message, field);
}

Result<void> check_prices(const U256& start, const U256& end) {
  if (end > start) return fail(out_of_range("params.end_price", "end_price exceeds start_price"));
  return {};
}

// 0 < decay < 1 with a negative wad_ln(1 - decay), as the VRGDA constructor requires.
Result<void> check_vrgda(const U256& target_price_wei, const I256& decay_wad) {
  static const U256 kInt256Limit = U256::from_limbs({0, 0, 0, 1ULL << 63});
  if (target_price_wei >= kInt256Limit) {
    return fail(out_of_range("params.target_price", "target_price must be below 2^255"));
  }
  if (decay_wad <= I256(0) || decay_wad >= I256(kWad)) {
    return fail(out_of_range("params.decay", "decay must be between 0 and 1, exclusive"));
  }
  auto k = internal::ln_wad(internal::wad() - internal::from_i256(decay_wad));
  if (!k || *k >= 0) {
    return fail(out_of_range("params.decay", "decay too small: ln(1 - decay) rounds to 0"));
  }
  return {};
}

Result<void> validate(const DutchLinear& m) {
  if (m.duration_s == 0) return fail(out_of_range("params.duration_s", "duration_s must be > 0"));
  return check_prices(m.start_price_wei, m.end_price_wei);
}

Result<void> validate(const DutchExponential& m) {
  if (m.half_life_s == 0) {
    return fail(out_of_range("params.half_life_s", "half_life_s must be > 0"));
  }
  return check_prices(m.start_price_wei, m.end_price_wei);
}

Result<void> validate(const GdaDiscrete& m) {
  auto ln = internal::ln_wad(internal::from_i256(m.scale_factor_wad));
  if (m.scale_factor_wad <= I256(kWad) || !ln || *ln <= 0) {
    return fail(out_of_range("params.scale_factor", "scale_factor must be greater than 1"));
  }
  if (m.decay_constant_wad < I256(0)) {
    return fail(out_of_range("params.decay_constant", "decay_constant must be >= 0"));
  }
  return {};
}

Result<void> validate(const GdaContinuous& m) {
  if (m.emission_rate_wad <= I256(0)) {
    return fail(out_of_range("params.emission_rate", "emission_rate must be > 0"));
  }
  if (m.decay_constant_wad <= I256(0)) {
    return fail(out_of_range("params.decay_constant", "decay_constant must be > 0"));
  }
  return {};
}

Result<void> validate(const VrgdaLinear& m) {
  ATELIER_TRY(check_vrgda(m.target_price_wei, m.decay_wad));
  if (m.per_time_unit_wad <= I256(0)) {
    return fail(out_of_range("params.per_time_unit", "per_time_unit must be > 0"));
  }
  return {};
}

Result<void> validate(const VrgdaLogistic& m) {
  ATELIER_TRY(check_vrgda(m.target_price_wei, m.decay_wad));
  if (m.max_sellable == 0 || m.max_sellable > limits::kQuoteSoldMax) {
    return fail(out_of_range("params.max_sellable", "max_sellable must be in [1, 10^12]"));
  }
  if (m.time_scale_wad <= I256(0)) {
    return fail(out_of_range("params.time_scale", "time_scale must be > 0"));
  }
  return {};
}

// Limits of limits.h, and a quantity that the kind can price.
Result<void> check_query(const PriceModel& model, const QuoteQuery& q) {
  if (q.elapsed_s > limits::kQuoteElapsedSMax) {
    return fail(out_of_range("elapsed_s", "elapsed_s exceeds kQuoteElapsedSMax (10^10)"));
  }
  if (q.sold > limits::kQuoteSoldMax) {
    return fail(out_of_range("sold", "sold exceeds kQuoteSoldMax (10^12)"));
  }
  if (q.quantity > limits::kQuoteQuantityMax) {
    return fail(out_of_range("quantity", "quantity exceeds kQuoteQuantityMax (10^12)"));
  }
  bool batches =
      std::holds_alternative<GdaDiscrete>(model) || std::holds_alternative<GdaContinuous>(model);
  if (q.quantity == 0 || (!batches && q.quantity != 1)) {
    return fail(Error::invalid(
        "invalid_quantity",
        batches ? "quantity must be at least 1"
                : std::string(price_kind_name(model)) + " prices one token: quantity must be 1",
        "quantity"));
  }
  return {};
}

}  // namespace

std::span<const std::string_view> price_kind_names() { return kKindNames; }

std::string_view price_kind_name(const PriceModel& model) { return kKindNames[model.index()]; }

Result<void> validate_price_model(const PriceModel& model) {
  return std::visit([](const auto& m) { return validate(m); }, model);
}

Result<U256> quote_price(const PriceModel& model, const QuoteQuery& query) {
  ATELIER_TRY(validate_price_model(model));
  ATELIER_TRY(check_query(model, query));
  return std::visit([&](const auto& m) { return internal::quote(m, query); }, model);
}

}  // namespace atelier::market
