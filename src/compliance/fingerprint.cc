// fingerprint.cc — decoding a file and fingerprinting it (fingerprint.h).
#include "compliance/fingerprint.h"

#include <string>

#include "render/codec.h"

namespace atelier::compliance {
namespace {

Error file_error(std::string code, std::string message) {
  return Error::invalid(std::move(code), std::move(message), "file");
}

// The decoder's error, with our name for the limit it hit (its message gives the number).
Error decode_error(Error error, std::int64_t pixels_max) {
  if (error.code == "image_too_large" &&
      error.message.find(std::to_string(pixels_max) + " pixels") != std::string::npos) {
    error.message += " (compliance_image_pixels_max)";
  }
  if (error.field.empty()) error.field = "file";
  return error;
}

const char* format_name(render::ImageFormat format) {
  switch (format) {
    case render::ImageFormat::kPng:
      return "PNG";
    case render::ImageFormat::kJpeg:
      return "JPEG";
    case render::ImageFormat::kWebp:
      return "WebP";
    case render::ImageFormat::kAvif:
      return "AVIF";
  }
  return "image";
}

}  // namespace

Digest pixels_sha256(const render::Image& image) {
  Sha256 sha;
  const auto be32 = [](std::uint32_t v) {
    return std::array<std::uint8_t, 4>{std::uint8_t(v >> 24), std::uint8_t(v >> 16),
                                       std::uint8_t(v >> 8), std::uint8_t(v)};
  };
  sha.update(be32(static_cast<std::uint32_t>(image.width)));
  sha.update(be32(static_cast<std::uint32_t>(image.height)));
  sha.update(image.rgba);
  return sha.finish();
}

Result<Fingerprint> fingerprint_image(std::span<const std::uint8_t> file,
                                      const FingerprintOptions& options) {
  if (file.empty()) return fail(file_error("empty_image", "the file is empty (0 bytes)"));
  if (static_cast<std::int64_t>(file.size()) > options.file_bytes_max) {
    return fail(file_error("file_too_large", "the file is larger than " +
                                                 std::to_string(options.file_bytes_max) +
                                                 " bytes (compliance_image_bytes_max)"));
  }
  const std::optional<render::ImageFormat> format = render::sniff_image_format(file);
  if (!format) {
    return fail(file_error("unsupported_image", "not a PNG, JPEG, WebP or AVIF image"));
  }
  render::DecodeInfo info;
  Result<render::Image> image = render::decode_image(file, {options.pixels_max}, &info);
  if (!image) return fail(decode_error(std::move(image).error(), options.pixels_max));
  if (info.frames > 1) {
    return fail(file_error("animated_image", std::string("an animated ") + format_name(*format) +
                                                 " (" + std::to_string(info.frames) +
                                                 " frames): PDQ hashes still images only"));
  }
  Fingerprint f;
  f.format = *format;
  f.width = image->width;
  f.height = image->height;
  f.channels = info.channels;
  f.file_sha256 = sha256(file);
  f.pixels_sha256 = pixels_sha256(*image);
  // Grey files (with or without alpha) take their luma from the grey channel, as the reference.
  const PixelView view = PixelView::of(*image, /*grey=*/info.channels <= 2);
  f.pdq = pdq_hash(view);
  if (options.dihedral) f.dihedral = pdq_dihedral(view);
  if (options.crops) {
    for (Region region : kRegions) {
      const Rect r = region_rect(region, f.width, f.height);
      f.regions.push_back({region, r, pdq_hash(view.crop(r.x, r.y, r.width, r.height))});
    }
  }
  return f;
}

}  // namespace atelier::compliance
