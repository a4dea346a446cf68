// codec.h — deterministic encoders/decoders with the recipe embedded in the file.
//
// The canonical recipe travels inside every output so that `atelier verify FILE` can
// re-render it:
//   PNG   an iTXt chunk with keyword "atelier:recipe" (uncompressed, UTF-8), before IDAT.
//   JPEG  a COM marker whose payload is "atelier:recipe\0" followed by the recipe.
//   WebP  an "XMP " chunk (VP8X container) holding an XMP packet with the recipe in
//         the atelier:recipe property.
//   AVIF  the XMP metadata item, the same XMP packet.
// Encoders are deterministic: fixed settings (quality is part of the recipe), single thread,
// no timestamps. PNG uses adaptive per-row filtering (minimum sum of absolute differences,
// capped or not, ties to the lower filter number) and our own PNG deflate writer, libdeflate
// or zlib for compression.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.h"
#include "render/image.h"

namespace atelier::render {

// kRle: atelier's own deflate writer for PNG rows (png_deflate.cc): literals plus runs of a
// repeated byte, in one dynamic Huffman block; about 3x faster than libdeflate level 1 on our
// renders, files from 5 % smaller to 7 % larger. kLibdeflate and kZlib: general LZ77
// deflaters at `png_level`. All three are deterministic.
enum class PngCompressor { kLibdeflate, kZlib, kRle };

// PNG row filtering: per row the type with the smallest sum of absolute residuals (adaptive,
// what libpng does), or of residuals capped at 8 (kAdaptiveCapped: closer to a Huffman
// coder's cost, 1-3 % smaller files with kRle), or one fixed type for every row (a single
// pass instead of five).
enum class PngFilter { kAdaptive, kNone, kSub, kUp, kAverage, kPaeth, kAdaptiveCapped };

struct EncodeOptions {
  ImageFormat format = ImageFormat::kPng;
  int quality = kDefaultQuality;  // 1..100, lossy formats only.
  // Which deflate implementation PNG uses. Default: the fastest, kRle (see the README
  // performance section for the measurement; libdeflate level 6 until atelier 0.3.0).
  PngCompressor png_compressor = PngCompressor::kRle;
  int png_level = 6;  // Compression level of libdeflate or zlib; kRle has none.
  // Default: the capped cost, which suits kRle's Huffman coding (kAdaptive until 0.3.0).
  PngFilter png_filter = PngFilter::kAdaptiveCapped;
};

// Encodes `image`, embedding `recipe_json` (may be empty: then nothing is embedded).
// An opaque image is written without alpha where the format allows it; JPEG has no alpha, so
// a non-opaque image is composited over white first. All functions here are reentrant and
// thread-safe (no shared state); each encode runs on the calling thread only.
// Input errors: "invalid_image" (zero side, rgba size != width * height * 4),
// "image_too_large" (over limits.h, or over 16383 px a side for WebP), "invalid_quality",
// "invalid_png_level" (0..12 libdeflate and kRle, 0..9 zlib), "invalid_recipe" (not UTF-8, or a
// control character other than tab/LF/CR), "recipe_too_large" (JPEG: over 65518 bytes). Internal
// errors: "encode_failed", "encoder_unavailable" (libavif without libaom), "out_of_memory".
Result<std::vector<std::uint8_t>> encode_image(const Image& image, const EncodeOptions& options,
                                               std::string_view recipe_json);

// The embedded recipe text. Errors: "unknown_format" (not PNG/JPEG/WebP/AVIF),
// "no_recipe" (a valid file with no atelier recipe), "corrupt_image" (unparseable container).
Result<std::string> extract_recipe(std::span<const std::uint8_t> file);

struct DecodeLimits {
  // 0: no limit beyond int overflow safety (the RGBA buffer stays under 2 GiB). Checked
  // against the declared size before any pixel buffer is allocated.
  std::int64_t pixels_max = 0;
};

// What a decoded file stored besides its pixels (decode_image's optional output).
struct DecodeInfo {
  // Channels in the file before they were expanded to RGBA: 1 grey, 2 grey and alpha, 3 colour,
  // 4 colour and alpha. A palette is colour (with alpha if it has transparency). PDQ needs it:
  // Meta's reference takes a grey file's luma from its one channel, not from R, G and B.
  int channels = 0;
  // 1 for a still image; an animated PNG (acTL) or an AVIF image sequence gives the count it
  // declares, and only its first frame is decoded.
  std::int64_t frames = 1;
};

// Decodes PNG, JPEG or WebP (and AVIF) into RGBA. Used for control images, PDQ hashing and
// tests. Errors are input errors with code "corrupt_image" or "image_too_large". Strict: a PNG
// cut before IEND or with a bad chunk CRC, a JPEG with damaged entropy data (which libjpeg would
// grey-fill) or more than 256 progressive scans, and an animated WebP are all corrupt_image.
// `info`, if not null, is filled in when the decode succeeds.
Result<Image> decode_image(std::span<const std::uint8_t> file, const DecodeLimits& limits,
                           DecodeInfo* info = nullptr);

}  // namespace atelier::render
