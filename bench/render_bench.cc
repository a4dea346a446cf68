// render_bench — renders/s and megapixels/s per example generator, split into script,
// rasterize, encode and store time; and PNG compression with zlib vs libdeflate.
//
//   make bench        (or: build/bench/render_bench --benchmark_filter=flow-field)
//
// Each iteration renders a fresh token (the store would otherwise answer from its cache):
// script + rasterize + encode + content-addressed store write + render record, one core.
#include <benchmark/benchmark.h>

#include <cmath>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "bench_data_dir.h"
#include "core/hash.h"
#include "render/codec.h"
#include "render/engine.h"
#include "render/math/noise.h"
#include "render/raster/canvas.h"

namespace {

using namespace atelier;

render::EngineOptions strokes(bool fast_strokes) {
  render::EngineOptions options;
  options.fast_strokes = fast_strokes;
  return options;
}

int fixture_count = 0;

// `fast_strokes` false: Cairo's stroker for every stroke. Each fixture has its own data
// directory, so the same tokens render (not hit the cache) in each.
struct Fixture {
  bench::DataDir d;
  render::Engine* engine = d.engine.get();

  explicit Fixture(bool fast_strokes)
      : d("bench-" + std::to_string(fixture_count++) + (fast_strokes ? "" : "-cairo"),
          {"examples/generators/flow-field", "examples/generators/circle-packing",
           "examples/generators/pen-plotter", "bench/generators/flow-lines"},
          strokes(fast_strokes)) {}
};

Fixture& fixture(bool fast_strokes = true) {
  static Fixture fast(true), cairo(false);
  return fast_strokes ? fast : cairo;
}

void BM_Render(benchmark::State& state, const char* generator, int size, bool cairo_strokes,
               const char* params_json) {
  // A fresh data directory per run, so that repetitions (--benchmark_repetitions) render the
  // same tokens again instead of answering from the store's cache.
  Fixture fresh(!cairo_strokes);
  render::Engine& engine = *fresh.engine;
  std::int64_t token = 0, script = 0, raster = 0, encode = 0, store_us = 0, bytes = 0;
  for (auto _ : state) {
    render::RenderRequest req;
    req.generator = generator;
    // Tokens 0, 1, 2, … per (generator, size): every run of this benchmark renders the same
    // workloads, and the two rasterizers see identical scripts.
    req.token_hash = "0x" + sha256_hex("bench:" + std::string(generator) + ":" +
                                       std::to_string(size) + ":" + std::to_string(token++));
    req.width = req.height = size;
    req.params_json = params_json;
    auto out = engine.render(req, false);
    if (!out) {
      state.SkipWithError(out.error().to_string().c_str());
      return;
    }
    script += out->timings.script_us;
    raster += out->timings.raster_us;
    encode += out->timings.encode_us;
    store_us += out->timings.store_us;
    bytes += out->size_bytes;
  }
  double n = static_cast<double>(state.iterations());
  state.counters["renders_per_s"] = benchmark::Counter(n, benchmark::Counter::kIsRate);
  state.counters["Mpx_per_s"] =
      benchmark::Counter(n * size * size / 1e6, benchmark::Counter::kIsRate);
  state.counters["script_ms"] = script / n / 1000.0;
  state.counters["raster_ms"] = raster / n / 1000.0;
  state.counters["encode_ms"] = encode / n / 1000.0;
  state.counters["store_ms"] = store_us / n / 1000.0;
  state.counters["bytes"] = bytes / n;  // Mean file size.
}

// Rasterizing alone: the flow-lines target workload's 4,000 curves x 120 steps (the same walk
// as field:trace, noise seed fixed), stroked as one-pixel round lines in 8 strokes of 500
// curves onto a 1024^2 canvas, then read back as RGBA (the raster step of a render). The
// curves are traced once, outside the timing; run with --benchmark_repetitions and read the
// minimum, as the machine is noisy.
void BM_RasterFlowLines(benchmark::State& state) {
  constexpr int kSize = 1024, kLines = 4000, kSteps = 120;
  static const std::vector<std::vector<double>> curves = [] {
    render::SimplexNoise noise(0x5eed);
    std::vector<std::vector<double>> out;
    std::uint32_t seed = 1;
    auto uniform = [&seed] {  // xorshift32: a fixed sequence of start points.
      seed ^= seed << 13, seed ^= seed >> 17, seed ^= seed << 5;
      return (seed & 0xFFFFFF) / double(0x1000000);
    };
    for (int i = 0; i < kLines; ++i) {
      double x = uniform(), y = uniform();
      std::vector<double> xy = {x, y};
      for (int s = 0; s < kSteps; ++s) {
        const double a = 6.2831853 * noise.noise2(x * 2.2, y * 2.2);
        x += std::cos(a) * 0.004, y += std::sin(a) * 0.004;
        xy.push_back(x), xy.push_back(y);
      }
      out.push_back(std::move(xy));
    }
    return out;
  }();
  for (auto _ : state) {
    render::Canvas canvas(kSize, kSize);
    canvas.background({0.957, 0.941, 0.902, 1});
    canvas.stroke_style.color = {0.114, 0.106, 0.094, 1};
    canvas.set_line_width(1.0 / kSize);
    canvas.set_line_cap("round");
    canvas.set_line_join("round");
    for (int i = 0; i < kLines; ++i) {
      canvas.polyline(curves[i].data(), curves[i].size() / 2, false);
      if ((i + 1) % 500 == 0) {
        canvas.stroke();
        canvas.begin_path();
      }
    }
    render::Image image = canvas.to_image();
    benchmark::DoNotOptimize(image.rgba.data());
  }
}

// PNG encoding (filter + deflate, the encode step of a render) of one real render of
// `generator` at `size`² with a given compressor (level, for libdeflate) and row filter: time
// and bytes, for choosing the engine's fixed settings.
void BM_PngSettings(benchmark::State& state, const char* generator, int size,
                    render::PngFilter filter, render::PngCompressor compressor, int level) {
  Fixture& f = fixture();
  static std::map<std::pair<std::string, int>, render::Image> images;
  auto it = images.find({generator, size});
  if (it == images.end()) {
    render::RenderRequest req;
    req.generator = generator;
    req.token_hash = "0x" + sha256_hex(std::string("bench:png:") + generator);
    req.width = req.height = size;
    auto recipe = f.engine->resolve(req).value();
    auto out = f.engine->render_only(recipe).value();
    it = images
             .emplace(std::pair{std::string(generator), size},
                      render::decode_image(out.bytes, {}).value())
             .first;
  }
  std::size_t bytes = 0;
  for (auto _ : state) {
    render::EncodeOptions options{render::ImageFormat::kPng, 90, compressor, level, filter};
    auto png = render::encode_image(it->second, options, "{}");
    bytes = png->size();
    benchmark::DoNotOptimize(png);
  }
  state.counters["bytes"] = static_cast<double>(bytes);
}

// PNG encoding of one real render with each compressor: same filtered rows, same output
// pixels (tests/render/codec checks both decode identically); only the deflate implementation
// differs.
void BM_PngCompressor(benchmark::State& state, render::PngCompressor compressor, int level) {
  Fixture& f = fixture();
  static render::Image image = [&] {
    render::RenderRequest req;
    req.generator = "flow-field";
    req.token_hash = "0x" + sha256_hex("bench:png");
    req.width = req.height = 1024;
    auto recipe = f.engine->resolve(req).value();
    auto out = f.engine->render_only(recipe).value();
    return render::decode_image(out.bytes, {}).value();
  }();
  std::size_t bytes = 0;
  for (auto _ : state) {
    auto png =
        render::encode_image(image, {render::ImageFormat::kPng, 90, compressor, level}, "{}");
    bytes = png->size();
    benchmark::DoNotOptimize(png);
  }
  state.counters["bytes"] = static_cast<double>(bytes);
}

void register_all() {
  for (const char* g : {"flow-lines", "flow-field", "circle-packing", "pen-plotter"}) {
    for (int size : {1024, 2048}) {
      benchmark::RegisterBenchmark(
          (std::string("render/") + g + "/" + std::to_string(size)).c_str(), BM_Render, g, size,
          false, "{}")
          ->Unit(benchmark::kMillisecond)
          ->Iterations(12);
    }
  }
  // The target workload stepped in Lua instead of the native flowfield tracer.
  benchmark::RegisterBenchmark("render/flow-lines/1024/lua-tracing", BM_Render, "flow-lines", 1024,
                               false, "{\"native\":false}")
      ->Unit(benchmark::kMillisecond)
      ->Iterations(12);
  // The target workload traced straight into the path (ctx:flowline): the same pixels.
  benchmark::RegisterBenchmark("render/flow-lines/1024/flowline", BM_Render, "flow-lines", 1024,
                               false, "{\"into_path\":true}")
      ->Unit(benchmark::kMillisecond)
      ->Iterations(12);
  // … and 500 curves per ctx:flowlines call, walked in lockstep: the same pixels again.
  benchmark::RegisterBenchmark("render/flow-lines/1024/flowlines", BM_Render, "flow-lines", 1024,
                               false, "{\"into_path\":true,\"batch\":true}")
      ->Unit(benchmark::kMillisecond)
      ->Iterations(12);
  // The same flow-field work with Cairo's stroker instead of StrokeMask, side by side.
  benchmark::RegisterBenchmark("render/flow-field/1024/cairo-strokes", BM_Render, "flow-field",
                               1024, true, "{}")
      ->Unit(benchmark::kMillisecond)
      ->Iterations(12);
  benchmark::RegisterBenchmark("raster/flow-lines/1024", BM_RasterFlowLines)
      ->Unit(benchmark::kMillisecond);
  // png-settings/<generator>/<size>/<filter>/<compressor>: "rle" is PngCompressor::kRle,
  // "levelN" libdeflate at level N. The fixed filters only at 1024².
  using render::PngCompressor, render::PngFilter;
  struct Setting {
    const char* filter_name;
    PngFilter filter;
    PngCompressor compressor;
    int level;
    bool both_sizes;
  };
  const Setting settings[] = {
      {"capped", PngFilter::kAdaptiveCapped, PngCompressor::kRle, 0, true},
      {"adaptive", PngFilter::kAdaptive, PngCompressor::kRle, 0, true},
      {"adaptive", PngFilter::kAdaptive, PngCompressor::kLibdeflate, 1, true},
      {"capped", PngFilter::kAdaptiveCapped, PngCompressor::kLibdeflate, 1, true},
      {"adaptive", PngFilter::kAdaptive, PngCompressor::kLibdeflate, 6, true},
      {"up", PngFilter::kUp, PngCompressor::kRle, 0, false},
      {"sub", PngFilter::kSub, PngCompressor::kRle, 0, false},
      {"paeth", PngFilter::kPaeth, PngCompressor::kRle, 0, false},
      {"up", PngFilter::kUp, PngCompressor::kLibdeflate, 1, false},
      {"sub", PngFilter::kSub, PngCompressor::kLibdeflate, 1, false},
      {"paeth", PngFilter::kPaeth, PngCompressor::kLibdeflate, 1, false},
  };
  for (const char* g : {"flow-lines", "flow-field", "circle-packing", "pen-plotter"}) {
    for (int size : {1024, 2048}) {
      for (const Setting& s : settings) {
        if (size != 1024 && !s.both_sizes) continue;
        const std::string compressor =
            s.compressor == PngCompressor::kRle ? "rle" : "level" + std::to_string(s.level);
        benchmark::RegisterBenchmark((std::string("png-settings/") + g + "/" +
                                      std::to_string(size) + "/" + s.filter_name + "/" + compressor)
                                         .c_str(),
                                     BM_PngSettings, g, size, s.filter, s.compressor, s.level)
            ->Unit(benchmark::kMillisecond);
      }
    }
  }
  for (int level : {1, 6}) {
    benchmark::RegisterBenchmark(("png/libdeflate/level" + std::to_string(level)).c_str(),
                                 BM_PngCompressor, render::PngCompressor::kLibdeflate, level)
        ->Unit(benchmark::kMillisecond);
    benchmark::RegisterBenchmark(("png/zlib/level" + std::to_string(level)).c_str(),
                                 BM_PngCompressor, render::PngCompressor::kZlib, level)
        ->Unit(benchmark::kMillisecond);
  }
}

}  // namespace

int main(int argc, char** argv) {
  register_all();
  benchmark::Initialize(&argc, argv);
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
