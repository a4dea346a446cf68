// crop_recall_bench — what hashing crops buys and costs (issue 16 §1, docs/compliance.md "What
// crops buy"). PDQ is not robust to crops; atelier also registers the crops of a work (centre
// 3/4, centre 1/2, the four quadrants) and queries the candidate's crops. This measures, on the
// pictures Debian's wallpaper and background packages install (scripts/setup --bench):
//
//   recall   a cropped copy of a registered picture matches it within r = 31, when the registry
//            holds (A) the picture's hash only, (B) its hash, dihedral variants and crops, and
//            (C) B with the copy's own crops queried too;
//   false    a copy matches another registered picture under the same rule;
//   cost     hashing time per image for the hash alone, with the dihedral variants, with the
//            crops, and the codes each entry adds to the index.
//
// Copies are cut in pixel space (no re-encoding): the six regions atelier itself hashes, the
// same regions grown or shrunk by 4-8 % and moved by up to 4 %, and off-centre crops of 50-90 %
// of each side at seeded random offsets. Pictures are first shrunk
// to at most 512 px a side (PDQ samples 64 x 64 whatever the size).
//
//   cmake --build build --target crop_recall_bench && build/bench/crop_recall_bench [DIR…]
#include <algorithm>
#include <array>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "bench/registry_bench_data.h"
#include "compliance/crops.h"
#include "compliance/pdq.h"
#include "core/hash.h"
#include "core/limits.h"
#include "render/codec.h"
#include "render/image.h"

