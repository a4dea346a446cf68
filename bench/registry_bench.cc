// registry_bench — exact radius search over 256-bit codes, side by side in one run:
//   mih            compliance::MihIndex (multi-index hashing, m chosen for the size)
//   scan           compliance::popcount_scan (batched; AVX-512 VPOPCNTDQ where the CPU has
//                  it, and then the scalar popcnt loop too): the brute force, and the ground
//                  truth every other method's results are compared with; "vs scan" is
//                  relative to the first (fastest) scan row
//   faiss-flat     FAISS IndexBinaryFlat::range_search (brute force)
//   faiss-mhash    FAISS IndexBinaryMultiHash, 16 tables of 16 bits, nflip 1 (exact at r=31
//                  by the same pigeonhole argument), range_search
// on the kinds of data of registry_bench_data.h at each size: "random" (uniform codes with
// near-duplicates planted at r-1, r, r+1) and "images" (real PDQ hashes of works cut from the
// pictures Debian's wallpaper packages install, with their dihedral variants and crops, and
// queries that are real transforms of them), or "clustered" (synthetic clusters).
// Reported per method: build seconds, memory (MiB), queries per CPU-second on one thread
// (CLOCK_THREAD_CPUTIME_ID; FAISS runs with one OpenMP thread), queries per wall second, the
// speed relative to the fastest scan and to the scalar scan, and recall against the scan
// (found pairs within the radius / all pairs within the radius, and whether anything beyond
// it was returned).
//
//   nice -n 10 build/bench/registry_bench --sizes 1000000,10000000 --queries 2000
//
// Options: --sizes N[,N…] --queries Q (MIH, FAISS multi-hash; the scans take --scan-queries,
// default Q/4 at 10^7 and above) --radius R --data random,images,clustered --seed S
// --no-faiss --threads T (hashing the images; the searches run on one thread)
// --image-dirs D[:D…] --cache DIR (images' codes; default $TMPDIR/atelier-registry-bench).
#include <malloc.h>
#include <time.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "bench/registry_bench_data.h"
#include "compliance/registry/mih_index.h"
#include "compliance/registry/popcount_scan.h"

#ifdef ATELIER_HAVE_FAISS
#include <faiss/IndexBinaryFlat.h>
#include <faiss/IndexBinaryHash.h>
#include <faiss/impl/AuxIndexStructures.h>
#include <omp.h>
#endif

namespace {

using atelier::bench::Dataset;
using atelier::compliance::MihIndex;
using atelier::compliance::MihMatch;
using atelier::compliance::ScanMatch;

struct Options {
  std::vector<std::size_t> sizes = {1'000'000, 10'000'000};
  std::size_t queries = 2000;
  std::size_t scan_queries = 0;  // 0: queries, or queries / 4 from 10^7 codes
  int radius = 31;
  std::vector<std::string> data = {"random", "images"};
  std::uint64_t seed = 20261207;
  bool faiss = true;
  atelier::bench::ImageDataOptions images = {};
};

double thread_cpu_s() {
  timespec t{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
  return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_nsec) * 1e-9;
}
double wall_s() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}
double rss_mib() {
  std::ifstream statm("/proc/self/statm");
  long pages = 0, resident = 0;
  statm >> pages >> resident;
  return static_cast<double>(resident) * 4096.0 / (1024.0 * 1024.0);
}

struct Row {
  std::string method = {};
  double build_s = 0;
  double memory_mib = 0;
  std::size_t queries = 0;
  double cpu_s = 0;
  double wall_s = 0;
  std::uint64_t found = 0;  // pairs within the radius returned
  std::uint64_t truth = 0;  // pairs within the radius that exist (for these queries)
  std::uint64_t extra = 0;  // pairs returned beyond the radius or twice
  std::string note = {};
};

// Per query, the sorted indexes within the radius.
using Truth = std::vector<std::vector<std::uint32_t>>;

