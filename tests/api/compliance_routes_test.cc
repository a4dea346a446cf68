// The registry over HTTP (routes_compliance.cc): documented and valid OpenAPI, guarded by the
// compliance scope, imports (JSON and CSV) with errors naming the entry, pagination, removal
// and bank switches reaching the next search, each change logged with its snapshot; an image
// registered in base64, hashed by the PDQ hasher.
#include <gtest/gtest.h>
#include <openssl/evp.h>

#include <nlohmann/json.hpp>
#include <random>

#include "api/api_keys.h"
#include "api/server.h"
#include "compliance/check.h"
#include "compliance/registry/registry.h"
#include "render/engine.h"
#include "store/blob_store.h"
#include "store/sqlite_store.h"
#include "test_client.h"
#include "test_support.h"
#include "tests/compliance/reference_data.h"

namespace atelier::api {
namespace {

using nlohmann::json;
using testing::Client;
using testing::Reply;
using Headers = std::vector<std::pair<std::string, std::string>>;

std::string hex_of(std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  compliance::PdqHash hash;
  for (auto& w : hash.words) w = static_cast<std::uint16_t>(rng());
  return compliance::to_hex(hash);
}

// `hex` with its first `bits` bits (in hex order) flipped.
std::string flipped(const std::string& hex, int bits) {
  compliance::PdqHash hash = compliance::parse_pdq_hex(hex).value();
  for (int p = 0; p < bits; ++p) {
    const int k = compliance::kPdqBits - 1 - p;
    hash.words[k >> 4] = static_cast<std::uint16_t>(hash.words[k >> 4] ^ (1u << (k & 15)));
  }
  return compliance::to_hex(hash);
}

class ComplianceRegistryRoutes : public ::testing::Test {
 protected:
  testing::TempDir dir;
  ManualClock clock;
  std::unique_ptr<store::SqliteStore> db;
  std::unique_ptr<store::BlobStore> blobs;
  std::unique_ptr<render::Engine> engine;
  std::unique_ptr<compliance::Registry> registry;
  std::unique_ptr<compliance::TermScreens> terms;
  std::unique_ptr<compliance::Screening> screening;
  std::unique_ptr<Server> server;
  std::unique_ptr<Client> c;
  std::string key, read_key;

