// Regression tests for issue 14 part 0, the defects found when the service was attacked, over
// real sockets on a test route table: request smuggling through ambiguous framing, JSON bodies
// with a BOM or trailing NULs, and a flood of half-open connections.
#include <gtest/gtest.h>

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

namespace atelier::api {
namespace {

using nlohmann::json;
using testing::Client;
using testing::Reply;

class Hardening : public testing::HostFixture {
 protected:
  std::atomic<int> pings{0};

  void add_routes() override {
    routes.add(make("GET", "/v1/ping", "", [this](RequestContext&) -> Result<HttpResponse> {
      ++pings;
      return json_response({{"ok", true}});
    }));
    auto things = make("POST", "/v1/things", "", [](RequestContext& c) -> Result<HttpResponse> {
      return json_response({{"body", json::parse(c.request.body)}}, 201);
    });
    things.scope = "render";
    things.request_schema = R"({"type":"object"})";
    routes.add(things);
    auto slow = make("POST", "/v1/slow", "render", [this](RequestContext&) -> Result<HttpResponse> {
      ++slow_started;
      std::unique_lock lock(gate_mu);
      gate_cv.wait_for(lock, std::chrono::seconds(10), [&] { return gate_open; });
      return json_response({{"slow", true}});
    });
    slow.execution = Execution::kWorker;
    routes.add(slow);
  }

