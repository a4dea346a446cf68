// http_server.h — the network side: Boost.Beast HTTP/1.1 over Asio, keep-alive, limits and
// timeouts, feeding complete requests to the Pipeline. Only http_server.cc includes Beast.
//
// Per connection (a strand each; `io_threads` threads run them all):
//   idle       waiting for the first byte of a request: idle_timeout_ms, then closed.
//   reading    header then body, together within read_timeout_ms (a trickle does not
//              extend it); a slow client gets 408 and the connection closes (the deadline
//              is a separate timer that cancels the read, so the response can still go out).
//              The header is read first, with the body limit off, so a Content-Length over
//              body_bytes_max is refused with 413 before any body byte is read, and
//              `Expect: 100-continue` is answered 413 instead of 100 Continue. A chunked body
//              is cut off at body_bytes_max (413). Header over header_bytes_max: 431.
//   handling   the Pipeline (maybe on a render worker); no timeout (renders have their own).
//   writing    within read_timeout_ms; then the next request, or close.
// Admission: at most connections_max connections, and connections_per_client_max from one
// remote IP. A connection that would pass either cap is not refused while a connection is
// waiting for a request: the longest-waiting one (preferring, over the per-client cap, the
// same client's, and one that never sent a request over an idle keep-alive one) is closed to
// make room. So a flood of half-open connections displaces itself, not the clients that send
// requests; a new connection is refused only when all are busy with a request.
//
// Framing (RFC 9112 §5.2, §6): a request whose body length two parsers could read differently
// (Transfer-Encoding not ending in a single chunked, with Content-Length, or in HTTP/1.0;
// repeated Content-Length; obs-fold; trailer fields) is answered 400 (501 for codings before
// chunked) and the connection closed, so no part of it is read as another request. The rules
// are in http_framing.h (pure functions, fuzzed by fuzz/http_fuzz.cc).
//
// A refused request closes the connection after the response; the rest of its body is read
// and discarded for up to 1 s (a "lingering close") so the client sees the response rather
// than a reset.
//
// Shutdown is in phases so the owner can drain render workers in between:
//   stop_accepting()   closes the listener and every idle connection; connections with a
//                      request in progress finish it and then close.
//   wait_idle(ms)      waits until no connection is left (true) or the time is up (false).
//   close_all()        closes every remaining connection now.
//   join()             stops the threads.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "api/internal/json_log.h"
#include "api/internal/metrics.h"
#include "api/internal/pipeline.h"
#include "core/error.h"
#include "core/limits.h"

namespace atelier::api {

struct HttpServerOptions {
  std::string listen = "127.0.0.1:8080";
  int io_threads = 2;
  std::int64_t read_timeout_ms = 30'000;
  std::int64_t idle_timeout_ms = 60'000;
  std::int64_t connections_max = limits::kConnectionsMax;
  std::int64_t connections_per_client_max = limits::kConnectionsPerClientMax;  // 0: no cap.
  std::int64_t body_bytes_max = limits::kRequestBodyBytesMax;
  std::int64_t header_bytes_max = limits::kRequestHeaderBytesMax;
};

class HttpServer {
 public:
  HttpServer(HttpServerOptions options, Pipeline& pipeline, Metrics& metrics, const JsonLog& log);
  ~HttpServer();  // Closes everything and joins if still running.
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // Errors: "invalid_listen_address" (kInvalidInput), "listen_failed" (kInternal).
  Result<void> start();
  std::uint16_t port() const;
  std::size_t connections() const;

  void stop_accepting();
  bool wait_idle(std::int64_t timeout_ms);
  void close_all();
  void join();

  struct Impl;  // Public only so that the connection class in the .cc can name it.

 private:
  std::shared_ptr<Impl> impl_;
};

// Splits "host:port" / "[v6]:port". nullopt when malformed or the port is not 0..65535.
struct HostPort {
  std::string host;
  std::uint16_t port = 0;
};
std::optional<HostPort> parse_listen_address(std::string_view listen);

}  // namespace atelier::api
