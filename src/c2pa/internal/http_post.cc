// http_post.cc — a bounded HTTP/1.1 POST with Boost.Beast (see http_post.h). The exchange runs
// asynchronously on a private io_context so that one deadline covers every step: Beast's
// synchronous calls have no timeouts.
#include "c2pa/internal/http_post.h"

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <charconv>
#include <chrono>

#include "core/version.h"

namespace atelier::c2pa::internal {
namespace {

namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;
using tcp = net::ip::tcp;
using Body = http::vector_body<std::uint8_t>;

constexpr std::size_t kResponseHeaderBytesMax = 16 << 10;

Error url_error(std::string_view url, const std::string& why) {
  return Error::invalid(
      "c2pa_tsa_url", "the time-stamp authority URL '" + std::string(url) + "' " + why, "c2pa_tsa");
}

bool starts_with_nocase(std::string_view s, std::string_view prefix) {
  if (s.size() < prefix.size()) return false;
  for (std::size_t i = 0; i < prefix.size(); ++i) {
    const char c = s[i] >= 'A' && s[i] <= 'Z' ? static_cast<char>(s[i] - 'A' + 'a') : s[i];
    if (c != prefix[i]) return false;
  }
  return true;
}

// One request on a private io_context; the handlers run on the calling thread inside run_for.
struct Exchange {
  net::io_context ioc;
  tcp::resolver resolver{ioc};
  beast::tcp_stream stream{ioc};
  beast::flat_buffer buffer;
  http::request<Body> request;
  http::response_parser<Body> parser;
  std::uint64_t body_bytes_max = 0;
  beast::error_code error;
  std::string failed_step;
  bool done = false;

  void finish(beast::error_code ec, const char* step) {
    error = ec;
    if (ec) failed_step = step;
    done = true;
    beast::error_code ignored;
    stream.socket().shutdown(tcp::socket::shutdown_both, ignored);
  }

  // resolve -> connect -> write -> read the header -> read the body -> finish.
  void start(const HttpUrl& url) {
    resolver.async_resolve(url.host, url.port,
                           [this](beast::error_code ec, tcp::resolver::results_type results) {
                             if (ec) return finish(ec, "resolving the host");
                             connect(results);
                           });
  }

  void connect(const tcp::resolver::results_type& results) {
    stream.async_connect(results, [this](beast::error_code ec, const tcp::endpoint&) {
      if (ec) return finish(ec, "connecting");
      http::async_write(stream, request, [this](beast::error_code ec, std::size_t) {
        if (ec) return finish(ec, "sending the request");
        read_header();
      });
    });
  }

