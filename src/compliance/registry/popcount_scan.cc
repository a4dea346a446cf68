#include "compliance/registry/popcount_scan.h"

#include <immintrin.h>

#include <algorithm>
#include <array>
#include <bit>
#include <memory>

#include "compliance/registry/internal/code_words.h"
#include "core/assert.h"

namespace atelier::compliance {

namespace {

using internal::code_words;
using internal::CodeWords;

// 2,048 codes are 64 KiB: a block stays in L2 while every query of the batch passes over it.
constexpr std::size_t kBlockCodes = 2048;
constexpr std::size_t kBatchQueries = 64;

// One block against one query. Compiled for popcnt where the CPU has it (see mih_index.cc).
[[gnu::target_clones("popcnt", "default")]] void scan_block(const PdqHash* codes, std::size_t begin,
                                                            std::size_t end, const CodeWords& q,
                                                            std::uint32_t query, int radius,
                                                            std::vector<ScanMatch>& out) {
  for (std::size_t i = begin; i < end; ++i) {
    const CodeWords c = code_words(codes[i]);  // four 8-byte loads
    const int d = std::popcount(c[0] ^ q[0]) + std::popcount(c[1] ^ q[1]) +
                  std::popcount(c[2] ^ q[2]) + std::popcount(c[3] ^ q[3]);
    if (d <= radius) [[unlikely]] {
      out.push_back({query, static_cast<std::uint32_t>(i), d});
    }
  }
}

void scan_scalar(std::span<const PdqHash> codes, std::span<const PdqHash> queries, int radius,
                 std::vector<ScanMatch>& out) {
  for (std::size_t q0 = 0; q0 < queries.size(); q0 += kBatchQueries) {
    const std::size_t q1 = std::min(queries.size(), q0 + kBatchQueries);
    for (std::size_t b = 0; b < codes.size(); b += kBlockCodes) {
      const std::size_t e = std::min(codes.size(), b + kBlockCodes);
      for (std::size_t q = q0; q < q1; ++q) {
        scan_block(codes.data(), b, e, code_words(queries[q]), static_cast<std::uint32_t>(q),
                   radius, out);
      }
    }
  }
}

// A block transposed: words[w][i] is word w of code begin + i; the tail is padded to a
// multiple of 8 codes and masked off.
struct Columns {
  alignas(64) std::array<std::array<std::uint64_t, kBlockCodes>, 4> words;
};

[[gnu::target("avx512f,avx512vpopcntdq")]] void scan_avx512(std::span<const PdqHash> codes,
                                                            std::span<const PdqHash> queries,
                                                            int radius,
                                                            std::vector<ScanMatch>& out) {
  auto columns = std::make_unique<Columns>();
  const __m512i limit = _mm512_set1_epi64(radius);
  for (std::size_t q0 = 0; q0 < queries.size(); q0 += kBatchQueries) {
    const std::size_t q1 = std::min(queries.size(), q0 + kBatchQueries);
    for (std::size_t b = 0; b < codes.size(); b += kBlockCodes) {
      const std::size_t n = std::min(codes.size(), b + kBlockCodes) - b;
      for (std::size_t i = 0; i < n; ++i) {
        const CodeWords c = code_words(codes[b + i]);
        for (int w = 0; w < 4; ++w) columns->words[w][i] = c[w];
      }
      for (std::size_t i = 0; i < n; i += 8) {
        const __m512i w0 = _mm512_load_si512(&columns->words[0][i]);
        const __m512i w1 = _mm512_load_si512(&columns->words[1][i]);
        const __m512i w2 = _mm512_load_si512(&columns->words[2][i]);
        const __m512i w3 = _mm512_load_si512(&columns->words[3][i]);
        const __mmask8 valid =
            n - i >= 8 ? __mmask8{0xff} : static_cast<__mmask8>((1u << (n - i)) - 1);
        for (std::size_t q = q0; q < q1; ++q) {
          const CodeWords qc = code_words(queries[q]);
          __m512i d = _mm512_popcnt_epi64(_mm512_xor_si512(w0, _mm512_set1_epi64(qc[0])));
          d = _mm512_add_epi64(d,
                               _mm512_popcnt_epi64(_mm512_xor_si512(w1, _mm512_set1_epi64(qc[1]))));
          d = _mm512_add_epi64(d,
                               _mm512_popcnt_epi64(_mm512_xor_si512(w2, _mm512_set1_epi64(qc[2]))));
          d = _mm512_add_epi64(d,
                               _mm512_popcnt_epi64(_mm512_xor_si512(w3, _mm512_set1_epi64(qc[3]))));
          unsigned hits = _mm512_mask_cmple_epu64_mask(valid, d, limit);
          while (hits != 0) [[unlikely]] {
              const int lane = std::countr_zero(hits);
              hits &= hits - 1;
              const std::size_t index = b + i + static_cast<std::size_t>(lane);
              out.push_back({static_cast<std::uint32_t>(q), static_cast<std::uint32_t>(index),
                             internal::word_distance(code_words(codes[index]), qc)});
            }
        }
      }
    }
  }
}

}  // namespace

bool scan_uses_avx512() {
  return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512vpopcntdq");
}

void popcount_scan(std::span<const PdqHash> codes, std::span<const PdqHash> queries, int radius,
                   std::vector<ScanMatch>& out, ScanKernel kernel) {
  ATELIER_ASSERT(codes.size() < (std::size_t{1} << 32) && queries.size() < (std::size_t{1} << 32));
  if (radius < 0) return;
  const std::size_t first = out.size();
  if (kernel == ScanKernel::kBest && scan_uses_avx512()) {
    scan_avx512(codes, queries, radius, out);
  } else {
    scan_scalar(codes, queries, radius, out);
  }
  std::sort(out.begin() + static_cast<std::ptrdiff_t>(first), out.end(),
            [](const ScanMatch& a, const ScanMatch& b) {
              return a.query != b.query ? a.query < b.query : a.index < b.index;
            });
}

}  // namespace atelier::compliance
