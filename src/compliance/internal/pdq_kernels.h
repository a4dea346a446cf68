// pdq_kernels.h — the steps of a PDQ hash (pdq.h); private to compliance.
//
// Each step performs the reference's float operations in the reference's order, so the results
// are the same bits: sums run in the same sequence, divisions stay divisions (never a multiply
// by a reciprocal), nothing is fused (-ffp-contract=off). What differs is only the layout and
// how many independent sums run side by side: a box filter along rows runs over a transposed
// copy so that the running sums of many rows sit in one vector.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <vector>

#include "compliance/pdq.h"

namespace atelier::compliance::internal {

inline constexpr int kSamples = 64;  // The 64 x 64 image the DCT reads.
inline constexpr int kBlock = 16;    // The 16 x 16 DCT block the bits come from.

using Samples64 = std::array<float, kSamples * kSamples>;  // Row-major.
using Block16 = std::array<float, kBlock * kBlock>;        // Row-major.

// The luma of an image of rows x cols, stored transposed: image column c is row c of the
// plane, its pixel at row r at data[c * ld + r] (a row pass runs down the plane's columns).
struct Luma {
  int rows = 0;
  int cols = 0;
  std::size_t ld = 0;  // Floats from one plane row to the next, at least rows.
  float* data = nullptr;
  float at(int r, int c) const { return data[std::size_t(c) * ld + std::size_t(r)]; }
};

// Per-thread buffers reused from call to call: two planes of at most 512 x 528 floats, and
// strips of 64 x 528 and 512 x 80.
struct Scratch {
  std::vector<float> plane_a;
  std::vector<float> plane_b;
  std::vector<float> band;
  std::vector<float> strips;
  static Scratch& for_this_thread();
};

// The luma of `pixels` into scratch.plane_a, after the reference's resampling of an image
// wider or taller than kPdqPreshrinkSide to that square (nearest neighbour: output column x
// reads column floor(x * width / 512), as CImg's resize does).
Luma fill_luma(const PixelView& pixels, Scratch& scratch);

// Two Jarosz passes (a box filter along rows, then along columns, twice) over `luma`, then the
// 64 x 64 samples at pixel centres: row floor((2 i + 1) rows / 128), the same for columns.
// Clobbers luma.data and the scratch planes.
void blur_and_sample(const Luma& luma, Scratch& scratch, Samples64& out);

// The reference's quality metric: the sum of |(u - v) * 100 / 255| (truncated to int) over
// neighbouring samples, divided by 90, at most 100.
int quality_of(const Samples64& samples);

// Coefficients (1..16) x (1..16) of the 2-D DCT-II of the samples: D A D^T.
void dct_64_to_16(const Samples64& samples, Block16& out);

// One bit per coefficient: set when it is above the median (the 128th smallest of the 256,
// which is what the reference's Torben median returns for 256 values).
PdqHash bits_of(const Block16& block);

// The DCT block of the transformed image, from the original's (signs and a transpose).
void dihedral_block(const Block16& block, Dihedral d, Block16& out);

}  // namespace atelier::compliance::internal
