// The registry of protected works over HTTP (issue 16 §2; compliance/registry/registry.h).
// Every route needs the `compliance` scope: the registry says what a studio screens against,
// which is not public.
//
//   GET    /v1/compliance/banks                        the banks
//   POST   /v1/compliance/banks                        create a bank or set source/enabled
//   GET    /v1/compliance/registry/entries             entries by id (?bank=&status=, paginated)
//   POST   /v1/compliance/registry/entries             import: {"bank", "entries": […]} or a
//                                                      {"bank", "csv"|"tsv": text}
//   POST   /v1/compliance/registry/images              register an image (base64 in JSON),
//                                                      hashed here with its variants and crops
//   GET    /v1/compliance/registry/entries/{id}        one entry
//   DELETE /v1/compliance/registry/entries/{id}        remove it (?reason=)
//   POST   /v1/compliance/registry/status              disable, enable or remove several
//   GET    /v1/compliance/registry/snapshot            the current snapshot
//   POST   /v1/compliance/registry/search              exact search within a radius
//
// Imports are idempotent by content (a code already in its bank is a duplicate), so an
// Idempotency-Key's retry after a crash changes nothing twice.
#include <openssl/evp.h>

#include <charconv>

#include "api/internal/handler_util.h"
#include "api/internal/routes.h"
#include "compliance/registry/image_signals.h"
#include "compliance/registry/registry.h"
#include "compliance/registry/views.h"
#include "core/hash.h"
#include "core/limits.h"

