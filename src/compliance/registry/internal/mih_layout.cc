#include "compliance/registry/internal/mih_layout.h"

#include <algorithm>
#include <cmath>

#include "core/assert.h"

namespace atelier::compliance::internal {

MihLayout mih_layout(int substrings) {
  ATELIER_ASSERT(substrings >= kMihSubstringsMin && substrings <= kMihSubstringsMax,
                 "MIH substrings out of range: " + std::to_string(substrings));
  MihLayout layout;
  layout.substrings = substrings;
  const int narrow = kPdqBits / substrings;
  const int wide_count = kPdqBits % substrings;
  int start = 0;
  for (int k = 0; k < substrings; ++k) {
    const int width = narrow + (k < wide_count ? 1 : 0);
    layout.start[k] = static_cast<std::uint8_t>(start);
    layout.width[k] = static_cast<std::uint8_t>(width);
    start += width;
  }
  ATELIER_ASSERT(start == kPdqBits, "MIH substrings must cover the code");
  ATELIER_ASSERT(layout.width[0] <= kMihWidthMax, "MIH substrings are at most 24 bits");
  return layout;
}

int mih_substrings_for(std::uint64_t codes) {
  // Below 2^16 codes the 16-bit tables (64 Ki buckets) are already nearly empty. Rounded
  // down: at 10^6 codes m = 12 searched faster than 13, at 10^7 m = 11 faster than 12
  // (bench/registry_bench.cc).
  const double bits = std::log2(static_cast<double>(std::max<std::uint64_t>(codes, 1u << 16)));
  const int m = static_cast<int>(kPdqBits / bits);
  return std::clamp(m, kMihSubstringsMin, kMihSubstringsMax);
}

std::uint64_t ball_size(int width, int radius) {
  constexpr std::uint64_t kCap = std::uint64_t{1} << 62;
  std::uint64_t total = 0;
  std::uint64_t choose = 1;  // C(width, i)
  for (int i = 0; i <= radius && i <= width; ++i) {
    if (i > 0) {
      // C(w, i) = C(w, i-1) · (w-i+1) / i, exact in this order; saturate before overflowing.
      const auto factor = static_cast<std::uint64_t>(width - i + 1);
      if (choose > kCap / factor) return kCap;
      choose = choose * factor / static_cast<std::uint64_t>(i);
    }
    total = std::min(kCap, total + choose);
  }
  return total;
}

}  // namespace atelier::compliance::internal
