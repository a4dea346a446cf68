// The transparency log over HTTP: C2SP tlog-tiles at the server root (GET /checkpoint,
// GET /tile/<L>/<N>[.p/<W>], GET /tile/entries/<N>[.p/<W>]) for existing tile clients, and
// JSON under /v1/log for entries and proofs. All public reads: the log is meant to be audited
// by anyone. Tiles never change once they exist (a partial tile of width W neither), so they
// are cached as immutable; the checkpoint is not cached.
#include <charconv>

#include "api/internal/handler_util.h"
#include "api/internal/routes.h"
#include "provenance/log.h"

namespace atelier::api {
namespace {

constexpr const char* kImmutable = "public, max-age=31536000, immutable";

Result<std::uint64_t> index_param(std::string_view text, const char* name) {
  std::uint64_t v = 0;
  auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (text.empty() || ec != std::errc() || p != text.data() + text.size() ||
      (text.size() > 1 && text[0] == '0') || v >= limits::kTreeSizeMax) {
    return fail(Error::invalid("invalid_parameter",
                               std::string(name) + " must be a decimal integer below 2^62", name));
  }
  return v;
}

Result<std::optional<std::uint64_t>> optional_index(const RequestContext& ctx, const char* name) {
  auto q = ctx.query_param(name);
  if (!q) return std::nullopt;
  auto v = index_param(*q, name);
  if (!v) return fail(v.error());
  return *v;
}

nlohmann::json hashes_json(const std::vector<Digest>& hashes) {
  nlohmann::json out = nlohmann::json::array();
  for (const Digest& d : hashes) out.push_back(provenance::hash_base64(d));
  return out;
}

Result<HttpResponse> get_checkpoint(provenance::Log& log) {
  auto cp = log.latest_checkpoint();
  if (!cp) return fail(cp.error());
  HttpResponse r;
  r.content_type = "text/plain; charset=utf-8";
  r.set_header("Cache-Control", "no-cache");
  r.body = std::move(cp->note);
  return r;
}

Result<HttpResponse> get_tile(provenance::Log& log, const RequestContext& ctx) {
  auto tile = provenance::parse_tile_path(ctx.path_param("tile"));
  if (!tile) return fail(tile.error());
  auto body = log.tile(*tile);
  if (!body) return fail(body.error());
  HttpResponse r;
  r.content_type = "application/octet-stream";
  r.set_header("Cache-Control", kImmutable);
  r.body = std::move(*body);
  return r;
}

Result<HttpResponse> get_entry(provenance::Log& log, const RequestContext& ctx) {
  auto index = index_param(ctx.path_param("index"), "index");
  if (!index) return fail(index.error());
  auto e = log.entry(*index);
  if (!e) return fail(e.error());
  return json_response({{"index", e->index},
                        {"entry", e->entry},
                        {"leaf_hash", provenance::hash_base64(e->leaf_hash)}});
}

Result<HttpResponse> get_inclusion(provenance::Log& log, const RequestContext& ctx) {
  auto index = optional_index(ctx, "index");
  if (!index) return fail(index.error());
  if (!*index) return fail(Error::invalid("missing_parameter", "index is required", "index"));
  auto size = optional_index(ctx, "size");
  if (!size) return fail(size.error());
  auto p = log.prove(**index, *size);
  if (!p) return fail(p.error());
  HttpResponse r;
  r.content_type = "application/json";
  r.body = provenance::entry_proof_json(*p);
  return r;
}

Result<HttpResponse> get_consistency(provenance::Log& log, const RequestContext& ctx) {
  auto from = optional_index(ctx, "from");
  if (!from) return fail(from.error());
  if (!*from) return fail(Error::invalid("missing_parameter", "from is required", "from"));
  auto to = optional_index(ctx, "to");
  if (!to) return fail(to.error());
  std::string note;
  if (!*to) {  // Default: the latest checkpoint, which comes along.
    auto cp = log.latest_checkpoint();
    if (!cp) return fail(cp.error());
    *to = cp->checkpoint.size;
    note = std::move(cp->note);
  }
  auto proof = log.consistency(**from, **to);
  if (!proof) return fail(proof.error());
  nlohmann::json body = {{"from", **from}, {"to", **to}, {"proof", hashes_json(*proof)}};
  if (!note.empty()) body["checkpoint"] = note;
  return json_response(body);
}

constexpr const char* kProofSchema = R"({
  "type": "object",
  "required": ["index", "entry", "leaf_hash", "tree_size", "inclusion_proof", "checkpoint"],
  "properties": {
    "index": {"type": "integer", "minimum": 0},
    "entry": {"type": "string", "description": "The entry: canonical JSON of one event."},
    "leaf_hash": {"type": "string", "description": "base64 SHA-256(0x00 || entry)."},
    "tree_size": {"type": "integer", "minimum": 0},
    "inclusion_proof": {"type": "array", "items": {"type": "string"},
      "description": "RFC 9162 inclusion path, base64 hashes, leaf side first."},
    "checkpoint": {"type": "string",
      "description": "The signed C2SP checkpoint for tree_size; empty when that size has none."}
  }
})";

