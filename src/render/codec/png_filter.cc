// png_filter.cc — adaptive PNG row filtering (PNG spec section 7.3 and 12.8).
//
// Each row is filtered with all five filter types; the one whose residuals, read as signed
// bytes, have the smallest sum of absolute values wins, ties going to the lower type number.
// This is the heuristic the PNG specification recommends and libpng uses, so our sizes are
// comparable to theirs (PngFilter::kAdaptive).
//
// PngFilter::kAdaptiveCapped caps each residual's cost at 8 (sum of min(|r|, 8)): closer to
// what a Huffman coder pays, roughly the logarithm of |r|, so a row with a few large residuals
// and many zeros beats one with many middling residuals. With png_deflate.cc's coder it gives
// files 1-3 % smaller than the plain sum on our renders (log2 |r| itself: the same within
// 0.1 %) for one more instruction per 16 bytes.
//
// Speed: this runs over 1024² to 4096² RGBA images. Every filter is one straight loop with no
// branches per byte (Paeth uses selects, |r| is min(r, -r) on bytes) over rows padded with
// zero bytes on the left, so the first pixel needs no special case and the compiler can
// vectorise the loops (CMakeLists builds this file at -O3; integer arithmetic only, so the
// output does not depend on how it is compiled).
#include <algorithm>
#include <array>
#include <bit>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <vector>

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#endif

#include "render/codec/internal/formats.h"
#include "render/internal/cpu.h"

