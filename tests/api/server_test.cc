// The real API: atelier's route table on a SQLite store and the render engine, over HTTP.
// Walks the route table (scopes, docs), validates the generated OpenAPI document and the
// metrics with third-party npm tools, and exercises renders, assets, variants, generators,
// pagination and the index page end to end.
#include "api/server.h"

#include <gtest/gtest.h>
#include <pthread.h>
#include <signal.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <future>
#include <nlohmann/json.hpp>
#include <regex>
#include <set>
#include <thread>

#include "api/api_keys.h"
#include "api/internal/openapi.h"
#include "api/internal/routes.h"
#include "c2pa/container.h"
#include "c2pa/credentials.h"
#include "c2pa/issuer.h"
#include "c2pa/manifest.h"
#include "core/hash.h"
#include "core/merkle.h"
#include "ledger/ledger.h"
#include "market/listings.h"
#include "provenance/log.h"
#include "render/codec.h"
#include "render/engine.h"
#include "store/sqlite_store.h"
#include "test_client.h"
#include "test_support.h"

namespace atelier::api {
namespace {

using nlohmann::json;
using testing::Client;
using testing::Reply;
using Headers = std::vector<std::pair<std::string, std::string>>;

const std::string kToken1 = "0x" + std::string(63, '1') + "a";
const std::string kToken2 = "0x" + std::string(63, '2') + "b";
const std::string kToken3 = "0x" + std::string(63, '3') + "c";

class ApiServer : public ::testing::Test {
 protected:
  testing::TempDir dir;
  std::unique_ptr<store::SqliteStore> db;
  std::unique_ptr<store::BlobStore> blobs;
  std::unique_ptr<render::Engine> engine;
  std::shared_ptr<const provenance::NoteSigner> signer;
  std::unique_ptr<provenance::Log> log;
  std::unique_ptr<ledger::Ledger> ledger;
  std::unique_ptr<market::Market> market;
  std::unique_ptr<Server> server;
  ManualClock clock;
  std::string render_key, read_key;

  void SetUp() override {
    auto data = store::open_data_dir(dir.path());
    ASSERT_TRUE(data) << data.error().to_string();
    auto opened = store::SqliteStore::open(data->db_path());
    ASSERT_TRUE(opened) << opened.error().to_string();
    db = std::move(*opened);
    blobs = std::make_unique<store::BlobStore>(data->blobs_path());
    engine = std::make_unique<render::Engine>(*db, *blobs);
    auto key = provenance::load_or_create_log_signer(data->keys_path());
    ASSERT_TRUE(key) << key.error().to_string();
    signer = *key;
    provenance::attach_checkpoint_signer(*db, signer, 0);
    log = std::make_unique<provenance::Log>(*db, signer->verifier());
    ledger = std::make_unique<ledger::Ledger>(*db, *db, clock);
    market = std::make_unique<market::Market>(*db, *db, *ledger, clock);
    auto added = engine->add_generator(std::filesystem::path(ATELIER_API_TEST_DATA) / "tiny");
    ASSERT_TRUE(added) << added.error().to_string();
    render_key = create_api_key(*db, {"render"}, "test", clock)->secret;
    read_key = create_api_key(*db, {"read"}, "test", clock)->secret;
  }

  void TearDown() override {
    if (server) server->stop();
  }

  void start(ServerOptions options = {}) {
    options.listen = "127.0.0.1:0";
    options.log_sink = [](std::string_view) {};
    options.transparency_log = log.get();
    options.ledger = ledger.get();
    options.market = market.get();
    options.public_url = "https://gallery.example";
    server = std::make_unique<Server>(std::move(options), *engine);
    auto ok = server->start();
    ASSERT_TRUE(ok) << ok.error().to_string();
  }

  Headers auth(const std::string& key, Headers more = {}) {
    more.emplace_back("Authorization", "Bearer " + key);
    return more;
  }

