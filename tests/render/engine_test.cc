// The render engine end to end: registration and versions, caching, determinism, resolution
// independence, verify, control images, formats, limits, and "bad input changes nothing".
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <cmath>
#include <filesystem>
#include <functional>
#include <nlohmann/json.hpp>
#include <set>
#include <string>

#include "core/hash.h"
#include "core/limits.h"
#include "render/codec.h"
#include "render/engine.h"
#include "render/internal/cpu.h"
#include "store/sqlite_store.h"
#include "tests/render/codec/png_judge.h"
#include "tests/render/test_util.h"

namespace atelier::render {
namespace {

namespace fs = std::filesystem;
using atelier::testing::example_dir;
using atelier::testing::fixture_dir;
using atelier::testing::kTokenA;
using atelier::testing::kTokenB;
using atelier::testing::kTokenC;
using atelier::testing::TempDir;
using nlohmann::json;
using ::testing::HasSubstr;

// One data directory with its store, blobs and engine.
struct Studio {
  explicit Studio(EngineOptions options = {}) {
    auto opened = store::SqliteStore::open(tmp / "atelier.db");
    EXPECT_TRUE(opened) << (opened ? "" : opened.error().to_string());
    db = std::move(*opened);
    blobs = std::make_unique<store::BlobStore>(tmp / "blobs");
    options.clock = &clock;
    engine = std::make_unique<Engine>(*db, *blobs, options);
  }
  store::GeneratorVersion add(const fs::path& dir) {
    auto r = engine->add_generator(dir);
    EXPECT_TRUE(r) << dir << ": " << (r ? "" : r.error().to_string());
    return r ? r->version : store::GeneratorVersion{};
  }
  Result<RenderOutcome> render(RenderRequest req) { return engine->render(req); }
  std::size_t blob_count() const {
    std::size_t n = 0;
    if (!fs::exists(tmp / "blobs")) return 0;
    for (const auto& e : fs::recursive_directory_iterator(tmp / "blobs")) n += e.is_regular_file();
    return n;
  }
  std::size_t render_count() const {
    auto page = db->list_renders({100, ""});
    EXPECT_TRUE(page);
    return page ? page->items.size() : 0;
  }

