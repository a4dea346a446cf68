// det_math.h — the transcendental functions scripts reach, with the same bits on every CPU.
//
// Why: glibc picks FMA or non-FMA implementations of exp, log, pow, tan, atan, atan2, asin
// and acos per CPU at run time, so their last bit may differ between machines — and a
// generator feeds results into later steps, so one bit can move a curve (det_trig.h says the
// same of sine and cosine). These follow fdlibm (Sun Microsystems, 1993; FreeBSD's msun and
// musl carry it): argument reduction and minimax polynomials in plain IEEE double
// operations, which the project compiles with -ffp-contract=off, so the bits depend on the
// input alone. Errors are below 1 ulp; special values (NaN, ±∞, ±0, pow's cases) follow
// C99 Annex F. errno is not set.
//
// Users: the sandbox's math library (math.exp, math.log, math.tan, math.atan, math.asin,
// math.acos), Lua's `^` operator (the Lua VM calls pow; the binaries link Lua statically with
// the linker's --wrap=pow, so that call lands in det_pow), and rand_gaussian.
#pragma once

#include "core/det_math.h"

namespace atelier::render::internal {

// src/core/det_exp_log.cc (the market's rarity scores use them too)
using atelier::det_exp;
using atelier::det_log;
using atelier::det_log10;
using atelier::det_log2;
using atelier::det_pow;

// det_arc_tan.cc
double det_tan(double x);
double det_atan(double x);
double det_atan2(double y, double x);
double det_asin(double x);
double det_acos(double x);

}  // namespace atelier::render::internal
