// assert.h — assertions that stay on in every build (TigerBeetle's discipline for code that
// holds money and proofs).
//
//   ATELIER_ASSERT(sum == price, "sale " + id + ": payouts sum to " + sum.to_decimal());
//   const U256 left = ATELIER_VALUE(checked_sub(quantity, sold), "sold never exceeds quantity");
//
// An assertion states something that is true unless atelier has a bug: a failure is logged
// to stderr with the expression, the place and the message, and the process aborts (a
// half-applied money movement is worse than a crash, which the store survives). Input and
// environment errors are never asserted: they are Results (error.h). The message argument
// is evaluated only when the assertion fails, so it may build strings freely.
//
// `assert()` from <cassert> remains for checks that are too costly for release builds
// (inner raster loops); everything on the paths of money, persistence and the log uses these.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>

namespace atelier::internal {

// Logs "assertion failed" with the context and aborts. Never returns.
[[noreturn]] void assertion_failed(std::string_view expression, std::string_view file, int line,
                                   std::string_view message);

template <typename T>
T value_or_abort(std::optional<T>&& v, std::string_view expression, std::string_view file, int line,
                 std::string_view message) {
  if (!v.has_value()) [[unlikely]] {
    assertion_failed(expression, file, line, message);
  }
  return std::move(*v);
}

}  // namespace atelier::internal

#define ATELIER_ASSERT(condition, ...)                                                     \
  do {                                                                                     \
    if (!(condition)) [[unlikely]] {                                                       \
      ::atelier::internal::assertion_failed(#condition, __FILE__, __LINE__,                \
                                            ::std::string_view(std::string(__VA_ARGS__))); \
    }                                                                                      \
  } while (0)

// The value of an optional that cannot be empty unless atelier has a bug (a checked
// arithmetic result whose bounds an earlier check established); aborts when it is empty.
#define ATELIER_VALUE(optional_expr, message)                                              \
  ::atelier::internal::value_or_abort((optional_expr), #optional_expr, __FILE__, __LINE__, \
                                      (message))
