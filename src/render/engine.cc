#include "render/engine.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <nlohmann/json.hpp>

#include "core/canonical_json.h"
#include "core/hash.h"
#include "core/version.h"
#include "render/events.h"
#include "render/generator.h"
#include "render/internal/spare_buffer.h"
#include "render/math/noise.h"
#include "render/math/prng.h"
#include "render/raster/canvas.h"
#include "render/raster/control.h"
#include "render/sandbox/sandbox.h"

namespace atelier::render {

using nlohmann::json;

namespace {

std::int64_t micros_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() -
                                                               start)
      .count();
}

std::string_view as_text(const std::vector<std::uint8_t>& bytes) {
  return {reinterpret_cast<const char*>(bytes.data()), bytes.size()};
}

// Default pixel size: 1024 on the long side of the closest supported aspect to 1:1.
void default_size(const Manifest& m, std::int64_t& w, std::int64_t& h) {
  double aspect = std::clamp(1.0, m.aspect_min, m.aspect_max);
  if (w == 0 && h == 0) w = 1024;
  if (h == 0) h = std::max<std::int64_t>(1, std::llround(static_cast<double>(w) / aspect));
  if (w == 0) w = std::max<std::int64_t>(1, std::llround(static_cast<double>(h) * aspect));
}

Result<void> check_aspect(const Manifest& m, std::int64_t w, std::int64_t h) {
  // One pixel of tolerance: integer sizes cannot hit every ratio exactly.
  double lo = static_cast<double>(w - 1) / static_cast<double>(h + 1);
  double hi = static_cast<double>(w + 1) / std::max<double>(1.0, static_cast<double>(h - 1));
  if (hi < m.aspect_min || lo > m.aspect_max) {
    return fail(Error::invalid("unsupported_aspect_ratio",
                               std::to_string(w) + "x" + std::to_string(h) +
                                   " is outside the aspect ratios " + m.name +
                                   " supports (width/height " + es_number_to_string(m.aspect_min) +
                                   " to " + es_number_to_string(m.aspect_max) + ")",
                               "width"));
  }
  return {};
}

std::uint64_t noise_seed(std::string_view token_hash) {
  Digest d = sha256("atelier-noise:" + std::string(token_hash));
  std::uint64_t seed = 0;
  for (int i = 0; i < 8; ++i) seed = seed << 8 | d[i];
  return seed;
}

const store::BundleFile* find_file(const store::GeneratorVersion& v, std::string_view path) {
  for (const auto& f : v.files) {
    if (f.path == path) return &f;
  }
  return nullptr;
}

}  // namespace

