// openapi.h — the OpenAPI 3.1 document, generated from the route table so that the table is
// the only place a route is declared (an undocumented route cannot exist).
//
// From each Route: operationId, summary, tag, parameters (path/query/header docs; limit and
// cursor for paginated routes; Idempotency-Key for POST), requestBody, the documented
// success responses (paginated ones wrapped as {"data":[item…],"next_cursor"}), the error
// responses every route can give (all with the shared Error schema), and security: a scoped
// route requires the bearer scheme with its scope as the role (OAS 3.1 §4.8.30), a public one
// has `security: []`. The scope is repeated as the `x-atelier-scope` extension.
#pragma once

#include <string>

#include "api/internal/router.h"
#include "core/error.h"

namespace atelier::api {

struct OpenApiInfo {
  std::string title = "atelier API";
  std::string version;  // The atelier version.
  std::string description;
};

// Pretty-printed JSON. Fails ("invalid_route_schema") when a schema fragment in the table is
// not valid JSON: a bug in the table, caught by the tests.
Result<std::string> generate_openapi(const RouteTable& routes, const OpenApiInfo& info);

}  // namespace atelier::api
