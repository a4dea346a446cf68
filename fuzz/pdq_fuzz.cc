// libFuzzer target: image decoding and PDQ fingerprinting (compliance/fingerprint.h), the path
// of `atelier compliance hash` (issue 16 §5). Build with `make fuzz`; saved inputs in
// fuzz/corpus/pdq are replayed by tests/fuzz.
//
// Properties: nothing crashes; a refused file gets one of the documented input errors; a
// fingerprint's quality is 0..100, its hash text reads back to itself, the dihedral original
// is the plain hash (except for a 64 x 64 image, which the plain hash does not filter), every
// crop lies inside the image, and a second fingerprint of the same bytes is the same. Run with
// -malloc_limit_mb=400: the pixel limit (64 Mpx, 256 MiB of RGBA) is checked against the
// declared size, so a decompression bomb never gets its buffer.
//
// Seeds: the small images of fuzz/corpus/image plus a grey PNG, a palette PNG, a grey JPEG, an
// animated PNG (acTL) and a 100000 x 100000 PNG header, made by tests/compliance.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <set>
#include <span>
#include <string>

#include "compliance/fingerprint.h"

namespace {

void check(bool ok) {
  if (!ok) std::abort();
}

const std::set<std::string> kInputErrors = {"empty_image",   "file_too_large",  "unsupported_image",
                                            "corrupt_image", "image_too_large", "animated_image"};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace atelier::compliance;
  const std::span<const std::uint8_t> file(data, size);
  const FingerprintOptions options{.dihedral = true, .crops = true};
  atelier::Result<Fingerprint> f = fingerprint_image(file, options);
  if (!f) {
    check(kInputErrors.contains(f.error().code) || f.error().code == "out_of_memory");
    return 0;
  }
  check(f->width >= 1 && f->height >= 1);
  check(std::int64_t{f->width} * f->height <= options.pixels_max);
  check(f->channels >= 1 && f->channels <= 4);
  check(f->pdq.quality >= 0 && f->pdq.quality <= 100);
  const atelier::Result<PdqHash> back = parse_pdq_hex(to_hex(f->pdq.hash));
  check(back && *back == f->pdq.hash);
  check(f->dihedral.has_value() && f->dihedral->quality >= 0 && f->dihedral->quality <= 100);
  if (f->width != 64 || f->height != 64) {
    check((*f->dihedral)[Dihedral::kOriginal] == f->pdq.hash);
    check(f->dihedral->quality == f->pdq.quality);
  }
  check(f->regions.size() == std::size_t(kRegionCount));
  for (const RegionHash& r : f->regions) {
    check(r.rect.x >= 0 && r.rect.y >= 0 && r.rect.width >= 1 && r.rect.height >= 1);
    check(r.rect.x + r.rect.width <= f->width && r.rect.y + r.rect.height <= f->height);
    check(r.pdq.quality >= 0 && r.pdq.quality <= 100);
  }
  const atelier::Result<Fingerprint> again = fingerprint_image(file);
  check(again && again->pdq.hash == f->pdq.hash && again->pixels_sha256 == f->pixels_sha256);
  return 0;
}
