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

Result<PriceModel> build_dutch_linear(const Values& v) {
  ATELIER_VALUE(start, price(v, "start_price"));
  ATELIER_VALUE(end, price(v, "end_price"));
  ATELIER_VALUE(duration, count(v, "duration_s"));
  return DutchLinear{start, end, duration};
}

Result<PriceModel> build_dutch_exponential(const Values& v) {
  ATELIER_VALUE(start, price(v, "start_price"));
  ATELIER_VALUE(end, price(v, "end_price"));
  ATELIER_VALUE(half_life, count(v, "half_life_s"));
  return DutchExponential{start, end, half_life};
}

Result<PriceModel> build_gda_discrete(const Values& v) {
  ATELIER_VALUE(initial, price(v, "initial_price"));
  ATELIER_VALUE(scale, rate(v, "scale_factor"));
  ATELIER_VALUE(decay, rate(v, "decay_constant"));
  return GdaDiscrete{initial, scale, decay};
}

Result<PriceModel> build_gda_continuous(const Values& v) {
  ATELIER_VALUE(initial, price(v, "initial_price"));
  ATELIER_VALUE(emission, rate(v, "emission_rate"));
  ATELIER_VALUE(decay, rate(v, "decay_constant"));
  return GdaContinuous{initial, emission, decay};
}

Result<PriceModel> build_vrgda_linear(const Values& v) {
  ATELIER_VALUE(target, price(v, "target_price"));
  ATELIER_VALUE(decay, rate(v, "decay"));
  ATELIER_VALUE(per_time_unit, rate(v, "per_time_unit"));
  return VrgdaLinear{target, decay, per_time_unit};
}

Result<PriceModel> build_vrgda_logistic(const Values& v) {
  ATELIER_VALUE(target, price(v, "target_price"));
  ATELIER_VALUE(decay, rate(v, "decay"));
  ATELIER_VALUE(max_sellable, count(v, "max_sellable"));
  ATELIER_VALUE(time_scale, rate(v, "time_scale"));
  return VrgdaLogistic{target, decay, max_sellable, time_scale};
}

#undef ATELIER_VALUE

// Each kind's parameter names and builder, in PriceModel's order (price_kind_names()): a kind
// name is looked up once (find_kind), never compared again.
struct KindSpec {
  Names params;
  Result<PriceModel> (*build)(const Values&);
};
constexpr std::array<KindSpec, 6> kKindSpecs = {{
    {kDutchLinear, build_dutch_linear},
    {kDutchExponential, build_dutch_exponential},
    {kGdaDiscrete, build_gda_discrete},
    {kGdaContinuous, build_gda_continuous},
    {kVrgdaLinear, build_vrgda_linear},
    {kVrgdaLogistic, build_vrgda_logistic},
}};
static_assert(std::tuple_size_v<decltype(kKindSpecs)> == std::variant_size_v<PriceModel>);

// The spec of the kind named `kind`, or nullptr.
const KindSpec* find_kind(std::string_view kind) {
  const auto names = price_kind_names();
  const auto it = std::find(names.begin(), names.end(), kind);
  if (it == names.end()) return nullptr;
  return &kKindSpecs[static_cast<std::size_t>(it - names.begin())];
}

Result<Values> collect(std::string_view kind, Names names, const PriceParams& params) {
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
  const KindSpec* spec = find_kind(kind);
  return spec == nullptr ? Names() : spec->params;
}

Result<PriceModel> parse_price_model(std::string_view kind, const PriceParams& params) {
  const KindSpec* spec = find_kind(kind);
  if (spec == nullptr) {
    std::string known;
    for (std::string_view k : price_kind_names())
      known += (known.empty() ? "" : ", ") + std::string(k);
    return fail(Error::invalid(
        "unknown_kind",
        "unknown pricing kind \"" + std::string(kind.substr(0, 64)) + "\" (known: " + known + ")",
        "kind"));
  }
  auto values = collect(kind, spec->params, params);
  if (!values) return fail(values.error());
  auto model = spec->build(*values);
  if (!model) return model;
  ATELIER_TRY(validate_price_model(*model));
  return model;
}

}  // namespace atelier::market
