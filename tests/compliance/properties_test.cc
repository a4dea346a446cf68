// Robustness properties of PDQ (issue 16 §1), on pictures of test_images.h in several sizes:
// JPEG quality 70, half size and brightness +-10 % stay well under the match distance 31;
// rotated and mirrored copies match one dihedral variant of the original; unrelated pictures
// stay far above it.
#include <gtest/gtest.h>

#include <functional>

#include "compliance/fingerprint.h"
#include "compliance/pdq.h"
#include "render/codec.h"
#include "tests/compliance/test_images.h"

namespace atelier::compliance {
namespace {

namespace t = atelier::testing;

// "Well under 31": the bound these edits are held to.
constexpr int kEditDistanceMax = 20;

struct Picture {
  std::uint32_t seed;
  int width;
  int height;
};
constexpr Picture kPictures[] = {{31, 512, 512}, {32, 1024, 1024}, {33, 800, 600},
                                 {34, 400, 300}, {35, 1000, 700},  {36, 640, 640}};

PdqResult hash_of(const render::Image& image) { return pdq_hash(PixelView::of(image, false)); }

// The hash of the image after it went through a file of `format` at `quality`.
PdqResult hash_after_encoding(const render::Image& image, render::ImageFormat format, int quality) {
  auto bytes = render::encode_image(image, {.format = format, .quality = quality}, "");
  EXPECT_TRUE(bytes);
  Result<Fingerprint> f = fingerprint_image(*bytes);
  EXPECT_TRUE(f);
  return f ? f->pdq : PdqResult{};
}

void expect_close(const std::string& what,
                  const std::function<PdqResult(const render::Image&)>& edited) {
  int worst = 0;
  for (const Picture& p : kPictures) {
    const render::Image image = t::make_art(p.seed, p.width, p.height);
    const PdqResult original = hash_of(image);
    ASSERT_GE(original.quality, kPdqQualityTrustedMin);
    const int d = hamming_distance(original.hash, edited(image).hash);
    EXPECT_LE(d, kEditDistanceMax) << what << " of picture " << p.seed;
    worst = std::max(worst, d);
  }
  std::printf("%s: largest distance %d\n", what.c_str(), worst);
}

TEST(PdqProperties, JpegQuality70StaysClose) {
  expect_close("JPEG q70", [](const render::Image& image) {
    return hash_after_encoding(image, render::ImageFormat::kJpeg, 70);
  });
}

TEST(PdqProperties, WebpQuality70StaysClose) {
  expect_close("WebP q70", [](const render::Image& image) {
    return hash_after_encoding(image, render::ImageFormat::kWebp, 70);
  });
}

TEST(PdqProperties, HalfSizeStaysClose) {
  expect_close("half size",
               [](const render::Image& image) { return hash_of(t::half_size(image)); });
}

TEST(PdqProperties, BrightnessPlusMinus10PercentStaysClose) {
  expect_close("brightness +10%",
               [](const render::Image& image) { return hash_of(t::brightness(image, 1.1)); });
  expect_close("brightness -10%",
               [](const render::Image& image) { return hash_of(t::brightness(image, 0.9)); });
}

// A turned or mirrored copy matches the variant of the original for that transform, and so the
// nearest of the eight.
TEST(PdqProperties, RotatedAndMirroredCopiesMatchTheirVariant) {
  const std::pair<Dihedral, render::Image (*)(const render::Image&)> transforms[] = {
      {Dihedral::kRotate90, t::rotate_ccw},      {Dihedral::kRotate180, t::rotate_180},
      {Dihedral::kRotate270, t::rotate_cw},      {Dihedral::kFlipX, t::mirror_top_bottom},
      {Dihedral::kFlipY, t::mirror_left_right},  {Dihedral::kFlipPlus1, t::transpose},
      {Dihedral::kFlipMinus1, t::anti_transpose}};
  int worst = 0;
  for (const Picture& p : kPictures) {
    const render::Image image = t::make_art(p.seed, p.width, p.height);
    const PdqDihedral variants = pdq_dihedral(PixelView::of(image, false));
    const PdqResult plain = hash_of(image);
    for (const auto& [variant, transform] : transforms) {
      const PdqHash copy = hash_of(transform(image)).hash;
      const int d = hamming_distance(variants[variant], copy);
      EXPECT_LE(d, kPdqMatchDistanceMax) << dihedral_name(variant) << " of picture " << p.seed;
      EXPECT_EQ(dihedral_distance(variants, copy), d) << dihedral_name(variant);
      // Without the variants the copy would not match at all.
      EXPECT_GT(hamming_distance(plain.hash, copy), kPdqMatchDistanceMax)
          << dihedral_name(variant) << " of picture " << p.seed;
      worst = std::max(worst, d);
    }
  }
  std::printf("rotations and flips: largest distance to their variant %d\n", worst);
}

TEST(PdqProperties, UnrelatedPicturesAreFarApart) {
  std::vector<PdqDihedral> hashes;
  for (std::uint32_t seed = 200; seed < 216; ++seed) {
    const render::Image image = t::make_art(seed, 400 + int(seed % 3) * 100, 400);
    hashes.push_back(pdq_dihedral(PixelView::of(image, false)));
  }
  int nearest = kPdqBits;
  for (std::size_t i = 0; i < hashes.size(); ++i) {
    for (std::size_t j = i + 1; j < hashes.size(); ++j) {
      const int d =
          hamming_distance(hashes[i][Dihedral::kOriginal], hashes[j][Dihedral::kOriginal]);
      EXPECT_GT(d, 90) << "pictures " << i << " and " << j;
      // Not even through a rotation or flip.
      EXPECT_GT(dihedral_distance(hashes[i], hashes[j][Dihedral::kOriginal]), kPdqMatchDistanceMax);
      nearest = std::min(nearest, d);
    }
  }
  std::printf("unrelated pictures: nearest pair %d\n", nearest);
}

// A crop is a different picture to PDQ; the crops' own hashes are what catch it.
TEST(PdqProperties, QuadrantCopiesMatchTheQuadrantHash) {
  for (const Picture& p : kPictures) {
    const render::Image image = t::make_art(p.seed, p.width, p.height);
    auto png = render::encode_image(image, {}, "");
    ASSERT_TRUE(png);
    const Fingerprint f = fingerprint_image(*png, {.crops = true}).value();
    const Rect r = region_rect(Region::kTopRight, p.width, p.height);
    const render::Image quadrant = t::remap(image, r.width, r.height, [&](int x, int y) {
      return std::pair{r.x + x, r.y + y};
    });
    // Cut out and saved as a JPEG of its own.
    const PdqHash copy = hash_after_encoding(quadrant, render::ImageFormat::kJpeg, 80).hash;
    EXPECT_GT(hamming_distance(f.pdq.hash, copy), kPdqMatchDistanceMax) << p.seed;
    int nearest = kPdqBits;
    for (const RegionHash& region : f.regions) {
      nearest = std::min(nearest, hamming_distance(region.pdq.hash, copy));
    }
    EXPECT_LE(nearest, kEditDistanceMax) << p.seed;
  }
}

}  // namespace
}  // namespace atelier::compliance