  // Sends `request` followed by a smuggled GET /v1/ping on the same connection: expects one
  // error response with Connection: close, then the connection closed with nothing more
  // (the smuggled request never answered, never run).
  void expect_refused_and_closed(const std::string& request, int status = 400) {
    Client c(host->port(), 3'000);
    const std::string smuggled = "GET /v1/ping HTTP/1.1\r\nHost: x\r\n\r\n";
    c.send_raw(request + smuggled);
    auto r = c.read_reply();
    EXPECT_EQ(r.status, status) << request << "\n" << r.body;
    EXPECT_FALSE(r.keep_alive) << request;
    auto j = json::parse(r.body, nullptr, false);
    ASSERT_TRUE(j.is_object()) << r.body;
    EXPECT_TRUE(j["error"]["param"].is_string()) << r.body;
    auto rest = c.read_until_closed(3'000);
    ASSERT_TRUE(rest.has_value()) << "connection left open after: " << request;
    EXPECT_EQ(rest->find("HTTP/1.1"), std::string::npos) << "smuggled request answered: " << *rest;
    EXPECT_EQ(pings, 0) << request;
  }
};

// --- request smuggling (RFC 9112 §6) -------------------------------------------------------

TEST_F(Hardening, TransferEncodingNotEndingInChunkedIsRefusedAndClosed) {
  start();
  // Each would frame the request without a body, so the bytes after the header (here the
  // smuggled GET) would run as a request of their own.
  for (const char* te : {"chunked, identity", "identity", "gzip", "chunked, gzip", "chunkedx"}) {
    SCOPED_TRACE(te);
    expect_refused_and_closed(std::string("POST /v1/things HTTP/1.1\r\nHost: x\r\n") +
                              "Transfer-Encoding: " + te + "\r\n\r\n");
  }
}

TEST_F(Hardening, ChunkedTwiceIsRefused) {
  start();
  expect_refused_and_closed(
      "POST /v1/things HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked, "
      "chunked\r\n\r\n0\r\n\r\n");
  expect_refused_and_closed(
      "POST /v1/things HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n"
      "Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n");
}

TEST_F(Hardening, TransferEncodingWithContentLengthIsRefused) {
  start();
  // Either order, and a Transfer-Encoding Beast does not treat as chunked (it then framed the
  // request by Content-Length).
  expect_refused_and_closed(
      "POST /v1/things HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: identity\r\n"
      "Content-Length: 2\r\n\r\n{}");
  expect_refused_and_closed(
      "POST /v1/things HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n"
      "Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n");
  expect_refused_and_closed(
      "POST /v1/things HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n"
      "Content-Length: 5\r\n\r\n0\r\n\r\n");
}

TEST_F(Hardening, CodingsBeforeChunkedAre501) {
  start();
  expect_refused_and_closed(
      "POST /v1/things HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\n",
      501);
}

TEST_F(Hardening, TransferEncodingInHttp10IsRefused) {
  start();
  expect_refused_and_closed(
      "POST /v1/things HTTP/1.0\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n");
}

TEST_F(Hardening, RepeatedOrConflictingContentLengthIsRefused) {
  start();
  expect_refused_and_closed(
      "POST /v1/things HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\nContent-Length: 2\r\n\r\n{}");
  expect_refused_and_closed(
      "POST /v1/things HTTP/1.1\r\nHost: x\r\nContent-Length: 2, 2\r\n\r\n{}");
  expect_refused_and_closed(
      "POST /v1/things HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\nContent-Length: 0\r\n\r\n{}");
}

// Found by http_fuzz: Beast merges trailer fields into the request's fields (unfolding
// obs-fold there too), so an Authorization or Content-Type that a proxy never saw in the
// header would reach the handlers. A chunked body with trailer fields is refused.
TEST_F(Hardening, TrailerFieldsAreRefused) {
  start();
  expect_refused_and_closed(
      "POST /v1/things HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
      "2\r\n{}\r\n0\r\nAuthorization: Bearer x\r\n\r\n");
  expect_refused_and_closed(
      "POST /v1/things HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
      "2\r\n{}\r\n0\r\nX: a\r\n b\r\n\r\n");
}

TEST_F(Hardening, ObsFoldIsRefused) {
  start();
  // A proxy that does not unfold sees "Transfer-Encoding: identity" and "X: y" apart.
  expect_refused_and_closed(
      "POST /v1/things HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\nX-Folded: a\r\n b\r\n\r\n{}");
  expect_refused_and_closed(
      "GET /v1/ping HTTP/1.1\r\nHost: x\r\nX-Folded:\r\n\tTransfer-Encoding: chunked\r\n\r\n");
}

TEST_F(Hardening, ChunkedBodyStillWorksAndKeepsTheConnection) {
  start();
  Client c(host->port(), 3'000);
  c.send_raw("POST /v1/things HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + render_key +
             "\r\nTransfer-Encoding: Chunked\r\n\r\n7\r\n{\"a\":1}\r\n0\r\n\r\n");
  auto r = c.read_reply();
  EXPECT_EQ(r.status, 201) << r.body;
  EXPECT_TRUE(r.keep_alive);
  EXPECT_EQ(json::parse(r.body)["body"]["a"], 1);
  EXPECT_EQ(c.get("/v1/ping").status, 200);
}

// --- JSON bodies ---------------------------------------------------------------------------

TEST_F(Hardening, BodyWithBomOrTrailingNulIs400NamingBody) {
  start();
  Client c(host->port(), 3'000);
  const std::vector<std::pair<std::string, std::string>> auth = {
      {"Authorization", "Bearer " + render_key}};
  for (const std::string& body :
       {std::string("\xEF\xBB\xBF{\"a\":1}"), std::string("{\"a\":1}\0", 8),
        std::string("{\"a\":1}\0\0\0", 10), std::string("{\"a\":1}\0 ", 9)}) {
    auto r = c.request("POST", "/v1/things", body, auth);
    EXPECT_EQ(r.status, 400) << r.body;
    auto j = json::parse(r.body);
    EXPECT_EQ(j["error"]["code"], "malformed_json") << r.body;
    EXPECT_EQ(j["error"]["param"], "body") << r.body;
  }
  EXPECT_EQ(c.request("POST", "/v1/things", "{\"a\":1}", auth).status, 201);
}

// --- connection floods ---------------------------------------------------------------------

// Opens `n` connections that never complete a request (some send nothing, some part of a
// header), and waits until the server has seen them all.
std::vector<std::unique_ptr<Client>> half_open(std::uint16_t port, int n) {
  std::vector<std::unique_ptr<Client>> out;
  for (int i = 0; i < n; ++i) {
    out.push_back(std::make_unique<Client>(port, 2'000));
    if (i % 2 == 1) out.back()->send_raw("GET /v1/ping HTTP/1.1\r\nHost: x\r\n");
  }
  return out;
}

TEST_F(Hardening, HalfOpenFloodFromOneClientDoesNotLockOutARequest) {
  options.connections_max = 64;
  options.connections_per_client_max = 16;
  start();
  // Loopback is one client: the flood is far over its cap and would fill the server too.
  auto flood = half_open(host->port(), 150);
  const auto t0 = std::chrono::steady_clock::now();
  Client good(host->port(), 1'000);
  auto r = good.get("/v1/ping");
  EXPECT_EQ(r.status, 200);
  EXPECT_LT(std::chrono::steady_clock::now() - t0, std::chrono::seconds(1));
  // The flood displaced its own oldest connections: the first ones are closed, and the server
  // holds no more than the cap from this client.
  EXPECT_TRUE(flood.front()->wait_closed(2'000));
  EXPECT_LE(host->connections(), 16u);
}

TEST_F(Hardening, FullServerShedsIdleConnectionsOldestFirst) {
  options.connections_max = 8;
  options.connections_per_client_max = 0;  // Only the global limit.
  start();
  auto flood = half_open(host->port(), 8);
  Client keep_alive_idle(host->port(), 2'000);
  ASSERT_EQ(keep_alive_idle.get("/v1/ping").status, 200);  // Took the oldest one's place.
  EXPECT_TRUE(flood[0]->wait_closed(2'000));
  // The next newcomer sheds a connection that never sent a request before the idle
  // keep-alive one that has.
  Client newcomer(host->port(), 2'000);
  EXPECT_EQ(newcomer.get("/v1/ping").status, 200);
  EXPECT_TRUE(flood[1]->wait_closed(2'000));
  EXPECT_EQ(keep_alive_idle.get("/v1/ping").status, 200);
  EXPECT_LE(host->connections(), 8u);
  EXPECT_NE(metrics.prometheus_text().find("atelier_http_connections_shed_total "),
            std::string::npos);
}

TEST_F(Hardening, ConnectionsBusyWithARequestAreNeverShed) {
  options.connections_max = 2;
  options.worker_threads = 2;
  start();
  std::vector<std::future<int>> busy;
  for (int i = 0; i < 2; ++i) {
    busy.push_back(std::async(std::launch::async, [&] {
      Client c(host->port(), 10'000);
      return c.request("POST", "/v1/slow", "", {{"Authorization", "Bearer " + render_key}}).status;
    }));
  }
  while (slow_started < 2) std::this_thread::sleep_for(std::chrono::milliseconds(5));
  Client extra(host->port(), 2'000);  // Nothing to shed: refused at accept.
  EXPECT_TRUE(extra.wait_closed(2'000));
  open_gate();
  for (auto& f : busy) EXPECT_EQ(f.get(), 200);
}

}  // namespace
}  // namespace atelier::api