  TempDir tmp;
  ManualClock clock;
  std::unique_ptr<store::SqliteStore> db;
  std::unique_ptr<store::BlobStore> blobs;
  std::unique_ptr<Engine> engine;
};

RenderRequest request(const std::string& gen, const char* token, std::int64_t w = 256,
                      std::int64_t h = 256) {
  RenderRequest r;
  r.generator = gen;
  r.token_hash = token;
  r.width = w;
  r.height = h;
  return r;
}

Image decode(const std::vector<std::uint8_t>& bytes) {
  auto img = decode_image(bytes, {});
  EXPECT_TRUE(img) << (img ? "" : img.error().to_string());
  return img ? *img : Image{};
}

// Box-filter downscale by an integer factor (each output pixel is the mean of a block).
Image downscale(const Image& in, int out_w, int out_h) {
  EXPECT_EQ(in.width % out_w, 0);
  EXPECT_EQ(in.height % out_h, 0);
  int fx = in.width / out_w, fy = in.height / out_h;
  Image out{out_w, out_h, std::vector<std::uint8_t>(static_cast<std::size_t>(out_w) * out_h * 4)};
  for (int y = 0; y < out_h; ++y) {
    for (int x = 0; x < out_w; ++x) {
      for (int c = 0; c < 4; ++c) {
        std::uint64_t sum = 0;
        for (int j = 0; j < fy; ++j) {
          for (int i = 0; i < fx; ++i) {
            sum += in.rgba[((static_cast<std::size_t>(y) * fy + j) * in.width +
                            (static_cast<std::size_t>(x) * fx + i)) *
                               4 +
                           c];
          }
        }
        out.rgba[(static_cast<std::size_t>(y) * out_w + x) * 4 + c] =
            static_cast<std::uint8_t>((sum + (fx * fy) / 2) / (fx * fy));
      }
    }
  }
  return out;
}

// Mean absolute difference per channel, in 0..255.
double mean_abs_diff(const Image& a, const Image& b) {
  EXPECT_EQ(a.width, b.width);
  EXPECT_EQ(a.height, b.height);
  if (a.rgba.size() != b.rgba.size() || a.rgba.empty()) return 255;
  std::uint64_t sum = 0;
  for (std::size_t i = 0; i < a.rgba.size(); ++i)
    sum += static_cast<std::uint64_t>(std::abs(a.rgba[i] - b.rgba[i]));
  return static_cast<double>(sum) / static_cast<double>(a.rgba.size());
}

std::vector<std::uint8_t> png_of(int w, int h, auto&& pixel) {
  Image img{w, h, std::vector<std::uint8_t>(static_cast<std::size_t>(w) * h * 4)};
  for (int y = 0; y < h; ++y) {
    for (int x = 0; x < w; ++x) {
      auto p = pixel(x, y);
      for (int c = 0; c < 4; ++c) img.rgba[(static_cast<std::size_t>(y) * w + x) * 4 + c] = p[c];
    }
  }
  auto bytes = encode_image(img, {}, "");
  EXPECT_TRUE(bytes);
  return bytes ? *bytes : std::vector<std::uint8_t>{};
}

// A black disc on white: a control image unlike the bundled one.
std::vector<std::uint8_t> disc_png(int size = 96) {
  return png_of(size, size, [size](int x, int y) {
    double dx = x - size / 2.0, dy = y - size / 2.0;
    std::uint8_t v = dx * dx + dy * dy < size * size / 9.0 ? 0 : 255;
    return std::array<std::uint8_t, 4>{v, v, v, 255};
  });
}

// --- registration and versions -----------------------------------------------------------

TEST(Engine, AddingTheSameBundleTwiceChangesNothing) {
  Studio s;
  auto first = s.engine->add_generator(fixture_dir("test-gen"));
  ASSERT_TRUE(first) << first.error().to_string();
  EXPECT_TRUE(first->created);
  EXPECT_EQ(first->version.name, "test-gen");
  EXPECT_EQ(first->version.version, "1.2.3");
  for (const auto& f : first->version.files) EXPECT_TRUE(s.blobs->contains(f.sha256)) << f.path;
  std::size_t blobs = s.blob_count();
  auto second = s.engine->add_generator(fixture_dir("test-gen"));
  ASSERT_TRUE(second);
  EXPECT_FALSE(second->created);
  EXPECT_EQ(second->version.bundle_hash, first->version.bundle_hash);
  EXPECT_EQ(second->version.seq, first->version.seq);
  EXPECT_EQ(s.blob_count(), blobs);
  EXPECT_EQ(s.db->generator_versions("test-gen").value().size(), 1u);
}

TEST(Engine, AChangedBundleIsANewVersionAndOldVersionsStayRenderable) {
  Studio s;
  TempDir src;
  auto dir = atelier::testing::copy_bundle(fixture_dir("test-gen"), src.path(), "test-gen");
  auto v1 = s.add(dir);
  auto r1 = s.render(request("test-gen", kTokenA));
  ASSERT_TRUE(r1) << r1.error().to_string();
  EXPECT_EQ(r1->record.generator_hash, v1.bundle_hash);

  std::string script = atelier::testing::read_text(dir / "main.lua");
  auto at = script.find("ctx:background(colors[1])");
  ASSERT_NE(at, std::string::npos);
  script.replace(at, std::string("ctx:background(colors[1])").size(),
                 "ctx:background(\"#ffffff\")");
  atelier::testing::write_text(dir / "main.lua", script);
  auto v2 = s.add(dir);
  EXPECT_NE(v2.bundle_hash, v1.bundle_hash);
  EXPECT_EQ(s.db->latest_generator_version("test-gen").value()->bundle_hash, v2.bundle_hash);
  fs::remove_all(dir);  // Old and new versions now live only in the store.

  // The latest version by default...
  auto r2 = s.render(request("test-gen", kTokenA));
  ASSERT_TRUE(r2) << r2.error().to_string();
  EXPECT_EQ(r2->record.generator_hash, v2.bundle_hash);
  EXPECT_GT(mean_abs_diff(decode(r1->bytes), decode(r2->bytes)), 10.0);

  // ...and the old one through its hash, re-rendered from the stored bundle to the same bytes.
  auto pinned = request("test-gen", kTokenA);
  pinned.generator_hash = v1.bundle_hash;
  auto recipe = s.engine->resolve(pinned);
  ASSERT_TRUE(recipe);
  EXPECT_EQ(recipe->generator_hash, v1.bundle_hash);
  auto again = s.engine->render_only(*recipe);
  ASSERT_TRUE(again) << again.error().to_string();
  EXPECT_EQ(again->bytes, r1->bytes);
  auto other_token = pinned;
  other_token.token_hash = kTokenB;
  auto r3 = s.render(other_token);
  ASSERT_TRUE(r3) << r3.error().to_string();
  EXPECT_EQ(r3->record.generator_hash, v1.bundle_hash);
}

// --- caching and determinism -------------------------------------------------------------

TEST(Engine, RendersAreCachedByRecipeId) {
  Studio s;
  s.add(fixture_dir("test-gen"));
  auto first = s.render(request("test-gen", kTokenA));
  ASSERT_TRUE(first) << first.error().to_string();
  EXPECT_FALSE(first->cached);
  EXPECT_EQ(first->mime_type, "image/png");
  EXPECT_EQ(first->size_bytes, static_cast<std::int64_t>(first->bytes.size()));
  EXPECT_EQ(first->record.asset_sha256, sha256_hex(first->bytes));
  EXPECT_EQ(first->record.recipe_id, sha256_hex(first->record.recipe_json));
  EXPECT_EQ(s.blobs->get(first->record.asset_sha256).value(), first->bytes);

  auto second = s.render(request("test-gen", kTokenA));
  ASSERT_TRUE(second);
  EXPECT_TRUE(second->cached);
  EXPECT_EQ(second->record.recipe_id, first->record.recipe_id);
  EXPECT_EQ(second->bytes, first->bytes);
  EXPECT_EQ(second->timings.script_us, 0);
  auto no_bytes = s.engine->render(request("test-gen", kTokenA), false);
  ASSERT_TRUE(no_bytes);
  EXPECT_TRUE(no_bytes->bytes.empty());
  EXPECT_EQ(no_bytes->record.asset_sha256, first->record.asset_sha256);
  EXPECT_EQ(s.render_count(), 1u);

  // A variant (another size or format) is a new render of its own.
  auto variant = s.render(request("test-gen", kTokenA, 128, 128));
  ASSERT_TRUE(variant);
  EXPECT_FALSE(variant->cached);
  EXPECT_NE(variant->record.recipe_id, first->record.recipe_id);
  EXPECT_EQ(s.render_count(), 2u);
}

TEST(Engine, SameRecipeGivesIdenticalBytesInSeparateDataDirectories) {
  Studio a, b;
  a.add(fixture_dir("test-gen"));
  b.add(fixture_dir("test-gen"));
  auto req = request("test-gen", kTokenA, 200, 300);
  req.params_json = R"({"outline": true, "palette": "kelp", "count": 7})";
  auto ra = a.render(req), rb = b.render(req);
  ASSERT_TRUE(ra && rb);
  EXPECT_FALSE(rb->cached);
  EXPECT_EQ(ra->record.recipe_id, rb->record.recipe_id);
  EXPECT_EQ(ra->record.traits_json, rb->record.traits_json);
  EXPECT_EQ(ra->bytes, rb->bytes);
  // And rendering again without the cache, in the same process.
  auto recipe = a.engine->resolve(req);
  ASSERT_TRUE(recipe);
  EXPECT_EQ(a.engine->render_only(*recipe).value().bytes, ra->bytes);
}

// Recorded renders: the SHA-256 of each example and of the benchmark workload in each of its
// forms (all three walks; a one-pixel, a 2.5-pixel and a 4-pixel pen, so every stroke route),
// as atelier 0.3.0 rendered them before the AVX2 kernels (commit 3c75738, `atelier render
// NAME --hash <kTokenA> --size 384x288 [--param …]`). Both kernel paths must still give
// exactly these bytes. A deliberate change to what renders produce changes these values —
// and is a new atelier version, since old recipes then no longer verify.
TEST(Engine, RendersMatchTheRecordedBytesOnEveryKernelPath) {
  struct Recorded {
    const char* name;
    bool example;  // examples/generators, else bench/generators
    const char* params;
    const char* sha256;
  };
  const Recorded recorded[] = {
      {"circle-packing", true, "{}",
       "661d86a121549a687064b23a831fe6f1ed536adaf190fcea34d2fd0710cb3d20"},
      {"flow-field", true, "{}",
       "902c31442727b68a984f71e10dda90ca555ffcd87b15d847cc4309624ccba3ef"},
      {"pen-plotter", true, "{}",
       "bb9800d6cabee2c7b59c94aa89ce49988d594c953c34a43e001c7c3271ef20ed"},
      {"flow-lines", false, R"({"batch": true, "into_path": true})",
       "a02735333e9d8ce7efa5b1a99a041338c36f5059b25a9f3d214446b4a79ba33d"},
      {"flow-lines", false, R"({"into_path": true})",
       "daca077f402e3e5a62d40ac637f5315535397dd7b8d3b4d0058c2af8b6ff87d1"},
      {"flow-lines", false, "{}",
       "15e02c3e6c380fae062a5b0afc5d0cba42027f7f15730fed0c682c70bdf96e04"},
      {"flow-lines", false, R"({"native": false, "lines": 600})",
       "5d0080359d8f60e56aae027a885ca603c2b689856955066125e831473be4d180"},
      {"flow-lines", false, R"({"batch": true, "into_path": true, "width_px": 2.5})",
       "3aa9f825cbc856cd9998337487d4090cebce962fe0b969162e06e88b61bf8126"},
      {"flow-lines", false, R"({"batch": true, "into_path": true, "width_px": 4})",
       "95c859a0423e23e9d9d91963a64bdbe1d40695c01ac026cb2fd44bb8358a75a2"},
  };
  for (bool avx2 : {false, true}) {
    internal::ScopedSimd simd(avx2);
    Studio s;
    for (const Recorded& r : recorded) {
      s.add(r.example ? example_dir(r.name)
                      : atelier::testing::source_dir() / "bench" / "generators" / r.name);
      RenderRequest req = request(r.name, kTokenA, 384, 288);
      req.params_json = r.params;
      auto recipe = s.engine->resolve(req);
      ASSERT_TRUE(recipe) << recipe.error().to_string();
      auto out = s.engine->render_only(*recipe);
      ASSERT_TRUE(out) << out.error().to_string();
      EXPECT_EQ(sha256_hex(out->bytes), r.sha256)
          << r.name << " " << r.params << (avx2 ? " (AVX2 path)" : " (baseline path)");
    }
  }
}

TEST(Engine, DifferentTokensGiveDifferentImages) {
  Studio s;
  s.add(fixture_dir("test-gen"));
  auto a = s.render(request("test-gen", kTokenA));
  auto b = s.render(request("test-gen", kTokenB));
  ASSERT_TRUE(a && b);
  EXPECT_NE(a->record.asset_sha256, b->record.asset_sha256);
  EXPECT_GT(mean_abs_diff(decode(a->bytes), decode(b->bytes)), 5.0);
}

TEST(Engine, ParamsChangeTheImageAndAreRecorded) {
  Studio s;
  s.add(fixture_dir("test-gen"));
  auto plain = s.render(request("test-gen", kTokenA));
  auto req = request("test-gen", kTokenA);
  req.params_json = R"({"palette": "kelp", "count": 9})";
  auto kelp = s.render(req);
  ASSERT_TRUE(plain && kelp);
  auto recipe = json::parse(kelp->record.recipe_json);
  EXPECT_EQ(recipe["params"]["palette"], "kelp");
  EXPECT_EQ(recipe["params"]["count"], 9);
  EXPECT_EQ(recipe["params"]["scale"], 1);  // Defaults filled in: the recipe is self-contained.
  EXPECT_EQ(recipe["params"].size(), 5u);
  auto traits = json::parse(kelp->record.traits_json);
  EXPECT_EQ(traits["Palette"], "kelp");
  EXPECT_EQ(traits["Discs"], 90);
  EXPECT_EQ(traits["Controlled"], false);
  EXPECT_GT(mean_abs_diff(decode(plain->bytes), decode(kelp->bytes)), 5.0);
}

TEST(Engine, ExampleGeneratorsReturnVariedTraits) {
  Studio s;
  for (const char* name : {"circle-packing", "flow-field", "pen-plotter"}) {
    s.add(example_dir(name));
    std::set<std::string> distinct;
    for (const char* token :
         {kTokenA, kTokenB, kTokenC,
          "0x5f5e100a1b2c3d4e5f60718293a4b5c6d7e8f90123456789abcdef0123456789"}) {
      auto recipe = s.engine->resolve(request(name, token, 128, 128));
      ASSERT_TRUE(recipe) << recipe.error().to_string();
      auto out = s.engine->render_only(*recipe);
      ASSERT_TRUE(out) << name << ": " << out.error().to_string();
      auto traits = json::parse(out->traits_json);
      EXPECT_TRUE(traits.is_object());
      EXPECT_GE(traits.size(), 2u) << name << " " << out->traits_json;
      distinct.insert(out->traits_json);
    }
    EXPECT_GE(distinct.size(), 2u) << name << ": four tokens, one set of traits";
  }
}

// --- resolution independence -------------------------------------------------------------

struct Scales {
  double same_recipe;      // 512² vs 2048², both downscaled to 256².
  double different_token;  // Two tokens at 512², downscaled to 256².
};

Scales compare_scales(Studio& s, const std::string& gen) {
  auto small = s.render(request(gen, kTokenA, 512, 512));
  auto large = s.render(request(gen, kTokenA, 2048, 2048));
  auto other = s.render(request(gen, kTokenB, 512, 512));
  EXPECT_TRUE(small && large && other);
  if (!small || !large || !other) return {255, 0};
  Image a = downscale(decode(small->bytes), 256, 256);
  Image b = downscale(decode(large->bytes), 256, 256);
  Image c = downscale(decode(other->bytes), 256, 256);
  return {mean_abs_diff(a, b), mean_abs_diff(a, c)};
}

// The issue's check: the same recipe at 512² and 2048², downscaled to 256² with a box filter,
// agree closely, while two different tokens do not. Measured when written (mean absolute
// difference per channel, of 255): same recipe 0.03 (test-gen), 0.23 (circle-packing),
// 0.4-0.9 (flow-field), 1.0 (pen-plotter); other token 19-107. The bound 4.0 leaves ~4x margin
// over the worst case; the "other token" checks make sure the comparison can fail at all.
// The example renders as PNG (the default encoder, PngCompressor::kRle since 0.3.0): libpng
// and the third-party judges (pngjs, upng-js) read them pixel-exact, and the encoder before
// 0.3.0 (libdeflate, plain adaptive filter) decodes to the same pixels from different bytes.
TEST(Engine, ExampleRendersDecodeTheSameInEveryReader) {
  Studio current;
  EngineOptions before;
  before.png_compressor = PngCompressor::kLibdeflate;
  before.png_filter = PngFilter::kAdaptive;
  Studio previous(before);
  TempDir judged;
  for (const char* name : {"circle-packing", "flow-field", "pen-plotter"}) {
    current.add(example_dir(name));
    previous.add(example_dir(name));
    for (auto [w, h] : {std::pair{256, 256}, {301, 173}}) {
      auto a = current.render(request(name, kTokenA, w, h));
      auto b = previous.render(request(name, kTokenA, w, h));
      ASSERT_TRUE(a && b) << name;
      EXPECT_NE(a->bytes, b->bytes) << name << ": the encoders should differ";
      const Image pixels = decode(a->bytes);
      EXPECT_EQ(pixels.rgba, decode(b->bytes).rgba) << name << " " << w << "x" << h;
      atelier::testing::write_png_case(judged.path(), std::string(name) + "-" + std::to_string(w),
                                       a->bytes, pixels);
    }
  }
  if (const std::string missing = atelier::testing::png_judges_missing(); !missing.empty())
    GTEST_SKIP() << missing;
  std::string output;
  EXPECT_EQ(atelier::testing::run_png_judges(judged.path(), output), 0) << output;
}

TEST(Engine, CompositionIsResolutionIndependent) {
  Studio s;
  for (const char* gen : {"test-gen", "circle-packing", "flow-field", "pen-plotter"}) {
    s.add(std::string(gen) == "test-gen" ? fixture_dir(gen) : example_dir(gen));
    auto start = std::chrono::steady_clock::now();
    Scales d = compare_scales(s, gen);
    auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(
        std::chrono::steady_clock::now() - start);
    RecordProperty(std::string(gen) + "_same", std::to_string(d.same_recipe));
    RecordProperty(std::string(gen) + "_other", std::to_string(d.different_token));
    std::printf("[ scales   ] %-15s same recipe %.2f/255, other token %.2f/255 (%lld ms)\n", gen,
                d.same_recipe, d.different_token, static_cast<long long>(ms.count()));
    EXPECT_LT(d.same_recipe, 4.0) << gen;
    EXPECT_GT(d.different_token, 3 * d.same_recipe) << gen;
    EXPECT_GT(d.different_token, 8.0) << gen;
  }
}

// --- verify ------------------------------------------------------------------------------

TEST(Engine, VerifyIdenticalAndTampered) {
  Studio s;
  s.add(fixture_dir("test-gen"));
  auto out = s.render(request("test-gen", kTokenA));
  ASSERT_TRUE(out);
  auto ok = s.engine->verify(out->bytes);
  ASSERT_TRUE(ok) << ok.error().to_string();
  EXPECT_TRUE(ok->identical);
  EXPECT_EQ(ok->recipe_id, out->record.recipe_id);
  EXPECT_EQ(ok->recipe_json, out->record.recipe_json);
  EXPECT_EQ(ok->expected_sha256, out->record.asset_sha256);
  EXPECT_EQ(ok->actual_sha256, out->record.asset_sha256);
  EXPECT_EQ(ok->first_difference_offset, -1);

  std::size_t mid = out->bytes.size() / 2;
  auto tampered = atelier::testing::tamper_png(out->bytes, mid);
  auto bad = s.engine->verify(tampered);
  ASSERT_TRUE(bad) << bad.error().to_string();
  EXPECT_FALSE(bad->identical);
  EXPECT_EQ(bad->first_difference_offset, static_cast<std::int64_t>(mid));
  EXPECT_EQ(bad->expected_sha256, out->record.asset_sha256);
  EXPECT_EQ(bad->actual_sha256, sha256_hex(tampered));
  EXPECT_THAT(bad->detail, HasSubstr(std::to_string(mid)));

  auto truncated = std::vector<std::uint8_t>(out->bytes.begin(), out->bytes.end() - 20);
  auto cut = s.engine->verify(truncated);
  EXPECT_TRUE(!cut || !cut->identical);
  auto extended = out->bytes;
  extended.push_back(0);
  auto longer = s.engine->verify(extended);
  EXPECT_TRUE(!longer || !longer->identical);
}

TEST(Engine, VerifyReportsWhereATamperedJpegDiffers) {
  Studio s;
  s.add(fixture_dir("test-gen"));
  auto req = request("test-gen", kTokenA);
  req.format = "jpeg";
  auto out = s.render(req);
  ASSERT_TRUE(out);
  auto tampered = out->bytes;
  std::size_t mid = tampered.size() / 2;
  tampered[mid] = static_cast<std::uint8_t>(
      tampered[mid] == 0x12 ? 0x13 : 0x12);  // Never creates a 0xFF marker.
  auto bad = s.engine->verify(tampered);
  ASSERT_TRUE(bad) << bad.error().to_string();
  EXPECT_FALSE(bad->identical);
  EXPECT_EQ(bad->first_difference_offset, static_cast<std::int64_t>(mid));
}

// CONTRACT GAP (src/render/codec/png_read.cc + Engine::verify): `atelier verify --help` says
// "exit 0 if identical, 1 if they differ (and what differs), 2 for a file with no recipe", and
// the issue asks verify to print what differs for a tampered file. But extract_recipe checks the
// CRC of every PNG chunk, so a PNG with one byte flipped in its image data (recipe intact) is
// refused as corrupt_image ("CRC mismatch in IDAT chunk", CLI exit 2) and nothing is compared.
// JPEG and WebP files tampered the same way do get the "differs at byte N" report. Disabled;
// see the report.
TEST(Engine, VerifyReportsWhereANaivelyTamperedPngDiffers) {
  Studio s;
  s.add(fixture_dir("test-gen"));
  auto out = s.render(request("test-gen", kTokenA));
  ASSERT_TRUE(out);
  auto tampered = out->bytes;
  std::size_t mid = tampered.size() / 2;
  tampered[mid] ^= 0x01;
  auto bad = s.engine->verify(tampered);
  ASSERT_TRUE(bad) << bad.error().to_string();
  EXPECT_FALSE(bad->identical);
  EXPECT_EQ(bad->first_difference_offset, static_cast<std::int64_t>(mid));
}

TEST(Engine, VerifyRefusesFilesWithoutARecipe) {
  Studio s;
  std::vector<std::uint8_t> noise(5000);
  for (std::size_t i = 0; i < noise.size(); ++i)
    noise[i] = static_cast<std::uint8_t>((i * 2654435761u) >> 13);
  auto r = s.engine->verify(noise);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, "unknown_format");

