#include "api/server.h"

#include <pthread.h>
#include <signal.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdlib>
#include <thread>

#include "api/internal/api_host.h"
#include "api/internal/openapi.h"
#include "api/internal/routes.h"
#include "core/mutex.h"
#include "core/version.h"
#include "render/engine.h"

namespace atelier::api {

namespace {
constexpr const char* kApiDescription =
    "atelier renders generative art deterministically and serves it.\n\n"
    "Conventions: errors are `{\"error\":{\"type\",\"code\",\"message\",\"param\"}}`; list "
    "endpoints take `?limit=1..100&cursor=` and return `{\"data\":[…],\"next_cursor\"}`; POSTs "
    "accept `Idempotency-Key`; every response carries `X-Request-Id` (send your own, up to 64 "
    "of [A-Za-z0-9._:-], or one is made); reads are public, mutations need `Authorization: "
    "Bearer <api key>` with the route's scope; per-key rate limits answer 429 with Retry-After; "
    "request bodies are limited to request_body_bytes_max (413).";
}  // namespace

struct Server::Impl {
  Impl(ServerOptions o, render::Engine& e)
      : options(std::move(o)),
        engine(e),
        log(*options.clock, options.log_sink),
        deps{engine,
             metrics,
             openapi,
             options.transparency_log,
             options.ledger,
             options.market,
             options.public_url.empty() ? "http://" + options.listen : options.public_url,
             options.feeds,
             options.issuer,
             &options.c2pa_anchors,
             options.registry,
             options.screening},
        routes(build_routes(deps)),
        host(routes, engine.store(), metrics, log, options) {
    auto doc = generate_openapi(routes, {"atelier API", kVersion, kApiDescription});
    // The table is code; a bad schema fragment is a bug that the tests catch.
    if (!doc) {
      log.write("error", "openapi_generation_failed", {{"error", doc.error().to_string()}});
      std::abort();
    }
    openapi = std::move(*doc);
  }

  // Signs a checkpoint whenever the log has grown past the latest one, every
  // checkpoint_interval_ms, so /checkpoint soon covers entries from any process.
  void start_checkpointer() {
    sign_if_grown();  // Before the first request: /checkpoint covers what other processes logged.
    checkpointer = std::thread([this] {
      sigset_t all;
      sigfillset(&all);
      pthread_sigmask(SIG_BLOCK, &all, nullptr);
      const auto interval =
          std::chrono::milliseconds(std::max<std::int64_t>(options.checkpoint_interval_ms, 10));
      while (!checkpointer_stopped_within(interval)) sign_if_grown();
    });
  }
  // Waits up to `interval` for stop_checkpointer(); true when it was called.
  bool checkpointer_stopped_within(std::chrono::milliseconds interval)
      ATELIER_EXCLUDES(checkpointer_mu) {
    const auto deadline = std::chrono::steady_clock::now() + interval;
    MutexLock lock(checkpointer_mu);
    while (!checkpointer_stop) {
      if (!checkpointer_cv.wait_until(checkpointer_mu, deadline)) return checkpointer_stop;
    }
    return true;
  }
  void stop_checkpointer() ATELIER_EXCLUDES(checkpointer_mu) {
    {
      MutexLock lock(checkpointer_mu);
      checkpointer_stop = true;
    }
    checkpointer_cv.notify_all();
    if (checkpointer.joinable()) checkpointer.join();
  }
  void sign_if_grown() {
    auto& store = engine.store();
    auto size = store.log_size();
    auto latest = store.latest_checkpoint();
    if (!size || !latest) return;
    if (*latest && (*latest)->size >= *size) return;
    if (*size == 0) return;
    if (auto r = store.checkpoint_now(); !r) {
      log.write("error", "checkpoint_failed", {{"error", r.error().to_string()}});
    }
  }

  ServerOptions options;
  render::Engine& engine;
  Metrics metrics;
  JsonLog log;
  std::string openapi;
  RouteDeps deps;
  RouteTable routes;
  ApiHost host;
  std::thread checkpointer;
  Mutex checkpointer_mu;
  CondVar checkpointer_cv;  // checkpointer_stop became true.
  bool checkpointer_stop ATELIER_GUARDED_BY(checkpointer_mu) = false;
};

Server::Server(ServerOptions options, render::Engine& engine)
    : impl_(std::make_unique<Impl>(std::move(options), engine)) {}

Server::~Server() { stop(); }

Result<void> Server::start() {
  ATELIER_TRY(impl_->host.start());
  if (impl_->options.transparency_log != nullptr) impl_->start_checkpointer();
  return {};
}
std::uint16_t Server::port() const { return impl_->host.port(); }
void Server::stop() {
  impl_->host.stop();
  impl_->stop_checkpointer();
}
void Server::wait() { impl_->host.wait(); }
const std::string& Server::openapi_json() const { return impl_->openapi; }

Result<void> serve_until_signal(ServerOptions options, render::Engine& engine,
                                std::function<void(std::uint16_t port)> on_listening) {
  // Block the signals before any server thread exists so that they inherit the mask and the
  // signals are taken only by sigwait below.
  sigset_t signals, previous;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, &previous);

  JsonLog log(*options.clock, options.log_sink);
  Server server(std::move(options), engine);
  if (auto ok = server.start(); !ok) {
    pthread_sigmask(SIG_SETMASK, &previous, nullptr);
    return ok;
  }
  if (on_listening) on_listening(server.port());
  int sig = 0;
  sigwait(&signals, &sig);
  log.write("info", "shutting_down",
            {{"signal", std::string(sig == SIGINT ? "SIGINT" : "SIGTERM")}});

  // Watchdog: a second signal, or the grace period running out, ends the process now.
  std::atomic<bool> done{false};
  std::thread watchdog([&] {
    const auto deadline =
        std::chrono::steady_clock::now() + std::chrono::milliseconds(kShutdownGraceMs);
    while (!done) {
      timespec poll{0, 100'000'000};
      if (sigtimedwait(&signals, nullptr, &poll) > 0 ||
          std::chrono::steady_clock::now() >= deadline) {
        if (done) return;
        log.write("warn", "forced_exit",
                  {{"reason", std::string("shutdown grace period over or second signal")}});
        std::_Exit(1);
      }
    }
  });
  server.stop();
  done = true;
  watchdog.join();
  pthread_sigmask(SIG_SETMASK, &previous, nullptr);
  return {};
}

}  // namespace atelier::api
