#include "market/internal/listing_terms.h"

#include <algorithm>
#include <nlohmann/json.hpp>

#include "core/assert.h"
#include "core/limits.h"

namespace atelier::market::internal {

namespace {

constexpr std::int64_t kBpsDenominator = 10'000;

U256 u256_of(const I256& non_negative) { return U256::from_limbs(non_negative.limbs()); }

Result<std::uint64_t> u64_of(const U256& v, const char* field, std::uint64_t max) {
  auto n = v.to_u64();
  if (!n || *n > max) {
    return fail(Error::invalid(
        "invalid_quantity", std::string(field) + " must be at most " + std::to_string(max), field));
  }
  return *n;
}

}  // namespace

}  // namespace atelier::market::internal

namespace atelier::market {
namespace {

constexpr std::string_view kFixedFields[] = {"price", "rules", "accepts"};
constexpr std::string_view kEnglishFields[] = {"reserve_price", "min_increment_bps",
                                               "time_buffer_s"};
constexpr std::string_view kDutchFields[] = {"params", "settlement", "rules", "accepts"};
constexpr std::string_view kCurveFields[] = {"params", "settlement", "accepts"};  // GDA, VRGDA
constexpr std::string_view kTermFields[] = {
    "price",         "rules",  "accepts",   "reserve_price", "min_increment_bps",
    "time_buffer_s", "params", "settlement"};

}  // namespace

std::span<const std::string_view> listing_kind_fields(store::ListingKind kind) {
  if (kind == store::ListingKind::kFixed) return kFixedFields;
  if (kind == store::ListingKind::kEnglish) return kEnglishFields;
  if (internal::is_dutch(kind)) return kDutchFields;
  return kCurveFields;
}

std::span<const std::string_view> listing_term_fields() { return kTermFields; }

}  // namespace atelier::market

