// det_math.h — exp, log, log2, log10 and pow with the same bits on every CPU.
//
// Why: glibc picks FMA or non-FMA implementations of these per CPU at run time, so their last
// bit may differ between machines. Anything that must come out the same everywhere uses these
// instead: the render sandbox's math (a generator feeds results into later steps, so one bit
// can move a curve; render/math/det_math.h adds the trigonometric functions) and the
// market's OpenRarity scores (ranks choose price tiers). They follow fdlibm (Sun
// Microsystems, 1993; FreeBSD's msun and musl carry it): argument reduction and minimax
// polynomials in plain IEEE double operations, which the project compiles with
// -ffp-contract=off, so the bits depend on the input alone. Errors are below 1 ulp; special
// values (NaN, ±∞, ±0, pow's cases) follow C99 Annex F. errno is not set.
#pragma once

namespace atelier {

// det_exp_log.cc
double det_exp(double x);
double det_log(double x);
double det_log2(double x);
double det_log10(double x);
double det_pow(double x, double y);

}  // namespace atelier
