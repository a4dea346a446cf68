// Conformance in the reference's own terms (issue 16 §1): the same hashes as Meta's reference
// implementation for the same decoded pixels — plain, dihedral and crops — and within distance
// 10 after re-encoding at JPEG quality 80 and above.
#include <gtest/gtest.h>

#include <map>

#include "compliance/fingerprint.h"
#include "render/codec.h"
#include "tests/compliance/reference_data.h"

namespace atelier::compliance {
namespace {

using testing::pdq_data_dir;
using testing::read_bytes;
using testing::read_reference;

Fingerprint fingerprint_of(const std::string& file, FingerprintOptions options = {}) {
  Result<Fingerprint> f = fingerprint_image(read_bytes(pdq_data_dir() / file), options);
  EXPECT_TRUE(f) << file << ": " << (f ? "" : f.error().to_string());
  return f ? *f : Fingerprint{};
}

TEST(PdqConformance, PlainHashesAreTheReferences) {
  const auto lines = read_reference("reference-pdq.txt");
  ASSERT_EQ(lines.size(), 15u);
  for (const auto& line : lines) {
    const Fingerprint f = fingerprint_of(line.file);
    EXPECT_EQ(to_hex(f.pdq.hash), line.hex) << line.file;
    EXPECT_EQ(f.pdq.quality, line.quality) << line.file;
  }
}

TEST(PdqConformance, DihedralHashesAreTheReferences) {
  const auto lines = read_reference("reference-pdqdih.txt");
  ASSERT_EQ(lines.size(), 15u * kDihedralCount);
  for (std::size_t i = 0; i < lines.size(); i += kDihedralCount) {
    const Fingerprint f = fingerprint_of(lines[i].file, {.dihedral = true});
    ASSERT_TRUE(f.dihedral) << lines[i].file;
    for (int d = 0; d < kDihedralCount; ++d) {
      EXPECT_EQ(to_hex(f.dihedral->hashes[d]), lines[i + d].hex)
          << lines[i].file << " " << dihedral_name(static_cast<Dihedral>(d));
      EXPECT_EQ(f.dihedral->quality, lines[i + d].quality);
    }
  }
}

// The crops are hashed as the reference hashes the same region saved as a file of its own.
TEST(PdqConformance, CropHashesAreTheReferences) {
  const auto lines = read_reference("reference-crops.txt");
  ASSERT_EQ(lines.size(), 3u * kRegionCount);
  std::map<std::string, Fingerprint> images;
  int checked = 0;
  for (const auto& line : lines) {
    // "<image>.<region>.png"
    const std::size_t dot = line.file.find(".png.");
    ASSERT_NE(dot, std::string::npos) << line.file;
    const std::string image = line.file.substr(0, dot + 4);
    const std::string region = line.file.substr(dot + 5, line.file.size() - dot - 9);
    if (!images.contains(image)) images[image] = fingerprint_of(image, {.crops = true});
    for (const RegionHash& r : images[image].regions) {
      if (region_name(r.region) != region) continue;
      EXPECT_EQ(to_hex(r.pdq.hash), line.hex) << line.file;
      EXPECT_EQ(r.pdq.quality, line.quality) << line.file;
      ++checked;
    }
  }
  EXPECT_EQ(checked, 3 * kRegionCount);
}

// Issue 16 §1: within distance 10 for quality >= 80 after re-encoding.
TEST(PdqConformance, JpegReencodesAtQuality80AndAboveStayWithin10) {
  for (const char* file : {"art-512.png", "art-1024.png", "art-300x200.png"}) {
    const auto bytes = read_bytes(pdq_data_dir() / file);
    const render::Image image = render::decode_image(bytes, {}).value();
    const Fingerprint original = fingerprint_of(file);
    ASSERT_TRUE(original.trusted());
    for (int quality : {80, 90, 95}) {
      auto jpeg = render::encode_image(
          image, {.format = render::ImageFormat::kJpeg, .quality = quality}, "");
      ASSERT_TRUE(jpeg);
      Result<Fingerprint> copy = fingerprint_image(*jpeg);
      ASSERT_TRUE(copy);
      EXPECT_LE(hamming_distance(copy->pdq.hash, original.pdq.hash), 10)
          << file << " at JPEG quality " << quality;
    }
  }
}

// A lossless re-encode decodes to the same pixels: the same PDQ hash and pixel identity, while
// the file's own SHA-256 changes.
TEST(PdqConformance, LosslessReencodeKeepsHashAndPixelIdentity) {
  const auto bytes = read_bytes(pdq_data_dir() / "art-512.png");
  const render::Image image = render::decode_image(bytes, {}).value();
  auto again = render::encode_image(image, {.png_compressor = render::PngCompressor::kZlib}, "");
  ASSERT_TRUE(again);
  ASSERT_NE(*again, bytes);
  const Fingerprint a = fingerprint_image(bytes).value(), b = fingerprint_image(*again).value();
  EXPECT_EQ(a.pdq.hash, b.pdq.hash);
  EXPECT_EQ(a.pixels_sha256, b.pixels_sha256);
  EXPECT_NE(a.file_sha256, b.file_sha256);
}

}  // namespace
}  // namespace atelier::compliance