namespace atelier::render::codec_internal {
namespace {

constexpr int kFilterTypes = 5;  // None, Sub, Up, Average, Paeth.
constexpr int kPadBytes = 4;     // Zero bytes left of each row: one pixel at 4 bytes.
// Residual cost caps: none (|r| <= 128 always) for kAdaptive; 8 for kAdaptiveCapped.
constexpr int kNoCap = 255;
constexpr int kCostCap = 8;

inline std::uint8_t predict_paeth(std::uint8_t a, std::uint8_t b, std::uint8_t c) {
  const int pa = std::abs(int{b} - int{c});
  const int pb = std::abs(int{a} - int{c});
  const int pc = std::abs(int{a} + int{b} - 2 * int{c});
  // Bitwise & instead of && keeps the choice a select rather than a branch.
  return ((pa <= pb) & (pa <= pc)) ? a : (pb <= pc ? b : c);
}

// Writes the residuals of one filter type into `out` and returns their cost. `cur` and `prev`
// point at the first byte of a row with `bpp` readable zero bytes before it.
// The cost of a residual is |r as int8|, capped at kCap.
template <int kBpp, int kCap = kNoCap, typename Predict>
std::uint32_t filter_with(const std::uint8_t* __restrict cur, const std::uint8_t* __restrict prev,
                          std::size_t row_bytes, std::uint8_t* __restrict out, Predict predict) {
  std::uint32_t cost = 0;
  for (std::size_t i = 0; i < row_bytes; ++i) {
    const auto residual =
        static_cast<std::uint8_t>(cur[i] - predict(cur[i - kBpp], prev[i], prev[i - kBpp]));
    out[i] = residual;
    // |residual as int8| is min(r, 256 - r) computed in bytes; 0x80 maps to 128.
    cost +=
        std::min({residual, static_cast<std::uint8_t>(-residual), static_cast<std::uint8_t>(kCap)});
  }
  return cost;
}

// The predictors of the five filter types, in type order.
using B = std::uint8_t;
constexpr auto kPredictNone = [](B, B, B) { return B{0}; };
constexpr auto kPredictSub = [](B a, B, B) { return a; };
constexpr auto kPredictUp = [](B, B b, B) { return b; };
constexpr auto kPredictAverage = [](B a, B b, B) { return B((unsigned{a} + unsigned{b}) >> 1); };

#if defined(__SSE2__)
// The residuals of filter type kType for sixteen bytes x with left a, up b and up-left c:
// the same integer values as filter_with (Paeth in 16-bit lanes, Average as the rounded-up
// average minus the carry bit).
template <int kType>
inline __m128i residual16(__m128i x, __m128i a, __m128i b, __m128i c) {
  const __m128i zero = _mm_setzero_si128();
  if constexpr (kType == 0) return x;
  if constexpr (kType == 1) return _mm_sub_epi8(x, a);
  if constexpr (kType == 2) return _mm_sub_epi8(x, b);
  if constexpr (kType == 3) {
    return _mm_sub_epi8(
        x, _mm_sub_epi8(_mm_avg_epu8(a, b), _mm_and_si128(_mm_xor_si128(a, b), _mm_set1_epi8(1))));
  }
  if constexpr (kType == 4) {
    auto paeth16 = [&](__m128i a16, __m128i b16, __m128i c16) {
      const __m128i d1 = _mm_sub_epi16(b16, c16), d2 = _mm_sub_epi16(a16, c16),
                    d3 = _mm_add_epi16(d1, d2);
      const __m128i pa = _mm_max_epi16(d1, _mm_sub_epi16(zero, d1));
      const __m128i pb = _mm_max_epi16(d2, _mm_sub_epi16(zero, d2));
      const __m128i pc = _mm_max_epi16(d3, _mm_sub_epi16(zero, d3));
      const __m128i not_a = _mm_or_si128(_mm_cmpgt_epi16(pa, pb), _mm_cmpgt_epi16(pa, pc));
      const __m128i not_b = _mm_cmpgt_epi16(pb, pc);
      const __m128i b_or_c = _mm_or_si128(_mm_andnot_si128(not_b, b16), _mm_and_si128(not_b, c16));
      return _mm_or_si128(_mm_andnot_si128(not_a, a16), _mm_and_si128(not_a, b_or_c));
    };
    const __m128i lo =
        paeth16(_mm_unpacklo_epi8(a, zero), _mm_unpacklo_epi8(b, zero), _mm_unpacklo_epi8(c, zero));
    const __m128i hi =
        paeth16(_mm_unpackhi_epi8(a, zero), _mm_unpackhi_epi8(b, zero), _mm_unpackhi_epi8(c, zero));
    return _mm_sub_epi8(x, _mm_packus_epi16(lo, hi));
  }
}

// Filter types kTypes... over bytes [from, from + (row_bytes − from) / 16 * 16) of a row,
// sixteen bytes at a time: residuals into out[k], sums of |residual as int8| added to
// cost[k]. Returns the end of what it did; filter_with does the rest.
template <int kBpp, int kCap, int... kTypes>
std::size_t filter_sse2(const std::uint8_t* cur, const std::uint8_t* prev, std::size_t row_bytes,
                        std::uint8_t* const* out, std::uint32_t* cost, std::size_t from) {
  constexpr int kCount = sizeof...(kTypes);
  const __m128i zero = _mm_setzero_si128();
  const __m128i cap = _mm_set1_epi8(static_cast<char>(kCap));
  __m128i sums[kCount];
  for (auto& sum : sums) sum = zero;
  auto load = [](const std::uint8_t* p) {
    return _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
  };
  std::size_t i = from;
  for (; i + 16 <= row_bytes; i += 16) {
    const __m128i x = load(cur + i), a = load(cur + i - kBpp), b = load(prev + i),
                  c = load(prev + i - kBpp);
    int k = 0;
    ((
         [&] {
           const __m128i r = residual16<kTypes>(x, a, b, c);
           _mm_storeu_si128(reinterpret_cast<__m128i*>(out[k] + i), r);
           __m128i magnitude = _mm_min_epu8(r, _mm_sub_epi8(zero, r));
           if constexpr (kCap != kNoCap) magnitude = _mm_min_epu8(magnitude, cap);
           sums[k] = _mm_add_epi64(sums[k], _mm_sad_epu8(magnitude, zero));
           ++k;
         }()),
     ...);
  }
  for (int k = 0; k < kCount; ++k) {
    cost[k] += static_cast<std::uint32_t>(_mm_cvtsi128_si32(sums[k]) +
                                          _mm_cvtsi128_si32(_mm_srli_si128(sums[k], 8)));
  }
  return i;
}
#endif

#if defined(__x86_64__) || defined(__i386__)
// residual16 on 32 bytes (AVX2 works in two 128-bit halves, and unpack and pack stay within
// them, so Paeth's 16-bit detour lines up as in residual16): the same integer values.
template <int kType>
[[gnu::target("avx2"), gnu::always_inline]] inline __m256i residual32(__m256i x, __m256i a,
                                                                      __m256i b, __m256i c) {
  const __m256i zero = _mm256_setzero_si256();
  if constexpr (kType == 0) return x;
  if constexpr (kType == 1) return _mm256_sub_epi8(x, a);
  if constexpr (kType == 2) return _mm256_sub_epi8(x, b);
  if constexpr (kType == 3) {
    return _mm256_sub_epi8(
        x, _mm256_sub_epi8(_mm256_avg_epu8(a, b),
                           _mm256_and_si256(_mm256_xor_si256(a, b), _mm256_set1_epi8(1))));
  }
  if constexpr (kType == 4) {
    __m256i halves[2];
    for (int h = 0; h < 2; ++h) {
      const __m256i a16 = h ? _mm256_unpackhi_epi8(a, zero) : _mm256_unpacklo_epi8(a, zero);
      const __m256i b16 = h ? _mm256_unpackhi_epi8(b, zero) : _mm256_unpacklo_epi8(b, zero);
      const __m256i c16 = h ? _mm256_unpackhi_epi8(c, zero) : _mm256_unpacklo_epi8(c, zero);
      const __m256i d1 = _mm256_sub_epi16(b16, c16), d2 = _mm256_sub_epi16(a16, c16),
                    d3 = _mm256_add_epi16(d1, d2);
      const __m256i pa = _mm256_abs_epi16(d1), pb = _mm256_abs_epi16(d2), pc = _mm256_abs_epi16(d3);
      const __m256i not_a = _mm256_or_si256(_mm256_cmpgt_epi16(pa, pb), _mm256_cmpgt_epi16(pa, pc));
      const __m256i not_b = _mm256_cmpgt_epi16(pb, pc);
      const __m256i b_or_c = _mm256_blendv_epi8(b16, c16, not_b);
      halves[h] = _mm256_blendv_epi8(a16, b_or_c, not_a);
    }
    return _mm256_sub_epi8(x, _mm256_packus_epi16(halves[0], halves[1]));
  }
}

// One filter type on 32 bytes: residuals stored at `out`, their capped magnitudes summed.
template <int kType, int kCap>
[[gnu::target("avx2"), gnu::always_inline]] inline void filter32(__m256i x, __m256i a, __m256i b,
                                                                 __m256i c, std::uint8_t* out,
                                                                 __m256i& sum) {
  const __m256i zero = _mm256_setzero_si256();
  const __m256i r = residual32<kType>(x, a, b, c);
  _mm256_storeu_si256(reinterpret_cast<__m256i*>(out), r);
  __m256i magnitude = _mm256_min_epu8(r, _mm256_sub_epi8(zero, r));
  if constexpr (kCap != kNoCap)
    magnitude = _mm256_min_epu8(magnitude, _mm256_set1_epi8(static_cast<char>(kCap)));
  sum = _mm256_add_epi64(sum, _mm256_sad_epu8(magnitude, zero));
}

// filter_sse2 on 32 bytes at a time, from byte 0; the caller goes on from the returned end.
template <int kBpp, int kCap, int... kTypes>
[[gnu::target("avx2")]] std::size_t filter_avx2(const std::uint8_t* cur, const std::uint8_t* prev,
                                                std::size_t row_bytes, std::uint8_t* const* out,
                                                std::uint32_t* cost) {
  constexpr int kCount = sizeof...(kTypes);
  __m256i sums[kCount];
  for (auto& sum : sums) sum = _mm256_setzero_si256();
  std::size_t i = 0;
  for (; i + 32 <= row_bytes; i += 32) {
    const __m256i x = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(cur + i));
    const __m256i a = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(cur + i - kBpp));
    const __m256i b = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(prev + i));
    const __m256i c = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(prev + i - kBpp));
    int k = 0;
    ((filter32<kTypes, kCap>(x, a, b, c, out[k] + i, sums[k]), ++k), ...);
  }
  for (int k = 0; k < kCount; ++k) {
    const __m128i folded =
        _mm_add_epi64(_mm256_castsi256_si128(sums[k]), _mm256_extracti128_si256(sums[k], 1));
    cost[k] += static_cast<std::uint32_t>(_mm_cvtsi128_si32(folded) +
                                          _mm_cvtsi128_si32(_mm_srli_si128(folded, 8)));
  }
  return i;
}
#endif

