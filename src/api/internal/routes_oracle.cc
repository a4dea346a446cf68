// Price-feed oracles over HTTP (issue 4, "Oracles"; market/feeds.h): POST /v1/oracles/feeds
// registers a feed or replaces its policy (scope admin), GET /v1/oracles/feeds/{id} shows its
// policy, latest reports and current price or why it has none (public, like listings: the
// prices that listings are sold at are no secret), POST /v1/oracles/feeds/{id}/reports
// records one reporter's observation (scope oracle). POSTs take an Idempotency-Key (the
// pipeline replays the first result), so a reporter may retry a report safely, even after a
// crash: both store their response in the transaction of their change (idempotent.h).
#include "api/internal/handler_util.h"
#include "api/internal/idempotent.h"
#include "api/internal/routes.h"
#include "core/canonical_json.h"
#include "market/feeds.h"

namespace atelier::api {
namespace {

using nlohmann::json;

// Errors of parse_feed_policy name "params.<name>"; over HTTP the field is the body's own.
Error body_field(Error e) {
  if (e.field.starts_with("params.")) e.field = e.field.substr(7);
  return e;
}

// The body of POST /v1/oracles/feeds as parse_feed_policy's name=value pairs. Unknown fields
// are refused rather than ignored: a misspelt "sources" would otherwise open the feed to
// every reporter.
Result<market::PriceParams> policy_params(const json& j) {
  market::PriceParams params;
  for (const auto& [name, value] : j.items()) {
    if (name == "id") continue;
    if (name == "max_age_ms" || name == "max_deviation_bps" || name == "min_sources") {
      if (!value.is_number_integer()) {
        return fail(Error::invalid("invalid_number", name + " must be an integer", name));
      }
      params.emplace_back(name, std::to_string(value.get<std::int64_t>()));
    } else if (name == "sources") {
      if (!value.is_array())
        return fail(Error::invalid("invalid_source", "sources must be an array of names", name));
      std::string joined;
      for (const auto& s : value) {
        // A comma would split one name in two when joined.
        if (!s.is_string() || s.get<std::string>().find(',') != std::string::npos) {
          return fail(Error::invalid("invalid_source",
                                     "each source is a name of A-Z a-z 0-9 . _ : -", name));
        }
        joined += (joined.empty() ? "" : ",") + s.get<std::string>();
      }
      if (!value.empty()) params.emplace_back(name, joined);
    } else {
      return fail(Error::invalid("unknown_field",
                                 "a feed has no field \"" + name.substr(0, 64) + "\"",
                                 name.substr(0, 64)));
    }
  }
  return params;
}

Result<HttpResponse> register_feed(market::Feeds& feeds, RequestContext& ctx) {
  auto j = body_object(ctx);
  if (!j) return fail(j.error());
  if (!j->contains("id") || !(*j)["id"].is_string()) {
    return fail(
        Error::invalid("missing_field", "id (\"BASE-QUOTE\", e.g. \"ETH-USD\") is required", "id"));
  }
  auto params = policy_params(*j);
  if (!params) return fail(params.error());
  InCommit<market::FeedRegistration> answer(
      ctx, [&feeds](const market::FeedRegistration& r) -> Result<HttpResponse> {
        auto view = feeds.view(r.policy, r.created_ms, r.updated_ms);
        if (!view) return fail(view.error());
        return json_text_response(market::feed_json(*view), r.created ? 201 : 200);
      });
  auto registered = feeds.register_feed((*j)["id"].get<std::string>(), *params, answer.respond());
  if (!registered) return fail(body_field(registered.error()));
  return answer.response(*registered);
}

Result<HttpResponse> report(market::Feeds& feeds, RequestContext& ctx) {
  auto j = body_object(ctx);
  if (!j) return fail(j.error());
  ATELIER_TRY(refuse_unknown_fields(*j, {"source", "price", "observed_ms"}));
  for (const char* field : {"source", "price"}) {
    if (!j->contains(field) || !(*j)[field].is_string()) {
      return fail(
          Error::invalid("missing_field", std::string(field) + " is required (a string)", field));
    }
  }
  if (!j->contains("observed_ms") || !(*j)["observed_ms"].is_number_integer()) {
    return fail(Error::invalid("missing_field", "observed_ms (Unix epoch milliseconds) is required",
                               "observed_ms"));
  }
  // A key bound to an account (`apikey create --account SOURCE`) reports only as that source,
  // so one reporter's key cannot outvote the others; an unbound oracle key is a relay for the
  // feed's allowed sources.
  const std::string source = (*j)["source"].get<std::string>();
  if (ctx.principal && !ctx.principal->account.empty() && !ctx.principal->allows("admin") &&
      ctx.principal->account != source) {
    return fail(
        Error{ErrorKind::kForbidden, "source_not_yours",
              "this API key reports as \"" + ctx.principal->account + "\", not \"" + source + "\"",
              "source"});
  }
  InCommit<store::FeedReportRecord> answer(
      ctx, [](const store::FeedReportRecord& r) -> Result<HttpResponse> {
        return json_text_response(market::feed_report_json(r), 201);
      });
  auto recorded = feeds.report({.feed_id = std::string(ctx.path_param("id")),
                                .source = source,
                                .price = (*j)["price"].get<std::string>(),
                                .observed_ms = (*j)["observed_ms"].get<std::int64_t>()},
                               answer.respond());
  if (!recorded) return fail(recorded.error());
  return answer.response(*recorded);
}

constexpr const char* kPolicySchema = R"({
  "type": "object",
  "required": ["max_age_ms", "max_deviation_bps", "min_sources", "sources"],
  "properties": {
    "max_age_ms": {"type": "integer", "minimum": 1, "maximum": 86400000,
      "description": "A report older than this is stale."},
    "max_deviation_bps": {"type": "integer", "minimum": 1, "maximum": 10000,
      "description": "A fresh report farther than this from the median is an outlier."},
    "min_sources": {"type": "integer", "minimum": 1, "maximum": 32,
      "description": "Fewer usable reports than this trips the circuit breaker."},
    "sources": {"type": "array", "items": {"type": "string"}, "maxItems": 32,
      "description": "The reporters that count; empty: any."}
  }
})";

