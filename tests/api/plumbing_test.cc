// The HTTP conventions end to end over real sockets, on a test route table and an in-memory
// store (no render engine): errors, limits, auth, idempotency, pagination, rate limits,
// metrics, logs, timeouts, concurrency and graceful shutdown.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <future>
#include <nlohmann/json.hpp>
#include <thread>

#include "api/api_keys.h"
#include "api/internal/api_host.h"
#include "api/internal/handler_util.h"
#include "fake_store.h"
#include "host_fixture.h"
#include "test_client.h"
#include "test_support.h"

namespace atelier::api {
namespace {

using nlohmann::json;
using testing::Client;
using testing::Reply;
using Headers = std::vector<std::pair<std::string, std::string>>;

json body_of(const Reply& r) { return json::parse(r.body); }

void expect_error(const Reply& r, int status, const std::string& type, const std::string& code) {
  EXPECT_EQ(r.status, status) << r.body;
  EXPECT_EQ(r.header("content-type"), "application/json");
  auto j = json::parse(r.body, nullptr, false);
  ASSERT_FALSE(j.is_discarded()) << r.body;
  ASSERT_TRUE(j.contains("error")) << r.body;
  EXPECT_EQ(j["error"]["type"], type) << r.body;
  EXPECT_EQ(j["error"]["code"], code) << r.body;
  EXPECT_TRUE(j["error"]["message"].is_string());
  EXPECT_TRUE(j["error"].contains("param"));
  EXPECT_FALSE(r.header("x-request-id").empty());
}

class Plumbing : public testing::HostFixture {
 protected:
  std::int64_t slow_ms = 5'000;  // How long /v1/slow waits when its gate stays shut.
  std::atomic<int> things_created{0};
  std::string read_key, admin_key;

  void SetUp() override {
    HostFixture::SetUp();
    read_key = create_api_key(store, {"read"}, "read", manual_clock)->secret;
    admin_key = create_api_key(store, {"admin"}, "admin", manual_clock)->secret;
  }

  static Headers bearer(const std::string& key, Headers more = {}) {
    more.emplace_back("Authorization", "Bearer " + key);
    return more;
  }

  void add_routes() override {
    routes.add(make("GET", "/v1/ping", "", [](RequestContext&) -> Result<HttpResponse> {
      return json_response({{"ok", true}});
    }));
    routes.add(make("GET", "/v1/private", "read", [](RequestContext& c) -> Result<HttpResponse> {
      return json_response({{"key", c.principal->key_id}});
    }));
    auto items = make("GET", "/v1/items", "", [](RequestContext& c) -> Result<HttpResponse> {
      auto page = page_request(c);
      if (!page) return fail(page.error());
      std::size_t start = page->cursor.empty() ? 0 : std::stoul(page->cursor);
      json data = json::array();
      std::size_t i = start;
      for (; i < 45 && data.size() < static_cast<std::size_t>(page->limit); ++i) data.push_back(i);
      return page_response(std::move(data), i < 45 ? std::to_string(i) : "");
    });
    items.paginated = true;
    routes.add(items);
    routes.add(make("GET", "/v1/items/{id}", "", [](RequestContext& c) -> Result<HttpResponse> {
      return json_response({{"id", c.path_param("id")}});
    }));
    auto things =
        make("POST", "/v1/things", "render", [this](RequestContext& c) -> Result<HttpResponse> {
          int n = ++things_created;
          return json_response({{"n", n}, {"body", json::parse(c.request.body)}}, 201);
        });
    things.request_schema = R"({"type":"object"})";
    routes.add(things);
    routes.add(
        make("DELETE", "/v1/things/{id}", "admin", [](RequestContext&) -> Result<HttpResponse> {
          HttpResponse r;
          r.status = 204;
          return r;
        }));
    auto slow = make("POST", "/v1/slow", "render", [this](RequestContext&) -> Result<HttpResponse> {
      ++slow_started;
      std::unique_lock lock(gate_mu);
      gate_cv.wait_for(lock, std::chrono::milliseconds(slow_ms), [&] { return gate_open; });
      return json_response({{"slow", true}});
    });
    slow.execution = Execution::kWorker;
    routes.add(slow);
    routes.add(make("POST", "/v1/broken", "render", [](RequestContext&) -> Result<HttpResponse> {
      return fail(Error::internal("disk_on_fire", "/var/secret/path is on fire"));
    }));
    routes.add(make("GET", "/metrics", "", [this](RequestContext&) -> Result<HttpResponse> {
      HttpResponse r;
      r.content_type = std::string(Metrics::kContentType);
      r.body = metrics.prometheus_text();
      return r;
    }));
  }

