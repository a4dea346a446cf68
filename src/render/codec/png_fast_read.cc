// png_fast_read.cc — decoding the common PNG without libpng: 8-bit samples, not interlaced, in
// sRGB. All the image data is inflated in one call to libdeflate, two to three
// times as fast as zlib's inflate, which is most of libpng's time on such files; the rows are
// unfiltered and expanded to RGBA here. Anything else, and any file this path finds something
// wrong with, is left to libpng (png_read.cc), which also reports the errors: this path gives
// libpng's pixels for a valid file, or declines (tests compare the two on every colour type).
//
// Why hand-written: libpng inflates through zlib only, and so does libspng, the other PNG
// reader Debian ships; PDQ hashing (issue 16 §6) and control images spend most of their
// decode time there.
#include <libdeflate.h>

#include <cstdlib>
#include <cstring>
#include <memory>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "render/codec/internal/formats.h"

namespace atelier::render::codec_internal {
namespace {

// The largest inflated image data decoded here (a second buffer beside the RGBA image); larger
// files go through libpng, row by row.
constexpr std::size_t kFastRawBytesMax = std::size_t{64} << 20;

constexpr std::uint32_t kSrgbGamma = 45455;

// Room after the last row for the unfilter's 4-byte reads and writes of 3-byte pixels.
constexpr std::size_t kSpareBytes = 4;

std::uint32_t be32(const std::uint8_t* p) {
  return (std::uint32_t{p[0]} << 24) | (std::uint32_t{p[1]} << 16) | (std::uint32_t{p[2]} << 8) |
         std::uint32_t{p[3]};
}

struct DecompressorDeleter {
  void operator()(libdeflate_decompressor* d) const { libdeflate_free_decompressor(d); }
};

// What the chunks say, for the files this path takes.
struct Layout {
  std::uint32_t width = 0;
  std::uint32_t height = 0;
  int color_type = 0;
  int channels = 0;  // Samples per pixel in the file: 1, 2, 3 or 4 (1 for a palette index).
  std::span<const std::uint8_t> palette;  // RGB triples.
  std::span<const std::uint8_t> alphas;   // tRNS of a palette: alpha of the first entries.
  std::vector<std::span<const std::uint8_t>> idat;
};

int channels_of(int color_type) {
  switch (color_type) {
    case 0:
      return 1;
    case 2:
      return 3;
    case 3:
      return 1;
    case 4:
      return 2;
    case 6:
      return 4;
  }
  return 0;
}

// Reads the chunks (their bounds and CRCs were checked by scan_chunks). False where libpng
// should decode: another bit depth, interlacing, a chunk that makes or may make libpng convert
// colours (gAMA other than sRGB's, iCCP, sBIT), tRNS without a palette, image data in separate
// runs, chunks out of order.
bool read_layout(std::span<const std::uint8_t> file, Layout& out) {
  std::size_t offset = 8;
  bool idat_done = false;
  while (offset + 12 <= file.size()) {
    const std::uint32_t length = be32(file.data() + offset);
    const std::string_view type(reinterpret_cast<const char*>(file.data() + offset + 4), 4);
    if (length > file.size() - offset - 12) return false;
    const std::span<const std::uint8_t> data = file.subspan(offset + 8, length);
    offset += 12 + std::size_t{length};
    if (type == "IHDR") {
      if (length != 13 || data[8] != 8 || data[10] != 0 || data[11] != 0 || data[12] != 0) {
        return false;
      }
      out.width = be32(data.data());
      out.height = be32(data.data() + 4);
      out.color_type = data[9];
      out.channels = channels_of(out.color_type);
      if (out.channels == 0) return false;
    } else if (type == "PLTE") {
      // One palette, before the image data, and only where a palette may be.
      if (length % 3 != 0 || length == 0 || length > 768 || !out.palette.empty() ||
          !out.idat.empty() || out.color_type == 0 || out.color_type == 4) {
        return false;
      }
      out.palette = data;
    } else if (type == "tRNS") {
      if (out.color_type != 3 || out.palette.empty() || !out.alphas.empty() || !out.idat.empty() ||
          length > out.palette.size() / 3) {
        return false;
      }
      out.alphas = data;
    } else if (type == "IDAT") {
      if (idat_done) return false;
      if (length > 0) out.idat.push_back(data);
    } else if (type == "IEND") {
      break;
    } else if (type == "gAMA") {
      // sRGB's own gamma (1 / 2.2 in units of 1e-5) is no conversion for libpng; others are.
      if (length != 4 || be32(data.data()) != kSrgbGamma) return false;
    } else if (type == "iCCP" || type == "sBIT") {
      return false;
    }
    // sRGB is libpng's output space, and cHRM only matters to its colour-to-grey conversion:
    // neither changes what it decodes to RGBA.
    if (!out.idat.empty() && type != "IDAT") idat_done = true;
  }
  if (out.channels == 0 || out.idat.empty()) return false;
  return out.color_type != 3 || !out.palette.empty();
}

// PNG's Paeth predictor: whichever of left, up and upper left is nearest to left + up - upper
// left, ties in that order.
inline int paeth(int a, int b, int c) {
  const int pa = std::abs(b - c), pb = std::abs(a - c), pc = std::abs(a + b - 2 * c);
  if (pa <= pb && pa <= pc) return a;
  return pb <= pc ? b : c;
}

#if defined(__SSE2__)
// Sub, Average and Paeth for 3- and 4-byte pixels, a pixel at a time in 16-bit lanes (these
// filters depend on the pixel to the left, so pixels cannot go side by side; the bytes of one
// can). The same integer results as the byte loops.
// Four bytes into four 16-bit lanes. A 3-byte pixel brings the next pixel's first byte along:
// the buffers have a spare byte at their ends for the last one.
inline __m128i load4(const std::uint8_t* p) {
  std::uint32_t v;
  std::memcpy(&v, p, 4);
  return _mm_unpacklo_epi8(_mm_cvtsi32_si128(int(v)), _mm_setzero_si128());
}

inline void store4(std::uint8_t* p, __m128i v) {
  const std::uint32_t packed = std::uint32_t(_mm_cvtsi128_si32(_mm_packus_epi16(v, v)));
  std::memcpy(p, &packed, 4);
}

inline __m128i abs16(__m128i v) { return _mm_max_epi16(v, _mm_sub_epi16(_mm_setzero_si128(), v)); }

template <int kType, int kBpp>
void unfilter_pixels(std::uint8_t* cur, const std::uint8_t* prev, std::size_t bytes) {
  // With 3-byte pixels the fourth lane carries the next pixel's first byte through unchanged:
  // its prediction is masked to 0, so the store writes that byte back as it was.
  const __m128i lanes = kBpp == 4 ? _mm_set_epi16(0, 0, 0, 0, -1, -1, -1, -1)
                                  : _mm_set_epi16(0, 0, 0, 0, 0, -1, -1, -1);
  const __m128i byte = _mm_set1_epi16(0xff);
  __m128i a = _mm_setzero_si128(), c = _mm_setzero_si128();  // Left and upper left.
  for (std::size_t i = 0; i + kBpp <= bytes; i += kBpp) {
    const __m128i x = load4(cur + i);
    __m128i predicted;
    if constexpr (kType == 1) {
      predicted = a;
    } else if constexpr (kType == 3) {
      predicted = _mm_srli_epi16(_mm_add_epi16(a, load4(prev + i)), 1);
    } else {
      const __m128i b = load4(prev + i);
      const __m128i pa = abs16(_mm_sub_epi16(b, c)), pb = abs16(_mm_sub_epi16(a, c));
      const __m128i pc = abs16(_mm_add_epi16(_mm_sub_epi16(b, c), _mm_sub_epi16(a, c)));
      // a where pa <= pb and pa <= pc, else b where pb <= pc, else c.
      const __m128i not_a = _mm_or_si128(_mm_cmpgt_epi16(pa, pb), _mm_cmpgt_epi16(pa, pc));
      const __m128i not_b = _mm_cmpgt_epi16(pb, pc);
      const __m128i b_or_c = _mm_or_si128(_mm_andnot_si128(not_b, b), _mm_and_si128(not_b, c));
      predicted = _mm_or_si128(_mm_andnot_si128(not_a, a), _mm_and_si128(not_a, b_or_c));
      c = b;
    }
    a = _mm_and_si128(_mm_add_epi16(x, _mm_and_si128(predicted, lanes)), byte);
    store4(cur + i, a);
  }
}

template <int kBpp>
void unfilter_pixels(int type, std::uint8_t* cur, const std::uint8_t* prev, std::size_t bytes) {
  if (type == 1) unfilter_pixels<1, kBpp>(cur, prev, bytes);
  if (type == 3) unfilter_pixels<3, kBpp>(cur, prev, bytes);
  if (type == 4) unfilter_pixels<4, kBpp>(cur, prev, bytes);
}
#endif

// Undoes one row's filter in place; `prev` is the row above, already unfiltered (zeros for
// the first row). False for a filter type PNG does not define.
bool unfilter(int type, std::uint8_t* cur, const std::uint8_t* prev, std::size_t bytes, int bpp) {
  if (type == 0) return true;
  if (type == 2) {
    for (std::size_t i = 0; i < bytes; ++i) cur[i] = std::uint8_t(cur[i] + prev[i]);
    return true;
  }
  if (type > 4) return false;
#if defined(__SSE2__)
  if (bpp == 3 || bpp == 4) {
    (bpp == 3 ? unfilter_pixels<3> : unfilter_pixels<4>)(type, cur, prev, bytes);
    return true;
  }
#endif
  for (std::size_t i = 0; i < bytes; ++i) {
    const int left = i >= std::size_t(bpp) ? cur[i - bpp] : 0;
    const int up_left = i >= std::size_t(bpp) ? prev[i - bpp] : 0;
    const int predicted = type == 1   ? left
                          : type == 3 ? (left + prev[i]) >> 1
                                      : paeth(left, prev[i], up_left);
    cur[i] = std::uint8_t(cur[i] + predicted);
  }
  return true;
}

// One unfiltered row to RGBA. False for a palette index past the palette (libpng decides).
bool expand(const Layout& l, const std::uint8_t* row, std::uint8_t* rgba) {
  const std::size_t w = l.width;
  switch (l.color_type) {
    case 0:
      for (std::size_t x = 0; x < w; ++x, rgba += 4) {
        rgba[0] = rgba[1] = rgba[2] = row[x];
        rgba[3] = 255;
      }
      return true;
    case 2:
      for (std::size_t x = 0; x < w; ++x, rgba += 4, row += 3) {
        std::memcpy(rgba, row, 3);
        rgba[3] = 255;
      }
      return true;
    case 3: {
      const std::size_t entries = l.palette.size() / 3;
      for (std::size_t x = 0; x < w; ++x, rgba += 4) {
        const std::size_t i = row[x];
        if (i >= entries) return false;
        std::memcpy(rgba, l.palette.data() + 3 * i, 3);
        rgba[3] = i < l.alphas.size() ? l.alphas[i] : 255;
      }
      return true;
    }
    case 4:
      for (std::size_t x = 0; x < w; ++x, rgba += 4, row += 2) {
        rgba[0] = rgba[1] = rgba[2] = row[0];
        rgba[3] = row[1];
      }
      return true;
    case 6:
      std::memcpy(rgba, row, w * 4);
      return true;
  }
  return false;
}

}  // namespace

bool decode_png_fast(std::span<const std::uint8_t> file, Image& image) {
  Layout l;
  if (!read_layout(file, l)) return false;
  if (l.width != std::uint32_t(image.width) || l.height != std::uint32_t(image.height)) {
    return false;
  }
  const std::size_t stride = std::size_t(l.width) * l.channels;
  const std::size_t raw_bytes = std::size_t(l.height) * (stride + 1);
  if (raw_bytes > kFastRawBytesMax) return false;
  // The zlib stream, in one piece.
  std::vector<std::uint8_t> joined;
  std::span<const std::uint8_t> zlib = l.idat[0];
  if (l.idat.size() > 1) {
    for (const auto& part : l.idat) joined.insert(joined.end(), part.begin(), part.end());
    zlib = joined;
  }
  std::unique_ptr<libdeflate_decompressor, DecompressorDeleter> inflater(
      libdeflate_alloc_decompressor());
  if (!inflater) return false;
  std::vector<std::uint8_t> raw(raw_bytes + kSpareBytes);
  std::size_t in_bytes = 0, out_bytes = 0;
  const libdeflate_result result = libdeflate_zlib_decompress_ex(
      inflater.get(), zlib.data(), zlib.size(), raw.data(), raw_bytes, &in_bytes, &out_bytes);
  // Exactly the image data, and nothing after it (libpng complains about both).
  if (result != LIBDEFLATE_SUCCESS || in_bytes != zlib.size() || out_bytes != raw_bytes) {
    return false;
  }
  const std::vector<std::uint8_t> zeros(stride + kSpareBytes, 0);
  const std::uint8_t* prev = zeros.data();
  for (std::size_t y = 0; y < l.height; ++y) {
    std::uint8_t* row = raw.data() + y * (stride + 1);
    if (!unfilter(row[0], row + 1, prev, stride, l.channels)) return false;
    if (!expand(l, row + 1, image.rgba.data() + y * std::size_t(l.width) * 4)) return false;
    prev = row + 1;
  }
  return true;
}

}  // namespace atelier::render::codec_internal
