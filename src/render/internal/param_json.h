// param_json.h — ParamValue <-> nlohmann::json, shared by recipe.cc and generator.cc.
#pragma once

#include <nlohmann/json.hpp>

#include "render/recipe.h"

namespace atelier::render::internal {

inline nlohmann::json to_json(const ParamValue& v) {
  return std::visit([](const auto& x) { return nlohmann::json(x); }, v);
}

// Loose typing (used before the schema is known): integers stay integers. Integers beyond
// ±2^53 are refused: canonical JSON (RFC 8785) cannot represent them exactly.
inline std::optional<ParamValue> from_json(const nlohmann::json& j) {
  constexpr std::int64_t kSafe = std::int64_t{1} << 53;
  if (j.is_boolean()) return ParamValue(j.get<bool>());
  if (j.is_number_unsigned()) {
    if (j.get<std::uint64_t>() > static_cast<std::uint64_t>(kSafe)) return std::nullopt;
    return ParamValue(static_cast<std::int64_t>(j.get<std::uint64_t>()));
  }
  if (j.is_number_integer()) {
    auto v = j.get<std::int64_t>();
    if (v > kSafe || v < -kSafe) return std::nullopt;
    return ParamValue(v);
  }
  if (j.is_number_float()) return ParamValue(j.get<double>());
  if (j.is_string()) return ParamValue(j.get<std::string>());
  return std::nullopt;
}

}  // namespace atelier::render::internal
