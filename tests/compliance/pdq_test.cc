// PDQ from pixels (src/compliance/pdq.h): the hash's text form and distance, the DCT table,
// the grey path, and the vectorised kernels against the plain implementation of pdq_naive.h
// on many sizes (windows 1 to 4, repeated samples, the 512 resample).
#include "compliance/pdq.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <thread>

#include "compliance/internal/pdq_dct_matrix.h"
#include "compliance/internal/pdq_kernels.h"
#include "tests/compliance/pdq_naive.h"
#include "tests/compliance/test_images.h"

namespace atelier::compliance {
namespace {

using testing::make_art;

TEST(PdqHash, HexIsTheReferenceWordOrder) {
  PdqHash h;
  h.set_bit(0);
  EXPECT_EQ(to_hex(h), std::string(63, '0') + "1");
  h = {};
  h.set_bit(255);  // Word 15, bit 15: the first digit.
  EXPECT_EQ(to_hex(h), "8" + std::string(63, '0'));
  h = {};
  h.set_bit(16 + 4);  // Word 1, bit 4: digits 56..59 hold word 1.
  EXPECT_EQ(to_hex(h), std::string(56, '0') + "0010" + "0000");
}

TEST(PdqHash, HexRoundTrips) {
  const std::string hex = "d8f8f0cee0f4a84f0637022a078f67f0b36e2ed596621e1d33e6339c4e9c9b22";
  Result<PdqHash> h = parse_pdq_hex(hex);
  ASSERT_TRUE(h);
  EXPECT_EQ(to_hex(*h), hex);
  Result<PdqHash> upper =
      parse_pdq_hex("D8F8F0CEE0F4A84F0637022A078F67F0B36E2ED596621E1D33E6339C4E9C9B22");
  ASSERT_TRUE(upper);
  EXPECT_EQ(*upper, *h);
}

TEST(PdqHash, ParseRefusesWhatIsNotAHash) {
  for (const char* bad :
       {"", "00", "0x8f8f0cee0f4a84f0637022a078f67f0b36e2ed596621e1d33e6339c4e9c9b22",
        "g8f8f0cee0f4a84f0637022a078f67f0b36e2ed596621e1d33e6339c4e9c9b22",
        "d8f8f0cee0f4a84f0637022a078f67f0b36e2ed596621e1d33e6339c4e9c9b2 "}) {
    Result<PdqHash> h = parse_pdq_hex(bad);
    ASSERT_FALSE(h) << bad;
    EXPECT_EQ(h.error().code, "invalid_pdq_hash");
    EXPECT_EQ(h.error().field, "pdq");
  }
  EXPECT_FALSE(parse_pdq_hex(std::string(65, '0')));
}

TEST(PdqHash, HammingDistanceCountsDifferingBits) {
  PdqHash a, b;
  EXPECT_EQ(hamming_distance(a, b), 0);
  for (int k = 0; k < kPdqBits; k += 3) b.set_bit(k);
  EXPECT_EQ(hamming_distance(a, b), 86);
  EXPECT_EQ(hamming_distance(b, a), 86);
  for (auto& w : a.words) w = 0xffff;
  EXPECT_EQ(hamming_distance(a, PdqHash{}), 256);
}

TEST(PdqHash, DihedralNames) {
  EXPECT_STREQ(dihedral_name(Dihedral::kOriginal), "original");
  EXPECT_STREQ(dihedral_name(Dihedral::kRotate270), "rotate270");
  EXPECT_STREQ(dihedral_name(Dihedral::kFlipMinus1), "flip_minus1");
}

// The table is the reference's formula evaluated once; the C library's cos gives it again.
TEST(PdqKernels, DctTableIsTheReferenceFormula) {
  const float scale = static_cast<float>(std::sqrt(2.0 / 64));
  for (int i = 0; i < 16; ++i) {
    for (int j = 0; j < 64; ++j) {
      const float expected =
          static_cast<float>(scale * std::cos(3.14159265358979323846 / 2.0 / 64.0 * double(i + 1) *
                                              double(2 * j + 1)));
      EXPECT_EQ(internal::kDctMatrix[i * 64 + j], expected) << i << "," << j;
    }
  }
}

// A grey file's luma is the grey value itself; 0.299 v + 0.587 v + 0.114 v in float is not,
// for 35 of the 256 values (15 gives 15.000001).
TEST(PdqKernels, GreyLumaIsTheGreyValue) {
  render::Image image{8, 8, std::vector<std::uint8_t>(8 * 8 * 4, 15)};
  internal::Scratch scratch;
  const internal::Luma grey = internal::fill_luma(PixelView::of(image, true), scratch);
  EXPECT_EQ(grey.data[0], 15.0f);
  const internal::Luma colour = internal::fill_luma(PixelView::of(image, false), scratch);
  EXPECT_NE(colour.data[0], 15.0f);
  EXPECT_NEAR(colour.data[0], 15.0f, 1e-5f);
}

// The kernels against the plain implementation, on sizes that take every path.
TEST(PdqKernels, SameBitsAsThePlainImplementation) {
  const std::pair<int, int> sizes[] = {{5, 5},     {5, 64},     {7, 300},   {64, 64},   {63, 65},
                                       {100, 100}, {127, 129},  {128, 256}, {200, 300}, {255, 257},
                                       {384, 383}, {511, 512},  {512, 512}, {513, 40},  {90, 700},
                                       {640, 480}, {1000, 1000}};
  std::uint32_t seed = 100;
  for (const auto& [w, h] : sizes) {
    for (bool grey : {false, true}) {
      const render::Image image =
          grey ? testing::to_grey(make_art(seed, w, h)) : make_art(seed, w, h);
      ++seed;
      const PixelView view = PixelView::of(image, grey);
      const testing::NaivePdq expected = testing::naive_pdq(view);
      const PdqResult got = pdq_hash(view);
      EXPECT_EQ(to_hex(got.hash), to_hex(expected.hash)) << w << "x" << h << " grey " << grey;
      EXPECT_EQ(got.quality, expected.quality) << w << "x" << h;
      const testing::NaivePdq filtered = testing::naive_pdq(view, /*always_filter=*/true);
      const PdqDihedral dihedral = pdq_dihedral(view);
      EXPECT_EQ(to_hex(dihedral[Dihedral::kOriginal]), to_hex(filtered.hash)) << w << "x" << h;
      EXPECT_EQ(dihedral.quality, filtered.quality);
    }
  }
}

// A view of part of an image, with the image's row stride, hashes like that part copied out.
TEST(PdqKernels, CropViewsUseTheRowStride) {
  const render::Image image = make_art(7, 300, 200);
  const PixelView crop = PixelView::of(image, false).crop(31, 17, 150, 120);
  render::Image copy{150, 120, {}};
  for (int y = 0; y < 120; ++y) {
    const std::uint8_t* row = crop.rgba + y * crop.row_bytes;
    copy.rgba.insert(copy.rgba.end(), row, row + 150 * 4);
  }
  EXPECT_EQ(pdq_hash(crop).hash, pdq_hash(PixelView::of(copy, false)).hash);
}

TEST(PdqHash, SidesBelowFiveGiveTheZeroHash) {
  for (const auto& [w, h] : {std::pair{4, 100}, {100, 4}, {1, 1}, {4, 4}}) {
    const render::Image image = make_art(3, w, h);
    const PdqResult r = pdq_hash(PixelView::of(image, false));
    EXPECT_EQ(r.hash, PdqHash{});
    EXPECT_EQ(r.quality, 0);
    const PdqDihedral d = pdq_dihedral(PixelView::of(image, false));
    for (const PdqHash& v : d.hashes) EXPECT_EQ(v, PdqHash{});
  }
  // A side over 512 is resampled first, so a thin strip that long is hashable (as there).
  const render::Image strip = make_art(3, 1000, 3);
  EXPECT_NE(pdq_hash(PixelView::of(strip, false)).hash, PdqHash{});
}

TEST(PdqHash, ThreadsHashIndependently) {
  const render::Image a = make_art(21, 512, 512), b = make_art(22, 300, 700);
  const PdqResult ra = pdq_hash(PixelView::of(a, false)), rb = pdq_hash(PixelView::of(b, false));
  std::vector<std::thread> threads;
  std::atomic<int> mismatches{0};
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 20; ++i) {
        const bool first = (i + t) % 2 == 0;
        const PdqResult r = pdq_hash(PixelView::of(first ? a : b, false));
        if (r.hash != (first ? ra.hash : rb.hash)) ++mismatches;
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(mismatches.load(), 0);
}

}  // namespace
}  // namespace atelier::compliance
