#include "api/internal/http_server.h"

#include <boost/asio/dispatch.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <charconv>
#include <ctime>
#include <future>
#include <iterator>
#include <limits>
#include <thread>
#include <unordered_map>

#include "api/internal/api_error.h"
#include "api/internal/http_framing.h"
#include "core/mutex.h"
#include "core/version.h"

namespace atelier::api {

namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;
using tcp = net::ip::tcp;

namespace {

constexpr std::size_t kReadChunkBytes = 8192;
constexpr std::int64_t kLingerMs = 1'000;
constexpr std::size_t kLingerBytesMax = 4 << 20;
constexpr std::int64_t kAcceptRetryMs = 50;  // After an accept error such as EMFILE.

// IMF-fixdate for the Date header, independent of the C locale.
std::string http_date(std::time_t t) {
  static constexpr const char* kDays[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
  static constexpr const char* kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                            "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[40];
  std::snprintf(buf, sizeof buf, "%s, %02d %s %04d %02d:%02d:%02d GMT", kDays[tm.tm_wday],
                tm.tm_mday, kMonths[tm.tm_mon], tm.tm_year + 1900, tm.tm_hour, tm.tm_min,
                tm.tm_sec);
  return buf;
}

bool is_disconnect(const beast::error_code& ec) {
  return ec == http::error::end_of_stream || ec == net::error::eof ||
         ec == net::error::operation_aborted || ec == net::error::connection_reset ||
         ec == net::error::broken_pipe || ec == net::error::bad_descriptor ||
         ec == http::error::partial_message;
}

std::size_t field_count(const http::request_header<>& h) {
  return static_cast<std::size_t>(std::distance(h.begin(), h.end()));
}

}  // namespace

std::optional<HostPort> parse_listen_address(std::string_view listen) {
  HostPort out;
  std::string_view port;
  if (!listen.empty() && listen.front() == '[') {
    auto close = listen.find(']');
    if (close == std::string_view::npos || close + 1 >= listen.size() || listen[close + 1] != ':') {
      return std::nullopt;
    }
    out.host = std::string(listen.substr(1, close - 1));
    port = listen.substr(close + 2);
  } else {
    auto colon = listen.rfind(':');
    if (colon == std::string_view::npos) return std::nullopt;
    out.host = std::string(listen.substr(0, colon));
    port = listen.substr(colon + 1);
    if (out.host.find(':') != std::string::npos) return std::nullopt;  // Unbracketed IPv6.
  }
  if (out.host.empty() || port.empty() || port.size() > 5) return std::nullopt;
  unsigned value = 0;
  auto r = std::from_chars(port.data(), port.data() + port.size(), value);
  if (r.ec != std::errc() || r.ptr != port.data() + port.size() || value > 65535)
    return std::nullopt;
  out.port = static_cast<std::uint16_t>(value);
  return out;
}

class Session;

struct HttpServer::Impl : std::enable_shared_from_this<HttpServer::Impl> {
  Impl(HttpServerOptions o, Pipeline& p, Metrics& m, const JsonLog& l)
      : options(std::move(o)), pipeline(p), metrics(m), log(l) {}

  HttpServerOptions options;
  Pipeline& pipeline;
  Metrics& metrics;
  const JsonLog& log;
  std::atomic<bool> stopping{false};
  std::uint16_t port = 0;

  mutable Mutex mu;
  CondVar cv;  // A session left `sessions`.
  std::unordered_map<Session*, std::weak_ptr<Session>> sessions ATELIER_GUARDED_BY(mu);
  std::unordered_map<std::string, std::int64_t> per_client
      ATELIER_GUARDED_BY(mu);  // Remote IP → sessions.
  // Orders sessions by when they began waiting for a request (the oldest is shed first).
  std::atomic<std::uint64_t> wait_seq{0};

  std::vector<std::thread> threads;
  // Declared last so it is destroyed first: pending handlers (and the sessions they own)
  // go away while the members above still exist.
  net::io_context ioc{1};
  std::optional<net::executor_work_guard<net::io_context::executor_type>> guard;
  std::optional<tcp::acceptor> acceptor;
  std::optional<net::steady_timer> accept_retry;