// Filters one row into `out` (filter byte, then row_bytes residuals) using `scratch`
// (kFilterTypes * row_bytes bytes) for the candidates.
template <int kBpp, int kCap>
void filter_row(const std::uint8_t* cur, const std::uint8_t* prev, std::size_t row_bytes,
                std::uint8_t* scratch, std::uint8_t* out) {
  std::array<std::uint32_t, kFilterTypes> cost{};
  std::uint8_t* candidate[kFilterTypes];
  for (int f = 0; f < kFilterTypes; ++f) candidate[f] = scratch + f * row_bytes;
  std::size_t done = 0;
#if defined(__x86_64__) || defined(__i386__)
  if (internal::use_avx2())
    done = filter_avx2<kBpp, kCap, 0, 1, 2, 3, 4>(cur, prev, row_bytes, candidate, cost.data());
#endif
#if defined(__SSE2__)
  done = filter_sse2<kBpp, kCap, 0, 1, 2, 3, 4>(cur, prev, row_bytes, candidate, cost.data(), done);
#endif
  const std::size_t rest = row_bytes - done;
  cost[0] +=
      filter_with<kBpp, kCap>(cur + done, prev + done, rest, candidate[0] + done, kPredictNone);
  cost[1] +=
      filter_with<kBpp, kCap>(cur + done, prev + done, rest, candidate[1] + done, kPredictSub);
  cost[2] +=
      filter_with<kBpp, kCap>(cur + done, prev + done, rest, candidate[2] + done, kPredictUp);
  cost[3] +=
      filter_with<kBpp, kCap>(cur + done, prev + done, rest, candidate[3] + done, kPredictAverage);
  cost[4] +=
      filter_with<kBpp, kCap>(cur + done, prev + done, rest, candidate[4] + done, predict_paeth);
  // min_element returns the first minimum: ties go to the lower filter type.
  const int best = static_cast<int>(std::min_element(cost.begin(), cost.end()) - cost.begin());
  out[0] = static_cast<std::uint8_t>(best);
  std::memcpy(out + 1, candidate[best], row_bytes);
}

