// det_arc_tan.cc — tan, atan, atan2, asin and acos with the same bits on every CPU
// (internal/det_math.h).
#include <cmath>

#include "render/internal/det_math.h"

namespace atelier::render::internal {

// Placeholders until the fdlibm ports land: glibc's.
double det_tan(double x) { return std::tan(x); }
double det_atan(double x) { return std::atan(x); }
double det_atan2(double y, double x) { return std::atan2(y, x); }
double det_asin(double x) { return std::asin(x); }
double det_acos(double x) { return std::acos(x); }

}  // namespace atelier::render::internal
