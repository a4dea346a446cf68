// GET /v1/assets/{sha256} and GET /v1/assets/{sha256}/variants.
//
// Assets are content-addressed, so their URL never changes meaning: strong ETag = the sha256,
// cached for a year as immutable. A variant is a new render of the same recipe at another
// size or format (the composition is resolution-independent, DESIGN.md), not a resize; it is
// cached like any render, by its recipe_id, so asking twice renders once. With Content
// Credentials on, it is served signed as a variant of the asset asked for (c2pa/issuer.h):
// once per (variant, parent), recorded, so asking twice gives the same bytes.
#include <chrono>
#include <cmath>
#include <filesystem>

#include "api/internal/handler_util.h"
#include "api/internal/routes.h"
#include "api/internal/routes_renders.h"
#include "c2pa/container.h"
#include "c2pa/issuer.h"
#include "c2pa/manifest.h"
#include "core/canonical_json.h"
#include "core/hash.h"
#include "core/limits.h"
#include "render/engine.h"
#include "render/recipe.h"

namespace atelier::api {
namespace {

constexpr const char* kImmutable = "public, max-age=31536000, immutable";
// A variant URL maps to the same bytes for as long as the atelier version does not change
// the encoder, so it is cached for a day rather than forever.
constexpr const char* kVariantCaching = "public, max-age=86400";

Result<std::string> sha_param(const RequestContext& ctx) {
  std::string sha(ctx.path_param("sha256"));
  if (!is_sha256_hex(sha)) {
    return fail(
        Error::invalid("invalid_sha256", "sha256 must be 64 lowercase hex digits", "sha256"));
  }
  return sha;
}

// What GET /v1/assets/{sha256} serves: a render's asset signed (its Content Credentials,
// made on the first request when the server has an issuer), anything else as stored; a
// signed file is found by its own hash too.
struct Served {
  std::string blob_sha256;  // the bytes sent (the ETag)
  std::string mime_type;
  bool signed_file = false;
};

Result<Served> resolve_asset(RouteDeps& deps, const std::string& sha) {
  auto& store = deps.engine.store();
  ATELIER_TRY_ASSIGN(auto asset, store.asset(sha));
  if (!asset) {
    ATELIER_TRY_ASSIGN(auto credential, store.asset_credential_by_signed(sha));
    if (!credential) {
      return fail(Error::not_found("asset_not_found", "no asset with sha256 " + sha, "sha256"));
    }
    ATELIER_TRY_ASSIGN(auto original, store.asset(credential->asset_sha256));
    if (!original)
      return fail(Error::internal("asset_missing", "signed file " + sha + " has no asset"));
    return Served{sha, original->mime_type, true};
  }
  if (deps.issuer == nullptr || !c2pa::embeddable(asset->mime_type))
    return Served{sha, asset->mime_type, false};
  ATELIER_TRY_ASSIGN(auto credential, store.asset_credential(sha, ""));
  if (credential) return Served{credential->signed_sha256, asset->mime_type, true};
  ATELIER_TRY_ASSIGN(auto render, store.render_by_asset(sha));
  if (!render) return Served{sha, asset->mime_type, false};  // an uploaded input, not a render
  ATELIER_TRY_ASSIGN(auto bytes, deps.engine.blobs().get(sha));
  ATELIER_TRY_ASSIGN(auto issued, deps.issuer->issue(*render, bytes));
  return Served{issued.record.signed_sha256, asset->mime_type, true};
}

// What GET /v1/assets/{sha256}/variants serves for `variant`, rendered from `parent`'s recipe:
// the variant signed as a variant of the parent (when the server signs and the format allows);
// the parent's own file when the variant is the parent (the same bytes); else the variant as
// stored.
Result<Served> resolve_variant(RouteDeps& deps, const store::RenderRecord& parent,
                               const store::RenderRecord& variant) {
  if (variant.asset_sha256 == parent.asset_sha256) return resolve_asset(deps, parent.asset_sha256);
  auto& store = deps.engine.store();
  ATELIER_TRY_ASSIGN(auto asset, store.asset(variant.asset_sha256));
  if (!asset) {
    return fail(Error::internal("asset_missing", "variant " + variant.recipe_id + " has no asset"));
  }
  if (deps.issuer == nullptr || !c2pa::embeddable(asset->mime_type))
    return Served{variant.asset_sha256, asset->mime_type, false};
  ATELIER_TRY_ASSIGN(auto credential,
                     store.asset_credential(variant.asset_sha256, parent.asset_sha256));
  if (credential) return Served{credential->signed_sha256, asset->mime_type, true};
  // The parent as GET /v1/assets/{sha256} serves it (signed on the way when it is not yet).
  ATELIER_TRY_ASSIGN(Served parent_served, resolve_asset(deps, parent.asset_sha256));
  ATELIER_TRY_ASSIGN(auto parent_file, deps.engine.blobs().get(parent_served.blob_sha256));
  ATELIER_TRY_ASSIGN(auto bytes, deps.engine.blobs().get(variant.asset_sha256));
  static const std::vector<std::vector<std::uint8_t>> kNone;
  ATELIER_TRY_ASSIGN(auto issued,
                     deps.issuer->issue_variant(variant, bytes, parent, parent_file,
                                                deps.c2pa_anchors ? *deps.c2pa_anchors : kNone));
  return Served{issued.record.signed_sha256, asset->mime_type, true};
}

// The bytes `served` names, or 304 when the client has them.
Result<HttpResponse> serve(RouteDeps& deps, const RequestContext& ctx, const Served& served,
                           const char* cache_control) {
  HttpResponse r;
  r.set_header("ETag", "\"" + served.blob_sha256 + "\"");
  r.set_header("Cache-Control", cache_control);
  if (auto inm = ctx.request.header("If-None-Match");
      inm && if_none_match_matches(*inm, served.blob_sha256)) {
    r.status = 304;
    return r;
  }
  auto path = deps.engine.blobs().path_of(served.blob_sha256);
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec)) {
    return fail(Error::internal("blob_missing", "asset " + served.blob_sha256 +
                                                    " is recorded but its blob is missing"));
  }
  r.status = 200;
  r.content_type = served.mime_type;
  r.body_file = path;
  return r;
}

