// server.h — the HTTP API server (`atelier serve`).
//
//   render::Engine engine(store, blobs);
//   api::Server server({.listen = "127.0.0.1:0"}, engine);
//   if (auto ok = server.start(); !ok) return ok.error();
//   std::printf("listening on %u\n", server.port());
//   ...
//   server.stop();   // graceful: in-flight requests finish, then connections close
//
// Routes, conventions (errors, pagination, idempotency keys, scopes, rate limits, request
// ids) and the generated OpenAPI 3.1 document are described in src/api/README.md.
//
// Threads: `io_threads` run the network (Boost.Asio); cheap handlers (lookups, asset bytes)
// run there too. Renders run on `worker_threads`, so a slow render never stalls other
// connections; the response is written back on the connection's strand.
//
// Thread-safety: start/stop/wait may be called from any thread, each at most once per
// Server, in that order (stop without start is allowed). The Engine must outlive the Server.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "core/clock.h"
#include "core/error.h"
#include "core/limits.h"

namespace atelier::render {
class Engine;
}
namespace atelier::provenance {
class Log;
}
namespace atelier::ledger {
class Ledger;
}
namespace atelier::market {
class Market;
class Feeds;
}

namespace atelier::c2pa {
class Issuer;
}  // namespace atelier::c2pa
namespace atelier::compliance {
class Registry;
class Screening;
}

namespace atelier::api {

struct ServerOptions {
  // host:port to listen on; port 0 picks a free one (read it back with port()). An IPv6 host
  // is written in brackets: "[::1]:8080".
  std::string listen = "127.0.0.1:8080";
  // Network threads. One is plenty for a studio; more help with many TLS-less keep-alive
  // clients fetching assets (each asset read is a blocking file read on this thread).
  int io_threads = 2;
  // Render threads. Each render holds a Lua state and a full-size canvas (a 2048² RGBA canvas
  // is 16 MiB), so more threads cost memory; renders beyond the queue get 503 server_busy.
  int worker_threads = 2;
  // Slow-client timeout: from the first byte of a request until its header and body have
  // arrived. Also bounds writing a response to a client that does not read.
  std::int64_t read_timeout_ms = 30'000;
  // A keep-alive connection with no request for this long is closed.
  std::int64_t idle_timeout_ms = 60'000;
  // Token bucket per API key: sustained rate, with a burst of one minute's allowance.
  // 0 turns per-key limits off.
  std::int64_t rate_limit_per_minute = 600;
  // Requests without a key (public reads: health, generators, assets, variants, the index
  // page), per client IP. Off (0) by default: public reads of content-addressed assets are
  // cheap and cacheable, and behind a reverse proxy every client shares the proxy's IP, so
  // this is a knob for a server exposed directly. Variant renders are bounded separately by
  // the worker queue.
  std::int64_t anonymous_rate_limit_per_minute = 0;
  // On stop(): how long in-flight requests get to finish before their connections are closed.
  std::int64_t drain_timeout_ms = 3'000;
  // Open connections, in all and from one remote IP (0: no per-client cap). Past either cap a
  // new connection takes the place of the longest-waiting connection that has no request in
  // progress (a half-open one first); it is closed at accept only when none is idle.
  std::int64_t connections_max = limits::kConnectionsMax;
  std::int64_t connections_per_client_max = limits::kConnectionsPerClientMax;
  // Renders waiting for a worker; more get 503 server_busy with Retry-After.
  std::int64_t render_queue_max = 64;
  // Injected time for rate limits and records.
  const Clock* clock = &SystemClock::instance();
  // The transparency log over the engine's store. When set, the server serves it (GET
  // /checkpoint, /tile/…, /v1/log/…), signs a checkpoint at start if the log has grown past
  // the latest one, and then every `checkpoint_interval_ms` while it keeps growing (commits
  // in between sign by the store's own policy). Must outlive the Server.
  provenance::Log* transparency_log = nullptr;
  std::int64_t checkpoint_interval_ms = 1'000;
  // Collections, tokens and accounts (GET /v1/collections/…, /v1/accounts/…) when set. Must
  // outlive the Server.
  ledger::Ledger* ledger = nullptr;
  // Listings and purchases (POST /v1/listings, …) when set. Must outlive the Server.
  market::Market* market = nullptr;
  // Price-feed oracles (POST /v1/oracles/feeds, …) when set. Must outlive the Server.
  market::Feeds* feeds = nullptr;
  // Content Credentials: a render's asset is served signed (made on its first request) when
  // set; `c2pa_anchors` (DER roots) decide "Trusted" in GET /v1/assets/{sha256}/c2pa. Must
  // outlive the Server.
  c2pa::Issuer* issuer = nullptr;
  std::vector<std::vector<std::uint8_t>> c2pa_anchors;
  // The registry of protected works (GET/POST /v1/compliance/…, scope compliance) when set.
  // Must outlive the Server.
  compliance::Registry* registry = nullptr;
  // Screening, decisions, reviews, policies and term lists (/v1/compliance/check, …, scope
  // compliance; GET /v1/assets/{sha256}/compliance) when set. Must outlive the Server.
  compliance::Screening* screening = nullptr;
  // The server's public base URL for absolute links in token metadata ("https://gallery.example").
  // Empty: "http://" + the listen address.
  std::string public_url;
  // Where structured JSON log lines go (one per request, plus start/stop); empty: stderr.
  std::function<void(std::string_view line)> log_sink;
};

class Server {
 public:
  // `engine` gives the store and blob store too. Builds the route table and the OpenAPI
  // document; binds nothing until start().
  Server(ServerOptions options, render::Engine& engine);
  ~Server();  // Stops if still running.
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Binds and starts the threads. Errors: "invalid_listen_address", "listen_failed".
  Result<void> start();
  // The bound port (after start()).
  std::uint16_t port() const;
  // Graceful: stops accepting, closes idle connections, lets in-flight requests finish (up
  // to drain_timeout_ms), then closes everything and joins the threads. Idempotent.
  void stop();
  // Blocks until stop() has completed (from another thread or a signal).
  void wait();

  // The generated OpenAPI 3.1 document (also served at GET /openapi.json).
  const std::string& openapi_json() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// Starts a server, logs where it listens, and runs until SIGINT or SIGTERM; then shuts down
// gracefully. If in-flight work (a long render) keeps it from finishing within
// kShutdownGraceMs of the signal, or a second signal arrives, the process exits at once
// (committed data is safe: SQLite in WAL mode treats it like a crash). `on_listening` (may be
// empty) is called with the bound port once the server accepts connections.
inline constexpr std::int64_t kShutdownGraceMs = 4'500;
Result<void> serve_until_signal(ServerOptions options, render::Engine& engine,
                                std::function<void(std::uint16_t port)> on_listening = {});

}  // namespace atelier::api
