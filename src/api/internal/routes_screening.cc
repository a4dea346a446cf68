// Screening and decisions over HTTP (issue 16 §4; compliance/check.h, decisions.h). Scope
// `compliance` for all but the asset's decisions (scope read):
//
//   POST   /v1/compliance/check                     screen an image and/or texts; the decision
//   GET    /v1/assets/{sha256}/compliance            an asset's decisions, newest first
//   GET    /v1/compliance/decisions/{id}              one decision
//   GET    /v1/compliance/reviews                     the review queue (?status=, paginated)
//   POST   /v1/compliance/reviews/{id}/approve|reject {"reason"}: who is the API key
//   GET    /v1/compliance/policies/{collection}       the policy in force
//   PUT    /v1/compliance/policies/{collection}       the collection's next policy version
//   GET    /v1/compliance/terms                       the term lists
//   POST   /v1/compliance/terms                       import (or replace) a list
//   DELETE /v1/compliance/terms/{list}                remove one
#include "api/internal/handler_util.h"
#include "api/internal/routes.h"
#include "compliance/check.h"
#include "compliance/decisions.h"
#include "core/hash.h"
#include "core/limits.h"

namespace atelier::api {
namespace {

using nlohmann::json;

std::string actor_of(const RequestContext& c) {
  return c.principal ? "key:" + c.principal->key_id : std::string("anonymous");
}

// A decision as `atelier check --json` prints it.
json check_view(const store::ComplianceDecisionRecord& d) {
  return json::parse(compliance::check_json(d));
}

Result<HttpResponse> check(compliance::Screening& screening, store::BlobStore& blobs,
                           RequestContext& c) {
  ATELIER_TRY_ASSIGN(json j, body_object(c));
  ATELIER_TRY(refuse_unknown_fields(j, {"image_base64", "asset", "collection", "texts"}));
  compliance::CheckRequest req;
  req.actor = actor_of(c);
  if (j.contains("image_base64") && j.contains("asset")) {
    return fail(
        Error::invalid("invalid_body", "give image_base64 or asset, not both", "image_base64"));
  }
  if (j.contains("image_base64")) {
    auto image = j["image_base64"].is_string()
                     ? strict_base64(j["image_base64"].get<std::string>(),
                                     static_cast<std::size_t>(limits::kComplianceImageBytesMax))
                     : std::nullopt;
    if (!image) {
      return fail(Error::invalid("invalid_base64",
                                 "image_base64 must be padded base64 (RFC 4648) of the file",
                                 "image_base64"));
    }
    req.image = std::move(*image);
  }
  if (j.contains("asset")) {
    if (!j["asset"].is_string() || !is_sha256_hex(j["asset"].get<std::string>())) {
      return fail(
          Error::invalid("invalid_asset", "asset must be 64 lowercase hex digits", "asset"));
    }
    req.asset_sha256 = j["asset"].get<std::string>();
    auto bytes = blobs.get(req.asset_sha256);
    if (!bytes) {
      if (bytes.error().kind == ErrorKind::kNotFound) {
        return fail(Error::not_found("unknown_asset", "no asset " + req.asset_sha256, "asset"));
      }
      return fail(bytes.error());
    }
    req.image = std::move(*bytes);
  }
  if (j.contains("collection")) {
    if (!j["collection"].is_string()) {
      return fail(Error::invalid("invalid_field", "collection must be a string", "collection"));
    }
    req.collection = j["collection"].get<std::string>();
  }
  if (j.contains("texts")) {
    const json& texts = j["texts"];
    if (!texts.is_object()) {
      return fail(Error::invalid("invalid_field", "texts must be an object of field name to text",
                                 "texts"));
    }
    for (const auto& [field, text] : texts.items()) {
      if (!text.is_string()) {
        return fail(Error::invalid("invalid_field", "texts." + field + " must be a string",
                                   "texts." + field));
      }
      req.texts.push_back({field, text.get<std::string>()});
    }
  }
  ATELIER_TRY_ASSIGN(const auto out, screening.check(req));
  return json_response(check_view(out.decision), 201);
}

Result<HttpResponse> review(compliance::Decisions& decisions, RequestContext& c, bool approve) {
  ATELIER_TRY_ASSIGN(json j, body_object(c));
  ATELIER_TRY(refuse_unknown_fields(j, {"reason"}));
  if (!j.contains("reason") || !j["reason"].is_string()) {
    return fail(Error::invalid("invalid_reason", "a review needs a reason", "reason"));
  }
  ATELIER_TRY_ASSIGN(const auto d, decisions.review(c.path_param("id"), approve, actor_of(c),
                                                    j["reason"].get<std::string>()));
  return json_response(check_view(d));
}

Result<HttpResponse> import_terms(store::ComplianceStore& store, const Clock& clock,
                                  RequestContext& c) {
  ATELIER_TRY_ASSIGN(json j, body_object(c));
  ATELIER_TRY(refuse_unknown_fields(j, {"list", "severity", "source", "licence", "text"}));
  compliance::TermListImport options;
  options.actor = actor_of(c);
  for (const char* k : {"list", "severity", "source", "licence", "text"}) {
    if (j.contains(k) && !j[k].is_string()) {
      return fail(Error::invalid("invalid_field", std::string(k) + " must be a string", k));
    }
  }
  if (!j.contains("list") || !j.contains("text")) {
    return fail(Error::invalid("missing_field", "list and text are required",
                               j.contains("list") ? "text" : "list"));
  }
  options.name = j["list"];
  options.severity = j.value("severity", std::string("block"));
  options.source = j.value("source", std::string());
  options.licence = j.value("licence", std::string());
  ATELIER_TRY_ASSIGN(const auto r, compliance::import_term_list(
                                       store, clock, j["text"].get<std::string>(), options));
  return json_response({{"list", r.name},
                        {"terms", r.terms},
                        {"severity", r.severity},
                        {"format", r.format},
                        {"sha256", r.sha256},
                        {"log_index", r.log_index}},
                       201);
}

constexpr const char* kCheckSchema = R"({
  "type": "object",
  "additionalProperties": false,
  "properties": {
    "image_base64": {"type": "string",
                     "description": "The image file in base64 (PNG, JPEG, WebP, AVIF)."},
    "asset": {"type": "string", "pattern": "^[0-9a-f]{64}$",
              "description": "An asset's SHA-256 instead of an image."},
    "collection": {"type": "string", "description": "The collection the work is for."},
    "texts": {"type": "object", "additionalProperties": {"type": "string"},
              "description": "Texts to screen by field name (title, prompt, traits.Palette…)."}
  }
})";

