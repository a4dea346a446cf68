// parse_price_model: name=value text to a validated PriceModel. Three kinds of value, each
// exact: prices (wei, decimal integers), counts (seconds or tokens, decimal integers) and
// rates (exact decimals with at most 18 places, parsed into wads; see wad_from_decimal).
#include <algorithm>
#include <array>
#include <map>

#include "core/limits.h"
#include "market/pricing.h"

namespace atelier::market {

namespace {

using Names = std::span<const std::string_view>;

constexpr std::array<std::string_view, 3> kDutchLinear = {"start_price", "end_price", "duration_s"};
constexpr std::array<std::string_view, 3> kDutchExponential = {"start_price", "end_price",
                                                               "half_life_s"};
constexpr std::array<std::string_view, 3> kGdaDiscrete = {"initial_price", "scale_factor",
                                                          "decay_constant"};
constexpr std::array<std::string_view, 3> kGdaContinuous = {"initial_price", "emission_rate",
                                                            "decay_constant"};
constexpr std::array<std::string_view, 3> kVrgdaLinear = {"target_price", "decay", "per_time_unit"};
constexpr std::array<std::string_view, 4> kVrgdaLogistic = {"target_price", "decay", "max_sellable",
                                                            "time_scale"};

// The values by name, all present, none unknown or repeated.
struct Values {
  std::map<std::string, std::string, std::less<>> by_name;
  const std::string& operator[](std::string_view name) const { return by_name.find(name)->second; }
};

std::string field_of(std::string_view name) { return "params." + std::string(name); }

bool all_digits(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// Text that is not a plain decimal integer: "negative_value" for a leading '-', else
// "invalid_number"; digits that do not fit: "value_out_of_range".
Error integer_error(std::string_view text, const std::string& field, std::string_view what) {
  if (!text.empty() && text[0] == '-') {
    return Error::invalid("negative_value", std::string(what) + " must not be negative", field);
  }
  if (all_digits(text) && !(text.size() > 1 && text[0] == '0')) {
    return Error::invalid("value_out_of_range", std::string(what) + " is too large", field);
  }
  return Error::invalid("invalid_number",
                        std::string(what) + " must be a decimal integer (got \"" +
                            std::string(text.substr(0, 100)) + "\")",
                        field);
}

Result<U256> price(const Values& v, std::string_view name) {
  const std::string& text = v[name];
  auto wei = U256::from_decimal(text);
  if (!wei) return fail(integer_error(text, field_of(name), std::string(name) + " (wei)"));
  return *wei;
}

Result<std::uint64_t> count(const Values& v, std::string_view name) {
  const std::string& text = v[name];
  auto n = U256::from_decimal(text);
  if (!n || !n->to_u64()) return fail(integer_error(text, field_of(name), name));
  return *n->to_u64();
}

Result<I256> rate(const Values& v, std::string_view name) {
  auto wad = wad_from_decimal(v[name], field_of(name));
  if (!wad) return wad;
  if (wad->is_negative()) {
    return fail(Error::invalid("negative_value", std::string(name) + " must not be negative",
                               field_of(name)));
  }
  return wad;
}

// Result<T> to T inside the builders below, or return its error.
#define ATELIER_VALUE(var, expr)                        \
  auto var##_result = (expr);                           \
  if (!var##_result) return fail(var##_result.error()); \
  auto var = *var##_result

Result<PriceModel> build(std::string_view kind, const Values& v) {
  if (kind == "dutch-linear") {
    ATELIER_VALUE(start, price(v, "start_price"));
    ATELIER_VALUE(end, price(v, "end_price"));
    ATELIER_VALUE(duration, count(v, "duration_s"));
    return DutchLinear{start, end, duration};
  }
  if (kind == "dutch-exponential") {
    ATELIER_VALUE(start, price(v, "start_price"));
    ATELIER_VALUE(end, price(v, "end_price"));
    ATELIER_VALUE(half_life, count(v, "half_life_s"));
    return DutchExponential{start, end, half_life};
  }
  if (kind == "gda-discrete") {
    ATELIER_VALUE(initial, price(v, "initial_price"));
    ATELIER_VALUE(scale, rate(v, "scale_factor"));
    ATELIER_VALUE(decay, rate(v, "decay_constant"));
    return GdaDiscrete{initial, scale, decay};
  }
  if (kind == "gda-continuous") {
    ATELIER_VALUE(initial, price(v, "initial_price"));
    ATELIER_VALUE(emission, rate(v, "emission_rate"));
    ATELIER_VALUE(decay, rate(v, "decay_constant"));
    return GdaContinuous{initial, emission, decay};
  }
  ATELIER_VALUE(target, price(v, "target_price"));
  ATELIER_VALUE(decay, rate(v, "decay"));
  if (kind == "vrgda-linear") {
    ATELIER_VALUE(per_time_unit, rate(v, "per_time_unit"));
    return VrgdaLinear{target, decay, per_time_unit};
  }
  ATELIER_VALUE(max_sellable, count(v, "max_sellable"));
  ATELIER_VALUE(time_scale, rate(v, "time_scale"));
  return VrgdaLogistic{target, decay, max_sellable, time_scale};
}

#undef ATELIER_VALUE

Result<Values> collect(std::string_view kind, const PriceParams& params) {
  Names names = price_param_names(kind);
  if (static_cast<std::int64_t>(params.size()) > limits::kPriceParamsMax) {
    return fail(
        Error::invalid("value_out_of_range", "too many params (kPriceParamsMax)", "params"));
  }
  Values v;
  for (const auto& [name, value] : params) {
    if (static_cast<std::int64_t>(name.size() + value.size()) > limits::kPriceParamBytesMax) {
      return fail(Error::invalid("value_out_of_range", "param text too long (kPriceParamBytesMax)",
                                 field_of(name.substr(0, 64))));
    }
    if (std::find(names.begin(), names.end(), name) == names.end()) {
      return fail(Error::invalid(
          "unknown_param", std::string(kind) + " has no param \"" + name + "\"", field_of(name)));
    }
    if (!v.by_name.emplace(name, value).second) {
      return fail(Error::invalid("duplicate_param", "param given twice", field_of(name)));
    }
  }
  for (std::string_view name : names) {
    if (!v.by_name.contains(name)) {
      return fail(Error::invalid("missing_param",
                                 std::string(kind) + " needs param " + std::string(name),
                                 field_of(name)));
    }
  }
  return v;
}

}  // namespace

std::span<const std::string_view> price_param_names(std::string_view kind) {
  if (kind == "dutch-linear") return kDutchLinear;
  if (kind == "dutch-exponential") return kDutchExponential;
  if (kind == "gda-discrete") return kGdaDiscrete;
  if (kind == "gda-continuous") return kGdaContinuous;
  if (kind == "vrgda-linear") return kVrgdaLinear;
  if (kind == "vrgda-logistic") return kVrgdaLogistic;
  return {};
}

Result<PriceModel> parse_price_model(std::string_view kind, const PriceParams& params) {
  if (price_param_names(kind).empty()) {
    std::string known;
    for (std::string_view k : price_kind_names())
      known += (known.empty() ? "" : ", ") + std::string(k);
    return fail(Error::invalid(
        "unknown_kind",
        "unknown pricing kind \"" + std::string(kind.substr(0, 64)) + "\" (known: " + known + ")",
        "kind"));
  }
  auto values = collect(kind, params);
  if (!values) return fail(values.error());
  auto model = build(kind, *values);
  if (!model) return model;
  ATELIER_TRY(validate_price_model(*model));
  return model;
}

}  // namespace atelier::market