namespace atelier::api {
namespace {

using compliance::Registry;
using nlohmann::json;

Result<std::string> string_member(const json& j, const char* name, bool required) {
  if (!j.contains(name)) {
    if (!required) return std::string();
    return fail(Error::invalid("missing_field", std::string(name) + " is required", name));
  }
  if (!j[name].is_string()) {
    return fail(Error::invalid("invalid_field", std::string(name) + " must be a string", name));
  }
  return j[name].get<std::string>();
}

Result<std::vector<compliance::ImportRow>> rows_of(const json& entries) {
  if (!entries.is_array()) {
    return fail(Error::invalid("invalid_field", "entries must be an array", "entries"));
  }
  std::vector<compliance::ImportRow> rows;
  for (std::size_t i = 0; i < entries.size(); ++i) {
    const json& e = entries[i];
    const std::string at = "entries[" + std::to_string(i) + "]";
    if (!e.is_object()) {
      return fail(Error::invalid("invalid_field", at + " must be an object", at));
    }
    ATELIER_TRY(refuse_unknown_fields(e, {"hash", "label", "source", "severity", "uri"}));
    compliance::ImportRow row;
    for (const char* name : {"hash", "label", "source", "severity", "uri"}) {
      const bool required = std::string_view(name) != "uri" && std::string_view(name) != "source";
      auto v = string_member(e, name, required);
      if (!v) {
        Error err = v.error();
        err.field = at + "." + err.field;
        return fail(err);
      }
      if (std::string_view(name) == "hash") {
        auto code = compliance::parse_pdq_hex(*v);
        if (!code) {
          return fail(Error::invalid("invalid_hash", "hash must be 64 hex digits", at + ".hash"));
        }
        row.pdq = *code;
      } else if (std::string_view(name) == "label") {
        row.label = *v;
      } else if (std::string_view(name) == "source") {
        row.source = *v;
      } else if (std::string_view(name) == "severity") {
        row.severity = *v;
      } else {
        row.uri = *v;
      }
    }
    row.line = static_cast<std::int64_t>(i);
    rows.push_back(std::move(row));
  }
  return rows;
}

Result<HttpResponse> import(Registry& registry, RequestContext& ctx) {
  ATELIER_TRY_ASSIGN(json j, body_object(ctx));
  ATELIER_TRY(refuse_unknown_fields(j, {"bank", "bank_source", "entries", "csv", "tsv"}));
  ATELIER_TRY_ASSIGN(std::string bank, string_member(j, "bank", true));
  ATELIER_TRY_ASSIGN(std::string bank_source, string_member(j, "bank_source", false));
  const int given =
      (j.contains("entries") ? 1 : 0) + (j.contains("csv") ? 1 : 0) + (j.contains("tsv") ? 1 : 0);
  if (given != 1) {
    return fail(
        Error::invalid("invalid_body", "give exactly one of entries, csv or tsv", "entries"));
  }
  compliance::ImportOptions options{bank, bank_source, {"json", sha256_hex(ctx.request.body)}};
  Result<compliance::ImportResult> r = fail(Error::internal("unreachable", ""));
  if (j.contains("entries")) {
    ATELIER_TRY_ASSIGN(auto rows, rows_of(j["entries"]));
    r = registry.import_rows(std::move(rows), options);
  } else {
    const bool csv = j.contains("csv");
    ATELIER_TRY_ASSIGN(std::string text, string_member(j, csv ? "csv" : "tsv", true));
    options.source.format = csv ? "csv" : "tsv";
    r = registry.import_table(
        text, csv ? compliance::TableFormat::kCsv : compliance::TableFormat::kTsv, options);
  }
  if (!r) return fail(r.error());
  return json_response(compliance::import_view(*r), r->logged ? 201 : 200);
}

Result<HttpResponse> add_image(Registry& registry, RequestContext& ctx) {
  ATELIER_TRY_ASSIGN(json j, body_object(ctx));
  ATELIER_TRY(refuse_unknown_fields(
      j, {"bank", "bank_source", "image_base64", "label", "source", "severity", "uri"}));
  ATELIER_TRY_ASSIGN(std::string bank, string_member(j, "bank", true));
  ATELIER_TRY_ASSIGN(std::string bank_source, string_member(j, "bank_source", false));
  ATELIER_TRY_ASSIGN(std::string image, string_member(j, "image_base64", true));
  compliance::ImportRow fields;
  ATELIER_TRY_ASSIGN(fields.label, string_member(j, "label", true));
  ATELIER_TRY_ASSIGN(fields.source, string_member(j, "source", false));
  ATELIER_TRY_ASSIGN(fields.severity, string_member(j, "severity", false));
  ATELIER_TRY_ASSIGN(fields.uri, string_member(j, "uri", false));
  if (fields.severity.empty()) fields.severity = "high";
  auto bytes = strict_base64(image, static_cast<std::size_t>(limits::kComplianceImageBytesMax));
  if (!bytes) {
    return fail(Error::invalid("invalid_base64", "image_base64 must be padded base64 (RFC 4648)",
                               "image_base64"));
  }
  auto signals = compliance::image_signals(*bytes);
  if (!signals) {
    Error e = signals.error();
    if (e.field == "file") e.field = "image_base64";
    return fail(e);
  }
  ATELIER_TRY_ASSIGN(
      auto r, registry.add_image(*signals, fields, {.bank = bank, .bank_source = bank_source}));
  return json_response(compliance::import_view(r), r.logged ? 201 : 200);
}

Result<std::int64_t> entry_id(const RequestContext& ctx) {
  const std::string_view text = ctx.path_param("id");
  std::int64_t id = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), id);
  if (ec != std::errc() || end != text.data() + text.size() || id < 1) {
    return fail(Error::not_found("registry_entry_not_found",
                                 "no registry entry " + std::string(text.substr(0, 32)), "id"));
  }
  return id;
}

Result<HttpResponse> list_entries(Registry& registry, RequestContext& ctx) {
  ATELIER_TRY_ASSIGN(store::PageRequest page, page_request(ctx));
  store::RegistryStore::EntryFilter filter;
  filter.bank = std::string(ctx.query_param("bank").value_or(""));
  filter.status = std::string(ctx.query_param("status").value_or(""));
  if (!filter.status.empty() && filter.status != "active" && filter.status != "disabled" &&
      filter.status != "removed") {
    return fail(
        Error::invalid("invalid_parameter", "status is active, disabled or removed", "status"));
  }
  ATELIER_TRY_ASSIGN(auto listed, registry.store().list_registry_entries(filter, page));
  json data = json::array();
  for (const auto& e : listed.items) data.push_back(compliance::entry_view(e));
  return page_response(std::move(data), listed.next_cursor);
}

