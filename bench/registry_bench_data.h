// registry_bench_data.h — the codes and queries registry_bench searches, of three kinds:
//
//   random     uniform codes; half the queries get near-duplicates planted at r-1, r, r+1
//              (and one at 4 bits) in place of random codes
//   images     real PDQ hashes, hashed by atelier's hasher: "works" cut from the pictures that
//              Debian's wallpaper and background packages install (random crops of 30-100 %
//              of each side, some mirrored or brightened), each registered as the registry
//              does (its hash, the seven dihedral variants, the crops of quality >= 50);
//              half the queries are real transforms of registered works (JPEG q70, half size,
//              a 90 % centre crop, a quarter turn, +10 % brightness, a quadrant cut and saved
//              as JPEG), half are works cut from pictures kept out of the registry
//   clustered  synthetic clusters (biased bits, Zipf-sized clusters, members 0-40 bits from
//              their centre), for a machine without the wallpaper packages
//
// Generation is deterministic for a seed; "images" hashes on `threads` threads and can keep
// its codes in a cache file (hashing 10^7 codes takes minutes).
#pragma once

#include <cstdint>
#include <filesystem>
#include <random>
#include <string>
#include <vector>

#include "compliance/pdq.h"
#include "render/image.h"

namespace atelier::bench {

struct Dataset {
  std::string name;
  std::vector<compliance::PdqHash> codes;
  std::vector<compliance::PdqHash> queries;
  std::string note;  // what it was made from
};

// Area-average downscale so that neither side exceeds `side_max` (the image as it is when it
// fits). Also used by crop_recall_bench.
render::Image shrink(const render::Image& in, int side_max);

Dataset random_data(std::size_t n, std::size_t q, int radius, std::uint64_t seed);
Dataset clustered_data(std::size_t n, std::size_t q, std::uint64_t seed);

struct ImageDataOptions {
  std::vector<std::filesystem::path> dirs = {"/usr/share/backgrounds", "/usr/share/wallpapers",
                                             "/usr/share/images", "/usr/share/desktop-base"};
  int threads = 1;
  std::filesystem::path cache_dir;  // empty: no cache
};

// Empty codes (and a note saying why) when the directories hold fewer than 4 usable pictures.
Dataset image_data(std::size_t n, std::size_t q, std::uint64_t seed,
                   const ImageDataOptions& options);

}  // namespace atelier::bench