  auto plain_png = png_of(8, 8, [](int, int) { return std::array<std::uint8_t, 4>{1, 2, 3, 255}; });
  auto none = s.engine->verify(plain_png);
  ASSERT_FALSE(none);
  EXPECT_EQ(none.error().code, "no_recipe");

  auto unknown = s.engine->verify(
      png_of(8, 8, [](int, int) { return std::array<std::uint8_t, 4>{0, 0, 0, 255}; }));
  EXPECT_FALSE(unknown);
}

TEST(Engine, VerifyOfARecipeForAnUnknownGeneratorIsNotFound) {
  Studio renderer, verifier;
  renderer.add(fixture_dir("test-gen"));
  auto out = renderer.render(request("test-gen", kTokenA, 64, 64));
  ASSERT_TRUE(out);
  auto r = verifier.engine->verify(out->bytes);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, "unknown_generator");
  EXPECT_EQ(r.error().kind, ErrorKind::kNotFound);
}

TEST(Engine, VerifyOfACraftedRecipeIsAnErrorNotACrash) {
  Studio s;
  auto v = s.add(fixture_dir("test-gen"));
  auto out = s.render(request("test-gen", kTokenA, 64, 64));
  ASSERT_TRUE(out);
  Image img = decode(out->bytes);
  auto embed = [&](const std::string& recipe) {
    auto bytes = encode_image(img, {}, recipe);
    EXPECT_TRUE(bytes);
    return bytes ? *bytes : std::vector<std::uint8_t>{};
  };
  json good = json::parse(out->record.recipe_json);
  for (auto edit : std::vector<std::function<void(json&)>>{
           [](json& j) { j["params"]["count"] = 9007199254740993ULL; },
           [](json& j) { j["params"]["count"] = 99; },
           [](json& j) { j["params"]["bogus"] = 1; },
           [](json& j) { j["width"] = 100000; },
           [](json& j) { j["extra"] = true; },
           [](json& j) { j["token_hash"] = "0x12"; },
           [](json& j) { j["generator"]["hash"] = sha256_hex(std::string_view("another")); }}) {
    json j = good;
    edit(j);
    auto r = s.engine->verify(embed(j.dump()));  // Must return, not throw or crash.
    EXPECT_TRUE(!r || !r->identical) << j.dump();
  }
  // A recipe that is valid but not written canonically was edited after rendering.
  std::string spaced = good.dump(1);
  auto r = s.engine->verify(embed(spaced));
  ASSERT_TRUE(r) << r.error().to_string();
  EXPECT_FALSE(r->identical);
  EXPECT_THAT(r->detail, HasSubstr("canonical"));
}