Result<HttpResponse> set_status(Registry& registry, RequestContext& ctx) {
  ATELIER_TRY_ASSIGN(json j, body_object(ctx));
  ATELIER_TRY(refuse_unknown_fields(j, {"ids", "status", "reason"}));
  ATELIER_TRY_ASSIGN(std::string status, string_member(j, "status", true));
  ATELIER_TRY_ASSIGN(std::string reason, string_member(j, "reason", false));
  if (!j.contains("ids") || !j["ids"].is_array()) {
    return fail(Error::invalid("missing_field", "ids (an array of entry ids) is required", "ids"));
  }
  std::vector<std::int64_t> ids;
  for (const json& id : j["ids"]) {
    if (!id.is_number_integer() || id.get<std::int64_t>() < 1) {
      return fail(Error::invalid("invalid_field", "ids are positive integers", "ids"));
    }
    ids.push_back(id.get<std::int64_t>());
  }
  ATELIER_TRY_ASSIGN(auto r, registry.set_status(ids, status, reason));
  return json_response(compliance::status_view(r));
}

Result<HttpResponse> put_bank(Registry& registry, RequestContext& ctx) {
  ATELIER_TRY_ASSIGN(json j, body_object(ctx));
  ATELIER_TRY(refuse_unknown_fields(j, {"name", "source", "enabled"}));
  ATELIER_TRY_ASSIGN(std::string name, string_member(j, "name", true));
  ATELIER_TRY_ASSIGN(std::string source, string_member(j, "source", false));
  std::optional<bool> enabled;
  if (j.contains("enabled")) {
    if (!j["enabled"].is_boolean()) {
      return fail(Error::invalid("invalid_field", "enabled must be true or false", "enabled"));
    }
    enabled = j["enabled"].get<bool>();
  }
  std::optional<std::string_view> source_set;
  if (j.contains("source")) source_set = source;
  ATELIER_TRY_ASSIGN(auto r, registry.put_bank(name, source_set, enabled));
  json out = compliance::bank_view(r.bank);
  out["snapshot"] = compliance::snapshot_view(r.snapshot);
  return json_response(out, r.created ? 201 : 200);
}

Result<HttpResponse> search(Registry& registry, RequestContext& ctx) {
  ATELIER_TRY_ASSIGN(json j, body_object(ctx));
  ATELIER_TRY(refuse_unknown_fields(j, {"hashes", "radius"}));
  if (!j.contains("hashes") || !j["hashes"].is_array()) {
    return fail(Error::invalid("missing_field",
                               "hashes (an array of 64-hex-digit codes) is "
                               "required",
                               "hashes"));
  }
  std::vector<compliance::PdqHash> codes;
  for (std::size_t i = 0; i < j["hashes"].size(); ++i) {
    const json& h = j["hashes"][i];
    auto code = h.is_string() ? compliance::parse_pdq_hex(h.get<std::string>())
                              : fail(Error::invalid("invalid_hash", "", ""));
    if (!code) {
      return fail(Error::invalid("invalid_hash", "hashes are 64 hex digits",
                                 "hashes[" + std::to_string(i) + "]"));
    }
    codes.push_back(*code);
  }
  int radius = 31;
  if (j.contains("radius")) {
    if (!j["radius"].is_number_integer()) {
      return fail(Error::invalid("invalid_radius", "radius is an integer", "radius"));
    }
    const auto r = j["radius"].get<std::int64_t>();
    radius = r < -1 || r > 1000 ? -1 : static_cast<int>(r);
  }
  ATELIER_TRY_ASSIGN(auto found, registry.search_many(codes, radius));
  json results = json::array();
  for (std::size_t i = 0; i < found.size(); ++i) {
    json one = compliance::search_view(found[i]);
    one["hash"] = compliance::to_hex(codes[i]);
    results.push_back(std::move(one));
  }
  return json_response({{"results", std::move(results)}, {"radius", radius}});
}

