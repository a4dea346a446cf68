#include "render/events.h"

#include <nlohmann/json.hpp>

#include "core/canonical_json.h"
#include "core/version.h"

namespace atelier::render {

namespace {

nlohmann::json envelope(std::string_view type, std::int64_t time_ms) {
  return {{"type", type}, {"v", 1}, {"time_ms", time_ms}, {"atelier_version", kVersion}};
}

Result<nlohmann::json> parse_stored(const std::string& text, std::string_view what) {
  auto j = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) {
    return fail(Error::internal("stored_json_invalid", "the stored " + std::string(what) + " is not JSON"));
  }
  return j;
}

}  // namespace

Result<store::LogEvent> generator_registered_event(const store::GeneratorVersion& v) {
  nlohmann::json j = envelope("generator.registered", v.created_ms);
  nlohmann::json files = nlohmann::json::array();
  for (const auto& f : v.files) files.push_back({{"path", f.path}, {"sha256", f.sha256}, {"size", f.size_bytes}});
  j["generator"] = {{"name", v.name}, {"version", v.version}, {"bundle_hash", v.bundle_hash}, {"files", files}};
  auto text = canonical_json(j);
  if (!text) return fail(text.error());
  return store::LogEvent{std::move(*text), {"generator:" + v.bundle_hash}};
}

Result<store::LogEvent> render_event(const store::RenderRecord& r, const store::AssetRecord& a) {
  auto recipe = parse_stored(r.recipe_json, "recipe");
  if (!recipe) return fail(recipe.error());
  auto traits = parse_stored(r.traits_json.empty() ? "{}" : r.traits_json, "traits");
  if (!traits) return fail(traits.error());
  nlohmann::json j = envelope("render", r.created_ms);
  j["recipe"] = std::move(*recipe);
  j["recipe_id"] = r.recipe_id;
  j["output"] = {{"sha256", a.sha256}, {"mime_type", a.mime_type}, {"size", a.size_bytes},
                 {"width", a.width}, {"height", a.height}};
  j["traits"] = std::move(*traits);
  auto text = canonical_json(j);
  if (!text) return fail(text.error());
  return store::LogEvent{std::move(*text),
                         {"asset:" + a.sha256, "recipe:" + r.recipe_id}};
}

}  // namespace atelier::render
