// pricing.h — what a sale costs right now (issue 4 §3): Dutch auctions, Paradigm's gradual
// Dutch auctions (GDA) and transmissions11's variable rate GDAs (VRGDA), priced in wei.
//
//   auto model = parse_price_model("vrgda-linear", {{"target_price", "1000000000000000000"},
//                                                 {"decay", "0.31"}, {"per_time_unit", "2"}});
//   Result<U256> wei = quote_price(*model, {.elapsed_s = 86'400, .sold = 3});
//
// Pure functions: no clock, no I/O, no floating point. Prices are U256 wei; rates are wads
// (wad_math.h) parsed from exact decimal text. S = query.elapsed_s, N = query.sold,
// Q = query.quantity; "floor" is exact integer division. Every kind (names as in the CLI):
//
// dutch-linear (start_price, end_price, duration_s):
//   price = start − floor((start − end) · S / duration) for S < duration, else end.
//   Exact; the discount rounds down (so the price never drops below the true line).
// dutch-exponential (start_price, end_price, half_life_s):
//   price = max(end, start · 2^(−S / half_life)). With S = n·half_life + r (0 ≤ r < half_life):
//   f = wad_exp(−floor(r · ln2_wad / half_life)), price = floor(start · f / (10^18 · 2^n)).
//   One truncation of the exponent (≤ 1e-18) and one of the product: rounds down.
// gda-discrete (initial_price, scale_factor α > 1, decay_constant λ ≥ 0 per second):
//   price of Q tokens after N sold = initial · α^N · (α^Q − 1) / (α − 1) / e^(λS).
//   ln_α = wad_ln(α); g = wad_exp(N·ln_α − λ·S) (one exponential, so α^N / e^(λS) keeps its
//   precision); s = wad_div(wad_exp(Q·ln_α) − 1e18, α − 1e18);
//   price = floor(initial · g · s / 1e36): one rounding (down) after the wad steps.
// gda-continuous (initial_price, emission_rate r > 0 per second, decay_constant λ > 0 per s):
//   price of Q units = initial / λ · (e^(λQ/r) − 1) / e^(λS).
//   x = floor(λ·Q·1e18 / r); e = wad_exp(x) − 1e18; d = wad_exp(−λ·S);
//   price = floor(floor(initial · e / λ) · d / 1e18). Rounds down at each step.
// vrgda-linear (target_price, decay in (0, 1), per_time_unit > 0 tokens per day):
//   price of token N+1 = target · (1 − decay)^(t − (N+1)/per_time_unit), t = S / 86400 days.
//   Step for step transmissions11/VRGDAs VRGDA.getVRGDAPrice + LinearVRGDA.getTargetSaleTime
//   on solmate's SignedWadMath: k = wad_ln(1e18 − decay); t = floor(S·1e18 / 86400);
//   target = trunc((N+1)·1e36 / per_time_unit); price = wad_mul(target_price,
//   wad_exp(trunc(k · (t − target) / 1e18))). Agrees with the contract to the wei.
// vrgda-logistic (target_price, decay in (0, 1), max_sellable ≥ 1 tokens, time_scale > 0/day):
//   As vrgda-linear with LogisticVRGDA.getTargetSaleTime: L = (max_sellable + 1)·1e18,
//   target = −trunc(wad_ln(trunc(2L·1e18 / ((N+1)·1e18 + L)) − 1e18) · 1e18 / time_scale),
//   i.e. −ln(2L/(N+1+L) − 1) / time_scale days. Refuses ("sold_out") when N ≥ max_sellable,
//   where the contract reverts.
//
// Accuracy: against exact arithmetic, within a relative 1e-9 (tested, tests/market) while the
// exponential factors stay above about 1e-8: a wad keeps 18 decimals, so e^(−40) has only a
// few significant digits left. dutch-linear is exact.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "core/error.h"
#include "core/u256.h"
#include "market/wad_math.h"

namespace atelier::market {

// Where in the sale the price is asked for.
struct QuoteQuery {
  std::uint64_t elapsed_s = 0;  // Seconds since the auction started.
  std::uint64_t sold = 0;       // Tokens sold before this purchase (GDA discrete, VRGDAs).
  std::uint64_t quantity = 1;   // Tokens bought at once: GDAs only, 1 for the other kinds.
};

struct DutchLinear {
  U256 start_price_wei;
  U256 end_price_wei;  // At most start_price_wei.
  std::uint64_t duration_s = 0;  // > 0.
};

struct DutchExponential {
  U256 start_price_wei;
  U256 end_price_wei;  // The floor; at most start_price_wei.
  std::uint64_t half_life_s = 0;  // > 0.
};

struct GdaDiscrete {
  U256 initial_price_wei;
  I256 scale_factor_wad;    // α > 1: each sale multiplies the price by α.
  I256 decay_constant_wad;  // λ ≥ 0, per second.
};

struct GdaContinuous {
  U256 initial_price_wei;
  I256 emission_rate_wad;   // r > 0 units per second.
  I256 decay_constant_wad;  // λ > 0, per second.
};

struct VrgdaLinear {
  U256 target_price_wei;    // < 2^255 (an int256 on chain).
  I256 decay_wad;           // In (0, 1): the price drops by this fraction per day without sales.
  I256 per_time_unit_wad;   // > 0 tokens per day on schedule.
};

struct VrgdaLogistic {
  U256 target_price_wei;    // < 2^255.
  I256 decay_wad;           // In (0, 1).
  std::uint64_t max_sellable = 0;  // ≥ 1 tokens.
  I256 time_scale_wad;      // > 0, per day: the steepness of the logistic schedule.
};

using PriceModel =
    std::variant<DutchLinear, DutchExponential, GdaDiscrete, GdaContinuous, VrgdaLinear,
                 VrgdaLogistic>;

// "dutch-linear", "dutch-exponential", "gda-discrete", "gda-continuous", "vrgda-linear",
// "vrgda-logistic", in PriceModel's order.
std::span<const std::string_view> price_kind_names();
std::string_view price_kind_name(const PriceModel& model);
// The parameter names of a kind, in the order listed above; empty for an unknown kind.
std::span<const std::string_view> price_param_names(std::string_view kind);

// name=value pairs, as given on the command line or in a request body.
using PriceParams = std::vector<std::pair<std::string, std::string>>;

// Builds and validates a model. Codes, each naming the field ("kind" or "params.<name>"):
// "unknown_kind", "unknown_param", "duplicate_param", "missing_param", "invalid_number"
// (not a canonical decimal), "too_many_decimals", "negative_value", "value_out_of_range"
// (too big, or outside the kind's domain, e.g. decay ≥ 1, scale_factor ≤ 1, duration_s = 0).
Result<PriceModel> parse_price_model(std::string_view kind, const PriceParams& params);

// The same checks on a model built in code.
Result<void> validate_price_model(const PriceModel& model);

// The price in wei. Codes: those of validate_price_model; "value_out_of_range" for a query
// beyond limits.h (field "elapsed_s", "sold", "quantity"); "invalid_quantity" (quantity 0, or
// not 1 for a single-token kind); "sold_out" (vrgda-logistic, sold ≥ max_sellable);
// "price_overflow" (the price or an intermediate exceeds what an int256/uint256 holds).
Result<U256> quote_price(const PriceModel& model, const QuoteQuery& query);

}  // namespace atelier::market
