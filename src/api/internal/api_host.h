// api_host.h — a running API: render workers + request pipeline + HTTP server over a route
// table, with the graceful stop sequence. Server (server.h) is this plus the atelier routes;
// the plumbing tests host their own route tables with it.
//
// stop(): stop accepting and close idle connections; wait up to drain_timeout_ms for
// in-flight requests; close whatever is left; cancel queued renders (releasing their
// idempotency claims) and wait for running ones; join the network threads.
#pragma once

#include <memory>

#include "api/internal/http_server.h"
#include "api/internal/json_log.h"
#include "api/internal/metrics.h"
#include "api/internal/pipeline.h"
#include "api/internal/router.h"
#include "api/internal/worker_pool.h"
#include "api/server.h"
#include "core/mutex.h"
#include "store/store.h"

namespace atelier::api {

class ApiHost {
 public:
  // References must outlive the host.
  ApiHost(const RouteTable& routes, store::Store& store, Metrics& metrics, const JsonLog& log,
          const ServerOptions& options);
  ~ApiHost();  // stop()

  Result<void> start() ATELIER_EXCLUDES(mu_);
  std::uint16_t port() const;
  // Connections the HTTP server counts as open now (0 before start()).
  std::size_t connections() const;
  void stop() ATELIER_EXCLUDES(mu_);
  void wait() ATELIER_EXCLUDES(mu_);

 private:
  const RouteTable& routes_;
  store::Store& store_;
  Metrics& metrics_;
  const JsonLog& log_;
  const ServerOptions& options_;
  std::unique_ptr<WorkerPool> workers_;
  std::unique_ptr<Pipeline> pipeline_;
  std::unique_ptr<HttpServer> http_;

  Mutex mu_;
  CondVar cv_;  // stopped_ became true.
  bool started_ ATELIER_GUARDED_BY(mu_) = false;
  bool stopping_ ATELIER_GUARDED_BY(mu_) = false;
  bool stopped_ ATELIER_GUARDED_BY(mu_) = false;
};

}  // namespace atelier::api