// --- control images ----------------------------------------------------------------------

TEST(Engine, ACorruptControlImageIsAnErrorNamingTheInputAndChangesNothing) {
  Studio s;
  s.add(fixture_dir("test-gen"));
  std::vector<std::uint8_t> garbage = {'n', 'o', 't', ' ', 'a', 'n', ' ', 'i', 'm', 'a', 'g', 'e'};
  auto refused = s.engine->add_input_image(garbage);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, "corrupt_control_image");
  EXPECT_EQ(refused.error().field, "control");

  // A truncated real PNG, too.
  auto png = disc_png();
  auto half = std::vector<std::uint8_t>(png.begin(),
                                        png.begin() + static_cast<std::ptrdiff_t>(png.size() / 2));
  EXPECT_FALSE(s.engine->add_input_image(half));

  // Bound to a stored blob that is not an image: the render fails naming the input.
  std::string sha = s.blobs->put(garbage).value();
  std::size_t blobs_before = s.blob_count();
  auto req = request("test-gen", kTokenA);
  req.inputs["control"] = sha;
  auto r = s.render(req);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, "corrupt_control_image");
  EXPECT_EQ(r.error().field, "inputs.control");
  EXPECT_THAT(r.error().message, HasSubstr("control"));
  EXPECT_EQ(s.render_count(), 0u);
  EXPECT_EQ(s.blob_count(), blobs_before);
}

