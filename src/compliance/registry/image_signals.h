// image_signals.h — what the registry keeps of an image it imports: its 256-bit PDQ code,
// the codes of its variants, its quality, and its exact identity (SHA-256 of the file and of
// the decoded pixels).
//
// The registry does not hash images itself: the PDQ hasher (src/compliance, issue 16 §1)
// fills this in, and a test may fill it from precomputed hashes. Variant kinds are the
// hasher's names: the seven non-identity dihedral transforms and the six crops, so that a
// rotated, mirrored or cropped copy of a registered work is as near as the copy itself.
#pragma once

#include <array>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "compliance/hash256.h"

namespace atelier::compliance {

inline constexpr std::array<std::string_view, 13> kImageVariantKinds = {
    "rotate90",  "rotate180", "rotate270", "flip_x",    "flip_y",      "flip_plus1",  "flip_minus1",
    "centre_75", "centre_50", "top_left",  "top_right", "bottom_left", "bottom_right"};

// Below this PDQ quality an image is too flat for its code to mean anything (the hasher's
// kPdqQualityTrustedMin): the registry refuses to register it.
inline constexpr int kImageQualityMin = 50;

struct ImageSignals {
  Pdq256 pdq{};
  int quality = 0;                                       // 0..100
  std::vector<std::pair<std::string, Pdq256>> variants;  // kinds from kImageVariantKinds
  std::string sha256_file;                               // 64 lowercase hex digits
  std::string sha256_pixels;                             // 64 lowercase hex digits
};

}  // namespace atelier::compliance
