// libFuzzer target: the control-image decoders (PNG, JPEG, WebP, AVIF through decode_image,
// the engine's entry), recipe extraction from the same files, and ControlImage sampling.
// Build with `make fuzz`; saved inputs in fuzz/corpus/image are replayed by tests/fuzz.
//
// Properties: nothing crashes; a decoded image never exceeds the pixel limit it was decoded
// under, and its buffer is width * height * 4; a PNG decodes to the same pixels through the
// fast reader as through libpng alone; a file that decodes under a small limit decodes
// to the same pixels under the engine's (limits.h kControlImagePixelsMax). That the size is
// refused before the pixel buffer is allocated is checked by running with
// -malloc_limit_mb=128 (the largest legal buffer is 64 MiB): a decompression bomb that got an
// allocation past the check would stop the run.
//
// Seeds: ATELIER_WRITE_IMAGE_SEEDS=<dir> ./image_fuzz -runs=0 writes a small image in each
// format (made by encode_image, so they follow the encoders). The decompression bombs were made
// by hand (Python's zlib): bomb-8192x8192.png is 8 KB of zlib-9 zeros declaring a 1-bit grey
// 8192 x 8192 image (64 Mpx, four times kControlImagePixelsMax); bomb-header-only.png declares
// 1,000,000 x 1,000,000 RGBA (libpng's own ceiling) over 20 bytes. Both must be refused
// image_too_large before anything is inflated.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <fstream>
#include <span>
#include <string>
#include <vector>

#include "core/limits.h"
#include "render/codec.h"
#include "render/codec/internal/formats.h"
#include "render/raster/control.h"

namespace {

void check(bool ok) {
  if (!ok) std::abort();
}

constexpr std::int64_t kSmallPixelsMax = 64 * 64;

void write_seeds(const std::string& dir) {
  using atelier::render::ImageFormat;
  atelier::render::Image image{.width = 8, .height = 6, .rgba = {}};
  for (int i = 0; i < image.width * image.height; ++i) {
    for (int c = 0; c < 4; ++c) image.rgba.push_back(std::uint8_t(i * 37 + c * 91));
  }
  const std::pair<ImageFormat, const char*> formats[] = {{ImageFormat::kPng, "seed.png"},
                                                         {ImageFormat::kJpeg, "seed.jpg"},
                                                         {ImageFormat::kWebp, "seed.webp"},
                                                         {ImageFormat::kAvif, "seed.avif"}};
  for (auto [format, name] : formats) {
    auto bytes = atelier::render::encode_image(image, {.format = format}, R"({"seed":1})");
    if (!bytes) continue;  // An encoder this build lacks (AVIF without libaom).
    std::ofstream(dir + "/" + name, std::ios::binary)
        .write(reinterpret_cast<const char*>(bytes->data()), std::streamsize(bytes->size()));
  }
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  if (const char* dir = std::getenv("ATELIER_WRITE_IMAGE_SEEDS")) write_seeds(dir);
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::span<const std::uint8_t> file(data, size);
  (void)atelier::render::extract_recipe(file);

  auto small = atelier::render::decode_image(file, {.pixels_max = kSmallPixelsMax});
  if (small) {
    check(std::int64_t{small->width} * small->height <= kSmallPixelsMax);
    check(small->rgba.size() == std::size_t(small->width) * std::size_t(small->height) * 4);
  }
  auto full = atelier::render::decode_image(file, {atelier::limits::kControlImagePixelsMax});
  if (small) check(full && full->width == small->width && full->rgba == small->rgba);
  // PNG: the fast reader (png_fast_read.cc) gives libpng's pixels or leaves the file to it.
  if (atelier::render::sniff_image_format(file) == atelier::render::ImageFormat::kPng) {
    namespace ci = atelier::render::codec_internal;
    atelier::render::DecodeInfo by_libpng, by_either;
    auto slow = ci::decode_png(file, {kSmallPixelsMax}, by_libpng, ci::PngReader::kLibpng);
    auto either = ci::decode_png(file, {kSmallPixelsMax}, by_either);
    check(slow.has_value() == either.has_value());
    if (slow) check(slow->rgba == either->rgba && by_libpng.channels == by_either.channels);
  }
  if (!full) return 0;
  check(full->width >= 1 && full->height >= 1);
  check(std::int64_t{full->width} * full->height <= atelier::limits::kControlImagePixelsMax);
  check(full->rgba.size() == std::size_t(full->width) * std::size_t(full->height) * 4);

  atelier::render::ControlImage control(*full);
  for (double u : {0.0, 0.37, 1.0}) {
    double luma = control.luma(u, 1.0 - u), edge = control.edge(u, u);
    check(luma >= 0.0 && luma <= 1.0 && edge >= 0.0 && edge <= 1.0);
  }
  return 0;
}
