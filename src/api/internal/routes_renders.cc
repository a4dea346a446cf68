#include "api/internal/routes_renders.h"

#include <chrono>

#include "api/internal/handler_util.h"
#include "api/internal/routes.h"
#include "core/hash.h"
#include "render/engine.h"

namespace atelier::api {
namespace {

constexpr const char* kRenderRequestSchema = R"({
  "type": "object",
  "additionalProperties": false,
  "required": ["generator", "token_hash"],
  "properties": {
    "generator": {
      "description":
        "A generator name (latest version), or a name and bundle hash to pin a version.",
      "oneOf": [
        {"type": "string", "minLength": 1, "maxLength": 64},
        {"type": "object", "additionalProperties": false, "required": ["name"],
         "properties": {"name": {"type": "string", "minLength": 1, "maxLength": 64},
                        "hash": {"type": "string", "pattern": "^[0-9a-f]{64}$"}}}
      ]
    },
    "token_hash": {"type": "string", "pattern": "^0x[0-9a-f]{64}$",
                   "description": "Seeds the PRNG (sfc32): the token's identity."},
    "width": {"type": "integer", "minimum": 1, "maximum": 16384},
    "height": {"type": "integer", "minimum": 1, "maximum": 16384},
    "format": {"type": "string", "enum": ["png", "jpeg", "jpg", "webp", "avif"], "default": "png"},
    "quality": {"type": "integer", "minimum": 1, "maximum": 100, "default": 90},
    "params": {"type": "object",
      "description": "Parameter values by name; missing ones take defaults."},
    "inputs": {"type": "object", "additionalProperties": {"type": "string",
      "pattern": "^[0-9a-f]{64}$"},
               "description": "Control images by input name (sha256 of a stored image)."}
  }
})";

constexpr const char* kRenderSchema = R"({
  "type": "object",
  "required": ["recipe_id", "recipe", "generator", "token_hash", "width", "height", "format",
               "asset", "url", "traits", "timings"],
  "properties": {
    "recipe_id": {"type": "string", "pattern": "^[0-9a-f]{64}$",
                  "description": "sha256 of the canonical recipe."},
    "recipe": {"type": "object", "description": "The canonical recipe (RFC 8785)."},
    "generator": {"type": "object", "required": ["name", "hash"],
                  "properties": {"name": {"type": "string"}, "hash": {"type": "string"}}},
    "token_hash": {"type": "string"},
    "width": {"type": "integer"},
    "height": {"type": "integer"},
    "format": {"type": "string"},
    "asset": {"$ref": "#/components/schemas/Asset"},
    "url": {"type": "string", "description": "Where the image bytes are: /v1/assets/{sha256}."},
    "traits": {"type": "object", "description": "Features the generator script returned."},
    "timings": {"type": "object", "properties": {
      "script_ms": {"type": "number"}, "raster_ms": {"type": "number"},
      "encode_ms": {"type": "number"}, "store_ms": {"type": "number"}}},
    "atelier_version": {"type": "string"},
    "created_ms": {"type": "integer"},
    "cached": {"type": "boolean", "description": "True when this recipe had been rendered before."}
  }
})";

constexpr const char* kAssetSchema = R"({
  "type": "object",
  "required": ["sha256", "mime_type", "size_bytes", "url"],
  "properties": {
    "sha256": {"type": "string", "pattern": "^[0-9a-f]{64}$"},
    "mime_type": {"type": "string"},
    "size_bytes": {"type": "integer"},
    "url": {"type": "string"}
  }
})";

double ms(std::int64_t us) { return static_cast<double>(us) / 1000.0; }

// Idempotency-Key (store.h "Idempotency"): unlike the ledger routes, a render does not store
// its response in its own transaction, because running it twice is harmless: a recipe renders
// to the same bytes, the asset is content-addressed, and put_render keeps (and logs) only the
// first render of a recipe_id. So a retry after a crash that cut this request re-runs it, and
// answers 200 "cached" where the lost first answer would have said 201.
Result<HttpResponse> post_render(RouteDeps& deps, RequestContext& ctx) {
  auto request = render::parse_render_request(ctx.request.body);
  if (!request) return fail(request.error());
  auto t0 = std::chrono::steady_clock::now();
  auto outcome = deps.engine.render(*request, /*want_bytes=*/false);
  if (!outcome) return fail(outcome.error());
  deps.metrics.observe_render(
      outcome->cached,
      std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
  auto body = render_json(outcome->record, outcome->mime_type, outcome->size_bytes,
                          outcome->cached ? nullptr : &outcome->timings, outcome->cached);
  auto r = json_response(body, outcome->cached ? 200 : 201);
  r.set_header("Location", "/v1/renders/" + outcome->record.recipe_id);
  return r;
}

Result<HttpResponse> list_renders(RouteDeps& deps, RequestContext& ctx) {
  auto page = page_request(ctx);
  if (!page) return fail(page.error());
  auto result = deps.engine.store().list_renders(*page);
  if (!result) return fail(result.error());
  nlohmann::json data = nlohmann::json::array();
  for (const auto& r : result->items) {
    auto asset = deps.engine.store().asset(r.asset_sha256);
    if (!asset) return fail(asset.error());
    data.push_back(render_json(r, *asset ? (*asset)->mime_type : "application/octet-stream",
                               *asset ? (*asset)->size_bytes : 0, nullptr, std::nullopt));
  }
  return page_response(std::move(data), result->next_cursor);
}

Result<HttpResponse> get_render(RouteDeps& deps, RequestContext& ctx) {
  std::string id(ctx.path_param("recipe_id"));
  if (!is_sha256_hex(id)) {
    return fail(Error::invalid("invalid_recipe_id", "recipe_id must be 64 lowercase hex digits",
                               "recipe_id"));
  }
  auto record = deps.engine.store().render_by_recipe(id);
  if (!record) return fail(record.error());
  if (!*record)
    return fail(
        Error::not_found("render_not_found", "no render with recipe_id " + id, "recipe_id"));
  auto asset = deps.engine.store().asset((*record)->asset_sha256);
  if (!asset) return fail(asset.error());
  std::string mime = *asset ? (*asset)->mime_type : "application/octet-stream";
  std::int64_t size = *asset ? (*asset)->size_bytes : 0;
  return json_response(render_json(**record, mime, size, nullptr, std::nullopt));
}

}  // namespace