TEST(Engine, ARecipeBoundToAnotherControlImageRendersDifferently) {
  Studio s;
  s.add(example_dir("pen-plotter"));
  auto sha = s.engine->add_input_image(disc_png());
  ASSERT_TRUE(sha) << sha.error().to_string();
  EXPECT_EQ(*sha, sha256_hex(disc_png()));

  auto with_default = s.render(request("pen-plotter", kTokenA));
  auto req = request("pen-plotter", kTokenA);
  req.inputs["control"] = *sha;
  auto with_disc = s.render(req);
  ASSERT_TRUE(with_default && with_disc) << (with_disc ? "" : with_disc.error().to_string());
  EXPECT_EQ(json::parse(with_disc->record.recipe_json)["inputs"]["control"], *sha);
  EXPECT_TRUE(json::parse(with_default->record.recipe_json)["inputs"].empty());
  EXPECT_NE(with_default->record.recipe_id, with_disc->record.recipe_id);
  EXPECT_GT(mean_abs_diff(decode(with_default->bytes), decode(with_disc->bytes)), 3.0);

  // The binding is in the embedded recipe, so verify re-renders with the same image.
  auto v = s.engine->verify(with_disc->bytes);
  ASSERT_TRUE(v) << v.error().to_string();
  EXPECT_TRUE(v->identical);

  // An optional input without a default: bound vs unbound differ too.
  s.add(fixture_dir("test-gen"));
  auto plain = s.render(request("test-gen", kTokenA));
  auto bound_req = request("test-gen", kTokenA);
  bound_req.inputs["control"] = *sha;
  auto bound = s.render(bound_req);
  ASSERT_TRUE(plain && bound);
  EXPECT_EQ(json::parse(bound->record.traits_json)["Controlled"], true);
  EXPECT_GT(mean_abs_diff(decode(plain->bytes), decode(bound->bytes)), 3.0);
}

