// image.h — raster images and the output formats atelier encodes.
//
// An Image is 8-bit RGBA with straight (not premultiplied) alpha, rows top to bottom, no
// padding. Encoders are deterministic: fixed settings, no timestamps, single-threaded, so
// the same Image + recipe text always gives the same bytes (DESIGN.md "Determinism").
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.h"

namespace atelier::render {

struct Image {
  int width = 0;
  int height = 0;
  std::vector<std::uint8_t> rgba;  // width * height * 4 bytes.

  bool opaque() const;  // Every alpha byte is 255.
};

enum class ImageFormat { kPng, kJpeg, kWebp, kAvif };

// "png" | "jpeg" | "webp" | "avif" (also accepts "jpg"); nullopt otherwise.
std::optional<ImageFormat> parse_image_format(std::string_view name);
const char* image_format_name(ImageFormat format);  // "png", "jpeg", "webp", "avif"
const char* image_mime_type(ImageFormat format);    // "image/png", ...
const char* image_file_extension(ImageFormat format);  // "png", "jpg", "webp", "avif"
// Recognises a file by its magic bytes.
std::optional<ImageFormat> sniff_image_format(std::span<const std::uint8_t> bytes);

// Default quality for lossy formats (ignored for PNG).
inline constexpr int kDefaultQuality = 90;

}  // namespace atelier::render
