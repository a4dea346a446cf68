#include "render/recipe.h"

#include <algorithm>
#include <nlohmann/json.hpp>

#include "core/canonical_json.h"
#include "core/hash.h"
#include "core/limits.h"
#include "render/internal/param_json.h"

namespace atelier::render {

using nlohmann::json;

namespace {

json recipe_to_json(const Recipe& r) {
  json params = json::object();
  for (const auto& [k, v] : r.params) params[k] = internal::to_json(v);
  json inputs = json::object();
  for (const auto& [k, v] : r.inputs) inputs[k] = v;
  return json{{"version", kRecipeVersion},
              {"generator", {{"name", r.generator_name}, {"hash", r.generator_hash}}},
              {"token_hash", r.token_hash},
              {"width", r.width},
              {"height", r.height},
              {"format", image_format_name(r.format)},
              {"quality", r.quality},
              {"params", std::move(params)},
              {"inputs", std::move(inputs)}};
}

Error field_error(const std::string& field, const std::string& what) {
  return Error::invalid("invalid_recipe", "recipe." + field + " " + what, field);
}

Result<std::int64_t> get_int(const json& j, const char* key) {
  if (!j.contains(key) || !j[key].is_number_integer())
    return fail(field_error(key, "must be an integer"));
  return j[key].get<std::int64_t>();
}

}  // namespace

std::string recipe_canonical_json(const Recipe& recipe) {
  // Every field comes from validated values, so canonicalisation cannot fail here.
  return canonical_json(recipe_to_json(recipe)).value();
}

std::string recipe_id(const Recipe& recipe) { return sha256_hex(recipe_canonical_json(recipe)); }

Result<void> check_token_hash(std::string_view token_hash) {
  bool ok = token_hash.size() == 66 && token_hash.starts_with("0x") &&
            std::all_of(token_hash.begin() + 2, token_hash.end(),
                        [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); });
  if (!ok) {
    return fail(Error::invalid("invalid_token_hash",
                               "token_hash must be 0x followed by 64 lowercase hex digits",
                               "token_hash"));
  }
  return {};
}

Result<void> check_size(std::int64_t width, std::int64_t height) {
  if (width < limits::kImageSideMin || width > limits::kImageWidthMax) {
    return fail(Error::invalid("invalid_size",
                               "width " + std::to_string(width) + " is outside 1.." +
                                   std::to_string(limits::kImageWidthMax) + " (image_width_max)",
                               "width"));
  }
  if (height < limits::kImageSideMin || height > limits::kImageHeightMax) {
    return fail(Error::invalid("invalid_size",
                               "height " + std::to_string(height) + " is outside 1.." +
                                   std::to_string(limits::kImageHeightMax) + " (image_height_max)",
                               "height"));
  }
  if (width * height > limits::kImagePixelsMax) {
    return fail(Error::invalid("image_too_large",
                               std::to_string(width) + "x" + std::to_string(height) +
                                   " exceeds image_pixels_max (" +
                                   std::to_string(limits::kImagePixelsMax) + " pixels)",
                               "width"));
  }
  return {};
}

Result<Recipe> parse_recipe(std::string_view json_text) {
  auto parsed = parse_json(json_text, limits::kRecipeBytesMax, "recipe");
  if (!parsed) return fail(parsed.error());
  const json& j = *parsed;
  if (!j.is_object())
    return fail(Error::invalid("invalid_recipe", "recipe must be a JSON object", "recipe"));
  static const char* kFields[] = {"version", "generator", "token_hash", "width", "height",
                                  "format",  "quality",   "params",     "inputs"};
  for (auto it = j.begin(); it != j.end(); ++it) {
    if (std::find_if(std::begin(kFields), std::end(kFields),
                     [&](const char* f) { return it.key() == f; }) == std::end(kFields)) {
      return fail(Error::invalid("unknown_field",
                                 "recipe has an unknown field \"" + it.key() + "\"", it.key()));
    }
  }
  for (const char* f : kFields) {
    if (!j.contains(f))
      return fail(Error::invalid("missing_field", std::string("recipe.") + f + " is required", f));
  }
  auto version = get_int(j, "version");
  if (!version) return fail(version.error());
  if (*version != kRecipeVersion)
    return fail(field_error("version", "must be " + std::to_string(kRecipeVersion)));

  Recipe r;
  const json& g = j["generator"];
  if (!g.is_object() || g.size() != 2 || !g.contains("name") || !g["name"].is_string() ||
      !g.contains("hash") || !g["hash"].is_string()) {
    return fail(field_error("generator", "must be {\"name\": string, \"hash\": sha256}"));
  }
  r.generator_name = g["name"];
  r.generator_hash = g["hash"];
  if (!is_sha256_hex(r.generator_hash))
    return fail(field_error("generator.hash", "must be 64 lowercase hex"));
  if (!j["token_hash"].is_string()) return fail(field_error("token_hash", "must be a string"));
  r.token_hash = j["token_hash"];
  ATELIER_TRY(check_token_hash(r.token_hash));
  auto w = get_int(j, "width");
  if (!w) return fail(w.error());
  auto h = get_int(j, "height");
  if (!h) return fail(h.error());
  r.width = *w, r.height = *h;
  ATELIER_TRY(check_size(r.width, r.height));
  if (!j["format"].is_string()) return fail(field_error("format", "must be a string"));
  auto fmt = parse_image_format(j["format"].get<std::string>());
  if (!fmt || j["format"] != image_format_name(*fmt))
    return fail(field_error("format", "must be png, jpeg, webp or avif"));
  r.format = *fmt;
  auto q = get_int(j, "quality");
  if (!q) return fail(q.error());
  if (*q < limits::kQualityMin || *q > limits::kQualityMax)
    return fail(field_error("quality", "must be 1..100"));
  r.quality = static_cast<int>(*q);
  if (!j["params"].is_object()) return fail(field_error("params", "must be an object"));
  for (auto it = j["params"].begin(); it != j["params"].end(); ++it) {
    auto v = internal::from_json(it.value());
    if (!v)
      return fail(field_error("params." + it.key(),
                              "must be a number (integers within ±2^53), boolean or string"));
    r.params[it.key()] = std::move(*v);
  }
  if (!j["inputs"].is_object() ||
      static_cast<std::int64_t>(j["inputs"].size()) > limits::kInputsMax) {
    return fail(field_error("inputs", "must be an object of at most inputs_max entries"));
  }
  for (auto it = j["inputs"].begin(); it != j["inputs"].end(); ++it) {
    if (!it.value().is_string() || !is_sha256_hex(it.value().get<std::string>())) {
      return fail(field_error("inputs." + it.key(), "must be a sha256 (64 lowercase hex)"));
    }
    r.inputs[it.key()] = it.value();
  }
  return r;
}

}  // namespace atelier::render
