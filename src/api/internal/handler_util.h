// handler_util.h — small helpers shared by the route handlers (JSON responses, pagination,
// query parameters). Internal to src/api; includes nlohmann/json, so only handler files use it.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "api/internal/http_types.h"
#include "api/internal/router.h"
#include "core/error.h"
#include "core/limits.h"
#include "store/store.h"

namespace atelier::api {

HttpResponse json_response(const nlohmann::json& body, int status = 200);
// A response whose body is JSON text an engine already serialised (metadata, listings).
HttpResponse json_text_response(std::string body, int status = 200,
                                const char* cache_control = nullptr);

// ?limit=1..kPageSizeMax (default kPageSizeDefault) and ?cursor= (opaque, ≤ kCursorBytesMax).
// Errors name the parameter: "invalid_limit" (param "limit"), "invalid_cursor" ("cursor").
inline constexpr std::size_t kCursorBytesMax = limits::kCursorBytesMax;
Result<store::PageRequest> page_request(const RequestContext& ctx);

// {"data": items, "next_cursor": "…" | null}
HttpResponse page_response(nlohmann::json items, const std::string& next_cursor);

// An optional integer query parameter in [min, max]; error "invalid_parameter" naming it.
Result<std::optional<std::int64_t>> int_query(const RequestContext& ctx, std::string_view name,
                                              std::int64_t min, std::int64_t max);

// The request body as a JSON object: parse_json's errors, or "invalid_body", naming "body".
Result<nlohmann::json> body_object(const RequestContext& ctx);

// Refuses a member of the body object `j` that is not in `allowed` ("unknown_field", naming
// it): a misspelt or misplaced field is the client's mistake, and ignoring it would do
// something other than what they asked (every POST route refuses them).
Result<void> refuse_unknown_fields(const nlohmann::json& j,
                                   std::initializer_list<std::string_view> allowed);

// Parses canonical JSON text stored by the engine; `fallback` when it does not parse.
nlohmann::json stored_json(const std::string& text,
                           nlohmann::json fallback = nlohmann::json::object());

// True when an If-None-Match header value matches the strong ETag "\"<tag>\"" (lists, W/ and
// "*" handled per RFC 9110 §13.1.2, weak comparison).
bool if_none_match_matches(std::string_view header_value, std::string_view tag);

// Canonical padded base64 (RFC 4648 §4) of at most `bytes_max` bytes; nullopt otherwise
// (whitespace, a missing pad, stray bits: one file has one spelling).
std::optional<std::vector<std::uint8_t>> strict_base64(std::string_view text,
                                                       std::size_t bytes_max);

}  // namespace atelier::api