void score(Row& row, const Truth& truth, const std::vector<std::vector<std::uint32_t>>& got) {
  for (std::size_t q = 0; q < got.size(); ++q) {
    std::vector<std::uint32_t> g = got[q];
    std::sort(g.begin(), g.end());
    const std::size_t unique =
        static_cast<std::size_t>(std::unique(g.begin(), g.end()) - g.begin());
    row.extra += g.size() - unique;
    g.resize(unique);
    std::vector<std::uint32_t> both;
    std::set_intersection(g.begin(), g.end(), truth[q].begin(), truth[q].end(),
                          std::back_inserter(both));
    row.found += both.size();
    row.truth += truth[q].size();
    row.extra += g.size() - both.size();
  }
}

struct Baselines {
  double scan_qps = 0;    // the fastest scan
  double scalar_qps = 0;  // the scalar popcnt scan
};

void print_row(const std::string& data, std::size_t n, const Row& r, const Baselines& b) {
  const double qps = static_cast<double>(r.queries) / r.cpu_s;
  const double wall_qps = static_cast<double>(r.queries) / r.wall_s;
  const double recall =
      r.truth == 0 ? 1.0 : static_cast<double>(r.found) / static_cast<double>(r.truth);
  std::printf(
      "| %s | %zu | %s | %.2f | %.0f | %zu | %.1f | %.1f | %.2fx | %.2fx | %.4f%% | %llu | %s |\n",
      data.c_str(), n, r.method.c_str(), r.build_s, r.memory_mib, r.queries, qps, wall_qps,
      b.scan_qps > 0 ? qps / b.scan_qps : 1.0, b.scalar_qps > 0 ? qps / b.scalar_qps : 1.0,
      100.0 * recall, static_cast<unsigned long long>(r.extra), r.note.c_str());
  std::fflush(stdout);
}

void trim() { malloc_trim(0); }

