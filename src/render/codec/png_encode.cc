// png_encode.cc — the PNG writer.
//
// Why hand-written: DESIGN.md prefers a library, but neither PNG library here can compress
// with libdeflate or with our own PNG deflate writer (png_deflate.cc, the default since 0.3.0,
// about 3x faster than libdeflate level 1 on our renders). libpng and libspng both drive
// zlib's streaming deflate API internally, and libdeflate only offers whole-buffer
// compression, so there is no hook to swap it in; and libdeflate is 2-3x faster than zlib at
// the same level for the same size (1024² images at level 6: 43 vs 82 ms for a smooth
// gradient, 102 vs 323 ms with noise; README performance).
// Writing PNG is small and fully specified: the signature, a handful of chunks (length, type,
// data, CRC-32), and one zlib stream of filtered rows. Reading stays with libpng
// (png_read.cc), where robustness against hostile files matters most.
//
// Layout written, in this order: signature, IHDR, iTXt "atelier:recipe" (only when a recipe is
// given), IDAT chunks of at most kIdatBytesMax, IEND. 8-bit RGB when the image is opaque,
// otherwise 8-bit RGBA; no interlacing, no gamma or timestamp chunks.
#include <libdeflate.h>
#include <zlib.h>

#include <algorithm>
#include <memory>

#include "render/codec/internal/formats.h"
#include "render/internal/spare_buffer.h"

