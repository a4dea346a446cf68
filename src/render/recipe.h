// recipe.h — the recipe: everything that determines an artwork's pixels (DESIGN.md).
//
// Canonical form (RFC 8785), with every field always present:
//   {"format":"png","generator":{"hash":"<sha256>","name":"flow-field"},"height":1024,
//    "inputs":{"control":"<sha256>"},"params":{"lines":4000,...},"quality":90,
//    "token_hash":"0x<64 hex>","version":1,"width":1024}
// recipe_id = sha256(canonical bytes). Nothing outside the recipe influences pixels.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <variant>

#include "core/error.h"
#include "render/image.h"

namespace atelier::render {

inline constexpr int kRecipeVersion = 1;

// A parameter value as the script sees it. Colours and choices are strings; integers are
// kept apart from numbers so that canonical JSON writes "3", not "3.0".
using ParamValue = std::variant<bool, std::int64_t, double, std::string>;

struct Recipe {
  std::string generator_name;
  std::string generator_hash;  // sha256 hex of the bundle.
  std::string token_hash;      // "0x" + 64 lowercase hex.
  std::int64_t width = 0;
  std::int64_t height = 0;
  ImageFormat format = ImageFormat::kPng;
  int quality = kDefaultQuality;
  std::map<std::string, ParamValue> params;
  std::map<std::string, std::string> inputs;  // input name -> sha256 hex of the image.
};

// Canonical JSON text and its id.
std::string recipe_canonical_json(const Recipe& recipe);
std::string recipe_id(const Recipe& recipe);

// Parses a complete recipe (as embedded in files). Strict: every field required, unknown
// fields refused, types and syntax checked, limits applied. It does not check the params
// against a generator's schema: the engine does that once it has loaded the generator.
Result<Recipe> parse_recipe(std::string_view json_text);

// Checks shape-level fields shared by recipes and render requests; `field` prefixes errors.
Result<void> check_token_hash(std::string_view token_hash);
Result<void> check_size(std::int64_t width, std::int64_t height);

}  // namespace atelier::render
