// fingerprint.h — what compliance keeps of an image file: its PDQ hash (with, on request, the
// dihedral variants and the crops' hashes) and its exact identity (SHA-256 of the file and of
// the decoded pixels).
//
//   Result<Fingerprint> f = fingerprint_image(bytes, {.dihedral = true});
//   if (f && f->trusted()) store(to_hex(f->pdq.hash));
//
// Files are decoded by the render codec (PNG, JPEG, WebP, AVIF) under a pixel limit checked
// against the declared size before any pixel buffer exists. Reentrant and thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "compliance/crops.h"
#include "compliance/pdq.h"
#include "core/error.h"
#include "core/hash.h"
#include "core/limits.h"
#include "render/image.h"

namespace atelier::compliance {

struct FingerprintOptions {
  bool dihedral = false;  // Also the eight dihedral variants (rotations, flips).
  bool crops = false;     // Also the centre crops and the quadrants (crops.h).
  // Refused unread beyond these: the file's size, and its declared width x height.
  std::int64_t file_bytes_max = limits::kComplianceImageBytesMax;
  std::int64_t pixels_max = limits::kComplianceImagePixelsMax;
};

struct RegionHash {
  Region region = Region::kCentreHalf;
  Rect rect;
  PdqResult pdq;
};

struct Fingerprint {
  render::ImageFormat format = render::ImageFormat::kPng;
  int width = 0;
  int height = 0;
  int channels = 0;  // As stored in the file (render::DecodeInfo).
  Digest file_sha256{};
  Digest pixels_sha256{};  // pixels_sha256() of the decoded image.
  PdqResult pdq;
  std::optional<PdqDihedral> dihedral;
  std::vector<RegionHash> regions;  // In kRegions order, when asked for.

  // Quality below kPdqQualityTrustedMin: too flat for its hash to mean anything.
  bool trusted() const { return pdq.quality >= kPdqQualityTrustedMin; }
};

// Input errors (field "file"): "empty_image" (0 bytes), "file_too_large" (over
// file_bytes_max), "unsupported_image" (not PNG, JPEG, WebP or AVIF), "corrupt_image",
// "image_too_large" (over pixels_max, before decoding), "animated_image" (an animated PNG or
// an AVIF sequence: PDQ hashes still images). Internal: "out_of_memory".
Result<Fingerprint> fingerprint_image(std::span<const std::uint8_t> file,
                                      const FingerprintOptions& options = {});

// The identity of decoded pixels: SHA-256 of the width and height (4 bytes each, big-endian)
// followed by the RGBA rows, top to bottom. Equal for files that decode to the same pixels
// whatever their format or encoding.
Digest pixels_sha256(const render::Image& image);

}  // namespace atelier::compliance
