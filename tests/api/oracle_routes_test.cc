// Price-feed oracles over HTTP (routes_oracle.cc) on a SQLite store and a manual clock:
// the routes are documented, guarded by their scopes and valid OpenAPI 3.1 (judged by the npm
// validator); a feed is registered, reported to and read, trips and recovers; bad reports are
// clear errors that log nothing; a retried report with its Idempotency-Key is replayed, not
// recorded twice.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "api/api_keys.h"
#include "api/server.h"
#include "market/feeds.h"
#include "render/engine.h"
#include "store/blob_store.h"
#include "store/sqlite_store.h"
#include "test_client.h"
#include "test_support.h"

namespace atelier::api {
namespace {

using nlohmann::json;
using testing::Client;
using testing::Reply;
using Headers = std::vector<std::pair<std::string, std::string>>;

class OracleRoutes : public ::testing::Test {
 protected:
  testing::TempDir dir;
  ManualClock clock;
  std::unique_ptr<store::SqliteStore> db;
  std::unique_ptr<store::BlobStore> blobs;
  std::unique_ptr<render::Engine> engine;
  std::unique_ptr<market::Feeds> feeds;
  std::unique_ptr<Server> server;
  std::unique_ptr<Client> c;
  std::string admin_key, oracle_key, trade_key;

  void SetUp() override {
    auto data = store::open_data_dir(dir.path());
    ASSERT_TRUE(data) << data.error().to_string();
    db = std::move(*store::SqliteStore::open(data->db_path()));
    blobs = std::make_unique<store::BlobStore>(data->blobs_path());
    engine = std::make_unique<render::Engine>(*db, *blobs);
    feeds = std::make_unique<market::Feeds>(*db, clock);
    admin_key = create_api_key(*db, {"admin"}, "admin", clock)->secret;
    oracle_key = create_api_key(*db, {"oracle"}, "reporter", clock)->secret;
    trade_key = create_api_key(*db, {"trade"}, "trader", clock)->secret;
    ServerOptions options;
    options.listen = "127.0.0.1:0";
    options.log_sink = [](std::string_view) {};
    options.clock = &clock;
    options.feeds = feeds.get();
    server = std::make_unique<Server>(std::move(options), *engine);
    auto ok = server->start();
    ASSERT_TRUE(ok) << ok.error().to_string();
    c = std::make_unique<Client>(server->port());
  }
  void TearDown() override {
    c.reset();
    if (server) server->stop();
  }