  void SetUp() override {
    auto data = store::open_data_dir(dir.path());
    ASSERT_TRUE(data) << data.error().to_string();
    db = std::move(*store::SqliteStore::open(data->db_path(), &clock));
    blobs = std::make_unique<store::BlobStore>(data->blobs_path());
    engine = std::make_unique<render::Engine>(*db, *blobs);
    registry =
        std::make_unique<compliance::Registry>(*db, compliance::RegistryOptions{.clock = &clock});
    key = create_api_key(*db, {"compliance"}, "screener", clock)->secret;
    read_key =
        create_api_key(*db, {"read", "render", "mint", "trade", "oracle"}, "other", clock)->secret;
    ServerOptions options;
    options.listen = "127.0.0.1:0";
    options.log_sink = [](std::string_view) {};
    options.clock = &clock;
    options.registry = registry.get();
    terms = std::make_unique<compliance::TermScreens>(*db);
    screening =
        std::make_unique<compliance::Screening>(compliance::ScreeningDeps{.assets = *db,
                                                                          .store = *db,
                                                                          .ledger = *db,
                                                                          .blobs = *blobs,
                                                                          .registry = *registry,
                                                                          .terms = *terms,
                                                                          .clock = clock});
    options.screening = screening.get();
    server = std::make_unique<Server>(std::move(options), *engine);
    auto ok = server->start();
    ASSERT_TRUE(ok) << ok.error().to_string();
    c = std::make_unique<Client>(server->port());
  }
  void TearDown() override {
    c.reset();
    if (server) server->stop();
  }
  Headers auth(const std::string& k = {}) {
    return {{"Authorization", "Bearer " + (k.empty() ? key : k)},
            {"Content-Type", "application/json"}};
  }
  Reply post(const std::string& path, const json& body) {
    return c->request("POST", path, body.dump(), auth());
  }
  Reply get(const std::string& path) { return c->request("GET", path, "", auth()); }
  static json body(const Reply& r) { return json::parse(r.body); }
  static std::string code(const Reply& r) { return body(r)["error"]["code"]; }
};

TEST_F(ComplianceRegistryRoutes, AreDocumentedGuardedByTheComplianceScopeAndValidOpenApi) {
  auto doc = json::parse(server->openapi_json());
  const auto& paths = doc["paths"];
  for (const char* p :
       {"/v1/compliance/banks", "/v1/compliance/registry/entries", "/v1/compliance/registry/images",
        "/v1/compliance/registry/entries/{id}", "/v1/compliance/registry/status",
        "/v1/compliance/registry/snapshot", "/v1/compliance/registry/search"}) {
    ASSERT_TRUE(paths.contains(p)) << p;
    for (const auto& [method, op] : paths[p].items()) {
      EXPECT_EQ(op["security"][0]["bearer"][0], "compliance") << p << " " << method;
    }
  }
  EXPECT_TRUE(paths["/v1/compliance/registry/entries/{id}"].contains("delete"));
  EXPECT_TRUE(paths["/v1/compliance/registry/entries"]["get"].contains("parameters"));
  EXPECT_EQ(c->request("GET", "/v1/compliance/banks", "").status, 401);
  EXPECT_EQ(c->request("GET", "/v1/compliance/registry/entries", "", auth(read_key)).status, 403);
  EXPECT_EQ(c->request("POST", "/v1/compliance/registry/search", "{}", auth(read_key)).status, 403);
  EXPECT_EQ(c->request("DELETE", "/v1/compliance/registry/entries/1", "", auth(read_key)).status,
            403);
  EXPECT_EQ(*db->log_size(), 0u);

  if (auto why = testing::node_tools_missing(); !why.empty()) GTEST_SKIP() << why;
  auto file = dir.path() / "openapi.json";
  testing::write_text(file, server->openapi_json());
  std::string out;
  EXPECT_EQ(testing::run_node_tool("validate-openapi.mjs", file, out), 0) << out;
}

TEST_F(ComplianceRegistryRoutes, ImportSearchRemoveAndDisable) {
  const std::string a = hex_of(1);
  auto imported = post("/v1/compliance/registry/entries",
                       {{"bank", "museum"},
                        {"bank_source", "City Museum"},
                        {"entries",
                         {{{"hash", a}, {"label", "Sunflowers"}, {"severity", "high"}},
                          {{"hash", hex_of(2)},
                           {"label", "Irises"},
                           {"source", "museum"},
                           {"severity", "low"},
                           {"uri", "https://example.com/irises.png"}}}}});
  ASSERT_EQ(imported.status, 201) << imported.body;
  EXPECT_EQ(body(imported)["added"], 2);
  EXPECT_EQ(body(imported)["bank_created"], true);
  EXPECT_EQ(body(imported)["snapshot"]["count"], 2);
  // The same again: nothing new, 200, nothing logged.
  const std::uint64_t log_size = *db->log_size();
  auto again = post(
      "/v1/compliance/registry/entries",
      {{"bank", "museum"}, {"csv", "hash,label,source,severity\n" + a + ",Sunflowers,,high\n"}});
  ASSERT_EQ(again.status, 200) << again.body;
  EXPECT_EQ(body(again)["duplicates"], 1);
  EXPECT_EQ(*db->log_size(), log_size);

  auto found = post("/v1/compliance/registry/search",
                    {{"hashes", {flipped(a, 31), flipped(a, 32)}}, {"radius", 31}});
  ASSERT_EQ(found.status, 200) << found.body;
  auto results = body(found)["results"];
  ASSERT_EQ(results.size(), 2u);
  ASSERT_EQ(results[0]["matches"].size(), 1u);
  EXPECT_EQ(results[0]["matches"][0]["entry_id"], 1);
  EXPECT_EQ(results[0]["matches"][0]["distance"], 31);
  EXPECT_TRUE(results[1]["matches"].empty());
  EXPECT_EQ(results[0]["snapshot"]["root"], body(imported)["snapshot"]["root"]);

  auto entry = get("/v1/compliance/registry/entries/2");
  ASSERT_EQ(entry.status, 200) << entry.body;
  EXPECT_EQ(body(entry)["uri"], "https://example.com/irises.png");
  EXPECT_EQ(get("/v1/compliance/registry/entries/99").status, 404);
  EXPECT_EQ(get("/v1/compliance/registry/entries/x").status, 404);

  auto removed =
      c->request("DELETE", "/v1/compliance/registry/entries/1?reason=licensed", "", auth());
  ASSERT_EQ(removed.status, 200) << removed.body;
  EXPECT_EQ(body(removed)["changed"][0]["to"], "removed");
  EXPECT_EQ(body(removed)["snapshot"]["count"], 1);
  auto after = post("/v1/compliance/registry/search", {{"hashes", {a}}});
  EXPECT_TRUE(body(after)["results"][0]["matches"].empty());
  auto twice = c->request("DELETE", "/v1/compliance/registry/entries/1", "", auth());
  EXPECT_EQ(body(twice)["unchanged"], 1);
  auto back = post("/v1/compliance/registry/status", {{"ids", {1}}, {"status", "active"}});
  EXPECT_EQ(back.status, 409);
  EXPECT_EQ(code(back), "registry_entry_removed");

  auto off = post("/v1/compliance/banks", {{"name", "museum"}, {"enabled", false}});
  ASSERT_EQ(off.status, 200) << off.body;
  EXPECT_EQ(body(off)["enabled"], false);
  EXPECT_EQ(body(off)["snapshot"]["count"], 0);
  auto snapshot = get("/v1/compliance/registry/snapshot");
  EXPECT_EQ(body(snapshot)["count"], 0);
  auto banks = get("/v1/compliance/banks");
  EXPECT_EQ(body(banks)["data"][0]["name"], "museum");
  EXPECT_EQ(body(banks)["data"][0]["enabled"], false);
}

TEST_F(ComplianceRegistryRoutes, BadImportsNameTheEntryAndChangeNothing) {
  auto r = post("/v1/compliance/registry/entries",
                {{"bank", "b"},
                 {"entries",
                  {{{"hash", hex_of(1)}, {"label", "ok"}, {"severity", "high"}},
                   {{"hash", hex_of(2)}, {"label", "bad"}, {"severity", "urgent"}}}}});
  ASSERT_EQ(r.status, 400) << r.body;
  EXPECT_EQ(body(r)["error"]["param"], "entries[1].severity");
  r = post("/v1/compliance/registry/entries",
           {{"bank", "b"}, {"csv", "hash,label,source,severity\n" + hex_of(1) + ",x,y,z\n"}});
  EXPECT_EQ(body(r)["error"]["param"], "line[2].severity");
  r = post("/v1/compliance/registry/entries",
           {{"bank", "b"}, {"entries", json::array()}, {"csv", ""}});
  EXPECT_EQ(code(r), "invalid_body");
  r = post("/v1/compliance/registry/entries", {{"bank", "b"}, {"entries", {{{"hash", "zz"}}}}});
  EXPECT_EQ(body(r)["error"]["param"], "entries[0].hash");
  r = post("/v1/compliance/registry/search", {{"hashes", {hex_of(1)}}, {"radius", 65}});
  EXPECT_EQ(code(r), "invalid_radius");
  EXPECT_EQ(*db->log_size(), 0u);
  EXPECT_TRUE(db->registry_banks()->empty());
}

TEST_F(ComplianceRegistryRoutes, EntriesArePaginatedAndFiltered) {
  std::string csv = "hash,label,source,severity\n";
  for (int i = 0; i < 25; ++i) csv += hex_of(100 + i) + ",w" + std::to_string(i) + ",s,low\n";
  ASSERT_EQ(post("/v1/compliance/registry/entries", {{"bank", "b"}, {"csv", csv}}).status, 201);
  std::vector<std::int64_t> ids;
  std::string cursor;
  for (int round = 0; round < 10; ++round) {
    auto r = get("/v1/compliance/registry/entries?limit=10" +
                 (cursor.empty() ? "" : "&cursor=" + cursor));
    ASSERT_EQ(r.status, 200) << r.body;
    const json page = body(r);
    for (const auto& e : page["data"]) ids.push_back(e["id"]);
    if (page["next_cursor"].is_null()) break;
    cursor = page["next_cursor"];
  }
  ASSERT_EQ(ids.size(), 25u);
  EXPECT_EQ(ids.front(), 1);
  EXPECT_EQ(ids.back(), 25);
  EXPECT_EQ(
      post("/v1/compliance/registry/status", {{"ids", {3, 4}}, {"status", "disabled"}}).status,
      200);
  auto disabled = get("/v1/compliance/registry/entries?status=disabled");
  EXPECT_EQ(body(disabled)["data"].size(), 2u);
  EXPECT_EQ(get("/v1/compliance/registry/entries?status=gone").status, 400);
}

std::string base64(const std::vector<std::uint8_t>& bytes) {
  std::string out(4 * ((bytes.size() + 2) / 3) + 1, '\0');
  const int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()), bytes.data(),
                                static_cast<int>(bytes.size()));
  out.resize(static_cast<std::size_t>(n));
  return out;
}