constexpr const char* kNewFeedSchema = R"({
  "type": "object",
  "required": ["id", "max_age_ms", "max_deviation_bps", "min_sources"],
  "additionalProperties": false,
  "properties": {
    "id": {"type": "string", "pattern": "^[A-Z0-9]{2,10}-[A-Z0-9]{2,10}$",
      "description": "BASE-QUOTE, e.g. ETH-USD."},
    "max_age_ms": {"type": "integer", "minimum": 1, "maximum": 86400000},
    "max_deviation_bps": {"type": "integer", "minimum": 1, "maximum": 10000},
    "min_sources": {"type": "integer", "minimum": 1, "maximum": 32},
    "sources": {"type": "array", "items": {"type": "string", "pattern": "^[A-Za-z0-9._:-]{1,64}$"},
      "maxItems": 32}
  }
})";

constexpr const char* kFeedReportSchema = R"({
  "type": "object",
  "required": ["source", "price", "price_wad", "observed_ms", "received_ms", "log_index"],
  "properties": {
    "feed": {"type": "string"}, "source": {"type": "string"},
    "price": {"type": "string", "description": "Quote per base unit, exact decimal."},
    "price_wad": {"type": "string", "description": "The price with 18 decimals, as an integer."},
    "observed_ms": {"type": "integer"}, "received_ms": {"type": "integer"},
      "log_index": {"type": "integer"}
  }
})";

constexpr const char* kFeedSchema = R"({
  "type": "object",
  "required": ["id", "base", "quote", "policy", "created_ms", "updated_ms", "reports", "now_ms",
    "status"],
  "properties": {
    "id": {"type": "string"}, "base": {"type": "string"}, "quote": {"type": "string"},
    "policy": {"$ref": "#/components/schemas/FeedPolicy"},
    "created_ms": {"type": "integer"}, "updated_ms": {"type": "integer"},
    "reports": {"type": "array", "items": {"$ref": "#/components/schemas/FeedReport"},
      "description": "Each source's latest report, by source."},
    "now_ms": {"type": "integer", "description": "When the price was aggregated."},
    "status": {"type": "string", "enum": ["ok", "tripped"]},
    "price": {"type": "string",
      "description": "ok: the median of the usable reports, exact decimal."},
    "price_wad": {"type": "string"}, "as_of_ms": {"type": "integer",
      "description": "ok: the oldest usable report's observed_ms."},
    "used": {"type": "array", "items": {"type": "string"}}, "stale": {"type": "array",
      "items": {"type": "string"}},
    "outliers": {"type": "array", "items": {"type": "string"}}, "rejected": {"type": "array",
      "items": {"type": "string"}},
    "code": {"type": "string", "description": "tripped: oracle_circuit_open."},
    "reason": {"type": "string",
      "description": "tripped: how many reports were usable, stale, outliers."}
  }
})";

