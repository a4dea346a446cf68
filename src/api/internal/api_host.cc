#include "api/internal/api_host.h"

#include <algorithm>

#include "core/version.h"

namespace atelier::api {

ApiHost::ApiHost(const RouteTable& routes, store::Store& store, Metrics& metrics,
                 const JsonLog& log, const ServerOptions& options)
    : routes_(routes), store_(store), metrics_(metrics), log_(log), options_(options) {}

ApiHost::~ApiHost() { stop(); }

Result<void> ApiHost::start() {
  const auto& o = options_;
  {
    MutexLock lock(mu_);
    if (started_) return fail(Error::internal("already_started", "the server was started before"));
    started_ = true;
  }
  workers_ = std::make_unique<WorkerPool>(
      o.worker_threads, static_cast<std::size_t>(std::max<std::int64_t>(1, o.render_queue_max)));
  pipeline_ = std::make_unique<Pipeline>(
      routes_, store_, metrics_, *workers_, log_,
      PipelineOptions{o.rate_limit_per_minute, o.anonymous_rate_limit_per_minute, o.clock});
  HttpServerOptions h;
  h.listen = o.listen;
  h.io_threads = o.io_threads;
  h.read_timeout_ms = o.read_timeout_ms;
  h.idle_timeout_ms = o.idle_timeout_ms;
  h.connections_max = o.connections_max;
  h.connections_per_client_max = o.connections_per_client_max;
  http_ = std::make_unique<HttpServer>(h, *pipeline_, metrics_, log_);
  auto ok = http_->start();
  if (!ok) {
    workers_->shutdown(false);
    MutexLock lock(mu_);
    stopped_ = true;
    cv_.notify_all();
    return ok;
  }
  log_.write("info", "listening",
             {{"listen", o.listen},
              {"port", std::int64_t{http_->port()}},
              {"io_threads", std::int64_t{o.io_threads}},
              {"worker_threads", std::int64_t{o.worker_threads}},
              {"version", std::string(kVersion)}});
  return {};
}

std::uint16_t ApiHost::port() const { return http_ ? http_->port() : 0; }

std::size_t ApiHost::connections() const { return http_ ? http_->connections() : 0; }

void ApiHost::stop() {
  {
    MutexLock lock(mu_);
    if (!started_ || stopped_) return;
    if (stopping_) {
      while (!stopped_) cv_.wait(mu_);
      return;
    }
    stopping_ = true;
  }
  http_->stop_accepting();
  const bool drained = http_->wait_idle(options_.drain_timeout_ms);
  if (!drained) {
    log_.write("warn", "drain_timeout",
               {{"connections", static_cast<std::int64_t>(http_->connections())}});
    http_->close_all();
  }
  // Renders still running finish (their responses go nowhere if their connection is closed);
  // queued ones are cancelled so their idempotency claims are released.
  workers_->shutdown(/*run_queued=*/false);
  http_->join();
  log_.write("info", "stopped", {{"drained", drained}});
  MutexLock lock(mu_);
  stopped_ = true;
  cv_.notify_all();
}

void ApiHost::wait() {
  MutexLock lock(mu_);
  while (!stopped_ && started_) cv_.wait(mu_);
}

}  // namespace atelier::api