constexpr const char* kDecisionSchema = R"({
  "type": "object",
  "required": ["decision", "id", "matches", "registry", "policy", "log_index"],
  "properties": {
    "decision": {"type": "string", "enum": ["allow", "review", "block"]},
    "id": {"type": "string"},
    "matches": {"type": "array", "items": {"type": "object",
      "required": ["signal", "action"],
      "properties": {"signal": {"type": "string"}, "action": {"type": "string"}}}},
    "registry": {"type": "object", "properties": {"root": {"type": "string"},
                                                  "entries": {"type": "integer"}}},
    "policy": {"type": "object", "properties": {"version": {"type": "integer"},
                                                "sha256": {"type": "string"}}},
    "review": {"type": "string", "enum": ["pending", "approved", "rejected"]},
    "log_index": {"type": "integer"}
  }
})";

constexpr const char* kReasonSchema = R"({
  "type": "object", "additionalProperties": false, "required": ["reason"],
  "properties": {"reason": {"type": "string", "minLength": 1, "maxLength": 1024}}
})";

constexpr const char* kTermsSchema = R"({
  "type": "object", "additionalProperties": false, "required": ["list", "text"],
  "properties": {
    "list": {"type": "string", "description": "The list's name (a-z 0-9 . _ -)."},
    "severity": {"type": "string", "enum": ["block", "review"]},
    "source": {"type": "string"}, "licence": {"type": "string"},
    "text": {"type": "string",
             "description": "One term per line (# comments), or CSV with a header term,severity."}
  }
})";

ParamDoc id_param(const char* what) {
  return {.name = "id", .in = ParamIn::kPath, .description = what};
}

}  // namespace

