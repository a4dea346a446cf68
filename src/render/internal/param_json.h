// param_json.h — ParamValue <-> nlohmann::json, shared by recipe.cc and generator.cc.
#pragma once

#include <nlohmann/json.hpp>

#include "render/recipe.h"

namespace atelier::render::internal {

inline nlohmann::json to_json(const ParamValue& v) {
  return std::visit([](const auto& x) { return nlohmann::json(x); }, v);
}

// Loose typing (used before the schema is known): integers stay integers.
inline std::optional<ParamValue> from_json(const nlohmann::json& j) {
  if (j.is_boolean()) return ParamValue(j.get<bool>());
  if (j.is_number_integer()) return ParamValue(j.get<std::int64_t>());
  if (j.is_number_float()) return ParamValue(j.get<double>());
  if (j.is_string()) return ParamValue(j.get<std::string>());
  return std::nullopt;
}

}  // namespace atelier::render::internal