constexpr const char* kSnapshotSchema = R"({
  "type": "object",
  "required": ["root", "count", "seq", "log_index"],
  "description":
    "The screened entries' RFC 6962 Merkle root and count (docs/compliance.md).",
  "properties": {
    "root": {"type": "string", "pattern": "^[0-9a-f]{64}$"},
    "count": {"type": "integer", "minimum": 0},
    "seq": {"type": "integer", "minimum": 0,
      "description": "The registry change that made it (0: none yet)."},
    "log_index": {"type": "integer", "minimum": 0,
      "description": "That change's transparency-log entry."}
  }
})";

constexpr const char* kBankSchema = R"({
  "type": "object",
  "required": ["name", "source", "enabled", "created_ms", "updated_ms"],
  "properties": {
    "name": {"type": "string"}, "source": {"type": "string"}, "enabled": {"type": "boolean"},
    "created_ms": {"type": "integer"}, "updated_ms": {"type": "integer"},
    "snapshot": {"$ref": "#/components/schemas/RegistrySnapshot"}
  }
})";

constexpr const char* kNewBankSchema = R"({
  "type": "object",
  "required": ["name"],
  "additionalProperties": false,
  "properties": {
    "name": {"type": "string", "pattern": "^[A-Za-z0-9._-]{1,64}$"},
    "source": {"type": "string", "maxLength": 256, "description": "Unset: kept."},
    "enabled": {"type": "boolean", "description": "Screened against. Unset: kept (new: true)."}
  }
})";

constexpr const char* kEntrySchema = R"({
  "type": "object",
  "required": ["id", "bank", "label", "source", "severity", "uri", "status", "pdq", "variants",
    "sha256_file", "sha256_pixels", "created_ms", "updated_ms", "added_log_index", "leaf_hash"],
  "properties": {
    "id": {"type": "integer"}, "bank": {"type": "string"}, "label": {"type": "string"},
    "source": {"type": "string"},
    "severity": {"type": "string", "enum": ["low", "medium", "high", "critical"]},
    "uri": {"type": "string"},
    "status": {"type": "string", "enum": ["active", "disabled", "removed"]},
    "pdq": {"type": "string", "pattern": "^[0-9a-f]{64}$"},
    "variants": {"type": "object", "additionalProperties": {"type": "string"},
      "description": "Codes of an imported image's rotations, flips and crops, by kind."},
    "sha256_file": {"type": "string"}, "sha256_pixels": {"type": "string"},
    "created_ms": {"type": "integer"}, "updated_ms": {"type": "integer"},
    "added_log_index": {"type": "integer"},
    "leaf_hash": {"type": "string", "description": "RFC 6962 leaf hash of its canonical JSON."}
  }
})";

constexpr const char* kImportSchema = R"({
  "type": "object",
  "required": ["bank"],
  "additionalProperties": false,
  "description": "One of entries, csv, tsv (header hash,label,source,severity[,uri]).",
  "properties": {
    "bank": {"type": "string", "pattern": "^[A-Za-z0-9._-]{1,64}$",
      "description": "Created (enabled) when missing."},
    "bank_source": {"type": "string", "maxLength": 256},
    "csv": {"type": "string"}, "tsv": {"type": "string"},
    "entries": {"type": "array", "items": {"type": "object",
      "required": ["hash", "label", "severity"], "additionalProperties": false,
      "properties": {
        "hash": {"type": "string", "pattern": "^[0-9A-Fa-f]{64}$",
          "description": "The work's 256-bit PDQ code."},
        "label": {"type": "string", "minLength": 1, "maxLength": 256},
        "source": {"type": "string", "maxLength": 256},
        "severity": {"type": "string", "enum": ["low", "medium", "high", "critical"]},
        "uri": {"type": "string", "maxLength": 2048}}}}
  }
})";

