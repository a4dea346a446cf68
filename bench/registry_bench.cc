// registry_bench — exact radius search over 256-bit codes, side by side in one run:
//   mih            compliance::MihIndex (multi-index hashing, m chosen for the size)
//   scan           compliance::popcount_scan (batched; AVX-512 VPOPCNTDQ where the CPU has
//                  it, and then the scalar popcnt loop too): the brute force, and the ground
//                  truth every other method's results are compared with; "vs scan" is
//                  relative to the first (fastest) scan row
//   faiss-flat     FAISS IndexBinaryFlat::range_search (brute force)
//   faiss-mhash    FAISS IndexBinaryMultiHash, 16 tables of 16 bits, nflip 1 (exact at r=31
//                  by the same pigeonhole argument), range_search
// on two kinds of data at each size:
//   random     uniform codes; half the queries have near-duplicates planted at r-1, r, r+1
//   clustered  synthetic "real-looking" codes: biased bits (each bit set with its own
//              probability in [0.25, 0.75]), clusters of Zipf-distributed size around centres,
//              members 0-40 bits from their centre; half the queries near a centre, half
//              fresh biased codes (there are no real-image hashes here yet, see
//              docs/compliance.md)
// Reported per method: build seconds, memory (MiB), queries per CPU-second on one thread
// (CLOCK_THREAD_CPUTIME_ID; FAISS runs with one OpenMP thread), queries per wall second, and
// recall against the scan (found pairs within the radius / all pairs within the radius, and
// whether anything beyond it was returned).
//
//   nice -n 10 build/bench/registry_bench --sizes 1000000,10000000 --queries 2000
//
// Options: --sizes N[,N…] --queries Q (MIH, FAISS multi-hash; the scans take --scan-queries,
// default Q/4 at 10^7 and above) --radius R --data random,clustered --seed S --no-faiss.
#include <malloc.h>
#include <time.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <functional>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "compliance/hash256.h"
#include "compliance/registry/mih_index.h"
#include "compliance/registry/popcount_scan.h"

#ifdef ATELIER_HAVE_FAISS
#include <faiss/IndexBinaryFlat.h>
#include <faiss/IndexBinaryHash.h>
#include <faiss/impl/AuxIndexStructures.h>
#include <omp.h>
#endif

