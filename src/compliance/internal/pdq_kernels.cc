// pdq_kernels.cc — the steps of a PDQ hash, as float operations in the reference's order.
//
// Where the time goes: for a 512 x 512 image, four box-filter passes of one add, one subtract
// and one division per pixel. The reference runs each row's (or column's) running sum on its
// own, striding through memory for the column passes. Here every pass runs down the columns
// of a row-major plane, so that the sums of a whole row of lanes advance together in vectors
// (each lane doing exactly the reference's operations for its row or column); a row pass runs
// on a transposed copy. The third pass keeps only the 64 columns that are sampled, and the
// fourth runs on those 64 columns only: the reference computes every pixel of both.
#include "compliance/internal/pdq_kernels.h"

#include <algorithm>
#include <cstdlib>
#include <cstring>

#include "compliance/internal/pdq_dct_matrix.h"
#include "core/assert.h"

#if defined(__SSE2__)
#include <immintrin.h>
#endif

namespace atelier::compliance::internal {
namespace {

// The reference declares these as `const float x = 0.299;`: the double constant rounded to
// float, which is written the same way here (a float literal could round differently).
constexpr float kLumaR = static_cast<float>(0.299);
constexpr float kLumaG = static_cast<float>(0.587);
constexpr float kLumaB = static_cast<float>(0.114);

// The window of one Jarosz pass along a side of `side` pixels, for 64 output samples: half a
// sample's width, rounded up (the reference's computeJaroszFilterWindowSize(side, 64)).
int window_for(int side) { return (side + 2 * kSamples - 1) / (2 * kSamples); }

// Which of `side` pixels output sample i reads: its centre, floor((i + 0.5) * side / 64).
std::array<int, kSamples> sample_positions(int side) {
  std::array<int, kSamples> at{};
  for (int i = 0; i < kSamples; ++i) at[i] = static_cast<int>((2 * i + 1) * side / 128);
  return at;
}

// `in` is rows x cols with rows `in_ld` floats apart; `out` becomes cols x rows with rows
// `out_ld` apart. 4 x 4 blocks in registers, in 32 x 32 tiles so that the rows written stay in
// the cache while a tile is done (the planes' padded strides keep those rows from all falling
// into the same cache sets, as 512 floats apart they would).
void transpose(const float* __restrict in, std::size_t in_ld, float* __restrict out,
               std::size_t out_ld, int rows, int cols) {
  constexpr int kTile = 32;
  for (int r0 = 0; r0 < rows; r0 += kTile) {
    const int r1 = std::min(rows, r0 + kTile);
    for (int c0 = 0; c0 < cols; c0 += kTile) {
      const int c1 = std::min(cols, c0 + kTile);
      int r = r0;
#if defined(__SSE2__)
      for (; r + 4 <= r1; r += 4) {
        int c = c0;
        for (; c + 4 <= c1; c += 4) {
          __m128 a = _mm_loadu_ps(in + r * in_ld + c);
          __m128 b = _mm_loadu_ps(in + (r + 1) * in_ld + c);
          __m128 d = _mm_loadu_ps(in + (r + 2) * in_ld + c);
          __m128 e = _mm_loadu_ps(in + (r + 3) * in_ld + c);
          _MM_TRANSPOSE4_PS(a, b, d, e);
          _mm_storeu_ps(out + c * out_ld + r, a);
          _mm_storeu_ps(out + (c + 1) * out_ld + r, b);
          _mm_storeu_ps(out + (c + 2) * out_ld + r, d);
          _mm_storeu_ps(out + (c + 3) * out_ld + r, e);
        }
        for (; c < c1; ++c) {
          for (int k = 0; k < 4; ++k) out[c * out_ld + r + k] = in[(r + k) * in_ld + c];
        }
      }
#endif
      for (; r < r1; ++r) {
        for (int c = c0; c < c1; ++c) out[c * out_ld + r] = in[r * in_ld + c];
      }
    }
  }
}

// The lane loops of the box filter. Each lane's arithmetic is the reference's for one row or
// column: `sum += in[ri]; sum -= in[li]; out = sum / size` with the size converted to float.
// Built for AVX2 as well as the baseline; the same IEEE operations either way.
#define ATELIER_PDQ_LANES __attribute__((target_clones("avx2", "default")))

ATELIER_PDQ_LANES void add_lanes(float* __restrict sum, const float* __restrict a, int lanes) {
  for (int l = 0; l < lanes; ++l) sum[l] += a[l];
}

ATELIER_PDQ_LANES void add_sub_lanes(float* __restrict sum, const float* __restrict a,
                                     const float* __restrict b, int lanes) {
  for (int l = 0; l < lanes; ++l) {
    float s = sum[l] + a[l];
    sum[l] = s - b[l];
  }
}

ATELIER_PDQ_LANES void sub_lanes(float* __restrict sum, const float* __restrict b, int lanes) {
  for (int l = 0; l < lanes; ++l) sum[l] -= b[l];
}

ATELIER_PDQ_LANES void divide_lanes(float* __restrict out, const float* __restrict sum, float size,
                                    int lanes) {
  for (int l = 0; l < lanes; ++l) out[l] = sum[l] / size;
}

ATELIER_PDQ_LANES void add_sub_divide_lanes(float* __restrict out, float* __restrict sum,
                                            const float* __restrict a, const float* __restrict b,
                                            float size, int lanes) {
  for (int l = 0; l < lanes; ++l) {
    float s = sum[l] + a[l];
    s -= b[l];
    sum[l] = s;
    out[l] = s / size;
  }
}

// The reference's box1DFloat along the first axis of `in` (n rows of `lanes` floats, `in_ld`
// apart), every lane at once, with its four phases: fill the first half window, write while
// the window grows to full size, slide it, write while it shrinks. Output row oi goes to
// out + oi * out_ld, or, with `samples`, to out + k * out_ld for every k with samples[k] == oi
// (and nowhere else).
void box_along(const float* in, std::size_t in_ld, float* out, std::size_t out_ld, int n, int lanes,
               int window, const int* samples, float* sums) {
  const int half = (window + 2) / 2;  // 7 -> 4, 8 -> 5.
  const int grow = window - half + 1;
  const int slide = n - window;
  ATELIER_ASSERT(window >= 1 && slide >= 0, "a PDQ window never exceeds its side");
  std::fill(sums, sums + lanes, 0.0f);
  int next = 0;  // The next sample to write.
  const auto emit = [&](int oi, int size) {
    if (samples == nullptr) {
      divide_lanes(out + oi * out_ld, sums, static_cast<float>(size), lanes);
      return;
    }
    for (; next < kSamples && samples[next] == oi; ++next) {
      divide_lanes(out + next * out_ld, sums, static_cast<float>(size), lanes);
    }
  };
  const auto row = [&](int i) { return in + i * in_ld; };
  int ri = 0, li = 0, oi = 0, size = 0;
  for (int i = 0; i < half - 1; ++i, ++ri, ++size) add_lanes(sums, row(ri), lanes);
  for (int i = 0; i < grow; ++i, ++ri, ++oi) {
    add_lanes(sums, row(ri), lanes);
    emit(oi, ++size);
  }
  for (int i = 0; i < slide; ++i, ++ri, ++li, ++oi) {
    if (samples == nullptr) {
      add_sub_divide_lanes(out + oi * out_ld, sums, row(ri), row(li), static_cast<float>(size),
                           lanes);
    } else {
      add_sub_lanes(sums, row(ri), row(li), lanes);
      if (next < kSamples && samples[next] == oi) emit(oi, size);
    }
  }
  for (int i = 0; i < half - 1; ++i, ++li, ++oi) {
    sub_lanes(sums, row(li), lanes);
    emit(oi, --size);
  }
  ATELIER_ASSERT(ri == n && oi == n, "the box filter reads and writes every position once");
}

// Floats from one row of a plane to the next: a whole number of cache lines, plus one so that
// the rows a transpose writes together spread over the cache's sets.
std::size_t padded(int n) { return (std::size_t(n) + 15) / 16 * 16 + 16; }

}  // namespace

Scratch& Scratch::for_this_thread() {
  thread_local Scratch scratch;
  return scratch;
}

namespace {

// The luma of one row of pixels. `from_col` maps output columns to input columns when the
// image is resampled, else is null. Four pixels at a time where SSE2 is there: each lane does
// the scalar loop's products and sums in its order.
void luma_row(const std::uint8_t* src, const int* from_col, int cols, bool grey, float* dst) {
  const auto pixel = [&](int x) { return src + std::size_t(from_col ? from_col[x] : x) * 4; };
  int x = 0;
#if defined(__SSE2__)
  const __m128i byte = _mm_set1_epi32(0xff);
  const __m128 kr = _mm_set1_ps(kLumaR), kg = _mm_set1_ps(kLumaG), kb = _mm_set1_ps(kLumaB);
  for (; x + 4 <= cols; x += 4) {
    __m128i px;  // Four RGBA pixels; R is the low byte of each 32-bit lane (little-endian).
    if (from_col == nullptr) {
      px = _mm_loadu_si128(reinterpret_cast<const __m128i*>(src + std::size_t(x) * 4));
    } else {
      std::uint32_t p[4];
      for (int k = 0; k < 4; ++k) std::memcpy(&p[k], pixel(x + k), 4);
      px = _mm_set_epi32(int(p[3]), int(p[2]), int(p[1]), int(p[0]));
    }
    const __m128 r = _mm_cvtepi32_ps(_mm_and_si128(px, byte));
    if (grey) {
      _mm_storeu_ps(dst + x, r);
      continue;
    }
    const __m128 g = _mm_cvtepi32_ps(_mm_and_si128(_mm_srli_epi32(px, 8), byte));
    const __m128 b = _mm_cvtepi32_ps(_mm_and_si128(_mm_srli_epi32(px, 16), byte));
    const __m128 rg = _mm_add_ps(_mm_mul_ps(kr, r), _mm_mul_ps(kg, g));
    _mm_storeu_ps(dst + x, _mm_add_ps(rg, _mm_mul_ps(kb, b)));
  }
#endif
  for (; x < cols; ++x) {
    const std::uint8_t* p = pixel(x);
    dst[x] = grey ? static_cast<float>(p[0])
                  : kLumaR * static_cast<float>(p[0]) + kLumaG * static_cast<float>(p[1]) +
                        kLumaB * static_cast<float>(p[2]);
  }
}

}  // namespace

Luma fill_luma(const PixelView& pixels, Scratch& scratch) {
  const bool shrink = pixels.width > kPdqPreshrinkSide || pixels.height > kPdqPreshrinkSide;
  const int rows = shrink ? kPdqPreshrinkSide : pixels.height;
  const int cols = shrink ? kPdqPreshrinkSide : pixels.width;
  const std::size_t ld = padded(rows);
  const std::size_t plane = std::max(std::size_t(cols) * ld, std::size_t(rows) * padded(cols));
  if (scratch.plane_a.size() < plane) scratch.plane_a.resize(plane);
  // A band of rows is computed, then transposed into the plane.
  constexpr int kBand = 16;
  if (scratch.band.size() < std::size_t(kBand) * cols)
    scratch.band.resize(std::size_t(kBand) * cols);
  // CImg's nearest-neighbour resize: output x reads floor(x * width / 512), exact in integers.
  std::array<int, kPdqPreshrinkSide> from_col{};
  for (int x = 0; shrink && x < cols; ++x) {
    from_col[x] = static_cast<int>(std::int64_t{x} * pixels.width / kPdqPreshrinkSide);
  }
  float* out = scratch.plane_a.data();
  for (int y0 = 0; y0 < rows; y0 += kBand) {
    const int band = std::min(kBand, rows - y0);
    for (int k = 0; k < band; ++k) {
      const int y = y0 + k;
      const int from_row =
          shrink ? static_cast<int>(std::int64_t{y} * pixels.height / kPdqPreshrinkSide) : y;
      luma_row(pixels.rgba + std::ptrdiff_t(from_row) * pixels.row_bytes,
               shrink ? from_col.data() : nullptr, cols, pixels.grey,
               scratch.band.data() + std::size_t(k) * cols);
    }
    transpose(scratch.band.data(), cols, out + y0, ld, band, cols);
  }
  return {rows, cols, ld, out};
}

void blur_and_sample(const Luma& luma, Scratch& scratch, Samples64& out) {
  const int rows = luma.rows, cols = luma.cols;
  ATELIER_ASSERT(luma.data == scratch.plane_a.data(), "fill_luma's plane is blurred in place");
  const std::size_t ld_r = luma.ld, ld_c = padded(cols);  // Rows of the transposed, plain plane.
  const std::size_t plane = std::max(std::size_t(cols) * ld_r, std::size_t(rows) * ld_c);
  if (scratch.plane_b.size() < plane) scratch.plane_b.resize(plane);
  // Two strips for the last two passes (64 x rows, then rows x 64), and the running sums.
  constexpr std::size_t kStripLd = kSamples + 16;
  const std::size_t strip_a = kSamples * ld_r, strip_b = std::size_t(rows) * kStripLd;
  const std::size_t lanes_max = std::max<std::size_t>(std::max(rows, cols), kSamples);
  if (scratch.strips.size() < strip_a + strip_b + lanes_max) {
    scratch.strips.resize(strip_a + strip_b + lanes_max);
  }
  float* a = scratch.plane_a.data();
  float* b = scratch.plane_b.data();
  float* s_a = scratch.strips.data();
  float* s_b = s_a + strip_a;
  float* sums = s_b + strip_b;
  const int along_rows = window_for(cols), along_cols = window_for(rows);
  const std::array<int, kSamples> at_row = sample_positions(rows);
  const std::array<int, kSamples> at_col = sample_positions(cols);

  // a holds the image transposed (cols x rows): a row pass runs down its columns.
  box_along(a, ld_r, b, ld_r, cols, rows, along_rows, nullptr, sums);  // pass 1 (rows)
  transpose(b, ld_r, a, ld_c, cols, rows);                             // a: rows x cols
  box_along(a, ld_c, b, ld_c, rows, cols, along_cols, nullptr, sums);  // pass 2 (columns)
  transpose(b, ld_c, a, ld_r, rows, cols);                             // a: cols x rows
  // Pass 3 (rows) writes only the 64 sampled columns: s_a is 64 x rows.
  box_along(a, ld_r, s_a, ld_r, cols, rows, along_rows, at_col.data(), sums);
  transpose(s_a, ld_r, s_b, kStripLd, kSamples, rows);  // s_b: rows x 64
  // Pass 4 (columns) on those 64 columns, writing the 64 sampled rows.
  box_along(s_b, kStripLd, out.data(), kSamples, rows, kSamples, along_cols, at_row.data(), sums);
}

int quality_of(const Samples64& s) {
  int gradient_sum = 0;
  const auto step = [](float u, float v) {
    const int d = static_cast<int>(((u - v) * 100.0f) / 255.0f);  // Truncated, as in C.
    return std::abs(d);
  };
  for (int i = 0; i < kSamples - 1; ++i) {
    for (int j = 0; j < kSamples; ++j) {
      gradient_sum += step(s[i * kSamples + j], s[(i + 1) * kSamples + j]);
    }
  }
  for (int i = 0; i < kSamples; ++i) {
    for (int j = 0; j < kSamples - 1; ++j) {
      gradient_sum += step(s[i * kSamples + j], s[i * kSamples + j + 1]);
    }
  }
  return std::min(gradient_sum / 90, 100);
}

void dct_64_to_16(const Samples64& a, Block16& out) {
  // T = D A: T[i][j] = sum over k of D[i][k] * A[k][j], summed in k order from 0.
  std::array<float, kBlock * kSamples> t{};
  for (int i = 0; i < kBlock; ++i) {
    float* ti = t.data() + i * kSamples;
    for (int k = 0; k < kSamples; ++k) {
      const float d = kDctMatrix[i * kDctCols + k];
      const float* ak = a.data() + k * kSamples;
      for (int j = 0; j < kSamples; ++j) ti[j] += d * ak[j];
    }
  }
  // B = T D^T: B[i][j] = sum over k of T[i][k] * D[j][k], from D transposed.
  static const std::array<float, kSamples* kBlock> dt = [] {
    std::array<float, kSamples * kBlock> m{};
    for (int j = 0; j < kBlock; ++j) {
      for (int k = 0; k < kSamples; ++k) m[k * kBlock + j] = kDctMatrix[j * kDctCols + k];
    }
    return m;
  }();
  out.fill(0.0f);
  for (int i = 0; i < kBlock; ++i) {
    float* bi = out.data() + i * kBlock;
    for (int k = 0; k < kSamples; ++k) {
      const float tik = t[i * kSamples + k];
      const float* dk = dt.data() + k * kBlock;
      for (int j = 0; j < kBlock; ++j) bi[j] += tik * dk[j];
    }
  }
}

PdqHash bits_of(const Block16& block) {
  // Torben's median of 256 values, as the reference computes it, is the 128th smallest.
  Block16 sorted = block;
  std::nth_element(sorted.begin(), sorted.begin() + 127, sorted.end());
  const float median = sorted[127];
  PdqHash hash;
  for (int k = 0; k < kBlock * kBlock; ++k) {
    if (block[k] > median) hash.set_bit(k);
  }
  return hash;
}

void dihedral_block(const Block16& in, Dihedral d, Block16& out) {
  // The reference's dct16OriginalTo* functions: which coefficients change sign, and whether
  // the block is transposed (for the transforms that swap the image's axes).
  const auto negate = [d](int i, int j) {
    switch (d) {
      case Dihedral::kOriginal:
        return false;
      case Dihedral::kRotate90:
        return (j & 1) == 0;
      case Dihedral::kRotate180:
        return ((i + j) & 1) != 0;
      case Dihedral::kRotate270:
        return (i & 1) == 0;
      case Dihedral::kFlipX:
        return (i & 1) == 0;
      case Dihedral::kFlipY:
        return (j & 1) == 0;
      case Dihedral::kFlipPlus1:
        return false;
      case Dihedral::kFlipMinus1:
        return ((i + j) & 1) != 0;
    }
    return false;
  };
  const bool transposed = d == Dihedral::kRotate90 || d == Dihedral::kRotate270 ||
                          d == Dihedral::kFlipPlus1 || d == Dihedral::kFlipMinus1;
  for (int i = 0; i < kBlock; ++i) {
    for (int j = 0; j < kBlock; ++j) {
      const float v = in[i * kBlock + j];
      out[transposed ? j * kBlock + i : i * kBlock + j] = negate(i, j) ? -v : v;
    }
  }
}

}  // namespace atelier::compliance::internal