  void do_accept();
  void on_accept(beast::error_code ec, tcp::socket socket);
  bool add_session(Session* s, const std::shared_ptr<Session>& sp) ATELIER_EXCLUDES(mu);
  void remove_session(Session* s) ATELIER_EXCLUDES(mu);
  void forget_locked(Session* s) ATELIER_REQUIRES(mu);
  Session* sheddable_locked(const std::string* remote_ip) ATELIER_REQUIRES(mu);
  std::vector<std::shared_ptr<Session>> live_sessions() ATELIER_EXCLUDES(mu);
};

class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(tcp::socket&& socket, HttpServer::Impl& server)
      : stream_(std::move(socket)), server_(server), read_deadline_(stream_.get_executor()) {
    beast::error_code ec;
    auto ep = stream_.socket().remote_endpoint(ec);
    if (!ec) remote_ip_ = ep.address().to_string();
    waiting_since_ = server_.wait_seq.fetch_add(1);
    server_.metrics.add_connections(1);
  }
  const std::string& remote_ip() const { return remote_ip_; }
  // For shedding (read under Impl::mu while the session runs on its strand): whether it is
  // waiting for a complete request, whether it ever sent one, and since when it waits.
  bool waiting() const { return waiting_; }
  bool served() const { return served_; }
  std::uint64_t waiting_since() const { return waiting_since_; }
  ~Session() {
    server_.metrics.add_connections(-1);
    server_.remove_session(this);
  }

  void start() {
    net::dispatch(stream_.get_executor(),
                  beast::bind_front_handler(&Session::wait_for_request, shared_from_this()));
  }
  // On shutdown: close now unless a request is in progress (it will close after responding).
  void close_if_idle() {
    net::post(stream_.get_executor(), [self = shared_from_this()] {
      if (!self->busy_) self->close_now();
    });
  }
  void force_close() {
    net::post(stream_.get_executor(), [self = shared_from_this()] { self->close_now(); });
  }
  // Shed to make room for a new connection: close now if still without a complete request;
  // one that completed its request meanwhile is answered first and then closed.
  void shed() {
    net::post(stream_.get_executor(), [self = shared_from_this()] {
      self->shed_ = true;
      if (self->waiting_) self->close_now();
    });
  }

 private:
  using Ms = std::chrono::milliseconds;

  void wait_for_request() {
    busy_ = false;
    if (server_.stopping || shed_) return close_now();
    if (!waiting_) waiting_since_ = server_.wait_seq.fetch_add(1);
    waiting_ = true;
    if (buffer_.size() > 0) return read_header();  // Pipelined request already buffered.
    stream_.expires_after(Ms(server_.options.idle_timeout_ms));
    stream_.async_read_some(
        buffer_.prepare(kReadChunkBytes),
        beast::bind_front_handler(&Session::on_first_bytes, shared_from_this()));
  }

  void on_first_bytes(beast::error_code ec, std::size_t n) {
    if (ec) return close_now();  // Idle timeout, client gone, or shutdown.
    buffer_.commit(n);
    read_header();
  }

  void read_header() {
    busy_ = true;
    parser_.emplace();
    parser_->header_limit(static_cast<std::uint32_t>(server_.options.header_bytes_max));
    // No limit while the header is read (checked by hand once it is in, see the file
    // comment). Not boost::none: Boost 1.74 compares Content-Length against the optional, and
    // any length compares greater than an empty one.
    parser_->body_limit(std::numeric_limits<std::uint64_t>::max());
    stream_.expires_never();
    read_timed_out_ = false;
    read_deadline_.expires_after(Ms(server_.options.read_timeout_ms));
    read_deadline_.async_wait([self = shared_from_this()](beast::error_code ec) {
      if (ec) return;  // Cancelled: the request arrived in time.
      self->read_timed_out_ = true;
      beast::error_code ignored;
      self->stream_.socket().cancel(ignored);  // The pending read ends with operation_aborted.
    });
    parse_header();
  }

  // Feeds buffered bytes to the parser until the header is in, reading more as needed (what
  // http::async_read_header does, by hand so that the raw header can be checked for
  // obs-fold before Beast unfolds it). The parser keeps an incomplete header unconsumed and
  // reports header_limit once it has seen more than header_bytes_max without its end.
  void parse_header() {
    if (buffer_.size() > 0) {
      std::string_view raw(static_cast<const char*>(buffer_.data().data()), buffer_.size());
      if (auto bad = raw_head_error(raw)) return refuse(bad->status, bad->error);
      beast::error_code ec;
      const std::size_t used = parser_->put(buffer_.data(), ec);
      buffer_.consume(used);
      if (ec != http::error::need_more) return on_header(ec);
    }
    stream_.async_read_some(buffer_.prepare(kReadChunkBytes),
                            [self = shared_from_this()](beast::error_code ec, std::size_t n) {
                              if (ec == net::error::eof) ec = http::error::partial_message;
                              if (ec) return self->on_header(ec);
                              self->buffer_.commit(n);
                              self->parse_header();
                            });
  }