std::string asset_url(const std::string& sha256) { return "/v1/assets/" + sha256; }

nlohmann::json render_json(const store::RenderRecord& record, const std::string& mime_type,
                           std::int64_t size_bytes, const render::RenderTimings* timings,
                           std::optional<bool> cached) {
  nlohmann::json j;
  j["recipe_id"] = record.recipe_id;
  j["recipe"] = stored_json(record.recipe_json);
  j["generator"] = {{"name", record.generator_name}, {"hash", record.generator_hash}};
  j["token_hash"] = record.token_hash;
  j["width"] = record.width;
  j["height"] = record.height;
  j["format"] = record.format;
  j["asset"] = {{"sha256", record.asset_sha256},
                {"mime_type", mime_type},
                {"size_bytes", size_bytes},
                {"url", asset_url(record.asset_sha256)}};
  j["url"] = asset_url(record.asset_sha256);
  j["traits"] = stored_json(record.traits_json);
  if (timings) {
    j["timings"] = {{"script_ms", ms(timings->script_us)},
                    {"raster_ms", ms(timings->raster_us)},
                    {"encode_ms", ms(timings->encode_us)},
                    {"store_ms", ms(timings->store_us)}};
  } else {
    j["timings"] = {{"script_ms", ms(record.script_us)},
                    {"raster_ms", ms(record.raster_us)},
                    {"encode_ms", ms(record.encode_us)}};
  }
  j["atelier_version"] = record.atelier_version;
  j["created_ms"] = record.created_ms;
  if (cached) j["cached"] = *cached;
  return j;
}

void add_render_routes(RouteTable& table, RouteDeps& deps) {
  table.add_schema("RenderRequest", kRenderRequestSchema);
  table.add_schema("Render", kRenderSchema);
  table.add_schema("Asset", kAssetSchema);
  table.add(
      {.method = "POST",
       .path = "/v1/renders",
       .operation_id = "createRender",
       .summary = "Render a recipe",
       .description =
           "Resolves the request into a full recipe (latest generator version unless pinned, "
           "defaults filled in), renders it unless that recipe_id was rendered before, stores "
           "the asset and returns its metadata. 201 for a new render, 200 when cached.",
       .tag = "renders",
       .scope = "render",
       .execution = Execution::kWorker,
       .request_schema = R"({"$ref": "#/components/schemas/RenderRequest"})",
       .responses = {{201, "Rendered and stored.", "application/json",
                      R"({"$ref": "#/components/schemas/Render"})"},
                     {200, "Already rendered (cached).", "application/json",
                      R"({"$ref": "#/components/schemas/Render"})"}},
       .handler = [&deps](RequestContext& c) { return post_render(deps, c); }});
  table.add({.method = "GET",
             .path = "/v1/renders",
             .operation_id = "listRenders",
             .summary = "Stored renders, newest first",
             .description = "Every render, variants included (each is a render of its own recipe).",
             .tag = "renders",
             .paginated = true,
             .responses = {{200, "A page of renders.", "application/json",
                            R"({"$ref": "#/components/schemas/Render"})"}},
             .handler = [&deps](RequestContext& c) { return list_renders(deps, c); }});
  table.add({.method = "GET",
             .path = "/v1/renders/{recipe_id}",
             .operation_id = "getRender",
             .summary = "A stored render by recipe id",
             .tag = "renders",
             .params = {{.name = "recipe_id",
                         .in = ParamIn::kPath,
                         .description = "sha256 of the canonical recipe.",
                         .schema = R"({"type": "string", "pattern": "^[0-9a-f]{64}$"})"}},
             .responses = {{200, "The render.", "application/json",
                            R"({"$ref": "#/components/schemas/Render"})"}},
             .handler = [&deps](RequestContext& c) { return get_render(deps, c); }});
}

}  // namespace atelier::api