Result<RenderRequest> parse_render_request(std::string_view json_text) {
  auto parsed = parse_json(json_text, limits::kRecipeBytesMax, "request");
  if (!parsed) return fail(parsed.error());
  const json& j = *parsed;
  if (!j.is_object())
    return fail(Error::invalid("invalid_request", "the body must be a JSON object"));
  static const char* kFields[] = {"generator", "token_hash", "width", "height", "format",
                                  "quality",   "params",     "inputs"};
  for (auto it = j.begin(); it != j.end(); ++it) {
    if (std::find_if(std::begin(kFields), std::end(kFields),
                     [&](const char* f) { return it.key() == f; }) == std::end(kFields)) {
      return fail(Error::invalid("unknown_field", "unknown field \"" + it.key() + "\"", it.key()));
    }
  }
  RenderRequest r;
  if (!j.contains("generator"))
    return fail(Error::invalid("missing_field", "generator is required", "generator"));
  const json& g = j["generator"];
  if (g.is_object()) {
    for (auto it = g.begin(); it != g.end(); ++it) {
      if (it.key() != "name" && it.key() != "hash") {
        return fail(Error::invalid("unknown_field",
                                   "unknown field \"" + it.key() + "\" in generator",
                                   "generator." + it.key()));
      }
    }
  }
  if (g.is_string()) {
    r.generator = g;
  } else if (g.is_object() && g.contains("name") && g["name"].is_string() &&
             (!g.contains("hash") || g["hash"].is_string()) &&
             g.size() == (g.contains("hash") ? 2u : 1u)) {
    r.generator = g["name"];
    r.generator_hash = g.value("hash", "");
  } else {
    return fail(Error::invalid("invalid_field", "generator must be a name or {\"name\", \"hash\"}",
                               "generator"));
  }
  if (!j.contains("token_hash") || !j["token_hash"].is_string()) {
    return fail(
        Error::invalid("missing_field", "token_hash is required (0x + 64 hex)", "token_hash"));
  }
  r.token_hash = j["token_hash"];
  for (const char* side : {"width", "height"}) {
    if (!j.contains(side)) continue;
    if (!j[side].is_number_integer())
      return fail(Error::invalid("invalid_field", std::string(side) + " must be an integer", side));
    (std::string_view(side) == "width" ? r.width : r.height) = j[side].get<std::int64_t>();
    if ((std::string_view(side) == "width" ? r.width : r.height) <= 0) {
      return fail(Error::invalid("invalid_size", std::string(side) + " must be positive", side));
    }
  }
  if (j.contains("format")) {
    if (!j["format"].is_string())
      return fail(Error::invalid("invalid_field", "format must be a string", "format"));
    r.format = j["format"];
  }
  if (j.contains("quality")) {
    if (!j["quality"].is_number_integer())
      return fail(Error::invalid("invalid_field", "quality must be an integer 1..100", "quality"));
    auto q = j["quality"].get<std::int64_t>();
    if (q < limits::kQualityMin || q > limits::kQualityMax)
      return fail(Error::invalid("invalid_field", "quality must be 1..100", "quality"));
    r.quality = static_cast<int>(q);
  }
  if (j.contains("params")) {
    if (!j["params"].is_object())
      return fail(Error::invalid("invalid_field", "params must be an object", "params"));
    r.params_json = j["params"].dump();
  }
  if (j.contains("inputs")) {
    if (!j["inputs"].is_object())
      return fail(Error::invalid("invalid_field", "inputs must be an object", "inputs"));
    for (auto it = j["inputs"].begin(); it != j["inputs"].end(); ++it) {
      if (!it.value().is_string())
        return fail(Error::invalid("invalid_field", "inputs." + it.key() + " must be a sha256",
                                   "inputs." + it.key()));
      r.inputs[it.key()] = it.value();
    }
  }
  return r;
}

Engine::Engine(store::Store& store, store::BlobStore& blobs, EngineOptions options)
    : store_(store), blobs_(blobs), options_(options) {}

Result<AddGeneratorResult> Engine::add_generator(const std::filesystem::path& dir) {
  auto bundle = load_bundle(dir);
  if (!bundle) return fail(bundle.error());
  store::GeneratorVersion v;
  v.name = bundle->manifest.name;
  v.bundle_hash = bundle->hash;
  v.version = bundle->manifest.version;
  v.description = bundle->manifest.description;
  v.manifest_json = bundle->manifest_json;
  v.created_ms = options_.clock->now_ms();
  for (const auto& [path, bytes] : bundle->files) {
    auto sha = blobs_.put(bytes);  // Blobs first: a version row never points at a missing file.
    if (!sha) return fail(sha.error());
    v.files.push_back({path, *sha, static_cast<std::int64_t>(bytes.size())});
  }
  auto event = generator_registered_event(v);
  if (!event) return fail(event.error());
  auto created = store_.put_generator_version(v, *event);
  if (!created) return fail(created.error());
  auto stored = store_.generator_version(v.name, v.bundle_hash);
  if (!stored) return fail(stored.error());
  return AddGeneratorResult{stored->value_or(v), *created};
}

namespace {

Result<store::GeneratorVersion> find_version(store::Store& store, std::string_view name,
                                             std::string_view hash) {
  auto v =
      hash.empty() ? store.latest_generator_version(name) : store.generator_version(name, hash);
  if (!v) return fail(v.error());
  if (!*v) {
    std::string what =
        hash.empty() ? "no generator named \"" + std::string(name) + "\""
                     : "generator " + std::string(name) + " has no version " + std::string(hash);
    return fail(Error::not_found("unknown_generator", what + " is registered", "generator"));
  }
  return std::move(**v);
}

}  // namespace

