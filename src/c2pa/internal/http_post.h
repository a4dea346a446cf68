// http_post.h — one bounded HTTP/1.1 POST, for asking a time-stamp authority (RFC 3161 §3.4).
//
// Plain http:// only: a time-stamp token is signed by the authority and checked here, so the
// transport adds no integrity, and the request carries only a hash. Every exchange has a
// deadline (resolution, connect, write and read together) and a cap on the response body.
//
//   auto url = parse_http_url("http://tsa.example:8080/tsr");
//   auto r = http_post(*url, "application/timestamp-query", body, {.timeout_ms = 10'000});
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.h"

namespace atelier::c2pa::internal {

struct HttpUrl {
  std::string text;    // as given, for messages
  std::string host;    // a name or an IP literal (IPv6 without its brackets)
  std::string port;    // "80" unless given
  std::string target;  // the path and query, "/" when empty
};

// "http://host[:port][/path]". Errors ("c2pa_tsa_url", field c2pa_tsa): another scheme (https
// included), user info, no host, a bad port.
Result<HttpUrl> parse_http_url(std::string_view url);

struct HttpPostLimits {
  std::int64_t timeout_ms = 10'000;           // the whole exchange
  std::int64_t response_bytes_max = 1 << 20;  // the body; a longer one is an error
};

struct HttpResponse {
  unsigned status = 0;
  std::string content_type;
  std::vector<std::uint8_t> body;
};

// POSTs `body` and reads the whole response (any status). Errors name the URL: code
// "c2pa_tsa_unreachable" (resolution, connection, timeout, a broken or oversized response).
Result<HttpResponse> http_post(const HttpUrl& url, std::string_view content_type,
                               std::span<const std::uint8_t> body, const HttpPostLimits& limits);

}  // namespace atelier::c2pa::internal