Result<HttpResponse> get_asset(RouteDeps& deps, RequestContext& ctx) {
  ATELIER_TRY_ASSIGN(std::string sha, sha_param(ctx));
  ATELIER_TRY_ASSIGN(Served served, resolve_asset(deps, sha));
  return serve(deps, ctx, served, kImmutable);
}

// GET /v1/assets/{sha256}/c2pa: the manifest of the file GET /v1/assets/{sha256} serves, as
// JSON, validated against the server's root.
Result<HttpResponse> get_asset_c2pa(RouteDeps& deps, RequestContext& ctx) {
  ATELIER_TRY_ASSIGN(std::string sha, sha_param(ctx));
  ATELIER_TRY_ASSIGN(Served served, resolve_asset(deps, sha));
  if (!served.signed_file) {
    return fail(Error::not_found("no_credentials",
                                 "asset " + sha + " carries no Content Credentials", "sha256"));
  }
  ATELIER_TRY_ASSIGN(auto bytes, deps.engine.blobs().get(served.blob_sha256));
  static const std::vector<std::vector<std::uint8_t>> kNone;
  ATELIER_TRY_ASSIGN(auto v, c2pa::validate_asset(bytes, served.mime_type,
                                                  deps.c2pa_anchors ? *deps.c2pa_anchors : kNone,
                                                  std::chrono::system_clock::now()));
  HttpResponse r;
  r.status = 200;
  r.content_type = "application/json";
  r.body = c2pa::validation_json(v);
  r.set_header("Cache-Control", "public, max-age=300");
  return r;
}

