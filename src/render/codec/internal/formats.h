// formats.h — the per-format codec functions and what they share; private to codec/.
//
// codec.cc validates arguments (image shape, quality, level, recipe text) and dispatches to the
// per-format functions declared here, which may therefore assume valid inputs. Every function
// is reentrant: no global state, and library error handling (libpng/libjpeg longjmp) is
// contained inside the file that calls the library.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.h"
#include "render/codec.h"
#include "render/image.h"

namespace atelier::render::codec_internal {

// The PNG iTXt keyword and the JPEG COM prefix (followed by a NUL there).
inline constexpr std::string_view kRecipeKey = "atelier:recipe";

// The largest JPEG COM payload (a marker segment length is 16 bits and counts itself).
inline constexpr std::size_t kJpegCommentBytesMax = 65533;

// Shared error constructors so every format reports the same codes.
Error corrupt_image(std::string_view format, std::string_view detail);
Error no_recipe(std::string_view format);

// Checks declared dimensions against `limits` and against what one allocation and the
// libraries' int strides can hold, before any pixel buffer is allocated.
// Errors: "image_too_large" (over the limit or the int-overflow ceiling), "corrupt_image"
// (a zero or negative side).
Result<void> check_decode_size(std::int64_t width, std::int64_t height, const DecodeLimits& limits,
                               std::string_view format);

// Interleaved 8-bit RGB for formats without alpha (JPEG). Alpha, if any, is composited over
// white with integer rounding so the result is deterministic.
std::vector<std::uint8_t> rgb_over_white(const Image& image);

// The XMP packet carrying the recipe (WebP "XMP " chunk, AVIF XMP item), and its inverse.
std::string build_xmp_packet(std::string_view recipe);
// Errors: "no_recipe" (no atelier:recipe element), "corrupt_image" (element unterminated,
// nested markup, a bad entity, or present twice).
Result<std::string> parse_xmp_recipe(std::string_view packet, std::string_view format);

// PNG row filtering (png_filter.cc): writes, for each row, the filter-type byte followed by
// the filtered bytes, choosing per row the filter with the minimum sum of absolute values
// (residuals read as signed bytes), ties to the lower filter number. `channels_out` is 3
// (the alpha byte of each RGBA pixel is dropped) or 4. A fixed `filter` uses that type for
// every row instead.
std::vector<std::uint8_t> filter_png_rows(const Image& image, int channels_out,
                                          PngFilter filter = PngFilter::kAdaptive);
// The same into `out`, reusing its capacity (no zero-filling when the size is unchanged).
void filter_png_rows(const Image& image, int channels_out, PngFilter filter,
                     std::vector<std::uint8_t>& out);

// Which code paths the PNG writer may use. kScalar exists for tests: both must give the same
// bytes (DESIGN.md "Determinism": output may not depend on the CPU).
enum class Simd { kAuto, kScalar };

// Code lengths of an optimal prefix code for `freq` with no code longer than `bits_max`
// (1..15), by package-merge; ties broken by symbol number. Unused symbols get 0; a single used
// symbol gets length 1 (not a complete code: callers that need one add a second symbol).
void huffman_lengths(std::span<const std::uint32_t> freq, int bits_max,
                     std::span<std::uint8_t> lengths);
// Canonical codes (RFC 1951 3.2.2) for `lengths`, bit-reversed for an LSB-first writer.
void canonical_codes(std::span<const std::uint8_t> lengths, std::span<std::uint16_t> codes);

// The zlib stream of `raw` (filtered PNG rows) into `out` (resized to fit): one dynamic
// Huffman block of literals and distance-1 runs (png_deflate.cc). Deterministic; the same
// bytes for every `simd` and `segments_max`. The first pass keeps at most `segments_max`
// runs (8 bytes each) for the second; with more, the second pass scans the rows again.
inline constexpr std::size_t kPngSegmentsMax = std::size_t{1} << 22;  // 32 MiB.
void deflate_png_rows(std::span<const std::uint8_t> raw, std::vector<std::uint8_t>& out,
                      Simd simd = Simd::kAuto, std::size_t segments_max = kPngSegmentsMax);

Result<std::vector<std::uint8_t>> encode_png(const Image& image, const EncodeOptions& options,
                                             std::string_view recipe);
Result<std::vector<std::uint8_t>> encode_jpeg(const Image& image, const EncodeOptions& options,
                                              std::string_view recipe);
Result<std::vector<std::uint8_t>> encode_webp(const Image& image, const EncodeOptions& options,
                                              std::string_view recipe);
Result<std::vector<std::uint8_t>> encode_avif(const Image& image, const EncodeOptions& options,
                                              std::string_view recipe);

Result<std::string> extract_png_recipe(std::span<const std::uint8_t> file);
Result<std::string> extract_jpeg_recipe(std::span<const std::uint8_t> file);
Result<std::string> extract_webp_recipe(std::span<const std::uint8_t> file);
Result<std::string> extract_avif_recipe(std::span<const std::uint8_t> file);

// Which PNG reader decode_png uses: kAuto takes decode_png_fast where it applies, libpng
// otherwise; kLibpng always libpng (tests compare the two).
enum class PngReader { kAuto, kLibpng };
Result<Image> decode_png(std::span<const std::uint8_t> file, const DecodeLimits& limits,
                         DecodeInfo& info, PngReader reader = PngReader::kAuto);
// The common PNG without libpng (png_fast_read.cc): 8-bit, not interlaced, no gAMA other than
// sRGB's, no iCCP or sBIT, tRNS only with a palette, at most 64 MiB of image data inflated.
// `image` has the file's width and height and its RGBA buffer; true when it was filled with the
// pixels libpng would give, false when the file is left to libpng (not such a file, or
// anything wrong).
bool decode_png_fast(std::span<const std::uint8_t> file, Image& image);
Result<Image> decode_jpeg(std::span<const std::uint8_t> file, const DecodeLimits& limits,
                          DecodeInfo& info);
Result<Image> decode_webp(std::span<const std::uint8_t> file, const DecodeLimits& limits,
                          DecodeInfo& info);
Result<Image> decode_avif(std::span<const std::uint8_t> file, const DecodeLimits& limits,
                          DecodeInfo& info);

}  // namespace atelier::render::codec_internal