namespace {

using namespace atelier;
using compliance::PdqHash;
using compliance::PixelView;
namespace fs = std::filesystem;

constexpr int kRadius = 31;
constexpr int kSideMax = 512;
constexpr int kQualityMin = 50;
constexpr int kOffCentrePerImage = 6;

PixelView view(const render::Image& img, const compliance::Rect& r) {
  return {.rgba = img.rgba.data() + (std::size_t(r.y) * std::size_t(img.width) + r.x) * 4,
          .width = r.width,
          .height = r.height,
          .row_bytes = static_cast<std::ptrdiff_t>(img.width) * 4};
}

compliance::Rect whole(const render::Image& img) { return {0, 0, img.width, img.height}; }

// The hashes of a rectangle's six regions that are good enough to mean something.
std::vector<PdqHash> region_codes(const render::Image& img, const compliance::Rect& r) {
  std::vector<PdqHash> out;
  for (const auto region : compliance::kRegions) {
    compliance::Rect sub = compliance::region_rect(region, r.width, r.height);
    sub.x += r.x;
    sub.y += r.y;
    const auto h = compliance::pdq_hash(view(img, sub));
    if (h.quality >= kQualityMin) out.push_back(h.hash);
  }
  return out;
}

struct Entry {
  PdqHash hash;
  std::vector<PdqHash> full;  // hash, dihedral variants, crops
};

struct Copy {
  std::size_t source;
  PdqHash hash;
  std::vector<PdqHash> crops;
  std::string kind;
};

int nearest(const std::vector<PdqHash>& a, const std::vector<PdqHash>& b) {
  int best = 257;
  for (const auto& x : a) {
    for (const auto& y : b) best = std::min(best, compliance::hamming_distance(x, y));
  }
  return best;
}

double seconds_since(std::chrono::steady_clock::time_point t) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t).count();
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<fs::path> dirs;
  for (int i = 1; i < argc; ++i) dirs.emplace_back(argv[i]);
  if (dirs.empty()) dirs = {"/usr/share/backgrounds", "/usr/share/wallpapers", "/usr/share/images"};
  std::vector<fs::path> files;
  for (const auto& d : dirs) {
    std::error_code ec;
    if (!fs::exists(d, ec)) continue;
    for (const auto& e : fs::recursive_directory_iterator(d, ec)) {
      const auto ext = e.path().extension().string();
      if (e.is_regular_file() && (ext == ".png" || ext == ".jpg" || ext == ".jpeg")) {
        files.push_back(e.path());
      }
    }
  }
  std::sort(files.begin(), files.end());
  std::set<std::string> seen;
  std::vector<render::Image> images;
  for (const auto& f : files) {
    std::ifstream in(f, std::ios::binary);
    std::vector<std::uint8_t> bytes((std::istreambuf_iterator<char>(in)), {});
    if (bytes.empty() || !seen.insert(to_hex(sha256(bytes))).second) continue;
    auto img = render::decode_image(bytes, {.pixels_max = limits::kComplianceImagePixelsMax});
    if (!img || std::min(img->width, img->height) < 128) continue;
    auto small = bench::shrink(*img, kSideMax);
    const auto h = compliance::pdq_hash(view(small, whole(small)));
    if (h.quality < kQualityMin) continue;
    // The same picture in several packages (a version with a logo, another size) would count
    // as a false match of itself: one of each.
    if (std::any_of(images.begin(), images.end(), [&](const render::Image& other) {
          return compliance::hamming_distance(compliance::pdq_hash(view(other, whole(other))).hash,
                                              h.hash) <= kRadius;
        })) {
      continue;
    }
    images.push_back(std::move(small));
  }
  if (images.size() < 4) {
    std::printf(
        "fewer than 4 usable pictures under the directories given (scripts/setup --bench "
        "installs Debian's wallpaper packages)\n");
    return 1;
  }

  // The registry: each picture as atelier registers it; and the cost of hashing each way.
  std::vector<Entry> entries;
  double t_hash = 0, t_dihedral = 0, t_crops = 0;
  std::size_t codes_full = 0;
  for (const auto& img : images) {
    auto t = std::chrono::steady_clock::now();
    const auto h = compliance::pdq_hash(view(img, whole(img)));
    t_hash += seconds_since(t);
    t = std::chrono::steady_clock::now();
    const auto d = compliance::pdq_dihedral(view(img, whole(img)));
    t_dihedral += seconds_since(t);
    t = std::chrono::steady_clock::now();
    const auto crops = region_codes(img, whole(img));
    t_crops += seconds_since(t);
    Entry e{h.hash, {}};
    for (const auto& c : d.hashes) e.full.push_back(c);
    e.full.insert(e.full.end(), crops.begin(), crops.end());
    codes_full += e.full.size();
    entries.push_back(std::move(e));
  }

  // The copies: the six regions and off-centre crops of each picture.
  std::mt19937_64 rng(16);
  std::vector<Copy> copies;
  for (std::size_t s = 0; s < images.size(); ++s) {
    const auto& img = images[s];
    std::vector<std::pair<std::string, compliance::Rect>> rects;
    for (const auto region : compliance::kRegions) {
      rects.emplace_back(compliance::region_name(region),
                         compliance::region_rect(region, img.width, img.height));
    }
    // Slight centre crops of the whole picture: how far PDQ alone carries.
    for (const int pct : {98, 95, 90}) {
      const int w = img.width * pct / 100, h = img.height * pct / 100;
      rects.emplace_back("centre_" + std::to_string(pct),
                         compliance::Rect{(img.width - w) / 2, (img.height - h) / 2, w, h});
    }
    // Near the regions: each grown or shrunk by 4-8 % about its centre and moved by up to 4 %
    // of the picture's side.
    std::uniform_real_distribution<double> grow(0.04, 0.08), shift(-0.04, 0.04), sign(0, 1);
    for (const auto region : compliance::kRegions) {
      const auto r = compliance::region_rect(region, img.width, img.height);
      const double g = 1 + (sign(rng) < 0.5 ? -1 : 1) * grow(rng);
      int w = std::min(img.width, static_cast<int>(r.width * g));
      int h = std::min(img.height, static_cast<int>(r.height * g));
      int x = r.x + (r.width - w) / 2 + static_cast<int>(shift(rng) * img.width);
      int y = r.y + (r.height - h) / 2 + static_cast<int>(shift(rng) * img.height);
      x = std::clamp(x, 0, img.width - w);
      y = std::clamp(y, 0, img.height - h);
      rects.emplace_back("near_region", compliance::Rect{x, y, w, h});
    }
    std::uniform_real_distribution<double> frac(0.5, 0.9), pos(0.0, 1.0);
    for (int k = 0; k < kOffCentrePerImage; ++k) {
      const int w = static_cast<int>(img.width * frac(rng));
      const int h = static_cast<int>(img.height * frac(rng));
      const int x = static_cast<int>((img.width - w) * pos(rng));
      const int y = static_cast<int>((img.height - h) * pos(rng));
      rects.emplace_back("off_centre", compliance::Rect{x, y, w, h});
    }
    for (const auto& [kind, r] : rects) {
      const auto h = compliance::pdq_hash(view(img, r));
      if (h.quality < kQualityMin) continue;  // atelier sends such copies to review
      copies.push_back({s, h.hash, region_codes(img, r), kind});
    }
  }

  struct Tally {
    std::size_t n = 0, a = 0, b = 0, c = 0, fa = 0, fb = 0, fc = 0;
    std::vector<int> own;  // nearest distance to its own picture's codes (C)
  };
  std::vector<std::pair<std::string, Tally>> by_kind;
  auto tally_of = [&](const std::string& kind) -> Tally& {
    for (auto& [k, t] : by_kind) {
      if (k == kind) return t;
    }
    by_kind.emplace_back(kind, Tally{});
    return by_kind.back().second;
  };
  Tally all;
  for (const auto& copy : copies) {
    std::vector<PdqHash> q1{copy.hash};
    std::vector<PdqHash> q2 = q1;
    q2.insert(q2.end(), copy.crops.begin(), copy.crops.end());
    bool fa = false, fb = false, fc = false;
    for (std::size_t t = 0; t < entries.size(); ++t) {
      const bool a = compliance::hamming_distance(copy.hash, entries[t].hash) <= kRadius;
      const bool b = nearest(q1, entries[t].full) <= kRadius;
      const bool c = nearest(q2, entries[t].full) <= kRadius;
      if (t == copy.source) {
        const int own = nearest(q2, entries[t].full);
        for (Tally* x : {&all, &tally_of(copy.kind)}) {
          x->own.push_back(own);
          x->a += a;
          x->b += b;
          x->c += c;
        }
      } else {
        fa |= a, fb |= b, fc |= c;
      }
    }
    for (Tally* x : {&all, &tally_of(copy.kind)}) {
      ++x->n;
      x->fa += fa;
      x->fb += fb;
      x->fc += fc;
    }
  }

  auto pct = [](std::size_t k, std::size_t n) { return n ? 100.0 * k / n : 0.0; };
  std::printf(
      "%zu pictures (at most %d px a side), %zu cropped copies of quality >= %d, r = %d\n\n",
      images.size(), kSideMax, copies.size(), kQualityMin, kRadius);
  std::printf(
      "| copy | n | recall: hash only | + registered crops | + the copy's crops | "
      "false: hash only | + registered | + copy's | median distance (C) |\n"
      "|---|---|---|---|---|---|---|---|---|\n");
  by_kind.emplace_back("all", all);
  for (auto& [k, t] : by_kind) {
    std::sort(t.own.begin(), t.own.end());
    std::printf("| %s | %zu | %.1f%% | %.1f%% | %.1f%% | %.1f%% | %.1f%% | %.1f%% | %d |\n",
                k.c_str(), t.n, pct(t.a, t.n), pct(t.b, t.n), pct(t.c, t.n), pct(t.fa, t.n),
                pct(t.fb, t.n), pct(t.fc, t.n), t.own.empty() ? -1 : t.own[t.own.size() / 2]);
  }
  const double n = static_cast<double>(images.size());
  std::printf(
      "\ncost per picture: hash %.2f ms, dihedral variants %.2f ms, six crops %.2f ms; "
      "codes per registry entry %.1f (1 without variants and crops)\n",
      1e3 * t_hash / n, 1e3 * t_dihedral / n, 1e3 * t_crops / n, codes_full / n);
  return 0;
}