TEST(Engine, UnknownInputsAreRefused) {
  Studio s;
  s.add(fixture_dir("test-gen"));
  auto sha = s.engine->add_input_image(disc_png()).value();
  auto req = request("test-gen", kTokenA);
  req.inputs["mask"] = sha;
  auto r = s.render(req);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, "unknown_input");
  EXPECT_EQ(r.error().field, "inputs.mask");
  req.inputs.clear();
  req.inputs["control"] = sha256_hex(std::string_view("never stored"));
  auto missing = s.render(req);
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().code, "unknown_input_image");
  EXPECT_EQ(missing.error().kind, ErrorKind::kNotFound);
}

TEST(Engine, ControlImagePixelLimitBothSides) {
  Studio s;
  // Uniform images compress to almost nothing; only the declared size matters.
  auto white = [](int, int) { return std::array<std::uint8_t, 4>{255, 255, 255, 255}; };
  auto at_limit = s.engine->add_input_image(png_of(4096, 4096, white));
  ASSERT_EQ(4096LL * 4096, limits::kControlImagePixelsMax);
  EXPECT_TRUE(at_limit) << at_limit.error().to_string();
  auto over = s.engine->add_input_image(png_of(4097, 4096, white));
  ASSERT_FALSE(over);
  EXPECT_EQ(over.error().code, "corrupt_control_image");
  EXPECT_THAT(over.error().message, HasSubstr("pixels"));
}

// --- formats -----------------------------------------------------------------------------

TEST(Engine, LossyFormatsRenderAndVerify) {
  Studio s;
  s.add(fixture_dir("test-gen"));
  auto png = s.render(request("test-gen", kTokenA));
  ASSERT_TRUE(png);
  Image reference = decode(png->bytes);
  for (auto [name, fmt, mime] : {std::tuple{"jpeg", ImageFormat::kJpeg, "image/jpeg"},
                                 std::tuple{"webp", ImageFormat::kWebp, "image/webp"},
                                 std::tuple{"avif", ImageFormat::kAvif, "image/avif"}}) {
    auto req = request("test-gen", kTokenA);
    req.format = name;
    auto out = s.render(req);
    ASSERT_TRUE(out) << name << ": " << out.error().to_string();
    EXPECT_EQ(out->mime_type, mime);
    EXPECT_EQ(out->record.format, name);
    EXPECT_EQ(sniff_image_format(out->bytes), fmt) << name;
    EXPECT_EQ(json::parse(out->record.recipe_json)["format"], name);
    auto recipe_text = extract_recipe(out->bytes);
    ASSERT_TRUE(recipe_text) << name;
    EXPECT_EQ(*recipe_text, out->record.recipe_json);
    auto v = s.engine->verify(out->bytes);
    ASSERT_TRUE(v) << name << ": " << v.error().to_string();
    EXPECT_TRUE(v->identical) << name << ": " << v->detail;
    // Lossy, but the same picture.
    EXPECT_LT(mean_abs_diff(reference, decode(out->bytes)), 12.0) << name;
    // Quality is part of the recipe.
    req.quality = 40;
    auto low = s.render(req);
    ASSERT_TRUE(low);
    EXPECT_NE(low->record.recipe_id, out->record.recipe_id);
    EXPECT_NE(low->bytes, out->bytes);
  }
}

// --- bad input changes nothing -----------------------------------------------------------

