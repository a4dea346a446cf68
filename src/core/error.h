// error.h — the one error type every engine returns (DESIGN.md "Errors").
//
//   Result<Recipe> r = parse_recipe(text);
//   if (!r) return std::unexpected(r.error());
//
// An Error has a stable machine `code` (snake_case, never reworded), a human `message`, and
// for input errors the offending `field` (a JSON path such as "params.density"). The kind
// decides the HTTP status and the CLI exit code; doors map it, engines never print.
#pragma once

#include <expected>
#include <string>
#include <utility>

namespace atelier {

enum class ErrorKind {
  kInvalidInput,   // 400: the caller sent something malformed or out of range.
  kUnauthorized,   // 401: no or bad credentials.
  kForbidden,      // 403: credentials lack the scope.
  kNotFound,       // 404
  kConflict,       // 409: state conflict (idempotency key reuse, duplicate).
  kTooLarge,       // 413: a size limit on the request itself.
  kLimitExceeded,  // 422: a resource limit hit while doing the work (script budget).
  kRateLimited,    // 429
  kInternal,       // 500: a bug or an environment failure (disk, database).
};

struct Error {
  ErrorKind kind = ErrorKind::kInternal;
  std::string code;
  std::string message;
  std::string field;  // Empty unless an input field is to blame.

  static Error invalid(std::string code, std::string message, std::string field = {}) {
    return {ErrorKind::kInvalidInput, std::move(code), std::move(message), std::move(field)};
  }
  static Error not_found(std::string code, std::string message, std::string field = {}) {
    return {ErrorKind::kNotFound, std::move(code), std::move(message), std::move(field)};
  }
  static Error limit(std::string code, std::string message, std::string field = {}) {
    return {ErrorKind::kLimitExceeded, std::move(code), std::move(message), std::move(field)};
  }
  static Error internal(std::string code, std::string message) {
    return {ErrorKind::kInternal, std::move(code), std::move(message), {}};
  }
  static Error conflict(std::string code, std::string message, std::string field = {}) {
    return {ErrorKind::kConflict, std::move(code), std::move(message), std::move(field)};
  }

  // "code: message (field)" for logs and the CLI.
  std::string to_string() const {
    std::string s = code + ": " + message;
    if (!field.empty()) s += " (field: " + field + ")";
    return s;
  }
};

template <typename T>
using Result = std::expected<T, Error>;

inline std::unexpected<Error> fail(Error e) { return std::unexpected<Error>(std::move(e)); }

}  // namespace atelier

// Propagates an error from an expression returning Result<...>.
#define ATELIER_TRY(expr)                                             \
  do {                                                                \
    auto&& atelier_try_result_ = (expr);                              \
    if (!atelier_try_result_) return ::atelier::fail(atelier_try_result_.error()); \
  } while (0)