namespace atelier::render::codec_internal {
namespace {

constexpr std::uint8_t kSignature[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
// One IDAT chunk per MiB of compressed data: readers stream it either way; a fixed size keeps
// the output deterministic.
constexpr std::size_t kIdatBytesMax = 1 << 20;
// A PNG chunk length is at most 2^31 - 1 (PNG spec 5.3).
constexpr std::size_t kChunkBytesMax = 0x7fffffff;
constexpr std::uint8_t kColorTypeRgb = 2;
constexpr std::uint8_t kColorTypeRgba = 6;

void put_be32(std::vector<std::uint8_t>& out, std::uint32_t value) {
  out.push_back(static_cast<std::uint8_t>(value >> 24));
  out.push_back(static_cast<std::uint8_t>(value >> 16));
  out.push_back(static_cast<std::uint8_t>(value >> 8));
  out.push_back(static_cast<std::uint8_t>(value));
}

// Appends one chunk: length, type, data, CRC-32 of type and data.
void put_chunk(std::vector<std::uint8_t>& out, const char (&type)[5],
               std::span<const std::uint8_t> data) {
  put_be32(out, static_cast<std::uint32_t>(data.size()));
  const auto* type_bytes = reinterpret_cast<const std::uint8_t*>(type);
  out.insert(out.end(), type_bytes, type_bytes + 4);
  out.insert(out.end(), data.begin(), data.end());
  // libdeflate's CRC-32 (carry-less multiplication where the CPU has it) is several times
  // faster than zlib's on 1 MiB IDAT chunks; CRC-32 is one function, so the value is the same.
  std::uint32_t crc = libdeflate_crc32(0, type_bytes, 4);
  // libdeflate_crc32(crc, nullptr, 0) returns the initial value 0, not `crc`: skip empty data.
  if (!data.empty()) crc = libdeflate_crc32(crc, data.data(), data.size());
  put_be32(out, crc);
}

std::vector<std::uint8_t> ihdr(const Image& image, std::uint8_t color_type) {
  std::vector<std::uint8_t> data;
  put_be32(data, static_cast<std::uint32_t>(image.width));
  put_be32(data, static_cast<std::uint32_t>(image.height));
  // Bit depth 8, colour type, compression 0 (deflate), filter method 0, no interlace.
  data.insert(data.end(), {8, color_type, 0, 0, 0});
  return data;
}

// iTXt: keyword, NUL, compression flag 0, method 0, empty language tag + NUL, empty
// translated keyword + NUL, then the UTF-8 text (not NUL-terminated).
std::vector<std::uint8_t> itxt_recipe(std::string_view recipe) {
  std::vector<std::uint8_t> data(kRecipeKey.begin(), kRecipeKey.end());
  data.insert(data.end(), {0, 0, 0, 0, 0});
  data.insert(data.end(), recipe.begin(), recipe.end());
  return data;
}

struct LibdeflateCompressorDeleter {
  void operator()(libdeflate_compressor* c) const { libdeflate_free_compressor(c); }
};

// Buffers and the compressor kept per thread across encodes, for the reason in
// render/internal/spare_buffer.h (here: ~3 ms of page faults per 1024² PNG for the filtered
// rows and the deflate output). Buffers over kSpareBytesMax are freed after the encode.
struct PngScratch {
  std::vector<std::uint8_t> filtered, compressed;
  std::unique_ptr<libdeflate_compressor, LibdeflateCompressorDeleter> compressor;
  int level = -1;
};
thread_local PngScratch scratch;

// Compresses `raw` into scratch.compressed (sized to the result).
Result<void> zlib_with_libdeflate(std::span<const std::uint8_t> raw, int level) {
  if (!scratch.compressor || scratch.level != level) {
    scratch.compressor.reset(libdeflate_alloc_compressor(level));
    scratch.level = level;
  }
  if (!scratch.compressor)
    return fail(Error::internal("encode_failed", "libdeflate: no compressor"));
  std::vector<std::uint8_t>& out = scratch.compressed;
  out.resize(libdeflate_zlib_compress_bound(scratch.compressor.get(), raw.size()));
  const std::size_t size = libdeflate_zlib_compress(scratch.compressor.get(), raw.data(),
                                                    raw.size(), out.data(), out.size());
  if (size == 0) return fail(Error::internal("encode_failed", "libdeflate: output overflow"));
  out.resize(size);
  return {};
}

// compress2() is zlib's one-shot deflate (window 15, memLevel 8, default strategy).
Result<void> zlib_with_zlib(std::span<const std::uint8_t> raw, int level) {
  uLongf size = compressBound(raw.size());
  std::vector<std::uint8_t>& out = scratch.compressed;
  out.resize(size);
  if (compress2(out.data(), &size, raw.data(), raw.size(), level) != Z_OK) {
    return fail(Error::internal("encode_failed", "zlib: compress2 failed"));
  }
  out.resize(size);
  return {};
}

}  // namespace

Result<std::vector<std::uint8_t>> encode_png(const Image& image, const EncodeOptions& options,
                                             std::string_view recipe) {
  if (recipe.size() > kChunkBytesMax - kRecipeKey.size() - 5) {
    return fail(Error::invalid("recipe_too_large", "recipe exceeds a PNG chunk", "recipe"));
  }
  const bool opaque = image.opaque();
  filter_png_rows(image, opaque ? 3 : 4, options.png_filter, scratch.filtered);
  switch (options.png_compressor) {
    case PngCompressor::kRle:
      deflate_png_rows(scratch.filtered, scratch.compressed);
      break;
    case PngCompressor::kLibdeflate:
      ATELIER_TRY(zlib_with_libdeflate(scratch.filtered, options.png_level));
      break;
    case PngCompressor::kZlib:
      ATELIER_TRY(zlib_with_zlib(scratch.filtered, options.png_level));
      break;
  }
  const std::vector<std::uint8_t>* stream_bytes = &scratch.compressed;

  std::vector<std::uint8_t> out;
  out.reserve(stream_bytes->size() + recipe.size() + 256 +
              stream_bytes->size() / kIdatBytesMax * 12);
  out.insert(out.end(), std::begin(kSignature), std::end(kSignature));
  put_chunk(out, "IHDR", ihdr(image, opaque ? kColorTypeRgb : kColorTypeRgba));
  if (!recipe.empty()) put_chunk(out, "iTXt", itxt_recipe(recipe));
  const std::span<const std::uint8_t> stream(*stream_bytes);
  for (std::size_t offset = 0; offset < stream.size(); offset += kIdatBytesMax) {
    put_chunk(out, "IDAT", stream.subspan(offset, std::min(kIdatBytesMax, stream.size() - offset)));
  }
  put_chunk(out, "IEND", {});
  for (std::vector<std::uint8_t>* buffer : {&scratch.filtered, &scratch.compressed}) {
    if (buffer->capacity() > internal::kSpareBytesMax) std::vector<std::uint8_t>().swap(*buffer);
  }
  return out;
}

}  // namespace atelier::render::codec_internal
