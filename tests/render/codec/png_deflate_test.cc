// png_deflate_test.cc — the PNG-specialised deflate writer (png_deflate.cc, huffman.cc) and
// PNG files written with PngCompressor::kRle: decoded by zlib and libpng pixel-exact, the
// same bytes from the SSE2 and the scalar path, the same bytes twice, the usual chunk layout.
#include <gtest/gtest.h>
#include <zlib.h>

#include <algorithm>
#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "render/codec.h"
#include "render/codec/internal/formats.h"
#include "render/image.h"
#include "tests/render/codec/png_judge.h"
#include "tests/store/test_dir.h"

namespace atelier::render {
namespace {

namespace ci = codec_internal;
using Bytes = std::vector<std::uint8_t>;

constexpr std::string_view kRecipe = R"({"format":"png","generator":"sha256:abc","width":64})";

Bytes inflate_all(const Bytes& stream, std::size_t expected_size) {
  Bytes out(expected_size + 1);
  uLongf size = out.size();
  const int rc = uncompress(out.data(), &size, stream.data(), stream.size());
  EXPECT_EQ(rc, Z_OK);
  out.resize(rc == Z_OK ? size : 0);
  return out;
}

Bytes deflate(const Bytes& raw, ci::Simd simd) {
  Bytes out;
  ci::deflate_png_rows(raw, out, simd);
  return out;
}

// DEFLATE's length codes 257..284 cover ranges: every boundary of every range must be coded
// right (a wrong extra-bit count shows only at some lengths).
TEST(PngDeflateTest, EveryMatchLengthRoundTrips) {
  Bytes raw;
  std::mt19937 random(3);
  for (int length = 1; length <= 600; ++length) {
    raw.push_back(static_cast<std::uint8_t>(random() | 1));  // A literal, never 0 ...
    raw.insert(raw.end(), static_cast<std::size_t>(length), 0);  // ... then a run of 0.
  }
  for (ci::Simd simd : {ci::Simd::kAuto, ci::Simd::kScalar}) {
    EXPECT_EQ(inflate_all(deflate(raw, simd), raw.size()), raw);
  }
}

// Byte strings with runs of every length around the 3-byte minimum and the 258-byte match
// limit, of zero and non-zero bytes, at every alignment against the 16-byte SIMD blocks.
std::vector<Bytes> tricky_inputs() {
  std::vector<Bytes> inputs = {{}, {0}, {7}, {0, 0}, {1, 1, 1}, {1, 1, 1, 1}, {0, 0, 0, 0, 0}};
  std::mt19937 random(7);
  for (int length : {2,   3,   4,   5,   15,  16,  17,  31,  32,   33,   257,
                     258, 259, 260, 261, 262, 516, 517, 518, 1000, 70000}) {
    for (int offset : {0, 1, 5, 15, 16, 29}) {
      Bytes bytes;
      for (int i = 0; i < offset; ++i) bytes.push_back(static_cast<std::uint8_t>(random()));
      const std::uint8_t value = static_cast<std::uint8_t>(length % 3 == 0 ? 0 : random());
      bytes.insert(bytes.end(), static_cast<std::size_t>(length), value);
      for (int i = 0; i < 40; ++i) bytes.push_back(static_cast<std::uint8_t>(random() % 4));
      inputs.push_back(bytes);
    }
  }
  Bytes noise(100000);
  for (auto& b : noise) b = static_cast<std::uint8_t>(random());
  inputs.push_back(noise);
  Bytes sparse(200000, 0);  // Mostly zero with short bursts: many runs, many literals.
  for (std::size_t i = 0; i < sparse.size(); i += 1 + random() % 40)
    sparse[i] = static_cast<std::uint8_t>(random() % 5);
  inputs.push_back(sparse);
  return inputs;
}

TEST(PngDeflateTest, ZlibInflatesEveryInputBackExactly) {
  for (const Bytes& raw : tricky_inputs()) {
    const Bytes stream = deflate(raw, ci::Simd::kAuto);
    EXPECT_EQ(inflate_all(stream, raw.size()), raw) << "size " << raw.size();
  }
}

TEST(PngDeflateTest, ScalarAndSimdPathsWriteTheSameBytes) {
  for (const Bytes& raw : tricky_inputs()) {
    EXPECT_EQ(deflate(raw, ci::Simd::kAuto), deflate(raw, ci::Simd::kScalar))
        << "size " << raw.size();
  }
}

// With more runs than the first pass keeps, the second pass scans again: the same bytes.
TEST(PngDeflateTest, ScanningAgainWritesTheSameBytes) {
  for (const Bytes& raw : tricky_inputs()) {
    Bytes kept, rescanned, partly, scalar;
    ci::deflate_png_rows(raw, kept, ci::Simd::kAuto);
    ci::deflate_png_rows(raw, rescanned, ci::Simd::kAuto, 0);
    ci::deflate_png_rows(raw, partly, ci::Simd::kAuto, 3);
    ci::deflate_png_rows(raw, scalar, ci::Simd::kScalar, 0);
    EXPECT_EQ(rescanned, kept) << "size " << raw.size();
    EXPECT_EQ(partly, kept) << "size " << raw.size();
    EXPECT_EQ(scalar, kept) << "size " << raw.size();
  }
}

TEST(PngDeflateTest, SameInputSameBytes) {
  const Bytes raw = tricky_inputs().back();
  EXPECT_EQ(deflate(raw, ci::Simd::kAuto), deflate(raw, ci::Simd::kAuto));
}

TEST(PngDeflateTest, LongRunsCostAlmostNothing) {
  const Bytes flat(3 * 1024 * 1024, 0);
  EXPECT_LT(deflate(flat, ci::Simd::kAuto).size(), flat.size() / 200);
}

// --- Huffman code lengths ---------------------------------------------------------------------

// Kraft sum of the used lengths, scaled by 2^15 (a complete code sums to exactly 2^15).
std::uint32_t kraft(const std::vector<std::uint8_t>& lengths) {
  std::uint32_t sum = 0;
  for (std::uint8_t l : lengths) sum += l ? (1u << (15 - l)) : 0;
  return sum;
}

TEST(HuffmanTest, LengthLimitHoldsAndTheCodeIsComplete) {
  // Fibonacci weights would need codes as long as the alphabet without the limit.
  std::vector<std::uint32_t> freq(40);
  freq[0] = freq[1] = 1;
  for (std::size_t i = 2; i < freq.size(); ++i)
    freq[i] = std::min<std::uint32_t>(freq[i - 1] + freq[i - 2], 1u << 30);
  for (int limit : {7, 9, 15}) {
    std::vector<std::uint8_t> lengths(freq.size());
    ci::huffman_lengths(freq, limit, lengths);
    EXPECT_EQ(*std::max_element(lengths.begin(), lengths.end()), limit);
    EXPECT_EQ(kraft(lengths), 1u << 15) << limit;
  }
}

TEST(HuffmanTest, UnconstrainedCodeIsOptimal) {
  // Frequencies 1, 1, 2, 4: Huffman gives lengths 3, 3, 2, 1 (cost 3 + 3 + 4 + 4 = 14).
  const std::vector<std::uint32_t> freq = {4, 0, 1, 2, 1};
  std::vector<std::uint8_t> lengths(freq.size());
  ci::huffman_lengths(freq, 15, lengths);
  EXPECT_EQ(lengths, (std::vector<std::uint8_t>{1, 0, 3, 2, 3}));
  std::vector<std::uint16_t> codes(freq.size());
  ci::canonical_codes(lengths, codes);
  // Canonical: 0 -> "0", 3 -> "10", 2 -> "110", 4 -> "111"; stored bit-reversed.
  EXPECT_EQ(codes, (std::vector<std::uint16_t>{0b0, 0, 0b011, 0b01, 0b111}));
}

TEST(HuffmanTest, OneOrNoSymbols) {
  std::vector<std::uint8_t> lengths(5, 9);
  ci::huffman_lengths(std::vector<std::uint32_t>(5, 0), 15, lengths);
  EXPECT_EQ(lengths, std::vector<std::uint8_t>(5, 0));
  ci::huffman_lengths(std::vector<std::uint32_t>{0, 0, 3, 0, 0}, 15, lengths);
  EXPECT_EQ(lengths, (std::vector<std::uint8_t>{0, 0, 1, 0, 0}));
}

// --- Whole PNG files --------------------------------------------------------------------------

Image make_image(int width, int height, int kind, bool alpha, std::uint32_t seed) {
  Image image;
  image.width = width;
  image.height = height;
  image.rgba.resize(std::size_t(width) * height * 4);
  std::mt19937 random(seed);
  for (int y = 0; y < height; ++y) {
    for (int x = 0; x < width; ++x) {
      std::uint8_t* p = &image.rgba[(std::size_t(y) * width + x) * 4];
      for (int c = 0; c < 4; ++c) {
        switch (kind) {
          case 0: p[c] = static_cast<std::uint8_t>(random()); break;                    // noise
          case 1: p[c] = static_cast<std::uint8_t>(40 + 50 * c); break;                  // flat
          case 2: p[c] = static_cast<std::uint8_t>(x * (c + 1) + y * (3 - c)); break;    // gradient
          default:
            p[c] = static_cast<std::uint8_t>((x / 7 + y / 5) % 3 ? 230 : random() % 64);
            break;
        }
      }
      if (!alpha) p[3] = 255;
    }
  }
  return image;
}

EncodeOptions rle_options() {
  EncodeOptions options;
  options.png_compressor = PngCompressor::kRle;
  options.png_filter = PngFilter::kAdaptiveCapped;
  return options;
}

TEST(PngRleTest, LibpngDecodesEveryKindAndSizePixelExact) {
  const std::pair<int, int> sizes[] = {{1, 1}, {1, 7}, {7, 1}, {2, 2}, {5, 3}, {16, 16}, {17, 9},
                                       {64, 48}, {255, 4}, {300, 37}, {2049, 3}, {3, 2049}};
  std::uint32_t seed = 1;
  for (const auto& [width, height] : sizes) {
    for (int kind = 0; kind < 4; ++kind) {
      for (bool alpha : {false, true}) {
        const Image image = make_image(width, height, kind, alpha, seed++);
        Result<Bytes> png = encode_image(image, rle_options(), kRecipe);
        ASSERT_TRUE(png) << png.error().to_string();
        Result<Image> decoded = decode_image(*png, {});
        ASSERT_TRUE(decoded) << width << "x" << height << " kind " << kind << ": "
                             << decoded.error().to_string();
        EXPECT_EQ(decoded->rgba, image.rgba)
            << width << "x" << height << " kind " << kind << " alpha " << alpha;
        EXPECT_EQ(extract_recipe(*png).value_or(""), kRecipe);
      }
    }
  }
}

TEST(PngRleTest, EveryFixedFilterRoundTrips) {
  const Image image = make_image(123, 45, 3, true, 99);
  for (PngFilter filter : {PngFilter::kNone, PngFilter::kSub, PngFilter::kUp, PngFilter::kAverage,
                           PngFilter::kPaeth, PngFilter::kAdaptive}) {
    EncodeOptions options = rle_options();
    options.png_filter = filter;
    Result<Image> decoded = decode_image(encode_image(image, options, kRecipe).value(), {});
    ASSERT_TRUE(decoded);
    EXPECT_EQ(decoded->rgba, image.rgba);
  }
}

struct ChunkInfo {
  std::string type;
  std::uint32_t length;
};

// Chunk types and lengths in file order.
std::vector<ChunkInfo> chunks(const Bytes& png) {
  std::vector<ChunkInfo> out;
  for (std::size_t offset = 8; offset + 12 <= png.size();) {
    const std::uint32_t length = (std::uint32_t{png[offset]} << 24) |
                                 (std::uint32_t{png[offset + 1]} << 16) |
                                 (std::uint32_t{png[offset + 2]} << 8) | png[offset + 3];
    out.push_back({std::string(reinterpret_cast<const char*>(&png[offset + 4]), 4), length});
    offset += 12 + length;
  }
  return out;
}

TEST(PngRleTest, ChunkLayoutIsTheUsualOne) {
  const Image image = make_image(1500, 1000, 0, false, 5);  // Noise: over 4 MiB of IDAT.
  const Bytes png = encode_image(image, rle_options(), kRecipe).value();
  const std::vector<ChunkInfo> list = chunks(png);
  ASSERT_GE(list.size(), 6u);
  EXPECT_EQ(list[0].type, "IHDR");
  EXPECT_EQ(list[1].type, "iTXt");
  EXPECT_EQ(list.back().type, "IEND");
  for (std::size_t i = 2; i + 1 < list.size(); ++i) {
    EXPECT_EQ(list[i].type, "IDAT");
    // IDAT chunks of exactly 1 MiB, the last one holding the rest.
    if (i + 2 < list.size()) {
      EXPECT_EQ(list[i].length, 1u << 20);
    }
  }
}

// The SIMD scan against the scalar one on the filtered rows of whole images: the same tokens,
// so the same bytes.
TEST(PngRleTest, ScalarAndSimdPathsAgreeOnFilteredImages) {
  std::uint32_t seed = 100;
  for (const auto& [width, height] : {std::pair{1, 1}, {31, 7}, {300, 37}, {2049, 3}}) {
    for (int kind = 0; kind < 4; ++kind) {
      const Image image = make_image(width, height, kind, kind % 2 == 1, seed++);
      const Bytes rows =
          ci::filter_png_rows(image, kind % 2 == 1 ? 4 : 3, PngFilter::kAdaptiveCapped);
      EXPECT_EQ(deflate(rows, ci::Simd::kAuto), deflate(rows, ci::Simd::kScalar))
          << width << "x" << height;
    }
  }
}

// Third-party decoders (tests/js/decode-png.mjs: pngjs, and upng-js over pako's inflate) read
// every kind and size of image pixel-exact.
TEST(PngRleTest, ThirdPartyDecodersReadThemPixelExact) {
  if (const std::string missing = testing::png_judges_missing(); !missing.empty())
    GTEST_SKIP() << missing;
  testing::TempDir dir;
  const std::pair<int, int> sizes[] = {{1, 1},    {7, 1},    {1, 9},    {17, 9},
                                       {300, 37}, {2049, 3}, {3, 2049}, {512, 512}};
  std::uint32_t seed = 7;
  int count = 0;
  for (const auto& [width, height] : sizes) {
    for (int kind = 0; kind < 4; ++kind) {
      for (bool alpha : {false, true}) {
        const Image image = make_image(width, height, kind, alpha, seed++);
        const std::string name = std::to_string(width) + "x" + std::to_string(height) + "-kind" +
                                 std::to_string(kind) + (alpha ? "-rgba" : "-rgb");
        testing::write_png_case(dir.path(), name,
                                encode_image(image, rle_options(), kRecipe).value(), image);
        ++count;
      }
    }
  }
  std::string output;
  EXPECT_EQ(testing::run_png_judges(dir.path(), output), 0) << output;
  EXPECT_EQ(static_cast<int>(std::count(output.begin(), output.end(), '\n')), 2 * count) << output;
}

TEST(PngRleTest, SameImageSameBytes) {
  const Image image = make_image(333, 222, 3, false, 11);
  EXPECT_EQ(encode_image(image, rle_options(), kRecipe).value(),
            encode_image(image, rle_options(), kRecipe).value());
}

}  // namespace
}  // namespace atelier::render
