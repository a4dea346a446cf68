// host_fixture.h — a test's own route table served by a real ApiHost on a free loopback port,
// over the fake store: the fixture of the plumbing and hardening tests. A test class derives,
// adds its routes in add_routes(), and calls start().
#pragma once

#include <gtest/gtest.h>

#include <atomic>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "api/api_keys.h"
#include "api/internal/api_host.h"
#include "api/internal/router.h"
#include "fake_store.h"

namespace atelier::api::testing {

class HostFixture : public ::testing::Test {
 protected:
  // A gate slow handlers wait on; TearDown opens it so that no handler outlives the test.
  std::mutex gate_mu;
  std::condition_variable gate_cv;
  bool gate_open = false;
  std::atomic<int> slow_started{0};

  FakeStore store;
  ManualClock manual_clock;
  Metrics metrics;
  std::mutex log_mu;
  std::vector<std::string> log_lines;  // Every JSON log line the host wrote.
  std::unique_ptr<JsonLog> log;
  RouteTable routes;
  ServerOptions options;
  std::unique_ptr<ApiHost> host;
  std::string render_key;

  virtual void add_routes() = 0;

  void SetUp() override {
    options.listen = "127.0.0.1:0";
    options.clock = &manual_clock;
    options.rate_limit_per_minute = 0;
    log = std::make_unique<JsonLog>(manual_clock, [this](std::string_view line) {
      std::lock_guard lock(log_mu);
      log_lines.emplace_back(line);
    });
    add_routes();
    render_key = create_api_key(store, {"render"}, "render", manual_clock)->secret;
  }

  void TearDown() override {
    open_gate();
    if (host) host->stop();
  }

  void start() {
    host = std::make_unique<ApiHost>(routes, store, metrics, *log, options);
    auto ok = host->start();
    ASSERT_TRUE(ok) << ok.error().to_string();
    ASSERT_NE(host->port(), 0);
  }

  void open_gate() {
    std::lock_guard lock(gate_mu);
    gate_open = true;
    gate_cv.notify_all();
  }

  // A route with the fields the OpenAPI document needs; `{name}` segments become path params.
  static Route make(std::string method, std::string path, std::string scope, Handler h) {
    Route r;
    r.method = std::move(method);
    r.path = std::move(path);
    r.operation_id = r.method + r.path;
    r.summary = "test route";
    r.scope = std::move(scope);
    r.responses = {{200, "ok"}};
    r.handler = std::move(h);
    for (const auto& p : template_params(r.path))
      r.params.push_back({.name = p, .in = ParamIn::kPath});
    return r;
  }
};

}  // namespace atelier::api::testing