namespace atelier::market::internal {

bool is_english(const store::ListingRecord& l) { return l.kind == store::ListingKind::kEnglish; }
bool is_dutch(store::ListingKind kind) {
  return kind == store::ListingKind::kDutchLinear || kind == store::ListingKind::kDutchExponential;
}
bool is_pricing_kind(store::ListingKind kind) {
  return kind != store::ListingKind::kFixed && kind != store::ListingKind::kEnglish;
}

namespace {

// The listing's pricing rules as a JSON value, or null.
Result<nlohmann::json> rules_value(const NewListing& r, std::optional<store::ListingKind> kind) {
  if (r.rules.empty()) return nlohmann::json(nullptr);
  if (!kind || (*kind != store::ListingKind::kFixed && !is_dutch(*kind))) {
    return fail(Error::invalid("rules_not_supported",
                               "pricing rules apply to fixed-price and Dutch listings", "rules"));
  }
  auto rules = parse_pricing_rules(r.rules);
  if (!rules) return fail(rules.error());
  return nlohmann::json::parse(pricing_rules_json(*rules));
}

}  // namespace

Result<std::string> terms_json(const NewListing& r, std::optional<store::ListingKind> kind) {
  auto rules = rules_value(r, kind);
  if (!rules) return fail(rules.error());
  for (std::size_t i = 0; i < r.accepts.size(); ++i) {
    const std::string field = "accepts[" + std::to_string(i) + "]";
    if (!ledger::find_currency(r.accepts[i])) {
      return fail(Error::invalid("unknown_currency", "accepts lists ETH or USD", field));
    }
    if (r.accepts[i] == r.currency) {
      return fail(Error::invalid("invalid_currency",
                                 "the listing's own currency needs no conversion", field));
    }
    if (kind == store::ListingKind::kEnglish || r.settlement == "clearing") {
      return fail(Error::invalid("invalid_currency",
                                 "auctions that escrow take their own currency only", field));
    }
  }
  auto with_rules = [&](nlohmann::json terms) {
    if (!rules->is_null()) terms["rules"] = *rules;
    if (!r.accepts.empty()) {
      std::vector<std::string> accepts = r.accepts;
      std::sort(accepts.begin(), accepts.end());
      accepts.erase(std::unique(accepts.begin(), accepts.end()), accepts.end());
      terms["accepts"] = accepts;
    }
    return terms.dump();
  };
  if (kind == store::ListingKind::kFixed) {
    if (r.price.is_zero())
      return fail(Error::invalid("invalid_price", "price must be positive (minor units)", "price"));
    if (!checked_mul(r.price, r.quantity)) {
      return fail(Error::invalid("invalid_price", "price × quantity overflows 256 bits", "price"));
    }
    return with_rules({{"price", r.price.to_decimal()}});
  }
  if (kind == store::ListingKind::kEnglish) {
    if (r.ends_ms == 0) {
      return fail(Error::invalid(
          "invalid_window", "an English auction needs ends_ms (when bidding closes)", "ends_ms"));
    }
    if (r.min_increment_bps < 0 || r.min_increment_bps > limits::kBidIncrementBpsMax) {
      return fail(Error::invalid("invalid_increment", "min_increment_bps must be 0..10000",
                                 "min_increment_bps"));
    }
    if (r.time_buffer_s < 0 || r.time_buffer_s > limits::kTimeBufferSMax) {
      return fail(
          Error::invalid("invalid_time_buffer", "time_buffer_s must be 0..86400", "time_buffer_s"));
    }
    return nlohmann::json{{"reserve_price", r.reserve_price.to_decimal()},
                          {"min_increment_bps", r.min_increment_bps},
                          {"time_buffer_s", r.time_buffer_s}}
        .dump();
  }
  if (!kind) {
    return fail(Error::invalid(
        "unknown_kind",
        "kind must be fixed, english, dutch-linear, dutch-exponential, gda-discrete, "
        "gda-continuous, vrgda-linear or vrgda-logistic",
        "kind"));
  }
  auto model = parse_price_model(store::listing_kind_name(*kind), r.params);
  if (!model) return fail(model.error());
  if (r.settlement != "immediate" && r.settlement != "clearing") {
    return fail(Error::invalid("invalid_settlement",
                               "settlement must be \"immediate\" or \"clearing\"", "settlement"));
  }
  const bool clearing = r.settlement == "clearing";
  if (clearing && !is_dutch(*kind)) {
    return fail(Error::invalid("invalid_settlement",
                               "clearing-price settlement is for Dutch auctions", "settlement"));
  }
  if (clearing && r.ends_ms == 0) {
    return fail(Error::invalid(
        "invalid_window", "a clearing-price auction needs ends_ms (when it settles)", "ends_ms"));
  }
  nlohmann::json params = nlohmann::json::object();
  for (const auto& [name, value] : r.params) params[name] = value;
  return with_rules({{"params", params}, {"settlement", r.settlement}});
}

Result<Terms> parse_terms(const store::ListingRecord& l) {
  auto j = nlohmann::json::parse(l.terms, nullptr, false);
  if (!j.is_object())
    return fail(
        Error::internal("listing_terms_invalid", "listing " + l.id + " has unreadable terms"));
  Terms t;
  auto amount = [&](const char* name) {
    return U256::from_decimal(j.value(name, "0")).value_or(U256());
  };
  if (j.contains("accepts") && j["accepts"].is_array()) {
    for (const auto& c : j["accepts"]) {
      if (c.is_string()) t.accepts.push_back(c.get<std::string>());
    }
  }
  if (j.contains("rules")) {
    auto rules = parse_pricing_rules(j["rules"].dump());
    if (!rules) return fail(rules.error());
    t.rules = std::move(*rules);
  }
  if (l.kind == store::ListingKind::kFixed) {
    t.price = amount("price");
  } else if (l.kind == store::ListingKind::kEnglish) {
    t.reserve_price = amount("reserve_price");
    t.min_increment_bps = j.value("min_increment_bps", std::int64_t{0});
    t.time_buffer_s = j.value("time_buffer_s", std::int64_t{0});
  } else {
    const auto& params = j.contains("params") ? j["params"] : nlohmann::json::object();
    for (const auto& [name, value] : params.items()) {
      t.params.emplace_back(name, value.is_string() ? value.get<std::string>() : value.dump());
    }
    auto model = parse_price_model(store::listing_kind_name(l.kind), t.params);
    if (!model) return fail(model.error());
    t.model = *model;
    t.clearing = j.value("settlement", "immediate") == "clearing";
  }
  return t;
}

bool sold_dependent(const store::ListingRecord& l, const Terms& t) {
  return (is_pricing_kind(l.kind) && !is_dutch(l.kind)) || (t.rules && t.rules->demand);
}

std::uint64_t elapsed_s(const store::ListingRecord& l, std::int64_t now_ms) {
  return now_ms <= l.starts_ms ? 0 : static_cast<std::uint64_t>((now_ms - l.starts_ms) / 1000);
}

Result<U256> total_price(const store::ListingRecord& l, const Terms& t, std::int64_t now_ms,
                         const U256& quantity, const RarityPosition& rarity) {
  if (quantity.is_zero())
    return fail(Error::invalid("invalid_quantity", "quantity must be positive", "quantity"));
  if (l.kind == store::ListingKind::kFixed || is_dutch(l.kind)) {
    U256 unit = t.price;
    if (t.model) {
      auto p = quote_price(*t.model, {.elapsed_s = elapsed_s(l, now_ms), .sold = 0, .quantity = 1});
      if (!p) return fail(p.error());
      unit = *p;
    }
    if (t.rules) {
      auto sold = u64_of(l.sold, "sold", limits::kQuoteSoldMax);
      if (!sold) return fail(sold.error());
      auto p = apply_pricing_rules(*t.rules, unit,
                                   {.rarity_rank = rarity.rank,
                                    .elapsed_s = elapsed_s(l, now_ms),
                                    .sold = *sold,
                                    .collection_size = rarity.collection_size});
      if (!p) return fail(p.error());
      unit = *p;
    }
    auto total = checked_mul(unit, quantity);
    if (!total)
      return fail(Error::invalid("invalid_quantity", "price × quantity overflows", "quantity"));
    return *total;
  }
  if (!t.model)
    return fail(
        Error::invalid("not_for_sale", "listing " + l.id + " takes bids, not purchases", "id"));
  auto sold = u64_of(l.sold, "sold", limits::kQuoteSoldMax);
  if (!sold) return fail(sold.error());
  const std::uint64_t elapsed = elapsed_s(l, now_ms);
  if (std::holds_alternative<GdaContinuous>(*t.model)) {
    // Paradigm's continuous GDA: units are emitted at emission_rate per second from the start;
    // each purchase moves the start of the next auction on by quantity / emission_rate, and
    // the price decays from there. Whole seconds, rounded down (the price errs upward).
    auto q = u64_of(quantity, "quantity", limits::kQuoteQuantityMax);
    if (!q) return fail(q.error());
    const U256 rate = u256_of(std::get<GdaContinuous>(*t.model).emission_rate_wad);
    const U256 wad(static_cast<std::uint64_t>(kWad));
    auto emitted_or = checked_mul(U256(elapsed), rate);  // units × 1e18
    if (!emitted_or)
      return fail(Error::invalid("price_overflow", "emitted units overflow 256 bits",
                                 "params.emission_rate"));
    const U256 emitted = *emitted_or;
    const U256 wanted =
        ATELIER_VALUE(checked_mul(U256(*sold + *q), wad), "a 64-bit count × 1e18 fits");
    if (wanted > emitted) {
      return fail(Error::conflict(
          "not_yet_available",
          std::to_string(*sold + *q) + " units are not emitted yet (" +
              ATELIER_VALUE(checked_div(emitted, wad), "a nonzero divisor").to_decimal() +
              " so far)",
          "quantity"));
    }
    const U256 consumed =
        ATELIER_VALUE(checked_mul(U256(*sold), wad), "a 64-bit count × 1e18 fits");
    const U256 unclaimed =
        ATELIER_VALUE(checked_sub(emitted, consumed), "consumed ≤ wanted ≤ emitted");
    const U256 since = ATELIER_VALUE(checked_div(unclaimed, rate),
                                     "parsed: emission_rate > 0");  // floor(elapsed − sold / rate)
    return quote_price(*t.model,
                       {.elapsed_s = ATELIER_VALUE(since.to_u64(), "since ≤ elapsed seconds"),
                        .sold = 0,
                        .quantity = *q});
  }
  if (std::holds_alternative<GdaDiscrete>(*t.model)) {
    auto q = u64_of(quantity, "quantity", limits::kQuoteQuantityMax);
    if (!q) return fail(q.error());
    return quote_price(*t.model, {.elapsed_s = elapsed, .sold = *sold, .quantity = *q});
  }
  auto q = u64_of(quantity, "quantity", limits::kVrgdaBatchMax);  // VRGDAs: one token at a time.
  if (!q) return fail(q.error());
  U256 total;
  for (std::uint64_t i = 0; i < *q; ++i) {
    auto p = quote_price(*t.model, {.elapsed_s = elapsed, .sold = *sold + i, .quantity = 1});
    if (!p) return fail(p.error());
    auto sum = checked_add(total, *p);
    if (!sum)
      return fail(
          Error::invalid("price_overflow", "the total price overflows 256 bits", "quantity"));
    total = *sum;
  }
  return total;
}

U256 min_next_bid(const store::ListingRecord& l, const Terms& t) {
  if (l.bid_count == 0) return t.reserve_price.is_zero() ? U256(1) : t.reserve_price;
  U256 step =
      ATELIER_VALUE(mul_div(l.high_bid, U256(static_cast<std::uint64_t>(t.min_increment_bps)),
                            U256(static_cast<std::uint64_t>(kBpsDenominator))),
                    "bps ≤ 10,000: the step fits");
  if (step.is_zero()) step = U256(1);
  return checked_add(l.high_bid, step).value_or(U256::max());
}

}  // namespace atelier::market::internal