constexpr const char* kImageImportSchema =
    R"({
  "type": "object",
  "required": ["bank", "image_base64", "label"],
  "additionalProperties": false,
  "description":
    "An image to register, hashed on import with PDQ: its hash, the seven rotations and )"
    R"(flips, the centre crops and quadrants of quality 50 or more, and the SHA-256 of the )"
    R"(file and of its pixels. Quality below 50 is refused (low_quality_image).",
  "properties": {
    "bank": {"type": "string", "pattern": "^[A-Za-z0-9._-]{1,64}$",
      "description": "Created (enabled) when missing."},
    "bank_source": {"type": "string", "maxLength": 256},
    "image_base64": {"type": "string", "contentEncoding": "base64",
      "description": "PNG, JPEG, WebP or AVIF; the request body limit bounds its size."},
    "label": {"type": "string", "minLength": 1, "maxLength": 256},
    "source": {"type": "string", "maxLength": 256},
    "severity": {"type": "string", "enum": ["low", "medium", "high", "critical"],
      "description": "Default high."},
    "uri": {"type": "string", "maxLength": 2048}
  }
})";

constexpr const char* kImportResultSchema = R"({
  "type": "object",
  "required": ["bank", "bank_created", "rows", "added", "duplicates", "first_id", "last_id",
    "logged", "snapshot"],
  "properties": {
    "bank": {"type": "string"}, "bank_created": {"type": "boolean"},
    "rows": {"type": "integer"}, "added": {"type": "integer"},
    "duplicates": {"type": "integer", "description": "Codes the bank already held."},
    "first_id": {"type": "integer"}, "last_id": {"type": "integer"},
    "logged": {"type": "boolean", "description": "False: nothing changed, nothing logged."},
    "snapshot": {"$ref": "#/components/schemas/RegistrySnapshot"}
  }
})";

constexpr const char* kStatusChangeSchema = R"({
  "type": "object",
  "required": ["ids", "status"],
  "additionalProperties": false,
  "properties": {
    "ids": {"type": "array", "items": {"type": "integer", "minimum": 1}, "minItems": 1,
      "maxItems": 1000},
    "status": {"type": "string", "enum": ["active", "disabled", "removed"]},
    "reason": {"type": "string", "maxLength": 256}
  }
})";

constexpr const char* kStatusResultSchema = R"({
  "type": "object",
  "required": ["changed", "unchanged", "logged", "snapshot"],
  "properties": {
    "changed": {"type": "array", "items": {"type": "object", "properties": {
      "id": {"type": "integer"}, "from": {"type": "string"}, "to": {"type": "string"}}}},
    "unchanged": {"type": "integer"}, "logged": {"type": "boolean"},
    "snapshot": {"$ref": "#/components/schemas/RegistrySnapshot"}
  }
})";

constexpr const char* kSearchSchema = R"({
  "type": "object",
  "required": ["hashes"],
  "additionalProperties": false,
  "properties": {
    "hashes": {"type": "array", "minItems": 1, "maxItems": 1000,
      "items": {"type": "string", "pattern": "^[0-9A-Fa-f]{64}$"}},
    "radius": {"type": "integer", "minimum": 0, "maximum": 64,
      "description": "Bits (default 31, PDQ's match threshold)."}
  }
})";

constexpr const char* kSearchResultSchema = R"({
  "type": "object",
  "required": ["results", "radius"],
  "properties": {
    "radius": {"type": "integer"},
    "results": {"type": "array", "items": {"type": "object",
      "required": ["hash", "matches", "snapshot"],
      "properties": {
        "hash": {"type": "string"},
        "matches": {"type": "array", "items": {"type": "object",
          "required": ["entry_id", "bank", "kind", "distance"],
          "properties": {"entry_id": {"type": "integer"}, "bank": {"type": "string"},
            "kind": {"type": "string", "description": "The entry's nearest code."},
            "distance": {"type": "integer"}}}},
        "snapshot": {"$ref": "#/components/schemas/RegistrySnapshot"}}}}
  }
})";

ParamDoc id_param() {
  return {.name = "id",
          .in = ParamIn::kPath,
          .description = "Entry id.",
          .schema = R"({"type": "integer", "minimum": 1})"};
}

