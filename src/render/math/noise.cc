#include "render/math/noise.h"

#include <cmath>

namespace atelier::render {

namespace {

constexpr auto& kGrad3 = kSimplexGrad3;

inline int fast_floor(double x) {
  int xi = static_cast<int>(x);
  return x < xi ? xi - 1 : xi;
}

// splitmix64: expands the seed into the shuffle's random stream.
std::uint64_t splitmix64(std::uint64_t& state) {
  std::uint64_t z = (state += 0x9E3779B97F4A7C15ULL);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}

}  // namespace

SimplexNoise::SimplexNoise(std::uint64_t seed) {
  std::array<std::uint8_t, 256> p;
  for (int i = 0; i < 256; ++i) p[i] = static_cast<std::uint8_t>(i);
  std::uint64_t state = seed;
  for (int i = 255; i > 0; --i) {  // Fisher–Yates.
    int j = static_cast<int>(splitmix64(state) % static_cast<std::uint64_t>(i + 1));
    std::swap(p[i], p[j]);
  }
  for (int i = 0; i < 512; ++i) {
    perm_[i] = p[i & 255];
    perm12_[i] = static_cast<std::uint8_t>(perm_[i] % 12);
  }
}

double SimplexNoise::noise2(double xin, double yin) const {
  const double F2 = 0.5 * (std::sqrt(3.0) - 1.0);
  const double G2 = (3.0 - std::sqrt(3.0)) / 6.0;
  double s = (xin + yin) * F2;
  int i = fast_floor(xin + s);
  int j = fast_floor(yin + s);
  double t = (i + j) * G2;
  double x0 = xin - (i - t);
  double y0 = yin - (j - t);
  int i1 = x0 > y0 ? 1 : 0;
  int j1 = 1 - i1;
  double x1 = x0 - i1 + G2, y1 = y0 - j1 + G2;
  double x2 = x0 - 1.0 + 2.0 * G2, y2 = y0 - 1.0 + 2.0 * G2;
  int ii = i & 255, jj = j & 255;
  int gi0 = perm12_[ii + perm_[jj]];
  int gi1 = perm12_[ii + i1 + perm_[jj + j1]];
  int gi2 = perm12_[ii + 1 + perm_[jj + 1]];
  double n = 0;
  double t0 = 0.5 - x0 * x0 - y0 * y0;
  if (t0 > 0) { t0 *= t0; n += t0 * t0 * (kGrad3[gi0][0] * x0 + kGrad3[gi0][1] * y0); }
  double t1 = 0.5 - x1 * x1 - y1 * y1;
  if (t1 > 0) { t1 *= t1; n += t1 * t1 * (kGrad3[gi1][0] * x1 + kGrad3[gi1][1] * y1); }
  double t2 = 0.5 - x2 * x2 - y2 * y2;
  if (t2 > 0) { t2 *= t2; n += t2 * t2 * (kGrad3[gi2][0] * x2 + kGrad3[gi2][1] * y2); }
  return 70.0 * n;  // Scales the result to about [-1, 1].
}

double SimplexNoise::noise3(double xin, double yin, double zin) const {
  const double F3 = 1.0 / 3.0, G3 = 1.0 / 6.0;
  double s = (xin + yin + zin) * F3;
  int i = fast_floor(xin + s), j = fast_floor(yin + s), k = fast_floor(zin + s);
  double t = (i + j + k) * G3;
  double x0 = xin - (i - t), y0 = yin - (j - t), z0 = zin - (k - t);
  int i1, j1, k1, i2, j2, k2;
  if (x0 >= y0) {
    if (y0 >= z0) { i1 = 1; j1 = 0; k1 = 0; i2 = 1; j2 = 1; k2 = 0; }
    else if (x0 >= z0) { i1 = 1; j1 = 0; k1 = 0; i2 = 1; j2 = 0; k2 = 1; }
    else { i1 = 0; j1 = 0; k1 = 1; i2 = 1; j2 = 0; k2 = 1; }
  } else {
    if (y0 < z0) { i1 = 0; j1 = 0; k1 = 1; i2 = 0; j2 = 1; k2 = 1; }
    else if (x0 < z0) { i1 = 0; j1 = 1; k1 = 0; i2 = 0; j2 = 1; k2 = 1; }
    else { i1 = 0; j1 = 1; k1 = 0; i2 = 1; j2 = 1; k2 = 0; }
  }
  double x1 = x0 - i1 + G3, y1 = y0 - j1 + G3, z1 = z0 - k1 + G3;
  double x2 = x0 - i2 + 2.0 * G3, y2 = y0 - j2 + 2.0 * G3, z2 = z0 - k2 + 2.0 * G3;
  double x3 = x0 - 1.0 + 3.0 * G3, y3 = y0 - 1.0 + 3.0 * G3, z3 = z0 - 1.0 + 3.0 * G3;
  int ii = i & 255, jj = j & 255, kk = k & 255;
  int gi0 = perm12_[ii + perm_[jj + perm_[kk]]];
  int gi1 = perm12_[ii + i1 + perm_[jj + j1 + perm_[kk + k1]]];
  int gi2 = perm12_[ii + i2 + perm_[jj + j2 + perm_[kk + k2]]];
  int gi3 = perm12_[ii + 1 + perm_[jj + 1 + perm_[kk + 1]]];
  auto corner = [](double tt, const double* g, double x, double y, double z) {
    if (tt <= 0) return 0.0;
    tt *= tt;
    return tt * tt * (g[0] * x + g[1] * y + g[2] * z);
  };
  double n = corner(0.6 - x0 * x0 - y0 * y0 - z0 * z0, kGrad3[gi0], x0, y0, z0) +
             corner(0.6 - x1 * x1 - y1 * y1 - z1 * z1, kGrad3[gi1], x1, y1, z1) +
             corner(0.6 - x2 * x2 - y2 * y2 - z2 * z2, kGrad3[gi2], x2, y2, z2) +
             corner(0.6 - x3 * x3 - y3 * y3 - z3 * z3, kGrad3[gi3], x3, y3, z3);
  return 32.0 * n;
}

}  // namespace atelier::render