Result<Recipe> Engine::resolve(const RenderRequest& req) {
  if (!req.generator_hash.empty() && !is_sha256_hex(req.generator_hash)) {
    return fail(Error::invalid("invalid_field", "the generator hash must be 64 lowercase hex",
                               "generator.hash"));
  }
  auto version = find_version(store_, req.generator, req.generator_hash);
  if (!version) return fail(version.error());
  auto manifest = parse_manifest(version->manifest_json, "");
  if (!manifest) return fail(manifest.error());
  ATELIER_TRY(check_token_hash(req.token_hash));
  Recipe r;
  r.generator_name = version->name;
  r.generator_hash = version->bundle_hash;
  r.token_hash = req.token_hash;
  r.width = req.width;
  r.height = req.height;
  default_size(*manifest, r.width, r.height);
  ATELIER_TRY(check_size(r.width, r.height));
  ATELIER_TRY(check_aspect(*manifest, r.width, r.height));
  auto format = parse_image_format(req.format);
  if (!format)
    return fail(
        Error::invalid("invalid_format", "format must be png, jpeg, webp or avif", "format"));
  r.format = *format;
  r.quality = req.quality.value_or(kDefaultQuality);
  if (r.quality < limits::kQualityMin || r.quality > limits::kQualityMax) {
    return fail(Error::invalid("invalid_field", "quality must be 1..100", "quality"));
  }
  auto params = resolve_params(*manifest, req.params_json);
  if (!params) return fail(params.error());
  r.params = std::move(*params);
  for (const auto& [name, sha] : req.inputs) {
    if (!manifest->input(name)) {
      return fail(Error::invalid(
          "unknown_input", r.generator_name + " has no input \"" + name + "\"", "inputs." + name));
    }
    if (!is_sha256_hex(sha) || !blobs_.contains(sha)) {
      return fail(Error::not_found("unknown_input_image",
                                   "no stored image " + sha + " for input " + name,
                                   "inputs." + name));
    }
    r.inputs[name] = sha;
  }
  return r;
}

