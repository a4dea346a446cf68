#include "api/internal/api_error.h"

#include <nlohmann/json.hpp>

namespace atelier::api {

int http_status(ErrorKind kind) {
  switch (kind) {
    case ErrorKind::kInvalidInput:
      return 400;
    case ErrorKind::kUnauthorized:
      return 401;
    case ErrorKind::kForbidden:
      return 403;
    case ErrorKind::kNotFound:
      return 404;
    case ErrorKind::kConflict:
      return 409;
    case ErrorKind::kTooLarge:
      return 413;
    case ErrorKind::kLimitExceeded:
      return 422;
    case ErrorKind::kRateLimited:
      return 429;
    case ErrorKind::kInternal:
      return 500;
  }
  return 500;
}

std::string_view error_type(int status) {
  switch (status) {
    case 401:
      return "authentication_error";
    case 403:
      return "permission_error";
    case 404:
      return "not_found_error";
    case 409:
      return "conflict_error";
    case 429:
      return "rate_limit_error";
    default:
      return status >= 500 ? "api_error" : "invalid_request_error";
  }
}

std::string error_body(const Error& error, int status) {
  nlohmann::json e = {{"type", error_type(status)},
                      {"code", error.code},
                      {"message", error.message},
                      {"param", nullptr}};
  if (!error.field.empty()) e["param"] = error.field;
  return nlohmann::json{{"error", std::move(e)}}.dump(-1, ' ', false,
                                                      nlohmann::json::error_handler_t::replace);
}

HttpResponse error_response(const Error& error, int status) {
  if (status == 0) status = http_status(error.kind);
  HttpResponse r;
  r.status = status;
  r.content_type = "application/json";
  r.body = error_body(error, status);
  return r;
}

}  // namespace atelier::api
