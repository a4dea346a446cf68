// api_error.h — how an Error becomes an HTTP response (DESIGN.md "Errors").
//
// Body, always: {"error":{"type":"…","code":"…","message":"…","param":"…"|null}}
//   type     by status: 400/405/408/413/415/422/431 invalid_request_error,
//            401 authentication_error, 403 permission_error, 404 not_found_error,
//            409 conflict_error, 429 rate_limit_error, 5xx api_error.
//   code     the Error's stable machine code.
//   param    the offending field (JSON path, query parameter or header name), or null.
// Internal errors (5xx) answer a generic message naming the request id; the details go to the
// log only, since they may name paths or database state.
#pragma once

#include <string_view>

#include "api/internal/http_types.h"
#include "core/error.h"

namespace atelier::api {

int http_status(ErrorKind kind);
std::string_view error_type(int status);

// `status` 0: derived from error.kind.
HttpResponse error_response(const Error& error, int status = 0);

// The JSON body alone.
std::string error_body(const Error& error, int status);

}  // namespace atelier::api