Result<RenderOutput> Engine::render_only(const Recipe& recipe_in) {
  auto version = find_version(store_, recipe_in.generator_name, recipe_in.generator_hash);
  if (!version) return fail(version.error());
  auto manifest = parse_manifest(version->manifest_json, "");
  if (!manifest) return fail(manifest.error());
  Recipe recipe = recipe_in;
  auto params = check_params(*manifest, recipe.params);
  if (!params) return fail(params.error());
  recipe.params = std::move(*params);
  ATELIER_TRY(check_token_hash(recipe.token_hash));
  ATELIER_TRY(check_size(recipe.width, recipe.height));
  ATELIER_TRY(check_aspect(*manifest, recipe.width, recipe.height));

  const store::BundleFile* script_file = find_file(*version, manifest->script);
  if (!script_file)
    return fail(Error::internal("bundle_corrupt", "the stored bundle lacks its script"));
  auto script = blobs_.get(script_file->sha256);
  if (!script) return fail(script.error());

  // Control images: bound by the recipe, else the bundle's default, else none.
  std::vector<std::unique_ptr<ControlImage>> controls;
  ScriptEnv env;
  for (const auto& in : manifest->inputs) {
    std::string sha;
    if (auto it = recipe.inputs.find(in.name); it != recipe.inputs.end()) {
      sha = it->second;
    } else if (const store::BundleFile* f = find_file(*version, in.default_file);
               f && !in.default_file.empty()) {
      sha = f->sha256;
    } else {
      continue;
    }
    auto bytes = blobs_.get(sha);
    if (!bytes)
      return fail(
          Error::not_found("unknown_input_image", "no stored image " + sha, "inputs." + in.name));
    auto image = decode_image(*bytes, {limits::kControlImagePixelsMax});
    if (!image) {
      return fail(Error::invalid("corrupt_control_image",
                                 "input " + in.name + ": " + image.error().message,
                                 "inputs." + in.name));
    }
    controls.push_back(std::make_unique<ControlImage>(*image));
    env.controls[in.name] = controls.back().get();
  }
  for (const auto& [name, sha] : recipe.inputs) {
    if (!manifest->input(name))
      return fail(Error::invalid("unknown_input", "no input \"" + name + "\"", "inputs." + name));
  }

  RenderOutput out;
  out.recipe = recipe;
  out.recipe_json = recipe_canonical_json(recipe);
  auto token = from_hex(std::string_view(recipe.token_hash).substr(2), 32);
  TokenRandom random(std::span<const std::uint8_t, 32>(token->data(), 32));
  SimplexNoise noise(noise_seed(recipe.token_hash));
  Canvas canvas(static_cast<int>(recipe.width), static_cast<int>(recipe.height));
  if (!canvas.ok()) return fail(Error::internal("canvas_alloc", "cannot allocate the canvas"));
  canvas.fast_strokes = options_.fast_strokes;
  env.canvas = &canvas;
  env.random = &random;
  env.noise = &noise;
  env.params = &recipe.params;
  env.token_hash = recipe.token_hash;

  auto t0 = std::chrono::steady_clock::now();
  auto result =
      run_script(as_text(*script), manifest->script, env,
                 {options_.instructions_max, options_.memory_bytes_max, options_.wall_ms_max});
  std::int64_t script_total_us = micros_since(t0);
  if (!result) return fail(result.error());
  out.traits_json = std::move(result->traits_json);

  auto t1 = std::chrono::steady_clock::now();
  // The RGBA image lives only until it is encoded; its memory is kept per thread for the
  // next render (render/internal/spare_buffer.h says why).
  struct RenderImage;
  Image image;
  image.rgba = internal::SpareBuffer<std::uint8_t, RenderImage>::take(
      static_cast<std::size_t>(recipe.width * recipe.height * 4));
  canvas.to_image(image);
  std::int64_t convert_us = micros_since(t1);
  std::int64_t raster_us = canvas.raster_ns() / 1000;
  out.timings.raster_us = raster_us + convert_us;
  out.timings.script_us = std::max<std::int64_t>(0, script_total_us - raster_us);

  auto t2 = std::chrono::steady_clock::now();
  auto bytes = encode_image(image,
                            {recipe.format, recipe.quality, options_.png_compressor,
                             options_.png_level, options_.png_filter},
                            out.recipe_json);
  if (!bytes) return fail(bytes.error());
  out.timings.encode_us = micros_since(t2);
  internal::SpareBuffer<std::uint8_t, RenderImage>::give(std::move(image.rgba));
  out.bytes = std::move(*bytes);
  return out;
}

Result<RenderOutcome> Engine::render(const RenderRequest& request, bool want_bytes) {
  auto recipe = resolve(request);
  if (!recipe) return fail(recipe.error());
  return render(*recipe, want_bytes);
}

Result<RenderOutcome> Engine::render(const Recipe& recipe, bool want_bytes) {
  std::string id = recipe_id(recipe);
  auto cached = store_.render_by_recipe(id);
  if (!cached) return fail(cached.error());
  RenderOutcome outcome;
  if (*cached) {
    outcome.record = std::move(**cached);
    outcome.cached = true;
    auto asset = store_.asset(outcome.record.asset_sha256);
    if (!asset) return fail(asset.error());
    if (*asset) {
      outcome.mime_type = (*asset)->mime_type;
      outcome.size_bytes = (*asset)->size_bytes;
    }
    if (want_bytes) {
      auto bytes = blobs_.get(outcome.record.asset_sha256);
      if (!bytes) return fail(bytes.error());
      outcome.bytes = std::move(*bytes);
    }
    return outcome;
  }

  auto out = render_only(recipe);
  if (!out) return fail(out.error());
  auto t0 = std::chrono::steady_clock::now();
  auto sha = blobs_.put(out->bytes);
  if (!sha) return fail(sha.error());
  store::RenderRecord& rec = outcome.record;
  rec.recipe_id = sha256_hex(out->recipe_json);
  rec.recipe_json = out->recipe_json;
  rec.generator_name = out->recipe.generator_name;
  rec.generator_hash = out->recipe.generator_hash;
  rec.token_hash = out->recipe.token_hash;
  rec.width = out->recipe.width;
  rec.height = out->recipe.height;
  rec.format = image_format_name(out->recipe.format);
  rec.asset_sha256 = *sha;
  rec.traits_json = out->traits_json;
  rec.atelier_version = kVersion;
  rec.script_us = out->timings.script_us;
  rec.raster_us = out->timings.raster_us;
  rec.encode_us = out->timings.encode_us;
  rec.created_ms = options_.clock->now_ms();
  store::AssetRecord asset{*sha,
                           image_mime_type(out->recipe.format),
                           static_cast<std::int64_t>(out->bytes.size()),
                           rec.width,
                           rec.height,
                           rec.created_ms};
  auto event = render_event(rec, asset);
  if (!event) return fail(event.error());
  auto put = store_.put_render(rec, asset, *event);
  if (!put) return fail(put.error());
  outcome.timings = out->timings;
  outcome.timings.store_us = micros_since(t0);
  outcome.mime_type = asset.mime_type;
  outcome.size_bytes = asset.size_bytes;
  if (want_bytes) outcome.bytes = std::move(out->bytes);
  return outcome;
}

