// Pricing rules (rules.h): JSON in and out, validation, and the price. The demand factor is
// vrgda-linear's (vrgda.cc) on the same solmate wad steps, with the sales so far (N) rather
// than the next token (N+1); it is spelled out here instead of shared so that vrgda.cc keeps
// its step-for-step transcription of the contract.
#include "market/rules.h"

#include <algorithm>
#include <cassert>
#include <nlohmann/json.hpp>

#include "core/canonical_json.h"
#include "core/limits.h"
#include "market/internal/kinds.h"
#include "market/internal/wide.h"

namespace atelier::market {

namespace {

using internal::Int;
using nlohmann::json;

constexpr std::int64_t kSecondsPerDay = 86'400;
constexpr std::uint32_t kBpsOne = 10'000;
constexpr std::uint32_t kMultiplierBpsMax = 1'000'000;
constexpr std::uint64_t kHundredthsMax = 10'000;                   // 100.00 %
constexpr std::int64_t kWadPerHundredth = 10'000'000'000'000'000;  // 1e16: 0.01 as a wad

const std::string kRoot = "rules";
std::string tier_field(std::size_t i, std::string_view key) {
  return kRoot + ".rarity_tiers[" + std::to_string(i) + "]." + std::string(key);
}
std::string_view bound_key(TierBasis basis) {
  return basis == TierBasis::kMaxRank ? "max_rank" : "top_percent";
}

Error out_of_range(const std::string& what, const std::string& field) {
  return Error::invalid("value_out_of_range", what, field);
}

Error invalid_type(const std::string& field, std::string_view expected) {
  return Error::invalid("invalid_type", field + " must be " + std::string(expected), field);
}

// A JSON integer in [min, max].
Result<std::uint64_t> json_integer(const json& v, const std::string& field, std::uint64_t min,
                                   std::uint64_t max) {
  if (v.is_number_integer() && !v.is_number_unsigned() && v.get<std::int64_t>() < 0) {
    return fail(Error::invalid("negative_value", field + " must not be negative", field));
  }
  if (!v.is_number_unsigned() && !v.is_number_integer()) {
    return fail(invalid_type(field, "an integer"));
  }
  auto n = v.get<std::uint64_t>();
  if (n < min || n > max) {
    return fail(out_of_range(field + " must be in " + std::to_string(min) + ".." +
                                 std::to_string(max) + " (got " + std::to_string(n) + ")",
                             field));
  }
  return n;
}

Result<const std::string*> json_text(const json& v, const std::string& field) {
  if (!v.is_string())
    return fail(invalid_type(field, "a decimal string (exact, unlike a JSON number)"));
  return v.get_ptr<const std::string*>();
}

Result<U256> amount(const json& v, const std::string& field) {
  auto text = json_text(v, field);
  if (!text) return fail(text.error());
  const std::string& s = **text;
  if (auto u = U256::from_decimal(s)) return *u;
  if (!s.empty() && s[0] == '-') {
    return fail(Error::invalid("negative_value", field + " must not be negative", field));
  }
  bool digits = !s.empty() && s.find_first_not_of("0123456789") == std::string::npos;
  if (digits && !(s.size() > 1 && s[0] == '0')) {
    return fail(out_of_range(field + " does not fit in 256 bits", field));
  }
  return fail(Error::invalid(
      "invalid_number",
      field + " must be a decimal integer in minor units (got \"" + s.substr(0, 100) + "\")",
      field));
}

Result<I256> rate(const json& v, const std::string& field) {
  auto text = json_text(v, field);
  if (!text) return fail(text.error());
  auto wad = wad_from_decimal(**text, field);
  if (wad && wad->is_negative()) {
    return fail(Error::invalid("negative_value", field + " must not be negative", field));
  }
  return wad;
}

// "1.5" (percent, at most 2 decimals) to hundredths of a percent: 150.
Result<std::uint64_t> percent_hundredths(const json& v, const std::string& field) {
  auto wad = rate(v, field);
  if (!wad) return fail(wad.error());
  Int w = internal::from_i256(*wad);
  if (w % kWadPerHundredth != 0) {
    return fail(Error::invalid(
        "too_many_decimals", field + " takes at most 2 decimals (hundredths of a percent)", field));
  }
  Int hundredths = w / kWadPerHundredth;
  if (hundredths < 1 || hundredths > Int(kHundredthsMax)) {
    return fail(out_of_range(field + " must be in (0, 100]", field));
  }
  return static_cast<std::uint64_t>(hundredths);
}

// Keys of `object` outside `allowed` are refused.
Result<void> only_keys(const json& object, std::initializer_list<std::string_view> allowed,
                       const std::string& prefix) {
  for (const auto& [key, _] : object.items()) {
    if (std::find(allowed.begin(), allowed.end(), key) == allowed.end()) {
      return fail(Error::invalid("unknown_field", "unknown field \"" + key.substr(0, 100) + "\"",
                                 prefix + "." + key));
    }
  }
  return {};
}

Result<void> parse_tiers(const json& list, PricingRules& rules) {
  const std::string field = kRoot + ".rarity_tiers";
  if (!list.is_array()) return fail(invalid_type(field, "an array"));
  if (list.size() > static_cast<std::size_t>(limits::kRarityTiersMax)) {
    return fail(Error::invalid(
        "too_many_tiers", "at most " + std::to_string(limits::kRarityTiersMax) + " tiers", field));
  }
  for (std::size_t i = 0; i < list.size(); ++i) {
    const json& tier = list[i];
    const std::string prefix = field + "[" + std::to_string(i) + "]";
    if (!tier.is_object()) return fail(invalid_type(prefix, "an object"));
    ATELIER_TRY(only_keys(tier, {"max_rank", "top_percent", "multiplier_bps"}, prefix));
    bool by_rank = tier.contains("max_rank"), by_percent = tier.contains("top_percent");
    if (by_rank && by_percent) {
      return fail(Error::invalid("mixed_tier_basis", "a tier has max_rank or top_percent, not both",
                                 tier_field(i, "top_percent")));
    }
    if (!by_rank && !by_percent) {
      return fail(Error::invalid("missing_field", "a tier needs max_rank or top_percent",
                                 tier_field(i, "max_rank")));
    }
    TierBasis basis = by_rank ? TierBasis::kMaxRank : TierBasis::kTopPercent;
    if (i == 0) rules.tier_basis = basis;
    if (basis != rules.tier_basis) {
      return fail(Error::invalid("mixed_tier_basis",
                                 "all tiers use max_rank, or all use top_percent",
                                 tier_field(i, bound_key(basis))));
    }
    if (!tier.contains("multiplier_bps")) {
      return fail(Error::invalid("missing_field", "a tier needs multiplier_bps",
                                 tier_field(i, "multiplier_bps")));
    }
    RarityTier t;
    auto bound = by_rank ? json_integer(tier["max_rank"], tier_field(i, "max_rank"), 1,
                                        limits::kRarityTokensMax)
                         : percent_hundredths(tier["top_percent"], tier_field(i, "top_percent"));
    if (!bound) return fail(bound.error());
    t.bound = *bound;
    auto bps =
        json_integer(tier["multiplier_bps"], tier_field(i, "multiplier_bps"), 1, kMultiplierBpsMax);
    if (!bps) return fail(bps.error());
    t.multiplier_bps = static_cast<std::uint32_t>(*bps);
    rules.rarity_tiers.push_back(t);
  }
  return {};
}

Result<void> parse_demand(const json& object, PricingRules& rules) {
  const std::string prefix = kRoot + ".demand";
  if (!object.is_object()) return fail(invalid_type(prefix, "an object"));
  ATELIER_TRY(only_keys(object, {"decay", "per_day"}, prefix));
  for (const char* key : {"decay", "per_day"}) {
    if (!object.contains(key)) {
      return fail(
          Error::invalid("missing_field", "demand needs " + std::string(key), prefix + "." + key));
    }
  }
  auto decay = rate(object["decay"], prefix + ".decay");
  if (!decay) return fail(decay.error());
  auto per_day = rate(object["per_day"], prefix + ".per_day");
  if (!per_day) return fail(per_day.error());
  rules.demand = DemandRule{*decay, *per_day};
  return {};
}

// Shortest exact decimal of a non-negative fixed-point value with `decimals` places.
std::string fixed_decimal(const Int& value, const Int& unit, int decimals) {
  std::string whole = (value / unit).str();
  std::string frac = (value % unit).str();
  if (frac == "0") return whole;
  frac.insert(0, static_cast<std::size_t>(decimals) - frac.size(), '0');
  frac.erase(frac.find_last_not_of('0') + 1);
  return whole + "." + frac;
}

// The tier multiplier for the context's rank.
Result<std::uint32_t> tier_multiplier(const PricingRules& rules, const RuleContext& ctx) {
  if (!ctx.rarity_rank || rules.rarity_tiers.empty()) return kBpsOne;
  const std::uint64_t rank = *ctx.rarity_rank;
  if (rules.tier_basis == TierBasis::kMaxRank) {
    for (const auto& tier : rules.rarity_tiers) {
      if (rank <= tier.bound) return tier.multiplier_bps;
    }
    return kBpsOne;
  }
  if (!ctx.collection_size) {
    return fail(Error::invalid("missing_field",
                               "top_percent tiers need the collection size to place a rank",
                               "collection_size"));
  }
  const std::uint64_t size = *ctx.collection_size;
  if (rank > size) {
    return fail(out_of_range("rarity_rank " + std::to_string(rank) +
                                 " is beyond the collection size " + std::to_string(size),
                             "rarity_rank"));
  }
  for (const auto& tier : rules.rarity_tiers) {
    // rank ≤ P% of size, with P = bound / 100: rank · 10000 ≤ bound · size, exactly.
    if (static_cast<unsigned __int128>(rank) * kHundredthsMax <=
        static_cast<unsigned __int128>(tier.bound) * size) {
      return tier.multiplier_bps;
    }
  }
  return kBpsOne;
}

// (1 − decay)^(t − sold / per_day) as a wad, vrgda-linear's steps (rules.h).
Result<Int> demand_factor(const DemandRule& demand, const RuleContext& ctx) {
  const Int& wad = internal::wad();
  auto k = internal::ln_wad(wad - internal::from_i256(demand.decay_wad));
  assert(k && *k < 0);  // Validated: 0 < decay < 1.
  Int days = Int(ctx.elapsed_s) * wad / kSecondsPerDay;
  Int due = internal::sdiv(Int(ctx.sold) * wad * wad, internal::from_i256(demand.per_day_wad));
  Int exponent = *k * (days - due);
  if (!internal::fits_int256(exponent)) return fail(internal::price_overflow("sold"));
  auto factor = internal::exp_wad(internal::sdiv(exponent, wad));
  if (!factor) return fail(internal::price_overflow("sold"));
  return *factor;
}

}  // namespace

Result<void> validate_pricing_rules(const PricingRules& rules) {
  if (rules.rarity_tiers.size() > static_cast<std::size_t>(limits::kRarityTiersMax)) {
    return fail(Error::invalid("too_many_tiers",
                               "at most " + std::to_string(limits::kRarityTiersMax) + " tiers",
                               kRoot + ".rarity_tiers"));
  }
  const std::uint64_t bound_max =
      rules.tier_basis == TierBasis::kMaxRank ? limits::kRarityTokensMax : kHundredthsMax;
  for (std::size_t i = 0; i < rules.rarity_tiers.size(); ++i) {
    const RarityTier& tier = rules.rarity_tiers[i];
    const std::string field = tier_field(i, bound_key(rules.tier_basis));
    if (tier.bound < 1 || tier.bound > bound_max) {
      return fail(out_of_range(field + " is out of range", field));
    }
    if (i > 0 && tier.bound <= rules.rarity_tiers[i - 1].bound) {
      return fail(Error::invalid("tiers_not_increasing",
                                 field + " must be greater than the previous tier's", field));
    }
    if (tier.multiplier_bps < 1 || tier.multiplier_bps > kMultiplierBpsMax) {
      const std::string bps = tier_field(i, "multiplier_bps");
      return fail(out_of_range(bps + " must be in 1..1000000", bps));
    }
  }
  if (rules.demand) {
    const Int decay = internal::from_i256(rules.demand->decay_wad);
    if (decay <= 0 || decay >= internal::wad()) {
      return fail(out_of_range("demand.decay must be in (0, 1)", kRoot + ".demand.decay"));
    }
    if (internal::from_i256(rules.demand->per_day_wad) <= 0) {
      return fail(out_of_range("demand.per_day must be greater than 0", kRoot + ".demand.per_day"));
    }
  }
  if (rules.ceiling && rules.floor > *rules.ceiling) {
    return fail(
        Error::invalid("floor_above_ceiling", "floor must not exceed ceiling", kRoot + ".floor"));
  }
  return {};
}

Result<PricingRules> parse_pricing_rules(std::string_view text) {
  auto doc = parse_json(text, static_cast<std::size_t>(limits::kPricingRulesBytesMax), kRoot);
  if (!doc) return fail(doc.error());
  if (!doc->is_object()) return fail(invalid_type(kRoot, "a JSON object"));
  ATELIER_TRY(only_keys(*doc, {"rarity_tiers", "demand", "floor", "ceiling"}, kRoot));
  PricingRules rules;
  if (doc->contains("rarity_tiers")) ATELIER_TRY(parse_tiers((*doc)["rarity_tiers"], rules));
  if (doc->contains("demand")) ATELIER_TRY(parse_demand((*doc)["demand"], rules));
  if (doc->contains("floor")) {
    auto floor = amount((*doc)["floor"], kRoot + ".floor");
    if (!floor) return fail(floor.error());
    rules.floor = *floor;
  }
  if (doc->contains("ceiling")) {
    auto ceiling = amount((*doc)["ceiling"], kRoot + ".ceiling");
    if (!ceiling) return fail(ceiling.error());
    rules.ceiling = *ceiling;
  }
  ATELIER_TRY(validate_pricing_rules(rules));
  return rules;
}

Result<U256> apply_pricing_rules(const PricingRules& rules, const U256& base_price,
                                 const RuleContext& ctx) {
  ATELIER_TRY(validate_pricing_rules(rules));
  if (ctx.elapsed_s > limits::kQuoteElapsedSMax) {
    return fail(out_of_range("elapsed_s is beyond quote_elapsed_s_max (" +
                                 std::to_string(limits::kQuoteElapsedSMax) + ")",
                             "elapsed_s"));
  }
  if (ctx.sold > limits::kQuoteSoldMax) {
    return fail(out_of_range(
        "sold is beyond quote_sold_max (" + std::to_string(limits::kQuoteSoldMax) + ")", "sold"));
  }
  if (ctx.rarity_rank && *ctx.rarity_rank == 0) {
    return fail(out_of_range("rarity_rank starts at 1 (the rarest)", "rarity_rank"));
  }
  auto multiplier = tier_multiplier(rules, ctx);
  if (!multiplier) return fail(multiplier.error());
  auto price = mul_div(base_price, U256(*multiplier), U256(kBpsOne));
  if (!price) return fail(internal::price_overflow("base_price"));
  if (rules.demand) {
    auto factor = demand_factor(*rules.demand, ctx);
    if (!factor) return fail(factor.error());
    auto scaled = internal::to_u256(internal::from_u256(*price) * *factor / internal::wad());
    if (!scaled) return fail(internal::price_overflow("sold"));
    price = *scaled;
  }
  if (*price < rules.floor) price = rules.floor;
  if (rules.ceiling && *price > *rules.ceiling) price = *rules.ceiling;
  return *price;
}

std::string pricing_rules_json(const PricingRules& rules) {
  json doc = json::object();
  json tiers = json::array();
  for (const auto& tier : rules.rarity_tiers) {
    json t = {{"multiplier_bps", tier.multiplier_bps}};
    if (rules.tier_basis == TierBasis::kMaxRank) {
      t["max_rank"] = tier.bound;
    } else {
      t["top_percent"] = fixed_decimal(Int(tier.bound), Int(100), 2);
    }
    tiers.push_back(std::move(t));
  }
  doc["rarity_tiers"] = std::move(tiers);
  if (rules.demand) {
    doc["demand"] = {
        {"decay", fixed_decimal(internal::from_i256(rules.demand->decay_wad), internal::wad(), 18)},
        {"per_day",
         fixed_decimal(internal::from_i256(rules.demand->per_day_wad), internal::wad(), 18)}};
  }
  doc["floor"] = rules.floor.to_decimal();
  if (rules.ceiling) doc["ceiling"] = rules.ceiling->to_decimal();
  auto text = canonical_json(doc);
  assert(text);  // Only strings and integers below 2^53.
  return *text;
}

}  // namespace atelier::market