  void on_header(beast::error_code ec) {
    if (read_timed_out_) return refuse_timeout();
    if (ec == http::error::header_limit) {
      return refuse(431, Error{ErrorKind::kTooLarge,
                               "header_too_large",
                               "request header exceeds request_header_bytes_max (" +
                                   std::to_string(server_.options.header_bytes_max) + " bytes)",
                               {}});
    }
    if (ec == beast::error::timeout) return refuse_timeout();
    if (ec && is_disconnect(ec)) return close_now();
    // Beast's own framing checks (Content-Length with chunked, differing lengths) name the
    // header like ours do.
    if (ec == http::error::bad_transfer_encoding || ec == http::error::bad_content_length) {
      return refuse(400,
                    Error::invalid("bad_framing", "ambiguous message framing: " + ec.message(),
                                   ec == http::error::bad_transfer_encoding ? "Transfer-Encoding"
                                                                            : "Content-Length"));
    }
    if (ec)
      return refuse(400,
                    Error::invalid("malformed_request", "malformed HTTP request: " + ec.message()));
    const auto& head = parser_->get();
    if (auto bad = framing_error(framing_fields(head, head.version())))
      return refuse(bad->status, bad->error);
    header_fields_ = field_count(head);
    const auto max = static_cast<std::uint64_t>(server_.options.body_bytes_max);
    if (auto len = parser_->content_length(); len && *len > max) return refuse_too_large();
    parser_->body_limit(max);
    if (parser_->is_done()) return process();
    auto expect = parser_->get()[http::field::expect];
    if (iequals(std::string_view(expect.data(), expect.size()), "100-continue")) {
      auto cont = std::make_shared<http::response<http::empty_body>>(http::status::continue_, 11);
      http::async_write(stream_, *cont,
                        [self = shared_from_this(), cont](beast::error_code wec, std::size_t) {
                          if (wec) return self->close_now();
                          self->read_body();
                        });
      return;
    }
    read_body();
  }

  void read_body() {
    http::async_read(stream_, buffer_, *parser_,
                     beast::bind_front_handler(&Session::on_body, shared_from_this()));
  }

  void on_body(beast::error_code ec, std::size_t) {
    if (read_timed_out_) return refuse_timeout();
    if (ec == http::error::body_limit) return refuse_too_large();
    if (ec == beast::error::timeout) return refuse_timeout();
    if (ec && is_disconnect(ec)) return close_now();
    if (ec)
      return refuse(
          400, Error::invalid("malformed_request", "malformed HTTP request body: " + ec.message()));
    if (auto bad = trailer_error(header_fields_, field_count(parser_->get())))
      return refuse(bad->status, bad->error);
    process();
  }

  HttpRequest partial_request() const {
    HttpRequest r;
    const auto& h = parser_->get();
    r.method = std::string(h.method_string());
    r.target = std::string(h.target());
    for (const auto& f : h)
      r.headers.push_back({std::string(f.name_string()), std::string(f.value())});
    r.remote_ip = remote_ip_;
    return r;
  }

  void refuse_too_large() {
    refuse(413, Error{ErrorKind::kTooLarge, "request_too_large",
                      "request body exceeds request_body_bytes_max (" +
                          std::to_string(server_.options.body_bytes_max) + " bytes)",
                      "request_body_bytes_max"});
  }
  // A slow client gets 408 with Connection: close (the write has its own deadline, so a
  // client that does not read cannot hold the connection either).
  void refuse_timeout() {
    refuse(408,
           Error::invalid("request_timeout", "the request was not received within " +
                                                 std::to_string(server_.options.read_timeout_ms) +
                                                 " ms (read_timeout_ms)"));
  }

  void refuse(int status, const Error& error) {
    waiting_ = false;
    read_deadline_.cancel();
    unread_input_ = true;
    HttpRequest partial = parser_ ? partial_request() : HttpRequest{};
    head_ = false;
    keep_alive_ = false;
    write(server_.pipeline.refuse(partial, error, status));
  }

