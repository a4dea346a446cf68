// image.cc — Image helpers and the table of output formats (names, MIME types, magic bytes).
#include "render/image.h"

#include <algorithm>
#include <array>
#include <cstring>

namespace atelier::render {
namespace {

struct FormatInfo {
  ImageFormat format;
  const char* name;
  const char* mime_type;
  const char* extension;
};

constexpr std::array<FormatInfo, 4> kFormats = {{
    {ImageFormat::kPng, "png", "image/png", "png"},
    {ImageFormat::kJpeg, "jpeg", "image/jpeg", "jpg"},
    {ImageFormat::kWebp, "webp", "image/webp", "webp"},
    {ImageFormat::kAvif, "avif", "image/avif", "avif"},
}};

const FormatInfo& info(ImageFormat format) {
  for (const FormatInfo& entry : kFormats) {
    if (entry.format == format) return entry;
  }
  return kFormats[0];  // Unreachable for a valid enum value.
}

bool starts_with(std::span<const std::uint8_t> bytes, std::size_t offset, const char* magic) {
  const std::size_t length = std::strlen(magic);
  if (bytes.size() < offset + length) return false;
  return std::memcmp(bytes.data() + offset, magic, length) == 0;
}

std::uint32_t read_be32(std::span<const std::uint8_t> bytes, std::size_t offset) {
  return (std::uint32_t{bytes[offset]} << 24) | (std::uint32_t{bytes[offset + 1]} << 16) |
         (std::uint32_t{bytes[offset + 2]} << 8) | std::uint32_t{bytes[offset + 3]};
}

// An ISO-BMFF file starts with an 'ftyp' box: size, "ftyp", major brand, minor version, then
// compatible brands. AVIF declares "avif" (still image) or "avis" (sequence) among them; we do
// not accept a bare "mif1", which HEIC files also carry.
bool is_avif(std::span<const std::uint8_t> bytes) {
  if (!starts_with(bytes, 4, "ftyp") || bytes.size() < 16) return false;
  const std::size_t box_size = std::min<std::size_t>(read_be32(bytes, 0), bytes.size());
  if (box_size < 16) return false;
  for (std::size_t offset = 8; offset + 4 <= box_size; offset += 4) {
    if (offset == 12) continue;  // The minor version, not a brand.
    if (starts_with(bytes, offset, "avif") || starts_with(bytes, offset, "avis")) return true;
  }
  return false;
}

}  // namespace

bool Image::opaque() const {
  // ANDs the pixels together in 64-bit words, block by block (the loop vectorises, and a
  // translucent image stops at the first block with a non-255 alpha): every alpha is 255
  // exactly when the alpha bytes of the AND are. Images are usually opaque, so the whole
  // buffer is read in the common case anyway.
  constexpr std::size_t kBlockWords = 512;  // 1024 pixels.
  constexpr std::uint8_t kAlphaBytes[8] = {0, 0, 0, 255, 0, 0, 0, 255};
  std::uint64_t alpha_mask;
  std::memcpy(&alpha_mask, kAlphaBytes, 8);
  const std::size_t words = rgba.size() / 8;
  for (std::size_t start = 0; start < words; start += kBlockWords) {
    const std::size_t end = std::min(words, start + kBlockWords);
    std::uint64_t all = ~std::uint64_t{0};
    for (std::size_t i = start; i < end; ++i) {
      std::uint64_t word;
      std::memcpy(&word, rgba.data() + i * 8, 8);
      all &= word;
    }
    if ((all & alpha_mask) != alpha_mask) return false;
  }
  // An odd pixel count leaves one pixel after the last whole word.
  return rgba.size() / 4 % 2 == 0 || rgba[words * 8 + 3] == 255;
}

std::optional<ImageFormat> parse_image_format(std::string_view name) {
  if (name == "jpg") return ImageFormat::kJpeg;
  for (const FormatInfo& entry : kFormats) {
    if (name == entry.name) return entry.format;
  }
  return std::nullopt;
}

const char* image_format_name(ImageFormat format) { return info(format).name; }
const char* image_mime_type(ImageFormat format) { return info(format).mime_type; }
const char* image_file_extension(ImageFormat format) { return info(format).extension; }

std::optional<ImageFormat> sniff_image_format(std::span<const std::uint8_t> bytes) {
  if (starts_with(bytes, 0, "\x89PNG\r\n\x1a\n")) return ImageFormat::kPng;
  if (starts_with(bytes, 0, "\xff\xd8\xff")) return ImageFormat::kJpeg;
  if (starts_with(bytes, 0, "RIFF") && starts_with(bytes, 8, "WEBP")) return ImageFormat::kWebp;
  if (is_avif(bytes)) return ImageFormat::kAvif;
  return std::nullopt;
}

}  // namespace atelier::render