namespace {

using atelier::compliance::MihIndex;
using atelier::compliance::MihMatch;
using atelier::compliance::Pdq256;
using atelier::compliance::ScanMatch;

struct Options {
  std::vector<std::size_t> sizes = {1'000'000, 10'000'000};
  std::size_t queries = 2000;
  std::size_t scan_queries = 0;  // 0: queries, or queries / 4 from 10^7 codes
  int radius = 31;
  std::vector<std::string> data = {"random", "clustered"};
  std::uint64_t seed = 20261207;
  bool faiss = true;
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

void flip(Pdq256& c, int p) { c[p / 64] ^= std::uint64_t{1} << (63 - p % 64); }

Pdq256 at_distance(Pdq256 c, int bits, std::mt19937_64& rng) {
  std::set<int> chosen;
  while (static_cast<int>(chosen.size()) < bits) chosen.insert(static_cast<int>(rng() % 256));
  for (int p : chosen) flip(c, p);
  return c;
}

struct Dataset {
  std::string name;
  std::vector<Pdq256> codes;
  std::vector<Pdq256> queries;
};

Dataset uniform_data(std::size_t n, std::size_t q, int r, std::mt19937_64& rng) {
  Dataset d{"random", std::vector<Pdq256>(n), std::vector<Pdq256>(q)};
  for (auto& c : d.codes) c = {rng(), rng(), rng(), rng()};
  for (auto& c : d.queries) c = {rng(), rng(), rng(), rng()};
  // Half the queries get near-duplicates at r-1, r, r+1 (and one at a few bits), in place of
  // random codes.
  for (std::size_t i = 0; i < q; i += 2) {
    for (int dist : {r - 1, r, r + 1, 4}) d.codes[rng() % n] = at_distance(d.queries[i], dist, rng);
  }
  return d;
}

Dataset clustered_data(std::size_t n, std::size_t q, std::mt19937_64& rng) {
  Dataset d{"clustered", {}, std::vector<Pdq256>(q)};
  d.codes.reserve(n);
  std::array<double, 256> p{};
  for (double& x : p) x = 0.25 + 0.5 * std::uniform_real_distribution<double>(0, 1)(rng);
  std::uniform_real_distribution<double> u(0, 1);
  auto biased = [&] {
    Pdq256 c{};
    for (int b = 0; b < 256; ++b) {
      if (u(rng) < p[b]) flip(c, b);
    }
    return c;
  };
  // Cluster sizes ~ Zipf: a few works copied thousands of times, most a handful.
  std::vector<Pdq256> centres;
  while (d.codes.size() < n) {
    centres.push_back(biased());
    const auto rank = static_cast<double>(centres.size());
    std::size_t size = std::max<std::size_t>(1, static_cast<std::size_t>(20000.0 / rank));
    size = std::min(size, n - d.codes.size());
    for (std::size_t i = 0; i < size; ++i) {
      // Members: re-encodes and small edits (0-16 bits), heavier edits up to 40.
      const int bits = u(rng) < 0.7 ? static_cast<int>(rng() % 17) : static_cast<int>(rng() % 41);
      d.codes.push_back(at_distance(centres.back(), bits, rng));
    }
  }
  std::shuffle(d.codes.begin(), d.codes.end(), rng);
  for (std::size_t i = 0; i < q; ++i) {
    if (i % 2 == 0) {
      // Near a centre, the big clusters more often (an upload of a popular work).
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

void print_row(const std::string& data, std::size_t n, const Row& r, double scan_qps) {
  const double qps = static_cast<double>(r.queries) / r.cpu_s;
  const double wall_qps = static_cast<double>(r.queries) / r.wall_s;
  const double recall =
      r.truth == 0 ? 1.0 : static_cast<double>(r.found) / static_cast<double>(r.truth);
  std::printf("| %s | %zu | %s | %.2f | %.0f | %zu | %.1f | %.1f | %.2fx | %.4f%% | %llu | %s |\n",
              data.c_str(), n, r.method.c_str(), r.build_s, r.memory_mib, r.queries, qps, wall_qps,
              scan_qps > 0 ? qps / scan_qps : 1.0, 100.0 * recall,
              static_cast<unsigned long long>(r.extra), r.note.c_str());
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
  const double scan_qps = static_cast<double>(scan.queries) / scan.cpu_s;
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
  }
  std::uint64_t pairs = 0;
  for (const auto& t : truth) pairs += t.size();
  std::fprintf(stderr, "%s n=%zu: %llu pairs within %d bits over %zu queries\n", d.name.c_str(), n,
               static_cast<unsigned long long>(pairs), r, d.queries.size());
  print_row(d.name, n, scan, scan_qps);
  if (scalar.queries > 0) print_row(d.name, n, scalar, scan_qps);

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
    print_row(d.name, n, row, scan_qps);
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
    print_row(d.name, n, row, scan_qps);
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
    print_row(d.name, n, row, scan_qps);
  }
  trim();
#endif
}

std::vector<std::size_t> parse_sizes(const std::string& s) {
  std::vector<std::size_t> out;
  std::size_t at = 0;
  while (at < s.size()) {
    std::size_t comma = s.find(',', at);
    if (comma == std::string::npos) comma = s.size();
    out.push_back(std::stoull(s.substr(at, comma - at)));
    at = comma + 1;
  }
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
      if (v.find("random") != std::string::npos) o.data.push_back("random");
      if (v.find("clustered") != std::string::npos) o.data.push_back("clustered");
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
  std::printf(
      "| data | codes | method | build s (CPU) | memory MiB | queries | q/s (CPU, 1 "
      "thread) | q/s (wall) | vs scan | recall | extra | note |\n");
  std::printf("|---|---|---|---|---|---|---|---|---|---|---|---|\n");
  for (std::size_t n : o.sizes) {
    for (const std::string& kind : o.data) {
      std::mt19937_64 rng(o.seed + n);
      Dataset d = kind == "random" ? uniform_data(n, o.queries, o.radius, rng)
                                   : clustered_data(n, o.queries, rng);
      run(o, d);
    }
  }
  return 0;
}
