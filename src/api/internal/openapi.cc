#include "api/internal/openapi.h"

#include <nlohmann/json.hpp>
#include <set>

#include "core/limits.h"

namespace atelier::api {
namespace {

using Json = nlohmann::ordered_json;

Result<Json> parse_schema(const std::string& text, const std::string& where) {
  try {
    return Json::parse(text);
  } catch (const std::exception& e) {
    return fail(Error::internal("invalid_route_schema", where + ": " + e.what()));
  }
}

Json error_schema() {
  return Json::parse(R"({
    "type": "object",
    "required": ["error"],
    "properties": {
      "error": {
        "type": "object",
        "required": ["type", "code", "message", "param"],
        "properties": {
          "type": {"type": "string", "enum": ["invalid_request_error", "authentication_error",
                   "permission_error", "not_found_error", "conflict_error", "rate_limit_error",
                   "api_error"]},
          "code": {"type": "string", "description": "Stable machine code, e.g. malformed_json."},
          "message": {"type": "string", "description": "Human explanation."},
          "param": {"type": ["string", "null"],
                    "description": "The offending field, query parameter or header, if any."}
        }
      }
    }
  })");
}

Json error_response_doc(const std::string& description) {
  return {
      {"description", description},
      {"content", {{"application/json", {{"schema", {{"$ref", "#/components/schemas/Error"}}}}}}}};
}

Json components_responses() {
  Json r;
  r["BadRequest"] = error_response_doc("Invalid input (invalid_request_error).");
  r["Unauthorized"] = error_response_doc("Missing or invalid API key (authentication_error).");
  r["Forbidden"] = error_response_doc("The API key lacks the required scope (permission_error).");
  r["NotFound"] = error_response_doc("No such resource (not_found_error).");
  r["Conflict"] = error_response_doc(
      "A request with the same Idempotency-Key is still in flight (conflict_error).");
  r["TooLarge"] = error_response_doc("The request body exceeds request_body_bytes_max.");
  r["Unprocessable"] = error_response_doc(
      "A limit was hit doing the work, or the Idempotency-Key was used with another request.");
  Json limited = error_response_doc("Rate limit exceeded (rate_limit_error).");
  limited["headers"] = {{"Retry-After",
                         {{"description", "Seconds until a request will be accepted."},
                          {"schema", {{"type", "integer"}, {"minimum", 1}}}}}};
  r["RateLimited"] = limited;
  r["Unavailable"] = error_response_doc("Render queue full or shutting down; retry (api_error).");
  r["InternalError"] = error_response_doc("Internal error (api_error).");
  return r;
}

Json components_parameters() {
  Json p;
  p["Limit"] = {{"name", "limit"},
                {"in", "query"},
                {"required", false},
                {"description", "Page size."},
                {"schema",
                 {{"type", "integer"},
                  {"minimum", 1},
                  {"maximum", limits::kPageSizeMax},
                  {"default", limits::kPageSizeDefault}}}};
  p["Cursor"] = {{"name", "cursor"},
                 {"in", "query"},
                 {"required", false},
                 {"description", "Opaque cursor from the previous page's next_cursor."},
                 {"schema", {{"type", "string"}, {"maxLength", 512}}}};
  p["IdempotencyKey"] = {
      {"name", "Idempotency-Key"},
      {"in", "header"},
      {"required", false},
      {"description",
       "Makes a POST safe to retry: a retry with the same key and request returns the first "
       "result (with Idempotent-Replayed: true); the same key with another request is a 422."},
      {"schema",
       {{"type", "string"}, {"minLength", 1}, {"maxLength", limits::kIdempotencyKeyBytesMax}}}};
  return p;
}

const char* in_name(ParamIn in) {
  switch (in) {
    case ParamIn::kPath:
      return "path";
    case ParamIn::kQuery:
      return "query";
    case ParamIn::kHeader:
      return "header";
  }
  return "query";
}

Result<Json> operation(const Route& route) {
  const std::string where = route.method + " " + route.path;
  Json op;
  op["operationId"] = route.operation_id;
  op["summary"] = route.summary;
  if (!route.description.empty()) op["description"] = route.description;
  if (!route.tag.empty()) op["tags"] = Json::array({route.tag});
  Json params = Json::array();
  for (const auto& p : route.params) {
    auto schema = parse_schema(p.schema, where + " param " + p.name);
    if (!schema) return fail(schema.error());
    Json jp = {{"name", p.name},
               {"in", in_name(p.in)},
               {"required", p.in == ParamIn::kPath || p.required}};
    if (!p.description.empty()) jp["description"] = p.description;
    jp["schema"] = std::move(*schema);
    params.push_back(std::move(jp));
  }
  if (route.paginated) {
    params.push_back({{"$ref", "#/components/parameters/Limit"}});
    params.push_back({{"$ref", "#/components/parameters/Cursor"}});
  }
  if (route.method == "POST")
    params.push_back({{"$ref", "#/components/parameters/IdempotencyKey"}});
  if (!params.empty()) op["parameters"] = std::move(params);

  if (!route.request_schema.empty()) {
    auto schema = parse_schema(route.request_schema, where + " request");
    if (!schema) return fail(schema.error());
    op["requestBody"] = {{"required", true},
                         {"content", {{"application/json", {{"schema", std::move(*schema)}}}}}};
  }

  Json responses;
  for (const auto& r : route.responses) {
    Json doc = {{"description", r.description.empty() ? std::string("OK") : r.description}};
    if (!r.content_type.empty()) {
      Json media = Json::object();
      if (!r.schema.empty()) {
        auto schema = parse_schema(r.schema, where + " response " + std::to_string(r.status));
        if (!schema) return fail(schema.error());
        if (route.paginated && r.status == 200) {
          *schema = {{"type", "object"},
                     {"required", Json::array({"data", "next_cursor"})},
                     {"properties",
                      {{"data", {{"type", "array"}, {"items", std::move(*schema)}}},
                       {"next_cursor",
                        {{"type", Json::array({"string", "null"})},
                         {"description",
                          "Pass as ?cursor= for the next page; null on the last page."}}}}}};
        }
        media["schema"] = std::move(*schema);
      }
      doc["content"] = {{r.content_type, std::move(media)}};
    }
    responses[std::to_string(r.status)] = std::move(doc);
  }
  auto ref = [](const char* name) {
    return Json{{"$ref", std::string("#/components/responses/") + name}};
  };
  responses["400"] = ref("BadRequest");
  responses["401"] = ref("Unauthorized");
  if (!route.scope.empty()) responses["403"] = ref("Forbidden");
  // A body can name things too (a generator, an input image).
  if (!template_params(route.path).empty() || !route.request_schema.empty()) {
    responses["404"] = ref("NotFound");
  }
  if (route.method == "POST") responses["409"] = ref("Conflict");
  if (!route.request_schema.empty()) responses["413"] = ref("TooLarge");
  if (route.method == "POST" || route.execution == Execution::kWorker)
    responses["422"] = ref("Unprocessable");
  responses["429"] = ref("RateLimited");
  responses["500"] = ref("InternalError");
  if (route.execution == Execution::kWorker) responses["503"] = ref("Unavailable");
  op["responses"] = std::move(responses);

  if (route.scope.empty()) {
    op["security"] = Json::array();
  } else {
    op["security"] = Json::array({{{"bearer", Json::array({route.scope})}}});
  }
  op["x-atelier-scope"] = route.scope.empty() ? std::string("public") : route.scope;
  return op;
}

}  // namespace

