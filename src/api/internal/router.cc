#include "api/internal/router.h"

#include <cstdio>
#include <cstdlib>
#include <set>

namespace atelier::api {
namespace {

[[noreturn]] void table_bug(const Route& r, const char* what) {
  std::fprintf(stderr, "route table bug: %s %s: %s\n", r.method.c_str(), r.path.c_str(), what);
  std::abort();
}

std::vector<std::string_view> split_path(std::string_view path) {
  std::vector<std::string_view> out;
  if (path.empty() || path[0] != '/') return out;
  path.remove_prefix(1);
  while (true) {
    auto slash = path.find('/');
    out.push_back(path.substr(0, slash));
    if (slash == std::string_view::npos) break;
    path.remove_prefix(slash + 1);
  }
  return out;
}

}  // namespace

std::string_view RequestContext::path_param(std::string_view name) const {
  for (const auto& [k, v] : path_params) {
    if (k == name) return v;
  }
  return {};
}

std::optional<std::string_view> RequestContext::query_param(std::string_view name) const {
  for (const auto& [k, v] : query) {
    if (k == name) return std::string_view(v);
  }
  return std::nullopt;
}

std::vector<std::string> template_params(std::string_view path_template) {
  std::vector<std::string> out;
  for (auto seg : split_path(path_template)) {
    if (seg.size() >= 2 && seg.front() == '{' && seg.back() == '}') {
      auto name = seg.substr(1, seg.size() - 2);
      if (name.ends_with('+')) name.remove_suffix(1);
      out.emplace_back(name);
    }
  }
  return out;
}

std::string openapi_path(std::string_view path_template) {
  std::string out(path_template);
  if (auto p = out.find("+}"); p != std::string::npos) out.erase(p, 1);
  return out;
}

void RouteTable::add(Route route) {
  if (route.method.empty() || route.path.empty() || route.path[0] != '/')
    table_bug(route, "bad method/path");
  if (!route.handler) table_bug(route, "no handler");
  if (route.operation_id.empty() || route.summary.empty()) table_bug(route, "undocumented");
  if (route.mutating() && route.scope.empty()) table_bug(route, "mutating route without a scope");
  if (!route.scope.empty() && !is_scope(route.scope)) table_bug(route, "unknown scope");
  if (route.responses.empty()) table_bug(route, "no success response documented");
  std::vector<Segment> segs;
  for (auto s : split_path(route.path)) {
    if (!segs.empty() && segs.back().greedy) table_bug(route, "a greedy parameter must come last");
    bool param = s.size() >= 2 && s.front() == '{' && s.back() == '}';
    auto text = param ? s.substr(1, s.size() - 2) : s;
    bool greedy = param && text.ends_with('+');
    if (greedy) text.remove_suffix(1);
    segs.push_back({std::string(text), param, greedy});
  }
  std::set<std::string> documented;
  for (const auto& p : route.params) {
    if (p.in == ParamIn::kPath) documented.insert(p.name);
  }
  for (const auto& s : segs) {
    if (s.is_param && !documented.count(s.text))
      table_bug(route, "path parameter without ParamDoc");
  }
  for (const auto& r : routes_) {
    if (r.method == route.method && r.path == route.path) table_bug(route, "duplicate route");
    if (r.operation_id == route.operation_id) table_bug(route, "duplicate operation_id");
  }
  routes_.push_back(std::move(route));
  templates_.push_back(std::move(segs));
}

void RouteTable::add_schema(std::string name, std::string json_schema) {
  schemas_[std::move(name)] = std::move(json_schema);
}

RouteTable::Match RouteTable::match(std::string_view method, std::string_view path) const {
  Match out;
  auto raw = split_path(path);
  std::vector<std::string> segs;
  for (auto s : raw) {
    auto d = percent_decode(s, false);
    if (!d) {
      out.bad_escape = true;
      return out;
    }
    segs.push_back(std::move(*d));
  }
  // Best candidate: most literal segments, so "/v1/renders/search" would beat "{id}".
  std::string_view want = method == "HEAD" ? std::string_view("GET") : method;
  int best_literals = -1;
  std::set<std::string> allowed;
  for (std::size_t i = 0; i < routes_.size(); ++i) {
    const auto& tmpl = templates_[i];
    const bool greedy = !tmpl.empty() && tmpl.back().greedy;
    if (greedy ? segs.size() < tmpl.size() : tmpl.size() != segs.size()) continue;
    int literals = 0;
    bool ok = true;
    for (std::size_t k = 0; k < tmpl.size() && ok; ++k) {
      if (tmpl[k].greedy) {
        for (std::size_t r = k; r < segs.size() && ok; ++r) ok = !segs[r].empty();
      } else if (tmpl[k].is_param) {
        ok = !segs[k].empty();
      } else {
        ok = tmpl[k].text == segs[k];
        ++literals;
      }
    }
    if (!ok) continue;
    allowed.insert(routes_[i].method);
    if (routes_[i].method == want && literals > best_literals) {
      best_literals = literals;
      out.kind = MatchKind::kFound;
      out.route = &routes_[i];
      out.path_params.clear();
      for (std::size_t k = 0; k < tmpl.size(); ++k) {
        if (tmpl[k].greedy) {
          std::string rest = segs[k];
          for (std::size_t r = k + 1; r < segs.size(); ++r) rest += "/" + segs[r];
          out.path_params.emplace_back(tmpl[k].text, std::move(rest));
        } else if (tmpl[k].is_param) {
          out.path_params.emplace_back(tmpl[k].text, segs[k]);
        }
      }
    }
  }
  if (out.kind == MatchKind::kFound) return out;
  if (!allowed.empty()) {
    if (allowed.count("GET")) allowed.insert("HEAD");
    out.kind = MatchKind::kMethodNotAllowed;
    for (const auto& m : allowed) {
      if (!out.allow.empty()) out.allow += ", ";
      out.allow += m;
    }
  }
  return out;
}

}  // namespace atelier::api
