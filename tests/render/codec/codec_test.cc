// codec_test.cc — encoders, recipe extraction and decoders for PNG, JPEG, WebP and AVIF.
#include "render/codec.h"

#include <gtest/gtest.h>
#include <png.h>
#include <zlib.h>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <random>
#include <string>
#include <vector>

// After <cstdio>: jpeglib.h needs FILE and size_t declared first.
#include <jpeglib.h>

#include "render/codec/internal/formats.h"
#include "render/image.h"
#include "render/internal/cpu.h"

namespace atelier::render {
namespace {

using Bytes = std::vector<std::uint8_t>;

constexpr std::string_view kRecipe =
    R"({"format":"png","generator":"sha256:abc","height":48,"quality":90,"width":64})";
// Needs XML escaping, non-ASCII UTF-8 (2, 3 and 4 byte sequences), CR/LF/tab.
constexpr std::string_view kTrickyRecipe =
    "{\"s\":\"<a href=\\\"x\\\">&amp; 'q' > é ✓ 🎨\",\"t\":\"\r\n\t\"}";

constexpr ImageFormat kAllFormats[] = {ImageFormat::kPng, ImageFormat::kJpeg, ImageFormat::kWebp,
                                       ImageFormat::kAvif};

// A smooth gradient with a few hard lines: easy for lossy codecs, not trivial for PNG.
Image gradient(int width, int height, bool with_alpha) {
  Image image;
  image.width = width;
  image.height = height;
  image.rgba.resize(std::size_t(width) * height * 4);
  for (int y = 0; y < height; ++y) {
    for (int x = 0; x < width; ++x) {
      std::uint8_t* p = &image.rgba[(std::size_t(y) * width + x) * 4];
      p[0] = static_cast<std::uint8_t>(x * 255 / std::max(1, width - 1));
      p[1] = static_cast<std::uint8_t>(y * 255 / std::max(1, height - 1));
      p[2] = static_cast<std::uint8_t>(128 + (x - y) / 2);
      if (x % 16 == 5) p[0] = p[1] = p[2] = 20;  // Thin dark vertical lines.
      p[3] = with_alpha ? static_cast<std::uint8_t>((x * 4 + y) % 256) : 255;
    }
  }
  return image;
}

EncodeOptions options_for(ImageFormat format) {
  EncodeOptions options;
  options.format = format;
  return options;
}

Bytes encode_ok(const Image& image, const EncodeOptions& options, std::string_view recipe) {
  Result<Bytes> bytes = encode_image(image, options, recipe);
  EXPECT_TRUE(bytes.has_value()) << (bytes ? "" : bytes.error().to_string());
  return bytes ? *bytes : Bytes{};
}

Bytes encode_ok(const Image& image, ImageFormat format, std::string_view recipe = kRecipe) {
  return encode_ok(image, options_for(format), recipe);
}

double mean_abs_error(const Image& a, const Image& b, bool rgb_only) {
  double total = 0;
  std::size_t count = 0;
  for (std::size_t i = 0; i < a.rgba.size(); ++i) {
    if (rgb_only && i % 4 == 3) continue;
    total += std::abs(int{a.rgba[i]} - int{b.rgba[i]});
    ++count;
  }
  return total / double(count);
}

std::string error_code(const Result<std::string>& r) { return r ? "ok" : r.error().code; }
std::string error_code(const Result<Image>& r) { return r ? "ok" : r.error().code; }
std::string error_code(const Result<Bytes>& r) { return r ? "ok" : r.error().code; }

std::size_t find(const Bytes& bytes, std::string_view needle) {
  const auto it = std::search(bytes.begin(), bytes.end(), needle.begin(), needle.end(),
                              [](std::uint8_t b, char c) { return b == std::uint8_t(c); });
  return it == bytes.end() ? std::string_view::npos : std::size_t(it - bytes.begin());
}

std::string name(ImageFormat format) { return image_format_name(format); }

// --- Image and format table -------------------------------------------------------------------

TEST(ImageFormatTest, NamesMimeTypesAndExtensions) {
  EXPECT_EQ(parse_image_format("png"), ImageFormat::kPng);
  EXPECT_EQ(parse_image_format("jpeg"), ImageFormat::kJpeg);
  EXPECT_EQ(parse_image_format("jpg"), ImageFormat::kJpeg);
  EXPECT_EQ(parse_image_format("webp"), ImageFormat::kWebp);
  EXPECT_EQ(parse_image_format("avif"), ImageFormat::kAvif);
  EXPECT_EQ(parse_image_format("PNG"), std::nullopt);
  EXPECT_EQ(parse_image_format("gif"), std::nullopt);
  EXPECT_EQ(parse_image_format(""), std::nullopt);
  EXPECT_STREQ(image_format_name(ImageFormat::kJpeg), "jpeg");
  EXPECT_STREQ(image_file_extension(ImageFormat::kJpeg), "jpg");
  EXPECT_STREQ(image_mime_type(ImageFormat::kAvif), "image/avif");
  EXPECT_STREQ(image_mime_type(ImageFormat::kWebp), "image/webp");
  for (ImageFormat format : kAllFormats) {
    EXPECT_EQ(parse_image_format(image_format_name(format)), format);
  }
}

TEST(ImageFormatTest, SniffsEveryEncodedFormat) {
  const Image image = gradient(16, 8, false);
  for (ImageFormat format : kAllFormats) {
    EXPECT_EQ(sniff_image_format(encode_ok(image, format)), format) << name(format);
  }
  const Bytes garbage = {'G', 'I', 'F', '8', '9', 'a', 0, 0, 0, 0, 0, 0, 0, 0, 0, 0};
  EXPECT_EQ(sniff_image_format(garbage), std::nullopt);
  EXPECT_EQ(sniff_image_format({}), std::nullopt);
  // An ISO-BMFF file that is HEIC, not AVIF.
  const Bytes heic = {0, 0, 0, 24, 'f', 't', 'y', 'p', 'h', 'e', 'i', 'c',
                      0, 0, 0, 0,  'm', 'i', 'f', '1', 'h', 'e', 'i', 'c'};
  EXPECT_EQ(sniff_image_format(heic), std::nullopt);
}

TEST(ImageTest, OpaqueMeansEveryAlphaIs255) {
  Image image = gradient(40, 30, false);
  EXPECT_TRUE(image.opaque());
  image.rgba[(39 * 30 + 29) * 4 + 3] = 254;  // Last pixel.
  EXPECT_FALSE(image.opaque());
  EXPECT_TRUE(Image{}.opaque());
}

// opaque() reads 64-bit words in blocks of 1024 pixels, plus an odd last pixel: a single
// translucent pixel anywhere is found, and colour bytes never count.
TEST(ImageTest, OpaqueFindsOneTranslucentPixelAnywhere) {
  for (auto [width, height] : {std::pair{1, 1}, {3, 3}, {1, 2}, {33, 65}}) {
    Image image = gradient(width, height, false);
    for (std::size_t i = 0; i < image.rgba.size(); i += 4)
      image.rgba[i] = image.rgba[i + 1] = image.rgba[i + 2] = 0;
    EXPECT_TRUE(image.opaque()) << width << "x" << height;
    for (std::size_t pixel = 0; pixel < image.rgba.size() / 4; ++pixel) {
      image.rgba[pixel * 4 + 3] = 127;
      EXPECT_FALSE(image.opaque()) << width << "x" << height << " pixel " << pixel;
      image.rgba[pixel * 4 + 3] = 255;
    }
  }
}

// --- Round trips ------------------------------------------------------------------------------

class RoundTripTest : public ::testing::TestWithParam<ImageFormat> {};

TEST_P(RoundTripTest, RecipeAndPixelsSurvive) {
  const Image image = gradient(64, 48, false);
  const Bytes file = encode_ok(image, GetParam());
  Result<std::string> recipe = extract_recipe(file);
  ASSERT_TRUE(recipe) << recipe.error().to_string();
  EXPECT_EQ(*recipe, kRecipe);
  Result<Image> decoded = decode_image(file, {});
  ASSERT_TRUE(decoded) << decoded.error().to_string();
  EXPECT_EQ(decoded->width, 64);
  EXPECT_EQ(decoded->height, 48);
  ASSERT_EQ(decoded->rgba.size(), image.rgba.size());
  EXPECT_TRUE(decoded->opaque());
  if (GetParam() == ImageFormat::kPng) {
    EXPECT_EQ(decoded->rgba, image.rgba);
  } else {
    // Quality 90; the thin lines cost JPEG's 4:2:0 chroma a little.
    EXPECT_LT(mean_abs_error(image, *decoded, true), 6.0);
  }
}

TEST_P(RoundTripTest, EncodingIsDeterministic) {
  for (bool alpha : {false, true}) {
    const Image image = gradient(64, 48, alpha);
    const Bytes first = encode_ok(image, GetParam());
    const Bytes second = encode_ok(image, GetParam());
    ASSERT_FALSE(first.empty());
    EXPECT_EQ(first, second) << "alpha=" << alpha;
  }
}

TEST_P(RoundTripTest, EmptyRecipeEmbedsNothing) {
  const Bytes file = encode_ok(gradient(64, 48, false), GetParam(), "");
  EXPECT_EQ(error_code(extract_recipe(file)), "no_recipe");
  EXPECT_TRUE(decode_image(file, {}));
}

TEST_P(RoundTripTest, RecipeNeedingEscapesRoundTrips) {
  const Bytes file = encode_ok(gradient(64, 48, false), GetParam(), kTrickyRecipe);
  Result<std::string> recipe = extract_recipe(file);
  ASSERT_TRUE(recipe) << recipe.error().to_string();
  EXPECT_EQ(*recipe, kTrickyRecipe);
}

TEST_P(RoundTripTest, DecodeLimitIsEnforcedOnBothSides) {
  const Bytes file = encode_ok(gradient(64, 48, false), GetParam());
  EXPECT_TRUE(decode_image(file, {.pixels_max = 64 * 48}));
  Result<Image> over = decode_image(file, {.pixels_max = 64 * 48 - 1});
  ASSERT_FALSE(over);
  EXPECT_EQ(over.error().code, "image_too_large");
  EXPECT_EQ(over.error().kind, ErrorKind::kInvalidInput);
}

// Every strict prefix of a file must fail cleanly; cutting past the point where the recipe
// sits may still let extraction succeed (JPEG stops at the scan, AVIF keeps metadata first),
// but then it must return the right text.
TEST_P(RoundTripTest, TruncatedFilesFailCleanly) {
  const Bytes file = encode_ok(gradient(64, 48, true), GetParam());
  for (std::size_t size = 0; size < file.size(); ++size) {
    const std::span<const std::uint8_t> prefix(file.data(), size);
    Result<std::string> recipe = extract_recipe(prefix);
    if (recipe) {
      EXPECT_EQ(*recipe, kRecipe) << "size " << size;
      EXPECT_TRUE(GetParam() == ImageFormat::kJpeg || GetParam() == ImageFormat::kAvif);
    } else {
      EXPECT_TRUE(recipe.error().code == "corrupt_image" || recipe.error().code == "unknown_format")
          << size << " " << recipe.error().to_string();
    }
    Result<Image> decoded = decode_image(prefix, {});
    EXPECT_FALSE(decoded) << "size " << size;
    if (!decoded) {
      EXPECT_EQ(decoded.error().code, "corrupt_image") << "size " << size;
    }
  }
}

// Recomputes every chunk CRC of a PNG whose chunk lengths are intact, so that damage reaches
// libpng and the recipe parser instead of stopping at the CRC check.
void fix_png_crcs(Bytes& png) {
  std::size_t offset = 8;
  while (offset + 12 <= png.size()) {
    const std::uint32_t length = (std::uint32_t{png[offset]} << 24) |
                                 (std::uint32_t{png[offset + 1]} << 16) |
                                 (std::uint32_t{png[offset + 2]} << 8) | png[offset + 3];
    if (length > png.size() - offset - 12) return;
    const uLong crc = crc32_z(0L, png.data() + offset + 4, length + 4);
    for (int k = 0; k < 4; ++k) {
      png[offset + 8 + length + k] = static_cast<std::uint8_t>(crc >> (24 - 8 * k));
    }
    offset += 12 + length;
  }
}

// Random corruption must never crash either parser (a cheap stand-in for the fuzz target).
TEST_P(RoundTripTest, RandomlyDamagedFilesDoNotCrash) {
  const Bytes file = encode_ok(gradient(64, 48, true), GetParam());
  std::mt19937 rng(12345);
  for (int round = 0; round < 300; ++round) {
    Bytes damaged = file;
    const int flips = 1 + round % 8;
    for (int i = 0; i < flips; ++i) {
      damaged[rng() % damaged.size()] = static_cast<std::uint8_t>(rng());
    }
    if (GetParam() == ImageFormat::kPng && round % 2 == 0) fix_png_crcs(damaged);
    Result<std::string> recipe = extract_recipe(damaged);
    if (!recipe) {
      EXPECT_TRUE(recipe.error().code == "corrupt_image" || recipe.error().code == "no_recipe" ||
                  recipe.error().code == "unknown_format")
          << recipe.error().to_string();
    }
    Result<Image> decoded = decode_image(damaged, {.pixels_max = 1 << 20});
    if (decoded) {
      EXPECT_EQ(decoded->rgba.size(), std::size_t(decoded->width) * decoded->height * 4);
    }
  }
}

INSTANTIATE_TEST_SUITE_P(AllFormats, RoundTripTest, ::testing::ValuesIn(kAllFormats),
                         [](const auto& info) { return name(info.param); });

// --- PNG --------------------------------------------------------------------------------------

constexpr std::size_t kPngColorTypeOffset = 8 + 8 + 9;  // Signature, IHDR head, w/h/depth.

TEST(PngTest, OpaqueImageIsRgbAndAlphaImageIsRgba) {
  const Bytes opaque = encode_ok(gradient(64, 48, false), ImageFormat::kPng);
  EXPECT_EQ(opaque[kPngColorTypeOffset], 2);
  const Image translucent = gradient(64, 48, true);
  const Bytes with_alpha = encode_ok(translucent, ImageFormat::kPng);
  EXPECT_EQ(with_alpha[kPngColorTypeOffset], 6);
  Result<Image> decoded = decode_image(with_alpha, {});
  ASSERT_TRUE(decoded);
  EXPECT_EQ(decoded->rgba, translucent.rgba);
}

TEST(PngTest, ZlibAndLibdeflateDecodeToTheSamePixels) {
  const Image image = gradient(64, 48, true);
  EncodeOptions zlib = options_for(ImageFormat::kPng);
  zlib.png_compressor = PngCompressor::kZlib;
  for (int level : {0, 1, 6, 9}) {
    zlib.png_level = level;
    EncodeOptions deflate = zlib;
    deflate.png_compressor = PngCompressor::kLibdeflate;
    Result<Image> a = decode_image(encode_ok(image, zlib, kRecipe), {});
    Result<Image> b = decode_image(encode_ok(image, deflate, kRecipe), {});
    ASSERT_TRUE(a && b) << "level " << level;
    EXPECT_EQ(a->rgba, image.rgba);
    EXPECT_EQ(b->rgba, image.rgba);
  }
  EncodeOptions best = options_for(ImageFormat::kPng);
  best.png_compressor = PngCompressor::kLibdeflate;
  best.png_level = 12;
  Result<Image> c = decode_image(encode_ok(image, best, kRecipe), {});
  ASSERT_TRUE(c);
  EXPECT_EQ(c->rgba, image.rgba);
}

TEST(PngTest, RecipeChunkPrecedesImageData) {
  const Bytes file = encode_ok(gradient(64, 48, false), ImageFormat::kPng);
  const std::size_t itxt = find(file, "iTXtatelier:recipe");
  ASSERT_NE(itxt, std::string_view::npos);
  EXPECT_LT(itxt, find(file, "IDAT"));
  EXPECT_NE(find(file, kRecipe), std::string_view::npos);  // Stored uncompressed.
}

TEST(PngTest, FlippedByteInRecipeChunkIsCorrupt) {
  Bytes file = encode_ok(gradient(64, 48, false), ImageFormat::kPng);
  const std::size_t itxt = find(file, "iTXtatelier:recipe");
  ASSERT_NE(itxt, std::string_view::npos);
  file[itxt + 4 + 19 + 3] ^= 0x01;  // Inside the recipe text (after keyword + 5).
  Result<std::string> recipe = extract_recipe(file);
  ASSERT_FALSE(recipe);
  EXPECT_EQ(recipe.error().code, "corrupt_image");
  EXPECT_NE(recipe.error().message.find("CRC"), std::string::npos);
}

TEST(PngTest, TamperedPixelDataStillYieldsTheRecipeButDoesNotDecode) {
  Bytes file = encode_ok(gradient(64, 48, false), ImageFormat::kPng);
  const std::size_t idat = find(file, "IDAT");
  ASSERT_NE(idat, std::string_view::npos);
  file[idat + 4 + 10] ^= 0x55;  // Inside the compressed pixels; the IDAT CRC no longer matches.
  Result<std::string> recipe = extract_recipe(file);
  ASSERT_TRUE(recipe) << recipe.error().to_string();  // verify can still re-render and compare.
  EXPECT_EQ(*recipe, kRecipe);
  Result<Image> decoded = decode_image(file, {});
  ASSERT_FALSE(decoded);
  EXPECT_EQ(decoded.error().code, "corrupt_image");
}

TEST(PngTest, HugeDeclaredChunkLengthIsCorrupt) {
  Bytes file = encode_ok(gradient(8, 8, false), ImageFormat::kPng);
  const std::size_t itxt = find(file, "iTXt");
  for (std::uint8_t b : {0x7f, 0xff}) {
    Bytes damaged = file;
    damaged[itxt - 4] = b;  // Length field high byte: 2 GiB or 4 GiB claimed.
    EXPECT_EQ(error_code(extract_recipe(damaged)), "corrupt_image");
    EXPECT_EQ(error_code(decode_image(damaged, {})), "corrupt_image");
  }
}

TEST(PngTest, HugeDeclaredDimensionsAreRefusedBeforeAllocating) {
  Bytes file = encode_ok(gradient(8, 8, false), ImageFormat::kPng);
  // IHDR width and height = 1,000,000 (libpng's own ceiling), CRC fixed: the limit must trip.
  file[16] = 0x00, file[17] = 0x0F, file[18] = 0x42, file[19] = 0x40;
  file[20] = 0x00, file[21] = 0x0F, file[22] = 0x42, file[23] = 0x40;
  fix_png_crcs(file);
  EXPECT_EQ(error_code(decode_image(file, {.pixels_max = 1 << 24})), "image_too_large");
  EXPECT_EQ(error_code(decode_image(file, {})), "image_too_large");  // 4 TB > int ceiling.
}

// filter_png_rows: minimum sum of absolute differences, ties to the lower filter type.
TEST(PngFilterTest, ChoosesMinimumCostAndBreaksTiesLow) {
  Image image;
  image.width = 4;
  image.height = 3;
  image.rgba.assign(4 * 3 * 4, 7);
  // Row 0: Sub and Paeth both cost 3 * 7 (the first pixel) -> Sub (1).
  // Row 1: Up and Paeth both cost 0 -> Up (2).
  // Row 2 is all zero: every filter but Up/Avg/Paeth... None costs 0 -> None (0).
  std::fill(image.rgba.begin() + 2 * 16, image.rgba.end(), 0);
  const std::vector<std::uint8_t> rows = codec_internal::filter_png_rows(image, 3);
  ASSERT_EQ(rows.size(), 3u * (1 + 12));
  EXPECT_EQ(rows[0], 1);
  EXPECT_EQ(rows[13], 2);
  EXPECT_EQ(rows[26], 0);
  const std::vector<std::uint8_t> zeros(4 * 3 * 4, 0);
  Image black{4, 3, zeros};
  const std::vector<std::uint8_t> black_rows = codec_internal::filter_png_rows(black, 4);
  for (int y = 0; y < 3; ++y) EXPECT_EQ(black_rows[y * 17], 0) << y;
}

// A plain per-byte reference of the PNG filters (PNG spec 9.2), for checking the vectorised
// filter_png_rows byte for byte.
std::vector<std::uint8_t> reference_filter(const Image& image, int channels, int fixed_type,
                                           int cost_cap = 128) {
  const std::size_t row_bytes = std::size_t(image.width) * channels;
  std::vector<std::uint8_t> out, prev(row_bytes, 0), cur(row_bytes);
  for (int y = 0; y < image.height; ++y) {
    for (int x = 0; x < image.width; ++x) {
      for (int k = 0; k < channels; ++k)
        cur[x * channels + k] = image.rgba[(std::size_t(y) * image.width + x) * 4 + k];
    }
    std::vector<std::uint8_t> best;
    long best_cost = -1;
    for (int type = 0; type < 5; ++type) {
      if (fixed_type >= 0 && type != fixed_type) continue;
      std::vector<std::uint8_t> r(row_bytes + 1, static_cast<std::uint8_t>(type));
      long cost = 0;
      for (std::size_t i = 0; i < row_bytes; ++i) {
        const int a = i >= std::size_t(channels) ? cur[i - channels] : 0, b = prev[i];
        const int c = i >= std::size_t(channels) ? prev[i - channels] : 0;
        int p = 0;
        if (type == 1) p = a;
        if (type == 2) p = b;
        if (type == 3) p = (a + b) / 2;
        if (type == 4) {
          const int pa = std::abs(b - c), pb = std::abs(a - c), pc = std::abs(a + b - 2 * c);
          p = (pa <= pb && pa <= pc) ? a : (pb <= pc ? b : c);
        }
        r[i + 1] = static_cast<std::uint8_t>(cur[i] - p);
        cost += std::min(cost_cap, std::abs(static_cast<int>(static_cast<std::int8_t>(r[i + 1]))));
      }
      if (best_cost < 0 || cost < best_cost) best = r, best_cost = cost;
    }
    out.insert(out.end(), best.begin(), best.end());
    prev = cur;
  }
  return out;
}

TEST(PngFilterTest, MatchesAPlainReferenceForEveryFilterChoice) {
  std::mt19937 random(42);
  bool capped_chose_otherwise = false;  // The capped cost must matter somewhere here.
  for (int width : {1, 5, 16, 37, 300, 301}) {
    Image image;
    image.width = width;
    image.height = 9;
    image.rgba.resize(std::size_t(width) * 9 * 4);
    // Smooth ramps with noise, so that each filter type wins some rows.
    for (std::size_t i = 0; i < image.rgba.size(); ++i) {
      image.rgba[i] = static_cast<std::uint8_t>((i / 4 % width) * 3 + (i / 4 / width) * 11 +
                                                random() % (i % 7 == 0 ? 256 : 9));
    }
    const std::pair<PngFilter, int> choices[] = {
        {PngFilter::kAdaptive, -1}, {PngFilter::kNone, 0},    {PngFilter::kSub, 1},
        {PngFilter::kUp, 2},        {PngFilter::kAverage, 3}, {PngFilter::kPaeth, 4}};
    for (int channels : {3, 4}) {
      for (bool avx2 :
           {false, true}) {  // The AVX2 path (where the CPU has it) and the baseline one.
        render::internal::ScopedSimd simd(avx2);
        for (const auto& [filter, type] : choices) {
          EXPECT_EQ(codec_internal::filter_png_rows(image, channels, filter),
                    reference_filter(image, channels, type))
              << "width " << width << " channels " << channels << " type " << type << " avx2 "
              << avx2;
        }
        EXPECT_EQ(codec_internal::filter_png_rows(image, channels, PngFilter::kAdaptiveCapped),
                  reference_filter(image, channels, -1, 8))
            << "width " << width << " channels " << channels << " capped avx2 " << avx2;
      }
      capped_chose_otherwise |=
          codec_internal::filter_png_rows(image, channels, PngFilter::kAdaptiveCapped) !=
          codec_internal::filter_png_rows(image, channels, PngFilter::kAdaptive);
    }
  }
  EXPECT_TRUE(capped_chose_otherwise);
}

// --- JPEG -------------------------------------------------------------------------------------

TEST(JpegTest, RecipeIsAComment) {
  const Bytes file = encode_ok(gradient(64, 48, false), ImageFormat::kJpeg);
  const std::size_t com = find(file, std::string_view("\xFF\xFE", 2));
  ASSERT_NE(com, std::string_view::npos);
  const std::string payload(file.begin() + com + 4, file.begin() + com + 4 + 15);
  EXPECT_EQ(payload, std::string("atelier:recipe\0", 15));
  EXPECT_LT(com, find(file, std::string_view("\xFF\xDA", 2)));  // Before the scan.
}

TEST(JpegTest, RecipeSizeLimitOnBothSides) {
  const Image image = gradient(16, 16, false);
  const std::size_t max = 65533 - 15;
  const std::string fits(max, 'x');
  Result<std::string> back = extract_recipe(encode_ok(image, ImageFormat::kJpeg, fits));
  ASSERT_TRUE(back);
  EXPECT_EQ(*back, fits);
  Result<Bytes> over = encode_image(image, options_for(ImageFormat::kJpeg), fits + "x");
  ASSERT_FALSE(over);
  EXPECT_EQ(over.error().code, "recipe_too_large");
  EXPECT_EQ(over.error().field, "recipe");
}

TEST(JpegTest, TransparentPixelsAreCompositedOverWhite) {
  Image image = gradient(32, 32, false);
  for (std::size_t i = 3; i < image.rgba.size(); i += 4) image.rgba[i] = 0;
  Result<Image> decoded = decode_image(encode_ok(image, ImageFormat::kJpeg), {});
  ASSERT_TRUE(decoded);
  for (std::uint8_t v : decoded->rgba) EXPECT_GE(v, 250);
}

TEST(JpegTest, HugeSegmentLengthIsCorrupt) {
  // SOI, then an APP1 segment claiming 65535 bytes in a 10-byte file.
  const Bytes file = {0xFF, 0xD8, 0xFF, 0xE1, 0xFF, 0xFF, 'E', 'x', 'i', 'f'};
  EXPECT_EQ(error_code(extract_recipe(file)), "corrupt_image");
  EXPECT_EQ(error_code(decode_image(file, {})), "corrupt_image");
}

// A progressive greyscale JPEG whose scan script refines every AC coefficient one bit at a
// time from bit `al_first` down: 1 + 63 * (al_first + 1) scans.
Bytes progressive_jpeg(int al_first) {
  std::vector<jpeg_scan_info> scans;
  scans.push_back({1, {0}, 0, 0, 0, 0});  // DC, full precision.
  for (int k = 1; k <= 63; ++k) {
    scans.push_back({1, {0}, k, k, 0, al_first});
    for (int al = al_first - 1; al >= 0; --al) scans.push_back({1, {0}, k, k, al + 1, al});
  }
  jpeg_compress_struct info;
  jpeg_error_mgr error;
  info.err = jpeg_std_error(&error);  // Exits on error: fine for a fixed, valid test input.
  jpeg_create_compress(&info);
  unsigned char* out = nullptr;
  unsigned long out_bytes = 0;
  jpeg_mem_dest(&info, &out, &out_bytes);
  info.image_width = 16;
  info.image_height = 16;
  info.input_components = 1;
  info.in_color_space = JCS_GRAYSCALE;
  jpeg_set_defaults(&info);
  info.scan_info = scans.data();
  info.num_scans = static_cast<int>(scans.size());
  jpeg_start_compress(&info, TRUE);
  std::vector<std::uint8_t> row(16);
  while (info.next_scanline < 16) {
    for (int x = 0; x < 16; ++x) row[x] = static_cast<std::uint8_t>(x * 16 + info.next_scanline);
    JSAMPROW rows[] = {row.data()};
    jpeg_write_scanlines(&info, rows, 1);
  }
  jpeg_finish_compress(&info);
  jpeg_destroy_compress(&info);
  Bytes file(out, out + out_bytes);
  std::free(out);
  return file;
}

TEST(JpegTest, ScanCountLimitOnBothSides) {
  const Bytes few = progressive_jpeg(3);  // 253 scans: within the limit of 256.
  Result<Image> decoded = decode_image(few, {});
  ASSERT_TRUE(decoded) << decoded.error().to_string();
  EXPECT_EQ(decoded->width, 16);
  EXPECT_EQ(decoded->rgba[4 * 17], decoded->rgba[4 * 17 + 1]);  // Grey: R == G.
  const Bytes many = progressive_jpeg(4);                       // 316 scans.
  Result<Image> refused = decode_image(many, {});
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, "corrupt_image");
  EXPECT_NE(refused.error().message.find("scans"), std::string::npos);
}

// --- WebP and AVIF ----------------------------------------------------------------------------

TEST(WebpTest, RecipeIsAnXmpChunkInAVp8xContainer) {
  const Bytes file = encode_ok(gradient(64, 48, false), ImageFormat::kWebp);
  EXPECT_EQ(find(file, "VP8X"), 12u);
  EXPECT_NE(find(file, "XMP "), std::string_view::npos);
  EXPECT_NE(find(file, "<atelier:recipe>"), std::string_view::npos);
}

TEST(WebpTest, OpaqueImageHasNoAlphaChunk) {
  EXPECT_EQ(find(encode_ok(gradient(64, 48, false), ImageFormat::kWebp), "ALPH"),
            std::string_view::npos);
  EXPECT_NE(find(encode_ok(gradient(64, 48, true), ImageFormat::kWebp), "ALPH"),
            std::string_view::npos);
}

TEST(WebpTest, AlphaIsKept) {
  const Image image = gradient(64, 48, true);
  Result<Image> decoded = decode_image(encode_ok(image, ImageFormat::kWebp), {});
  ASSERT_TRUE(decoded);
  for (std::size_t i = 3; i < image.rgba.size(); i += 4) {
    EXPECT_EQ(decoded->rgba[i], image.rgba[i]) << i;  // alpha_quality 100: lossless alpha.
  }
}

TEST(WebpTest, WiderThanWebpAllowsIsRefused) {
  Image wide;
  wide.width = 16384;
  wide.height = 1;
  wide.rgba.assign(16384 * 4, 255);
  EXPECT_EQ(error_code(encode_image(wide, options_for(ImageFormat::kWebp), kRecipe)),
            "image_too_large");
  wide.width = 16383;
  wide.rgba.resize(16383 * 4);
  EXPECT_EQ(error_code(encode_image(wide, options_for(ImageFormat::kWebp), kRecipe)), "ok");
}

TEST(AvifTest, OpaqueImageHasNoAlphaItem) {
  constexpr std::string_view kAlphaUrn = "urn:mpeg:mpegB:cicp:systems:auxiliary:alpha";
  EXPECT_EQ(find(encode_ok(gradient(64, 48, false), ImageFormat::kAvif), kAlphaUrn),
            std::string_view::npos);
  EXPECT_NE(find(encode_ok(gradient(64, 48, true), ImageFormat::kAvif), kAlphaUrn),
            std::string_view::npos);
}

TEST(AvifTest, AlphaIsApproximatelyKept) {
  const Image image = gradient(64, 48, true);
  Result<Image> decoded = decode_image(encode_ok(image, ImageFormat::kAvif), {});
  ASSERT_TRUE(decoded);
  double total = 0;
  for (std::size_t i = 3; i < image.rgba.size(); i += 4) {
    total += std::abs(int{decoded->rgba[i]} - int{image.rgba[i]});
  }
  EXPECT_LT(total / (64 * 48), 4.0);
}

// --- XMP packet -------------------------------------------------------------------------------

// A PNG chunk: length, type, data, CRC.
Bytes png_chunk(const char* type, const Bytes& data) {
  Bytes c;
  c.reserve(12 + data.size());
  for (int shift = 24; shift >= 0; shift -= 8) c.push_back(std::uint8_t(data.size() >> shift));
  c.insert(c.end(), type, type + 4);
  c.insert(c.end(), data.begin(), data.end());
  uLong crc = crc32(0L, c.data() + 4, 4);
  if (!data.empty()) crc = crc32(crc, data.data(), uInt(data.size()));
  for (int shift = 24; shift >= 0; shift -= 8) c.push_back(std::uint8_t(crc >> shift));
  return c;
}

// A PNG of width x height 8-bit pixels of `color_type` (`channels` bytes each), with
// `extra_chunk` (a whole chunk, or empty) after IHDR.
Bytes small_png(int width, int height, int color_type, int channels, const Bytes& extra_chunk) {
  const auto chunk = png_chunk;
  Bytes ihdr = {
      0, 0, 0, std::uint8_t(width), 0, 0, 0, std::uint8_t(height), 8, std::uint8_t(color_type),
      0, 0, 0};
  Bytes raw;
  for (int y = 0; y < height; ++y) {
    raw.push_back(0);
    for (int i = 0; i < width * channels; ++i) raw.push_back(std::uint8_t(y * 31 + i * 7));
  }
  uLongf size = compressBound(uLong(raw.size()));
  Bytes idat(size);
  compress(idat.data(), &size, raw.data(), uLong(raw.size()));
  idat.resize(size);
  Bytes png = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
  for (const Bytes& c :
       {chunk("IHDR", ihdr), extra_chunk, chunk("IDAT", idat), chunk("IEND", {})}) {
    png.insert(png.end(), c.begin(), c.end());
  }
  return png;
}

// What the file stored, for callers such as PDQ whose result depends on it.
TEST(DecodeInfoTest, ChannelsAsStored) {
  const std::pair<ImageFormat, bool> cases[] = {
      {ImageFormat::kPng, false},  {ImageFormat::kPng, true},  {ImageFormat::kJpeg, false},
      {ImageFormat::kWebp, false}, {ImageFormat::kWebp, true}, {ImageFormat::kAvif, false},
      {ImageFormat::kAvif, true}};
  for (const auto& [format, alpha] : cases) {
    DecodeInfo info;
    ASSERT_TRUE(decode_image(encode_ok(gradient(32, 24, alpha), format), {}, &info));
    EXPECT_EQ(info.channels, alpha ? 4 : 3) << name(format) << " alpha " << alpha;
    EXPECT_EQ(info.frames, 1);
  }
  for (const auto& [color_type, channels] : {std::pair{0, 1}, {4, 2}, {2, 3}, {6, 4}}) {
    DecodeInfo info;
    ASSERT_TRUE(decode_image(small_png(5, 4, color_type, channels, {}), {}, &info));
    EXPECT_EQ(info.channels, channels) << "colour type " << color_type;
  }
}

TEST(DecodeInfoTest, AnimatedPngReportsItsFrames) {
  // acTL: 12 bytes of chunk around 8 of data (frames 7, plays 0); CRC of "acTL" + data.
  Bytes actl = {0, 0, 0, 8, 'a', 'c', 'T', 'L', 0, 0, 0, 7, 0, 0, 0, 0};
  const uLong crc = crc32(0L, actl.data() + 4, 12);
  for (int shift = 24; shift >= 0; shift -= 8) actl.push_back(std::uint8_t(crc >> shift));
  DecodeInfo info;
  Result<Image> decoded = decode_image(small_png(6, 6, 2, 3, actl), {}, &info);
  ASSERT_TRUE(decoded) << decoded.error().to_string();
  EXPECT_EQ(info.frames, 7);
  // A broken acTL is a corrupt file.
  actl[3] = 4;
  EXPECT_EQ(error_code(decode_image(small_png(6, 6, 2, 3, actl), {}, &info)), "corrupt_image");
}

// Noise: every filter's arithmetic wraps somewhere.
Image noise(int width, int height, bool with_alpha, unsigned seed) {
  std::mt19937 rng(seed);
  Image image{width, height, Bytes(std::size_t(width) * height * 4)};
  for (std::size_t i = 0; i < image.rgba.size(); ++i) {
    image.rgba[i] = (i % 4 == 3 && !with_alpha) ? 255 : std::uint8_t(rng() >> 24);
  }
  return image;
}

// A PNG written by libpng's simplified writer in `format` (grey, grey + alpha, palettes).
Bytes libpng_png(const Image& image, png_uint_32 format) {
  png_image png;
  std::memset(&png, 0, sizeof png);
  png.version = PNG_IMAGE_VERSION;
  png.width = image.width;
  png.height = image.height;
  png.format = format;
  Bytes pixels, colormap;
  const bool mapped = (format & PNG_FORMAT_FLAG_COLORMAP) != 0;
  const int channels = PNG_IMAGE_SAMPLE_CHANNELS(format);
  if (mapped) {
    png.colormap_entries = 200;  // Indexes 200..255 are not used (libpng checks them).
    for (int i = 0; i < 200; ++i) {
      for (int c = 0; c < channels; ++c) colormap.push_back(std::uint8_t(i * (c + 3) + c * 50));
    }
  }
  for (std::size_t i = 0; i < image.rgba.size(); i += 4) {
    if (mapped) {
      pixels.push_back(std::uint8_t(image.rgba[i] % 200));
    } else {
      for (int c = 0; c < channels; ++c) pixels.push_back(image.rgba[i + (c == 1 ? 3 : c)]);
    }
  }
  png_alloc_size_t size = 0;
  const void* map = mapped ? colormap.data() : nullptr;
  png_image_write_get_memory_size(png, size, 0, pixels.data(), 0, map);
  Bytes out(size);
  EXPECT_TRUE(png_image_write_to_memory(&png, out.data(), &size, 0, pixels.data(), 0, map))
      << png.message;
  out.resize(size);
  return out;
}

// The fast PNG reader (png_fast_read.cc) against libpng: the same pixels and channels wherever
// it decodes, and the same result from decode_png either way, on atelier's encoder with every
// filter, libpng's writer in grey, grey + alpha and palettes with and without transparency,
// odd sizes, noise, and the image fuzz corpus.
TEST(PngFastReadTest, SamePixelsAsLibpng) {
  std::vector<Bytes> files;
  const std::pair<int, int> sizes[] = {{1, 1}, {3, 2}, {17, 9}, {64, 48}, {257, 33}};
  for (PngFilter filter : {PngFilter::kAdaptive, PngFilter::kNone, PngFilter::kSub, PngFilter::kUp,
                           PngFilter::kAverage, PngFilter::kPaeth, PngFilter::kAdaptiveCapped}) {
    for (const auto& [w, h] : sizes) {
      for (bool alpha : {false, true}) {
        EncodeOptions options{.format = ImageFormat::kPng, .png_filter = filter};
        files.push_back(encode_ok(gradient(w, h, alpha), options, ""));
        files.push_back(encode_ok(noise(w, h, alpha, unsigned(w * 7 + h)), options, ""));
      }
    }
  }
  for (png_uint_32 format :
       {png_uint_32(PNG_FORMAT_GRAY), png_uint_32(PNG_FORMAT_GA),
        png_uint_32(PNG_FORMAT_RGB_COLORMAP), png_uint_32(PNG_FORMAT_RGBA_COLORMAP)}) {
    for (const auto& [w, h] : sizes) files.push_back(libpng_png(noise(w, h, true, 5), format));
  }
  // Colour-space chunks: sRGB, sRGB's gamma, its chromaticities, all three, another gamma.
  const Bytes srgb = png_chunk("sRGB", {0}), gama = png_chunk("gAMA", {0, 0, 0xb1, 0x8f}),
              chrm = png_chunk(
                  "cHRM", {0, 0, 0x7a, 0x26, 0, 0, 0x80, 0x84, 0, 0, 0xfa, 0,    0, 0, 0x80, 0xe8,
                           0, 0, 0x75, 0x30, 0, 0, 0xea, 0x60, 0, 0, 0x3a, 0x98, 0, 0, 0x17, 0x70});
  Bytes all = srgb;
  all.insert(all.end(), gama.begin(), gama.end());
  all.insert(all.end(), chrm.begin(), chrm.end());
  for (const auto& [type, channels] : {std::pair{0, 1}, {2, 3}, {4, 2}, {6, 4}}) {
    for (const Bytes& extra : {Bytes{}, srgb, gama, chrm, all, png_chunk("gAMA", {0, 1, 0, 0})}) {
      files.push_back(small_png(7, 5, type, channels, extra));
    }
  }
  const std::filesystem::path corpus =
      std::filesystem::path(ATELIER_SOURCE_DIR_DEFAULT) / "fuzz" / "corpus" / "image";
  for (const auto& entry : std::filesystem::directory_iterator(corpus)) {
    std::ifstream in(entry.path(), std::ios::binary);
    Bytes bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    if (sniff_image_format(bytes) == ImageFormat::kPng) files.push_back(std::move(bytes));
  }
  int fast = 0;
  for (std::size_t i = 0; i < files.size(); ++i) {
    DecodeInfo slow_info, auto_info;
    const Result<Image> slow = codec_internal::decode_png(files[i], {1 << 24}, slow_info,
                                                          codec_internal::PngReader::kLibpng);
    const Result<Image> either = codec_internal::decode_png(files[i], {1 << 24}, auto_info);
    ASSERT_EQ(error_code(either), error_code(slow)) << "file " << i;
    if (!slow) continue;
    EXPECT_EQ(either->rgba, slow->rgba) << "file " << i;
    EXPECT_EQ(auto_info.channels, slow_info.channels) << "file " << i;
    Image image{slow->width, slow->height, Bytes(slow->rgba.size())};
    if (codec_internal::decode_png_fast(files[i], image)) {
      ++fast;
      EXPECT_EQ(image.rgba, slow->rgba) << "file " << i;
    }
  }
  // Every file atelier and libpng wrote here is the common case.
  EXPECT_GE(fast, 7 * 5 * 2 * 2 + 4 * 5 + 4 * 5);
}

// What the fast reader leaves to libpng: a colour-space chunk, a palette index past the
// palette, data after the zlib stream, a filter type PNG does not define.
TEST(PngFastReadTest, DeclinesWhatLibpngMustDecide) {
  const auto decline = [](const Bytes& png) {
    Image image{7, 5, Bytes(7 * 5 * 4)};
    return !codec_internal::decode_png_fast(png, image);
  };
  const Bytes plain = small_png(7, 5, 2, 3, {});
  ASSERT_FALSE(decline(plain));
  // gAMA 1.0 (linear): libpng converts it to sRGB.
  const Bytes with_gama = small_png(7, 5, 2, 3, png_chunk("gAMA", {0, 1, 0x86, 0xa0}));
  EXPECT_TRUE(decline(with_gama));
  DecodeInfo info;
  Result<Image> converted = decode_image(with_gama, {}, &info);
  ASSERT_TRUE(converted);
  EXPECT_NE(converted->rgba, decode_image(plain, {})->rgba);  // libpng did convert it.
  // Two palette entries, indexes up to 200.
  EXPECT_TRUE(decline(small_png(7, 5, 3, 1, png_chunk("PLTE", {0, 0, 0, 255, 255, 255}))));
  Bytes raw;
  for (int y = 0; y < 5; ++y) {
    raw.push_back(y == 2 ? 5 : 0);  // Row 2's filter type is 5, which PNG does not define.
    raw.insert(raw.end(), 7 * 3, std::uint8_t(y));
  }
  const auto png_of = [&](const Bytes& zlib) {
    Bytes png = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
    for (const Bytes& c : {png_chunk("IHDR", {0, 0, 0, 7, 0, 0, 0, 5, 8, 2, 0, 0, 0}),
                           png_chunk("IDAT", zlib), png_chunk("IEND", {})}) {
      png.insert(png.end(), c.begin(), c.end());
    }
    return png;
  };
  const auto deflate = [](const Bytes& data) {
    uLongf size = compressBound(uLong(data.size()));
    Bytes zlib(size);
    compress(zlib.data(), &size, data.data(), uLong(data.size()));
    zlib.resize(size);
    return zlib;
  };
  EXPECT_TRUE(decline(png_of(deflate(raw))));  // The filter type.
  raw[2 * 22] = 0;
  Bytes zlib = deflate(raw);
  EXPECT_FALSE(decline(png_of(zlib)));
  zlib.push_back(0);
  EXPECT_TRUE(decline(png_of(zlib)));  // A byte after the zlib stream, inside IDAT.
}

TEST(XmpTest, BuildsAnEscapedPacketAndParsesItBack) {
  const std::string packet = codec_internal::build_xmp_packet("a<b>&\"c\"\r");
  EXPECT_NE(packet.find("<atelier:recipe>a&lt;b&gt;&amp;&quot;c&quot;&#13;</atelier:recipe>"),
            std::string::npos);
  EXPECT_EQ(packet.rfind("<?xpacket begin=", 0), 0u);
  EXPECT_NE(packet.find("xmlns:atelier=\"https://atelier.dev/ns/1.0/\""), std::string::npos);
  EXPECT_EQ(codec_internal::parse_xmp_recipe(packet, "test"), "a<b>&\"c\"\r");
}

TEST(XmpTest, AcceptsOtherWritersEscapes) {
  const auto parse = [](std::string_view body) {
    return codec_internal::parse_xmp_recipe(
        "<x><atelier:recipe>" + std::string(body) + "</atelier:recipe></x>", "test");
  };
  EXPECT_EQ(parse("&apos;&#65;&#x42;&#xe9;&#x1F3A8;"), "'AB\xC3\xA9\xF0\x9F\x8E\xA8");
  EXPECT_EQ(error_code(parse("&bogus;")), "corrupt_image");
  EXPECT_EQ(error_code(parse("&#0;")), "corrupt_image");
  EXPECT_EQ(error_code(parse("&#xD800;")), "corrupt_image");
  EXPECT_EQ(error_code(parse("&#x110000;")), "corrupt_image");
  EXPECT_EQ(error_code(parse("& no semicolon")), "corrupt_image");
  EXPECT_EQ(error_code(parse("<b>nested</b>")), "corrupt_image");
}

TEST(XmpTest, MissingUnterminatedOrDuplicateElement) {
  using codec_internal::parse_xmp_recipe;
  EXPECT_EQ(error_code(parse_xmp_recipe("<x:xmpmeta/>", "t")), "no_recipe");
  EXPECT_EQ(error_code(parse_xmp_recipe("<atelier:recipe>{}", "t")), "corrupt_image");
  EXPECT_EQ(error_code(parse_xmp_recipe(
                "<atelier:recipe>a</atelier:recipe><atelier:recipe>b</atelier:recipe>", "t")),
            "corrupt_image");
}

// --- Garbage and argument errors --------------------------------------------------------------

TEST(ExtractTest, RandomBytesAreUnknownFormat) {
  std::mt19937 rng(7);
  for (int round = 0; round < 100; ++round) {
    Bytes bytes(rng() % 200);
    for (std::uint8_t& b : bytes) b = static_cast<std::uint8_t>(rng());
    if (sniff_image_format(bytes)) continue;
    EXPECT_EQ(error_code(extract_recipe(bytes)), "unknown_format");
    EXPECT_EQ(error_code(decode_image(bytes, {})), "corrupt_image");
  }
}

TEST(ExtractTest, GarbageAfterAMagicNumberIsCorrupt) {
  std::mt19937 rng(11);
  const std::vector<Bytes> heads = {
      {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'},
      {0xFF, 0xD8, 0xFF},
      {'R', 'I', 'F', 'F', 0xFF, 0xFF, 0xFF, 0x7F, 'W', 'E', 'B', 'P'},
      {0, 0, 0, 16, 'f', 't', 'y', 'p', 'a', 'v', 'i', 'f', 0, 0, 0, 0}};
  for (const Bytes& head : heads) {
    for (int round = 0; round < 50; ++round) {
      Bytes bytes = head;
      for (std::size_t i = rng() % 300; i > 0; --i)
        bytes.push_back(static_cast<std::uint8_t>(rng()));
      EXPECT_EQ(error_code(extract_recipe(bytes)), "corrupt_image") << int(head[0]);
      EXPECT_EQ(error_code(decode_image(bytes, {})), "corrupt_image") << int(head[0]);
    }
  }
}

TEST(EncodeTest, RejectsBadArguments) {
  const Image image = gradient(8, 8, false);
  EncodeOptions jpeg = options_for(ImageFormat::kJpeg);
  jpeg.quality = 0;
  EXPECT_EQ(error_code(encode_image(image, jpeg, kRecipe)), "invalid_quality");
  jpeg.quality = 101;
  EXPECT_EQ(error_code(encode_image(image, jpeg, kRecipe)), "invalid_quality");
  jpeg.quality = 1;
  EXPECT_EQ(error_code(encode_image(image, jpeg, kRecipe)), "ok");
  jpeg.quality = 100;
  EXPECT_EQ(error_code(encode_image(image, jpeg, kRecipe)), "ok");

  EncodeOptions png = options_for(ImageFormat::kPng);
  png.png_level = 13;
  EXPECT_EQ(error_code(encode_image(image, png, kRecipe)), "invalid_png_level");
  png.png_compressor = PngCompressor::kZlib;
  png.png_level = 10;
  EXPECT_EQ(error_code(encode_image(image, png, kRecipe)), "invalid_png_level");
  png.png_level = -1;
  EXPECT_EQ(error_code(encode_image(image, png, kRecipe)), "invalid_png_level");

  Image bad = image;
  bad.rgba.pop_back();
  EXPECT_EQ(error_code(encode_image(bad, options_for(ImageFormat::kPng), kRecipe)),
            "invalid_image");
  bad = Image{};
  EXPECT_EQ(error_code(encode_image(bad, options_for(ImageFormat::kPng), kRecipe)),
            "invalid_image");
  bad.width = 16385;
  bad.height = 1;
  bad.rgba.assign(16385 * 4, 0);
  EXPECT_EQ(error_code(encode_image(bad, options_for(ImageFormat::kPng), kRecipe)),
            "image_too_large");
}

TEST(EncodeTest, RejectsRecipesNoContainerCanHold) {
  const Image image = gradient(8, 8, false);
  for (ImageFormat format : kAllFormats) {
    const EncodeOptions options = options_for(format);
    EXPECT_EQ(error_code(encode_image(image, options, std::string("a\0b", 3))), "invalid_recipe");
    EXPECT_EQ(error_code(encode_image(image, options, "a\x01")), "invalid_recipe");
    EXPECT_EQ(error_code(encode_image(image, options, "\xC3")), "invalid_recipe");  // Cut short.
    EXPECT_EQ(error_code(encode_image(image, options, "\xC0\xAF")), "invalid_recipe");  // Overlong.
    EXPECT_EQ(error_code(encode_image(image, options, "\xED\xA0\x80")), "invalid_recipe");
    EXPECT_EQ(error_code(encode_image(image, options, "\xF4\x90\x80\x80")), "invalid_recipe");
  }
}

}  // namespace
}  // namespace atelier::render