TEST(Engine, BadRequestsAreClearErrorsAndStoreNothing) {
  Studio s;
  s.add(fixture_dir("test-gen"));
  std::size_t blobs = s.blob_count();
  struct Case {
    RenderRequest req;
    std::string code;
    std::string field;
  };
  std::vector<Case> cases;
  auto add = [&](auto edit, std::string code, std::string field) {
    RenderRequest r = request("test-gen", kTokenA);
    edit(r);
    cases.push_back({r, std::move(code), std::move(field)});
  };
  add([](RenderRequest& r) { r.generator = "no-such-generator"; }, "unknown_generator",
      "generator");
  add([](RenderRequest& r) { r.generator_hash = sha256_hex(std::string_view("x")); },
      "unknown_generator", "generator");
  add([](RenderRequest& r) { r.generator_hash = "abc"; }, "invalid_field", "generator.hash");
  add([](RenderRequest& r) { r.token_hash = "0x1234"; }, "invalid_token_hash", "token_hash");
  add([](RenderRequest& r) { r.token_hash = std::string(kTokenA).substr(2); }, "invalid_token_hash",
      "token_hash");
  add([](RenderRequest& r) { r.width = 100000, r.height = 100000; }, "invalid_size", "width");
  add([](RenderRequest& r) { r.width = 10000, r.height = 10000; }, "image_too_large", "width");
  add([](RenderRequest& r) { r.width = 1000, r.height = 100; }, "unsupported_aspect_ratio",
      "width");
  add([](RenderRequest& r) { r.width = 100, r.height = 1000; }, "unsupported_aspect_ratio",
      "width");
  add([](RenderRequest& r) { r.format = "gif"; }, "invalid_format", "format");
  add([](RenderRequest& r) { r.quality = 0; }, "invalid_field", "quality");
  add([](RenderRequest& r) { r.quality = 101; }, "invalid_field", "quality");
  add([](RenderRequest& r) { r.params_json = R"({"density": 1})"; }, "unknown_param",
      "params.density");
  add([](RenderRequest& r) { r.params_json = R"({"count": 11})"; }, "param_out_of_range",
      "params.count");
  add([](RenderRequest& r) { r.params_json = R"({"scale": "big"})"; }, "invalid_param",
      "params.scale");
  add([](RenderRequest& r) { r.params_json = R"({"count": 1)"; }, "malformed_json", "params");
  for (const auto& c : cases) {
    auto r = s.render(c.req);
    ASSERT_FALSE(r) << "accepted: " << c.code;
    EXPECT_EQ(r.error().code, c.code) << r.error().to_string();
    EXPECT_EQ(r.error().field, c.field) << r.error().to_string();
    EXPECT_FALSE(r.error().message.empty());
  }
  EXPECT_EQ(s.render_count(), 0u);
  EXPECT_EQ(s.blob_count(), blobs);
}

TEST(Engine, DefaultSizeFollowsTheAspectRatio) {
  Studio s;
  s.add(fixture_dir("test-gen"));
  auto r = s.engine->resolve(request("test-gen", kTokenA, 0, 0));
  ASSERT_TRUE(r);
  EXPECT_EQ(r->width, 1024);
  EXPECT_EQ(r->height, 1024);
  auto w = s.engine->resolve(request("test-gen", kTokenA, 300, 0));
  ASSERT_TRUE(w);
  EXPECT_EQ(w->height, 300);
  auto h = s.engine->resolve(request("test-gen", kTokenA, 0, 700));
  ASSERT_TRUE(h);
  EXPECT_EQ(h->width, 700);
  // Both ends of the supported aspect range (0.5 .. 2.0) are accepted.
  EXPECT_TRUE(s.engine->resolve(request("test-gen", kTokenA, 512, 256)));
  EXPECT_TRUE(s.engine->resolve(request("test-gen", kTokenA, 256, 512)));
}

std::unique_ptr<Studio> studio_with_script(const std::string& script, EngineOptions options = {}) {
  auto s = std::make_unique<Studio>(options);
  TempDir src;
  auto dir = atelier::testing::copy_bundle(fixture_dir("test-gen"), src.path(), "test-gen");
  atelier::testing::write_text(dir / "main.lua", script);
  s->add(dir);
  return s;
}

TEST(Engine, ScriptErrorsNameTheLineAndStoreNothing) {
  auto s = studio_with_script("ctx:background('#000')\nlocal t = nil\nreturn {x = t.field}\n");
  std::size_t blobs = s->blob_count();
  auto r = s->render(request("test-gen", kTokenA));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, "script_error");
  EXPECT_EQ(r.error().kind, ErrorKind::kLimitExceeded);
  EXPECT_THAT(r.error().message, HasSubstr("main.lua:3:"));
  EXPECT_EQ(s->render_count(), 0u);
  EXPECT_EQ(s->blob_count(), blobs);
}

TEST(Engine, SandboxEscapesFailTheRender) {
  TempDir tmp;
  auto marker = tmp / "escaped";
  auto s = studio_with_script("os.execute('touch " + marker.string() + "')\n");
  auto r = s->render(request("test-gen", kTokenA));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, "script_error");
  EXPECT_THAT(r.error().message, HasSubstr("os"));
  EXPECT_FALSE(fs::exists(marker));
  EXPECT_EQ(s->render_count(), 0u);
}

TEST(Engine, BudgetsComeFromEngineOptions) {
  struct Case {
    EngineOptions options;
    const char* code;
  };
  EngineOptions few_instructions;
  few_instructions.instructions_max = 50'000;
  EngineOptions little_memory;
  little_memory.memory_bytes_max = 200'000;
  EngineOptions short_wall;
  short_wall.wall_ms_max = 1;
  for (const Case& c :
       {Case{few_instructions, "render_instructions_max"},
        Case{little_memory, "script_memory_bytes_max"}, Case{short_wall, "render_wall_ms_max"}}) {
    Studio s(c.options);
    s.add(example_dir("flow-field"));
    std::size_t blobs = s.blob_count();
    auto r = s.render(request("flow-field", kTokenA));
    ASSERT_FALSE(r) << c.code;
    EXPECT_EQ(r.error().code, c.code) << r.error().to_string();
    EXPECT_EQ(r.error().kind, ErrorKind::kLimitExceeded);
    EXPECT_THAT(r.error().message, HasSubstr(c.code));
    EXPECT_EQ(s.render_count(), 0u);
    EXPECT_EQ(s.blob_count(), blobs);
  }
}