Result<VerifyReport> Engine::verify(std::span<const std::uint8_t> file) {
  auto text = extract_recipe(file);
  if (!text) return fail(text.error());
  auto recipe = parse_recipe(*text);
  if (!recipe) return fail(recipe.error());
  VerifyReport report;
  report.recipe_json = *text;
  report.recipe_id = sha256_hex(*text);
  report.actual_sha256 = sha256_hex(file);
  report.actual_size_bytes = static_cast<std::int64_t>(file.size());
  if (recipe_canonical_json(*recipe) != *text) {
    report.detail = "the embedded recipe is not in canonical form (edited after rendering?)";
    return report;
  }
  auto out = render_only(*recipe);
  if (!out) return fail(out.error());
  report.expected_sha256 = sha256_hex(out->bytes);
  report.expected_size_bytes = static_cast<std::int64_t>(out->bytes.size());
  if (out->bytes.size() == file.size() &&
      std::equal(file.begin(), file.end(), out->bytes.begin())) {
    report.identical = true;
    report.detail = "identical: the file is exactly what its recipe renders";
    return report;
  }
  auto mismatch = std::mismatch(file.begin(), file.end(), out->bytes.begin(), out->bytes.end());
  report.first_difference_offset = mismatch.first - file.begin();
  report.detail = "the file differs from its re-render: " + std::to_string(file.size()) +
                  " bytes vs " + std::to_string(out->bytes.size()) +
                  " expected, first difference at byte " +
                  std::to_string(report.first_difference_offset);
  return report;
}

Result<std::string> Engine::add_input_image(std::span<const std::uint8_t> bytes) {
  if (static_cast<std::int64_t>(bytes.size()) > limits::kControlImageBytesMax) {
    return fail(Error{ErrorKind::kTooLarge, "control_image_too_large",
                      "control image exceeds control_image_bytes_max (" +
                          std::to_string(limits::kControlImageBytesMax) + " bytes)",
                      "control"});
  }
  auto image = decode_image(bytes, {limits::kControlImagePixelsMax});
  if (!image)
    return fail(Error::invalid("corrupt_control_image", image.error().message, "control"));
  return blobs_.put(bytes);
}

Result<std::string> Engine::params_json_from_text(
    std::string_view generator, std::string_view generator_hash,
    const std::vector<std::pair<std::string, std::string>>& kv) {
  auto version = find_version(store_, generator, generator_hash);
  if (!version) return fail(version.error());
  auto manifest = parse_manifest(version->manifest_json, "");
  if (!manifest) return fail(manifest.error());
  json params = json::object();
  for (const auto& [k, v] : kv) {
    const ParamSpec* spec = manifest->param(k);
    if (!spec) {
      std::string known;
      for (const auto& p : manifest->params) known += (known.empty() ? "" : ", ") + p.name;
      return fail(
          Error::invalid("unknown_param",
                         manifest->name + " has no parameter \"" + k + "\" (it has: " + known + ")",
                         "params." + k));
    }
    auto value = param_from_text(*spec, v);
    if (!value) return fail(value.error());
    std::visit([&](const auto& x) { params[k] = x; }, *value);
  }
  return canonical_json(params);
}

}  // namespace atelier::render
