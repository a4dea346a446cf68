// codec.cc — argument checks and dispatch for the public codec API (codec.h), plus the
// helpers every format shares. The per-format work lives in png*.cc, jpeg.cc, webp.cc, avif.cc.
#include "render/codec.h"

#include <climits>
#include <exception>
#include <new>
#include <string>

#include "core/limits.h"
#include "render/codec/internal/formats.h"

namespace atelier::render {
namespace ci = codec_internal;

namespace codec_internal {

Error corrupt_image(std::string_view format, std::string_view detail) {
  return Error::invalid("corrupt_image",
                        std::string(format) + " file is corrupt: " + std::string(detail));
}

Error no_recipe(std::string_view format) {
  return Error::invalid("no_recipe",
                        "the " + std::string(format) + " file carries no atelier recipe");
}

Result<void> check_decode_size(std::int64_t width, std::int64_t height, const DecodeLimits& limits,
                               std::string_view format) {
  if (width <= 0 || height <= 0) return fail(corrupt_image(format, "zero image dimension"));
  // The RGBA buffer size must fit an int: libjpeg, libwebp and libavif take int strides and
  // sizes. This also keeps width * height * 4 far from int64 overflow.
  constexpr std::int64_t kBytesCeiling = INT_MAX;
  const auto too_large = [&](const std::string& bound) {
    return Error::invalid("image_too_large", std::string(format) + " image of " +
                                                 std::to_string(width) + "x" +
                                                 std::to_string(height) + " exceeds " + bound);
  };
  if (width > kBytesCeiling / 4 || height > kBytesCeiling / 4 / width) {
    return fail(too_large("the decoder's 2 GiB buffer ceiling"));
  }
  if (limits.pixels_max > 0 && width * height > limits.pixels_max) {
    return fail(too_large(std::to_string(limits.pixels_max) + " pixels"));
  }
  return {};
}

std::vector<std::uint8_t> rgb_over_white(const Image& image) {
  const std::size_t pixels = image.rgba.size() / 4;
  std::vector<std::uint8_t> rgb(pixels * 3);
  for (std::size_t i = 0; i < pixels; ++i) {
    const unsigned alpha = image.rgba[i * 4 + 3];
    for (int c = 0; c < 3; ++c) {
      // colour * a + white * (255 - a), divided by 255 rounding half up; exact for a == 255.
      const unsigned mixed = image.rgba[i * 4 + c] * alpha + 255u * (255u - alpha);
      rgb[i * 3 + c] = static_cast<std::uint8_t>((mixed + 127u) / 255u);
    }
  }
  return rgb;
}

}  // namespace codec_internal

namespace {

Result<void> check_image(const Image& image) {
  if (image.width < limits::kImageSideMin || image.height < limits::kImageSideMin) {
    return fail(Error::invalid("invalid_image", "image has a zero or negative side", "image"));
  }
  if (image.width > limits::kImageWidthMax || image.height > limits::kImageHeightMax ||
      std::int64_t{image.width} * image.height > limits::kImagePixelsMax) {
    return fail(Error::invalid("image_too_large",
                               "image of " + std::to_string(image.width) + "x" +
                                   std::to_string(image.height) + " exceeds the encoder limits",
                               "image"));
  }
  if (image.rgba.size() != std::size_t(image.width) * std::size_t(image.height) * 4) {
    return fail(
        Error::invalid("invalid_image", "rgba size does not match width * height * 4", "image"));
  }
  return {};
}

Result<void> check_options(const EncodeOptions& options) {
  if (options.format != ImageFormat::kPng &&
      (options.quality < limits::kQualityMin || options.quality > limits::kQualityMax)) {
    return fail(Error::invalid("invalid_quality", "quality must be within 1..100", "quality"));
  }
  if (options.format == ImageFormat::kPng) {
    // libdeflate's scale goes to 12, zlib's to 9; 0 stores without compression in both.
    // kRle has no levels and ignores png_level, which must still be within 0..12.
    const int level_max = options.png_compressor == PngCompressor::kZlib ? 9 : 12;
    if (options.png_level < 0 || options.png_level > level_max) {
      return fail(Error::invalid("invalid_png_level",
                                 "png_level must be within 0.." + std::to_string(level_max),
                                 "png_level"));
    }
  }
  return {};
}

// Length of the UTF-8 sequence starting at text[i], or 0 if it is not well formed (overlong
// forms, surrogates and code points above U+10FFFF are rejected).
std::size_t utf8_sequence_length(std::string_view text, std::size_t i) {
  const auto byte = [&](std::size_t k) { return static_cast<unsigned char>(text[k]); };
  const unsigned lead = byte(i);
  if (lead < 0x80) return 1;
  // Lead byte ranges of well-formed sequences (RFC 3629): length and payload bits.
  std::size_t length = 0;
  unsigned code_point = 0;
  if (lead >= 0xC2 && lead <= 0xDF) {
    length = 2;
    code_point = lead & 0x1F;
  } else if (lead >= 0xE0 && lead <= 0xEF) {
    length = 3;
    code_point = lead & 0x0F;
  } else if (lead >= 0xF0 && lead <= 0xF4) {
    length = 4;
    code_point = lead & 0x07;
  } else {
    return 0;
  }
  if (i + length > text.size()) return 0;
  for (std::size_t k = 1; k < length; ++k) {
    if ((byte(i + k) & 0xC0) != 0x80) return 0;
    code_point = (code_point << 6) | (byte(i + k) & 0x3F);
  }
  const bool overlong =
      (length == 3 && code_point < 0x800) || (length == 4 && code_point < 0x10000);
  const bool surrogate = code_point >= 0xD800 && code_point <= 0xDFFF;
  if (overlong || surrogate || code_point > 0x10FFFF) return 0;
  return length;
}

// The recipe must survive every container: PNG iTXt text is UTF-8 without NULs, and XML 1.0
// (the XMP packet) cannot hold C0 control characters other than tab, LF and CR. Canonical JSON
// never contains them raw, so rejecting them costs nothing legitimate.
Result<void> check_recipe(std::string_view recipe) {
  for (std::size_t i = 0; i < recipe.size();) {
    const unsigned char c = static_cast<unsigned char>(recipe[i]);
    if (c < 0x20 && c != '\t' && c != '\n' && c != '\r') {
      return fail(
          Error::invalid("invalid_recipe", "recipe text contains a control character", "recipe"));
    }
    const std::size_t length = utf8_sequence_length(recipe, i);
    if (length == 0) {
      return fail(Error::invalid("invalid_recipe", "recipe text is not valid UTF-8", "recipe"));
    }
    i += length;
  }
  return {};
}

Result<std::vector<std::uint8_t>> encode_checked(const Image& image, const EncodeOptions& options,
                                                 std::string_view recipe) {
  ATELIER_TRY(check_image(image));
  ATELIER_TRY(check_options(options));
  ATELIER_TRY(check_recipe(recipe));
  switch (options.format) {
    case ImageFormat::kPng:
      return ci::encode_png(image, options, recipe);
    case ImageFormat::kJpeg:
      return ci::encode_jpeg(image, options, recipe);
    case ImageFormat::kWebp:
      return ci::encode_webp(image, options, recipe);
    case ImageFormat::kAvif:
      return ci::encode_avif(image, options, recipe);
  }
  return fail(Error::invalid("invalid_format", "unknown output format", "format"));
}

Error unknown_format() {
  return Error::invalid("unknown_format", "not a PNG, JPEG, WebP or AVIF file");
}

// Library adapters below may allocate through std::vector; an allocation failure must not
// escape the module as an exception (DESIGN.md "Errors").
Error out_of_memory(const std::exception& e) {
  return Error::internal("out_of_memory", std::string("codec ran out of memory: ") + e.what());
}

}  // namespace

Result<std::vector<std::uint8_t>> encode_image(const Image& image, const EncodeOptions& options,
                                               std::string_view recipe_json) {
  try {
    return encode_checked(image, options, recipe_json);
  } catch (const std::exception& e) {
    return fail(out_of_memory(e));
  }
}

Result<std::string> extract_recipe(std::span<const std::uint8_t> file) {
  const std::optional<ImageFormat> format = sniff_image_format(file);
  if (!format) return fail(unknown_format());
  try {
    switch (*format) {
      case ImageFormat::kPng:
        return ci::extract_png_recipe(file);
      case ImageFormat::kJpeg:
        return ci::extract_jpeg_recipe(file);
      case ImageFormat::kWebp:
        return ci::extract_webp_recipe(file);
      case ImageFormat::kAvif:
        return ci::extract_avif_recipe(file);
    }
  } catch (const std::exception& e) {
    return fail(out_of_memory(e));
  }
  return fail(unknown_format());
}

Result<Image> decode_image(std::span<const std::uint8_t> file, const DecodeLimits& limits,
                           DecodeInfo* info) {
  const std::optional<ImageFormat> format = sniff_image_format(file);
  if (!format) return fail(ci::corrupt_image("image", "not a PNG, JPEG, WebP or AVIF file"));
  DecodeInfo unused;
  DecodeInfo& out = info != nullptr ? *info : unused;
  try {
    switch (*format) {
      case ImageFormat::kPng:
        return ci::decode_png(file, limits, out);
      case ImageFormat::kJpeg:
        return ci::decode_jpeg(file, limits, out);
      case ImageFormat::kWebp:
        return ci::decode_webp(file, limits, out);
      case ImageFormat::kAvif:
        return ci::decode_avif(file, limits, out);
    }
  } catch (const std::exception& e) {
    return fail(out_of_memory(e));
  }
  return fail(ci::corrupt_image("image", "unknown format"));
}

}  // namespace atelier::render
