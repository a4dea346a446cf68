// Images registered through the real PDQ hasher (registry/image_signals.h): the entry keeps
// the hash, the seven dihedral variants and the crops under the hasher's names; a rotated,
// mirrored or cropped copy, re-encoded, is found through them; a flat image is refused.
#include "compliance/registry/image_signals.h"

#include <gtest/gtest.h>

#include <set>

#include "compliance/registry/registry.h"
#include "render/codec.h"
#include "store/sqlite_store.h"
#include "tests/compliance/reference_data.h"
#include "tests/compliance/test_images.h"
#include "tests/store/test_dir.h"

namespace atelier::compliance {
namespace {

namespace t = atelier::testing;

std::vector<std::uint8_t> encoded(const render::Image& image, render::ImageFormat format) {
  auto bytes = render::encode_image(image, {.format = format, .quality = 80}, "");
  EXPECT_TRUE(bytes) << bytes.error().to_string();
  return bytes ? *bytes : std::vector<std::uint8_t>{};
}

ImageSignals signals_or_fail(const std::vector<std::uint8_t>& file) {
  auto s = image_signals(file);
  EXPECT_TRUE(s) << s.error().to_string();
  return s ? *s : ImageSignals{};
}

TEST(ComplianceRegistryImage, SignalsAreTheHashersWithItsNames) {
  const auto bytes = t::read_bytes(t::pdq_data_dir() / "art-512.png");
  const Fingerprint f = fingerprint_image(bytes, {.dihedral = true, .crops = true}).value();
  const ImageSignals s = image_signals(bytes).value();
  EXPECT_EQ(s.pdq, f.pdq.hash);
  EXPECT_EQ(s.quality, f.pdq.quality);
  EXPECT_EQ(s.sha256_file, atelier::to_hex(f.file_sha256));
  EXPECT_EQ(s.sha256_pixels, atelier::to_hex(f.pixels_sha256));
  std::set<std::string> kinds;
  for (const auto& [kind, hash] : s.variants) {
    EXPECT_TRUE(is_image_variant_kind(kind)) << kind;
    EXPECT_TRUE(kinds.insert(kind).second) << kind;
  }
  for (int d = 1; d < kDihedralCount; ++d) {
    const char* name = dihedral_name(static_cast<Dihedral>(d));
    ASSERT_TRUE(kinds.contains(name)) << name;
  }
  EXPECT_EQ(s.variants[0].second, f.dihedral->hashes[1]);
  EXPECT_FALSE(is_image_variant_kind("original"));  // the entry's own "pdq" code
  EXPECT_FALSE(is_image_variant_kind("rot90"));
  // Crops: those of quality 50 or more, by region name.
  std::size_t trusted_crops = 0;
  for (const RegionHash& r : f.regions) {
    if (r.pdq.quality >= kImageQualityMin) {
      ++trusted_crops;
      EXPECT_TRUE(kinds.contains(region_name(r.region))) << region_name(r.region);
    }
  }
  EXPECT_GT(trusted_crops, 0u);
  EXPECT_EQ(s.variants.size(), kDihedralCount - 1 + trusted_crops);
}

TEST(ComplianceRegistryImage, AFlatImageIsRefusedWithAClearError) {
  const auto bytes = t::read_bytes(t::pdq_data_dir() / "flat-96.png");
  auto s = image_signals(bytes);
  ASSERT_FALSE(s);
  EXPECT_EQ(s.error().code, "low_quality_image");
  EXPECT_EQ(s.error().field, "file");
  EXPECT_NE(s.error().message.find("below 50"), std::string::npos) << s.error().message;
  const std::vector<std::uint8_t> not_an_image = {'h', 'e', 'l', 'l', 'o'};
  EXPECT_EQ(image_signals(not_an_image).error().code, "unsupported_image");
}

TEST(ComplianceRegistryImage, RotatedMirroredAndCroppedCopiesAreFound) {
  t::TempDir dir;
  ManualClock clock(1'000);
  auto db = store::SqliteStore::open(dir / "atelier.db", &clock).value();
  Registry registry(*db, {.clock = &clock});
  const render::Image art = t::make_art(41, 640, 480);
  const ImageSignals s = signals_or_fail(encoded(art, render::ImageFormat::kPng));
  ImportRow fields;
  fields.label = "Composition 41";
  fields.severity = "high";
  auto added = registry.add_image(s, fields, {.bank = "museum"});
  ASSERT_TRUE(added) << added.error().to_string();
  // Unrelated work, so that a match is not just "the only entry".
  const ImageSignals other =
      signals_or_fail(encoded(t::make_art(7, 640, 480), render::ImageFormat::kPng));
  fields.label = "Composition 7";
  ASSERT_TRUE(registry.add_image(other, fields, {.bank = "museum"}));

  // A quadrant the entry kept (one of quality 50 or more).
  Region kept = Region::kTopLeft;
  for (Region r :
       {Region::kTopLeft, Region::kTopRight, Region::kBottomLeft, Region::kBottomRight}) {
    for (const auto& [kind, hash] : s.variants) {
      if (kind == region_name(r)) kept = r;
    }
  }
  const Rect q = region_rect(kept, art.width, art.height);
  const render::Image quadrant = t::remap(art, q.width, q.height, [&](int x, int y) {
    return std::pair{q.x + x, q.y + y};
  });
  struct Copy {
    const char* what;
    render::Image image;
    std::set<std::string> kinds;  // what it may match through
  };
  const Copy copies[] = {
      {"rotated", t::rotate_ccw(art), {"rotate90", "rotate270"}},
      {"mirrored", t::mirror_left_right(art), {"flip_x", "flip_y"}},
      {"quadrant", quadrant, {region_name(kept)}},
  };
  for (const Copy& c : copies) {
    // A query is hashed as it is, whatever its quality (the policy judges that).
    const Fingerprint copy =
        fingerprint_image(encoded(c.image, render::ImageFormat::kJpeg)).value();
    auto found = registry.search(copy.pdq.hash, kPdqMatchDistanceMax).value();
    ASSERT_EQ(found.matches.size(), 1u) << c.what;
    EXPECT_EQ(found.matches[0].entry_id, added->added.at(0)) << c.what;
    EXPECT_TRUE(c.kinds.contains(found.matches[0].kind))
        << c.what << " matched through " << found.matches[0].kind;
  }
}

}  // namespace
}  // namespace atelier::compliance
