#include "render/events.h"

#include <nlohmann/json.hpp>

#include "core/canonical_json.h"
#include "core/event.h"
#include "core/limits.h"

namespace atelier::render {

namespace {

Result<nlohmann::json> parse_stored(const std::string& text, std::string_view what) {
  auto j = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) {
    return fail(
        Error::internal("stored_json_invalid", "the stored " + std::string(what) + " is not JSON"));
  }
  return j;
}

}  // namespace

Result<store::LogEvent> generator_registered_event(const store::GeneratorVersion& v) {
  nlohmann::json files = nlohmann::json::array();
  for (const auto& f : v.files)
    files.push_back({{"path", f.path}, {"sha256", f.sha256}, {"size", f.size_bytes}});
  nlohmann::json j;
  j["generator"] = {
      {"name", v.name}, {"version", v.version}, {"bundle_hash", v.bundle_hash}, {"files", files}};
  return store::LogEvent{event_entry("generator.registered", v.created_ms, std::move(j)),
                         {"generator:" + v.bundle_hash}};
}

Result<store::LogEvent> render_event(const store::RenderRecord& r, const store::AssetRecord& a) {
  auto recipe = parse_stored(r.recipe_json, "recipe");
  if (!recipe) return fail(recipe.error());
  auto traits = parse_stored(r.traits_json.empty() ? "{}" : r.traits_json, "traits");
  if (!traits) return fail(traits.error());
  nlohmann::json j;
  j["recipe"] = std::move(*recipe);
  j["recipe_id"] = r.recipe_id;
  j["output"] = {{"sha256", a.sha256}, {"mime_type", a.mime_type}, {"size", a.size_bytes},
                 {"width", a.width}, {"height", a.height}};
  j["traits"] = std::move(*traits);
  return store::LogEvent{event_entry("render", r.created_ms, std::move(j)),
                         {"asset:" + a.sha256, "recipe:" + r.recipe_id}};
}

namespace {

// The log's entries about `subject` of the given type, parsed.
Result<std::vector<std::pair<std::uint64_t, nlohmann::json>>> logged(store::Store& store,
                                                                     const std::string& subject,
                                                                     std::string_view type) {
  auto indexes = store.log_indexes(subject);
  if (!indexes) return fail(indexes.error());
  std::vector<std::pair<std::uint64_t, nlohmann::json>> out;
  for (std::uint64_t i : *indexes) {
    auto rows = store.log_entries(i, i + 1);
    if (!rows) return fail(rows.error());
    if (rows->empty()) continue;
    auto j = nlohmann::json::parse(rows->front().entry, nullptr, /*allow_exceptions=*/false);
    if (j.is_object() && j.value("type", "") == type) out.emplace_back(i, std::move(j));
  }
  return out;
}

std::string canonical_or_empty(const nlohmann::json& j) {
  auto text = canonical_json(j);
  return text ? *text : std::string();
}

}  // namespace

Result<RecordsCheck> check_records_against_log(store::Store& store) {
  RecordsCheck check;
  auto problem = [&](std::string code, std::string message, std::optional<std::uint64_t> index) {
    check.ok = false;
    check.code = std::move(code);
    check.message = std::move(message);
    check.log_index = index;
    return check;
  };
  store::PageRequest page{limits::kPageSizeMax, ""};
  for (;;) {
    auto renders = store.list_renders(page);
    if (!renders) return fail(renders.error());
    for (const auto& r : renders->items) {
      ++check.renders;
      auto entries = logged(store, "recipe:" + r.recipe_id, "render");
      if (!entries) return fail(entries.error());
      if (entries->empty()) {
        return problem("render_not_logged",
                       "render " + r.recipe_id + " has no render entry in the log", std::nullopt);
      }
      const auto& [index, e] = entries->front();
      auto asset = store.asset(r.asset_sha256);
      if (!asset) return fail(asset.error());
      const nlohmann::json& out = e.value("output", nlohmann::json::object());
      std::string traits = r.traits_json.empty() ? "{}" : r.traits_json;
      bool same = e.value("recipe_id", "") == r.recipe_id &&
                  canonical_or_empty(e.value("recipe", nlohmann::json())) == r.recipe_json &&
                  out.value("sha256", "") == r.asset_sha256 && out.value("width", -1) == r.width &&
                  out.value("height", -1) == r.height &&
                  canonical_or_empty(e.value("traits", nlohmann::json::object())) ==
                      canonical_or_empty(nlohmann::json::parse(traits, nullptr, false)) &&
                  *asset && out.value("mime_type", "") == (*asset)->mime_type &&
                  out.value("size", std::int64_t{-1}) == (*asset)->size_bytes;
      if (!same) {
        return problem("render_differs_from_log",
                       "the stored render " + r.recipe_id + " (asset " + r.asset_sha256 +
                           ") does not match its log entry " + std::to_string(index),
                       index);
      }
    }
    if (renders->next_cursor.empty()) break;
    page.cursor = renders->next_cursor;
  }
  store::PageRequest gpage{limits::kPageSizeMax, ""};
  for (;;) {
    auto gens = store.list_generators(gpage);
    if (!gens) return fail(gens.error());
    for (const auto& summary : gens->items) {
      auto versions = store.generator_versions(summary.name);
      if (!versions) return fail(versions.error());
      for (const auto& v : *versions) {
        ++check.generator_versions;
        auto entries = logged(store, "generator:" + v.bundle_hash, "generator.registered");
        if (!entries) return fail(entries.error());
        if (entries->empty()) {
          return problem(
              "generator_not_logged",
              "generator " + v.name + "@" + v.bundle_hash + " has no registration entry in the log",
              std::nullopt);
        }
        auto expected = generator_registered_event(v);
        if (!expected) return fail(expected.error());
        auto want = nlohmann::json::parse(expected->entry);
        const auto& [index, e] = entries->front();
        if (e.value("generator", nlohmann::json()) != want["generator"]) {
          return problem("generator_differs_from_log",
                         "the stored generator " + v.name + "@" + v.bundle_hash +
                             " does not match its log entry " + std::to_string(index),
                         index);
        }
      }
    }
    if (gens->next_cursor.empty()) break;
    gpage.cursor = gens->next_cursor;
  }
  return check;
}

}  // namespace atelier::render