// The original recipe as a request, with the variant's size and format.
Result<render::RenderRequest> variant_request(const store::RenderRecord& original,
                                              const RequestContext& ctx) {
  auto recipe = render::parse_recipe(original.recipe_json);
  if (!recipe) return fail(Error::internal("stored_recipe_invalid", recipe.error().to_string()));
  auto width = int_query(ctx, "width", limits::kImageSideMin, limits::kImageWidthMax);
  if (!width) return fail(width.error());
  auto height = int_query(ctx, "height", limits::kImageSideMin, limits::kImageHeightMax);
  if (!height) return fail(height.error());
  auto quality = int_query(ctx, "quality", limits::kQualityMin, limits::kQualityMax);
  if (!quality) return fail(quality.error());

  render::RenderRequest req;
  req.generator = recipe->generator_name;
  req.generator_hash = recipe->generator_hash;
  req.token_hash = recipe->token_hash;
  req.format = render::image_format_name(recipe->format);
  if (auto f = ctx.query_param("format")) {
    auto parsed = render::parse_image_format(*f);
    if (!parsed)
      return fail(
          Error::invalid("invalid_format", "format must be png, jpeg, webp or avif", "format"));
    req.format = render::image_format_name(*parsed);
  }
  req.quality = quality->value_or(recipe->quality);
  // One side given: the other follows the original aspect ratio.
  const double aspect = static_cast<double>(recipe->width) / static_cast<double>(recipe->height);
  if (*width && *height) {
    req.width = **width, req.height = **height;
  } else if (*width) {
    req.width = **width;
    req.height = std::max<std::int64_t>(1, std::llround(static_cast<double>(**width) / aspect));
  } else if (*height) {
    req.height = **height;
    req.width = std::max<std::int64_t>(1, std::llround(static_cast<double>(**height) * aspect));
  } else {
    req.width = recipe->width, req.height = recipe->height;
  }
  ATELIER_TRY(render::check_size(req.width, req.height));
  auto stored = nlohmann::json::parse(original.recipe_json, nullptr, false);
  if (stored.is_discarded() || !stored.contains("params")) {
    return fail(Error::internal("stored_recipe_invalid", "stored recipe lacks params"));
  }
  auto params = canonical_json(stored["params"]);
  if (!params) return fail(Error::internal("stored_recipe_invalid", params.error().to_string()));
  req.params_json = std::move(*params);
  req.inputs = recipe->inputs;
  return req;
}

Result<HttpResponse> get_variant(RouteDeps& deps, RequestContext& ctx) {
  auto sha = sha_param(ctx);
  if (!sha) return fail(sha.error());
  auto original = deps.engine.store().render_by_asset(*sha);
  if (!original) return fail(original.error());
  if (!*original) {
    auto asset = deps.engine.store().asset(*sha);
    if (!asset) return fail(asset.error());
    if (*asset) {
      return fail(Error::not_found(
          "not_a_render", "asset " + *sha + " was not rendered by atelier, so it has no variants",
          "sha256"));
    }
    return fail(Error::not_found("asset_not_found", "no asset with sha256 " + *sha, "sha256"));
  }
  auto req = variant_request(**original, ctx);
  if (!req) return fail(req.error());
  auto t0 = std::chrono::steady_clock::now();
  auto outcome = deps.engine.render(*req, /*want_bytes=*/false);
  if (!outcome) return fail(outcome.error());
  deps.metrics.observe_render(
      outcome->cached,
      std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
  ATELIER_TRY_ASSIGN(Served served, resolve_variant(deps, **original, outcome->record));
  auto r = serve(deps, ctx, served, kVariantCaching);
  if (!r) return r;
  // Where the same bytes are for good (the signed variant is found by its own hash too).
  r->set_header("Content-Location", asset_url(served.blob_sha256));
  r->set_header("X-Atelier-Recipe-Id", outcome->record.recipe_id);
  return r;
}

}  // namespace

