// cpu.h — which vector path the render kernels take on this CPU.
//
// The hot kernels (the thin-stroke rasterizer, compositing, the flow-field walks) have an
// AVX2 path picked at run time and a baseline x86-64 (SSE2) or scalar path. Both compute the
// same IEEE operations in the same order on every lane (no FMA: the project builds with
// -ffp-contract=off and the AVX2 code is compiled with target("avx2") only), so a render's
// bytes do not depend on which path ran. Tests render with both and compare.
//
// ATELIER_SIMD=baseline in the environment (read once) forces the baseline path, to check
// a file on one machine as another machine would render it.
#pragma once

#include <atomic>
#include <cstdlib>
#include <cstring>

namespace atelier::render::internal {

inline std::atomic<int>& avx2_override() {
  static std::atomic<int> value{-1};  // -1: decide from the CPU and the environment.
  return value;
}

inline bool use_avx2() {
#if defined(__x86_64__) || defined(__i386__)
  static const bool supported = [] {
    const char* env = std::getenv("ATELIER_SIMD");
    if (env != nullptr && std::strcmp(env, "baseline") == 0) return false;
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx2") != 0;
  }();
  const int forced = avx2_override().load(std::memory_order_relaxed);
  return forced < 0 ? supported : (forced != 0 && supported);
#else
  return false;
#endif
}

// Tests: force the baseline path (false) or the CPU's choice (true) until reset.
class ScopedSimd {
 public:
  explicit ScopedSimd(bool allow_avx2) : saved_(avx2_override().exchange(allow_avx2 ? 1 : 0)) {}
  ~ScopedSimd() { avx2_override().store(saved_); }
  ScopedSimd(const ScopedSimd&) = delete;
  ScopedSimd& operator=(const ScopedSimd&) = delete;

 private:
  int saved_;
};

}  // namespace atelier::render::internal
