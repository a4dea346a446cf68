// GET /v1/generators (paginated, by name) and GET /v1/generators/{name} (every version).
#include "api/internal/handler_util.h"
#include "api/internal/routes.h"
#include "core/limits.h"
#include "render/engine.h"

namespace atelier::api {
namespace {

constexpr const char* kSummarySchema = R"({
  "type": "object",
  "required": ["name", "latest_hash", "latest_version", "description", "versions", "updated_ms"],
  "properties": {
    "name": {"type": "string"},
    "latest_hash": {"type": "string", "pattern": "^[0-9a-f]{64}$",
                    "description": "sha256 of the newest bundle."},
    "latest_version": {"type": "string", "description": "The manifest's version string."},
    "description": {"type": "string"},
    "versions": {"type": "integer", "description": "Registered versions."},
    "updated_ms": {"type": "integer"}
  }
})";

constexpr const char* kGeneratorSchema = R"({
  "type": "object",
  "required": ["name", "latest_hash", "versions"],
  "properties": {
    "name": {"type": "string"},
    "latest_hash": {"type": "string"},
    "versions": {"type": "array", "description": "Newest first; every version stays renderable.",
      "items": {"type": "object",
        "required": ["hash", "version", "description", "manifest", "files", "created_ms"],
        "properties": {
          "hash": {"type": "string", "pattern": "^[0-9a-f]{64}$"},
          "version": {"type": "string"},
          "description": {"type": "string"},
          "manifest": {"type": "object", "description": "Parameter schema, aspect ratios, inputs."},
          "files": {"type": "array", "items": {"type": "object", "properties": {
            "path": {"type": "string"}, "sha256": {"type": "string"},
              "size_bytes": {"type": "integer"}}}},
          "created_ms": {"type": "integer"}}}}
  }
})";

Result<HttpResponse> list_generators(RouteDeps& deps, RequestContext& ctx) {
  auto page = page_request(ctx);
  if (!page) return fail(page.error());
  auto result = deps.engine.store().list_generators(*page);
  if (!result) return fail(result.error());
  nlohmann::json data = nlohmann::json::array();
  for (const auto& g : result->items) {
    data.push_back({{"name", g.name},
                    {"latest_hash", g.latest_hash},
                    {"latest_version", g.latest_version},
                    {"description", g.description},
                    {"versions", g.versions},
                    {"updated_ms", g.updated_ms}});
  }
  return page_response(std::move(data), result->next_cursor);
}

Result<HttpResponse> get_generator(RouteDeps& deps, RequestContext& ctx) {
  std::string name(ctx.path_param("name"));
  const auto not_found = [&] {
    return fail(
        Error::not_found("generator_not_found", "no generator named \"" + name + "\"", "name"));
  };
  if (name.size() > static_cast<std::size_t>(limits::kNameBytesMax)) return not_found();
  auto versions = deps.engine.store().generator_versions(name);
  if (!versions) return fail(versions.error());
  if (versions->empty()) return not_found();
  nlohmann::json list = nlohmann::json::array();
  for (const auto& v : *versions) {
    nlohmann::json files = nlohmann::json::array();
    for (const auto& f : v.files) {
      files.push_back({{"path", f.path}, {"sha256", f.sha256}, {"size_bytes", f.size_bytes}});
    }
    list.push_back({{"hash", v.bundle_hash},
                    {"version", v.version},
                    {"description", v.description},
                    {"manifest", stored_json(v.manifest_json)},
                    {"files", std::move(files)},
                    {"created_ms", v.created_ms}});
  }
  return json_response({{"name", name},
                        {"latest_hash", versions->front().bundle_hash},
                        {"versions", std::move(list)}});
}

}  // namespace

void add_generator_routes(RouteTable& table, RouteDeps& deps) {
  table.add_schema("GeneratorSummary", kSummarySchema);
  table.add_schema("Generator", kGeneratorSchema);
  table.add({.method = "GET",
             .path = "/v1/generators",
             .operation_id = "listGenerators",
             .summary = "Registered generators, by name",
             .tag = "generators",
             .paginated = true,
             .responses = {{200, "A page of generators.", "application/json",
                            R"({"$ref": "#/components/schemas/GeneratorSummary"})"}},
             .handler = [&deps](RequestContext& c) { return list_generators(deps, c); }});
  table.add({.method = "GET",
             .path = "/v1/generators/{name}",
             .operation_id = "getGenerator",
             .summary = "A generator and all its versions",
             .tag = "generators",
             .params = {{.name = "name",
                         .in = ParamIn::kPath,
                         .description = "The generator name.",
                         .schema = R"({"type": "string", "minLength": 1, "maxLength": 64})"}},
             .responses = {{200, "The generator.", "application/json",
                            R"({"$ref": "#/components/schemas/Generator"})"}},
             .handler = [&deps](RequestContext& c) { return get_generator(deps, c); }});
}

}  // namespace atelier::api
