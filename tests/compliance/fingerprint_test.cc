// Fingerprints of files (src/compliance/fingerprint.h): exact identity, channels and alpha,
// and bad input — empty, not an image, truncated, corrupt, decompression bombs, animated,
// and both sides of the byte and pixel limits (issue 16 §5).
#include "compliance/fingerprint.h"

#include <gtest/gtest.h>
#include <zlib.h>

#include "render/codec.h"
#include "tests/compliance/reference_data.h"
#include "tests/compliance/test_images.h"

namespace atelier::compliance {
namespace {

using testing::pdq_data_dir;
using testing::read_bytes;

std::vector<std::uint8_t> png_of(const render::Image& image) {
  return render::encode_image(image, {}, "").value();
}

void append_be32(std::vector<std::uint8_t>& out, std::uint32_t v) {
  for (int shift = 24; shift >= 0; shift -= 8) out.push_back(std::uint8_t(v >> shift));
}

// A chunk with its length and CRC.
std::vector<std::uint8_t> png_chunk(const char* type, const std::vector<std::uint8_t>& data) {
  std::vector<std::uint8_t> chunk;
  append_be32(chunk, static_cast<std::uint32_t>(data.size()));
  chunk.insert(chunk.end(), type, type + 4);
  chunk.insert(chunk.end(), data.begin(), data.end());
  uLong crc = crc32(0L, chunk.data() + 4, 4);
  // crc32(crc, nullptr, 0) returns zlib's initial value, not crc: skip empty data.
  if (!data.empty()) crc = crc32(crc, data.data(), uInt(data.size()));
  append_be32(chunk, static_cast<std::uint32_t>(crc));
  return chunk;
}

std::string error_code(const Result<Fingerprint>& r) { return r ? "ok" : r.error().code; }

TEST(ComplianceFingerprint, IdentityOfFileAndPixels) {
  const auto bytes = read_bytes(pdq_data_dir() / "art-300x200.png");
  const Fingerprint f = fingerprint_image(bytes).value();
  EXPECT_EQ(f.file_sha256, sha256(bytes));
  EXPECT_EQ(f.width, 300);
  EXPECT_EQ(f.height, 200);
  EXPECT_EQ(f.format, render::ImageFormat::kPng);
  EXPECT_EQ(f.channels, 3);
  render::Image image = render::decode_image(bytes, {}).value();
  EXPECT_EQ(f.pixels_sha256, pixels_sha256(image));
  // Width and height are part of the pixels' identity: the same bytes in another shape differ.
  render::Image reshaped{200, 300, image.rgba};
  EXPECT_NE(pixels_sha256(reshaped), pixels_sha256(image));
  // One changed pixel is another image exactly, and the same one perceptually.
  image.rgba[4 * 1234] ^= 1;
  const Fingerprint g = fingerprint_image(png_of(image)).value();
  EXPECT_NE(g.pixels_sha256, f.pixels_sha256);
  EXPECT_LE(hamming_distance(g.pdq.hash, f.pdq.hash), 2);
}

TEST(ComplianceFingerprint, ChannelsAsStored) {
  const std::pair<const char*, int> files[] = {{"grey-257x129.png", 1},
                                               {"grey-700x500.jpg", 1},
                                               {"palette-200x150.png", 3},
                                               {"art-640x480.jpg", 3},
                                               {"art-512.png", 3}};
  for (const auto& [file, channels] : files) {
    const Fingerprint f = fingerprint_image(read_bytes(pdq_data_dir() / file)).value();
    EXPECT_EQ(f.channels, channels) << file;
  }
}

// Alpha is ignored (the reference cannot read it at all; its Python port drops it): an image
// with transparency hashes as its colour values do.
TEST(ComplianceFingerprint, AlphaIsIgnored) {
  render::Image image = testing::make_art(41, 256, 200);
  const Fingerprint opaque = fingerprint_image(png_of(image)).value();
  for (std::size_t i = 3; i < image.rgba.size(); i += 4) image.rgba[i] = std::uint8_t(i * 7);
  const Fingerprint translucent = fingerprint_image(png_of(image)).value();
  EXPECT_EQ(translucent.channels, 4);
  EXPECT_EQ(translucent.pdq.hash, opaque.pdq.hash);
  EXPECT_EQ(translucent.pdq.quality, opaque.pdq.quality);
  EXPECT_NE(translucent.pixels_sha256, opaque.pixels_sha256);
}

TEST(ComplianceFingerprint, FlatImagesAreNotTrusted) {
  const Fingerprint f = fingerprint_image(read_bytes(pdq_data_dir() / "flat-96.png")).value();
  EXPECT_LT(f.pdq.quality, kPdqQualityTrustedMin);
  EXPECT_FALSE(f.trusted());
  const Fingerprint art = fingerprint_image(read_bytes(pdq_data_dir() / "art-512.png")).value();
  EXPECT_TRUE(art.trusted());
}

TEST(ComplianceFingerprint, OptionsAddVariantsAndCrops) {
  const auto bytes = read_bytes(pdq_data_dir() / "art-300x200.png");
  const Fingerprint plain = fingerprint_image(bytes).value();
  EXPECT_FALSE(plain.dihedral);
  EXPECT_TRUE(plain.regions.empty());
  const Fingerprint all = fingerprint_image(bytes, {.dihedral = true, .crops = true}).value();
  ASSERT_TRUE(all.dihedral);
  EXPECT_EQ((*all.dihedral)[Dihedral::kOriginal], plain.pdq.hash);
  ASSERT_EQ(all.regions.size(), std::size_t(kRegionCount));
  for (int i = 0; i < kRegionCount; ++i) EXPECT_EQ(all.regions[i].region, kRegions[i]);
}

TEST(ComplianceFingerprint, EmptyAndNonImageFiles) {
  EXPECT_EQ(error_code(fingerprint_image({})), "empty_image");
  const std::string text = "hello, this is not an image\n";
  const std::vector<std::uint8_t> bytes(text.begin(), text.end());
  Result<Fingerprint> r = fingerprint_image(bytes);
  EXPECT_EQ(error_code(r), "unsupported_image");
  EXPECT_EQ(r.error().field, "file");
  const std::string gif = "GIF89a\x01\x00\x01\x00\x00\x00\x00;";
  EXPECT_EQ(error_code(fingerprint_image(std::vector<std::uint8_t>(gif.begin(), gif.end()))),
            "unsupported_image");
}

TEST(ComplianceFingerprint, TruncatedAndCorruptFiles) {
  for (const char* file : {"art-300x200.png", "art-640x480.jpg"}) {
    const auto bytes = read_bytes(pdq_data_dir() / file);
    for (std::size_t keep :
         {std::size_t{12}, std::size_t{200}, bytes.size() / 2, bytes.size() - 3}) {
      const std::vector<std::uint8_t> cut(bytes.begin(), bytes.begin() + long(keep));
      EXPECT_EQ(error_code(fingerprint_image(cut)), "corrupt_image") << file << " cut at " << keep;
    }
  }
  // A flipped bit in the PNG's compressed data fails its CRC.
  auto png = read_bytes(pdq_data_dir() / "art-300x200.png");
  png[png.size() / 2] ^= 0x10;
  EXPECT_EQ(error_code(fingerprint_image(png)), "corrupt_image");
}

// A header declaring a huge image over a few bytes of data is refused from the header.
TEST(ComplianceFingerprint, DecompressionBombIsRefusedBeforeDecoding) {
  std::vector<std::uint8_t> png = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
  std::vector<std::uint8_t> ihdr;
  append_be32(ihdr, 10000);  // 100 Mpx: over the limit, under the decoder's 2 GiB ceiling.
  append_be32(ihdr, 10000);
  ihdr.insert(ihdr.end(), {8, 6, 0, 0, 0});  // 8-bit RGBA.
  for (const auto& chunk : {png_chunk("IHDR", ihdr), png_chunk("IDAT", {0x78, 0x9c, 0x03, 0x00}),
                            png_chunk("IEND", {})}) {
    png.insert(png.end(), chunk.begin(), chunk.end());
  }
  Result<Fingerprint> r = fingerprint_image(png);
  ASSERT_EQ(error_code(r), "image_too_large") << (r ? "" : r.error().message);
  EXPECT_NE(r.error().message.find("compliance_image_pixels_max"), std::string::npos)
      << r.error().message;
}

TEST(ComplianceFingerprint, PixelLimitBothSides) {
  const auto png = png_of(testing::make_art(42, 100, 80));
  EXPECT_EQ(error_code(fingerprint_image(png, {.pixels_max = 8000})), "ok");
  EXPECT_EQ(error_code(fingerprint_image(png, {.pixels_max = 7999})), "image_too_large");
}

TEST(ComplianceFingerprint, ByteLimitBothSides) {
  const auto png = png_of(testing::make_art(43, 60, 50));
  const auto size = static_cast<std::int64_t>(png.size());
  EXPECT_EQ(error_code(fingerprint_image(png, {.file_bytes_max = size})), "ok");
  Result<Fingerprint> r = fingerprint_image(png, {.file_bytes_max = size - 1});
  EXPECT_EQ(error_code(r), "file_too_large");
  EXPECT_NE(r.error().message.find(std::to_string(size - 1)), std::string::npos);
}

// An animated PNG (an acTL chunk before the image data) is refused: PDQ hashes stills.
TEST(ComplianceFingerprint, AnimatedPngIsRefused) {
  const auto still = png_of(testing::make_art(44, 64, 48));
  std::vector<std::uint8_t> actl;
  append_be32(actl, 3);  // Frames.
  append_be32(actl, 0);  // Plays (forever).
  const std::size_t after_ihdr = 8 + 12 + 13;
  std::vector<std::uint8_t> animated(still.begin(), still.begin() + long(after_ihdr));
  const auto chunk = png_chunk("acTL", actl);
  animated.insert(animated.end(), chunk.begin(), chunk.end());
  animated.insert(animated.end(), still.begin() + long(after_ihdr), still.end());
  Result<Fingerprint> r = fingerprint_image(animated);
  ASSERT_EQ(error_code(r), "animated_image");
  EXPECT_NE(r.error().message.find("3 frames"), std::string::npos) << r.error().message;
  // An acTL of one frame is a still image.
  actl[3] = 1;
  std::vector<std::uint8_t> one(still.begin(), still.begin() + long(after_ihdr));
  const auto chunk1 = png_chunk("acTL", actl);
  one.insert(one.end(), chunk1.begin(), chunk1.end());
  one.insert(one.end(), still.begin() + long(after_ihdr), still.end());
  EXPECT_EQ(error_code(fingerprint_image(one)), "ok");
}

}  // namespace
}  // namespace atelier::compliance
