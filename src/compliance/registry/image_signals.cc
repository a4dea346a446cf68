// ImageSignals from the PDQ hasher's fingerprint (image_signals.h).
#include "compliance/registry/image_signals.h"

#include "compliance/crops.h"
#include "core/hash.h"

namespace atelier::compliance {

bool is_image_variant_kind(std::string_view kind) {
  for (int d = 1; d < kDihedralCount; ++d) {
    if (kind == dihedral_name(static_cast<Dihedral>(d))) return true;
  }
  for (Region r : kRegions) {
    if (kind == region_name(r)) return true;
  }
  return false;
}

ImageSignals image_signals_of(const Fingerprint& f) {
  ImageSignals s;
  s.pdq = f.pdq.hash;
  s.quality = f.pdq.quality;
  s.sha256_file = atelier::to_hex(f.file_sha256);
  s.sha256_pixels = atelier::to_hex(f.pixels_sha256);
  if (f.dihedral) {
    for (int d = 1; d < kDihedralCount; ++d) {
      s.variants.emplace_back(dihedral_name(static_cast<Dihedral>(d)), f.dihedral->hashes[d]);
    }
  }
  for (const RegionHash& r : f.regions) {
    if (r.pdq.quality >= kImageQualityMin)
      s.variants.emplace_back(region_name(r.region), r.pdq.hash);
  }
  return s;
}

Result<ImageSignals> image_signals(std::span<const std::uint8_t> file) {
  ATELIER_TRY_ASSIGN(const Fingerprint f,
                     fingerprint_image(file, {.dihedral = true, .crops = true}));
  if (!f.trusted()) {
    return fail(Error::invalid("low_quality_image",
                               "the image's PDQ quality is " + std::to_string(f.pdq.quality) +
                                   ", below " + std::to_string(kImageQualityMin) +
                                   ": too flat for its hash to identify it, so it is not "
                                   "registered",
                               "file"));
  }
  return image_signals_of(f);
}

}  // namespace atelier::compliance
