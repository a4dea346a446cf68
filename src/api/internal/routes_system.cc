// GET / (HTML index of renders), /v1/health, /openapi.json, /metrics; and build_routes().
#include <algorithm>
#include <cmath>
#include <map>
#include <set>

#include "api/internal/handler_util.h"
#include "api/internal/routes.h"
#include "api/internal/routes_renders.h"
#include "core/limits.h"
#include "core/version.h"
#include "render/engine.h"

namespace atelier::api {
namespace {

// The index shows at most this many compositions, scanning at most kIndexScanMax renders
// (variants are renders too; they are folded into their composition).
constexpr std::size_t kIndexItemsMax = 100;
constexpr std::size_t kIndexScanMax = 2'000;
constexpr std::int64_t kThumbWidth = 256;

std::string html_escape(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (char c : s) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&#39;";
        break;
      default:
        out.push_back(c);
    }
  }
  return out;
}

// What makes two renders the same composition: the recipe without size and encoding.
std::string composition_key(const store::RenderRecord& r) {
  auto j = stored_json(r.recipe_json, nlohmann::json());
  if (!j.is_object()) return r.recipe_id;
  for (const char* k : {"width", "height", "format", "quality"}) j.erase(k);
  return j.dump();
}

std::string trait_text(const nlohmann::json& v) {
  return v.is_string() ? v.get<std::string>() : v.dump();
}

// The transparency log's size and how much of it the latest checkpoint covers (a growing gap
// means checkpoints are not being signed). Read at scrape time from the store.
std::string log_gauges(RouteDeps& deps) {
  if (deps.log == nullptr) return {};
  auto& store = deps.engine.store();
  auto size = store.log_size();
  auto latest = store.latest_checkpoint();
  if (!size || !latest) return {};
  std::string out;
  out += "# HELP atelier_log_entries Entries in the transparency log.\n";
  out += "# TYPE atelier_log_entries gauge\n";
  out += "atelier_log_entries " + std::to_string(*size) + "\n";
  out += "# HELP atelier_log_checkpoint_size Tree size of the latest signed checkpoint.\n";
  out += "# TYPE atelier_log_checkpoint_size gauge\n";
  out += "atelier_log_checkpoint_size " + std::to_string(*latest ? (*latest)->size : 0) + "\n";
  return out;
}

