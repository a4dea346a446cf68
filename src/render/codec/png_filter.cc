// png_filter.cc — adaptive PNG row filtering (PNG spec section 7.3 and 12.8).
//
// Each row is filtered with all five filter types; the one whose residuals, read as signed
// bytes, have the smallest sum of absolute values wins, ties going to the lower type number.
// This is the heuristic the PNG specification recommends and libpng uses, so our sizes are
// comparable to theirs.
//
// Speed: this runs over 1024² to 4096² RGBA images. Every filter is one straight loop with no
// branches per byte (Paeth uses selects, |r| is min(r, -r) on bytes) over rows padded with
// zero bytes on the left, so the first pixel needs no special case and the compiler can
// vectorise the loops (CMakeLists builds this file at -O3; integer arithmetic only, so the
// output does not depend on how it is compiled).
#include <algorithm>
#include <array>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <vector>

#include "render/codec/internal.h"

namespace atelier::render::codec_internal {
namespace {

constexpr int kFilterTypes = 5;  // None, Sub, Up, Average, Paeth.
constexpr int kPadBytes = 4;     // Zero bytes left of each row: one pixel at 4 bytes.

inline std::uint8_t predict_paeth(std::uint8_t a, std::uint8_t b, std::uint8_t c) {
  const int pa = std::abs(int{b} - int{c});
  const int pb = std::abs(int{a} - int{c});
  const int pc = std::abs(int{a} + int{b} - 2 * int{c});
  // Bitwise & instead of && keeps the choice a select rather than a branch.
  return ((pa <= pb) & (pa <= pc)) ? a : (pb <= pc ? b : c);
}

// Writes the residuals of one filter type into `out` and returns their cost. `cur` and `prev`
// point at the first byte of a row with `bpp` readable zero bytes before it.
template <int kBpp, typename Predict>
std::uint32_t filter_with(const std::uint8_t* __restrict cur, const std::uint8_t* __restrict prev,
                          std::size_t row_bytes, std::uint8_t* __restrict out, Predict predict) {
  std::uint32_t cost = 0;
  for (std::size_t i = 0; i < row_bytes; ++i) {
    const auto residual =
        static_cast<std::uint8_t>(cur[i] - predict(cur[i - kBpp], prev[i], prev[i - kBpp]));
    out[i] = residual;
    // |residual as int8| is min(r, 256 - r) computed in bytes; 0x80 maps to 128.
    cost += std::min(residual, static_cast<std::uint8_t>(-residual));
  }
  return cost;
}

// Filters one row into `out` (filter byte, then row_bytes residuals) using `scratch`
// (kFilterTypes * row_bytes bytes) for the candidates.
template <int kBpp>
void filter_row(const std::uint8_t* cur, const std::uint8_t* prev, std::size_t row_bytes,
                std::uint8_t* scratch, std::uint8_t* out) {
  using B = std::uint8_t;
  std::array<std::uint32_t, kFilterTypes> cost;
  std::uint8_t* candidate[kFilterTypes];
  for (int f = 0; f < kFilterTypes; ++f) candidate[f] = scratch + f * row_bytes;
  cost[0] = filter_with<kBpp>(cur, prev, row_bytes, candidate[0], [](B, B, B) { return B{0}; });
  cost[1] = filter_with<kBpp>(cur, prev, row_bytes, candidate[1], [](B a, B, B) { return a; });
  cost[2] = filter_with<kBpp>(cur, prev, row_bytes, candidate[2], [](B, B b, B) { return b; });
  cost[3] = filter_with<kBpp>(cur, prev, row_bytes, candidate[3],
                              [](B a, B b, B) { return B((unsigned{a} + unsigned{b}) >> 1); });
  cost[4] = filter_with<kBpp>(cur, prev, row_bytes, candidate[4], predict_paeth);
  // min_element returns the first minimum: ties go to the lower filter type.
  const int best = static_cast<int>(std::min_element(cost.begin(), cost.end()) - cost.begin());
  out[0] = static_cast<std::uint8_t>(best);
  std::memcpy(out + 1, candidate[best], row_bytes);
}

// Copies image row `y` into `row` as RGB (dropping alpha) or RGBA.
void unpack_row(const Image& image, int y, int channels_out, std::uint8_t* row) {
  const std::uint8_t* src = image.rgba.data() + std::size_t(y) * std::size_t(image.width) * 4;
  if (channels_out == 4) {
    std::memcpy(row, src, std::size_t(image.width) * 4);
    return;
  }
  for (int x = 0; x < image.width; ++x) {
    row[x * 3 + 0] = src[x * 4 + 0];
    row[x * 3 + 1] = src[x * 4 + 1];
    row[x * 3 + 2] = src[x * 4 + 2];
  }
}

}  // namespace

std::vector<std::uint8_t> filter_png_rows(const Image& image, int channels_out) {
  const std::size_t row_bytes = std::size_t(image.width) * std::size_t(channels_out);
  std::vector<std::uint8_t> out((row_bytes + 1) * std::size_t(image.height));
  // Two padded row buffers (current and previous, zero before the first row) and the
  // candidate residuals of all five filter types.
  std::vector<std::uint8_t> rows(2 * (kPadBytes + row_bytes), 0);
  std::vector<std::uint8_t> scratch(kFilterTypes * row_bytes);
  std::uint8_t* prev = rows.data() + kPadBytes;
  std::uint8_t* cur = prev + row_bytes + kPadBytes;
  for (int y = 0; y < image.height; ++y) {
    unpack_row(image, y, channels_out, cur);
    std::uint8_t* dst = out.data() + std::size_t(y) * (row_bytes + 1);
    if (channels_out == 4) {
      filter_row<4>(cur, prev, row_bytes, scratch.data(), dst);
    } else {
      filter_row<3>(cur, prev, row_bytes, scratch.data(), dst);
    }
    std::swap(cur, prev);
  }
  return out;
}

}  // namespace atelier::render::codec_internal
