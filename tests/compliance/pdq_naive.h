// pdq_naive.h — PDQ written the plain way, one row or column at a time, straight from the
// published description and in the order of operations of Meta's reference (which this file
// does not copy). The tests compare src/compliance's vectorised, transposed kernels with it on
// many sizes: the two must give the same bits everywhere, not only on the committed images.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <vector>

#include "compliance/pdq.h"

namespace atelier::testing {

struct NaivePdq {
  compliance::PdqHash hash;
  int quality = 0;
  std::vector<float> dct;  // 16 x 16
};

// One box pass over n values at `stride`: running sum, growing, sliding, shrinking window.
inline void naive_box(const float* in, float* out, int n, int stride, int window) {
  const int half = (window + 2) / 2;
  float sum = 0.0f;
  int size = 0, ri = 0, li = 0, oi = 0;
  for (; ri < half - 1; ++ri) sum += in[ri * stride], ++size;
  for (int i = 0; i < window - half + 1; ++i, ++ri, ++oi) {
    sum += in[ri * stride];
    ++size;
    out[oi * stride] = sum / static_cast<float>(size);
  }
  for (; ri < n; ++ri, ++li, ++oi) {
    sum += in[ri * stride];
    sum -= in[li * stride];
    out[oi * stride] = sum / static_cast<float>(size);
  }
  for (; oi < n; ++li, ++oi) {
    sum -= in[li * stride];
    --size;
    out[oi * stride] = sum / static_cast<float>(size);
  }
}

// `filter`: false takes a 64 x 64 image unfiltered (the plain hash), true always filters.
inline NaivePdq naive_pdq(const compliance::PixelView& p, bool always_filter = false) {
  int rows = p.height, cols = p.width;
  const bool shrink = rows > 512 || cols > 512;
  if (shrink) rows = cols = 512;
  NaivePdq result;
  if (rows < 5 || cols < 5) return result;
  std::vector<float> a(std::size_t(rows) * cols), b(a.size());
  const float kr = static_cast<float>(0.299), kg = static_cast<float>(0.587),
              kb = static_cast<float>(0.114);
  for (int y = 0; y < rows; ++y) {
    for (int x = 0; x < cols; ++x) {
      const int sy = shrink ? int(std::int64_t{y} * p.height / 512) : y;
      const int sx = shrink ? int(std::int64_t{x} * p.width / 512) : x;
      const std::uint8_t* px = p.rgba + sy * p.row_bytes + sx * 4;
      a[y * cols + x] =
          p.grey ? float(px[0]) : kr * float(px[0]) + kg * float(px[1]) + kb * float(px[2]);
    }
  }
  float s[64][64];
  if (rows == 64 && cols == 64 && !always_filter) {
    for (int i = 0; i < 64 * 64; ++i) s[i / 64][i % 64] = a[i];
  } else {
    const int wr = (cols + 127) / 128, wc = (rows + 127) / 128;
    for (int pass = 0; pass < 2; ++pass) {
      for (int y = 0; y < rows; ++y) naive_box(&a[y * cols], &b[y * cols], cols, 1, wr);
      for (int x = 0; x < cols; ++x) naive_box(&b[x], &a[x], rows, cols, wc);
    }
    for (int i = 0; i < 64; ++i) {
      for (int j = 0; j < 64; ++j) {
        s[i][j] = a[int((i + 0.5) * rows / 64) * cols + int((j + 0.5) * cols / 64)];
      }
    }
  }
  int gradients = 0;
  for (int i = 0; i < 64; ++i) {
    for (int j = 0; j < 64; ++j) {
      if (i < 63) gradients += std::abs(int((s[i][j] - s[i + 1][j]) * 100.0f / 255.0f));
      if (j < 63) gradients += std::abs(int((s[i][j] - s[i][j + 1]) * 100.0f / 255.0f));
    }
  }
  result.quality = std::min(100, gradients / 90);
  // The DCT matrix from its formula, as the reference computes it.
  float d[16][64];
  const float scale = static_cast<float>(std::sqrt(2.0 / 64));
  for (int i = 0; i < 16; ++i) {
    for (int j = 0; j < 64; ++j) {
      d[i][j] = static_cast<float>(scale * std::cos(3.14159265358979323846 / 2.0 / 64.0 *
                                                    double(i + 1) * double(2 * j + 1)));
    }
  }
  float t[16][64];
  for (int i = 0; i < 16; ++i) {
    for (int j = 0; j < 64; ++j) {
      float sum = 0.0f;
      for (int k = 0; k < 64; ++k) sum += d[i][k] * s[k][j];
      t[i][j] = sum;
    }
  }
  result.dct.resize(256);
  for (int i = 0; i < 16; ++i) {
    for (int j = 0; j < 16; ++j) {
      float sum = 0.0f;
      for (int k = 0; k < 64; ++k) sum += t[i][k] * d[j][k];
      result.dct[i * 16 + j] = sum;
    }
  }
  std::vector<float> sorted = result.dct;
  std::sort(sorted.begin(), sorted.end());
  for (int k = 0; k < 256; ++k) {
    if (result.dct[k] > sorted[127]) result.hash.set_bit(k);
  }
  return result;
}

}  // namespace atelier::testing