ResponseDoc ok(std::string description, const char* schema, int status = 200) {
  return {status, std::move(description), "application/json",
          std::string(R"({"$ref": "#/components/schemas/)") + schema + "\"}"};
}

}  // namespace

void add_compliance_routes(RouteTable& table, RouteDeps& deps) {
  if (deps.registry == nullptr) return;
  Registry& registry = *deps.registry;
  table.add_schema("RegistrySnapshot", kSnapshotSchema);
  table.add_schema("RegistryBank", kBankSchema);
  table.add_schema("NewRegistryBank", kNewBankSchema);
  table.add_schema("RegistryEntry", kEntrySchema);
  table.add_schema("RegistryImport", kImportSchema);
  table.add_schema("RegistryImportResult", kImportResultSchema);
  table.add_schema("RegistryImageImport", kImageImportSchema);
  table.add_schema("RegistryStatusChange", kStatusChangeSchema);
  table.add_schema("RegistryStatusResult", kStatusResultSchema);
  table.add_schema("RegistrySearch", kSearchSchema);
  table.add_schema("RegistrySearchResult", kSearchResultSchema);
  table.add(
      {.method = "GET",
       .path = "/v1/compliance/banks",
       .operation_id = "listRegistryBanks",
       .summary = "The registry's banks, by name",
       .tag = "compliance",
       .scope = "compliance",
       .paginated = true,
       .responses = {ok("Every bank (at most registry_banks_max, one page).", "RegistryBank")},
       .handler = [&registry](RequestContext&) -> Result<HttpResponse> {
         ATELIER_TRY_ASSIGN(auto banks, registry.store().registry_banks());
         json data = json::array();
         for (const auto& b : banks) data.push_back(compliance::bank_view(b));
         return page_response(std::move(data), "");
       }});
  table.add({.method = "POST",
             .path = "/v1/compliance/banks",
             .operation_id = "putRegistryBank",
             .summary = "Create a bank, or set its source and whether it is screened",
             .description = "201 when created. Logged as compliance.registry.bank with the "
                            "snapshot it leaves (disabling a bank takes its entries out).",
             .tag = "compliance",
             .scope = "compliance",
             .request_schema = R"({"$ref": "#/components/schemas/NewRegistryBank"})",
             .responses = {ok("The new bank.", "RegistryBank", 201),
                           ok("The bank as it now is.", "RegistryBank")},
             .handler = [&registry](RequestContext& c) { return put_bank(registry, c); }});
  table.add({.method = "GET",
             .path = "/v1/compliance/registry/entries",
             .operation_id = "listRegistryEntries",
             .summary = "Registry entries by id",
             .tag = "compliance",
             .scope = "compliance",
             .paginated = true,
             .params = {{.name = "bank", .in = ParamIn::kQuery, .description = "Only this bank."},
                        {.name = "status",
                         .in = ParamIn::kQuery,
                         .description = "Only entries in this status.",
                         .schema = R"({"type": "string", "enum": ["active", "disabled",
                           "removed"]})"}},
             .responses = {ok("A page of entries.", "RegistryEntry")},
             .handler = [&registry](RequestContext& c) { return list_entries(registry, c); }});
  table.add({.method = "POST",
             .path = "/v1/compliance/registry/entries",
             .operation_id = "importRegistryEntries",
             .summary = "Import entries (JSON, CSV or TSV) into a bank",
             .description = "201 when entries were added, 200 when every code was already in the "
                            "bank. Logged as compliance.registry.import with the snapshot.",
             .tag = "compliance",
             .scope = "compliance",
             .request_schema = R"({"$ref": "#/components/schemas/RegistryImport"})",
             .responses = {ok("Entries added.", "RegistryImportResult", 201),
                           ok("Nothing new.", "RegistryImportResult")},
             .handler = [&registry](RequestContext& c) { return import(registry, c); }});
  table.add({.method = "POST",
             .path = "/v1/compliance/registry/images",
             .operation_id = "addRegistryImage",
             .summary = "Register an image, hashed on import with its variants and crops",
             .description = "201 when added, 200 when its hash was already in the bank. Logged "
                            "as compliance.registry.import (format image) with the snapshot.",
             .tag = "compliance",
             .scope = "compliance",
             .execution = Execution::kWorker,
             .request_schema = R"({"$ref": "#/components/schemas/RegistryImageImport"})",
             .responses = {ok("The image's entry was added.", "RegistryImportResult", 201),
                           ok("Nothing new.", "RegistryImportResult")},
             .handler = [&registry](RequestContext& c) { return add_image(registry, c); }});
  table.add({.method = "GET",
             .path = "/v1/compliance/registry/entries/{id}",
             .operation_id = "getRegistryEntry",
             .summary = "One registry entry",
             .tag = "compliance",
             .scope = "compliance",
             .params = {id_param()},
             .responses = {ok("The entry.", "RegistryEntry")},
             .handler = [&registry](RequestContext& c) -> Result<HttpResponse> {
               ATELIER_TRY_ASSIGN(const std::int64_t id, entry_id(c));
               ATELIER_TRY_ASSIGN(auto e, registry.store().registry_entry(id));
               if (!e) {
                 return fail(Error::not_found("registry_entry_not_found",
                                              "no registry entry " + std::to_string(id), "id"));
               }
               return json_response(compliance::entry_view(*e));
             }});
  table.add({.method = "DELETE",
             .path = "/v1/compliance/registry/entries/{id}",
             .operation_id = "removeRegistryEntry",
             .summary = "Remove an entry for good",
             .description = "Logged as compliance.registry.status; removing a removed entry "
                            "changes nothing.",
             .tag = "compliance",
             .scope = "compliance",
             .params = {id_param(),
                        {.name = "reason", .in = ParamIn::kQuery, .description = "For the log."}},
             .responses = {ok("What changed.", "RegistryStatusResult")},
             .handler = [&registry](RequestContext& c) -> Result<HttpResponse> {
               ATELIER_TRY_ASSIGN(const std::int64_t id, entry_id(c));
               const std::string reason(c.query_param("reason").value_or(""));
               const std::int64_t ids[] = {id};
               ATELIER_TRY_ASSIGN(auto r, registry.set_status(ids, "removed", reason));
               return json_response(compliance::status_view(r));
             }});
  table.add({.method = "POST",
             .path = "/v1/compliance/registry/status",
             .operation_id = "setRegistryStatus",
             .summary = "Disable, enable or remove entries",
             .description = "One change, logged as compliance.registry.status; refused whole if "
                            "an id is unknown (404) or a removed entry would change (409).",
             .tag = "compliance",
             .scope = "compliance",
             .request_schema = R"({"$ref": "#/components/schemas/RegistryStatusChange"})",
             .responses = {ok("What changed.", "RegistryStatusResult")},
             .handler = [&registry](RequestContext& c) { return set_status(registry, c); }});
  table.add({.method = "GET",
             .path = "/v1/compliance/registry/snapshot",
             .operation_id = "getRegistrySnapshot",
             .summary = "The registry's current snapshot",
             .tag = "compliance",
             .scope = "compliance",
             .responses = {ok("The snapshot.", "RegistrySnapshot")},
             .handler = [&registry](RequestContext&) -> Result<HttpResponse> {
               ATELIER_TRY_ASSIGN(auto s, registry.sync());
               return json_response(compliance::snapshot_view(s));
             }});
  table.add({.method = "POST",
             .path = "/v1/compliance/registry/search",
             .operation_id = "searchRegistry",
             .summary = "Every screened entry within a radius of each code (exact)",
             .description = "Multi-index hashing with every candidate verified: no entry within "
                            "the radius is missed. Each result names the snapshot searched.",
             .tag = "compliance",
             .scope = "compliance",
             .request_schema = R"({"$ref": "#/components/schemas/RegistrySearch"})",
             .responses = {ok("One result per hash, in order.", "RegistrySearchResult")},
             .handler = [&registry](RequestContext& c) { return search(registry, c); }});
}

}  // namespace atelier::api
