// pipeline.h — what happens to every request between the socket and the handler, in order:
//
//   1. request id    X-Request-Id if it is 1..64 of [A-Za-z0-9._:-], else a new "req_…";
//                    echoed in the response.
//   2. route         404 route_not_found; 405 method_not_allowed with Allow.
//   3. auth          Authorization: Bearer <key> if sent (a bad key is 401 even on public
//                    routes); a route with a scope answers 401 missing_api_key without a key
//                    and 403 missing_scope with a key lacking the scope.
//   4. rate limit    per key (or per client IP without a key) → 429 rate_limited, Retry-After.
//   5. input         query string decodes; a JSON body parses (400 malformed_json).
//   6. idempotency   POST with Idempotency-Key: replay (Idempotent-Replayed: true), 422
//                    idempotency_key_reused for another request, 409 idempotency_key_in_flight
//                    while a live process runs it; a claim whose process died (or whose lease
//                    ran out) is taken over and run (store.h "Idempotency"). The claim's fence
//                    is on the RequestContext for routes that store their response with their
//                    work (idempotent.h).
//   7. handler       inline, or queued on a render worker (503 server_busy when full).
//   8. finish        errors as JSON (api_error.h); idempotency completed (or released on
//                    5xx); metrics; one JSON log line.
//
// Thread-safety: handle() and refuse() may be called from many threads at once.
#pragma once

#include <chrono>
#include <functional>
#include <memory>

#include "api/internal/http_types.h"
#include "api/internal/json_log.h"
#include "api/internal/metrics.h"
#include "api/internal/rate_limiter.h"
#include "api/internal/router.h"
#include "api/internal/worker_pool.h"
#include "core/clock.h"
#include "store/store.h"

namespace atelier::api {

struct PipelineOptions {
  std::int64_t rate_limit_per_minute = 600;          // Per API key; 0: off.
  std::int64_t anonymous_rate_limit_per_minute = 0;  // Per client IP without a key; 0: off.
  const Clock* clock = &SystemClock::instance();
};

class Pipeline {
 public:
  using Done = std::function<void(HttpResponse)>;

  // All references must outlive the Pipeline.
  Pipeline(const RouteTable& routes, store::Store& store, Metrics& metrics, WorkerPool& workers,
           const JsonLog& log, PipelineOptions options);

  // Handles one complete request; `done` is called exactly once, on this thread or a worker.
  void handle(HttpRequest request, Done done);

  // The response for a request the HTTP layer refused before it was complete (body too large,
  // unparseable header, timeout). Counted and logged like any other; `close` is set.
  HttpResponse refuse(const HttpRequest& partial, const Error& error, int status);

 private:
  struct InFlight;
  void run_handler(const std::shared_ptr<InFlight>& f);
  void finish(const std::shared_ptr<InFlight>& f, HttpResponse response);
  std::optional<HttpResponse> authorize(InFlight& f);
  std::optional<HttpResponse> claim_idempotency(InFlight& f);

  const RouteTable& routes_;
  store::Store& store_;
  Metrics& metrics_;
  WorkerPool& workers_;
  const JsonLog& log_;
  PipelineOptions options_;
  RateLimiter limiter_;
};

// A valid client-supplied request id, or a new one.
std::string request_id_for(std::optional<std::string_view> supplied);

}  // namespace atelier::api