TEST_F(ComplianceRegistryRoutes, AnImageIsHashedOnImportAndAFlatOneRefused) {
  const auto art =
      atelier::testing::read_bytes(atelier::testing::pdq_data_dir() / "art-300x200.png");
  ASSERT_FALSE(art.empty());
  auto added = post(
      "/v1/compliance/registry/images",
      {{"bank", "museum"}, {"label", "Art"}, {"source", "studio"}, {"image_base64", base64(art)}});
  ASSERT_EQ(added.status, 201) << added.body;
  EXPECT_EQ(body(added)["added"], 1);
  auto entry = get("/v1/compliance/registry/entries/1");
  ASSERT_EQ(entry.status, 200) << entry.body;
  const json e = body(entry);
  EXPECT_EQ(e["severity"], "high");
  EXPECT_TRUE(e["variants"].contains("rotate90"));
  EXPECT_TRUE(e["variants"].contains("flip_minus1"));
  EXPECT_EQ(e["sha256_file"], to_hex(sha256(art)));
  const std::string pdq = e["pdq"];
  auto found = post("/v1/compliance/registry/search", {{"hashes", {pdq}}, {"radius", 0}});
  ASSERT_EQ(found.status, 200) << found.body;
  EXPECT_EQ(body(found)["results"][0]["matches"][0]["entry_id"], 1);
  // The same file again: its hash is in the bank already.
  auto again = post("/v1/compliance/registry/images",
                    {{"bank", "museum"}, {"label", "Art"}, {"image_base64", base64(art)}});
  EXPECT_EQ(again.status, 200) << again.body;

  const std::uint64_t log_size = *db->log_size();
  const auto flat = atelier::testing::read_bytes(atelier::testing::pdq_data_dir() / "flat-96.png");
  auto refused = post("/v1/compliance/registry/images",
                      {{"bank", "museum"}, {"label", "Flat"}, {"image_base64", base64(flat)}});
  EXPECT_EQ(refused.status, 400) << refused.body;
  EXPECT_EQ(code(refused), "low_quality_image");
  EXPECT_EQ(body(refused)["error"]["param"], "image_base64");
  auto garbled = post("/v1/compliance/registry/images",
                      {{"bank", "museum"}, {"label", "X"}, {"image_base64", "aGVsbG8=\n"}});
  EXPECT_EQ(code(garbled), "invalid_base64");
  auto not_image = post("/v1/compliance/registry/images",
                        {{"bank", "museum"}, {"label", "X"}, {"image_base64", "aGVsbG8="}});
  EXPECT_EQ(code(not_image), "unsupported_image");
  EXPECT_EQ(*db->log_size(), log_size);
}

