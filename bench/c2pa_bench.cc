// Content Credentials costs (issue 15 §7) on real 1024² renders of the example generators:
//   c2pa/render/<g>     the render itself (script, raster, encode), for the share
//   c2pa/sign/<g>       building and signing the manifest and embedding it (PNG)
//   c2pa/validate/<g>   atelier's validator on the signed file (binding, signature, chain)
//   c2pa/{render,sign,validate}-avif/circle-packing   the same for an AVIF render (quality 90):
//                       the C2PA uuid box, the iloc offsets moved, the c2pa.hash.bmff.v3 binding
// The reference reader's time on the same files: node tests/js/c2pa-read.mjs --time (see
// docs/performance.md).
#include <benchmark/benchmark.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <optional>

#include "bench_data_dir.h"
#include "c2pa/credentials.h"
#include "c2pa/manifest.h"
#include "core/hash.h"

namespace atelier {
namespace {

struct Fixture {
  bench::DataDir d{"c2pa-bench",
                   {"examples/generators/flow-field", "examples/generators/circle-packing",
                    "examples/generators/pen-plotter"}};
  render::Engine* engine = d.engine.get();
  std::filesystem::path dir = d.dir;
  std::optional<c2pa::Signer> signer;
  std::vector<c2pa::Bytes> anchors;

  Fixture() {
    const auto keys = d.paths.keys_path();
    (void)c2pa::create_local_ca(keys, {});
    signer.emplace(c2pa::Signer::load(keys / c2pa::kSignerCertFile, keys / c2pa::kSignerKeyFile,
                                      std::chrono::system_clock::now())
                       .value());
    anchors = c2pa::certificates_from_pem(c2pa::read_root_pem(keys).value()).value();
  }

  render::Recipe recipe(const char* generator, const char* format = "png") {
    render::RenderRequest req;
    req.generator = generator;
    req.format = format;
    req.token_hash = "0x" + sha256_hex(std::string("bench:c2pa:") + generator);
    req.width = req.height = 1024;
    return engine->resolve(req).value();
  }
  c2pa::ManifestSpec spec() {
    c2pa::ManifestSpec s;
    s.title = "bench";
    s.digital_source_type = c2pa::kAlgorithmicMedia;
    s.atelier = c2pa::cbor::Value::map({{"recipe", std::string(600, 'r')},
                                        {"recipe_id", std::string(64, 'a')},
                                        {"log", std::string(900, 'l')}});
    return s;
  }
};

Fixture& fixture() {
  static Fixture f;
  return f;
}

void BM_Render(benchmark::State& state, const char* g, const char* format) {
  auto recipe = fixture().recipe(g, format);
  for (auto _ : state) benchmark::DoNotOptimize(fixture().engine->render_only(recipe).value());
}

void BM_Sign(benchmark::State& state, const char* g, const char* format) {
  Fixture& f = fixture();
  const auto file = f.engine->render_only(f.recipe(g, format)).value().bytes;
  const std::string mime = std::string("image/") + format;
  for (auto _ : state)
    benchmark::DoNotOptimize(c2pa::sign_asset(file, mime, f.spec(), *f.signer).value());
  state.counters["bytes"] = static_cast<double>(file.size());
}

void BM_Validate(benchmark::State& state, const char* g, const char* format) {
  Fixture& f = fixture();
  const auto file = f.engine->render_only(f.recipe(g, format)).value().bytes;
  const std::string mime = std::string("image/") + format;
  const auto signed_file = c2pa::sign_asset(file, mime, f.spec(), *f.signer).value();
  if (const char* out = std::getenv("C2PA_BENCH_WRITE")) {  // the files for the reference reader
    std::ofstream(std::string(out) + "/" + g + "." + format, std::ios::binary)
        .write(reinterpret_cast<const char*>(signed_file.data()),
               static_cast<std::streamsize>(signed_file.size()));
    std::ofstream(std::string(out) + "/root.pem") << c2pa::read_root_pem(f.dir / "keys").value();
  }
  for (auto _ : state) {
    auto v = c2pa::validate_asset(signed_file, mime, f.anchors, std::chrono::system_clock::now())
                 .value();
    if (v.state != "Trusted") state.SkipWithError("not Trusted");
  }
}

void register_all() {
  struct Case {
    const char* generator;
    const char* format;
    const char* suffix;
  };
  for (const Case& c : {Case{"flow-field", "png", ""}, Case{"circle-packing", "png", ""},
                        Case{"pen-plotter", "png", ""}, Case{"circle-packing", "avif", "-avif"}}) {
    const std::string g = std::string(c.suffix) + "/" + c.generator;
    benchmark::RegisterBenchmark(("c2pa/render" + g).c_str(), BM_Render, c.generator, c.format)
        ->Unit(benchmark::kMillisecond);
    benchmark::RegisterBenchmark(("c2pa/sign" + g).c_str(), BM_Sign, c.generator, c.format)
        ->Unit(benchmark::kMillisecond);
    benchmark::RegisterBenchmark(("c2pa/validate" + g).c_str(), BM_Validate, c.generator, c.format)
        ->Unit(benchmark::kMillisecond);
  }
}

}  // namespace
}  // namespace atelier

int main(int argc, char** argv) {
  atelier::register_all();
  benchmark::Initialize(&argc, argv);
  benchmark::RunSpecifiedBenchmarks();
  return 0;
}
