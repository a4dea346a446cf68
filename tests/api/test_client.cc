#include "test_client.h"

#include <poll.h>
#include <sys/socket.h>
#include <sys/time.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <chrono>
#include <stdexcept>

namespace atelier::api::testing {

namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;
using tcp = net::ip::tcp;

struct Client::Impl {
  net::io_context ioc;
  tcp::socket socket{ioc};
  beast::flat_buffer buffer;

  void set_timeout(int ms) {
    timeval tv{ms / 1000, (ms % 1000) * 1000};
    setsockopt(socket.native_handle(), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    setsockopt(socket.native_handle(), SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
  }
};

Client::Client(std::uint16_t port, int timeout_ms) : impl_(std::make_unique<Impl>()) {
  impl_->socket.connect(tcp::endpoint(net::ip::make_address("127.0.0.1"), port));
  impl_->set_timeout(timeout_ms);
}

Client::~Client() {
  beast::error_code ec;
  impl_->socket.shutdown(tcp::socket::shutdown_both, ec);
  impl_->socket.close(ec);
}

static Reply to_reply(http::response<http::string_body>& res) {
  Reply r;
  r.status = static_cast<int>(res.result_int());
  for (const auto& f : res) {
    std::string name(f.name_string());
    for (auto& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    r.headers[name] = std::string(f.value());
  }
  r.body = std::move(res.body());
  r.keep_alive = res.keep_alive();
  return r;
}

Reply Client::read_reply(bool head) {
  http::response_parser<http::string_body> parser;
  parser.body_limit(256u << 20);
  parser.skip(head);
  beast::error_code ec;
  http::read(impl_->socket, impl_->buffer, parser, ec);
  if (ec) throw std::runtime_error("read: " + ec.message());
  return to_reply(parser.get());
}

Reply Client::request(const std::string& method, const std::string& target, const std::string& body,
                      const std::vector<std::pair<std::string, std::string>>& headers) {
  http::request<http::string_body> req;
  req.method_string(method);
  req.target(target);
  req.version(11);
  req.set(http::field::host, "127.0.0.1");
  for (const auto& [k, v] : headers) req.set(k, v);
  req.body() = body;
  if (!body.empty() || method == "POST" || method == "PUT" || method == "PATCH")
    req.prepare_payload();
  beast::error_code ec;
  http::write(impl_->socket, req, ec);
  if (ec) throw std::runtime_error("write: " + ec.message());
  return read_reply(method == "HEAD");
}

void Client::send_raw(const std::string& bytes) {
  beast::error_code ec;
  net::write(impl_->socket, net::buffer(bytes), ec);
  if (ec) throw std::runtime_error("write: " + ec.message());
}

bool Client::wait_closed(int timeout_ms) { return read_until_closed(timeout_ms).has_value(); }

std::optional<std::string> Client::read_until_closed(int timeout_ms) {
  // poll() for the deadline: Asio's blocking read waits again after SO_RCVTIMEO's EAGAIN, so
  // a server that keeps the connection open would hold the test until its idle timeout.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  std::string out = beast::buffers_to_string(impl_->buffer.data());
  impl_->buffer.consume(impl_->buffer.size());
  char buf[4096];
  while (true) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    pollfd pfd{impl_->socket.native_handle(), POLLIN, 0};
    if (left.count() <= 0 || ::poll(&pfd, 1, static_cast<int>(left.count())) <= 0) {
      return std::nullopt;
    }
    beast::error_code ec;
    std::size_t n = impl_->socket.read_some(net::buffer(buf), ec);
    out.append(buf, n);
    if (ec == net::error::eof || ec == net::error::connection_reset) return out;
    if (ec) return std::nullopt;
  }
}

}  // namespace atelier::api::testing