  void process() {
    waiting_ = false;
    served_ = true;
    read_deadline_.cancel();
    stream_.expires_never();
    auto msg = parser_->release();
    keep_alive_ = msg.keep_alive();
    head_ = msg.method() == http::verb::head;
    HttpRequest req;
    req.method = std::string(msg.method_string());
    req.target = std::string(msg.target());
    for (const auto& f : msg)
      req.headers.push_back({std::string(f.name_string()), std::string(f.value())});
    req.body = std::move(msg.body());
    req.remote_ip = remote_ip_;
    server_.pipeline.handle(std::move(req), [self = shared_from_this()](HttpResponse r) {
      net::post(self->stream_.get_executor(),
                [self, r = std::move(r)]() mutable { self->write(std::move(r)); });
    });
  }

  template <class Body>
  void fill(http::response<Body>& res, const HttpResponse& r, bool close) {
    res.result(static_cast<unsigned>(r.status));
    res.reason(std::string(status_reason(r.status)));
    res.set(http::field::server, std::string("atelier/") + kVersion);
    res.set(http::field::date, http_date(std::time(nullptr)));
    if (!r.content_type.empty()) res.set(http::field::content_type, r.content_type);
    for (const auto& h : r.headers) res.set(h.name, h.value);
    res.keep_alive(!close);
  }

  void write(HttpResponse r) {
    const bool close = r.close || !keep_alive_ || server_.stopping || shed_;
    stream_.expires_after(Ms(server_.options.read_timeout_ms));
    auto done = [self = shared_from_this(), close](beast::error_code ec, std::size_t) {
      self->res_.reset();
      if (ec) return self->close_now();
      if (close) return self->close_gracefully();
      self->wait_for_request();
    };
    const bool no_body = head_ || r.status == 304 || r.status == 204;
    if (!r.body_file.empty()) {
      http::file_body::value_type file;
      beast::error_code ec;
      file.open(r.body_file.c_str(), beast::file_mode::scan, ec);
      if (ec) {
        r = error_response(
            Error::internal("internal_error", "internal error (asset file unreadable)"));
      } else if (!no_body) {
        auto res = std::make_shared<http::response<http::file_body>>();
        fill(*res, r, close);
        res->body() = std::move(file);
        res->prepare_payload();
        res_ = res;
        return http::async_write(stream_, *res, std::move(done));
      } else {
        r.body.clear();
        auto res = std::make_shared<http::response<http::empty_body>>();
        fill(*res, r, close);
        if (r.status != 304) res->content_length(file.size());
        res_ = res;
        return http::async_write(stream_, *res, std::move(done));
      }
    }
    if (no_body) {
      auto res = std::make_shared<http::response<http::empty_body>>();
      fill(*res, r, close);
      if (r.status != 304 && r.status != 204) res->content_length(r.body.size());
      res_ = res;
      return http::async_write(stream_, *res, std::move(done));
    }
    auto res = std::make_shared<http::response<http::string_body>>();
    fill(*res, r, close);
    res->body() = std::move(r.body);
    res->prepare_payload();
    res_ = res;
    http::async_write(stream_, *res, std::move(done));
  }

  void close_gracefully() {
    beast::error_code ec;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ec);
    if (!unread_input_ || ec) return close_now();
    // Lingering close: drain what the client is still sending so it reads our response
    // instead of a connection reset.
    stream_.expires_after(Ms(kLingerMs));
    linger_buf_ = std::make_shared<std::array<char, kReadChunkBytes>>();
    do_linger();
  }

  void do_linger() {
    stream_.async_read_some(net::buffer(*linger_buf_),
                            [self = shared_from_this()](beast::error_code ec, std::size_t n) {
                              self->lingered_ += n;
                              if (ec || self->lingered_ > kLingerBytesMax) return self->close_now();
                              self->do_linger();
                            });
  }

  void close_now() {
    read_deadline_.cancel();
    beast::error_code ec;
    stream_.socket().shutdown(tcp::socket::shutdown_both, ec);
    stream_.close();
  }

