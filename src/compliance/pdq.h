// pdq.h — PDQ perceptual hashes (Meta's "PDQ" photo hash), written from its published
// description and bit-for-bit equal to Meta's reference C++ implementation
// (facebook/ThreatExchange, pdq/cpp) for the same decoded pixels.
//
//   PixelView view = PixelView::of(image, /*grey=*/false);
//   PdqResult a = pdq_hash(view);
//   if (a.quality >= kPdqQualityTrustedMin && hamming_distance(a.hash, b.hash) <= 31) ...
//
// The algorithm (docs/compliance.md has the details and the reasons):
//   1. An image wider or taller than 512 px is first resampled to 512 x 512 by nearest
//      neighbour, as the reference's decoder step does (CImg resize, aspect not kept).
//   2. Luma per pixel in float, 0.299 R + 0.587 G + 0.114 B; a grey file's luma is its grey.
//   3. Two passes of a Jarosz box filter along rows then columns, window ceil(side / 128).
//   4. 64 x 64 samples at pixel centres; the quality metric from their gradients.
//   5. The 16 x 16 DCT coefficients (1..16) x (1..16), i.e. without the DC row and column.
//   6. Bit (16 i + j) is set when coefficient (i, j) exceeds the median of the 256.
// The dihedral variants (rotations, flips) come from the same DCT by sign changes and a
// transpose, so a rotated or mirrored copy matches one of them.
//
// Thread safety: every function is reentrant; scratch buffers are per thread.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "core/error.h"
#include "render/image.h"

namespace atelier::compliance {

inline constexpr int kPdqBits = 256;
inline constexpr int kPdqHexChars = 64;
// Hashes of quality below this are not trusted for matching (flat or nearly flat images).
inline constexpr int kPdqQualityTrustedMin = 50;
// The reference's thresholds: at most 31 differing bits is a match in its own terms.
inline constexpr int kPdqMatchDistanceMax = 31;
// Sides below this give the all-zero hash with quality 0, as in the reference.
inline constexpr int kPdqSideMin = 5;
// Larger images are resampled to this square first (the reference's DOWNSAMPLE_DIMS).
inline constexpr int kPdqPreshrinkSide = 512;

// 256 bits as the reference stores them: word i holds bits 16 i .. 16 i + 15, bit 16 i + j is
// coefficient (i, j) of the 16 x 16 DCT block.
struct PdqHash {
  std::array<std::uint16_t, 16> words{};

  bool bit(int k) const { return (words[k >> 4] >> (k & 15)) & 1; }
  void set_bit(int k) { words[k >> 4] = std::uint16_t(words[k >> 4] | (1u << (k & 15))); }
  friend bool operator==(const PdqHash&, const PdqHash&) = default;
};

int hamming_distance(const PdqHash& a, const PdqHash& b);

// 64 lowercase hex digits in the reference's word order: word 15 first, each word as 4 digits.
std::string to_hex(const PdqHash& hash);
// The inverse; either case. Error "invalid_pdq_hash" (field "pdq") for anything else.
Result<PdqHash> parse_pdq_hex(std::string_view hex);

// The eight dihedral transforms, in the reference's order (pdqDihedralHash256esFromFloatLuma).
// A variant is the hash the transformed image would have: rotate90 is the image turned 90°
// counter-clockwise; flip_x mirrors top and bottom, flip_y left and right; flip_plus1 is the
// transpose, flip_minus1 the anti-transpose.
enum class Dihedral {
  kOriginal,
  kRotate90,
  kRotate180,
  kRotate270,
  kFlipX,
  kFlipY,
  kFlipPlus1,
  kFlipMinus1
};
inline constexpr int kDihedralCount = 8;
// "original", "rotate90", "rotate180", "rotate270", "flip_x", "flip_y", "flip_plus1",
// "flip_minus1".
const char* dihedral_name(Dihedral d);

struct PdqResult {
  PdqHash hash;
  int quality = 0;  // 0..100
};

struct PdqDihedral {
  std::array<PdqHash, kDihedralCount> hashes;  // Indexed by Dihedral.
  int quality = 0;
  const PdqHash& operator[](Dihedral d) const { return hashes[static_cast<int>(d)]; }
};

// 8-bit RGBA pixels to hash (alpha is ignored: the reference has no alpha, and its Python
// port drops it the same way), or a rectangle of them. Not owning.
struct PixelView {
  const std::uint8_t* rgba = nullptr;  // The top-left pixel.
  int width = 0;
  int height = 0;
  std::ptrdiff_t row_bytes = 0;  // From one row to the next, at least width * 4.
  // The file stored one grey channel (R == G == B): luma is that value, as in the reference,
  // which differs from 0.299 v + 0.587 v + 0.114 v by an ulp for 35 of the 256 values.
  bool grey = false;

  static PixelView of(const render::Image& image, bool grey);
  // The rectangle [x, x + w) x [y, y + h), which must lie inside this view.
  PixelView crop(int x, int y, int w, int h) const;
};

// The hash and quality of `pixels`, as the reference's pdqHash256FromFloatLuma (a 64 x 64
// image goes to the DCT unfiltered there, and here).
PdqResult pdq_hash(const PixelView& pixels);

// The eight variants, as the reference's pdqDihedralHash256esFromFloatLuma, which always
// filters: for a 64 x 64 image its original may differ from pdq_hash's in a few bits.
PdqDihedral pdq_dihedral(const PixelView& pixels);

// The distance of `query` to the nearest variant of a registered image: a rotated or mirrored
// copy of it is as near as the copy itself would be.
int dihedral_distance(const PdqDihedral& registered, const PdqHash& query);

}  // namespace atelier::compliance
