// flow_walk.h — the flow field behind flowfield{…} and its walks (field:trace, ctx:flowline,
// ctx:flowlines in sandbox/lua_api.cc). Private to src/render; here with the math it is made
// of rather than in lua_api.cc so that tests can compare the lockstep walk's AVX2 and scalar
// paths point by point.
#pragma once

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <vector>

#include "render/math/det_trig.h"
#include "render/math/noise.h"

namespace atelier::render::internal {

// A noise-driven angle field evaluated natively.
struct FlowField {
  const SimplexNoise* noise;
  double frequency, lacunarity, gain, angle, base, ox, oy, z, warp, warp_frequency;
  int octaves;
  bool use_z;

  // One plain octave: the common field, with a shortcut in at() and an AVX2 walk.
  bool plain() const { return octaves == 1 && warp == 0 && !use_z; }

  double at(double x, double y) const {
    double fx = x * frequency + ox, fy = y * frequency + oy;
    if (plain()) {
      // The loop below for one plain octave, without its multiplications by exactly 1 (x · 1
      // is x in IEEE arithmetic, signs and all), which sit on every walk step's serial chain.
      const double sum = 0.0 + noise->noise2(fx, fy);
      return base + angle * sum;
    }
    if (warp != 0) {  // Domain warp: displace the lookup by a second, slower field.
      double wx = noise->noise3(fx * warp_frequency, fy * warp_frequency, z + 17.3);
      double wy = noise->noise3(fx * warp_frequency + 31.7, fy * warp_frequency - 12.3, z + 17.3);
      fx += warp * wx;
      fy += warp * wy;
    }
    double sum = 0, amplitude = 1, norm = 0, f = 1;
    for (int o = 0; o < octaves; ++o) {
      sum += amplitude * (use_z ? noise->noise3(fx * f, fy * f, z) : noise->noise2(fx * f, fy * f));
      norm += amplitude;
      amplitude *= gain;
      f *= lacunarity;
    }
    const double scaled = angle * sum;
    return base +
           (norm == 1.0 ? scaled : scaled / norm);  // x / 1 is x: one octave skips the divide.
  }
  std::int64_t units_per_step() const { return 10 * (octaves + (warp != 0 ? 2 : 0)) + 10; }
};

// Keeps a coordinate inside ±1e6 as the noise lookup expects (simplex floors to ints); the
// same value as std::fmod(v, 1e6) without its cost for the coordinates that occur.
inline double wrap_coordinate(double v) { return v > -1e6 && v < 1e6 ? v : std::fmod(v, 1e6); }

struct WalkBounds {
  double x_min, y_min, x_max, y_max;
};

// One step of a walk: move step_len along the field's angle, unless that would leave the
// bounds (then false, and x, y stay).
// sin/cos are det_sincos (det_trig.h): glibc's differ in the last bit between CPUs,
// and a walk feeds every step into the next.
[[gnu::always_inline]] inline bool walk_step(const FlowField& f, double step_len,
                                             const WalkBounds& b, double& x, double& y) {
  const double a = f.at(wrap_coordinate(x), wrap_coordinate(y));
  double sin_a, cos_a;
  det_sincos(a, sin_a, cos_a);
  const double nx = x + cos_a * step_len, ny = y + sin_a * step_len;
  if (nx < b.x_min || nx > b.x_max || ny < b.y_min || ny > b.y_max) return false;
  x = nx, y = ny;
  return true;
}

// How many walks walk_lockstep takes at a time.
inline constexpr int kLockstep = 8;

// Walks from starts[2j], starts[2j + 1] for j < m ≤ kLockstep, each as walk_step would, up to
// `steps` steps: xy[j] receives walk j's points as x, y pairs (start included) in its first
// len[j] doubles; xy[j] may be longer. The walks advance in lockstep: each is a serial chain
// (noise → sin/cos → next point), and independent chains side by side keep the core busy
// while one waits. The scalar code walks four at a time; on AVX2 (render/internal/cpu.h) a plain
// field's eight walks are two 4-lane vectors (two chains, each twice as fast as four scalar
// ones; one vector alone left the core idle, three or four gained nothing more). Same points
// either way.
void walk_lockstep(const FlowField& f, double step_len, const WalkBounds& b, std::int64_t steps,
                   const double* starts, int m, std::vector<double> (&xy)[kLockstep],
                   std::size_t (&len)[kLockstep]);

}  // namespace atelier::render::internal