void add_asset_routes(RouteTable& table, RouteDeps& deps) {
  const ParamDoc sha_doc{.name = "sha256",
                         .in = ParamIn::kPath,
                         .description = "The asset's content hash.",
                         .schema = R"({"type": "string", "pattern": "^[0-9a-f]{64}$"})"};
  const char* kBytes = R"({"type": "string", "contentMediaType": "application/octet-stream"})";
  table.add({.method = "GET",
             .path = "/v1/assets/{sha256}",
             .operation_id = "getAsset",
             .summary = "Asset bytes",
             .description =
                 "The stored file with its Content-Type, `ETag: \"<sha256>\"` and "
                 "`Cache-Control: public, max-age=31536000, immutable`; 304 when If-None-Match "
                 "matches.",
             .tag = "assets",
             .params = {sha_doc,
                        {.name = "If-None-Match",
                         .in = ParamIn::kHeader,
                         .description = "ETags the client holds."}},
             .responses = {{200, "The file (image/png, image/jpeg, image/webp or image/avif).",
                            "application/octet-stream", kBytes},
                           {304, "Not modified.", "", ""}},
             .handler = [&deps](RequestContext& c) { return get_asset(deps, c); }});
  table.add(
      {.method = "GET",
       .path = "/v1/assets/{sha256}/c2pa",
       .operation_id = "getAssetCredentials",
       .summary = "The asset's Content Credentials (C2PA manifest) as JSON",
       .description =
           "The manifest in the file GET /v1/assets/{sha256} serves, validated against "
           "this server's root: validation_state (Trusted, Valid, Invalid), failure and "
           "success codes, claim generator, actions, digital source type, signer, and the "
           "atelier assertion (recipe, recipe_id, log entry with inclusion proof and "
           "checkpoint). 404 no_credentials for an asset that carries none.",
       .tag = "assets",
       .execution = Execution::kWorker,
       .params = {sha_doc},
       .responses = {{200, "The manifest and its validation.", "application/json",
                      R"({"type": "object", "required": ["manifest_present", "validation_state"],
                              "properties": {"manifest_present": {"type": "boolean"},
                                "validation_state": {"type": "string", "enum": ["Trusted", "Valid",
                                  "Invalid"]},
                                "failures": {"type": "array", "items": {"type": "string"}},
                                "successes": {"type": "array", "items": {"type": "string"}},
                                "explanations": {"type": "array", "items": {"type": "string"}},
                                "label": {"type": "string"}, "claim_generator": {"type": "string"},
                                "actions": {"type": "array", "items": {"type": "string"}},
                                "digital_source_type": {"type": "string"},
                                "signer": {"type": "object"}, "atelier": {"type": "object"},
                                "ingredients": {"type": "array", "items": {"type": "object"}}}})"}},
       .handler = [&deps](RequestContext& c) { return get_asset_c2pa(deps, c); }});
  table.add(
      {.method = "GET",
       .path = "/v1/assets/{sha256}/variants",
       .operation_id = "getAssetVariant",
       .summary = "The same composition at another size or format",
       .description =
           "Re-renders the recipe of the given asset at the requested size and format (a new "
           "render, not a resize) and returns its bytes; cached by recipe_id. Give width or "
           "height alone to keep the aspect ratio. With Content Credentials on, the variant "
           "is signed and names the given asset as its parentOf ingredient. Content-Location "
           "is the URL of the bytes returned (GET /v1/assets/{sha256} of the signed file).",
       .tag = "assets",
       .execution = Execution::kWorker,
       .params = {sha_doc,
                  {.name = "width",
                   .in = ParamIn::kQuery,
                   .description = "Pixels.",
                   .schema = R"({"type": "integer", "minimum": 1, "maximum": 16384})"},
                  {.name = "height",
                   .in = ParamIn::kQuery,
                   .description = "Pixels.",
                   .schema = R"({"type": "integer", "minimum": 1, "maximum": 16384})"},
                  {.name = "format",
                   .in = ParamIn::kQuery,
                   .description = "Default: the original's.",
                   .schema =
                       R"({"type": "string", "enum": ["png", "jpeg", "jpg", "webp", "avif"]})"},
                  {.name = "quality",
                   .in = ParamIn::kQuery,
                   .description = "Lossy formats, 1..100.",
                   .schema = R"({"type": "integer", "minimum": 1, "maximum": 100})"},
                  {.name = "If-None-Match",
                   .in = ParamIn::kHeader,
                   .description = "ETags the client holds."}},
       .responses = {{200, "The variant's file.", "application/octet-stream", kBytes},
                     {304, "Not modified.", "", ""}},
       .handler = [&deps](RequestContext& c) { return get_variant(deps, c); }});
}

}  // namespace atelier::api
