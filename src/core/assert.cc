#include "core/assert.h"

#include <cstdio>
#include <cstdlib>

namespace atelier::internal {

void assertion_failed(std::string_view expression, std::string_view file, int line,
                      std::string_view message) {
  // stderr is unbuffered; one fprintf keeps the line whole when threads write at once.
  std::fprintf(stderr, "atelier: assertion failed at %.*s:%d: %.*s%s%.*s\n",
               static_cast<int>(file.size()), file.data(), line,
               static_cast<int>(expression.size()), expression.data(), message.empty() ? "" : " — ",
               static_cast<int>(message.size()), message.data());
  std::abort();
}

}  // namespace atelier::internal
