#include "api/internal/pipeline.h"

#include <algorithm>
#include <exception>
#include <nlohmann/json.hpp>

#include "api/internal/api_error.h"
#include "core/canonical_json.h"
#include "core/hash.h"
#include "core/limits.h"
#include "core/random_id.h"

namespace atelier::api {

struct Pipeline::InFlight {
  HttpRequest request;
  Done done;
  std::chrono::steady_clock::time_point start = std::chrono::steady_clock::now();
  std::string request_id;
  std::string route_label = "unmatched";
  const Route* route = nullptr;
  std::optional<RequestContext> ctx;
  std::string key_id;        // Authenticated key, for logs and idempotency scoping.
  std::optional<store::IdempotencyFence> claim;  // Set while an idempotency claim is held.
  std::string error_detail;  // Internal error details, logged only.
};

namespace {

bool safe_request_id(std::string_view s) {
  if (s.empty() || s.size() > 64) return false;
  return std::all_of(s.begin(), s.end(), [](char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' ||
           c == '_' || c == ':' || c == '-';
  });
}

bool valid_idempotency_key(std::string_view s) {
  if (s.empty() || s.size() > static_cast<std::size_t>(limits::kIdempotencyKeyBytesMax))
    return false;
  return std::all_of(s.begin(), s.end(), [](char c) { return c > 0x20 && c < 0x7f; });
}

HttpResponse json_error(ErrorKind kind, std::string code, std::string message,
                        std::string param = {}) {
  return error_response(Error{kind, std::move(code), std::move(message), std::move(param)});
}

double seconds_since(std::chrono::steady_clock::time_point t) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t).count();
}

}  // namespace

std::string request_id_for(std::optional<std::string_view> supplied) {
  if (supplied && safe_request_id(*supplied)) return std::string(*supplied);
  return "req_" + random_hex(12);
}

Pipeline::Pipeline(const RouteTable& routes, store::Store& store, Metrics& metrics,
                   WorkerPool& workers, const JsonLog& log, PipelineOptions options)
    : routes_(routes),
      store_(store),
      metrics_(metrics),
      workers_(workers),
      log_(log),
      options_(options),
      limiter_(*options.clock) {}

void Pipeline::handle(HttpRequest request, Done done) {
  auto f = std::make_shared<InFlight>();
  f->request = std::move(request);
  f->done = std::move(done);
  f->request_id = request_id_for(f->request.header("X-Request-Id"));
  metrics_.add_in_flight(1);

  auto m = routes_.match(f->request.method, f->request.path());
  if (m.bad_escape) {
    return finish(f, json_error(ErrorKind::kInvalidInput, "invalid_path",
                                "the request path has an invalid percent escape"));
  }
  if (m.kind == RouteTable::MatchKind::kNotFound) {
    return finish(
        f, json_error(ErrorKind::kNotFound, "route_not_found",
                      "no route for " + f->request.method + " " + std::string(f->request.path())));
  }
  if (m.kind == RouteTable::MatchKind::kMethodNotAllowed) {
    auto r = error_response(
        Error::invalid("method_not_allowed",
                       f->request.method + " is not allowed here; allowed: " + m.allow),
        405);
    r.set_header("Allow", m.allow);
    return finish(f, std::move(r));
  }
  f->route = m.route;
  f->route_label = m.route->path;
  auto query = parse_query(f->request.query());
  if (!query) {
    return finish(f, json_error(ErrorKind::kInvalidInput, "invalid_query",
                                "the query string has an invalid percent escape"));
  }
  f->ctx.emplace(RequestContext{f->request, *m.route, std::move(m.path_params), std::move(*query),
                                std::nullopt, f->request_id});

  if (auto refused = authorize(*f)) return finish(f, std::move(*refused));

  if (f->route->mutating() && !f->route->request_schema.empty()) {
    auto parsed = parse_json(f->request.body, limits::kRequestBodyBytesMax, "body");
    if (!parsed) {
      Error e = parsed.error();
      if (f->request.body.empty()) {
        e = Error::invalid("malformed_json", "the request body is empty; expected JSON", "body");
      }
      return finish(f, error_response(e));
    }
  }
  if (auto early = claim_idempotency(*f)) return finish(f, std::move(*early));

  if (f->route->execution == Execution::kInline) return run_handler(f);
  bool queued = workers_.try_submit({[this, f] { run_handler(f); },
                                     [this, f] {
                                       finish(f, json_error(ErrorKind::kInternal, "shutting_down",
                                                            "the server is shutting down"));
                                     }});
  if (!queued) {
    auto r = error_response(
        Error{
            ErrorKind::kInternal, "server_busy", "too many renders are queued; retry shortly", {}},
        503);
    r.set_header("Retry-After", "1");
    finish(f, std::move(r));
  }
}