// Filters one row with the fixed type kType straight into `out`.
template <int kBpp, int kType, typename Predict>
void filter_row_as(const std::uint8_t* cur, const std::uint8_t* prev, std::size_t row_bytes,
                   std::uint8_t* out, Predict predict) {
  out[0] = static_cast<std::uint8_t>(kType);
  std::uint8_t* residuals = out + 1;
  std::size_t done = 0;
  [[maybe_unused]] std::uint32_t unused_cost = 0;
#if defined(__x86_64__) || defined(__i386__)
  if (internal::use_avx2())
    done = filter_avx2<kBpp, kNoCap, kType>(cur, prev, row_bytes, &residuals, &unused_cost);
#endif
#if defined(__SSE2__)
  done = filter_sse2<kBpp, kNoCap, kType>(cur, prev, row_bytes, &residuals, &unused_cost, done);
#endif
  filter_with<kBpp>(cur + done, prev + done, row_bytes - done, residuals + done, predict);
}

template <int kBpp>
void filter_row_fixed(PngFilter filter, const std::uint8_t* cur, const std::uint8_t* prev,
                      std::size_t row_bytes, std::uint8_t* out) {
  switch (filter) {
    case PngFilter::kNone: filter_row_as<kBpp, 0>(cur, prev, row_bytes, out, kPredictNone); break;
    case PngFilter::kSub: filter_row_as<kBpp, 1>(cur, prev, row_bytes, out, kPredictSub); break;
    case PngFilter::kUp: filter_row_as<kBpp, 2>(cur, prev, row_bytes, out, kPredictUp); break;
    case PngFilter::kAverage:
      filter_row_as<kBpp, 3>(cur, prev, row_bytes, out, kPredictAverage);
      break;
    case PngFilter::kPaeth: filter_row_as<kBpp, 4>(cur, prev, row_bytes, out, predict_paeth); break;
    case PngFilter::kAdaptive:
    case PngFilter::kAdaptiveCapped: break;  // Not fixed types; the caller does not pass them.
  }
}

