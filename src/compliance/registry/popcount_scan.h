// popcount_scan.h — the exact brute force: every code against every query by popcount, with
// queries batched so that each block of codes is read from memory once per batch.
//
//   std::vector<ScanMatch> found;
//   popcount_scan(codes, queries, 31, found);   // (query, index, distance), by query then index
//
// The baseline MIH is measured against (bench/registry_bench.cc) and the oracle its tests
// compare with. Thread-safe (no shared state).
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "compliance/pdq.h"

namespace atelier::compliance {

struct ScanMatch {
  std::uint32_t query = 0;  // position in `queries`
  std::uint32_t index = 0;  // position in `codes`
  int distance = 0;
  bool operator==(const ScanMatch&) const = default;
};

// Which loop compares: kBest is AVX-512 (VPOPCNTDQ, eight codes per instruction, each block
// of codes transposed to one array per word) where the CPU has it, else kScalar: four popcnt
// instructions per pair (the plain popcount where the CPU lacks even that).
enum class ScanKernel { kBest, kScalar };

// Appends every (query, code) pair within `radius` to `out`, ordered by query, then index.
// codes.size() and queries.size() must be below 2^32.
void popcount_scan(std::span<const PdqHash> codes, std::span<const PdqHash> queries, int radius,
                   std::vector<ScanMatch>& out, ScanKernel kernel = ScanKernel::kBest);

// Whether kBest runs the AVX-512 loop on this CPU.
bool scan_uses_avx512();

}  // namespace atelier::compliance