// Issue 14: a backtracking pattern ran for over 75 s inside one C call, outside every
// budget. Through the engine it now fails like any other runaway script, at its limit.
TEST(Engine, BacktrackingPatternFailsTheRenderAtTheWallLimit) {
  EngineOptions options;
  options.wall_ms_max = 500;
  options.instructions_max = std::int64_t{1} << 60;
  for (const char* call : {"string.find(s, p)", "string.gsub(s, p, '')", "s:match(p)"}) {
    auto s = studio_with_script(
        std::string("ctx:background('#000')\nlocal s, p = string.rep('a', 3000), "
                    "string.rep('a-', 12) .. 'b'\nlocal r = ") +
            call + "\nreturn {}\n",
        options);
    std::size_t blobs = s->blob_count();
    auto start = std::chrono::steady_clock::now();
    auto r = s->render(request("test-gen", kTokenA));
    auto elapsed = std::chrono::steady_clock::now() - start;
    ASSERT_FALSE(r) << call;
    EXPECT_EQ(r.error().code, "render_wall_ms_max") << r.error().to_string();
    EXPECT_EQ(r.error().kind, ErrorKind::kLimitExceeded);
    EXPECT_THAT(r.error().message, HasSubstr("main.lua:3"));
    EXPECT_LT(elapsed, std::chrono::seconds(2)) << call;
    EXPECT_EQ(s->render_count(), 0u);
    EXPECT_EQ(s->blob_count(), blobs);
  }
}

TEST(Engine, ParamsFromCliText) {
  Studio s;
  s.add(fixture_dir("test-gen"));
  auto p = s.engine->params_json_from_text(
      "test-gen", "", {{"count", "4"}, {"scale", "0.75"}, {"outline", "true"}, {"ink", "#ABCDEF"}});
  ASSERT_TRUE(p) << p.error().to_string();
  EXPECT_EQ(*p, R"({"count":4,"ink":"#abcdef","outline":true,"scale":0.75})");
  auto unknown = s.engine->params_json_from_text("test-gen", "", {{"density", "1"}});
  ASSERT_FALSE(unknown);
  EXPECT_EQ(unknown.error().code, "unknown_param");
  EXPECT_EQ(unknown.error().field, "params.density");
  EXPECT_THAT(unknown.error().message, HasSubstr("count"));  // Lists what it does have.
  auto range = s.engine->params_json_from_text("test-gen", "", {{"count", "12"}});
  ASSERT_FALSE(range);
  EXPECT_EQ(range.error().field, "params.count");
  auto gen = s.engine->params_json_from_text("nope", "", {});
  ASSERT_FALSE(gen);
  EXPECT_EQ(gen.error().code, "unknown_generator");
}

TEST(RenderRequest, ParsesTheApiBody) {
  auto r = parse_render_request(
      R"({"generator": {"name": "flow-field", "hash": ")" + sha256_hex(std::string_view("h")) +
      R"("}, "token_hash": "0xab", "width": 640, "height": 480, "format": "webp", "quality": 70,
          "params": {"lines": 100}, "inputs": {"control": "x"}})");
  ASSERT_TRUE(r) << r.error().to_string();
  EXPECT_EQ(r->generator, "flow-field");
  EXPECT_EQ(r->generator_hash, sha256_hex(std::string_view("h")));
  EXPECT_EQ(r->width, 640);
  EXPECT_EQ(r->height, 480);
  EXPECT_EQ(r->format, "webp");
  EXPECT_EQ(r->quality, 70);
  EXPECT_EQ(json::parse(r->params_json), json::parse(R"({"lines": 100})"));
  EXPECT_EQ(r->inputs.at("control"), "x");
  auto simple = parse_render_request(R"({"generator": "flow-field", "token_hash": "0xab"})");
  ASSERT_TRUE(simple);
  EXPECT_EQ(simple->generator_hash, "");
  EXPECT_FALSE(simple->quality);

  for (auto [body, field] :
       {std::pair<const char*, const char*>{
            R"({"generator": "g", "token_hash": "0x", "colour": 1})", "colour"},
        {R"({"token_hash": "0x"})", "generator"},
        {R"({"generator": "g"})", "token_hash"},
        {R"({"generator": "g", "token_hash": "0x", "width": -4})", "width"},
        {R"({"generator": "g", "token_hash": "0x", "height": 1.5})", "height"},
        {R"({"generator": "g", "token_hash": "0x", "quality": 0})", "quality"},
        {R"({"generator": "g", "token_hash": "0x", "params": [1]})", "params"},
        {R"({"generator": {"name": 5}, "token_hash": "0x"})", "generator"}}) {
    auto bad = parse_render_request(body);
    ASSERT_FALSE(bad) << body;
    EXPECT_EQ(bad.error().field, field) << body << " -> " << bad.error().to_string();
  }
}

}  // namespace
}  // namespace atelier::render

namespace atelier::render {
namespace {

// BUG (src/render/engine.cc parse_render_request): the generator object is checked with
// `g.size() <= 2` and optional "hash", so {"name": "g", "extra": 1} passes and "extra" is
// silently ignored, although unknown fields are to be refused with the field named
// (DESIGN.md, issue §6 "malformed/unknown recipe fields"). Disabled; see the report.
TEST(RenderRequest, UnknownFieldsInsideGeneratorAreRefused) {
  auto bad =
      parse_render_request(R"({"generator": {"name": "g", "extra": 1}, "token_hash": "0x"})");
  ASSERT_FALSE(bad);
  EXPECT_THAT(bad.error().field, HasSubstr("generator"));
  EXPECT_THAT(bad.error().message, HasSubstr("extra"));
}

}  // namespace
}  // namespace atelier::render