Result<HttpResponse> index_page(RouteDeps& deps, RequestContext&) {
  // Oldest render of each composition (the original; variants come later), newest first.
  std::map<std::string, store::RenderRecord> originals;
  store::PageRequest page{limits::kPageSizeMax, ""};
  std::size_t scanned = 0;
  while (scanned < kIndexScanMax) {
    auto p = deps.engine.store().list_renders(page);
    if (!p) return fail(p.error());
    for (auto& r : p->items) {
      auto key = composition_key(r);
      auto it = originals.find(key);
      if (it == originals.end() || r.seq < it->second.seq) originals[key] = std::move(r);
    }
    scanned += p->items.size();
    if (p->next_cursor.empty()) break;
    page.cursor = p->next_cursor;
  }
  std::vector<const store::RenderRecord*> shown;
  for (const auto& [_, r] : originals) shown.push_back(&r);
  std::sort(shown.begin(), shown.end(), [](auto* a, auto* b) { return a->seq > b->seq; });
  if (shown.size() > kIndexItemsMax) shown.resize(kIndexItemsMax);

  std::string html = R"(<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport"
  content="width=device-width, initial-scale=1">
<title>atelier — renders</title>
<style>
body{font:14px/1.4 system-ui,sans-serif;margin:24px;background:#111;color:#ddd}
h1{font-weight:500;margin:0 0 4px}p.sub{color:#888;margin:0 0 20px}a{color:#9cf}
.grid{display:grid;grid-template-columns:repeat(auto-fill,minmax(256px,1fr));gap:18px}
.card{background:#1b1b1b;border-radius:6px;padding:10px}
.card img{display:block;width:100%;height:auto;background:#222;border-radius:3px}
.meta{margin-top:8px;font-size:12px;color:#aaa;word-break:break-all}
.gen{color:#eee;font-weight:600;font-size:13px}.hash{font-family:ui-monospace,monospace}
dl{margin:6px 0 0;display:grid;grid-template-columns:auto 1fr;gap:0
  8px}dt{color:#888}dd{margin:0;color:#ccc}
</style></head><body>
<h1>atelier</h1>
)";
  html += "<p class=\"sub\">" + std::to_string(shown.size()) +
          " renders, newest first · <a href=\"/openapi.json\">API</a> · <a "
          "href=\"/metrics\">metrics</a></p>\n"
          "<div class=\"grid\">\n";
  for (const auto* r : shown) {
    const std::int64_t thumb_h =
        r->width > 0 ? std::max<std::int64_t>(
                           1, std::llround(static_cast<double>(kThumbWidth) * r->height / r->width))
                     : kThumbWidth;
    const std::string full = asset_url(r->asset_sha256);
    html += "<div class=\"card\"><a href=\"" + full + "\"><img src=\"" + full +
            "/variants?width=" + std::to_string(kThumbWidth) + "&amp;format=png\" width=\"" +
            std::to_string(kThumbWidth) + "\" height=\"" + std::to_string(thumb_h) +
            "\" loading=\"lazy\" alt=\"" + html_escape(r->generator_name + " " + r->token_hash) +
            "\"></a>\n<div class=\"meta\">";
    html += "<div class=\"gen\">" + html_escape(r->generator_name) + "</div>";
    const std::string& token = r->token_hash;
    const std::string short_token =
        token.size() > 20 ? token.substr(0, 10) + "…" + token.substr(token.size() - 8) : token;
    html += "<div class=\"hash\" title=\"" + html_escape(token) + "\">" + html_escape(short_token) +
            "</div>";
    html += "<div>" + std::to_string(r->width) + "×" + std::to_string(r->height) + " " +
            html_escape(r->format) + " · <a href=\"/v1/renders/" + r->recipe_id +
            "\">recipe</a></div>";
    auto traits = stored_json(r->traits_json);
    if (traits.is_object() && !traits.empty()) {
      html += "<dl>";
      for (auto it = traits.begin(); it != traits.end(); ++it) {
        html += "<dt>" + html_escape(it.key()) + "</dt><dd>" + html_escape(trait_text(it.value())) +
                "</dd>";
      }
      html += "</dl>";
    }
    html += "</div></div>\n";
  }
  if (shown.empty()) {
    html +=
        "<p>No renders yet. Try <code>atelier render flow-field --hash 0x…</code> or POST "
        "/v1/renders.</p>\n";
  }
  html += "</div>\n</body></html>\n";
  HttpResponse r;
  r.content_type = "text/html; charset=utf-8";
  r.body = std::move(html);
  return r;
}

Result<HttpResponse> health(RouteDeps& deps, RequestContext&) {
  auto probe = deps.engine.store().list_generators({1, ""});
  if (!probe) {
    auto r = json_response({{"status", "unavailable"}, {"version", kVersion}}, 503);
    return r;
  }
  return json_response({{"status", "ok"}, {"version", kVersion}});
}

}  // namespace

void add_system_routes(RouteTable& table, RouteDeps& deps) {
  table.add({.method = "GET",
             .path = "/",
             .operation_id = "index",
             .summary = "HTML index of the stored renders",
             .description =
                 "Up to 100 compositions, newest first, each a 256 px thumbnail (a PNG variant) "
                 "linking to the full image, with token hash, generator and traits.",
             .tag = "system",
             .responses = {{200, "An HTML page.", "text/html", R"({"type": "string"})"}},
             .handler = [&deps](RequestContext& c) { return index_page(deps, c); }});
  table.add({.method = "GET",
             .path = "/v1/health",
             .operation_id = "health",
             .summary = "Liveness and store reachability",
             .tag = "system",
             .responses = {{200, "Healthy.", "application/json",
                            R"({"type": "object", "required": ["status", "version"],
                                "properties": {"status": {"type": "string", "enum": ["ok"]},
                                               "version": {"type": "string"}}})"},
                           {503, "The store is unreachable.", "application/json",
                            R"({"type": "object", "properties": {"status": {"type": "string"}}})"}},
             .handler = [&deps](RequestContext& c) { return health(deps, c); }});
  table.add({.method = "GET",
             .path = "/openapi.json",
             .operation_id = "openapi",
             .summary = "This OpenAPI 3.1 document",
             .tag = "system",
             .responses = {{200, "The document.", "application/json", R"({"type": "object"})"}},
             .handler = [&deps](RequestContext&) -> Result<HttpResponse> {
               HttpResponse r;
               r.content_type = "application/json";
               r.body = deps.openapi_json;
               return r;
             }});
  table.add({.method = "GET",
             .path = "/metrics",
             .operation_id = "metrics",
             .summary = "Prometheus metrics (text format 0.0.4)",
             .tag = "system",
             .responses = {{200, "Metrics.", "text/plain", R"({"type": "string"})"}},
             .handler = [&deps](RequestContext&) -> Result<HttpResponse> {
               HttpResponse r;
               r.content_type = std::string(Metrics::kContentType);
               r.body = deps.metrics.prometheus_text();
               r.body += log_gauges(deps);
               return r;
             }});
}

RouteTable build_routes(RouteDeps& deps) {
  RouteTable table;
  add_system_routes(table, deps);
  add_generator_routes(table, deps);
  add_render_routes(table, deps);
  add_asset_routes(table, deps);
  add_log_routes(table, deps);
  add_ledger_routes(table, deps);
  add_market_routes(table, deps);
  add_oracle_routes(table, deps);
  add_compliance_routes(table, deps);
  add_screening_routes(table, deps);
  return table;
}

}  // namespace atelier::api