  Headers auth(const std::string& key, Headers more = {}) {
    more.emplace_back("Authorization", "Bearer " + key);
    more.emplace_back("Content-Type", "application/json");
    return more;
  }
  Reply add_feed(const json& body, const std::string& key = {}) {
    return c->request("POST", "/v1/oracles/feeds", body.dump(),
                      auth(key.empty() ? admin_key : key));
  }
  Reply report(const std::string& feed, const json& body, Headers more = {}) {
    return c->request("POST", "/v1/oracles/feeds/" + feed + "/reports", body.dump(),
                      auth(oracle_key, std::move(more)));
  }
  json feed(const std::string& id) {
    auto r = c->get("/v1/oracles/feeds/" + id);  // Public: no key.
    EXPECT_EQ(r.status, 200) << r.body;
    return json::parse(r.body);
  }
  static std::string code(const Reply& r) { return json::parse(r.body)["error"]["code"]; }
  static std::string param(const Reply& r) {
    return json::parse(r.body)["error"].value("param", "");
  }
  std::int64_t now() const { return clock.now_ms(); }
};

const json kEthUsd = {{"id", "ETH-USD"}, {"max_age_ms", 60000}, {"max_deviation_bps", 200},
                      {"min_sources", 2}, {"sources", {"a", "b", "c"}}};

TEST_F(OracleRoutes, AreDocumentedGuardedByTheirScopesAndValidOpenApi) {
  auto doc = json::parse(server->openapi_json());
  const auto& paths = doc["paths"];
  ASSERT_TRUE(paths.contains("/v1/oracles/feeds"));
  EXPECT_EQ(paths["/v1/oracles/feeds"]["post"]["security"][0]["bearer"][0], "admin");
  EXPECT_EQ(paths["/v1/oracles/feeds/{id}/reports"]["post"]["security"][0]["bearer"][0], "oracle");
  EXPECT_TRUE(paths["/v1/oracles/feeds/{id}"]["get"]["security"].empty());
  for (const char* schema : {"Feed", "FeedPolicy", "FeedReport", "NewFeed", "NewFeedReport"}) {
    EXPECT_TRUE(doc["components"]["schemas"].contains(schema)) << schema;
  }
  // Without a key: 401. With keys lacking the scope: 403 (trade for both; oracle cannot register).
  EXPECT_EQ(c->request("POST", "/v1/oracles/feeds", kEthUsd.dump()).status, 401);
  EXPECT_EQ(c->request("POST", "/v1/oracles/feeds/ETH-USD/reports", "{}").status, 401);
  EXPECT_EQ(add_feed(kEthUsd, trade_key).status, 403);
  EXPECT_EQ(add_feed(kEthUsd, oracle_key).status, 403);
  EXPECT_EQ(c->request("POST", "/v1/oracles/feeds/ETH-USD/reports", "{}", auth(trade_key)).status,
            403);
  EXPECT_EQ(*db->log_size(), 0u);

  if (auto why = testing::node_tools_missing(); !why.empty()) GTEST_SKIP() << why;
  auto file = dir.path() / "openapi.json";
  testing::write_text(file, server->openapi_json());
  std::string out;
  EXPECT_EQ(testing::run_node_tool("validate-openapi.mjs", file, out), 0) << out;
}

TEST_F(OracleRoutes, RegisterReportAndReadAFeed) {
  auto created = add_feed(kEthUsd);
  ASSERT_EQ(created.status, 201) << created.body;
  json j = json::parse(created.body);
  EXPECT_EQ(j["id"], "ETH-USD");
  EXPECT_EQ(j["policy"]["sources"], json({"a", "b", "c"}));
  EXPECT_EQ(j["status"], "tripped");  // No reports yet: no price, no guess.
  EXPECT_EQ(j["code"], "oracle_circuit_open");
  EXPECT_EQ(add_feed(kEthUsd).status, 200);  // Again: the same feed, nothing logged.
  EXPECT_EQ(*db->log_size(), 1u);

  auto r =
      report("ETH-USD", {{"source", "a"}, {"price", "3012.45"}, {"observed_ms", now() - 2000}});
  ASSERT_EQ(r.status, 201) << r.body;
  json rep = json::parse(r.body);
  EXPECT_EQ(rep["feed"], "ETH-USD");
  EXPECT_EQ(rep["price"], "3012.45");
  EXPECT_EQ(rep["price_wad"], "3012450000000000000000");
  EXPECT_EQ(rep["received_ms"], now());
  ASSERT_EQ(
      report("ETH-USD", {{"source", "b"}, {"price", "3012.47"}, {"observed_ms", now()}}).status,
      201);
  // A key bound to a reporter's account reports only as that source.
  std::string c_key = create_api_key(*db, {"oracle"}, "reporter c", clock, "c")->secret;
  auto as_a = c->request("POST", "/v1/oracles/feeds/ETH-USD/reports",
                         json({{"source", "a"}, {"price", "1"}, {"observed_ms", now()}}).dump(),
                         auth(c_key));
  EXPECT_EQ(as_a.status, 403) << as_a.body;
  EXPECT_EQ(code(as_a), "source_not_yours");

  j = feed("ETH-USD");
  EXPECT_EQ(j["status"], "ok");
  EXPECT_EQ(j["price"], "3012.46");
  EXPECT_EQ(j["price_wad"], "3012460000000000000000");
  EXPECT_EQ(j["as_of_ms"], now() - 2000);
  EXPECT_EQ(j["used"], json({"a", "b"}));
  ASSERT_EQ(j["reports"].size(), 2u);
  EXPECT_EQ(j["reports"][0]["source"], "a");
  EXPECT_EQ(j["reports"][0]["log_index"], rep["log_index"]);

  // Reporters fall silent: the breaker trips by itself; a fresh pair of reports resets it.
  clock.advance_ms(60'001);
  j = feed("ETH-USD");
  EXPECT_EQ(j["status"], "tripped");
  EXPECT_FALSE(j.contains("price"));
  EXPECT_NE(j["reason"].get<std::string>().find("needed"), std::string::npos) << j["reason"];
  ASSERT_EQ(report("ETH-USD", {{"source", "a"}, {"price", "3100"}, {"observed_ms", now()}}).status,
            201);
  ASSERT_EQ(report("ETH-USD", {{"source", "c"}, {"price", "3102"}, {"observed_ms", now()}}).status,
            201);
  j = feed("ETH-USD");
  EXPECT_EQ(j["status"], "ok");
  EXPECT_EQ(j["price"], "3101");
  EXPECT_EQ(j["stale"], json({"b"}));

  // An admin replaces the policy: 200, logged.
  json looser = kEthUsd;
  looser["min_sources"] = 1;
  auto replaced = add_feed(looser);
  EXPECT_EQ(replaced.status, 200) << replaced.body;
  EXPECT_EQ(json::parse(replaced.body)["policy"]["min_sources"], 1);
  EXPECT_EQ(db->log_indexes("feed:ETH-USD")->size(), 6u);  // 2 registrations, 4 reports.
}

TEST_F(OracleRoutes, BadRequestsAreClearErrorsThatLogNothing) {
  ASSERT_EQ(add_feed(kEthUsd).status, 201);
  ASSERT_EQ(report("ETH-USD", {{"source", "a"}, {"price", "3000"}, {"observed_ms", now()}}).status,
            201);
  const auto size = *db->log_size();
  struct Case {
    std::string feed;
    json body;
    int status;
    std::string code, param;
  };
  const std::vector<Case> cases = {
      {"BTC-USD",
       {{"source", "a"}, {"price", "1"}, {"observed_ms", now()}},
       404,
       "unknown_feed",
       "feed"},
      {"ETH-USD",
       {{"source", "mallory"}, {"price", "1"}, {"observed_ms", now()}},
       400,
       "source_not_allowed",
       "source"},
      {"ETH-USD",
       {{"source", "b"}, {"price", "3,000"}, {"observed_ms", now()}},
       400,
       "invalid_number",
       "price"},
      {"ETH-USD",
       {{"source", "b"}, {"price", 3000}, {"observed_ms", now()}},
       400,
       "missing_field",
       "price"},
      {"ETH-USD", {{"source", "b"}, {"price", "3000"}}, 400, "missing_field", "observed_ms"},
      {"ETH-USD",
       {{"source", "b"}, {"price", "3000"}, {"observed_ms", now() + 60'000}},
       400,
       "report_from_future",
       "observed_ms"},
      {"ETH-USD",
       {{"source", "a"}, {"price", "3000"}, {"observed_ms", now() - 1}},
       409,
       "report_out_of_order",
       "observed_ms"},
      // Issue 14: unknown fields were ignored.
      {"ETH-USD",
       {{"source", "b"}, {"price", "3000"}, {"observed_ms", now()}, {"confidence", 1}},
       400,
       "unknown_field",
       "confidence"},
  };
  for (const auto& k : cases) {
    SCOPED_TRACE(k.body.dump());
    auto r = report(k.feed, k.body);
    EXPECT_EQ(r.status, k.status) << r.body;
    EXPECT_EQ(code(r), k.code) << r.body;
    EXPECT_EQ(param(r), k.param) << r.body;
  }
  const std::vector<std::pair<json, std::pair<std::string, std::string>>> bad_feeds = {
      {{{"id", "ETH"}, {"max_age_ms", 1}, {"max_deviation_bps", 1}, {"min_sources", 1}},
       {"invalid_feed_id", "id"}},
      {{{"id", "ETH-USD"}, {"max_age_ms", 1}, {"max_deviation_bps", 1}},
       {"missing_param", "min_sources"}},
      {{{"id", "ETH-USD"}, {"max_age_ms", 0}, {"max_deviation_bps", 1}, {"min_sources", 1}},
       {"value_out_of_range", "max_age_ms"}},
      {{{"id", "ETH-USD"}, {"max_age_ms", "60000"}, {"max_deviation_bps", 1}, {"min_sources", 1}},
       {"invalid_number", "max_age_ms"}},
      {{{"id", "ETH-USD"},
        {"max_age_ms", 1},
        {"max_deviation_bps", 1},
        {"min_sources", 1},
        {"source", {"a"}}},
       {"unknown_field", "source"}},
      {{{"id", "ETH-USD"},
        {"max_age_ms", 1},
        {"max_deviation_bps", 1},
        {"min_sources", 1},
        {"sources", {"a,b"}}},
       {"invalid_source", "sources"}},
      {{{"id", "ETH-USD"},
        {"max_age_ms", 1},
        {"max_deviation_bps", 1},
        {"min_sources", 1},
        {"sources", {"a", "a"}}},
       {"duplicate_source", "sources"}},
  };
  for (const auto& [body, want] : bad_feeds) {
    SCOPED_TRACE(body.dump());
    auto r = add_feed(body);
    EXPECT_EQ(r.status, 400) << r.body;
    EXPECT_EQ(code(r), want.first) << r.body;
    EXPECT_EQ(param(r), want.second) << r.body;
  }
  EXPECT_EQ(c->get("/v1/oracles/feeds/BTC-USD").status, 404);
  EXPECT_EQ(*db->log_size(), size);
  EXPECT_EQ(feed("ETH-USD")["policy"]["max_age_ms"], 60000);  // Unchanged.
}

TEST_F(OracleRoutes, ARetriedReportIsReplayedNotRecordedTwice) {
  ASSERT_EQ(add_feed(kEthUsd).status, 201);
  json body = {{"source", "a"}, {"price", "3000"}, {"observed_ms", now()}};
  auto first = report("ETH-USD", body, {{"Idempotency-Key", "rep-1"}});
  ASSERT_EQ(first.status, 201) << first.body;
  const auto size = *db->log_size();
  auto again = report("ETH-USD", body, {{"Idempotency-Key", "rep-1"}});
  EXPECT_EQ(again.status, 201);
  EXPECT_EQ(again.body, first.body);
  EXPECT_EQ(again.header("idempotent-replayed"), "true");
  EXPECT_EQ(*db->log_size(), size);
  body["price"] = "3001";
  auto reused = report("ETH-USD", body, {{"Idempotency-Key", "rep-1"}});
  EXPECT_EQ(reused.status, 422) << reused.body;
  EXPECT_EQ(code(reused), "idempotency_key_reused");
  EXPECT_EQ(*db->log_size(), size);
}

}  // namespace
}  // namespace atelier::api