  void wait_for(const std::function<bool()>& pred, int timeout_ms = 5'000) {
    auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
    while (!pred() && std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    ASSERT_TRUE(pred());
  }
};

TEST_F(Plumbing, UnknownRouteIs404JsonError) {
  start();
  Client c(host->port());
  auto r = c.get("/v1/nope");
  expect_error(r, 404, "not_found_error", "route_not_found");
  EXPECT_TRUE(body_of(r)["error"]["param"].is_null());
  EXPECT_EQ(r.header("cache-control"), "no-store");
  EXPECT_EQ(r.header("x-content-type-options"), "nosniff");
}

TEST_F(Plumbing, WrongMethodIs405WithAllow) {
  start();
  Client c(host->port());
  auto r = c.request("PUT", "/v1/ping", "{}");
  expect_error(r, 405, "invalid_request_error", "method_not_allowed");
  EXPECT_EQ(r.header("allow"), "GET, HEAD");
  auto p = c.request("GET", "/v1/things");
  EXPECT_EQ(p.status, 405);
  EXPECT_EQ(p.header("allow"), "POST");
}

TEST_F(Plumbing, HeadAnswersWithoutBody) {
  start();
  Client c(host->port());
  auto get = c.get("/v1/ping");
  auto head = c.request("HEAD", "/v1/ping");
  EXPECT_EQ(head.status, 200);
  EXPECT_TRUE(head.body.empty());
  EXPECT_EQ(head.header("content-length"), std::to_string(get.body.size()));
  EXPECT_EQ(c.get("/v1/ping").status, 200);  // The connection is still in sync.
}

TEST_F(Plumbing, RequestIdIsEchoedOrGenerated) {
  start();
  Client c(host->port());
  EXPECT_EQ(c.get("/v1/ping", {{"X-Request-Id", "trace-42.a:b_c"}}).header("x-request-id"),
            "trace-42.a:b_c");
  auto generated =
      c.get("/v1/ping", {{"X-Request-Id", "bad id with spaces"}}).header("x-request-id");
  EXPECT_TRUE(generated.starts_with("req_")) << generated;
  EXPECT_TRUE(c.get("/v1/ping").header("x-request-id").starts_with("req_"));
}

TEST_F(Plumbing, MalformedJsonIs400) {
  start();
  Client c(host->port());
  auto r = c.request("POST", "/v1/things", "{\"a\":", bearer(render_key));
  expect_error(r, 400, "invalid_request_error", "malformed_json");
  EXPECT_EQ(body_of(r)["error"]["param"], "body");
  expect_error(c.request("POST", "/v1/things", "", bearer(render_key)), 400,
               "invalid_request_error", "malformed_json");
  expect_error(c.request("POST", "/v1/things", "{\"a\":1,\"a\":2}", bearer(render_key)), 400,
               "invalid_request_error", "duplicate_key");
  EXPECT_EQ(things_created, 0);
  EXPECT_EQ(c.request("POST", "/v1/things", "{\"a\":1}", bearer(render_key)).status, 201);
}

TEST_F(Plumbing, BigContentLengthIs413BeforeTheBodyIsRead) {
  start();
  Client c(host->port());
  // Only the header is sent: a server that waited for the body would time out instead.
  c.send_raw("POST /v1/things HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + render_key +
             "\r\nContent-Type: application/json\r\nContent-Length: " +
             std::to_string(limits::kRequestBodyBytesMax + 1) + "\r\n\r\n");
  auto r = c.read_reply();
  expect_error(r, 413, "invalid_request_error", "request_too_large");
  EXPECT_EQ(body_of(r)["error"]["param"], "request_body_bytes_max");
  EXPECT_FALSE(r.keep_alive);
  EXPECT_TRUE(c.wait_closed(3'000));
  EXPECT_EQ(things_created, 0);
}

TEST_F(Plumbing, BodyAtTheLimitIsAccepted) {
  start();
  Client c(host->port());
  std::string body = "{\"pad\":\"" + std::string(limits::kRequestBodyBytesMax - 10, 'x') + "\"}";
  ASSERT_EQ(body.size(), static_cast<std::size_t>(limits::kRequestBodyBytesMax));
  EXPECT_EQ(c.request("POST", "/v1/things", body, bearer(render_key)).status, 201);
}

TEST_F(Plumbing, ExpectContinueGets413InsteadOf100) {
  start();
  Client c(host->port());
  c.send_raw("POST /v1/things HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + render_key +
             "\r\nExpect: 100-continue\r\nContent-Length: 5000000\r\n\r\n");
  auto r = c.read_reply();
  EXPECT_EQ(r.status, 413);
}

TEST_F(Plumbing, ExpectContinueWithinTheLimitGets100ThenTheResponse) {
  start();
  Client c(host->port());
  std::string body = "{\"x\":1}";
  c.send_raw("POST /v1/things HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + render_key +
             "\r\nExpect: 100-continue\r\nContent-Length: " + std::to_string(body.size()) +
             "\r\n\r\n");
  auto cont = c.read_reply();
  EXPECT_EQ(cont.status, 100);
  c.send_raw(body);
  EXPECT_EQ(c.read_reply().status, 201);
}

TEST_F(Plumbing, ChunkedBodyOverTheLimitIs413) {
  start();
  Client c(host->port());
  std::string req = "POST /v1/things HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + render_key +
                    "\r\nTransfer-Encoding: chunked\r\n\r\n";
  std::string chunk(64 * 1024, 'a');
  char size_line[32];
  std::snprintf(size_line, sizeof size_line, "%zx\r\n", chunk.size());
  for (int i = 0; i < 20; ++i) req += size_line + chunk + "\r\n";  // 1.25 MiB.
  req += "0\r\n\r\n";
  c.send_raw(req);
  auto r = c.read_reply();
  expect_error(r, 413, "invalid_request_error", "request_too_large");
  EXPECT_EQ(things_created, 0);
}

TEST_F(Plumbing, OversizedHeaderIs431) {
  start();
  Client c(host->port());
  auto r = c.get("/v1/ping", {{"X-Big", std::string(limits::kRequestHeaderBytesMax + 10, 'a')}});
  EXPECT_EQ(r.status, 431);
  EXPECT_EQ(body_of(r)["error"]["code"], "header_too_large");
}

TEST_F(Plumbing, GarbageRequestIs400AndClosed) {
  start();
  Client c(host->port());
  c.send_raw("THIS IS NOT HTTP\r\n\r\n");
  auto r = c.read_reply();
  expect_error(r, 400, "invalid_request_error", "malformed_request");
  EXPECT_TRUE(c.wait_closed(3'000));
}

TEST_F(Plumbing, ScopedRoutesNeedAKeyWithTheScope) {
  start();
  Client c(host->port());
  auto none = c.request("POST", "/v1/things", "{}");
  expect_error(none, 401, "authentication_error", "missing_api_key");
  EXPECT_EQ(none.header("www-authenticate"), "Bearer");
  expect_error(c.request("POST", "/v1/things", "{}", bearer(read_key)), 403, "permission_error",
               "missing_scope");
  expect_error(c.request("POST", "/v1/things", "{}", bearer(render_key + "x")), 401,
               "authentication_error", "invalid_api_key");
  expect_error(c.request("POST", "/v1/things", "{}", {{"Authorization", "Basic dXNlcjpwdw=="}}),
               401, "authentication_error", "invalid_authorization_header");
  EXPECT_EQ(things_created, 0);
  EXPECT_EQ(c.request("POST", "/v1/things", "{}", bearer(render_key)).status, 201);
  EXPECT_EQ(c.request("POST", "/v1/things", "{}", bearer(admin_key)).status,
            201);  // admin implies all.
  expect_error(c.request("DELETE", "/v1/things/1", "", bearer(render_key)), 403, "permission_error",
               "missing_scope");
  EXPECT_EQ(c.request("DELETE", "/v1/things/1", "", bearer(admin_key)).status, 204);
  // Scoped reads too; a bad key is refused even on a public route.
  expect_error(c.get("/v1/private"), 401, "authentication_error", "missing_api_key");
  EXPECT_EQ(c.get("/v1/private", bearer(read_key)).status, 200);
  expect_error(c.get("/v1/ping", bearer("atk_nope")), 401, "authentication_error",
               "invalid_api_key");
}

TEST_F(Plumbing, RevokedKeyIs401) {
  start();
  auto key = create_api_key(store, {"render"}, "", manual_clock);
  ASSERT_TRUE(key);
  ASSERT_TRUE(store.revoke_api_key(key->record.id));
  Client c(host->port());
  expect_error(c.request("POST", "/v1/things", "{}", bearer(key->secret)), 401,
               "authentication_error", "api_key_revoked");
}

TEST_F(Plumbing, IdempotencyKeyReplaysTheFirstResult) {
  start();
  Client c(host->port());
  auto first = c.request("POST", "/v1/things", "{\"a\":1}",
                         bearer(render_key, {{"Idempotency-Key", "k-1"}}));
  ASSERT_EQ(first.status, 201);
  EXPECT_TRUE(first.header("idempotent-replayed").empty());
  auto again = c.request("POST", "/v1/things", "{\"a\":1}",
                         bearer(render_key, {{"Idempotency-Key", "k-1"}}));
  EXPECT_EQ(again.status, 201);
  EXPECT_EQ(again.body, first.body);
  EXPECT_EQ(again.header("idempotent-replayed"), "true");
  EXPECT_EQ(things_created, 1);
  // Same key, another body: refused, nothing done.
  auto other = c.request("POST", "/v1/things", "{\"a\":2}",
                         bearer(render_key, {{"Idempotency-Key", "k-1"}}));
  expect_error(other, 422, "invalid_request_error", "idempotency_key_reused");
  EXPECT_EQ(body_of(other)["error"]["param"], "Idempotency-Key");
  EXPECT_EQ(things_created, 1);
  // Keys are scoped per API key: another key may use the same string.
  EXPECT_EQ(
      c.request("POST", "/v1/things", "{\"a\":2}", bearer(admin_key, {{"Idempotency-Key", "k-1"}}))
          .status,
      201);
  // Without the header every request runs.
  c.request("POST", "/v1/things", "{\"a\":1}", bearer(render_key));
  EXPECT_EQ(things_created, 3);
}

TEST_F(Plumbing, IdempotencyKeyIsValidated) {
  start();
  Client c(host->port());
  expect_error(c.request("POST", "/v1/things", "{}",
                         bearer(render_key, {{"Idempotency-Key", std::string(256, 'k')}})),
               400, "invalid_request_error", "invalid_idempotency_key");
  EXPECT_EQ(c.request("POST", "/v1/things", "{}",
                      bearer(render_key, {{"Idempotency-Key", std::string(255, 'k')}}))
                .status,
            201);
}

TEST_F(Plumbing, IdempotencyClaimIsReleasedOn5xx) {
  start();
  Client c(host->port());
  auto r = c.request("POST", "/v1/broken", "", bearer(render_key, {{"Idempotency-Key", "b-1"}}));
  expect_error(r, 500, "api_error", "internal_error");
  // Internals stay in the log, not in the response.
  EXPECT_EQ(r.body.find("/var/secret"), std::string::npos);
  EXPECT_NE(r.body.find(r.header("x-request-id")), std::string::npos);
  EXPECT_EQ(store.claims(), 0u);
  // A retry runs again rather than being told the key is in flight.
  EXPECT_EQ(
      c.request("POST", "/v1/broken", "", bearer(render_key, {{"Idempotency-Key", "b-1"}})).status,
      500);
  std::lock_guard lock(log_mu);
  bool logged = false;
  for (const auto& l : log_lines)
    logged |= l.find("/var/secret/path is on fire") != std::string::npos;
  EXPECT_TRUE(logged);
}

TEST_F(Plumbing, IdempotencyKeyInFlightIs409) {
  start();
  std::future<Reply> first = std::async(std::launch::async, [&] {
    Client c(host->port());
    return c.request("POST", "/v1/slow", "", bearer(render_key, {{"Idempotency-Key", "s-1"}}));
  });
  wait_for([&] { return slow_started.load() == 1; });
  Client c(host->port());
  expect_error(c.request("POST", "/v1/slow", "", bearer(render_key, {{"Idempotency-Key", "s-1"}})),
               409, "conflict_error", "idempotency_key_in_flight");
  open_gate();
  EXPECT_EQ(first.get().status, 200);
  EXPECT_EQ(slow_started, 1);
}

TEST_F(Plumbing, StoreFailureIs500WithoutDetails) {
  start();
  store.fail_claims = true;
  Client c(host->port());
  auto r = c.request("POST", "/v1/things", "{}", bearer(render_key, {{"Idempotency-Key", "x"}}));
  expect_error(r, 500, "api_error", "internal_error");
  EXPECT_EQ(r.body.find("injected"), std::string::npos);
  EXPECT_EQ(things_created, 0);
}

TEST_F(Plumbing, CursorPaginationWalksEveryItemOnce) {
  start();
  Client c(host->port());
  std::vector<int> seen;
  std::string target = "/v1/items?limit=10";
  int pages = 0;
  while (true) {
    auto r = c.get(target);
    ASSERT_EQ(r.status, 200) << r.body;
    auto j = body_of(r);
    ASSERT_TRUE(j["data"].is_array());
    for (auto& v : j["data"]) seen.push_back(v.get<int>());
    ++pages;
    if (j["next_cursor"].is_null()) break;
    target = "/v1/items?limit=10&cursor=" + j["next_cursor"].get<std::string>();
    ASSERT_LT(pages, 10);
  }
  EXPECT_EQ(pages, 5);
  ASSERT_EQ(seen.size(), 45u);
  for (int i = 0; i < 45; ++i) EXPECT_EQ(seen[i], i);
  EXPECT_EQ(body_of(c.get("/v1/items"))["data"].size(), 20u);  // Default page size.
  EXPECT_EQ(body_of(c.get("/v1/items?limit=100"))["data"].size(), 45u);
}

TEST_F(Plumbing, BadLimitIs400NamingLimit) {
  start();
  Client c(host->port());
  for (const char* bad : {"0", "101", "-1", "abc", "", "1.5", "99999999999999999999"}) {
    auto r = c.get(std::string("/v1/items?limit=") + bad);
    expect_error(r, 400, "invalid_request_error", "invalid_limit");
    EXPECT_EQ(body_of(r)["error"]["param"], "limit") << bad;
  }
  expect_error(c.get("/v1/items?cursor="), 400, "invalid_request_error", "invalid_cursor");
  expect_error(c.get("/v1/items?limit=%zz"), 400, "invalid_request_error", "invalid_query");
}

TEST_F(Plumbing, PerKeyRateLimitAnswers429WithRetryAfter) {
  options.rate_limit_per_minute = 3;
  start();
  Client c(host->port());
  for (int i = 0; i < 3; ++i) EXPECT_EQ(c.get("/v1/ping", bearer(read_key)).status, 200) << i;
  auto limited = c.get("/v1/ping", bearer(read_key));
  expect_error(limited, 429, "rate_limit_error", "rate_limited");
  EXPECT_EQ(limited.header("retry-after"), "20");
  // Other keys and anonymous reads are not affected.
  EXPECT_EQ(c.get("/v1/ping", bearer(render_key)).status, 200);
  for (int i = 0; i < 10; ++i) EXPECT_EQ(c.get("/v1/ping").status, 200);
  manual_clock.advance_ms(20'000);
  EXPECT_EQ(c.get("/v1/ping", bearer(read_key)).status, 200);
  EXPECT_EQ(c.get("/v1/ping", bearer(read_key)).status, 429);
}

TEST_F(Plumbing, AnonymousRateLimitIsPerClientIp) {
  options.anonymous_rate_limit_per_minute = 2;
  start();
  Client c(host->port());
  EXPECT_EQ(c.get("/v1/ping").status, 200);
  EXPECT_EQ(c.get("/v1/ping").status, 200);
  auto r = c.get("/v1/ping");
  EXPECT_EQ(r.status, 429);
  EXPECT_EQ(r.header("retry-after"), "30");
  EXPECT_EQ(c.get("/v1/ping", bearer(read_key)).status, 200);  // Keys have their own bucket.
}

TEST_F(Plumbing, MetricsUseRouteTemplatesAndParse) {
  start();
  Client c(host->port());
  c.get("/v1/items/abc");
  c.get("/v1/items/def");
  c.get("/v1/nope/1");
  c.get("/v1/nope/2");
  auto r = c.get("/metrics");
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(r.header("content-type"), std::string(Metrics::kContentType));
  const auto& t = r.body;
  EXPECT_NE(
      t.find(
          "atelier_http_requests_total{route=\"/v1/items/{id}\",method=\"GET\",status=\"200\"} 2"),
      std::string::npos)
      << t;
  EXPECT_NE(
      t.find("atelier_http_requests_total{route=\"unmatched\",method=\"GET\",status=\"404\"} 2"),
      std::string::npos)
      << t;
  EXPECT_EQ(t.find("/v1/items/abc"), std::string::npos);  // Never the raw path.
  EXPECT_NE(t.find("atelier_http_request_duration_seconds_count{route=\"/v1/items/{id}\"} 2"),
            std::string::npos);
  EXPECT_NE(t.find("atelier_http_connections_open 1"), std::string::npos);
  EXPECT_NE(t.find("atelier_http_requests_in_flight 1"), std::string::npos);  // This request.
  if (auto why = testing::node_tools_missing(); !why.empty()) GTEST_SKIP() << why;
  testing::TempDir dir;
  testing::write_text(dir.path() / "m.txt", t);
  std::string out;
  EXPECT_EQ(testing::run_node_tool("validate-prometheus.mjs", dir.path() / "m.txt", out), 0) << out;
}

TEST_F(Plumbing, OneStructuredLogLinePerRequest) {
  start();
  Client c(host->port());
  c.get("/v1/items/7", bearer(read_key, {{"X-Request-Id", "log-test-1"}}));
  std::vector<std::string> lines;
  {
    std::lock_guard lock(log_mu);
    lines = log_lines;
  }
  json found;
  for (const auto& l : lines) {
    auto j = json::parse(l, nullptr, false);
    ASSERT_FALSE(j.is_discarded()) << l;
    ASSERT_TRUE(j.contains("ts") && j.contains("level") && j.contains("msg")) << l;
    if (j.value("request_id", "") == "log-test-1") found = j;
  }
  ASSERT_FALSE(found.is_null());
  EXPECT_EQ(found["msg"], "request");
  EXPECT_EQ(found["level"], "info");
  EXPECT_EQ(found["method"], "GET");
  EXPECT_EQ(found["route"], "/v1/items/{id}");
  EXPECT_EQ(found["status"], 200);
  EXPECT_TRUE(found["duration_ms"].is_number());
  EXPECT_TRUE(found["key_id"].get<std::string>().starts_with("atk_"));
  EXPECT_TRUE(found["ts"].get<std::string>().ends_with("Z"));
  // The secret never reaches the log.
  for (const auto& l : lines) EXPECT_EQ(l.find(read_key), std::string::npos);
}

TEST_F(Plumbing, RenderQueueFullIs503WithRetryAfter) {
  options.worker_threads = 1;
  options.render_queue_max = 1;
  start();
  auto a = std::async(std::launch::async, [&] {
    Client c(host->port());
    return c.request("POST", "/v1/slow", "", bearer(render_key)).status;
  });
  wait_for([&] { return slow_started.load() == 1; });
  auto b = std::async(std::launch::async, [&] {
    Client c(host->port());
    return c.request("POST", "/v1/slow", "", bearer(render_key)).status;
  });
  // Once b is in flight too (queued behind a), a third request finds the queue full.
  wait_for([&] {
    return metrics.prometheus_text().find("atelier_http_requests_in_flight 2\n") !=
           std::string::npos;
  });
  Client c(host->port());
  auto r = c.request("POST", "/v1/slow", "", bearer(render_key));
  expect_error(r, 503, "api_error", "server_busy");
  EXPECT_EQ(r.header("retry-after"), "1");
  open_gate();
  EXPECT_EQ(a.get(), 200);
  EXPECT_EQ(b.get(), 200);
}

TEST_F(Plumbing, ManyConcurrentKeepAliveConnections) {
  start();
  constexpr int kClients = 200, kRequestsEach = 5, kThreads = 8;
  std::vector<std::unique_ptr<Client>> clients;
  for (int i = 0; i < kClients; ++i) clients.push_back(std::make_unique<Client>(host->port()));
  std::atomic<int> ok{0}, failed{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int round = 0; round < kRequestsEach; ++round) {
        for (int i = t; i < kClients; i += kThreads) {
          try {
            auto r = clients[i]->get("/v1/items/" + std::to_string(i));
            (r.status == 200 && r.keep_alive && json::parse(r.body)["id"] == std::to_string(i))
                ? ++ok
                : ++failed;
          } catch (const std::exception&) {
            ++failed;
          }
        }
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(ok, kClients * kRequestsEach);
  EXPECT_EQ(failed, 0);
  // All of them were open at once, on their own connections.
  auto m = clients[0]->get("/metrics").body;
  EXPECT_NE(m.find("atelier_http_connections_open " + std::to_string(kClients)), std::string::npos);
}

// Connection limits (shedding idle connections, per-client caps): hardening_test.cc.

TEST_F(Plumbing, SlowClientGets408AndIsDisconnectedAfterTheReadTimeout) {
  options.read_timeout_ms = 300;
  start();
  Client c(host->port());
  auto t0 = std::chrono::steady_clock::now();
  c.send_raw("GET /v1/ping HTTP/1.1\r\nHost: x\r\nX-Slow:");  // Never finishes the header.
  auto reply = c.read_reply();
  EXPECT_EQ(reply.status, 408);
  EXPECT_NE(reply.body.find("request_timeout"), std::string::npos) << reply.body;
  EXPECT_TRUE(c.wait_closed(3'000));
  auto elapsed = std::chrono::steady_clock::now() - t0;
  EXPECT_GE(elapsed, std::chrono::milliseconds(250));
  EXPECT_LT(elapsed, std::chrono::milliseconds(3'000));
  wait_for(
      [&] { return metrics.prometheus_text().find("status=\"408\"} 1") != std::string::npos; });
}

TEST_F(Plumbing, SlowBodyIsDisconnected) {
  options.read_timeout_ms = 300;
  start();
  Client c(host->port());
  c.send_raw("POST /v1/things HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + render_key +
             "\r\nContent-Length: 100\r\n\r\n{\"a\":");
  EXPECT_EQ(c.read_reply().status, 408);  // The body never completes: 408, then close.
  EXPECT_TRUE(c.wait_closed(3'000));
  EXPECT_EQ(things_created, 0);
}

TEST_F(Plumbing, ATrickleDoesNotExtendTheReadTimeout) {
  options.read_timeout_ms = 400;
  start();
  Client c(host->port());
  auto t0 = std::chrono::steady_clock::now();
  c.send_raw("GET /v1/ping HTTP/1.1\r\n");
  bool closed = false;
  for (int i = 0; i < 30 && !closed; ++i) {  // A byte every 100 ms, never the end.
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    try {
      c.send_raw("X");
    } catch (const std::exception&) {
      closed = true;
    }
  }
  if (!closed) closed = c.wait_closed(1'000);
  EXPECT_TRUE(closed);
  EXPECT_LT(std::chrono::steady_clock::now() - t0, std::chrono::milliseconds(2'500));
}

TEST_F(Plumbing, IdleKeepAliveConnectionIsClosed) {
  options.idle_timeout_ms = 300;
  start();
  Client c(host->port());
  EXPECT_EQ(c.get("/v1/ping").status, 200);
  auto t0 = std::chrono::steady_clock::now();
  EXPECT_TRUE(c.wait_closed(3'000));
  EXPECT_GE(std::chrono::steady_clock::now() - t0, std::chrono::milliseconds(250));
  Client silent(host->port());  // Never sends a byte.
  EXPECT_TRUE(silent.wait_closed(3'000));
}

TEST_F(Plumbing, GracefulStopFinishesInFlightRequests) {
  slow_ms = 400;  // The in-flight request finishes on its own during the drain.
  start();
  const auto port = host->port();
  Client idle(port);
  EXPECT_EQ(idle.get("/v1/ping").status, 200);
  auto in_flight = std::async(std::launch::async, [&] {
    Client c(port);
    return c.request("POST", "/v1/slow", "", bearer(render_key));
  });
  wait_for([&] { return slow_started.load() == 1; });
  auto t0 = std::chrono::steady_clock::now();
  auto stopper = std::async(std::launch::async, [&] { host->stop(); });
  EXPECT_TRUE(idle.wait_closed(2'000));  // Idle connections are closed at once.
  auto r = in_flight.get();
  EXPECT_EQ(r.status, 200) << r.body;  // The in-flight request completed…
  EXPECT_FALSE(r.keep_alive);          // …and its connection closes after it.
  stopper.get();
  EXPECT_LT(std::chrono::steady_clock::now() - t0, std::chrono::milliseconds(2'500));
  // Nothing listens any more.
  EXPECT_THROW(Client late(port), std::exception);
}

TEST_F(Plumbing, StopGivesUpOnRequestsPastTheDrainTimeout) {
  options.drain_timeout_ms = 200;
  slow_ms = 1'000;
  start();
  auto in_flight = std::async(std::launch::async, [&] {
    Client c(host->port());
    try {
      return c.request("POST", "/v1/slow", "", bearer(render_key)).status;
    } catch (const std::exception&) {
      return -1;  // Connection closed under it: expected.
    }
  });
  wait_for([&] { return slow_started.load() == 1; });
  auto t0 = std::chrono::steady_clock::now();
  host->stop();
  // Stop waits for the running handler (it cannot be interrupted) but no longer than that.
  EXPECT_LT(std::chrono::steady_clock::now() - t0, std::chrono::milliseconds(2'000));
  EXPECT_EQ(in_flight.get(), -1);
}

TEST_F(Plumbing, StopWithoutStartAndTwiceIsFine) {
  host = std::make_unique<ApiHost>(routes, store, metrics, *log, options);
  host->stop();
  start();
  host->stop();
  host->stop();
}

TEST_F(Plumbing, BadListenAddressIsAnError) {
  options.listen = "nonsense";
  host = std::make_unique<ApiHost>(routes, store, metrics, *log, options);
  auto r = host->start();
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, "invalid_listen_address");
}

}  // namespace
}  // namespace atelier::api