// POST /v1/compliance/check and the decision routes: documented under the compliance scope
// (an asset's decisions under read); an image that is a registered work is blocked and its
// decision readable from the asset; a text matching an imported list goes to review, and an
// approval through the API names the key; bad input changes nothing.
TEST_F(ComplianceRegistryRoutes, CheckDecidesAndDecisionsReviewsAndTermsAreServed) {
  auto doc = json::parse(server->openapi_json());
  for (const char* p : {"/v1/compliance/check", "/v1/compliance/reviews",
                        "/v1/compliance/reviews/{id}/approve", "/v1/compliance/terms",
                        "/v1/compliance/policies/{collection}", "/v1/compliance/decisions/{id}"}) {
    ASSERT_TRUE(doc["paths"].contains(p)) << p;
  }
  EXPECT_EQ(doc["paths"]["/v1/assets/{sha256}/compliance"]["get"]["security"][0]["bearer"][0],
            "read");
  EXPECT_EQ(
      c->request("POST", "/v1/compliance/check", R"({"texts": {"title": "x"}})", auth(read_key))
          .status,
      403);

  // An image registered, then checked: blocked at distance 0, the decision logged.
  const auto art =
      atelier::testing::read_bytes(atelier::testing::pdq_data_dir() / "art-300x200.png");
  const std::string art_b64 = base64(art);
  ASSERT_EQ(post("/v1/compliance/registry/images",
                 {{"bank", "museum"}, {"label", "Art"}, {"image_base64", art_b64}})
                .status,
            201);
  const std::string sha = *blobs->put(art);  // The image is an asset of this studio too.
  Reply r = post("/v1/compliance/check", {{"image_base64", art_b64}});
  ASSERT_EQ(r.status, 201) << r.body;
  EXPECT_EQ(body(r)["decision"], "block") << r.body;
  EXPECT_EQ(body(r)["asset"], sha);
  EXPECT_EQ(body(r)["matches"][0]["signal"], "exact_file") << r.body;
  r = c->request("GET", "/v1/assets/" + sha + "/compliance", "", auth(read_key));
  ASSERT_EQ(r.status, 200) << r.body;
  ASSERT_EQ(body(r)["data"].size(), 1u);
  EXPECT_EQ(body(r)["data"][0]["decision"], "block");

  // A term list, a text through an evasion: review, approved by this key.
  r = post("/v1/compliance/terms",
           {{"list", "brands"}, {"severity", "review"}, {"text", "PayPal\nNike\n"}});
  ASSERT_EQ(r.status, 201) << r.body;
  EXPECT_EQ(body(r)["terms"], 2);
  r = post("/v1/compliance/check", {{"texts", {{"title", "p.a.y.p.a.l gift"}}}});
  ASSERT_EQ(r.status, 201) << r.body;
  EXPECT_EQ(body(r)["decision"], "review") << r.body;
  EXPECT_EQ(body(r)["matches"][0]["term"], "PayPal") << r.body;
  const std::string id = body(r)["id"];
  r = get("/v1/compliance/reviews");
  ASSERT_EQ(r.status, 200) << r.body;
  ASSERT_EQ(body(r)["data"].size(), 1u) << r.body;
  EXPECT_EQ(body(r)["data"][0]["id"], id);
  r = post("/v1/compliance/reviews/" + id + "/approve", {{"reason", "licensed"}});
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(body(r)["review"], "approved");
  EXPECT_EQ(body(r)["reviewer"].get<std::string>().rfind("key:", 0), 0u) << r.body;
  EXPECT_EQ(code(post("/v1/compliance/reviews/" + id + "/approve", {{"reason", "again"}})),
            "review_not_pending");

  // Bad input: refused, nothing logged.
  const std::uint64_t before = *db->log_size();
  EXPECT_EQ(code(post("/v1/compliance/check", json::object())), "check_empty");
  EXPECT_EQ(code(post("/v1/compliance/check", {{"image_base64", "aGVsbG8=\n"}})), "invalid_base64");
  EXPECT_EQ(code(post("/v1/compliance/check", {{"image_base64", base64({1, 2, 3})}})),
            "unsupported_image");
  EXPECT_EQ(code(post("/v1/compliance/check", {{"texts", {{"t", "x"}}}, {"bogus", 1}})),
            "unknown_field");
  EXPECT_EQ(code(post("/v1/compliance/terms", {{"list", "bad"}, {"text", "term,severity\nA,x\n"}})),
            "term_list_severity_invalid");
  EXPECT_EQ(*db->log_size(), before);
}

}  // namespace
}  // namespace atelier::api