ParamDoc size_param(const char* name, const char* what, bool required) {
  return {.name = name,
          .in = ParamIn::kQuery,
          .description = what,
          .schema = R"({"type": "integer", "minimum": 0})",
          .required = required};
}

}  // namespace

void add_log_routes(RouteTable& table, RouteDeps& deps) {
  if (deps.log == nullptr) return;
  provenance::Log& log = *deps.log;
  table.add_schema("EntryProof", kProofSchema);
  table.add({.method = "GET",
             .path = "/checkpoint",
             .operation_id = "getCheckpoint",
             .summary = "The latest signed checkpoint (C2SP tlog-checkpoint in a signed note)",
             .description =
                 "Origin, tree size and base64 root hash, signed with the log's Ed25519 key "
                 "(`atelier log key` prints the verifier key).",
             .tag = "log",
             .responses = {{200, "The signed checkpoint.", "text/plain", R"({"type": "string"})"}},
             .handler = [&log](RequestContext&) { return get_checkpoint(log); }});
  table.add({.method = "GET",
             .path = "/tile/{tile+}",
             .operation_id = "getTile",
             .summary = "A C2SP tlog-tiles hash tile or entry bundle",
             .description =
                 "`<L>/<N>[.p/<W>]`: the hashes (32 bytes each) of tree level 8·L, nodes "
                 "256·N up to 256·N+W. `entries/<N>[.p/<W>]`: those entries, each prefixed "
                 "with its big-endian 16-bit length. N is written in x-prefixed groups of "
                 "three digits (`x001/x234/067`).",
             .tag = "log",
             .params = {{.name = "tile",
                         .in = ParamIn::kPath,
                         .description = "The tile path after /tile/ (it spans several segments).",
                         .schema = R"({"type": "string"})"}},
             .responses = {{200, "The tile bytes.", "application/octet-stream",
                            R"({"type": "string", "contentEncoding": "binary"})"}},
             .handler = [&log](RequestContext& c) { return get_tile(log, c); }});
  table.add({.method = "GET",
             .path = "/v1/log/entries/{index}",
             .operation_id = "getLogEntry",
             .summary = "One log entry",
             .tag = "log",
             .params = {{.name = "index",
                         .in = ParamIn::kPath,
                         .description = "Entry index, from 0.",
                         .schema = R"({"type": "integer", "minimum": 0})"}},
             .responses = {{200, "The entry.", "application/json",
                            R"({"type": "object", "required": ["index", "entry", "leaf_hash"],
                                "properties": {"index": {"type": "integer"},
                                  "entry": {"type": "string"},
                                               "leaf_hash": {"type": "string"}}})"}},
             .handler = [&log](RequestContext& c) { return get_entry(log, c); }});
  table.add({.method = "GET",
             .path = "/v1/log/proof/inclusion",
             .operation_id = "getInclusionProof",
             .summary = "An entry with its inclusion proof (the `atelier log prove` file)",
             .description =
                 "Against the tree of `size` entries, or the latest checkpoint when `size` is "
                 "left out. Check it offline with `atelier log verify-proof`.",
             .tag = "log",
             .params = {size_param("index", "Entry index.", true),
                        size_param("size", "Tree size (default: the latest checkpoint's).", false)},
             .responses = {{200, "The proof.", "application/json",
                            R"({"$ref": "#/components/schemas/EntryProof"})"}},
             .handler = [&log](RequestContext& c) { return get_inclusion(log, c); }});
  table.add({.method = "GET",
             .path = "/v1/log/proof/consistency",
             .operation_id = "getConsistencyProof",
             .summary = "An RFC 9162 consistency proof between two tree sizes",
             .description = "`to` defaults to the latest checkpoint, which is then included.",
             .tag = "log",
             .params = {size_param("from", "The older tree size.", true),
                        size_param("to", "The newer tree size (default: the latest checkpoint's).",
                                   false)},
             .responses = {{200, "The proof.", "application/json",
                            R"({"type": "object", "required": ["from", "to", "proof"],
                                "properties": {"from": {"type": "integer"},
                                  "to": {"type": "integer"},
                                               "proof": {"type": "array",
                                                 "items": {"type": "string"}},
                                               "checkpoint": {"type": "string"}}})"}},
             .handler = [&log](RequestContext& c) { return get_consistency(log, c); }});
}

}  // namespace atelier::api