void run(const Options& o, const Dataset& d) {
  const std::size_t n = d.codes.size();
  const std::size_t scan_q = o.scan_queries != 0
                                 ? std::min(o.scan_queries, d.queries.size())
                                 : (n >= 10'000'000 ? d.queries.size() / 4 : d.queries.size());
  const int r = o.radius;

  // The scan: ground truth for all queries (its time measured on the first scan_q of them).
  Truth truth(d.queries.size());
  Row scan{atelier::compliance::scan_uses_avx512() ? "scan (AVX-512 VPOPCNTDQ)"
                                                   : "scan (scalar popcnt)"};
  {
    std::vector<ScanMatch> timed;
    const double c0 = thread_cpu_s(), w0 = wall_s();
    atelier::compliance::popcount_scan(d.codes, std::span(d.queries).first(scan_q), r, timed);
    scan.cpu_s = thread_cpu_s() - c0;
    scan.wall_s = wall_s() - w0;
    scan.queries = scan_q;
    for (const auto& m : timed) truth[m.query].push_back(m.index);
    if (scan_q < d.queries.size()) {
      std::vector<ScanMatch> rest;  // queries numbered from scan_q
      atelier::compliance::popcount_scan(d.codes, std::span(d.queries).subspan(scan_q), r, rest);
      for (const auto& m : rest) truth[scan_q + m.query].push_back(m.index);
    }
    for (std::size_t q = 0; q < scan_q; ++q) scan.truth += truth[q].size();
    scan.found = scan.truth;
    scan.memory_mib = static_cast<double>(n) * 32.0 / (1024.0 * 1024.0);
    scan.note = "the codes themselves";
  }
  Baselines base;
  base.scan_qps = static_cast<double>(scan.queries) / scan.cpu_s;
  base.scalar_qps = base.scan_qps;
  Row scalar{"scan (scalar popcnt)"};
  if (atelier::compliance::scan_uses_avx512()) {
    std::vector<ScanMatch> out;
    const double c0 = thread_cpu_s(), w0 = wall_s();
    atelier::compliance::popcount_scan(d.codes, std::span(d.queries).first(scan_q), r, out,
                                       atelier::compliance::ScanKernel::kScalar);
    scalar.cpu_s = thread_cpu_s() - c0;
    scalar.wall_s = wall_s() - w0;
    scalar.queries = scan_q;
    std::vector<std::vector<std::uint32_t>> got(scan_q);
    for (const auto& m : out) got[m.query].push_back(m.index);
    score(scalar, Truth(truth.begin(), truth.begin() + static_cast<std::ptrdiff_t>(scan_q)), got);
    scalar.memory_mib = scan.memory_mib;
    scalar.note = "4 popcnt per pair";
    base.scalar_qps = static_cast<double>(scalar.queries) / scalar.cpu_s;
  }
  std::uint64_t pairs = 0;
  for (const auto& t : truth) pairs += t.size();
  std::fprintf(stderr, "%s n=%zu: %llu pairs within %d bits over %zu queries\n", d.name.c_str(), n,
               static_cast<unsigned long long>(pairs), r, d.queries.size());
  print_row(d.name, n, scan, base);
  if (scalar.queries > 0) print_row(d.name, n, scalar, base);

  {
    trim();
    const double rss0 = rss_mib();
    Row row{"mih"};
    const double c0 = thread_cpu_s();
    MihIndex index;
    index.insert_many(d.codes);
    row.build_s = thread_cpu_s() - c0;
    row.memory_mib = rss_mib() - rss0;
    std::vector<std::vector<std::uint32_t>> got(d.queries.size());
    std::vector<MihMatch> out;
    const double c1 = thread_cpu_s(), w1 = wall_s();
    for (std::size_t q = 0; q < d.queries.size(); ++q) {
      out.clear();
      index.search(d.queries[q], r, out);
      for (const auto& m : out) got[q].push_back(m.slot);
    }
    row.cpu_s = thread_cpu_s() - c1;
    row.wall_s = wall_s() - w1;
    row.queries = d.queries.size();
    score(row, truth, got);
    row.note = "m=" + std::to_string(index.substrings()) + ", own count " +
               std::to_string(index.memory_bytes() / (1024 * 1024)) + " MiB";
    print_row(d.name, n, row, base);
  }
  trim();

#ifdef ATELIER_HAVE_FAISS
  if (!o.faiss) return;
  omp_set_num_threads(1);
  auto faiss_range = [&](faiss::IndexBinary& index, std::size_t nq, Row& row) {
    faiss::RangeSearchResult res(static_cast<faiss::IndexBinary::idx_t>(nq));
    const double c1 = thread_cpu_s(), w1 = wall_s();
    index.range_search(static_cast<faiss::IndexBinary::idx_t>(nq),
                       reinterpret_cast<const std::uint8_t*>(d.queries.data()), r + 1, &res);
    row.cpu_s = thread_cpu_s() - c1;
    row.wall_s = wall_s() - w1;
    row.queries = nq;
    std::vector<std::vector<std::uint32_t>> got(nq);
    for (std::size_t q = 0; q < nq; ++q) {
      for (std::size_t j = res.lims[q]; j < res.lims[q + 1]; ++j) {
        got[q].push_back(static_cast<std::uint32_t>(res.labels[j]));
      }
    }
    Truth t(truth.begin(), truth.begin() + static_cast<std::ptrdiff_t>(nq));
    score(row, t, got);
  };
  // FAISS reads a code as 32 bytes in memory order; the queries are stored the same way, so
  // distances agree whatever the byte order within a word.
  {
    trim();
    const double rss0 = rss_mib();
    Row row{"faiss IndexBinaryFlat"};
    const double c0 = thread_cpu_s();
    auto index = std::make_unique<faiss::IndexBinaryFlat>(256);
    index->add(static_cast<faiss::IndexBinary::idx_t>(n),
               reinterpret_cast<const std::uint8_t*>(d.codes.data()));
    row.build_s = thread_cpu_s() - c0;
    row.memory_mib = rss_mib() - rss0;
    faiss_range(*index, scan_q, row);
    row.note = "range_search, 1 OpenMP thread";
    print_row(d.name, n, row, base);
  }
  {
    trim();
    const double rss0 = rss_mib();
    Row row{"faiss IndexBinaryMultiHash"};
    const double c0 = thread_cpu_s();
    auto index = std::make_unique<faiss::IndexBinaryMultiHash>(256, 16, 16);
    index->nflip = 1;
    index->add(static_cast<faiss::IndexBinary::idx_t>(n),
               reinterpret_cast<const std::uint8_t*>(d.codes.data()));
    row.build_s = thread_cpu_s() - c0;
    row.memory_mib = rss_mib() - rss0;
    faiss_range(*index, d.queries.size(), row);
    row.note = "16 tables x 16 bits, nflip 1";
    print_row(d.name, n, row, base);
  }
  trim();
#endif
}

