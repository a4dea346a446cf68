#include "render/math/prng.h"

#include "render/math/det_math.h"
#include "render/math/det_trig.h"

#include <cmath>
#include <numbers>

namespace atelier::render {

namespace {

std::uint32_t be32(std::span<const std::uint8_t> p) {
  return std::uint32_t{p[0]} << 24 | std::uint32_t{p[1]} << 16 | std::uint32_t{p[2]} << 8 | p[3];
}

Sfc32 seeded(std::span<const std::uint8_t> half) {
  return Sfc32(be32(half.subspan(0, 4)), be32(half.subspan(4, 4)), be32(half.subspan(8, 4)),
               be32(half.subspan(12, 4)));
}

}  // namespace

TokenRandom::TokenRandom(std::span<const std::uint8_t, 32> token)
    : a_(seeded(token.subspan(0, 16))), b_(seeded(token.subspan(16, 16))) {
  // Art Blocks: for (let i = 0; i < 1e6; i += 2) { prngA(); prngB(); }
  for (int i = 0; i < 500'000; ++i) {
    a_.next_u32();
    b_.next_u32();
  }
}

double TokenRandom::next() {
  use_a_ = !use_a_;
  std::uint32_t t = use_a_ ? a_.next_u32() : b_.next_u32();
  return static_cast<double>(t) / 4294967296.0;
}

std::int64_t TokenRandom::integer(std::int64_t a, std::int64_t b) {
  return static_cast<std::int64_t>(
      std::floor(range(static_cast<double>(a), static_cast<double>(b) + 1.0)));
}

double TokenRandom::gaussian(double mu, double sigma) {
  double u1 = 1.0 - next();  // (0, 1]: log is finite.
  double u2 = next();
  double sin_a, cos_a;  // atelier's own log and cosine: the same bits on every CPU.
  internal::det_sincos(2.0 * std::numbers::pi * u2, sin_a, cos_a);
  return mu + sigma * std::sqrt(-2.0 * internal::det_log(u1)) * cos_a;
}

}  // namespace atelier::render