std::optional<HttpResponse> Pipeline::authorize(InFlight& f) {
  const Route& route = *f.route;
  auto auth = f.request.header("Authorization");
  if (auth) {
    std::string_view v = *auth;
    constexpr std::string_view kBearer = "Bearer ";
    if (v.size() <= kBearer.size() || !iequals(v.substr(0, kBearer.size()), kBearer)) {
      auto r = json_error(ErrorKind::kUnauthorized, "invalid_authorization_header",
                          "expected \"Authorization: Bearer <api key>\"", "Authorization");
      r.set_header("WWW-Authenticate", "Bearer");
      return r;
    }
    auto who = authenticate(store_, v.substr(kBearer.size()));
    if (!who) {
      auto r = error_response(who.error());
      if (r.status == 401) r.set_header("WWW-Authenticate", "Bearer error=\"invalid_token\"");
      if (r.status >= 500) f.error_detail = who.error().to_string();
      return r;
    }
    f.key_id = who->key_id;
    f.ctx->principal = std::move(*who);
  }
  if (!route.scope.empty()) {
    if (!f.ctx->principal) {
      auto r = json_error(ErrorKind::kUnauthorized, "missing_api_key",
                          "this route needs an API key with scope \"" + route.scope +
                              "\" (Authorization: Bearer <api key>)");
      r.set_header("WWW-Authenticate", "Bearer");
      return r;
    }
    if (!f.ctx->principal->allows(route.scope)) {
      return json_error(ErrorKind::kForbidden, "missing_scope",
                        "this API key lacks the \"" + route.scope + "\" scope");
    }
  }
  RateLimiter::Decision d;
  if (f.ctx->principal) {
    d = limiter_.take("key:" + f.key_id, options_.rate_limit_per_minute);
  } else {
    d = limiter_.take("ip:" + f.request.remote_ip, options_.anonymous_rate_limit_per_minute);
  }
  if (!d.allowed) {
    auto r = json_error(ErrorKind::kRateLimited, "rate_limited",
                        "too many requests; retry after " + std::to_string(d.retry_after_s) + " s");
    r.set_header("Retry-After", std::to_string(d.retry_after_s));
    return r;
  }
  return std::nullopt;
}

std::optional<HttpResponse> Pipeline::claim_idempotency(InFlight& f) {
  auto key = f.request.header("Idempotency-Key");
  if (!key || f.request.method != "POST") return std::nullopt;
  if (!valid_idempotency_key(*key)) {
    return json_error(ErrorKind::kInvalidInput, "invalid_idempotency_key",
                      "Idempotency-Key must be 1.." +
                          std::to_string(limits::kIdempotencyKeyBytesMax) +
                          " printable ASCII characters",
                      "Idempotency-Key");
  }
  // Length-prefixed so that no two (method, target, body) triples hash alike.
  Sha256 h;
  for (std::string_view part :
       {std::string_view(f.request.method), std::string_view(f.request.target),
        std::string_view(f.request.body)}) {
    h.update(std::to_string(part.size()) + ":");
    h.update(part);
  }
  std::string request_hash = to_hex(h.finish());
  std::string scope_id = f.key_id.empty() ? "ip:" + f.request.remote_ip : f.key_id;
  auto claim = store_.claim_idempotency(scope_id, *key, request_hash, options_.clock->now_ms());
  if (!claim) {
    f.error_detail = claim.error().to_string();
    return error_response(claim.error());
  }
  using State = store::IdempotencyClaim::State;
  switch (claim->state) {
    case State::kNew:
      f.claim = store::IdempotencyFence{scope_id, std::string(*key), claim->token};
      f.ctx->idempotency = f.claim;
      if (claim->taken_over) {
        log_.write("info", "idempotency_claim_taken_over",
                   {{"request_id", f.request_id}, {"key_id", f.key_id}});
      }
      return std::nullopt;
    case State::kReplay: {
      HttpResponse r;
      r.status = claim->status;
      r.content_type = "application/json";
      r.body = std::move(claim->body);
      r.set_header("Idempotent-Replayed", "true");
      return r;
    }
    case State::kMismatch:
      return error_response(Error::invalid("idempotency_key_reused",
                                           "this Idempotency-Key was used with a different request",
                                           "Idempotency-Key"),
                            422);
    case State::kInFlight:
      return json_error(ErrorKind::kConflict, "idempotency_key_in_flight",
                        "a request with this Idempotency-Key is still being processed",
                        "Idempotency-Key");
  }
  return std::nullopt;
}