std::vector<std::string> split(const std::string& s, char sep) {
  std::vector<std::string> out;
  std::size_t at = 0;
  while (at < s.size()) {
    std::size_t end = s.find(sep, at);
    if (end == std::string::npos) end = s.size();
    out.push_back(s.substr(at, end - at));
    at = end + 1;
  }
  return out;
}

std::vector<std::size_t> parse_sizes(const std::string& s) {
  std::vector<std::size_t> out;
  for (const auto& part : split(s, ',')) out.push_back(std::stoull(part));
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    auto value = [&]() -> std::string {
      if (i + 1 >= argc) {
        std::fprintf(stderr, "%s needs a value\n", a.c_str());
        std::exit(2);
      }
      return argv[++i];
    };
    if (a == "--sizes") {
      o.sizes = parse_sizes(value());
    } else if (a == "--queries") {
      o.queries = std::stoull(value());
    } else if (a == "--scan-queries") {
      o.scan_queries = std::stoull(value());
    } else if (a == "--radius") {
      o.radius = std::stoi(value());
    } else if (a == "--seed") {
      o.seed = std::stoull(value());
    } else if (a == "--data") {
      o.data.clear();
      const std::string v = value();
      for (const char* kind : {"random", "images", "clustered"}) {
        if (v.find(kind) != std::string::npos) o.data.push_back(kind);
      }
    } else if (a == "--threads") {
      o.images.threads = std::stoi(value());
    } else if (a == "--image-dirs") {
      o.images.dirs.clear();
      for (const auto& dir : split(value(), ':')) o.images.dirs.emplace_back(dir);
    } else if (a == "--cache") {
      o.images.cache_dir = value();
    } else if (a == "--no-faiss") {
      o.faiss = false;
    } else {
      std::fprintf(stderr, "unknown option %s (see the comment at the top of the source)\n",
                   a.c_str());
      return 2;
    }
  }
#ifndef ATELIER_HAVE_FAISS
  std::fprintf(stderr, "built without FAISS (libfaiss-dev): FAISS rows are left out\n");
#endif
  if (o.images.cache_dir.empty()) {
    o.images.cache_dir = std::filesystem::temp_directory_path() / "atelier-registry-bench";
  }
  std::printf(
      "| data | codes | method | build s (CPU) | memory MiB | queries | q/s (CPU, 1 "
      "thread) | q/s (wall) | vs scan | vs scalar scan | recall | extra | note |\n");
  std::printf("|---|---|---|---|---|---|---|---|---|---|---|---|---|\n");
  for (std::size_t n : o.sizes) {
    for (const std::string& kind : o.data) {
      const double w0 = wall_s();
      Dataset d = kind == "random" ? atelier::bench::random_data(n, o.queries, o.radius, o.seed + n)
                  : kind == "images"
                      ? atelier::bench::image_data(n, o.queries, o.seed + n, o.images)
                      : atelier::bench::clustered_data(n, o.queries, o.seed + n);
      std::fprintf(stderr, "%s n=%zu: %s (made in %.0f s)\n", kind.c_str(), n, d.note.c_str(),
                   wall_s() - w0);
      if (d.codes.size() < n) {
        std::fprintf(stderr, "%s: skipped (%s)\n", kind.c_str(), d.note.c_str());
        continue;
      }
      run(o, d);
      std::vector<atelier::compliance::PdqHash>().swap(d.codes);
      trim();
    }
  }
  return 0;
}
