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

// std::expected with [[nodiscard]]: a Result dropped on the floor does not compile (cast to
// void where ignoring one is a decision, and say why beside it).
template <typename T>
class [[nodiscard]] Result : public std::expected<T, Error> {
 public:
  using std::expected<T, Error>::expected;
  Result(std::expected<T, Error> e)
      : std::expected<T, Error>(std::move(e)) {}  // NOLINT: implicit on purpose.
};

inline std::unexpected<Error> fail(Error e) { return std::unexpected<Error>(std::move(e)); }

}  // namespace atelier

// Propagates an error from an expression returning Result<...>.
#define ATELIER_TRY(expr)                                             \
  do {                                                                \
    auto&& atelier_try_result_ = (expr);                              \
    if (!atelier_try_result_) return ::atelier::fail(atelier_try_result_.error()); \
  } while (0)

// Declares or assigns `lhs` from the value of an expression returning Result<T> (T not void),
// or returns its error:   ATELIER_TRY_ASSIGN(bool found, q.next("reading balance"));
#define ATELIER_TRY_ASSIGN(lhs, expr) \
  ATELIER_TRY_ASSIGN_IMPL_(ATELIER_TRY_CONCAT_(atelier_try_value_, __LINE__), lhs, expr)
#define ATELIER_TRY_CONCAT_INNER_(a, b) a##b
#define ATELIER_TRY_CONCAT_(a, b) ATELIER_TRY_CONCAT_INNER_(a, b)
#define ATELIER_TRY_ASSIGN_IMPL_(tmp, lhs, expr)                 \
  auto tmp = (expr);                                             \
  if (!tmp) return ::atelier::fail(std::move(tmp).error());      \
  lhs = std::move(*tmp)