  json render_via_api(Client& c, const std::string& token, int width = 64, int height = 64,
                      const std::string& format = "png") {
    json req = {{"generator", "tiny"},
                {"token_hash", token},
                {"width", width},
                {"height", height},
                {"format", format}};
    auto r = c.request("POST", "/v1/renders", req.dump(), auth(render_key));
    EXPECT_TRUE(r.status == 201 || r.status == 200) << r.status << " " << r.body;
    return json::parse(r.body);
  }
};

std::string lower(std::string s) {
  for (auto& ch : s) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  return s;
}

// A concrete URL for a route template: every {param} replaced by 64 'a's.
std::string concrete(const std::string& tmpl) {
  return std::regex_replace(tmpl, std::regex("\\{[^}]+\\}"), std::string(64, 'a'));
}

TEST_F(ApiServer, EveryRouteIsDocumentedAndEveryMutatingRouteIsGuarded) {
  start();
  Metrics metrics;
  std::string doc_text;
  RouteDeps deps{
      *engine, metrics, doc_text, log.get(), ledger.get(), market.get(), "https://gallery.example"};
  RouteTable table = build_routes(deps);
  auto doc = json::parse(server->openapi_json());

  // Keys holding every scope except the one a route needs (and admin).
  std::map<std::string, std::string> lacking;
  for (auto scope : kScopes) {
    if (scope == "admin") continue;
    std::vector<std::string> others;
    for (auto s : kScopes) {
      if (s != scope && s != "admin") others.emplace_back(s);
    }
    lacking[std::string(scope)] = create_api_key(*db, others, "lacking", clock)->secret;
  }

  Client c(server->port());
  std::set<std::pair<std::string, std::string>> in_table;
  for (const auto& route : table.routes()) {
    SCOPED_TRACE(route.method + " " + route.path);
    const std::string doc_path = openapi_path(route.path);
    in_table.insert({doc_path, lower(route.method)});
    ASSERT_TRUE(doc["paths"].contains(doc_path));
    ASSERT_TRUE(doc["paths"][doc_path].contains(lower(route.method)));
    const auto& op = doc["paths"][doc_path][lower(route.method)];
    EXPECT_EQ(op["operationId"], route.operation_id);
    if (route.mutating()) {
      EXPECT_FALSE(route.scope.empty());
    }
    if (route.scope.empty()) {
      EXPECT_TRUE(op["security"].empty());
      auto r = c.request(route.method, concrete(route.path), "");
      EXPECT_NE(r.status, 401) << r.body;
      EXPECT_NE(r.status, 403) << r.body;
      continue;
    }
    EXPECT_EQ(op["security"][0]["bearer"][0], route.scope);
    EXPECT_TRUE(op["responses"].contains("401"));
    EXPECT_TRUE(op["responses"].contains("403"));
    auto none = c.request(route.method, concrete(route.path), "{}");
    EXPECT_EQ(none.status, 401) << none.body;
    EXPECT_EQ(json::parse(none.body)["error"]["type"], "authentication_error");
    auto wrong = c.request(route.method, concrete(route.path), "{}", auth(lacking.at(route.scope)));
    EXPECT_EQ(wrong.status, 403) << wrong.body;
    EXPECT_EQ(json::parse(wrong.body)["error"]["type"], "permission_error");
  }
  // And nothing is documented that the table does not serve.
  for (auto& [path, item] : doc["paths"].items()) {
    for (auto& [method, _] : item.items()) {
      EXPECT_TRUE(in_table.count({path, method}))
          << method << " " << path << " documented but not routed";
    }
  }
  EXPECT_GE(table.routes().size(), 10u);
}

TEST_F(ApiServer, OpenApiDocumentIsValidOpenApi31) {
  start();
  Client c(server->port());
  auto r = c.get("/openapi.json");
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(r.header("content-type"), "application/json");
  EXPECT_EQ(r.body, server->openapi_json());
  auto doc = json::parse(r.body);
  EXPECT_EQ(doc["openapi"], "3.1.0");
  EXPECT_EQ(doc["components"]["securitySchemes"]["bearer"]["scheme"], "bearer");
  EXPECT_TRUE(doc["components"]["schemas"].contains("Error"));
  const auto& list = doc["paths"]["/v1/generators"]["get"];
  bool has_limit = false;
  for (auto& p : list["parameters"])
    has_limit |= p.value("$ref", "") == "#/components/parameters/Limit";
  EXPECT_TRUE(has_limit);
  if (auto why = testing::node_tools_missing(); !why.empty()) GTEST_SKIP() << why;
  auto file = dir.path() / "openapi.json";
  testing::write_text(file, r.body);
  std::string out;
  EXPECT_EQ(testing::run_node_tool("validate-openapi.mjs", file, out), 0) << out;
}

TEST_F(ApiServer, TheValidatorRejectsABrokenDocument) {
  // Guards the guard: a validator that accepts anything would make the test above useless.
  if (auto why = testing::node_tools_missing(); !why.empty()) GTEST_SKIP() << why;
  start();
  auto doc = json::parse(server->openapi_json());
  doc["paths"]["/v1/health"]["get"]["responses"]["200"].erase("description");
  auto file = dir.path() / "broken.json";
  testing::write_text(file, doc.dump());
  std::string out;
  EXPECT_NE(testing::run_node_tool("validate-openapi.mjs", file, out), 0) << out;
}

// Issue 14: a backtracking string pattern ran for minutes inside one Lua C call, outside
// every render limit, and pinned the HTTP render workers. Now, with both workers busy on such
// renders, each fails at its wall limit and a normal render waits no longer than that.
TEST_F(ApiServer, RunawayPatternRendersFreeTheirWorkersAtTheWallLimit) {
  render::EngineOptions options;
  options.wall_ms_max = 1000;
  engine = std::make_unique<render::Engine>(*db, *blobs, options);
  auto evil = dir.path() / "src" / "evil";
  std::filesystem::create_directories(evil);
  std::ofstream(evil / "manifest.json") << R"({"name": "evil", "version": "1.0.0"})";
  std::ofstream(evil / "main.lua")
      << "ctx:background('#000')\n"
         "local r = string.find(string.rep('a', 3000), string.rep('a-', 12) .. 'b')\n";
  ASSERT_TRUE(engine->add_generator(evil));
  ServerOptions server_options;
  server_options.worker_threads = 2;
  start(server_options);

  using Clock = std::chrono::steady_clock;
  const auto t0 = Clock::now();
  std::vector<Reply> runaway(2);
  std::vector<Clock::duration> runaway_took(2);
  std::vector<std::thread> threads;
  for (int i = 0; i < 2; ++i) {
    threads.emplace_back([&, i] {
      Client c(server->port());
      json req = {{"generator", "evil"},
                  {"token_hash", i == 0 ? kToken1 : kToken2},
                  {"width", 64},
                  {"height", 64}};
      runaway[i] = c.request("POST", "/v1/renders", req.dump(), auth(render_key));
      runaway_took[i] = Clock::now() - t0;
    });
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(200));  // Both workers are busy now.
  Client c(server->port());
  auto normal = render_via_api(c, kToken3);
  const auto normal_took = Clock::now() - t0;
  for (auto& t : threads) t.join();
  EXPECT_TRUE(normal.contains("recipe_id")) << normal.dump();
  EXPECT_LT(normal_took, std::chrono::milliseconds(1000 + 1500));
  for (int i = 0; i < 2; ++i) {
    EXPECT_GE(runaway[i].status, 400) << runaway[i].body;
    EXPECT_LT(runaway[i].status, 500) << runaway[i].body;
    EXPECT_EQ(json::parse(runaway[i].body)["error"]["code"], "render_wall_ms_max")
        << runaway[i].body;
    EXPECT_LT(runaway_took[i], std::chrono::milliseconds(1000 + 1500));
  }
}

TEST_F(ApiServer, Health) {
  start();
  Client c(server->port());
  auto r = c.get("/v1/health");
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(json::parse(r.body)["status"], "ok");
}

TEST_F(ApiServer, RenderThenFetchTheAsset) {
  start();
  Client c(server->port());
  json req = {{"generator", "tiny"}, {"token_hash", kToken1}, {"width", 64}, {"height", 48}};
  auto created = c.request("POST", "/v1/renders", req.dump(), auth(render_key));
  ASSERT_EQ(created.status, 201) << created.body;
  auto j = json::parse(created.body);
  const std::string sha = j["asset"]["sha256"];
  const std::string id = j["recipe_id"];
  EXPECT_EQ(j["cached"], false);
  EXPECT_EQ(j["url"], "/v1/assets/" + sha);
  EXPECT_EQ(j["recipe"]["generator"]["name"], "tiny");
  EXPECT_EQ(j["recipe"]["token_hash"], kToken1);
  EXPECT_EQ(j["width"], 64);
  EXPECT_EQ(j["height"], 48);
  EXPECT_TRUE(j["traits"].contains("Hue"));
  EXPECT_TRUE(j["timings"]["encode_ms"].is_number());
  EXPECT_EQ(j["asset"]["mime_type"], "image/png");
  EXPECT_EQ(created.header("location"), "/v1/renders/" + id);

  auto again = c.request("POST", "/v1/renders", req.dump(), auth(render_key));
  EXPECT_EQ(again.status, 200);
  EXPECT_EQ(json::parse(again.body)["cached"], true);
  EXPECT_EQ(json::parse(again.body)["asset"]["sha256"], sha);

  auto list = c.get("/v1/renders?limit=5");
  ASSERT_EQ(list.status, 200);
  auto lj = json::parse(list.body);
  ASSERT_EQ(lj["data"].size(), 1u);
  EXPECT_EQ(lj["data"][0]["recipe_id"], id);
  EXPECT_TRUE(lj["next_cursor"].is_null());

  auto got = c.get("/v1/renders/" + id);
  ASSERT_EQ(got.status, 200);
  EXPECT_EQ(json::parse(got.body)["asset"]["sha256"], sha);

  auto asset = c.get("/v1/assets/" + sha);
  ASSERT_EQ(asset.status, 200);
  EXPECT_EQ(asset.header("content-type"), "image/png");
  EXPECT_EQ(asset.header("etag"), "\"" + sha + "\"");
  EXPECT_EQ(asset.header("cache-control"), "public, max-age=31536000, immutable");
  EXPECT_EQ(sha256_hex(asset.body), sha);
  EXPECT_EQ(asset.body.size(), j["asset"]["size_bytes"].get<std::size_t>());

  auto not_modified = c.get("/v1/assets/" + sha, {{"If-None-Match", "\"" + sha + "\""}});
  EXPECT_EQ(not_modified.status, 304);
  EXPECT_TRUE(not_modified.body.empty());
  EXPECT_EQ(not_modified.header("etag"), "\"" + sha + "\"");
  EXPECT_EQ(c.get("/v1/assets/" + sha, {{"If-None-Match", "\"other\""}}).status, 200);

  auto head = c.request("HEAD", "/v1/assets/" + sha);
  EXPECT_EQ(head.status, 200);
  EXPECT_EQ(head.header("content-length"), std::to_string(asset.body.size()));
  EXPECT_EQ(c.get("/v1/health").status, 200);  // Still in sync after HEAD.
}

TEST_F(ApiServer, UnknownAssetsAndRendersAre404Json) {
  start();
  Client c(server->port());
  auto a = c.get("/v1/assets/" + std::string(64, 'f'));
  EXPECT_EQ(a.status, 404);
  EXPECT_EQ(a.header("content-type"), "application/json");
  EXPECT_EQ(json::parse(a.body)["error"]["code"], "asset_not_found");
  EXPECT_EQ(c.get("/v1/assets/" + std::string(64, 'f') + "/variants?width=10").status, 404);
  EXPECT_EQ(json::parse(c.get("/v1/renders/" + std::string(64, 'e')).body)["error"]["code"],
            "render_not_found");
  auto bad = c.get("/v1/assets/NOT-A-HASH");
  EXPECT_EQ(bad.status, 400);
  EXPECT_EQ(json::parse(bad.body)["error"]["param"], "sha256");
}

TEST_F(ApiServer, BadRenderRequestsAreClearErrorsThatWriteNothing) {
  start();
  Client c(server->port());
  struct Case {
    std::string body;
    int status;
    std::string code;
  };
  for (const auto& k :
       {Case{"{\"generator\":\"tiny\"", 400, "malformed_json"},
        Case{"[1,2]", 400, "invalid_request"},
        Case{R"({"generator":"tiny","token_hash":")" + kToken1 + R"(","colour":1})", 400,
             "unknown_field"},
        Case{R"({"generator":"nope","token_hash":")" + kToken1 + R"("})", 404, "unknown_generator"},
        Case{R"({"generator":"tiny","token_hash":"0x12"})", 400, "invalid_token_hash"},
        Case{R"({"generator":"tiny","token_hash":")" + kToken1 + R"(","width":20000})", 400, ""},
        Case{R"({"generator":"tiny","token_hash":")" + kToken1 + R"(","params":{"discs":500}})",
             400, ""}}) {
    auto r = c.request("POST", "/v1/renders", k.body, auth(render_key));
    EXPECT_EQ(r.status, k.status) << k.body << " -> " << r.body;
    auto j = json::parse(r.body);
    if (!k.code.empty()) {
      EXPECT_EQ(j["error"]["code"], k.code) << r.body;
    }
  }
  auto page = db->list_renders({100, ""});
  ASSERT_TRUE(page);
  EXPECT_TRUE(page->items.empty());
}

TEST_F(ApiServer, IdempotentRenderRetries) {
  start();
  Client c(server->port());
  json req = {{"generator", "tiny"}, {"token_hash", kToken2}, {"width", 32}, {"height", 32}};
  auto first = c.request("POST", "/v1/renders", req.dump(),
                         auth(render_key, {{"Idempotency-Key", "drop-7"}}));
  ASSERT_EQ(first.status, 201);
  auto retry = c.request("POST", "/v1/renders", req.dump(),
                         auth(render_key, {{"Idempotency-Key", "drop-7"}}));
  EXPECT_EQ(retry.status, 201);  // The first result, replayed (not "200 cached").
  EXPECT_EQ(retry.body, first.body);
  EXPECT_EQ(retry.header("idempotent-replayed"), "true");
  req["width"] = 33;
  auto other = c.request("POST", "/v1/renders", req.dump(),
                         auth(render_key, {{"Idempotency-Key", "drop-7"}}));
  EXPECT_EQ(other.status, 422);
  EXPECT_EQ(json::parse(other.body)["error"]["code"], "idempotency_key_reused");
}

TEST_F(ApiServer, VariantsAreNewRendersCachedByRecipe) {
  start();
  Client c(server->port());
  auto j = render_via_api(c, kToken1, 128, 64);
  const std::string sha = j["asset"]["sha256"];

  auto v = c.get("/v1/assets/" + sha + "/variants?width=32");
  ASSERT_EQ(v.status, 200) << v.body;
  EXPECT_EQ(v.header("content-type"), "image/png");
  const std::string variant_sha = sha256_hex(v.body);
  EXPECT_NE(variant_sha, sha);
  EXPECT_EQ(v.header("etag"), "\"" + variant_sha + "\"");
  EXPECT_EQ(v.header("content-location"), "/v1/assets/" + variant_sha);
  auto image = render::decode_image(
      std::span(reinterpret_cast<const std::uint8_t*>(v.body.data()), v.body.size()), {});
  ASSERT_TRUE(image) << image.error().to_string();
  EXPECT_EQ(image->width, 32);
  EXPECT_EQ(image->height, 16);  // Aspect kept.
  // The variant is a render of the same composition: same token and generator.
  auto rec = db->render_by_asset(variant_sha);
  ASSERT_TRUE(rec && *rec);
  EXPECT_EQ((*rec)->token_hash, kToken1);
  EXPECT_EQ((*rec)->width, 32);

  // Asked again: served from the cache (same bytes), and 304 when the client has it.
  EXPECT_EQ(sha256_hex(c.get("/v1/assets/" + sha + "/variants?width=32").body), variant_sha);
  EXPECT_EQ(c.get("/v1/assets/" + sha + "/variants?width=32",
                  {{"If-None-Match", "\"" + variant_sha + "\""}})
                .status,
            304);
  auto metrics = c.get("/metrics").body;
  EXPECT_NE(metrics.find("atelier_renders_total{cached=\"true\"} 2"), std::string::npos) << metrics;

  auto jpeg = c.get("/v1/assets/" + sha + "/variants?width=40&height=20&format=jpeg&quality=80");
  ASSERT_EQ(jpeg.status, 200) << jpeg.body;
  EXPECT_EQ(jpeg.header("content-type"), "image/jpeg");

  for (const char* bad :
       {"width=0", "width=abc", "format=gif", "quality=101", "width=16384&height=16384"}) {
    auto r = c.get("/v1/assets/" + sha + "/variants?" + bad);
    EXPECT_EQ(r.status, 400) << bad << " " << r.body;
  }
}

// Content Credentials on: a variant is served signed as a variant of the asset asked for —
// c2pa.opened of a parentOf ingredient naming the parent's file as GET /v1/assets serves it,
// then what changed — Trusted by atelier's validator and by the C2PA reference reader, read
// without a failure by the second reader; without its manifest it is the variant's render.
TEST_F(ApiServer, VariantsAreSignedAndNameTheirParent) {
  const auto keys = dir.path() / "keys";
  ASSERT_TRUE(c2pa::create_local_ca(keys, {}));
  auto signer = c2pa::Signer::load(keys / c2pa::kSignerCertFile, keys / c2pa::kSignerKeyFile,
                                   std::chrono::system_clock::now());
  ASSERT_TRUE(signer) << signer.error().to_string();
  c2pa::Issuer issuer(*db, *blobs, *log, std::make_shared<const c2pa::Signer>(std::move(*signer)));
  const auto anchors = c2pa::local_trust_anchors(keys);
  ASSERT_FALSE(anchors.empty());
  ServerOptions options;
  options.issuer = &issuer;
  options.c2pa_anchors = anchors;
  start(std::move(options));
  Client c(server->port());
  const bool judges = testing::node_tools_missing().empty();
  struct Case {
    std::string parent_format, query, mime;
    std::vector<std::string> actions;
  };
  const Case cases[] = {
      {"png", "width=32", "image/png", {"c2pa.opened", "c2pa.resized"}},
      {"png",
       "width=40&height=20&format=jpeg&quality=80",
       "image/jpeg",
       {"c2pa.opened", "c2pa.resized", "c2pa.converted"}},
      {"png", "format=webp", "image/webp", {"c2pa.opened", "c2pa.converted"}},
      {"jpeg", "quality=40", "image/jpeg", {"c2pa.opened", "c2pa.transcoded"}},
  };
  int n = 0;
  for (const auto& k : cases) {
    SCOPED_TRACE(k.parent_format + " ?" + k.query);
    auto j =
        render_via_api(c, k.parent_format == "png" ? kToken1 : kToken2, 128, 64, k.parent_format);
    const std::string sha = j["asset"]["sha256"];
    auto parent = c.get("/v1/assets/" + sha);
    ASSERT_EQ(parent.status, 200);
    const std::string parent_file = sha256_hex(parent.body);
    ASSERT_NE(parent_file, sha) << "the parent is served signed";

    auto v = c.get("/v1/assets/" + sha + "/variants?" + k.query);
    ASSERT_EQ(v.status, 200) << v.body;
    EXPECT_EQ(v.header("content-type"), k.mime);
    const std::string served = sha256_hex(v.body);
    EXPECT_EQ(v.header("etag"), "\"" + served + "\"");
    EXPECT_EQ(v.header("content-location"), "/v1/assets/" + served);
    const c2pa::Bytes bytes(v.body.begin(), v.body.end());
    auto val = c2pa::validate_asset(bytes, k.mime, anchors, std::chrono::system_clock::now());
    ASSERT_TRUE(val) << val.error().to_string();
    EXPECT_EQ(val->state, "Trusted") << c2pa::validation_json(*val);
    EXPECT_EQ(val->actions, k.actions);
    ASSERT_EQ(val->ingredients.size(), 1u);
    EXPECT_EQ(val->ingredients[0].relationship, "parentOf");
    EXPECT_EQ(to_hex(val->ingredients[0].sha256), parent_file);
    EXPECT_EQ(val->ingredients[0].format, "image/" + k.parent_format);
    ASSERT_TRUE(val->atelier.has_value());
    EXPECT_EQ(val->atelier->find("variant_of")->find("asset_sha256")->text(), sha);
    EXPECT_EQ(val->atelier->find("recipe_id")->text(), v.header("x-atelier-recipe-id"));
    // The parent's manifest is the one its own file carries.
    auto parent_val =
        c2pa::validate_asset(c2pa::Bytes(parent.body.begin(), parent.body.end()),
                             "image/" + k.parent_format, anchors, std::chrono::system_clock::now());
    ASSERT_TRUE(parent_val);
    EXPECT_EQ(val->ingredients[0].manifest_label, parent_val->label);

    // Without its manifest: exactly the variant's render.
    auto variant = db->render_by_recipe(v.header("x-atelier-recipe-id"));
    ASSERT_TRUE(variant && *variant);
    auto stripped = c2pa::strip_manifest(k.mime, bytes);
    ASSERT_TRUE(stripped);
    EXPECT_EQ(sha256_hex(*stripped), (*variant)->asset_sha256);
    // Signed once: the same bytes when asked again, and at their own URL.
    EXPECT_EQ(c.get("/v1/assets/" + sha + "/variants?" + k.query).body, v.body);
    EXPECT_EQ(c.get("/v1/assets/" + served).body, v.body);
    auto m = json::parse(c.get("/v1/assets/" + served + "/c2pa").body);
    EXPECT_EQ(m["validation_state"], "Trusted") << m.dump();
    EXPECT_EQ(m["ingredients"][0]["relationship"], "parentOf");

    if (!judges) continue;
    const auto file = dir.path() / ("variant-" + std::to_string(n++));
    testing::write_text(file, v.body);
    std::string out;
    EXPECT_EQ(
        testing::run_node_tool("c2pa-read.mjs",
                               {file.string(), k.mime, (keys / c2pa::kRootCertFile).string()}, out),
        0)
        << out;
    auto ref = json::parse(out, nullptr, false);
    EXPECT_EQ(ref["state"], "Trusted") << out;
    EXPECT_TRUE(ref["failures"].empty()) << out;
    EXPECT_EQ(testing::run_node_tool("c2pa-ts-read.mjs", {file.string(), k.mime}, out), 0) << out;
    auto second = json::parse(out, nullptr, false);
    EXPECT_EQ(second["valid"], true) << out;
    EXPECT_TRUE(second["failures"].empty()) << out;
    EXPECT_EQ(second["ingredients"][0]["relationship"], "parentOf") << out;
  }
  if (!judges) GTEST_SKIP() << testing::node_tools_missing() << " (the readers did not judge)";
}

TEST_F(ApiServer, GeneratorsListAndVersions) {
  // Register the example generators too, for a few pages.
  for (auto& entry :
       std::filesystem::directory_iterator(testing::source_dir() / "examples/generators")) {
    if (entry.is_directory()) {
      ASSERT_TRUE(engine->add_generator(entry.path()));
    }
  }
  start();
  Client c(server->port());
  std::vector<std::string> names;
  std::string target = "/v1/generators?limit=1";
  for (int pages = 0; pages < 20; ++pages) {
    auto r = c.get(target);
    ASSERT_EQ(r.status, 200) << r.body;
    auto j = json::parse(r.body);
    ASSERT_LE(j["data"].size(), 1u);
    for (auto& g : j["data"]) names.push_back(g["name"]);
    if (j["next_cursor"].is_null()) break;
    target = "/v1/generators?limit=1&cursor=" + j["next_cursor"].get<std::string>();
  }
  auto all = json::parse(c.get("/v1/generators?limit=100").body);
  ASSERT_EQ(names.size(), all["data"].size());
  EXPECT_GE(names.size(), 2u);
  EXPECT_TRUE(std::is_sorted(names.begin(), names.end()));
  EXPECT_EQ(std::set<std::string>(names.begin(), names.end()).size(), names.size());
  EXPECT_EQ(json::parse(c.get("/v1/generators?limit=0").body)["error"]["param"], "limit");

  auto tiny = c.get("/v1/generators/tiny");
  ASSERT_EQ(tiny.status, 200);
  auto t = json::parse(tiny.body);
  ASSERT_EQ(t["versions"].size(), 1u);
  EXPECT_EQ(t["versions"][0]["hash"], t["latest_hash"]);
  EXPECT_EQ(t["versions"][0]["manifest"]["name"], "tiny");
  EXPECT_EQ(c.get("/v1/generators/nope").status, 404);
}

TEST_F(ApiServer, IndexPageShowsEachRenderOnceWithThumbnails) {
  start();
  Client c(server->port());
  std::vector<json> renders;
  for (const auto& token : {kToken1, kToken2, kToken3})
    renders.push_back(render_via_api(c, token, 96, 96));
  auto page = c.get("/");
  ASSERT_EQ(page.status, 200);
  EXPECT_EQ(page.header("content-type"), "text/html; charset=utf-8");
  for (const auto& r : renders) {
    const std::string sha = r["asset"]["sha256"];
    EXPECT_NE(page.body.find("href=\"/v1/assets/" + sha + "\""), std::string::npos);
    EXPECT_NE(page.body.find("src=\"/v1/assets/" + sha + "/variants?width=256&amp;format=png\""),
              std::string::npos);
    EXPECT_NE(page.body.find(r["token_hash"].get<std::string>()), std::string::npos);
  }
  // Newest first.
  EXPECT_LT(page.body.find(kToken3), page.body.find(kToken1));
  // Fetching the thumbnails (variants are renders too) does not add entries.
  auto count = [](const std::string& s) {
    std::size_t n = 0;
    for (auto p = s.find("class=\"card\""); p != std::string::npos;
         p = s.find("class=\"card\"", p + 1))
      ++n;
    return n;
  };
  EXPECT_EQ(count(page.body), 3u);
  for (const auto& r : renders) {
    auto thumb = c.get("/v1/assets/" + r["asset"]["sha256"].get<std::string>() +
                       "/variants?width=256&format=png");
    ASSERT_EQ(thumb.status, 200);
  }
  EXPECT_EQ(count(c.get("/").body), 3u);
}

TEST_F(ApiServer, MetricsAfterRendersParse) {
  start();
  Client c(server->port());
  render_via_api(c, kToken1);
  c.get("/v1/generators");
  auto m = c.get("/metrics").body;
  EXPECT_NE(m.find("atelier_renders_total{cached=\"false\"} 1"), std::string::npos) << m;
  EXPECT_NE(m.find("atelier_render_duration_seconds_count 1"), std::string::npos) << m;
  EXPECT_NE(
      m.find("atelier_http_requests_total{route=\"/v1/renders\",method=\"POST\",status=\"201\"} 1"),
      std::string::npos)
      << m;
  // The generator registration and the render, both covered by a checkpoint.
  EXPECT_NE(m.find("atelier_log_entries 2\n"), std::string::npos) << m;
  EXPECT_NE(m.find("atelier_log_checkpoint_size 2\n"), std::string::npos) << m;
  if (auto why = testing::node_tools_missing(); !why.empty()) GTEST_SKIP() << why;
  auto file = dir.path() / "metrics.txt";
  testing::write_text(file, m);
  std::string out;
  EXPECT_EQ(testing::run_node_tool("validate-prometheus.mjs", file, out), 0) << out;
}

TEST_F(ApiServer, ServeUntilSignalExitsPromptlyOnSigterm) {
  // Block the signals in this thread first so every thread inherits the mask and only the
  // server's sigwait takes SIGTERM.
  sigset_t set, old;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &set, &old);
  std::promise<std::uint16_t> port;
  auto served = std::async(std::launch::async, [&] {
    ServerOptions o;
    o.listen = "127.0.0.1:0";
    o.log_sink = [](std::string_view) {};
    return serve_until_signal(o, *engine, [&](std::uint16_t p) { port.set_value(p); });
  });
  auto p = port.get_future().get();
  {
    Client c(p);
    EXPECT_EQ(c.get("/v1/health").status, 200);
  }
  auto t0 = std::chrono::steady_clock::now();
  kill(getpid(), SIGTERM);
  ASSERT_EQ(served.wait_for(std::chrono::seconds(5)), std::future_status::ready);
  EXPECT_TRUE(served.get());
  EXPECT_LT(std::chrono::steady_clock::now() - t0, std::chrono::seconds(5));
  pthread_sigmask(SIG_SETMASK, &old, nullptr);
}

// The transparency log over HTTP ----------------------------------------------------------------

std::vector<std::string> append_events(store::SqliteStore& db, int n) {
  std::vector<store::LogEvent> events;
  std::vector<std::string> texts;
  for (int i = 0; i < n; ++i) {
    events.push_back({R"({"test":)" + std::to_string(i) + "}", {}});
    texts.push_back(events.back().entry);
  }
  EXPECT_TRUE(db.append_events(events));
  return texts;
}

TEST_F(ApiServer, TheLogIsServedAsTlogTilesThatMatchTheSignedCheckpoint) {
  append_events(*db, 300);  // Plus the generator registration: 301 entries.
  start();
  Client c(server->port());
  auto cp = c.get("/checkpoint");
  ASSERT_EQ(cp.status, 200) << cp.body;
  EXPECT_EQ(cp.header("content-type"), "text/plain; charset=utf-8");
  auto opened = provenance::open_checkpoint(cp.body, signer->verifier(), signer->name());
  ASSERT_TRUE(opened) << opened.error().to_string();
  ASSERT_EQ(opened->size, 301u);

  // Leaves from the level-0 tiles, entries from the bundles: a tile client's view.
  std::vector<Digest> leaves;
  for (std::uint64_t n = 0; n * 256 < opened->size; ++n) {
    auto width = static_cast<std::uint32_t>(std::min<std::uint64_t>(256, opened->size - n * 256));
    auto tile = c.get("/tile/" + provenance::tile_path({false, 0, n, width}));
    ASSERT_EQ(tile.status, 200);
    EXPECT_EQ(tile.header("content-type"), "application/octet-stream");
    EXPECT_EQ(tile.header("cache-control"), "public, max-age=31536000, immutable");
    ASSERT_EQ(tile.body.size(), 32u * width);
    auto bundle = c.get("/tile/" + provenance::tile_path({true, 0, n, width}));
    ASSERT_EQ(bundle.status, 200);
    std::size_t pos = 0;
    for (std::uint32_t i = 0; i < width; ++i) {
      Digest leaf{};
      std::memcpy(leaf.data(), tile.body.data() + 32 * i, 32);
      std::size_t len = (static_cast<unsigned char>(bundle.body[pos]) << 8) |
                        static_cast<unsigned char>(bundle.body[pos + 1]);
      EXPECT_EQ(leaf_hash(std::string_view(bundle.body).substr(pos + 2, len)), leaf);
      pos += 2 + len;
      leaves.push_back(leaf);
    }
    EXPECT_EQ(pos, bundle.body.size());
  }
  EXPECT_EQ(provenance::mth(leaves), opened->root);
  // Level 1 (tree level 8): one complete subtree of 256 leaves.
  auto level1 = c.get("/tile/1/000.p/1");
  ASSERT_EQ(level1.status, 200);
  EXPECT_EQ(level1.body.size(), 32u);
  EXPECT_EQ(
      0, std::memcmp(level1.body.data(), provenance::mth(std::span(leaves).first(256)).data(), 32));

  EXPECT_EQ(c.get("/tile/0/001").status, 404);          // Only 45 leaves in tile 1 so far.
  EXPECT_EQ(c.get("/tile/0/001.p/46").status, 404);
  EXPECT_EQ(c.get("/tile/0/1").status, 400);            // Not the canonical spelling.
  EXPECT_EQ(c.get("/tile/0/000.p/256").status, 400);
  auto bad = json::parse(c.get("/tile/zz/000").body);
  EXPECT_EQ(bad["error"]["code"], "tile_path_invalid");
}

TEST_F(ApiServer, LogEntriesAndProofsVerifyWithThePublicKeyAlone) {
  auto texts = append_events(*db, 40);
  start();
  Client c(server->port());
  auto e = c.get("/v1/log/entries/5");
  ASSERT_EQ(e.status, 200) << e.body;
  auto ej = json::parse(e.body);
  EXPECT_EQ(ej["entry"], texts[4]);  // Entry 0 is the generator registration.
  EXPECT_EQ(ej["leaf_hash"], provenance::hash_base64(leaf_hash(texts[4])));
  EXPECT_EQ(c.get("/v1/log/entries/41").status, 404);
  EXPECT_EQ(c.get("/v1/log/entries/05").status, 400);
  EXPECT_EQ(c.get("/v1/log/entries/x").status, 400);

  auto p = c.get("/v1/log/proof/inclusion?index=17");
  ASSERT_EQ(p.status, 200) << p.body;
  auto proof = provenance::parse_entry_proof_json(p.body);
  ASSERT_TRUE(proof) << proof.error().to_string();
  EXPECT_EQ(proof->tree_size, 41u);
  EXPECT_TRUE(provenance::verify_entry_proof(*proof, signer->verifier()));
  EXPECT_EQ(c.get("/v1/log/proof/inclusion").status, 400);
  EXPECT_EQ(c.get("/v1/log/proof/inclusion?index=41").status, 400);
  EXPECT_EQ(c.get("/v1/log/proof/inclusion?index=1&size=42").status, 400);

  auto k = c.get("/v1/log/proof/consistency?from=13");
  ASSERT_EQ(k.status, 200) << k.body;
  auto kj = json::parse(k.body);
  EXPECT_EQ(kj["to"], 41);
  std::vector<Digest> hashes;
  for (const auto& h : kj["proof"]) {
    auto d = provenance::hash_from_base64(h.get<std::string>());
    ASSERT_TRUE(d);
    hashes.push_back(*d);
  }
  auto root13 = log->root(13);
  auto cp = provenance::open_checkpoint(kj["checkpoint"].get<std::string>(), signer->verifier(),
                                        signer->name());
  ASSERT_TRUE(root13 && cp);
  EXPECT_TRUE(provenance::verify_consistency(13, 41, hashes, *root13, cp->root));
  EXPECT_EQ(c.get("/v1/log/proof/consistency?from=13&to=99").status, 400);
}

TEST_F(ApiServer, ARenderThroughTheApiIsLoggedWithItsAsset) {
  start();
  Client c(server->port());
  auto r = render_via_api(c, kToken1);
  std::string sha = r["asset"]["sha256"];
  auto story = log->story("asset:" + sha);
  ASSERT_TRUE(story);
  ASSERT_EQ(story->size(), 1u);
  auto entry = json::parse((*story)[0].entry);
  EXPECT_EQ(entry["type"], "render");
  EXPECT_EQ(entry["output"]["sha256"], sha);
  EXPECT_EQ(entry["recipe_id"], r["recipe_id"]);
  EXPECT_TRUE(provenance::verify_entry_proof((*story)[0], signer->verifier()));
  // Rendering the same recipe again is a cache hit: no second entry.
  render_via_api(c, kToken1);
  EXPECT_EQ(log->story("asset:" + sha)->size(), 1u);
}

TEST_F(ApiServer, TokenMetadataAndAccountsAreServed) {
  start();
  Client c(server->port());
  std::string sha = render_via_api(c, kToken1)["asset"]["sha256"];
  ASSERT_TRUE(ledger->create_account({"vera", "creator", "Vera"}));
  ASSERT_TRUE(ledger->create_account({"ann", "collector", "Ann"}));
  ledger::NewCollection coll;
  coll.id = "eds";
  coll.standard = "erc1155";
  coll.name = "Editions";
  coll.creator = "vera";
  coll.royalty_bps = 500;
  ASSERT_TRUE(ledger->create_collection(coll));
  ledger::MintRequest m;
  m.caller = "vera";
  m.collection = "eds";
  m.asset_sha256 = sha;
  m.to = "ann";
  m.amount = U256(3);
  m.token_id = U256(26);
  ASSERT_TRUE(ledger->mint(m));
  ASSERT_TRUE(ledger->deposit(AccountId("ann"), "USD", U256(1234)));

  auto meta = c.get("/v1/collections/eds/tokens/26/metadata.json");
  ASSERT_EQ(meta.status, 200) << meta.body;
  auto j = json::parse(meta.body);
  EXPECT_EQ(j["name"], "Editions #26");
  EXPECT_EQ(j["image"], "https://gallery.example/v1/assets/" + sha);
  EXPECT_FALSE(j["attributes"].empty());
  // ERC-1155 clients substitute {id} with 64 lowercase hex digits.
  auto contract = json::parse(c.get("/v1/collections/eds").body);
  std::string uri = contract["uri"];
  auto at = uri.find("{id}");
  ASSERT_NE(at, std::string::npos);
  std::string hex_url = uri.replace(at, 4, ledger::erc1155_id_hex(U256(26)));
  EXPECT_EQ(hex_url, "https://gallery.example/v1/collections/eds/tokens/" + std::string(62, '0') +
                         "1a/metadata.json");
  EXPECT_EQ(c.get("/v1/collections/eds/tokens/" + std::string(62, '0') + "1a/metadata.json").body,
            meta.body);
  EXPECT_EQ(contract["seller_fee_basis_points"], 500);
  EXPECT_EQ(c.get("/v1/collections/eds/tokens/27/metadata.json").status, 404);
  EXPECT_EQ(c.get("/v1/collections/eds/tokens/0x1a/metadata.json").status, 400);
  EXPECT_EQ(c.get("/v1/collections/nope").status, 404);

  EXPECT_EQ(c.get("/v1/accounts/ann").status, 401);
  const std::string ann_key = create_api_key(*db, {"read"}, "ann", clock, "ann")->secret;
  auto acct = c.get("/v1/accounts/ann", auth(ann_key));
  ASSERT_EQ(acct.status, 200) << acct.body;
  auto aj = json::parse(acct.body);
  EXPECT_EQ(aj["balances"][0]["currency"], "USD");
  EXPECT_EQ(aj["balances"][0]["amount"], "1234");
  EXPECT_EQ(aj["tokens"][0]["token_id"], "26");
  EXPECT_EQ(aj["tokens"][0]["amount"], "3");
  EXPECT_EQ(c.get("/v1/accounts/nobody", auth(read_key)).status, 404);
  // Balances are private (another key gets 404), but who holds a token is public.
  EXPECT_EQ(c.get("/v1/accounts/ann", auth(read_key)).status, 404);
  auto owners = c.get("/v1/collections/eds/tokens/26/owners");
  ASSERT_EQ(owners.status, 200) << owners.body;
  auto oj = json::parse(owners.body);
  ASSERT_EQ(oj["data"].size(), 1u);
  EXPECT_EQ(oj["data"][0]["account"], "ann");
  EXPECT_EQ(oj["data"][0]["amount"], "3");
  EXPECT_TRUE(oj["next_cursor"].is_null());
  // An ERC-1155 token's holders page by account id.
  ASSERT_TRUE(ledger->create_account({"zoe", "collector", "Zoe"}));
  ASSERT_TRUE(ledger->transfer({.caller = "ann", .collection = "eds", .token_id = U256(26),
                                .from = "ann", .to = "zoe", .amount = U256(1)}));
  auto first = json::parse(c.get("/v1/collections/eds/tokens/26/owners?limit=1").body);
  ASSERT_EQ(first["data"].size(), 1u);
  EXPECT_EQ(first["data"][0]["account"], "ann");
  EXPECT_EQ(first["data"][0]["amount"], "2");
  ASSERT_TRUE(first["next_cursor"].is_string());
  auto second = json::parse(c.get("/v1/collections/eds/tokens/26/owners?limit=1&cursor=" +
                                  first["next_cursor"].get<std::string>())
                                .body);
  ASSERT_EQ(second["data"].size(), 1u);
  EXPECT_EQ(second["data"][0]["account"], "zoe");
  EXPECT_TRUE(second["next_cursor"].is_null());
  EXPECT_EQ(c.get("/v1/collections/eds/tokens/27/owners").status, 404);
  EXPECT_EQ(c.get("/v1/collections/eds/tokens/26/owners?limit=0").status, 400);
}

// A token id of exactly 64 decimal digits (10^63 and up) was read as 64 hex digits, naming
// another token (amount_fuzz finding 1). Now a JSON body and an ERC-721 URL read decimal only;
// an ERC-1155 URL reads 64 characters as the hex {id} of its metadata URI.
TEST_F(ApiServer, TokenIdOf64DecimalDigitsRoundTrips) {
  start();
  Client c(server->port());
  std::string sha = render_via_api(c, kToken1)["asset"]["sha256"];
  ASSERT_TRUE(ledger->create_account({"vera", "creator", "Vera"}));
  const std::string big = "1" + std::string(62, '0') + "7";  // 10^63 + 7: 64 digits.
  ASSERT_EQ(big.size(), 64u);
  const U256 id = *U256::from_decimal(big);
  for (const char* standard : {"erc721", "erc1155"}) {
    ledger::NewCollection coll;
    coll.id = standard;
    coll.standard = standard;
    coll.name = standard;
    coll.creator = "vera";
    ASSERT_TRUE(ledger->create_collection(coll));
    ASSERT_TRUE(ledger->mint({.caller = "vera",
                              .collection = standard,
                              .asset_sha256 = sha,
                              .to = "vera",
                              .token_id = id}));
  }
  // ERC-721: the decimal spelling names the token; 64 hex digits are not an ERC-721 token id.
  auto meta = c.get("/v1/collections/erc721/tokens/" + big + "/metadata.json");
  ASSERT_EQ(meta.status, 200) << meta.body;
  EXPECT_EQ(json::parse(meta.body)["name"], "erc721 #" + big);
  auto owners = c.get("/v1/collections/erc721/tokens/" + big + "/owners");
  ASSERT_EQ(owners.status, 200) << owners.body;
  EXPECT_EQ(json::parse(owners.body)["data"][0]["account"], "vera");
  EXPECT_EQ(c.get("/v1/collections/erc721/tokens/" + ledger::erc1155_id_hex(id) + "/owners").status,
            400);
  // ERC-1155: the hex {id} names it; the same 64 characters in decimal are read as hex too (a
  // token that does not exist), which is what a wallet filling the URI template means.
  const std::string hex = ledger::erc1155_id_hex(id);
  auto hex_meta = c.get("/v1/collections/erc1155/tokens/" + hex + "/metadata.json");
  ASSERT_EQ(hex_meta.status, 200) << hex_meta.body;
  EXPECT_EQ(json::parse(hex_meta.body)["name"], "erc1155 #" + big);
  EXPECT_EQ(c.get("/v1/collections/erc1155/tokens/" + hex + "/owners").status, 200);
  EXPECT_EQ(c.get("/v1/collections/erc1155/tokens/" + big + "/owners").status, 404);
  EXPECT_EQ(c.get("/v1/collections/erc1155/tokens/7/owners").status, 404);
  EXPECT_EQ(c.get("/v1/collections/nope/tokens/7/owners").status, 404);

  // A JSON body: decimal only, so the listing is for the minted token; its hex is refused.
  std::string seller_key = create_api_key(*db, {"trade"}, "seller", clock, "vera")->secret;
  auto listed =
      c.request("POST", "/v1/listings",
                json({{"collection", "erc721"}, {"token_id", big}, {"price", "1000"}}).dump(),
                auth(seller_key, {{"Content-Type", "application/json"}}));
  ASSERT_EQ(listed.status, 201) << listed.body;
  EXPECT_EQ(json::parse(listed.body)["token_id"], big);
  auto refused =
      c.request("POST", "/v1/listings",
                json({{"collection", "erc1155"}, {"token_id", hex}, {"price", "1000"}}).dump(),
                auth(seller_key, {{"Content-Type", "application/json"}}));
  EXPECT_EQ(refused.status, 400) << refused.body;
  EXPECT_EQ(json::parse(refused.body)["error"]["code"], "invalid_token_id");
}

TEST_F(ApiServer, RacingBuyersOverHttpExactlyOneWinsTheLastToken) {
  start();
  Client setup(server->port());
  std::string sha = render_via_api(setup, kToken2)["asset"]["sha256"];
  ASSERT_TRUE(ledger->create_account({"vera", "creator", "Vera"}));
  ledger::NewCollection coll;
  coll.id = "one";
  coll.standard = "erc721";
  coll.name = "One";
  coll.creator = "vera";
  coll.royalty_bps = 1000;
  ASSERT_TRUE(ledger->create_collection(coll));
  ASSERT_TRUE(
      ledger->mint({.caller = "vera", .collection = "one", .asset_sha256 = sha, .to = "vera"}));
  std::string seller_key = create_api_key(*db, {"trade"}, "seller", clock, "vera")->secret;
  auto listed = setup.request(
      "POST", "/v1/listings",
      json({{"collection", "one"}, {"token_id", "0"}, {"price", "1000"}, {"platform_fee_bps", 100}})
          .dump(),
      auth(seller_key, {{"Content-Type", "application/json"}}));
  ASSERT_EQ(listed.status, 201) << listed.body;
  std::string listing = json::parse(listed.body)["id"];
  EXPECT_EQ(json::parse(setup.get("/v1/listings/" + listing).body)["price"], "1000");

  constexpr int kBuyers = 8;
  std::vector<std::string> keys;
  for (int i = 0; i < kBuyers; ++i) {
    std::string id = "buyer" + std::to_string(i);
    ASSERT_TRUE(ledger->create_account({id, "collector", id}));
    ASSERT_TRUE(ledger->deposit(AccountId(id), "ETH", U256(1000)));
    keys.push_back(create_api_key(*db, {"trade"}, id, clock, id)->secret);
  }
  std::vector<Reply> replies(kBuyers);
  std::vector<std::thread> threads;
  for (int i = 0; i < kBuyers; ++i) {
    threads.emplace_back([&, i] {
      Client c(server->port());
      replies[i] =
          c.request("POST", "/v1/listings/" + listing + "/purchases", R"({"quantity":"1"})",
                    auth(keys[i], {{"Content-Type", "application/json"},
                                   {"Idempotency-Key", "buy-" + std::to_string(i)}}));
    });
  }
  for (auto& t : threads) t.join();
  int won = -1;
  for (int i = 0; i < kBuyers; ++i) {
    if (replies[i].status == 201) {
      EXPECT_EQ(won, -1) << "two buyers won";
      won = i;
    } else {
      EXPECT_EQ(replies[i].status, 409) << replies[i].body;
      EXPECT_EQ(json::parse(replies[i].body)["error"]["code"], "sold_out") << replies[i].body;
    }
  }
  ASSERT_NE(won, -1);
  std::string winner = "buyer" + std::to_string(won);
  EXPECT_EQ(*ledger->owner_of(CollectionId("one"), U256(0)), winner);
  // Everyone else kept their money; the winner paid once (a primary sale: 10 to the platform,
  // 990 to the creator, no royalty).
  for (int i = 0; i < kBuyers; ++i) {
    auto view = ledger->account("buyer" + std::to_string(i));
    EXPECT_EQ(view->balances[0].amount, i == won ? U256(0) : U256(1000));
  }
  // A retry with the same Idempotency-Key replays the sale and charges nothing more.
  Client c(server->port());
  auto again = c.request("POST", "/v1/listings/" + listing + "/purchases", R"({"quantity":"1"})",
                         auth(keys[won], {{"Content-Type", "application/json"},
                                          {"Idempotency-Key", "buy-" + std::to_string(won)}}));
  EXPECT_EQ(again.status, 201);
  EXPECT_EQ(again.body, replies[won].body);
  auto reused = c.request("POST", "/v1/listings/" + listing + "/purchases", R"({"quantity":"2"})",
                          auth(keys[won], {{"Content-Type", "application/json"},
                                           {"Idempotency-Key", "buy-" + std::to_string(won)}}));
  EXPECT_EQ(reused.status, 422) << reused.body;
  EXPECT_EQ(json::parse(reused.body)["error"]["code"], "idempotency_key_reused");
  // Bad input changes nothing.
  EXPECT_EQ(c.request("POST", "/v1/listings/" + listing + "/purchases", R"({"quantity":"-1"})",
                      auth(keys[0], {{"Content-Type", "application/json"}})).status, 400);
  EXPECT_EQ(c.request("POST", "/v1/listings/" + listing + "/purchases",
                      R"({"quantity":"1","buyer":"buyer1"})",
                      auth(keys[0], {{"Content-Type", "application/json"}}))
                .status,
            403);
  EXPECT_EQ(c.request("POST", "/v1/listings/nope/purchases", R"({})",
                      auth(keys[0], {{"Content-Type", "application/json"}}))
                .status,
            404);
  EXPECT_TRUE(db->check_ledger()->ok);
}

TEST_F(ApiServer, EnglishAuctionOverHttpRacingBiddersThenSettle) {
  start();
  Client setup(server->port());
  std::string sha = render_via_api(setup, kToken2)["asset"]["sha256"];
  ASSERT_TRUE(ledger->create_account({"vera", "creator", "Vera"}));
  ledger::NewCollection coll;
  coll.id = "auc";
  coll.standard = "erc721";
  coll.name = "Auc";
  coll.creator = "vera";
  ASSERT_TRUE(ledger->create_collection(coll));
  ASSERT_TRUE(
      ledger->mint({.caller = "vera", .collection = "auc", .asset_sha256 = sha, .to = "vera"}));
  std::string seller_key = create_api_key(*db, {"trade"}, "seller", clock, "vera")->secret;
  auto listed = setup.request("POST", "/v1/listings",
                              json({{"collection", "auc"},
                                    {"token_id", "0"},
                                    {"kind", "english"},
                                    {"reserve_price", "100"},
                                    {"min_increment_bps", 1000},
                                    {"time_buffer_s", 60},
                                    {"ends_ms", clock.now_ms() + 3'600'000}})
                                  .dump(),
                              auth(seller_key, {{"Content-Type", "application/json"}}));
  ASSERT_EQ(listed.status, 201) << listed.body;
  auto lj = json::parse(listed.body);
  std::string listing = lj["id"];
  EXPECT_EQ(lj["kind"], "english");
  EXPECT_EQ(lj["auction"]["min_next_bid"], "100");

  constexpr int kBidders = 8;
  std::vector<std::string> keys;
  for (int i = 0; i < kBidders; ++i) {
    std::string id = "bidder" + std::to_string(i);
    ASSERT_TRUE(ledger->create_account({id, "collector", id}));
    ASSERT_TRUE(ledger->deposit(AccountId(id), "ETH", U256(100'000)));
    keys.push_back(create_api_key(*db, {"trade"}, id, clock, id)->secret);
  }
  // Every bidder bids the same amount at once: exactly one is accepted, the others are too low.
  std::vector<Reply> replies(kBidders);
  std::vector<std::thread> threads;
  for (int i = 0; i < kBidders; ++i) {
    threads.emplace_back([&, i] {
      Client c(server->port());
      replies[i] = c.request("POST", "/v1/listings/" + listing + "/bids", R"({"amount":"500"})",
                             auth(keys[i], {{"Content-Type", "application/json"},
                                            {"Idempotency-Key", "bid-" + std::to_string(i)}}));
    });
  }
  for (auto& t : threads) t.join();
  int high = -1;
  for (int i = 0; i < kBidders; ++i) {
    if (replies[i].status == 201) {
      EXPECT_EQ(high, -1) << "two equal bids accepted";
      high = i;
    } else {
      EXPECT_EQ(replies[i].status, 409) << replies[i].body;
      EXPECT_EQ(json::parse(replies[i].body)["error"]["code"], "bid_too_low") << replies[i].body;
    }
  }
  ASSERT_NE(high, -1);
  Client c(server->port());
  int next = (high + 1) % kBidders;
  auto outbid = c.request("POST", "/v1/listings/" + listing + "/bids", R"({"amount":"550"})",
                          auth(keys[next], {{"Content-Type", "application/json"}}));
  ASSERT_EQ(outbid.status, 201) << outbid.body;
  EXPECT_EQ(json::parse(outbid.body)["refunded"], "bidder" + std::to_string(high));
  EXPECT_EQ(c.request("POST", "/v1/auctions/" + listing + "/settle", "", auth(keys[0])).status,
            409);
  EXPECT_EQ(c.request("POST", "/v1/listings/" + listing + "/cancel", "", auth(seller_key)).status,
            409);
  auto bids = json::parse(c.get("/v1/listings/" + listing + "/bids").body);
  ASSERT_EQ(bids["data"].size(), 2u);
  clock.advance_ms(3'600'000);
  auto settled = c.request("POST", "/v1/auctions/" + listing + "/settle", "", auth(keys[0]));
  ASSERT_EQ(settled.status, 200) << settled.body;
  auto sj = json::parse(settled.body);
  EXPECT_EQ(sj["winner"], "bidder" + std::to_string(next));
  EXPECT_EQ(sj["price"], "550");
  EXPECT_EQ(*ledger->owner_of(CollectionId("auc"), U256(0)), "bidder" + std::to_string(next));
  EXPECT_EQ(json::parse(c.get("/v1/listings/" + listing).body)["status"], "settled");
  auto again = c.request("POST", "/v1/auctions/" + listing + "/settle", "", auth(keys[0]));
  EXPECT_EQ(again.status, 409);
  EXPECT_EQ(json::parse(again.body)["error"]["code"], "already_settled");
  for (int i = 0; i < kBidders; ++i) {
    auto view = ledger->account("bidder" + std::to_string(i));
    EXPECT_EQ(view->balances[0].amount, i == next ? U256(100'000 - 550) : U256(100'000));
  }
  EXPECT_TRUE(db->check_ledger()->ok);
}

// --- issue 14: defects found when the service was attacked ---------------------------------

// A collection "strict" with token 0 held by vera, whose trade key is returned.
std::string list_setup(ledger::Ledger& ledger, store::SqliteStore& db, const ManualClock& clock,
                       const std::string& sha) {
  EXPECT_TRUE(ledger.create_account({"vera", "creator", "Vera"}));
  ledger::NewCollection coll;
  coll.id = "strict";
  coll.standard = "erc721";
  coll.name = "Strict";
  coll.creator = "vera";
  EXPECT_TRUE(ledger.create_collection(coll));
  EXPECT_TRUE(
      ledger.mint({.caller = "vera", .collection = "strict", .asset_sha256 = sha, .to = "vera"}));
  return create_api_key(db, {"trade"}, "seller", clock, "vera")->secret;
}

void expect_400_naming(const Reply& r, const std::string& param, const std::string& code = {}) {
  EXPECT_EQ(r.status, 400) << r.body;
  auto j = json::parse(r.body, nullptr, false);
  ASSERT_TRUE(j.is_object()) << r.body;
  EXPECT_EQ(j["error"]["param"], param) << r.body;
  if (!code.empty()) {
    EXPECT_EQ(j["error"]["code"], code) << r.body;
  }
}

TEST_F(ApiServer, ListingFieldsAreTypeCheckedAndBelongToTheKind) {
  start();
  Client c(server->port());
  std::string sha = render_via_api(c, kToken1)["asset"]["sha256"];
  const std::string seller_key = list_setup(*ledger, *db, clock, sha);
  const Headers h = auth(seller_key, {{"Content-Type", "application/json"}});
  const json fixed = {{"collection", "strict"}, {"token_id", "0"}, {"price", "1000"}};
  const auto post = [&](const json& body) {
    return c.request("POST", "/v1/listings", body.dump(), h);
  };
  // A seller that is not a non-empty string was ignored (the key's account was used).
  for (const json& bad :
       {json(7), json(nullptr), json::array({"vera"}), json::object({{"id", "vera"}}), json("")}) {
    json body = fixed;
    body["seller"] = bad;
    expect_400_naming(post(body), "seller", "invalid_field");
  }
  // Another kind's fields were accepted and ignored.
  for (const auto& [field, value] :
       std::vector<std::pair<std::string, json>>{{"min_increment_bps", 100},
                                                 {"time_buffer_s", 60},
                                                 {"reserve_price", "5"},
                                                 {"params", json::object({{"start_price", "1"}})},
                                                 {"settlement", "immediate"}}) {
    json body = fixed;
    body[field] = value;
    expect_400_naming(post(body), field, "field_not_for_kind");
  }
  json english = {{"collection", "strict"},
                  {"token_id", "0"},
                  {"kind", "english"},
                  {"ends_ms", clock.now_ms() + 60'000}};
  for (const auto& [field, value] :
       std::vector<std::pair<std::string, json>>{{"price", "1000"},
                                                 {"rules", json::object()},
                                                 {"accepts", json::array({"USD"})},
                                                 {"params", json::object()}}) {
    json body = english;
    body[field] = value;
    expect_400_naming(post(body), field, "field_not_for_kind");
  }
  json gda = {{"collection", "strict"},
              {"token_id", "0"},
              {"kind", "gda-discrete"},
              {"rules", json::object()}};
  expect_400_naming(post(gda), "rules", "field_not_for_kind");
  // A field no kind has.
  json typo = fixed;
  typo["prise"] = "1";
  expect_400_naming(post(typo), "prise", "unknown_field");
  json kind_number = fixed;
  kind_number["kind"] = 3;
  expect_400_naming(post(kind_number), "kind", "invalid_field");
  // Nothing was listed by any of them; the proper requests still work.
  auto ok = post(fixed);
  ASSERT_EQ(ok.status, 201) << ok.body;
  EXPECT_TRUE(db->check_ledger()->ok);
}

TEST_F(ApiServer, PurchaseBidAndCancelBodiesAreChecked) {
  start();
  Client c(server->port());
  std::string sha = render_via_api(c, kToken1)["asset"]["sha256"];
  const std::string seller_key = list_setup(*ledger, *db, clock, sha);
  auto listed =
      c.request("POST", "/v1/listings",
                json({{"collection", "strict"}, {"token_id", "0"}, {"price", "1000"}}).dump(),
                auth(seller_key, {{"Content-Type", "application/json"}}));
  ASSERT_EQ(listed.status, 201) << listed.body;
  const std::string listing = json::parse(listed.body)["id"];
  ASSERT_TRUE(ledger->create_account({"bob", "collector", "Bob"}));
  ASSERT_TRUE(ledger->deposit(AccountId("bob"), "ETH", U256(5000)));
  const Headers bob = auth(create_api_key(*db, {"trade"}, "bob", clock, "bob")->secret,
                           {{"Content-Type", "application/json"}});
  const auto buy = [&](const json& body) {
    return c.request("POST", "/v1/listings/" + listing + "/purchases", body.dump(), bob);
  };
  for (const json& bad : {json(5), json(nullptr), json::array(), json::object(), json("")}) {
    expect_400_naming(buy({{"buyer", bad}}), "buyer", "invalid_field");
  }
  expect_400_naming(buy({{"max_slippage_bps", -1}, {"quoted_total", "1000"}}), "max_slippage_bps");
  expect_400_naming(buy({{"max_slippage_bps", 10'001}, {"quoted_total", "1000"}}),
                    "max_slippage_bps");
  expect_400_naming(buy({{"max_slippage_bps", 50}}), "max_slippage_bps");  // Bounds no quote.
  expect_400_naming(buy({{"quantity", "1"}, {"colour", "red"}}), "colour", "unknown_field");
  EXPECT_EQ(*ledger->owner_of(CollectionId("strict"), U256(0)), "vera");  // Nothing was bought.
  EXPECT_EQ(ledger->account("bob")->balances[0].amount, U256(5000));

  const auto bid = [&](const json& body) {
    return c.request("POST", "/v1/listings/" + listing + "/bids", body.dump(), bob);
  };
  expect_400_naming(bid({{"amount", "10"}, {"bidder", json::array()}}), "bidder", "invalid_field");
  expect_400_naming(bid({{"amount", "10"}, {"max_total", "10"}}), "max_total", "unknown_field");
  auto cancel = c.request("POST", "/v1/listings/" + listing + "/cancel", R"({"seller":"bob"})",
                          auth(seller_key, {{"Content-Type", "application/json"}}));
  expect_400_naming(cancel, "seller", "unknown_field");
  EXPECT_EQ(json::parse(c.get("/v1/listings/" + listing).body)["status"], "active");
  EXPECT_EQ(buy({{"quantity", "1"}}).status, 201);
}

TEST_F(ApiServer, AccountBalancesAreVisibleOnlyToTheirKeyOrAdmin) {
  start();
  Client c(server->port());
  ASSERT_TRUE(ledger->create_account({"ann", "collector", "Ann"}));
  ASSERT_TRUE(ledger->create_account({"bob", "collector", "Bob"}));
  ASSERT_TRUE(ledger->deposit(AccountId("ann"), "USD", U256(77)));
  const std::string ann_key = create_api_key(*db, {"read"}, "ann", clock, "ann")->secret;
  const std::string bob_key = create_api_key(*db, {"read", "trade"}, "bob", clock, "bob")->secret;
  const std::string admin_key = create_api_key(*db, {"admin"}, "admin", clock)->secret;
  auto own = c.get("/v1/accounts/ann", auth(ann_key));
  ASSERT_EQ(own.status, 200) << own.body;
  EXPECT_EQ(json::parse(own.body)["balances"][0]["amount"], "77");
  EXPECT_EQ(c.get("/v1/accounts/ann", auth(admin_key)).status, 200);
  // Anyone else is answered as for an account that does not exist.
  auto missing = json::parse(c.get("/v1/accounts/nobody", auth(read_key)).body);
  for (const auto& key : {bob_key, read_key}) {
    auto r = c.get("/v1/accounts/ann", auth(key));
    EXPECT_EQ(r.status, 404) << r.body;
    auto j = json::parse(r.body);
    EXPECT_EQ(j["error"]["code"], missing["error"]["code"]);
    EXPECT_EQ(j["error"]["param"], missing["error"]["param"]);
    EXPECT_EQ(r.body.find("77"), std::string::npos);
  }
  EXPECT_EQ(c.get("/v1/accounts/ann", auth(ann_key)).status, 200);
}

TEST_F(ApiServer, AuctionBidsArePaginated) {
  start();
  Client c(server->port());
  std::string sha = render_via_api(c, kToken1)["asset"]["sha256"];
  const std::string seller_key = list_setup(*ledger, *db, clock, sha);
  auto listed = c.request("POST", "/v1/listings",
                          json({{"collection", "strict"},
                                {"token_id", "0"},
                                {"kind", "english"},
                                {"reserve_price", "100"},
                                {"min_increment_bps", 0},
                                {"ends_ms", clock.now_ms() + 3'600'000}})
                              .dump(),
                          auth(seller_key, {{"Content-Type", "application/json"}}));
  ASSERT_EQ(listed.status, 201) << listed.body;
  const std::string listing = json::parse(listed.body)["id"];
  constexpr int kBids = 5;
  for (int i = 0; i < kBids; ++i) {
    const std::string id = "p" + std::to_string(i);
    ASSERT_TRUE(ledger->create_account({id, "collector", id}));
    ASSERT_TRUE(ledger->deposit(AccountId(id), "ETH", U256(10'000)));
    auto key = create_api_key(*db, {"trade"}, id, clock, id)->secret;
    auto r = c.request("POST", "/v1/listings/" + listing + "/bids",
                       json({{"amount", std::to_string(100 * (i + 1))}}).dump(),
                       auth(key, {{"Content-Type", "application/json"}}));
    ASSERT_EQ(r.status, 201) << r.body;
  }
  std::vector<std::string> amounts;
  std::string cursor;
  int pages = 0;
  do {
    auto r = c.get("/v1/listings/" + listing + "/bids?limit=2" +
                   (cursor.empty() ? "" : "&cursor=" + cursor));
    ASSERT_EQ(r.status, 200) << r.body;
    auto j = json::parse(r.body);
    ASSERT_TRUE(j["data"].is_array()) << r.body;
    EXPECT_LE(j["data"].size(), 2u);
    for (const auto& b : j["data"]) amounts.push_back(b["amount"]);
    cursor = j["next_cursor"].is_null() ? "" : j["next_cursor"].get<std::string>();
    ASSERT_LT(++pages, 10);
  } while (!cursor.empty());
  EXPECT_EQ(pages, 3);
  EXPECT_EQ(amounts,
            (std::vector<std::string>{"100", "200", "300", "400", "500"}));  // Oldest first.
  auto all = json::parse(c.get("/v1/listings/" + listing + "/bids").body);   // Default limit: 20.
  EXPECT_EQ(all["data"].size(), 5u);
  EXPECT_TRUE(all["next_cursor"].is_null());
  expect_400_naming(c.get("/v1/listings/" + listing + "/bids?limit=0"), "limit", "invalid_limit");
  expect_400_naming(c.get("/v1/listings/" + listing + "/bids?limit=101"), "limit", "invalid_limit");
  expect_400_naming(c.get("/v1/listings/" + listing + "/bids?cursor=x"), "cursor",
                    "invalid_cursor");
  EXPECT_EQ(c.get("/v1/listings/nope/bids").status, 404);
}

}  // namespace
}  // namespace atelier::api
