// engine.h — the render engine: generators in, deterministic pixels out.
//
//   store::SqliteStore db(...); store::BlobStore blobs(...);
//   render::Engine engine(db, blobs, {});
//   auto gen = engine.add_generator("examples/generators/flow-field");
//   render::RenderRequest req; req.generator = "flow-field"; req.token_hash = "0x…";
//   auto out = engine.render(req);
//   // out->record.recipe_id, out->record.asset_sha256, out->bytes
//
// The engine resolves a request into a full recipe (latest generator version unless pinned,
// parameter defaults filled in, sizes checked), runs the generator's script in the sandbox,
// rasterizes with Cairo, encodes, and stores the asset and its render record. Renders are
// cached by recipe_id: asking again returns the stored result without re-rendering.
//
// Thread-safety: render() and verify() may run concurrently; each render has its own Lua
// state and canvas.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/clock.h"
#include "core/error.h"
#include "core/limits.h"
#include "render/codec.h"
#include "render/recipe.h"
#include "store/blob_store.h"
#include "store/store.h"

namespace atelier::render {

struct EngineOptions {
  // Per-render sandbox budgets; defaults are the limits in core/limits.h.
  std::int64_t instructions_max = limits::kRenderInstructionsMax;
  std::int64_t memory_bytes_max = limits::kScriptMemoryBytesMax;
  std::int64_t wall_ms_max = limits::kRenderWallMsMax;
  // PNG compressor, level and row filter: all deterministic, and fixed per atelier version
  // (they decide the bytes of every PNG asset). kRle with the capped adaptive filter since
  // 0.3.0: on 1024² renders of the example generators (render_bench png-settings) it encodes
  // in ~4-6 ms instead of libdeflate level 1's 12-19 ms, for files from 5 % smaller
  // (circle-packing) to 7 % larger (pen-plotter); the README performance section has the
  // table. png_level applies to libdeflate and zlib only (level 1 until 0.3.0, 6 before the
  // perf-render branch).
  PngCompressor png_compressor = PngCompressor::kRle;
  int png_level = 1;
  PngFilter png_filter = PngFilter::kAdaptiveCapped;
  // Round-joined strokes through StrokeMask (true) or Cairo's stroker (false). Pixels differ
  // slightly at anti-aliased edges, so this is part of the atelier version, not a per-render
  // choice; false exists for benchmarks and tests.
  bool fast_strokes = true;
  const Clock* clock = &SystemClock::instance();
};

// What a caller asks for; resolve() turns it into a Recipe.
struct RenderRequest {
  std::string generator;       // Name, required.
  std::string generator_hash;  // Empty: the latest registered version.
  std::string token_hash;      // "0x" + 64 hex, required.
  std::int64_t width = 0;      // 0: default (1024, or derived from height at aspect 1).
  std::int64_t height = 0;
  std::string format = "png";
  std::optional<int> quality;  // Default kDefaultQuality.
  // Parameter values by name as JSON text (an object). Values not given take defaults.
  std::string params_json = "{}";
  std::map<std::string, std::string> inputs;  // Input name -> sha256 of a stored image.
};

// Parses the JSON body of POST /v1/renders:
//   {"generator":"flow-field" | {"name":"flow-field","hash":"…"}, "token_hash":"0x…",
//    "width":1024, "height":1024, "format":"png", "quality":90, "params":{…}, "inputs":{…}}
// Unknown fields are refused with the field named.
Result<RenderRequest> parse_render_request(std::string_view json_text);

struct RenderTimings {
  std::int64_t script_us = 0;  // Lua execution, including path building.
  std::int64_t raster_us = 0;  // Cairo fill/stroke work and pixel conversion.
  std::int64_t encode_us = 0;
  std::int64_t store_us = 0;
};

struct RenderOutcome {
  store::RenderRecord record;  // recipe_json, traits_json, asset_sha256, timings, …
  std::string mime_type;
  std::int64_t size_bytes = 0;
  bool cached = false;         // True when the recipe had been rendered before.
  RenderTimings timings;       // Zero when cached.
  std::vector<std::uint8_t> bytes;  // The encoded file.
};

// Pixels and traits without storing anything (verify, benchmarks).
struct RenderOutput {
  Recipe recipe;
  std::string recipe_json;
  std::string traits_json;
  std::vector<std::uint8_t> bytes;
  RenderTimings timings;
};

struct VerifyReport {
  bool identical = false;
  std::string recipe_id;
  std::string recipe_json;
  std::string expected_sha256;  // Of the re-render.
  std::string actual_sha256;    // Of the file given.
  std::int64_t expected_size_bytes = 0;
  std::int64_t actual_size_bytes = 0;
  std::int64_t first_difference_offset = -1;  // -1 when identical or sizes differ only.
  std::string detail;  // Human explanation of what differs.
};

struct AddGeneratorResult {
  store::GeneratorVersion version;
  bool created = false;  // False when this exact bundle was already registered.
};

class Engine {
 public:
  Engine(store::Store& store, store::BlobStore& blobs, EngineOptions options = {});

  Result<AddGeneratorResult> add_generator(const std::filesystem::path& dir);

  // Turns a request into a full recipe, validating everything against the generator.
  Result<Recipe> resolve(const RenderRequest& request);
  // Resolves, renders unless cached, stores asset + record. `want_bytes` loads the file bytes
  // into the outcome even when cached.
  Result<RenderOutcome> render(const RenderRequest& request, bool want_bytes = true);
  Result<RenderOutcome> render(const Recipe& recipe, bool want_bytes = true);
  // Renders without touching the store (the generator must be registered).
  Result<RenderOutput> render_only(const Recipe& recipe);

  // Re-renders the recipe embedded in `file` and compares bytes.
  // Errors: the file has no recipe / an unparseable one / an unknown generator.
  Result<VerifyReport> verify(std::span<const std::uint8_t> file);

  // Stores a control image after checking it decodes within limits; returns its sha256.
  Result<std::string> add_input_image(std::span<const std::uint8_t> bytes);

  // Canonical JSON of a parameter value parsed from CLI text ("k=v"), typed by the schema of
  // the generator's latest (or pinned) version. Used by the CLI to build params_json.
  Result<std::string> params_json_from_text(
      std::string_view generator, std::string_view generator_hash,
      const std::vector<std::pair<std::string, std::string>>& kv);

  store::Store& store() { return store_; }
  store::BlobStore& blobs() { return blobs_; }
  const EngineOptions& options() const { return options_; }

 private:
  store::Store& store_;
  store::BlobStore& blobs_;
  EngineOptions options_;
};

}  // namespace atelier::render