// Copies image row `y` into `row` as RGB (dropping alpha) or RGBA.
void unpack_row(const Image& image, int y, int channels_out, std::uint8_t* row) {
  const std::uint8_t* src = image.rgba.data() + std::size_t(y) * std::size_t(image.width) * 4;
  if (channels_out == 4) {
    std::memcpy(row, src, std::size_t(image.width) * 4);
    return;
  }
  int x = 0;
  if constexpr (std::endian::native == std::endian::little) {
    // Four pixels at a time in 64-bit words (a third of the time of the byte loop below; the
    // same bytes): RGBA RGBA -> RGBRGB twice, then 8 + 4 bytes out.
    constexpr std::uint64_t kRgb = 0xffffff, kRgbHigh = kRgb << 24;
    for (; x + 4 <= image.width; x += 4) {
      std::uint64_t lo, hi;
      std::memcpy(&lo, src + x * 4, 8);
      std::memcpy(&hi, src + x * 4 + 8, 8);
      const std::uint64_t a = (lo & kRgb) | ((lo >> 8) & kRgbHigh);
      const std::uint64_t b = (hi & kRgb) | ((hi >> 8) & kRgbHigh);
      const std::uint64_t first = a | b << 48;
      const std::uint32_t second = static_cast<std::uint32_t>(b >> 16);
      std::memcpy(row + x * 3, &first, 8);
      std::memcpy(row + x * 3 + 8, &second, 4);
    }
  }
  for (; x < image.width; ++x) {
    row[x * 3 + 0] = src[x * 4 + 0];
    row[x * 3 + 1] = src[x * 4 + 1];
    row[x * 3 + 2] = src[x * 4 + 2];
  }
}

}  // namespace

std::vector<std::uint8_t> filter_png_rows(const Image& image, int channels_out, PngFilter filter) {
  std::vector<std::uint8_t> out;
  filter_png_rows(image, channels_out, filter, out);
  return out;
}

void filter_png_rows(const Image& image, int channels_out, PngFilter filter,
                     std::vector<std::uint8_t>& out) {
  const std::size_t row_bytes = std::size_t(image.width) * std::size_t(channels_out);
  out.resize((row_bytes + 1) * std::size_t(image.height));  // Every byte is written below.
  // Two padded row buffers (current and previous, zero before the first row) and the
  // candidate residuals of all five filter types.
  std::vector<std::uint8_t> rows(2 * (kPadBytes + row_bytes), 0);
  const bool adaptive = filter == PngFilter::kAdaptive || filter == PngFilter::kAdaptiveCapped;
  std::vector<std::uint8_t> scratch(adaptive ? kFilterTypes * row_bytes : 0);
  std::uint8_t* prev = rows.data() + kPadBytes;
  std::uint8_t* cur = prev + row_bytes + kPadBytes;
  for (int y = 0; y < image.height; ++y) {
    unpack_row(image, y, channels_out, cur);
    std::uint8_t* dst = out.data() + std::size_t(y) * (row_bytes + 1);
    if (!adaptive) {
      if (channels_out == 4) {
        filter_row_fixed<4>(filter, cur, prev, row_bytes, dst);
      } else {
        filter_row_fixed<3>(filter, cur, prev, row_bytes, dst);
      }
    } else if (filter == PngFilter::kAdaptive) {
      if (channels_out == 4) {
        filter_row<4, kNoCap>(cur, prev, row_bytes, scratch.data(), dst);
      } else {
        filter_row<3, kNoCap>(cur, prev, row_bytes, scratch.data(), dst);
      }
    } else if (channels_out == 4) {
      filter_row<4, kCostCap>(cur, prev, row_bytes, scratch.data(), dst);
    } else {
      filter_row<3, kCostCap>(cur, prev, row_bytes, scratch.data(), dst);
    }
    std::swap(cur, prev);
  }
}

}  // namespace atelier::render::codec_internal