  void read_header() {
    http::async_read_header(stream, buffer, parser, [this](beast::error_code ec, std::size_t) {
      if (ec) return finish(ec, "reading the response");
      // Beast 1.74 lets a Content-Length past body_limit through: checked here.
      if (parser.content_length() && *parser.content_length() > body_bytes_max) {
        return finish(http::error::body_limit, "reading the response");
      }
      http::async_read(stream, buffer, parser, [this](beast::error_code ec, std::size_t) {
        finish(ec, "reading the response");
      });
    });
  }
};

}  // namespace

Result<HttpUrl> parse_http_url(std::string_view url) {
  constexpr std::string_view kScheme = "http://";
  if (starts_with_nocase(url, "https://")) {
    return fail(url_error(url,
                          "uses https; atelier asks time-stamp authorities over plain http (the "
                          "token is signed and checked, the request carries only a hash)"));
  }
  if (!starts_with_nocase(url, kScheme)) return fail(url_error(url, "does not start with http://"));
  HttpUrl out;
  out.text = std::string(url);
  std::string_view rest = url.substr(kScheme.size());
  const std::size_t end = rest.find_first_of("/?#");
  std::string_view authority = rest.substr(0, end);
  std::string_view target = end == std::string_view::npos ? std::string_view{} : rest.substr(end);
  if (const auto hash = target.find('#'); hash != std::string_view::npos) {
    target = target.substr(0, hash);
  }
  if (authority.find('@') != std::string_view::npos) {
    return fail(url_error(url, "has user information; give only host, port and path"));
  }
  std::string_view port;
  if (!authority.empty() && authority.front() == '[') {
    const std::size_t close = authority.find(']');
    if (close == std::string_view::npos) return fail(url_error(url, "has an unclosed '['"));
    out.host = std::string(authority.substr(1, close - 1));
    std::string_view after = authority.substr(close + 1);
    if (!after.empty() && after.front() != ':') return fail(url_error(url, "has a bad host"));
    if (!after.empty()) port = after.substr(1);
  } else {
    const std::size_t colon = authority.find(':');
    out.host = std::string(authority.substr(0, colon));
    if (colon != std::string_view::npos) port = authority.substr(colon + 1);
  }
  if (out.host.empty()) return fail(url_error(url, "has no host"));
  out.port = "80";
  if (!port.empty() || authority.ends_with(":")) {
    unsigned value = 0;
    const auto [p, ec] = std::from_chars(port.data(), port.data() + port.size(), value);
    if (port.empty() || ec != std::errc{} || p != port.data() + port.size() || value == 0 ||
        value > 65535) {
      return fail(url_error(url, "has a bad port"));
    }
    out.port = std::to_string(value);
  }
  out.target = target.empty()          ? "/"
               : target.front() == '?' ? "/" + std::string(target)
                                       : std::string(target);
  return out;
}

Result<HttpResponse> http_post(const HttpUrl& url, std::string_view content_type,
                               std::span<const std::uint8_t> body, const HttpPostLimits& limits) {
  const auto timeout = std::chrono::milliseconds(limits.timeout_ms);
  auto unreachable = [&](const std::string& why) {
    return Error::internal("c2pa_tsa_unreachable",
                           "the time-stamp authority " + url.text + " " + why);
  };
  Exchange ex;
  ex.request = http::request<Body>(http::verb::post, url.target, 11);
  const bool ipv6 = url.host.find(':') != std::string::npos;
  std::string host = ipv6 ? "[" + url.host + "]" : url.host;
  if (url.port != "80") host += ":" + url.port;
  ex.request.set(http::field::host, host);
  ex.request.set(http::field::user_agent, "atelier/" + std::string(kVersion));
  ex.request.set(http::field::content_type, std::string(content_type));
  ex.request.set(http::field::connection, "close");
  ex.request.body().assign(body.begin(), body.end());
  ex.request.prepare_payload();
  ex.body_bytes_max = static_cast<std::uint64_t>(limits.response_bytes_max);
  ex.parser.body_limit(ex.body_bytes_max);  // bodies without a Content-Length
  ex.parser.header_limit(static_cast<std::uint32_t>(kResponseHeaderBytesMax));
  ex.stream.expires_after(timeout);  // connect, write and read
  ex.start(url);
  ex.ioc.run_for(timeout);  // resolution as well
  if (!ex.done) {
    // Still resolving: cancel, and let the handlers finish before the exchange goes away.
    ex.resolver.cancel();
    ex.stream.close();
    ex.ioc.run_for(std::chrono::milliseconds(200));
    return fail(unreachable("did not answer within " + std::to_string(limits.timeout_ms) + " ms"));
  }
  if (ex.error == beast::error::timeout) {
    return fail(unreachable("did not answer within " + std::to_string(limits.timeout_ms) + " ms (" +
                            ex.failed_step + ")"));
  }
  if (ex.error == http::error::body_limit) {
    return fail(unreachable("sent a response larger than " +
                            std::to_string(limits.response_bytes_max) + " bytes"));
  }
  if (ex.error) return fail(unreachable("failed " + ex.failed_step + ": " + ex.error.message()));
  auto& response = ex.parser.get();
  if (response.body().size() > ex.body_bytes_max) {
    return fail(unreachable("sent a response larger than " +
                            std::to_string(limits.response_bytes_max) + " bytes"));
  }
  HttpResponse out;
  out.status = response.result_int();
  out.content_type = std::string(response[http::field::content_type]);
  out.body = std::move(response.body());
  return out;
}

}  // namespace atelier::c2pa::internal
