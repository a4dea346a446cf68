// libFuzzer target: recipe and render-request parsing, and recipe extraction from files.
// Build with `make fuzz` (clang); run: build-fuzz/fuzz/recipe_fuzz fuzz/corpus/recipe
// Saved crashers go in fuzz/corpus/recipe and are replayed by tests/fuzz (fuzz_replay_test).
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "render/codec.h"
#include "render/engine.h"
#include "render/recipe.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto recipe = atelier::render::parse_recipe(text);
  if (recipe) {
    // A parsed recipe must round-trip through its canonical form.
    auto again = atelier::render::parse_recipe(atelier::render::recipe_canonical_json(*recipe));
    if (!again || atelier::render::recipe_id(*again) != atelier::render::recipe_id(*recipe))
      __builtin_trap();
  }
  (void)atelier::render::parse_render_request(text);
  (void)atelier::render::extract_recipe(std::span(data, size));
  return 0;
}