void add_screening_routes(RouteTable& table, RouteDeps& deps) {
  if (deps.screening == nullptr) return;
  compliance::Screening& screening = *deps.screening;
  compliance::Decisions& decisions = screening.decisions();
  store::ComplianceStore& store = screening.store();
  store::BlobStore& blobs = screening.blobs();
  const Clock& clock = screening.clock();
  table.add_schema("CheckRequest", kCheckSchema);
  table.add_schema("Decision", kDecisionSchema);
  table.add_schema("ReviewReason", kReasonSchema);
  table.add_schema("TermListImport", kTermsSchema);
  const std::string decision_ref = R"({"$ref": "#/components/schemas/Decision"})";

  table.add(
      {.method = "POST",
       .path = "/v1/compliance/check",
       .operation_id = "checkCompliance",
       .summary = "Screen an image and/or texts before minting and record the decision",
       .description = "Runs every signal (registry exact and PDQ matches with rotations, flips and "
                      "crops; near-duplicates of the collection's earlier tokens; term lists) and "
                      "applies the policy in force. decision is allow, review (pending in the "
                      "review queue) or block. Logged as compliance.decision.",
       .tag = "compliance",
       .scope = "compliance",
       .execution = Execution::kWorker,
       .request_schema = R"({"$ref": "#/components/schemas/CheckRequest"})",
       .responses = {{201, "The decision with its evidence.", "application/json", decision_ref}},
       .handler = [&screening, &blobs](RequestContext& c) { return check(screening, blobs, c); }});
  table.add({.method = "GET",
             .path = "/v1/assets/{sha256}/compliance",
             .operation_id = "getAssetCompliance",
             .summary = "An asset's compliance decisions, newest first",
             .tag = "compliance",
             .scope = "read",
             .params = {{.name = "sha256",
                         .in = ParamIn::kPath,
                         .description = "The asset's SHA-256 (64 lowercase hex digits)."}},
             .responses = {{200, "{\"data\": [Decision…]}", "application/json",
                            R"({"type": "object", "properties": {"data": {"type": "array",
                               "items": {"$ref": "#/components/schemas/Decision"}}}})"}},
             .handler = [&store](RequestContext& c) -> Result<HttpResponse> {
               const std::string sha(c.path_param("sha256"));
               if (!is_sha256_hex(sha)) {
                 return fail(Error::invalid("invalid_sha256", "64 lowercase hex digits", "sha256"));
               }
               ATELIER_TRY_ASSIGN(const auto all, store.compliance_decisions_for_asset(sha));
               json items = json::array();
               for (const auto& d : all) items.push_back(check_view(d));
               return json_response({{"data", std::move(items)}});
             }});
  table.add({.method = "GET",
             .path = "/v1/compliance/decisions/{id}",
             .operation_id = "getDecision",
             .summary = "One compliance decision with its evidence",
             .tag = "compliance",
             .scope = "compliance",
             .params = {id_param("Decision id (dec_…).")},
             .responses = {{200, "The decision.", "application/json", decision_ref}},
             .handler = [&store](RequestContext& c) -> Result<HttpResponse> {
               ATELIER_TRY_ASSIGN(const auto d, store.compliance_decision(c.path_param("id")));
               if (!d) {
                 return fail(Error::not_found("unknown_decision", "no such decision", "id"));
               }
               return json_response(check_view(*d));
             }});
  table.add({.method = "GET",
             .path = "/v1/compliance/reviews",
             .operation_id = "listReviews",
             .summary = "Decisions in a review state, oldest first",
             .tag = "compliance",
             .scope = "compliance",
             .paginated = true,
             .params = {{.name = "status",
                         .in = ParamIn::kQuery,
                         .description = "pending (default), approved or rejected."}},
             .responses = {{200, "A page of decisions.", "application/json", decision_ref}},
             .handler = [&store](RequestContext& c) -> Result<HttpResponse> {
               const std::string status(c.query_param("status").value_or("pending"));
               const auto state = store::parse_review_state(status);
               if (!state || *state == store::ReviewState::kNone) {
                 return fail(Error::invalid("invalid_status",
                                            "status is pending, approved or rejected", "status"));
               }
               ATELIER_TRY_ASSIGN(const auto page, page_request(c));
               ATELIER_TRY_ASSIGN(const auto got, store.compliance_reviews(*state, page));
               json items = json::array();
               for (const auto& d : got.items) items.push_back(check_view(d));
               return page_response(std::move(items), got.next_cursor);
             }});
  for (const bool approve : {true, false}) {
    table.add({.method = "POST",
               .path = approve ? "/v1/compliance/reviews/{id}/approve"
                               : "/v1/compliance/reviews/{id}/reject",
               .operation_id = approve ? "approveReview" : "rejectReview",
               .summary = approve ? "Approve a decision pending review (the mint may go ahead)"
                                  : "Reject a decision pending review",
               .description = "The API key is recorded as the reviewer, with the reason; "
                              "logged as compliance.review. 409 review_not_pending.",
               .tag = "compliance",
               .scope = "compliance",
               .params = {id_param("Decision id (dec_…).")},
               .request_schema = R"({"$ref": "#/components/schemas/ReviewReason"})",
               .responses = {{200, "The decision as reviewed.", "application/json", decision_ref}},
               .handler = [&decisions, approve](RequestContext& c) {
                 return review(decisions, c, approve);
               }});
  }
  const ParamDoc collection_param{
      .name = "collection", .in = ParamIn::kPath, .description = "Collection id."};
  table.add({.method = "GET",
             .path = "/v1/compliance/policies/{collection}",
             .operation_id = "getCompliancePolicy",
             .summary = "The compliance policy in force for a collection (version 0: default)",
             .tag = "compliance",
             .scope = "compliance",
             .params = {collection_param},
             .responses = {{200, "The policy.", "application/json", R"({"type": "object"})"}},
             .handler = [&decisions](RequestContext& c) -> Result<HttpResponse> {
               const std::string collection(c.path_param("collection"));
               ATELIER_TRY_ASSIGN(const auto p, decisions.policy_in_force(collection));
               return json_response({{"collection", collection},
                                     {"version", p.version},
                                     {"sha256", p.sha256},
                                     {"policy", json::parse(compliance::policy_json(p.policy))}});
             }});
  table.add(
      {.method = "PUT",
       .path = "/v1/compliance/policies/{collection}",
       .operation_id = "setCompliancePolicy",
       .summary = "Store a collection's next compliance policy version",
       .description = "Keys exact_copy, pdq, low_quality, text, text_lists, "
                      "near_duplicate; missing keys take the default. Logged as "
                      "compliance.policy.",
       .tag = "compliance",
       .scope = "compliance",
       .params = {collection_param},
       .request_schema = R"({"type": "object"})",
       .responses = {{201, "The stored version.", "application/json", R"({"type": "object"})"}},
       .handler = [&decisions](RequestContext& c) -> Result<HttpResponse> {
         ATELIER_TRY_ASSIGN(const auto p, decisions.set_policy(c.path_param("collection"),
                                                               c.request.body, actor_of(c)));
         return json_text_response(compliance::policy_record_json(p), 201);
       }});
  table.add(
      {.method = "GET",
       .path = "/v1/compliance/terms",
       .operation_id = "listTermLists",
       .summary = "The term lists texts are screened against",
       .tag = "compliance",
       .scope = "compliance",
       .responses = {{200, "{\"data\": [list…]}", "application/json", R"({"type": "object"})"}},
       .handler = [&store](RequestContext&) -> Result<HttpResponse> {
         ATELIER_TRY_ASSIGN(const auto lists, store.term_lists(false));
         json items = json::array();
         for (const auto& r : lists) {
           items.push_back({{"list", r.name},
                            {"terms", r.terms},
                            {"severity", r.severity},
                            {"format", r.format},
                            {"sha256", r.sha256},
                            {"source", r.source},
                            {"licence", r.licence},
                            {"created_by", r.created_by},
                            {"created_ms", r.created_ms},
                            {"log_index", r.log_index}});
         }
         return json_response({{"data", std::move(items)}});
       }});
  table.add(
      {.method = "POST",
       .path = "/v1/compliance/terms",
       .operation_id = "importTermList",
       .summary = "Import (or replace) a term list",
       .description = "Parsed whole first; errors name the line. Logged as "
                      "compliance.terms.import.",
       .tag = "compliance",
       .scope = "compliance",
       .request_schema = R"({"$ref": "#/components/schemas/TermListImport"})",
       .responses = {{201, "The stored list.", "application/json", R"({"type": "object"})"}},
       .handler = [&store, &clock](RequestContext& c) { return import_terms(store, clock, c); }});
  table.add({.method = "DELETE",
             .path = "/v1/compliance/terms/{list}",
             .operation_id = "removeTermList",
             .summary = "Remove a term list",
             .description = "Logged as compliance.terms.remove. 404 unknown_term_list.",
             .tag = "compliance",
             .scope = "compliance",
             .params = {{.name = "list", .in = ParamIn::kPath, .description = "List name."}},
             .responses = {{200, "Removed.", "application/json", R"({"type": "object"})"}},
             .handler = [&store, &clock](RequestContext& c) -> Result<HttpResponse> {
               const std::string name(c.path_param("list"));
               ATELIER_TRY_ASSIGN(const auto index,
                                  compliance::remove_term_list(store, clock, name, actor_of(c)));
               return json_response({{"list", name}, {"removed", true}, {"log_index", index}});
             }});
}

}  // namespace atelier::api