void Pipeline::run_handler(const std::shared_ptr<InFlight>& f) {
  HttpResponse response;
  try {
    auto result = f->route->handler(*f->ctx);
    if (result) {
      response = std::move(*result);
    } else {
      if (result.error().kind == ErrorKind::kInternal) f->error_detail = result.error().to_string();
      response = error_response(result.error());
    }
  } catch (const std::exception& e) {
    f->error_detail = std::string("exception: ") + e.what();
    response = json_error(ErrorKind::kInternal, "internal_error", "internal error");
  } catch (...) {
    f->error_detail = "unknown exception";
    response = json_error(ErrorKind::kInternal, "internal_error", "internal error");
  }
  finish(f, std::move(response));
}

HttpResponse Pipeline::refuse(const HttpRequest& partial, const Error& error, int status) {
  auto f = std::make_shared<InFlight>();
  f->request.method = partial.method;
  f->request.target = partial.target;
  f->request.headers = partial.headers;
  f->request.remote_ip = partial.remote_ip;
  f->request_id = request_id_for(partial.header("X-Request-Id"));
  auto m = routes_.match(partial.method, partial.path());
  if (m.kind == RouteTable::MatchKind::kFound) f->route_label = m.route->path;
  HttpResponse out;
  f->done = [&out](HttpResponse r) { out = std::move(r); };
  metrics_.add_in_flight(1);
  auto r = error_response(error, status);
  r.close = true;
  finish(f, std::move(r));
  return out;
}

void Pipeline::finish(const std::shared_ptr<InFlight>& f, HttpResponse response) {
  if (response.status >= 500) {
    if (f->error_detail.empty() && response.status == 500) f->error_detail = "internal error";
    if (response.status == 500) {
      // Do not leak internals (paths, SQL) to clients; the log has the details.
      response = error_response(
          Error::internal("internal_error", "internal error (request id " + f->request_id + ")"));
    }
  }
  if (f->claim) {
    // A route whose work must not run twice has stored its response with the work already
    // (idempotent.h); then, as after a takeover, the fenced writes below change nothing.
    if (response.status >= 500) {
      (void)store_.release_idempotency(*f->claim);
    } else {
      auto ok = store_.complete_idempotency(*f->claim, response.status, response.body);
      if (!ok) {
        log_.write("error", "idempotency_complete_failed",
                   {{"request_id", f->request_id}, {"error", ok.error().to_string()}});
      }
    }
  }
  response.set_header("X-Request-Id", f->request_id);
  if (!response.header("X-Content-Type-Options"))
    response.set_header("X-Content-Type-Options", "nosniff");
  if (!response.header("Cache-Control")) response.set_header("Cache-Control", "no-store");

  const double seconds = seconds_since(f->start);
  metrics_.observe_request(f->route_label, f->request.method, response.status, seconds);
  metrics_.add_in_flight(-1);
  JsonLog::Fields fields = {
      {"request_id", f->request_id},
      {"method", f->request.method},
      {"route", f->route_label},
      {"path", std::string(f->request.path())},
      {"status", std::int64_t{response.status}},
      {"duration_ms", static_cast<double>(static_cast<std::int64_t>(seconds * 1e6)) / 1e3},
      {"remote_ip", f->request.remote_ip}};
  if (!f->key_id.empty()) fields.emplace_back("key_id", f->key_id);
  if (!f->error_detail.empty()) fields.emplace_back("error", f->error_detail);
  log_.write(response.status >= 500 ? "error" : "info", "request", fields);
  auto done = std::move(f->done);
  done(std::move(response));
}

}  // namespace atelier::api