Result<std::string> generate_openapi(const RouteTable& routes, const OpenApiInfo& info) {
  Json doc;
  doc["openapi"] = "3.1.0";
  doc["info"] = {{"title", info.title}, {"version", info.version}};
  if (!info.description.empty()) doc["info"]["description"] = info.description;
  Json paths = Json::object();
  std::set<std::string> tags;
  for (const auto& route : routes.routes()) {
    auto op = operation(route);
    if (!op) return fail(op.error());
    std::string method;
    for (char c : route.method)
      method.push_back(static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c));
    paths[openapi_path(route.path)][method] = std::move(*op);
    if (!route.tag.empty()) tags.insert(route.tag);
  }
  Json tag_list = Json::array();
  for (const auto& t : tags) tag_list.push_back({{"name", t}});
  if (!tag_list.empty()) doc["tags"] = std::move(tag_list);
  doc["paths"] = std::move(paths);

  Json schemas;
  schemas["Error"] = error_schema();
  for (const auto& [name, text] : routes.schemas()) {
    auto schema = parse_schema(text, "schema " + name);
    if (!schema) return fail(schema.error());
    schemas[name] = std::move(*schema);
  }
  doc["components"] = {
      {"securitySchemes",
       {{"bearer",
         {{"type", "http"},
          {"scheme", "bearer"},
          {"description",
           "An API key from `atelier apikey create --scope …` (atk_<id>.<secret>). Scopes: "
           "read, render, mint, trade, oracle, compliance, admin (admin implies all)."}}}}},
      {"schemas", std::move(schemas)},
      {"parameters", components_parameters()},
      {"responses", components_responses()}};
  return doc.dump(2);
}

}  // namespace atelier::api