  beast::tcp_stream stream_;
  HttpServer::Impl& server_;
  // The slow-client deadline for one request's header and body. A separate timer, not the
  // stream's own (which closes the socket when it fires), so that the client gets a 408.
  net::steady_timer read_deadline_;
  bool read_timed_out_ = false;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  std::string remote_ip_;
  bool busy_ = false;  // From the first byte of a request until its response is written.
  // Written on the strand, read under Impl::mu by the acceptor choosing whom to shed.
  std::atomic<bool> waiting_{true};  // No complete request in hand (idle or reading one).
  std::atomic<bool> served_{false};  // Has sent a complete request.
  std::atomic<std::uint64_t> waiting_since_{0};
  bool shed_ = false;  // Chosen to make room: close instead of waiting for another request.
  bool keep_alive_ = true;
  bool head_ = false;
  bool unread_input_ = false;  // A refused request left bytes unread.
  std::size_t header_fields_ = 0;  // Fields of the request's header (without trailer fields).
  std::shared_ptr<void> res_;  // The response being written.
  std::shared_ptr<std::array<char, kReadChunkBytes>> linger_buf_;
  std::size_t lingered_ = 0;
};

// Admission (see the file comment): a client over its own cap, or any client while the server
// is full, takes the place of the connection waiting longest for a request, preferring one
// from that client (over its cap) and one that never sent a request. Only when every
// candidate is busy with a request is the new connection refused.
bool HttpServer::Impl::add_session(Session* s, const std::shared_ptr<Session>& sp) {
  // Released after the lock: dropping the last reference runs ~Session, which takes mu.
  std::vector<std::shared_ptr<Session>> victims;
  {
    MutexLock lock(mu);
    const auto take_place_of = [&](Session* victim) {
      mu.assert_held();  // Called only under the lock above.
      if (victim == nullptr) return false;
      if (auto it = sessions.find(victim); it != sessions.end()) {
        victims.push_back(it->second.lock());  // Null when it is closing already.
      }
      forget_locked(victim);
      return true;
    };
    const std::int64_t per_client_max = options.connections_per_client_max;
    const auto own = per_client.find(s->remote_ip());
    if (per_client_max > 0 && own != per_client.end() && own->second >= per_client_max &&
        !take_place_of(sheddable_locked(&s->remote_ip()))) {
      return false;
    }
    if (static_cast<std::int64_t>(sessions.size()) >= options.connections_max &&
        !take_place_of(sheddable_locked(nullptr))) {
      return false;
    }
    sessions.emplace(s, sp);
    ++per_client[s->remote_ip()];
  }
  for (auto& v : victims) {
    metrics.add_connections_shed(1);
    if (v) v->shed();
  }
  return true;
}

// The session to shed: waiting for a request (never one mid-request), from `remote_ip` when
// given; one that never sent a request before one that has, then the longest waiting. Raw
// pointers only: a session in the map is alive while mu is held (~Session waits for mu to
// leave the map), and locking its weak_ptr here could drop the last reference under mu.
Session* HttpServer::Impl::sheddable_locked(const std::string* remote_ip) {
  Session* best = nullptr;
  for (auto& [sp, w] : sessions) {
    if (!sp->waiting() || (remote_ip && sp->remote_ip() != *remote_ip)) continue;
    if (!best || std::pair(sp->served(), sp->waiting_since()) <
                     std::pair(best->served(), best->waiting_since())) {
      best = sp;
    }
  }
  return best;
}

// Stops counting `s` (its slot is free from now on); safe to call twice.
void HttpServer::Impl::forget_locked(Session* s) {
  if (sessions.erase(s) == 0) return;
  auto it = per_client.find(s->remote_ip());
  if (it != per_client.end() && --it->second <= 0) per_client.erase(it);
}

void HttpServer::Impl::remove_session(Session* s) {
  {
    MutexLock lock(mu);
    forget_locked(s);
  }
  cv.notify_all();
}

std::vector<std::shared_ptr<Session>> HttpServer::Impl::live_sessions() {
  std::vector<std::shared_ptr<Session>> out;
  MutexLock lock(mu);
  for (auto& [_, w] : sessions) {
    if (auto sp = w.lock()) out.push_back(std::move(sp));
  }
  return out;
}

void HttpServer::Impl::do_accept() {
  acceptor->async_accept(net::make_strand(ioc),
                         beast::bind_front_handler(&Impl::on_accept, shared_from_this()));
}

