// prng.h — the seeded randomness scripts see, bit-compatible with Art Blocks' `Random`
// class so that scripts port from that platform unchanged:
//   two sfc32 generators seeded from the two 128-bit halves of the 32-byte token hash
//   (each half as four big-endian 32-bit words a, b, c, d), both advanced 500,000 steps,
//   then used alternately starting with the first.
// The state is plain integers: identical on every machine and compiler.
#pragma once

#include <array>
#include <cstdint>
#include <span>

namespace atelier::render {

class Sfc32 {
 public:
  Sfc32(std::uint32_t a, std::uint32_t b, std::uint32_t c, std::uint32_t d)
      : a_(a), b_(b), c_(c), d_(d) {}
  std::uint32_t next_u32() {
    std::uint32_t t = a_ + b_ + d_;
    d_ += 1;
    a_ = b_ ^ (b_ >> 9);
    b_ = c_ + (c_ << 3);
    c_ = (c_ << 21) | (c_ >> 11);
    c_ += t;
    return t;
  }

 private:
  std::uint32_t a_, b_, c_, d_;
};

class TokenRandom {
 public:
  // `token` is the 32-byte token hash.
  explicit TokenRandom(std::span<const std::uint8_t, 32> token);

  double next();  // Uniform in [0, 1): (t >>> 0) / 2^32, as Art Blocks' random_dec().
  double range(double a, double b) { return a + (b - a) * next(); }
  // Integer in [a, b], floor(range(a, b + 1)) like Art Blocks' random_int.
  std::int64_t integer(std::int64_t a, std::int64_t b);
  double gaussian(double mu, double sigma);  // Box–Muller, two draws per call.
  bool boolean(double p) { return next() < p; }

 private:
  Sfc32 a_;
  Sfc32 b_;
  bool use_a_ = false;
};

}  // namespace atelier::render
