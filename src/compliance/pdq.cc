// pdq.cc — PDQ hashes from pixels (pdq.h); the steps are in internal/pdq_kernels.cc.
#include "compliance/pdq.h"

#include <algorithm>
#include <bit>

#include "compliance/internal/pdq_kernels.h"
#include "core/assert.h"

namespace atelier::compliance {
namespace {

namespace in = internal;

void check_view(const PixelView& p) {
  ATELIER_ASSERT(
      p.width >= 1 && p.height >= 1 && p.rgba != nullptr,
      "a pixel view has pixels: " + std::to_string(p.width) + "x" + std::to_string(p.height));
  ATELIER_ASSERT(p.row_bytes >= std::ptrdiff_t{p.width} * 4, "rows of a view do not overlap");
}

// The sides the reference hashes at: the image's, or 512 x 512 for a larger one.
bool hashable(const PixelView& p) {
  const bool shrink = p.width > kPdqPreshrinkSide || p.height > kPdqPreshrinkSide;
  return shrink || (p.width >= kPdqSideMin && p.height >= kPdqSideMin);
}

}  // namespace

int hamming_distance(const PdqHash& a, const PdqHash& b) {
  int bits = 0;
  for (int i = 0; i < 16; ++i) bits += std::popcount(unsigned(a.words[i] ^ b.words[i]));
  return bits;
}

std::string to_hex(const PdqHash& hash) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string hex;
  hex.reserve(kPdqHexChars);
  for (int w = 15; w >= 0; --w) {
    for (int shift = 12; shift >= 0; shift -= 4) hex += kDigits[(hash.words[w] >> shift) & 15];
  }
  return hex;
}

Result<PdqHash> parse_pdq_hex(std::string_view hex) {
  const auto bad = [&] {
    return fail(Error::invalid(
        "invalid_pdq_hash",
        "a PDQ hash is 64 hex digits, not \"" + std::string(hex.substr(0, 80)) + "\"", "pdq"));
  };
  if (hex.size() != kPdqHexChars) return bad();
  PdqHash hash;
  for (int i = 0; i < kPdqHexChars; ++i) {
    const char c = hex[i];
    int v = 0;
    if (c >= '0' && c <= '9') {
      v = c - '0';
    } else if (c >= 'a' && c <= 'f') {
      v = c - 'a' + 10;
    } else if (c >= 'A' && c <= 'F') {
      v = c - 'A' + 10;
    } else {
      return bad();
    }
    const int word = 15 - i / 4;
    hash.words[word] = std::uint16_t((hash.words[word] << 4) | v);
  }
  return hash;
}

const char* dihedral_name(Dihedral d) {
  switch (d) {
    case Dihedral::kOriginal:
      return "original";
    case Dihedral::kRotate90:
      return "rotate90";
    case Dihedral::kRotate180:
      return "rotate180";
    case Dihedral::kRotate270:
      return "rotate270";
    case Dihedral::kFlipX:
      return "flip_x";
    case Dihedral::kFlipY:
      return "flip_y";
    case Dihedral::kFlipPlus1:
      return "flip_plus1";
    case Dihedral::kFlipMinus1:
      return "flip_minus1";
  }
  return "unknown";
}

PixelView PixelView::of(const render::Image& image, bool grey) {
  ATELIER_ASSERT(image.rgba.size() == std::size_t(image.width) * std::size_t(image.height) * 4,
                 "an Image holds width * height RGBA pixels");
  return {image.rgba.data(), image.width, image.height, std::ptrdiff_t{image.width} * 4, grey};
}

PixelView PixelView::crop(int x, int y, int w, int h) const {
  ATELIER_ASSERT(x >= 0 && y >= 0 && w >= 1 && h >= 1 && x + w <= width && y + h <= height,
                 "a crop lies inside its image");
  return {rgba + std::ptrdiff_t(y) * row_bytes + std::ptrdiff_t(x) * 4, w, h, row_bytes, grey};
}

PdqResult pdq_hash(const PixelView& pixels) {
  check_view(pixels);
  if (!hashable(pixels)) return {};  // The reference's all-zero hash, quality 0.
  in::Scratch& scratch = in::Scratch::for_this_thread();
  const in::Luma luma = in::fill_luma(pixels, scratch);
  in::Samples64 samples;
  if (luma.rows == in::kSamples && luma.cols == in::kSamples) {
    // The reference takes a 64 x 64 image as its own samples, unfiltered.
    for (int r = 0; r < in::kSamples; ++r) {
      for (int c = 0; c < in::kSamples; ++c) samples[r * in::kSamples + c] = luma.at(r, c);
    }
  } else {
    in::blur_and_sample(luma, scratch, samples);
  }
  PdqResult result;
  result.quality = in::quality_of(samples);
  in::Block16 block;
  in::dct_64_to_16(samples, block);
  result.hash = in::bits_of(block);
  return result;
}

PdqDihedral pdq_dihedral(const PixelView& pixels) {
  check_view(pixels);
  if (!hashable(pixels)) return {};
  in::Scratch& scratch = in::Scratch::for_this_thread();
  const in::Luma luma = in::fill_luma(pixels, scratch);
  in::Samples64 samples;
  in::blur_and_sample(luma, scratch, samples);
  PdqDihedral result;
  result.quality = in::quality_of(samples);
  in::Block16 block, variant;
  in::dct_64_to_16(samples, block);
  for (int d = 0; d < kDihedralCount; ++d) {
    in::dihedral_block(block, static_cast<Dihedral>(d), variant);
    result.hashes[d] = in::bits_of(variant);
  }
  return result;
}

int dihedral_distance(const PdqDihedral& registered, const PdqHash& query) {
  int best = kPdqBits;
  for (const PdqHash& h : registered.hashes) best = std::min(best, hamming_distance(h, query));
  return best;
}

}  // namespace atelier::compliance