void HttpServer::Impl::on_accept(beast::error_code ec, tcp::socket socket) {
  if (stopping || !acceptor->is_open()) return;
  if (ec) {
    log.write("warn", "accept_failed", {{"error", ec.message()}});
    accept_retry->expires_after(std::chrono::milliseconds(kAcceptRetryMs));
    accept_retry->async_wait([self = shared_from_this()](beast::error_code) {
      if (!self->stopping) self->do_accept();
    });
    return;
  }
  auto session = std::make_shared<Session>(std::move(socket), *this);
  if (add_session(session.get(), session)) {
    session->start();
  }
  // Else: full of busy connections; the session (and socket) is dropped here.
  do_accept();
}

HttpServer::HttpServer(HttpServerOptions options, Pipeline& pipeline, Metrics& metrics,
                       const JsonLog& log)
    : impl_(std::make_shared<Impl>(std::move(options), pipeline, metrics, log)) {}

HttpServer::~HttpServer() {
  if (!impl_->threads.empty()) {
    stop_accepting();
    close_all();
    join();
  }
}

Result<void> HttpServer::start() {
  auto hp = parse_listen_address(impl_->options.listen);
  if (!hp) {
    return fail(Error::invalid(
        "invalid_listen_address",
        "expected host:port (or [ipv6]:port), got \"" + impl_->options.listen + "\"", "listen"));
  }
  beast::error_code ec;
  tcp::resolver resolver(impl_->ioc);
  auto results = resolver.resolve(hp->host, std::to_string(hp->port),
                                  tcp::resolver::numeric_service | tcp::resolver::passive, ec);
  if (ec || results.empty()) {
    return fail(Error::invalid("invalid_listen_address",
                               "cannot resolve \"" + hp->host + "\": " + ec.message(), "listen"));
  }
  tcp::endpoint endpoint = results.begin()->endpoint();
  impl_->acceptor.emplace(net::make_strand(impl_->ioc));
  auto& acc = *impl_->acceptor;
  const auto failed = [&](const char* what) {
    return fail(Error::internal(
        "listen_failed", std::string(what) + " " + impl_->options.listen + ": " + ec.message()));
  };
  if (acc.open(endpoint.protocol(), ec); ec) return failed("cannot open");
  if (acc.set_option(net::socket_base::reuse_address(true), ec); ec)
    return failed("cannot configure");
  if (acc.bind(endpoint, ec); ec) return failed("cannot bind");
  if (acc.listen(net::socket_base::max_listen_connections, ec); ec)
    return failed("cannot listen on");
  impl_->port = acc.local_endpoint(ec).port();
  impl_->accept_retry.emplace(acc.get_executor());
  impl_->guard.emplace(impl_->ioc.get_executor());
  impl_->do_accept();
  int n = std::max(1, impl_->options.io_threads);
  for (int i = 0; i < n; ++i) impl_->threads.emplace_back([impl = impl_] { impl->ioc.run(); });
  return {};
}

std::uint16_t HttpServer::port() const { return impl_->port; }

std::size_t HttpServer::connections() const {
  MutexLock lock(impl_->mu);
  return impl_->sessions.size();
}

void HttpServer::stop_accepting() {
  if (impl_->stopping.exchange(true)) return;
  if (impl_->acceptor) {
    std::promise<void> closed;
    net::post(impl_->acceptor->get_executor(), [impl = impl_, &closed] {
      beast::error_code ec;
      impl->acceptor->close(ec);
      impl->accept_retry->cancel();
      closed.set_value();
    });
    if (!impl_->threads.empty()) closed.get_future().wait();
  }
  for (auto& s : impl_->live_sessions()) s->close_if_idle();
}

bool HttpServer::wait_idle(std::int64_t timeout_ms) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  MutexLock lock(impl_->mu);
  while (!impl_->sessions.empty()) {
    if (!impl_->cv.wait_until(impl_->mu, deadline)) return impl_->sessions.empty();
  }
  return true;
}

void HttpServer::close_all() {
  for (auto& s : impl_->live_sessions()) s->force_close();
}

void HttpServer::join() {
  if (impl_->threads.empty()) return;
  impl_->guard.reset();
  // Give force-closed sessions a moment to run their completion handlers and go away.
  (void)wait_idle(1'000);
  impl_->ioc.stop();
  for (auto& t : impl_->threads) t.join();
  impl_->threads.clear();
  // Run what completed meanwhile (aborted accepts, closed sessions) so the handlers that hold
  // this Impl or its sessions are released now rather than leaked.
  impl_->ioc.restart();
  impl_->ioc.poll();
}

}  // namespace atelier::api
