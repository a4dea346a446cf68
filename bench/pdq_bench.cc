// PDQ hashes per second (issue 16 §6) on the committed test images, one thread:
//   pdq/hash/<side>             pdq_hash on decoded pixels (decode excluded)
//   pdq/dihedral/<side>         the eight variants from one DCT
//   pdq/png+hash/<side>         PNG decode (render codec) + pdq_hash
//   pdq/jpeg+hash/<side>        the same image as JPEG q90, decode + pdq_hash
//   pdq/fingerprint/<side>      all of `atelier compliance hash` per file: decode, PDQ and the
//                               SHA-256 of the file and of the decoded pixels
// Sides 512 (art-512.png) and 1024 (art-1024.png, resampled to 512 first as the reference
// does). Meta's reference on the same files: bench/pdq_reference.sh (docs/compliance.md).
#include <benchmark/benchmark.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "compliance/fingerprint.h"
#include "compliance/pdq.h"
#include "render/codec.h"

namespace atelier {
namespace {

std::vector<std::uint8_t> read_image(int side) {
  const std::filesystem::path path = std::filesystem::path(ATELIER_SOURCE_DIR) / "tests" /
                                     "compliance" / "data" /
                                     ("art-" + std::to_string(side) + ".png");
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

struct Files {
  std::vector<std::uint8_t> png;
  std::vector<std::uint8_t> jpeg;
  render::Image pixels;
  explicit Files(int side) : png(read_image(side)) {
    pixels = render::decode_image(png, {}).value();
    jpeg = render::encode_image(pixels, {.format = render::ImageFormat::kJpeg, .quality = 90}, "")
               .value();
  }
};

const Files& files(int side) {
  static const Files f512(512), f1024(1024);
  return side == 512 ? f512 : f1024;
}

void BM_Hash(benchmark::State& state) {
  const Files& f = files(static_cast<int>(state.range(0)));
  const compliance::PixelView view = compliance::PixelView::of(f.pixels, false);
  for (auto _ : state) benchmark::DoNotOptimize(compliance::pdq_hash(view));
  state.SetItemsProcessed(state.iterations());
}

void BM_Dihedral(benchmark::State& state) {
  const Files& f = files(static_cast<int>(state.range(0)));
  const compliance::PixelView view = compliance::PixelView::of(f.pixels, false);
  for (auto _ : state) benchmark::DoNotOptimize(compliance::pdq_dihedral(view));
  state.SetItemsProcessed(state.iterations());
}

void decode_and_hash(benchmark::State& state, const std::vector<std::uint8_t>& file) {
  for (auto _ : state) {
    render::DecodeInfo info;
    render::Image image = render::decode_image(file, {}, &info).value();
    benchmark::DoNotOptimize(
        compliance::pdq_hash(compliance::PixelView::of(image, info.channels <= 2)));
  }
  state.SetItemsProcessed(state.iterations());
}

void BM_PngAndHash(benchmark::State& state) {
  decode_and_hash(state, files(static_cast<int>(state.range(0))).png);
}

void BM_JpegAndHash(benchmark::State& state) {
  decode_and_hash(state, files(static_cast<int>(state.range(0))).jpeg);
}

void BM_Fingerprint(benchmark::State& state) {
  const Files& f = files(static_cast<int>(state.range(0)));
  for (auto _ : state) benchmark::DoNotOptimize(compliance::fingerprint_image(f.png).value());
  state.SetItemsProcessed(state.iterations());
}

BENCHMARK(BM_Hash)->Name("pdq/hash")->Arg(512)->Arg(1024)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_Dihedral)->Name("pdq/dihedral")->Arg(512)->Arg(1024)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_PngAndHash)->Name("pdq/png+hash")->Arg(512)->Arg(1024)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_JpegAndHash)
    ->Name("pdq/jpeg+hash")
    ->Arg(512)
    ->Arg(1024)
    ->Unit(benchmark::kMillisecond);
BENCHMARK(BM_Fingerprint)
    ->Name("pdq/fingerprint")
    ->Arg(512)
    ->Arg(1024)
    ->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace atelier

BENCHMARK_MAIN();
