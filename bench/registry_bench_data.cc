// The datasets of registry_bench (registry_bench_data.h).
#include "bench/registry_bench_data.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <set>
#include <thread>

#include "compliance/crops.h"
#include "compliance/registry/internal/code_words.h"
#include "core/hash.h"
#include "core/limits.h"
#include "render/codec.h"
#include "render/image.h"

namespace atelier::bench {
namespace {

using compliance::PdqHash;
using compliance::PixelView;

PdqHash random_code(std::mt19937_64& rng) {
  return compliance::internal::pdq_hash_of({rng(), rng(), rng(), rng()});
}

void flip(PdqHash& c, int p) {
  c.words[p >> 4] = static_cast<std::uint16_t>(c.words[p >> 4] ^ (1u << (p & 15)));
}

PdqHash at_distance(PdqHash c, int bits, std::mt19937_64& rng) {
  std::array<int, compliance::kPdqBits> positions{};
  for (int i = 0; i < compliance::kPdqBits; ++i) positions[i] = i;
  for (int i = 0; i < bits; ++i) {  // a partial Fisher-Yates: `bits` distinct positions
    std::swap(positions[i], positions[i + static_cast<int>(rng() % (256 - i))]);
    flip(c, positions[i]);
  }
  return c;
}

}  // namespace

Dataset random_data(std::size_t n, std::size_t q, int r, std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  Dataset d{"random", std::vector<PdqHash>(n), std::vector<PdqHash>(q),
            "uniform codes, near-duplicates planted at r-1, r, r+1 and 4 bits for half the "
            "queries"};
  for (auto& c : d.codes) c = random_code(rng);
  for (auto& c : d.queries) c = random_code(rng);
  for (std::size_t i = 0; i < q; i += 2) {
    for (int dist : {r - 1, r, r + 1, 4}) d.codes[rng() % n] = at_distance(d.queries[i], dist, rng);
  }
  return d;
}

Dataset clustered_data(std::size_t n, std::size_t q, std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  Dataset d{"clustered",
            {},
            std::vector<PdqHash>(q),
            "synthetic: biased bits, Zipf-sized clusters, members 0-40 bits from the centre"};
  d.codes.reserve(n);
  std::array<double, 256> p{};
  std::uniform_real_distribution<double> u(0, 1);
  for (double& x : p) x = 0.25 + 0.5 * u(rng);
  auto biased = [&] {
    PdqHash c{};
    for (int b = 0; b < 256; ++b) {
      if (u(rng) < p[b]) flip(c, b);
    }
    return c;
  };
  std::vector<PdqHash> centres;
  while (d.codes.size() < n) {
    centres.push_back(biased());
    const auto rank = static_cast<double>(centres.size());
    std::size_t size = std::max<std::size_t>(1, static_cast<std::size_t>(20000.0 / rank));
    size = std::min(size, n - d.codes.size());
    for (std::size_t i = 0; i < size; ++i) {
      const int bits = u(rng) < 0.7 ? static_cast<int>(rng() % 17) : static_cast<int>(rng() % 41);
      d.codes.push_back(at_distance(centres.back(), bits, rng));
    }
  }
  std::shuffle(d.codes.begin(), d.codes.end(), rng);
  for (std::size_t i = 0; i < q; ++i) {
    if (i % 2 == 0) {
      const std::size_t k = std::min(
          centres.size() - 1,
          static_cast<std::size_t>(std::pow(u(rng), 3.0) * static_cast<double>(centres.size())));
      d.queries[i] = at_distance(centres[k], static_cast<int>(rng() % 20), rng);
    } else {
      d.queries[i] = biased();
    }
  }
  return d;
}

render::Image shrink(const render::Image& in, int side_max) {
  const int side = std::max(in.width, in.height);
  if (side <= side_max) return in;
  const double scale = static_cast<double>(side) / side_max;
  render::Image out;
  out.width = std::max(1, static_cast<int>(in.width / scale));
  out.height = std::max(1, static_cast<int>(in.height / scale));
  out.rgba.assign(std::size_t(out.width) * std::size_t(out.height) * 4, 0);
  for (int y = 0; y < out.height; ++y) {
    const int y0 = static_cast<int>(y * scale);
    const int y1 = std::max(y0 + 1, std::min(in.height, static_cast<int>((y + 1) * scale)));
    for (int x = 0; x < out.width; ++x) {
      const int x0 = static_cast<int>(x * scale);
      const int x1 = std::max(x0 + 1, std::min(in.width, static_cast<int>((x + 1) * scale)));
      std::array<std::uint64_t, 4> sum{};
      for (int yy = y0; yy < y1; ++yy) {
        const std::uint8_t* row = &in.rgba[(std::size_t(yy) * std::size_t(in.width) + x0) * 4];
        for (int xx = 0; xx < x1 - x0; ++xx) {
          for (int c = 0; c < 4; ++c) sum[c] += row[xx * 4 + c];
        }
      }
      const std::uint64_t count = std::uint64_t(y1 - y0) * std::uint64_t(x1 - x0);
      std::uint8_t* px = &out.rgba[(std::size_t(y) * std::size_t(out.width) + x) * 4];
      for (int c = 0; c < 4; ++c) px[c] = static_cast<std::uint8_t>(sum[c] / count);
    }
  }
  return out;
}

namespace {

// Sources are kept at most this many pixels a side: PDQ filters any picture down to 64 x 64
// samples, and hashing millions of crops of full-size wallpapers would take hours.
constexpr int kSourceSideMax = 256;
constexpr int kSourceSideMin = 96;

struct Source {
  std::string path;
  render::Image image;  // shrunk
};

std::vector<Source> load_sources(const ImageDataOptions& o, std::string& digest_of_all) {
  std::vector<std::filesystem::path> files;
  for (const auto& dir : o.dirs) {
    std::error_code ec;
    if (!std::filesystem::is_directory(dir, ec)) continue;
    const auto opts = std::filesystem::directory_options::follow_directory_symlink |
                      std::filesystem::directory_options::skip_permission_denied;
    for (auto it = std::filesystem::recursive_directory_iterator(dir, opts, ec);
         it != std::filesystem::recursive_directory_iterator(); it.increment(ec)) {
      if (ec || !it->is_regular_file(ec)) continue;
      std::string ext = it->path().extension().string();
      std::transform(ext.begin(), ext.end(), ext.begin(),
                     [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
      if (ext == ".png" || ext == ".jpg" || ext == ".jpeg" || ext == ".webp") {
        files.push_back(it->path());
      }
    }
  }
  std::sort(files.begin(), files.end());
  std::set<std::string> seen;  // the same picture under several theme folders counts once
  std::vector<Source> sources;
  std::string all;
  for (const auto& f : files) {
    std::ifstream in(f, std::ios::binary);
    std::vector<std::uint8_t> bytes((std::istreambuf_iterator<char>(in)), {});
    const std::string sha = to_hex(sha256(bytes));
    if (bytes.empty() || !seen.insert(sha).second) continue;
    auto image = render::decode_image(bytes, {.pixels_max = limits::kComplianceImagePixelsMax});
    if (!image || std::min(image->width, image->height) < kSourceSideMin) continue;
    Source s{f.string(), shrink(*image, kSourceSideMax)};
    // Pictures too flat to hash (a plain gradient) would give only refused works.
    if (compliance::pdq_hash(PixelView::of(s.image, false)).quality < 50) continue;
    all += sha;
    sources.push_back(std::move(s));
  }
  digest_of_all = to_hex(sha256(all)).substr(0, 16);
  return sources;
}

// A work: a crop of a source, maybe mirrored and brightened.
struct Work {
  std::uint32_t source = 0;
  int x = 0, y = 0, w = 0, h = 0;
  bool mirror = false;
  float brightness = 1.0f;
};

Work draw_work(std::mt19937_64& rng, const std::vector<std::uint32_t>& pool,
               const std::vector<Source>& sources) {
  std::uniform_real_distribution<double> u(0, 1);
  Work k;
  k.source = pool[rng() % pool.size()];
  const render::Image& img = sources[k.source].image;
  k.w = std::max(16, static_cast<int>(img.width * (0.3 + 0.7 * u(rng))));
  k.h = std::max(16, static_cast<int>(img.height * (0.3 + 0.7 * u(rng))));
  k.w = std::min(k.w, img.width);
  k.h = std::min(k.h, img.height);
  k.x = static_cast<int>(rng() % static_cast<std::uint64_t>(img.width - k.w + 1));
  k.y = static_cast<int>(rng() % static_cast<std::uint64_t>(img.height - k.h + 1));
  k.mirror = u(rng) < 0.25;
  k.brightness = u(rng) < 0.3 ? static_cast<float>(0.85 + 0.3 * u(rng)) : 1.0f;
  return k;
}

render::Image materialize(const Work& k, const std::vector<Source>& sources) {
  const render::Image& img = sources[k.source].image;
  render::Image out;
  out.width = k.w;
  out.height = k.h;
  out.rgba.resize(std::size_t(k.w) * std::size_t(k.h) * 4);
  for (int y = 0; y < k.h; ++y) {
    for (int x = 0; x < k.w; ++x) {
      const int sx = k.x + (k.mirror ? k.w - 1 - x : x);
      const std::uint8_t* s = &img.rgba[(std::size_t(k.y + y) * std::size_t(img.width) + sx) * 4];
      std::uint8_t* d = &out.rgba[(std::size_t(y) * std::size_t(k.w) + x) * 4];
      for (int c = 0; c < 3; ++c) {
        d[c] = static_cast<std::uint8_t>(std::min(255.0f, s[c] * k.brightness + 0.5f));
      }
      d[3] = 255;
    }
  }
  return out;
}

// The codes the registry keeps for a work (image_signals.h): none when it is too flat.
std::vector<PdqHash> work_codes(const render::Image& image) {
  const PixelView view = PixelView::of(image, false);
  const compliance::PdqDihedral dih = compliance::pdq_dihedral(view);
  if (dih.quality < compliance::kPdqQualityTrustedMin) return {};
  std::vector<PdqHash> codes(dih.hashes.begin(), dih.hashes.end());
  for (compliance::Region r : compliance::kRegions) {
    const compliance::Rect rect = compliance::region_rect(r, image.width, image.height);
    const compliance::PdqResult p =
        compliance::pdq_hash(view.crop(rect.x, rect.y, rect.width, rect.height));
    if (p.quality >= compliance::kPdqQualityTrustedMin) codes.push_back(p.hash);
  }
  return codes;
}

render::Image half_size(const render::Image& in) {
  render::Image out;
  out.width = std::max(1, in.width / 2);
  out.height = std::max(1, in.height / 2);
  out.rgba.resize(std::size_t(out.width) * std::size_t(out.height) * 4);
  for (int y = 0; y < out.height; ++y) {
    for (int x = 0; x < out.width; ++x) {
      for (int c = 0; c < 4; ++c) {
        int sum = 0;
        for (int dy = 0; dy < 2; ++dy) {
          for (int dx = 0; dx < 2; ++dx) {
            const int sx = std::min(in.width - 1, 2 * x + dx);
            const int sy = std::min(in.height - 1, 2 * y + dy);
            sum += in.rgba[(std::size_t(sy) * std::size_t(in.width) + sx) * 4 + c];
          }
        }
        out.rgba[(std::size_t(y) * std::size_t(out.width) + x) * 4 + c] =
            static_cast<std::uint8_t>((sum + 2) / 4);
      }
    }
  }
  return out;
}

render::Image sub_image(const render::Image& in, int x0, int y0, int w, int h) {
  render::Image out;
  out.width = w;
  out.height = h;
  out.rgba.resize(std::size_t(w) * std::size_t(h) * 4);
  for (int y = 0; y < h; ++y) {
    std::copy_n(&in.rgba[(std::size_t(y0 + y) * std::size_t(in.width) + x0) * 4], w * 4,
                &out.rgba[std::size_t(y) * std::size_t(w) * 4]);
  }
  return out;
}

render::Image quarter_turn(const render::Image& in) {
  render::Image out;
  out.width = in.height;
  out.height = in.width;
  out.rgba.resize(in.rgba.size());
  for (int y = 0; y < out.height; ++y) {
    for (int x = 0; x < out.width; ++x) {
      // Counter-clockwise: output (x, y) is input (width - 1 - y, x).
      std::copy_n(&in.rgba[(std::size_t(x) * std::size_t(in.width) + (in.width - 1 - y)) * 4], 4,
                  &out.rgba[(std::size_t(y) * std::size_t(out.width) + x) * 4]);
    }
  }
  return out;
}

render::Image jpeg_round_trip(const render::Image& in, int quality) {
  auto bytes =
      render::encode_image(in, {.format = render::ImageFormat::kJpeg, .quality = quality}, "");
  if (!bytes) return in;
  auto back = render::decode_image(*bytes, {});
  return back ? *back : in;
}

// A query made from a registered work the way a copy is made.
PdqHash transformed(const render::Image& work, int kind) {
  render::Image t;
  switch (kind % 6) {
    case 0:
      t = jpeg_round_trip(work, 70);
      break;
    case 1:
      t = half_size(work);
      break;
    case 2: {
      const int w = std::max(8, work.width * 9 / 10), h = std::max(8, work.height * 9 / 10);
      t = sub_image(work, (work.width - w) / 2, (work.height - h) / 2, w, h);
      break;
    }
    case 3:
      t = jpeg_round_trip(quarter_turn(work), 80);
      break;
    case 4:
      t = work;
      for (std::size_t i = 0; i < t.rgba.size(); ++i) {
        if (i % 4 != 3) t.rgba[i] = static_cast<std::uint8_t>(std::min(255, t.rgba[i] * 11 / 10));
      }
      break;
    default:
      t = jpeg_round_trip(
          sub_image(work, 0, 0, std::max(1, work.width / 2), std::max(1, work.height / 2)), 80);
      break;
  }
  return compliance::pdq_hash(PixelView::of(t, false)).hash;
}

bool read_cache(const std::filesystem::path& file, Dataset& d) {
  std::ifstream in(file, std::ios::binary);
  std::uint64_t n = 0, q = 0;
  if (!in.read(reinterpret_cast<char*>(&n), 8) || !in.read(reinterpret_cast<char*>(&q), 8)) {
    return false;
  }
  d.codes.resize(n);
  d.queries.resize(q);
  return static_cast<bool>(in.read(reinterpret_cast<char*>(d.codes.data()),
                                   static_cast<std::streamsize>(n * sizeof(PdqHash)))) &&
         static_cast<bool>(in.read(reinterpret_cast<char*>(d.queries.data()),
                                   static_cast<std::streamsize>(q * sizeof(PdqHash))));
}

void write_cache(const std::filesystem::path& file, const Dataset& d) {
  std::error_code ec;
  std::filesystem::create_directories(file.parent_path(), ec);
  const auto tmp = file.string() + ".tmp";
  std::ofstream out(tmp, std::ios::binary);
  const std::uint64_t n = d.codes.size(), q = d.queries.size();
  out.write(reinterpret_cast<const char*>(&n), 8);
  out.write(reinterpret_cast<const char*>(&q), 8);
  out.write(reinterpret_cast<const char*>(d.codes.data()),
            static_cast<std::streamsize>(n * sizeof(PdqHash)));
  out.write(reinterpret_cast<const char*>(d.queries.data()),
            static_cast<std::streamsize>(q * sizeof(PdqHash)));
  out.close();
  if (out) std::filesystem::rename(tmp, file, ec);
}

}  // namespace

Dataset image_data(std::size_t n, std::size_t q, std::uint64_t seed, const ImageDataOptions& o) {
  Dataset d{"images", {}, {}, ""};
  std::string digest;
  const std::vector<Source> sources = load_sources(o, digest);
  if (sources.size() < 4) {
    d.note =
        "fewer than 4 usable pictures in the image directories (apt-get install "
        "desktop-base gnome-backgrounds mate-backgrounds, or scripts/setup --bench)";
    return d;
  }
  // Every fifth picture stays out of the registry: queries cut from it are fresh uploads.
  std::vector<std::uint32_t> registered, held_out;
  for (std::uint32_t i = 0; i < sources.size(); ++i)
    (i % 5 == 4 ? held_out : registered).push_back(i);
  d.note = std::to_string(sources.size()) + " pictures (" + std::to_string(held_out.size()) +
           " held out), shrunk to " + std::to_string(kSourceSideMax) + " px a side";
  const std::filesystem::path cache =
      o.cache_dir.empty() ? std::filesystem::path()
                          : o.cache_dir / ("images-" + std::to_string(n) + "-" + std::to_string(q) +
                                           "-" + std::to_string(seed) + "-" + digest + ".bin");
  if (!cache.empty() && read_cache(cache, d)) {
    d.note += "; codes read from " + cache.string();
    return d;
  }
  // Works in chunks, each work from its own generator: the same codes whatever `threads`.
  std::vector<Work> works;
  constexpr std::size_t kChunk = 4096;
  const int threads = std::max(1, o.threads);
  d.codes.reserve(n + 16);
  while (d.codes.size() < n) {
    const std::size_t first = works.size();
    std::vector<Work> chunk(kChunk);
    std::vector<std::vector<PdqHash>> codes(kChunk);
    auto run = [&](int t) {
      for (std::size_t i = static_cast<std::size_t>(t); i < kChunk; i += threads) {
        std::mt19937_64 rng(seed * 0x9E3779B97F4A7C15ull + first + i);
        chunk[i] = draw_work(rng, registered, sources);
        codes[i] = work_codes(materialize(chunk[i], sources));
      }
    };
    std::vector<std::thread> pool;
    for (int t = 1; t < threads; ++t) pool.emplace_back(run, t);
    run(0);
    for (auto& th : pool) th.join();
    for (std::size_t i = 0; i < kChunk && d.codes.size() < n; ++i) {
      if (codes[i].empty()) continue;
      works.push_back(chunk[i]);
      const std::size_t take = std::min(codes[i].size(), n - d.codes.size());
      d.codes.insert(d.codes.end(), codes[i].begin(), codes[i].begin() + take);
    }
    if (works.size() % (kChunk * 16) < kChunk) {
      std::fprintf(stderr, "images: %zu works, %zu codes\n", works.size(), d.codes.size());
    }
  }
  std::mt19937_64 rng(seed + 1);
  std::shuffle(d.codes.begin(), d.codes.end(), rng);
  d.queries.reserve(q);
  for (std::size_t i = 0; d.queries.size() < q; ++i) {
    if (i % 2 == 0) {
      const Work& k = works[rng() % works.size()];
      d.queries.push_back(transformed(materialize(k, sources), static_cast<int>(i / 2)));
    } else {
      const Work k = draw_work(rng, held_out, sources);
      d.queries.push_back(compliance::pdq_hash(PixelView::of(materialize(k, sources), false)).hash);
    }
  }
  d.note += ", " + std::to_string(works.size()) + " works";
  if (!cache.empty()) write_cache(cache, d);
  return d;
}

}  // namespace atelier::bench