constexpr const char* kNewReportSchema = R"({
  "type": "object",
  "required": ["source", "price", "observed_ms"],
  "additionalProperties": false,
  "properties": {
    "source": {"type": "string", "pattern": "^[A-Za-z0-9._:-]{1,64}$"},
    "price": {"type": "string", "pattern": "^[0-9]+(\\.[0-9]{1,18})?$",
      "description": "Quote per base unit, e.g. \"3012.45\"."},
    "observed_ms": {"type": "integer", "minimum": 0,
      "description": "When the reporter observed the price (Unix ms)."}
  }
})";

}  // namespace

void add_oracle_routes(RouteTable& table, RouteDeps& deps) {
  if (deps.feeds == nullptr) return;
  market::Feeds& feeds = *deps.feeds;
  table.add_schema("FeedPolicy", kPolicySchema);
  table.add_schema("NewFeed", kNewFeedSchema);
  table.add_schema("FeedReport", kFeedReportSchema);
  table.add_schema("Feed", kFeedSchema);
  table.add_schema("NewFeedReport", kNewReportSchema);
  table.add(
      {.method = "POST",
       .path = "/v1/oracles/feeds",
       .operation_id = "registerFeed",
       .summary = "Register a price feed with its update policy, or replace the policy of one",
       .description =
           "201 when the feed is new, 200 when it existed (registering the same policy again "
           "changes and logs nothing). Logged as an oracle.feed entry.",
       .tag = "oracles",
       .scope = "admin",
       .request_schema = R"({"$ref": "#/components/schemas/NewFeed"})",
       .responses = {{201, "The new feed.", "application/json",
                      R"({"$ref": "#/components/schemas/Feed"})"},
                     {200, "The feed with its policy replaced.", "application/json",
                      R"({"$ref": "#/components/schemas/Feed"})"}},
       .handler = [&feeds](RequestContext& c) { return register_feed(feeds, c); }});
  table.add(
      {.method = "GET",
       .path = "/v1/oracles/feeds/{id}",
       .operation_id = "getFeed",
       .summary = "A price feed: its policy, latest reports, and its price now or why it has none",
       .description =
           "status \"ok\" with the median of the fresh, agreeing reports, or \"tripped\" "
           "(code oracle_circuit_open) when too few remain: sales priced through it are refused.",
       .tag = "oracles",
       .params = {{.name = "id",
                   .in = ParamIn::kPath,
                   .description = "Feed id, BASE-QUOTE (ETH-USD)."}},
       .responses = {{200, "The feed.", "application/json",
                      R"({"$ref": "#/components/schemas/Feed"})"}},
       .handler = [&feeds](RequestContext& c) -> Result<HttpResponse> {
         auto v = feeds.show(c.path_param("id"));
         if (!v) return fail(v.error());
         return json_text_response(market::feed_json(*v));
       }});
  table.add({.method = "POST",
             .path = "/v1/oracles/feeds/{id}/reports",
             .operation_id = "reportPrice",
             .summary = "Record a source's observation of a feed's price",
             .description =
                 "Logged as an oracle.report entry; replaces the source's previous report. 404 "
                 "unknown_feed, 400 source_not_allowed, 400 report_from_future, 409 "
                 "report_out_of_order (the source already reported a later observation).",
             .tag = "oracles",
             .scope = "oracle",
             .params = {{.name = "id",
                         .in = ParamIn::kPath,
                         .description = "Feed id, BASE-QUOTE (ETH-USD)."}},
             .request_schema = R"({"$ref": "#/components/schemas/NewFeedReport"})",
             .responses = {{201, "The report as recorded.", "application/json",
                            R"({"$ref": "#/components/schemas/FeedReport"})"}},
             .handler = [&feeds](RequestContext& c) { return report(feeds, c); }});
}

}  // namespace atelier::api
