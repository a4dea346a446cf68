// router.h — the route table: every endpoint declared once, with what it needs (scope), how it
// runs (inline or on a render worker) and how it is documented. The OpenAPI document is
// generated from this table (openapi.h) and a test walks it, so a route cannot be added
// without its scope and docs.
//
//   RouteTable t;
//   t.add({.method = "GET", .path = "/v1/assets/{sha256}", .operation_id = "getAsset",
//          .summary = "Asset bytes", .params = {{.name = "sha256", .in = ParamIn::kPath, ...}},
//          .handler = [&](RequestContext& c) -> Result<HttpResponse> { ... }});
//   auto m = t.match("GET", "/v1/assets/ab12…");   // m.route, m.path_params
//
// Templates: literal segments and `{name}` segments (one whole, non-empty segment each); the
// last segment may be `{name+}`, which takes the rest of the path (one or more segments,
// joined by '/'; C2SP tlog-tiles paths need it). The OpenAPI document writes it `{name}`.
// A literal segment wins over a parameter at the same position. HEAD is answered by the GET
// route of that path (without a body).
#pragma once

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "api/api_keys.h"
#include "api/internal/http_types.h"
#include "core/error.h"
#include "store/store.h"

namespace atelier::api {

enum class Execution {
  kInline,  // On the network thread: lookups, small reads. Must not block for long.
  kWorker,  // On a render worker: anything that may render.
};

enum class ParamIn { kPath, kQuery, kHeader };

struct ParamDoc {
  std::string name = {};
  ParamIn in = ParamIn::kQuery;
  std::string description = {};
  std::string schema = R"({"type":"string"})";  // JSON Schema (2020-12) text.
  bool required = false;                        // Path parameters are always required.
};

struct ResponseDoc {
  int status = 200;
  std::string description = {};
  std::string content_type = "application/json";
  std::string schema =
      {};  // JSON Schema text; empty: no schema (e.g. image bytes use a binary one).
};

struct Route;

// What a handler sees. Lives for the duration of one request.
struct RequestContext {
  const HttpRequest& request;
  const Route& route;
  std::vector<std::pair<std::string, std::string>> path_params;  // Decoded.
  QueryParams query;                                             // Decoded.
  std::optional<Principal> principal;                            // Set when a valid key was sent.
  std::string request_id;
  // Set while this request holds an idempotency claim (pipeline.h step 6): a route whose work
  // must not run twice stores its response under it in the work's own transaction
  // (idempotent.h).
  std::optional<store::IdempotencyFence> idempotency = std::nullopt;

  std::string_view path_param(std::string_view name) const;
  std::optional<std::string_view> query_param(std::string_view name) const;
};

using Handler = std::function<Result<HttpResponse>(RequestContext&)>;

struct Route {
  std::string method = {};  // "GET", "POST", …
  std::string path = {};    // Template: "/v1/assets/{sha256}".
  std::string operation_id = {};
  std::string summary = {};
  std::string description = {};
  std::string tag = {};
  std::string scope = {};  // Required scope; empty for a public route. Mutating routes need one.
  Execution execution = Execution::kInline;
  bool paginated = false;  // Takes ?limit=&cursor=; the 200 schema is the item schema.
  std::vector<ParamDoc> params = {};
  std::string request_schema =
      {};  // Non-empty: the body must be JSON (checked before the handler).
  std::vector<ResponseDoc> responses =
      {};  // Success responses (errors are added by the generator).
  Handler handler = {};

  bool mutating() const { return method != "GET" && method != "HEAD"; }
};

class RouteTable {
 public:
  // Adds a route. Aborts on a programming error (duplicate method+path, a mutating route
  // without a scope, an unknown scope, a path parameter without a ParamDoc): the table is
  // built at startup from code, so these are bugs, not operating errors.
  void add(Route route);
  // A named schema for "#/components/schemas/<name>" references.
  void add_schema(std::string name, std::string json_schema);

  enum class MatchKind { kFound, kNotFound, kMethodNotAllowed };
  struct Match {
    MatchKind kind = MatchKind::kNotFound;
    const Route* route = nullptr;
    std::vector<std::pair<std::string, std::string>> path_params;
    std::string allow;        // For kMethodNotAllowed: "GET, HEAD, POST".
    bool bad_escape = false;  // The path had an invalid percent escape.
  };
  // `path` is the raw (undecoded) request path.
  Match match(std::string_view method, std::string_view path) const;

  const std::vector<Route>& routes() const { return routes_; }
  const std::map<std::string, std::string>& schemas() const { return schemas_; }

 private:
  struct Segment {
    std::string text;
    bool is_param = false;
    bool greedy = false;  // `{name+}`: the rest of the path.
  };
  std::vector<Route> routes_;
  std::vector<std::vector<Segment>> templates_;  // Parallel to routes_.
  std::map<std::string, std::string> schemas_;
};

// Splits a template into its {param} names (without a greedy '+'), in order.
std::vector<std::string> template_params(std::string_view path_template);
// The template as OpenAPI spells it: `{name+}` becomes `{name}`.
std::string openapi_path(std::string_view path_template);

}  // namespace atelier::api
