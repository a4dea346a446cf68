// image_signals.h — what the registry keeps of an image it registers: its PDQ hash, the hashes
// of its variants, its quality, and its exact identity (SHA-256 of the file and of the decoded
// pixels).
//
//   auto signals = image_signals(file_bytes);   // the PDQ hasher, variants and crops included
//   if (signals) registry.add_image(*signals, {.label = "Sunflowers", …}, {.bank = "museum"});
//
// The hashes are the PDQ hasher's (fingerprint.h); variant kinds are its names: the seven
// dihedral transforms other than the original (dihedral_name) and the six crops
// (region_name), so that a rotated, mirrored or cropped copy of a registered work is as near
// as the copy itself. A test may fill ImageSignals in from precomputed hashes.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "compliance/fingerprint.h"
#include "compliance/pdq.h"
#include "core/error.h"

namespace atelier::compliance {

// Below this PDQ quality an image is too flat for its hash to identify it: the registry refuses
// to register it, and a crop below it is left out of an entry's variants.
inline constexpr int kImageQualityMin = kPdqQualityTrustedMin;

// How many variants an image can have: seven dihedral transforms and the crops.
inline constexpr int kImageVariantsMax = kDihedralCount - 1 + kRegionCount;

// Whether `kind` names a variant: a dihedral transform other than "original", or a crop.
bool is_image_variant_kind(std::string_view kind);

struct ImageSignals {
  PdqHash pdq{};
  int quality = 0;                                        // 0..100
  std::vector<std::pair<std::string, PdqHash>> variants;  // is_image_variant_kind kinds
  std::string sha256_file;                                // 64 lowercase hex digits
  std::string sha256_pixels;                              // 64 lowercase hex digits
};

// The signals of a fingerprint taken with dihedral variants and crops: the plain hash, the
// seven dihedral variants, and each crop whose own quality is at least kImageQualityMin (a
// flat corner's hash would match any other flat corner).
ImageSignals image_signals_of(const Fingerprint& fingerprint);

// Hashes an image file for the registry (fingerprint_image with the variants and crops). The
// fingerprint's input errors (field "file"), and "low_quality_image" (field "file") for a
// quality below kImageQualityMin.
Result<ImageSignals> image_signals(std::span<const std::uint8_t> file);

}  // namespace atelier::compliance
