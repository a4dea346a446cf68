// `atelier render`, `atelier verify`, `atelier sample`.
#include <CLI/CLI.hpp>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <nlohmann/json.hpp>

#include "c2pa/container.h"
#include "c2pa/issuer.h"
#include "c2pa/manifest.h"
#include "cli/cli.h"
#include "core/hash.h"
#include "core/limits.h"

namespace atelier::cli {

namespace {

struct RenderArgs {
  std::string generator;
  std::string token_hash;
  std::string size;
  std::string format = "png";
  int quality = 0;
  std::vector<std::string> params;
  std::vector<std::string> inputs;
  std::string control;
  std::string output;
  bool json = false;
  bool no_c2pa = false;
};

// "1024x768" -> (1024, 768). Both sides must be positive integers.
Result<std::pair<std::int64_t, std::int64_t>> parse_size(std::string_view s) {
  auto x = s.find('x');
  auto bad = [&]() {
    return fail(Error::invalid(
        "invalid_size",
        "--size must be WIDTHxHEIGHT, e.g. 1024x1024 (got \"" + std::string(s) + "\")", "size"));
  };
  if (x == std::string_view::npos) return bad();
  std::int64_t w = 0, h = 0;
  auto r1 = std::from_chars(s.data(), s.data() + x, w);
  auto r2 = std::from_chars(s.data() + x + 1, s.data() + s.size(), h);
  if (r1.ec != std::errc() || r1.ptr != s.data() + x || r2.ec != std::errc() ||
      r2.ptr != s.data() + s.size() || w <= 0 || h <= 0) {
    return bad();
  }
  return std::pair{w, h};
}

// An input given as a stored sha256 or as a file to store.
std::string input_hash(Context& ctx, const std::string& value) {
  if (is_sha256_hex(value) && ctx.blobs->contains(value)) return value;
  auto bytes = store::read_file(value, limits::kControlImageBytesMax);
  if (!bytes) exit_with(bytes.error());
  auto sha = ctx.engine->add_input_image(*bytes);
  if (!sha) exit_with(sha.error());
  return *sha;
}

render::RenderRequest build_request(Context& ctx, const RenderArgs& a) {
  render::RenderRequest req;
  auto at = a.generator.find('@');
  req.generator = a.generator.substr(0, at);
  if (at != std::string::npos) req.generator_hash = a.generator.substr(at + 1);
  req.token_hash = a.token_hash;
  if (!a.size.empty()) {
    auto size = parse_size(a.size);
    if (!size) exit_with(size.error());
    req.width = size->first;
    req.height = size->second;
  }
  req.format = a.format;
  if (a.quality != 0) req.quality = a.quality;
  std::vector<std::pair<std::string, std::string>> kv;
  for (const auto& p : a.params) {
    auto eq = p.find('=');
    if (eq == std::string::npos || eq == 0) {
      exit_with(Error::invalid("invalid_param", "--param must be NAME=VALUE (got \"" + p + "\")",
                               "param"));
    }
    kv.emplace_back(p.substr(0, eq), p.substr(eq + 1));
  }
  auto params = ctx.engine->params_json_from_text(req.generator, req.generator_hash, kv);
  if (!params) exit_with(params.error());
  req.params_json = *params;
  for (const auto& in : a.inputs) {
    auto eq = in.find('=');
    if (eq == std::string::npos || eq == 0) {
      exit_with(Error::invalid("invalid_input",
                               "--input must be NAME=FILE or NAME=SHA256 (got \"" + in + "\")",
                               "input"));
    }
    req.inputs[in.substr(0, eq)] = input_hash(ctx, in.substr(eq + 1));
  }
  if (!a.control.empty()) req.inputs["control"] = input_hash(ctx, a.control);
  return req;
}

double ms(std::int64_t us) { return static_cast<double>(us) / 1000.0; }

nlohmann::json outcome_json(const render::RenderOutcome& o, const std::string& output) {
  const auto& r = o.record;
  nlohmann::json j = {
      {"recipe", nlohmann::json::parse(r.recipe_json)},
      {"recipe_id", r.recipe_id},
      {"sha256", r.asset_sha256},
      {"traits", nlohmann::json::parse(r.traits_json)},
      {"mime_type", o.mime_type},
      {"size_bytes", o.size_bytes},
      {"cached", o.cached},
      {"atelier_version", r.atelier_version},
      {"timings_ms",
       {{"script", ms(o.timings.script_us)}, {"raster", ms(o.timings.raster_us)},
        {"encode", ms(o.timings.encode_us)}, {"store", ms(o.timings.store_us)}}},
  };
  j["output"] = output.empty() ? nlohmann::json(nullptr) : nlohmann::json(output);
  return j;
}

void run_render(const Globals& g, const RenderArgs& a) {
  Context ctx = open_or_exit(g);
  // The unsigned bytes: to sign them (the first time) or to write them.
  auto outcome = ctx.engine->render(build_request(ctx, a), true);
  if (!outcome) exit_with(outcome.error());
  std::optional<c2pa::Issued> issued;
  // Every format atelier renders (PNG, JPEG, WebP, AVIF) carries a manifest unless --no-c2pa.
  if (!a.no_c2pa && c2pa::embeddable(outcome->mime_type)) {
    auto signed_file = ctx.issuer->issue(outcome->record, outcome->bytes);
    if (!signed_file) exit_with(signed_file.error());
    issued = std::move(*signed_file);
  }
  if (!a.output.empty()) {
    auto w = store::write_file_atomic(a.output, issued ? issued->bytes : outcome->bytes);
    if (!w) exit_with(w.error());
  }
  if (a.json) {
    auto j = outcome_json(*outcome, a.output);
    j["c2pa"] = nullptr;
    if (issued) {
      j["c2pa"] = {{"signed_sha256", issued->record.signed_sha256},
                   {"signed_size_bytes", issued->bytes.size()},
                   {"manifest", issued->record.manifest_label}};
    }
    std::printf("%s\n", j.dump(2).c_str());
    return;
  }
  const auto& r = outcome->record;
  std::printf("recipe_id %s\nsha256    %s\n", r.recipe_id.c_str(), r.asset_sha256.c_str());
  std::printf("size      %lldx%lld %s, %lld bytes%s\n", static_cast<long long>(r.width),
              static_cast<long long>(r.height), r.format.c_str(),
              static_cast<long long>(outcome->size_bytes), outcome->cached ? " (cached)" : "");
  std::printf("traits    %s\n", r.traits_json.c_str());
  if (!outcome->cached) {
    std::printf("time      script %.1f ms, raster %.1f ms, encode %.1f ms, store %.1f ms\n",
                ms(outcome->timings.script_us), ms(outcome->timings.raster_us),
                ms(outcome->timings.encode_us), ms(outcome->timings.store_us));
  }
  if (issued) {
    std::printf("c2pa      %s, signed file sha256 %s\n", issued->record.manifest_label.c_str(),
                issued->record.signed_sha256.c_str());
  }
  if (!a.output.empty()) std::printf("wrote     %s\n", a.output.c_str());
}

// The file's Content Credentials, checked apart from its pixels: binding, signature, chain
// (this data directory's root as the anchor), and that the recipe the manifest carries is
// the file's own. Null when the file has none.
nlohmann::json credentials_report(const Globals& g, std::span<const std::uint8_t> bytes,
                                  const std::string& file_recipe, bool* failed) {
  const auto mime = c2pa::sniff_mime(bytes);
  if (!c2pa::embeddable(mime)) return nullptr;
  const auto anchors = c2pa::local_trust_anchors(std::filesystem::path(g.data_dir) / "keys");
  auto v = c2pa::validate_asset(bytes, mime, anchors, std::chrono::system_clock::now());
  if (!v) exit_with(v.error());
  if (!v->manifest_present) return nullptr;
  nlohmann::json j = nlohmann::json::parse(c2pa::validation_json(*v));
  bool recipe_matches = false;
  if (v->atelier) {
    if (const auto* recipe = v->atelier->find("recipe"); recipe && recipe->is_text()) {
      recipe_matches = recipe->text() == file_recipe;
    }
  }
  j["recipe_matches"] = recipe_matches;
  if (v->state == "Invalid" || !recipe_matches) *failed = true;
  j.erase("atelier");
  return j;
}

void run_verify(const Globals& g, const std::string& file, bool json) {
  Context ctx = open_or_exit(g);
  auto bytes = store::read_file(file, limits::kAssetFileBytesMax);
  if (!bytes) exit_with(bytes.error());
  // The pixels are checked without the manifest: its bytes are exactly what the hard
  // binding leaves out, so stripping them gives what the recipe renders.
  std::vector<std::uint8_t> rendered = *bytes;
  if (const auto mime = c2pa::sniff_mime(*bytes); c2pa::embeddable(mime)) {
    auto stripped = c2pa::strip_manifest(mime, *bytes);
    if (stripped) rendered = std::move(*stripped);
  }
  auto report_or = ctx.engine->verify(rendered);
  if (!report_or) exit_with(report_or.error());
  const auto& r = *report_or;
  bool credentials_failed = false;
  const nlohmann::json credentials =
      credentials_report(g, *bytes, r.recipe_json, &credentials_failed);
  if (json) {
    nlohmann::json j = {{"identical", r.identical},
                        {"recipe_id", r.recipe_id},
                        {"actual_sha256", r.actual_sha256},
                        {"expected_sha256", r.expected_sha256},
                        {"actual_size_bytes", r.actual_size_bytes},
                        {"expected_size_bytes", r.expected_size_bytes},
                        {"first_difference_offset", r.first_difference_offset},
                        {"detail", r.detail},
                        {"recipe", nlohmann::json::parse(r.recipe_json, nullptr, false)},
                        {"c2pa", credentials}};
    std::printf("%s\n", j.dump(2).c_str());
  } else {
    std::printf("%s: %s\nrecipe_id %s\n", r.identical ? "ok" : "MISMATCH", r.detail.c_str(),
                r.recipe_id.c_str());
    if (!r.identical && !r.expected_sha256.empty()) {
      std::printf("expected  sha256 %s (%lld bytes)\nactual    sha256 %s (%lld bytes)\n",
                  r.expected_sha256.c_str(), static_cast<long long>(r.expected_size_bytes),
                  r.actual_sha256.c_str(), static_cast<long long>(r.actual_size_bytes));
    }
    if (credentials.is_null()) {
      std::printf("c2pa      none\n");
    } else {
      std::printf(
          "c2pa      %s%s\n", credentials["validation_state"].get<std::string>().c_str(),
          credentials["recipe_matches"].get<bool>() ? "" : " (its recipe is not the file's)");
      for (const auto& e : credentials["explanations"])
        std::printf("          %s\n", e.get<std::string>().c_str());
    }
  }
  if (!r.identical || credentials_failed) exit_with(kExitFailed);
}

// The sample series: token i's hash is sha256("atelier-sample:<i>"); generators round-robin
// in name order. Deterministic, so `make run` twice shows the same series (from cache).
void run_sample(const Globals& g, int count, const std::string& size) {
  Context ctx = open_or_exit(g);
  auto gens = ctx.db->list_generators({limits::kPageSizeMax, ""});
  if (!gens) exit_with(gens.error());
  if (gens->items.empty())
    exit_with(
        Error::not_found("no_generators", "register generators first (atelier generator add DIR)"));
  std::printf("%-3s %-66s %-15s %-16s %9s  %s\n", "#", "token_hash", "generator", "sha256",
              "render_ms", "traits");
  for (int i = 0; i < count; ++i) {
    RenderArgs a;
    a.generator = gens->items[static_cast<std::size_t>(i) % gens->items.size()].name;
    a.token_hash = "0x" + sha256_hex("atelier-sample:" + std::to_string(i));
    a.size = size;
    auto outcome = ctx.engine->render(build_request(ctx, a), false);
    if (!outcome) exit_with(outcome.error());
    // The gallery's 256-px-wide thumbnail is a variant (the same recipe at another size, as
    // GET /v1/assets/{sha}/variants?width=256 computes it); rendering it now makes the first
    // page load instant.
    RenderArgs thumb = a;
    double aspect =
        static_cast<double>(outcome->record.width) / static_cast<double>(outcome->record.height);
    thumb.size = "256x" + std::to_string(std::max<long long>(1, std::llround(256.0 / aspect)));
    auto thumb_outcome = ctx.engine->render(build_request(ctx, thumb), false);
    if (!thumb_outcome) exit_with(thumb_outcome.error());
    const auto& t = outcome->timings;
    const std::string& traits = outcome->record.traits_json;
    char when[32];
    if (outcome->cached) std::snprintf(when, sizeof when, "cached");
    else
      std::snprintf(when, sizeof when, "%.1f",
                    ms(t.script_us + t.raster_us + t.encode_us + t.store_us));
    std::printf("%-3d %-66s %-15s %-16s %9s  %s\n", i + 1, a.token_hash.c_str(),
                a.generator.c_str(), outcome->record.asset_sha256.substr(0, 16).c_str(), when,
                traits.c_str());
    std::fflush(stdout);
  }
}

}  // namespace

void add_render_commands(CLI::App& app, Globals& globals) {
  auto a = std::make_shared<RenderArgs>();
  auto* render = app.add_subcommand(
      "render",
      "Render a generator's recipe deterministically, store the asset, write it to -o FILE.\n"
      "Prints the recipe_id and the SHA-256 of the file (--json: recipe, traits, output hash).\n"
      "The canonical recipe is embedded in the file, so `atelier verify FILE` can re-render it.");
  render
      ->add_option("GENERATOR", a->generator,
                   "generator name, or NAME@BUNDLE_HASH to pin a version")
      ->required();
  render
      ->add_option("--hash", a->token_hash, "token hash: 0x + 64 hex digits (seeds all randomness)")
      ->required();
  render->add_option("--param", a->params, "parameter value NAME=VALUE (repeatable)");
  render->add_option("--size", a->size,
                     "WIDTHxHEIGHT in pixels (default 1024 wide at the generator's aspect)");
  render->add_option("--format", a->format, "png (lossless, default), jpeg, webp or avif")
      ->capture_default_str();
  render->add_option("--quality", a->quality, "quality for lossy formats, 1..100 (default 90)");
  render->add_option("--input", a->inputs, "control image NAME=FILE or NAME=SHA256 (repeatable)");
  render->add_option("--control", a->control, "shorthand for --input control=FILE");
  render->add_option("-o,--output", a->output,
                     "write the image to FILE (atomically; nothing on failure)");
  render->add_flag("--json", a->json, "print the result as JSON");
  render->add_flag("--no-c2pa", a->no_c2pa,
                   "write the unsigned bytes: no Content Credentials (C2PA manifest) in the file");
  render->callback([&globals, a]() { run_render(globals, *a); });

  auto file = std::make_shared<std::string>();
  auto verify_json = std::make_shared<bool>(false);
  auto* verify = app.add_subcommand(
      "verify",
      "Re-render the recipe embedded in FILE and check the bytes are identical (without the\n"
      "C2PA manifest, which is checked apart: binding, signature, chain, its recipe is the "
      "file's).\n"
      "Exit 0 if identical and valid, 1 if they differ or the manifest fails, 2 for a file with no "
      "recipe.");
  verify->add_option("FILE", *file, "an image atelier rendered")->required();
  verify->add_flag("--json", *verify_json, "print the report as JSON");
  verify->callback([&globals, file, verify_json]() { run_verify(globals, *file, *verify_json); });

  auto count = std::make_shared<int>(24);
  auto size = std::make_shared<std::string>("1024x1024");
  auto* sample = app.add_subcommand(
      "sample",
      "Render the sample series: COUNT tokens round-robin over the registered generators,\n"
      "printing token hash, generator, traits, sha256 and render time.");
  sample->add_option("--count", *count, "number of tokens")
      ->capture_default_str()
      ->check(CLI::Range(1, 10000));
  sample->add_option("--size", *size, "WIDTHxHEIGHT")->capture_default_str();
  sample->callback([&globals, count, size]() { run_sample(globals, *count, *size); });
}

}  // namespace atelier::cli
