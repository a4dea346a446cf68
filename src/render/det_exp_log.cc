// det_exp_log.cc — exp, log, log2, log10 and pow with the same bits on every CPU
// (internal/det_math.h).
#include <cmath>

#include "render/internal/det_math.h"

namespace atelier::render::internal {

// Placeholders until the fdlibm ports land: glibc's.
double det_exp(double x) { return std::exp(x); }
double det_log(double x) { return std::log(x); }
double det_log2(double x) { return std::log2(x); }
double det_log10(double x) { return std::log10(x); }
// (pow itself is wrapped into det_pow by the linker: the placeholder calls the real one.)
extern "C" double __real_pow(double x, double y);
double det_pow(double x, double y) { return __real_pow(x, y); }

}  // namespace atelier::render::internal
