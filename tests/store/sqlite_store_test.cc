// SqliteStore: schema and migrations, WAL, generators, renders, assets' signed files, API keys,
// idempotency.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sqlite3.h>
#include <sys/stat.h>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "core/hash.h"
#include "store/internal/migrations.h"
#include "store/sqlite_store.h"
#include "tests/store/test_dir.h"

namespace atelier::store {
namespace {

using atelier::testing::TempDir;
using ::testing::ElementsAre;

// Runs one query with the sqlite3 C API directly on the file and returns the first column of
// the first row as text (independent of SqliteStore).
std::string query_text(const std::filesystem::path& db_path, const std::string& sql) {
  sqlite3* db = nullptr;
  EXPECT_EQ(sqlite3_open_v2(db_path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr), SQLITE_OK);
  sqlite3_stmt* st = nullptr;
  std::string out = "<none>";
  if (sqlite3_prepare_v2(db, sql.c_str(), -1, &st, nullptr) == SQLITE_OK &&
      sqlite3_step(st) == SQLITE_ROW) {
    const unsigned char* t = sqlite3_column_text(st, 0);
    out = t ? reinterpret_cast<const char*>(t) : "<null>";
  }
  sqlite3_finalize(st);
  sqlite3_close(db);
  return out;
}

std::unique_ptr<SqliteStore> open_store(const std::filesystem::path& p) {
  auto s = SqliteStore::open(p);
  EXPECT_TRUE(s) << (s ? "" : s.error().to_string());
  return s ? std::move(*s) : nullptr;
}

std::string hex64(const std::string& seed) { return sha256_hex(seed); }

// A log event standing for the change (the engines build the real ones: render/events.h).
LogEvent event_for(const GeneratorVersion& g) {
  return {R"({"generator":")" + g.bundle_hash + R"("})", {"generator:" + g.bundle_hash}};
}
LogEvent event_for(const RenderRecord& r) {
  return {R"({"render":")" + r.recipe_id + R"("})", {"asset:" + r.asset_sha256}};
}

GeneratorVersion gen(const std::string& name, const std::string& content,
                     std::int64_t created_ms = 1) {
  GeneratorVersion g;
  g.name = name;
  g.bundle_hash = hex64(name + ":" + content);
  g.version = "1.0." + std::to_string(content.size());
  g.description = "desc of " + name;
  g.manifest_json = R"({"name":")" + name + R"("})";
  g.files = {{"main.lua", hex64("lua:" + content), 12},
             {"manifest.json", hex64("m:" + content), 34}};
  g.created_ms = created_ms;
  return g;
}

std::pair<RenderRecord, AssetRecord> render_rec(int i, const std::string& asset_seed = "") {
  RenderRecord r;
  r.recipe_id = hex64("recipe" + std::to_string(i));
  r.recipe_json = R"({"i":)" + std::to_string(i) + "}";
  r.generator_name = "flow-field";
  r.generator_hash = hex64("gen");
  r.token_hash = "0x" + hex64("token" + std::to_string(i));
  r.width = 100 + i;
  r.height = 200 + i;
  r.format = "png";
  r.asset_sha256 = hex64("asset" + (asset_seed.empty() ? std::to_string(i) : asset_seed));
  r.traits_json = R"({"n":)" + std::to_string(i) + "}";
  r.atelier_version = "0.1.0";
  r.script_us = 1, r.raster_us = 2, r.encode_us = 3;
  r.created_ms = 1000 + i;
  AssetRecord a{r.asset_sha256, "image/png", 4096 + i, r.width, r.height, r.created_ms};
  return {r, a};
}

TEST(SqliteStore, OpenCreatesTheSchemaAtTheLatestMigration) {
  TempDir dir;
  auto db = open_store(dir / "atelier.db");
  ASSERT_TRUE(db);
  const int expected = static_cast<int>(internal::migrations().size());
  EXPECT_GE(expected, 1);
  EXPECT_EQ(db->schema_version(), expected);
  EXPECT_EQ(query_text(dir / "atelier.db", "PRAGMA user_version"), std::to_string(expected));
  for (const char* table :
       {"generator_versions", "renders", "blobs_meta", "api_keys", "idempotency_keys"}) {
    EXPECT_EQ(
        query_text(dir / "atelier.db",
                   std::string("SELECT name FROM sqlite_master WHERE type='table' AND name='") +
                       table + "'"),
        table);
  }
}

TEST(SqliteStore, WalModeIsOn) {
  TempDir dir;
  auto db = open_store(dir / "atelier.db");
  ASSERT_TRUE(db);
  // journal_mode=WAL is persistent in the file: a fresh connection sees it.
  EXPECT_EQ(query_text(dir / "atelier.db", "PRAGMA journal_mode"), "wal");
}

TEST(SqliteStore, ReopenKeepsDataAndDoesNotReapplyMigrations) {
  TempDir dir;
  auto path = dir / "atelier.db";
  {
    auto db = open_store(path);
    ASSERT_TRUE(db);
    ASSERT_TRUE(
        db->put_generator_version(gen("alpha", "v1"), event_for(gen("alpha", "v1"))).value());
    auto [r, a] = render_rec(1);
    ASSERT_TRUE(db->put_render(r, a, event_for(r)).value());
  }
  for (int i = 0; i < 2; ++i) {
    auto db = open_store(path);  // A re-applied CREATE TABLE would fail here.
    ASSERT_TRUE(db);
    EXPECT_EQ(db->schema_version(), static_cast<int>(internal::migrations().size()));
    auto g = db->latest_generator_version("alpha");
    ASSERT_TRUE(g && *g);
    EXPECT_EQ((*g)->bundle_hash, gen("alpha", "v1").bundle_hash);
    auto r = db->render_by_recipe(render_rec(1).first.recipe_id);
    ASSERT_TRUE(r && *r);
  }
  EXPECT_EQ(query_text(path, "SELECT COUNT(*) FROM generator_versions"), "1");
}

TEST(SqliteStore, RefusesADatabaseFromANewerSchema) {
  TempDir dir;
  auto path = dir / "atelier.db";
  { ASSERT_TRUE(open_store(path)); }
  sqlite3* raw = nullptr;
  ASSERT_EQ(sqlite3_open(path.c_str(), &raw), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(raw, "PRAGMA user_version = 999", nullptr, nullptr, nullptr), SQLITE_OK);
  sqlite3_close(raw);
  auto db = SqliteStore::open(path);
  ASSERT_FALSE(db);
  EXPECT_EQ(db.error().code, "schema_too_new");
}

TEST(SqliteStore, OpenFailsCleanlyForAnUnwritablePath) {
  TempDir dir;
  auto db = SqliteStore::open(dir / "no-such-dir" / "atelier.db");
  ASSERT_FALSE(db);
  EXPECT_EQ(db.error().kind, ErrorKind::kInternal);
}

// --- generators ---------------------------------------------------------------------------

TEST(SqliteStore, GeneratorVersionPutGetLatest) {
  TempDir dir;
  auto db = open_store(dir / "atelier.db");
  ASSERT_TRUE(db);
  auto v1 = gen("flow", "one", 10);
  auto v2 = gen("flow", "two", 20);
  EXPECT_TRUE(db->put_generator_version(v1, event_for(v1)).value());
  EXPECT_FALSE(
      db->put_generator_version(v1, event_for(v1)).value());  // Same bundle hash: unchanged.
  EXPECT_TRUE(db->put_generator_version(v2, event_for(v2)).value());

  auto got = db->generator_version("flow", v1.bundle_hash);
  ASSERT_TRUE(got && *got);
  EXPECT_EQ((*got)->name, "flow");
  EXPECT_EQ((*got)->version, v1.version);
  EXPECT_EQ((*got)->description, v1.description);
  EXPECT_EQ((*got)->manifest_json, v1.manifest_json);
  EXPECT_EQ((*got)->created_ms, 10);
  ASSERT_EQ((*got)->files.size(), 2u);
  EXPECT_EQ((*got)->files[0].path, "main.lua");
  EXPECT_EQ((*got)->files[0].sha256, v1.files[0].sha256);
  EXPECT_EQ((*got)->files[0].size_bytes, 12);
  EXPECT_EQ((*got)->files[1].size_bytes, 34);

  auto latest = db->latest_generator_version("flow");
  ASSERT_TRUE(latest && *latest);
  EXPECT_EQ((*latest)->bundle_hash, v2.bundle_hash);
  EXPECT_GT((*latest)->seq, (*got)->seq);

  // Re-putting the old version does not make it the latest.
  EXPECT_FALSE(db->put_generator_version(v1, event_for(v1)).value());
  EXPECT_EQ(db->latest_generator_version("flow").value()->bundle_hash, v2.bundle_hash);

  auto all = db->generator_versions("flow");
  ASSERT_TRUE(all);
  ASSERT_EQ(all->size(), 2u);
  EXPECT_EQ((*all)[0].bundle_hash, v2.bundle_hash);  // Newest first.
  EXPECT_EQ((*all)[1].bundle_hash, v1.bundle_hash);

  EXPECT_FALSE(db->generator_version("flow", hex64("nope")).value());
  EXPECT_FALSE(db->generator_version("other", v1.bundle_hash).value());
  EXPECT_FALSE(db->latest_generator_version("other").value());
  EXPECT_TRUE(db->generator_versions("other").value().empty());
}

TEST(SqliteStore, SameBundleHashUnderTwoNamesIsTwoGenerators) {
  TempDir dir;
  auto db = open_store(dir / "atelier.db");
  auto a = gen("a", "x");
  auto b = a;
  b.name = "b";
  EXPECT_TRUE(db->put_generator_version(a, event_for(a)).value());
  EXPECT_TRUE(db->put_generator_version(b, event_for(b)).value());
}

TEST(SqliteStore, ListGeneratorsPaginatesByNameWithoutDuplicates) {
  TempDir dir;
  auto db = open_store(dir / "atelier.db");
  ASSERT_TRUE(db);
  std::vector<std::string> names = {"kappa", "alpha", "zeta", "delta", "beta", "eta", "gamma"};
  for (const auto& n : names) {
    ASSERT_TRUE(db->put_generator_version(gen(n, "1", 5), event_for(gen(n, "1", 5))).value());
  }
  // Extra versions must not produce extra rows.
  ASSERT_TRUE(
      db->put_generator_version(gen("delta", "2", 7), event_for(gen("delta", "2", 7))).value());
  ASSERT_TRUE(
      db->put_generator_version(gen("delta", "3", 9), event_for(gen("delta", "3", 9))).value());

  for (std::int64_t limit : {1, 2, 3, 7, 100}) {
    std::vector<std::string> walked;
    PageRequest page{limit, ""};
    int pages = 0;
    for (;;) {
      auto r = db->list_generators(page);
      ASSERT_TRUE(r) << r.error().to_string();
      EXPECT_LE(static_cast<std::int64_t>(r->items.size()), limit);
      for (const auto& g : r->items) walked.push_back(g.name);
      ++pages;
      ASSERT_LT(pages, 50) << "cursor does not advance";
      if (r->next_cursor.empty()) break;
      page.cursor = r->next_cursor;
    }
    std::vector<std::string> sorted = names;
    std::sort(sorted.begin(), sorted.end());
    EXPECT_EQ(walked, sorted) << "limit " << limit;
  }

  auto first = db->list_generators({100, ""});
  ASSERT_TRUE(first);
  auto delta = std::find_if(first->items.begin(), first->items.end(),
                            [](const auto& g) { return g.name == "delta"; });
  ASSERT_NE(delta, first->items.end());
  EXPECT_EQ(delta->versions, 3);
  EXPECT_EQ(delta->latest_hash, gen("delta", "3").bundle_hash);
  EXPECT_EQ(delta->latest_version, gen("delta", "3").version);
  EXPECT_EQ(delta->updated_ms, 9);
  EXPECT_TRUE(first->next_cursor.empty());
}

TEST(SqliteStore, ListGeneratorsOnAnEmptyStore) {
  TempDir dir;
  auto db = open_store(dir / "atelier.db");
  auto r = db->list_generators({20, ""});
  ASSERT_TRUE(r);
  EXPECT_TRUE(r->items.empty());
  EXPECT_TRUE(r->next_cursor.empty());
}

// --- renders ------------------------------------------------------------------------------

TEST(SqliteStore, PutRenderIsIdempotentByRecipeId) {
  TempDir dir;
  auto db = open_store(dir / "atelier.db");
  ASSERT_TRUE(db);
  auto [r, a] = render_rec(1);
  EXPECT_TRUE(db->put_render(r, a, event_for(r)).value());
  auto changed = r;
  changed.traits_json = R"({"changed":true})";
  EXPECT_FALSE(db->put_render(changed, a, event_for(changed)).value());  // Left as it was.

  auto got = db->render_by_recipe(r.recipe_id);
  ASSERT_TRUE(got && *got);
  const RenderRecord& g = **got;
  EXPECT_EQ(g.recipe_json, r.recipe_json);
  EXPECT_EQ(g.traits_json, r.traits_json);
  EXPECT_EQ(g.generator_name, r.generator_name);
  EXPECT_EQ(g.generator_hash, r.generator_hash);
  EXPECT_EQ(g.token_hash, r.token_hash);
  EXPECT_EQ(g.width, r.width);
  EXPECT_EQ(g.height, r.height);
  EXPECT_EQ(g.format, "png");
  EXPECT_EQ(g.asset_sha256, r.asset_sha256);
  EXPECT_EQ(g.atelier_version, "0.1.0");
  EXPECT_EQ(g.script_us, 1);
  EXPECT_EQ(g.raster_us, 2);
  EXPECT_EQ(g.encode_us, 3);
  EXPECT_EQ(g.created_ms, r.created_ms);

  auto asset = db->asset(a.sha256);
  ASSERT_TRUE(asset && *asset);
  EXPECT_EQ((*asset)->mime_type, "image/png");
  EXPECT_EQ((*asset)->size_bytes, a.size_bytes);
  EXPECT_EQ((*asset)->width, a.width);
  EXPECT_EQ((*asset)->height, a.height);

  auto by_asset = db->render_by_asset(a.sha256);
  ASSERT_TRUE(by_asset && *by_asset);
  EXPECT_EQ((*by_asset)->recipe_id, r.recipe_id);

  EXPECT_FALSE(db->render_by_recipe(hex64("none")).value());
  EXPECT_FALSE(db->render_by_asset(hex64("none")).value());
  EXPECT_FALSE(db->asset(hex64("none")).value());
  EXPECT_EQ(query_text(dir / "atelier.db", "SELECT COUNT(*) FROM renders"), "1");
}

TEST(SqliteStore, TwoRecipesSharingOneAssetStoreTheAssetOnce) {
  TempDir dir;
  auto db = open_store(dir / "atelier.db");
  auto [r1, a1] = render_rec(1, "shared");
  auto [r2, a2] = render_rec(2, "shared");
  EXPECT_TRUE(db->put_render(r1, a1, event_for(r1)).value());
  EXPECT_TRUE(db->put_render(r2, a2, event_for(r2)).value());
  EXPECT_EQ(query_text(dir / "atelier.db", "SELECT COUNT(*) FROM blobs_meta"), "1");
  EXPECT_EQ(db->render_by_asset(a1.sha256).value()->recipe_id, r1.recipe_id);  // The first one.
}

TEST(SqliteStore, ListRendersNewestFirstWithCursorWalk) {
  TempDir dir;
  auto db = open_store(dir / "atelier.db");
  ASSERT_TRUE(db);
  const int n = 11;
  for (int i = 0; i < n; ++i) {
    auto [r, a] = render_rec(i);
    ASSERT_TRUE(db->put_render(r, a, event_for(r)).value());
  }
  for (std::int64_t limit : {1, 3, 4, 11, 50}) {
    std::vector<std::string> walked;
    PageRequest page{limit, ""};
    for (int guard = 0;; ++guard) {
      ASSERT_LT(guard, 100);
      auto r = db->list_renders(page);
      ASSERT_TRUE(r) << r.error().to_string();
      EXPECT_LE(static_cast<std::int64_t>(r->items.size()), limit);
      for (const auto& item : r->items) walked.push_back(item.recipe_id);
      if (r->next_cursor.empty()) break;
      page.cursor = r->next_cursor;
    }
    std::vector<std::string> expected;
    for (int i = n - 1; i >= 0; --i) expected.push_back(render_rec(i).first.recipe_id);
    EXPECT_EQ(walked, expected) << "limit " << limit;
  }
}

TEST(SqliteStore, ListRendersRefusesAForeignCursor) {
  TempDir dir;
  auto db = open_store(dir / "atelier.db");
  for (const char* bad : {"abc", "-1", "12x", " 1"}) {
    auto r = db->list_renders({10, bad});
    ASSERT_FALSE(r) << bad;
    EXPECT_EQ(r.error().code, "invalid_cursor");
    EXPECT_EQ(r.error().kind, ErrorKind::kInvalidInput);
    EXPECT_EQ(r.error().field, "cursor");
  }
}

// --- API keys -----------------------------------------------------------------------------

TEST(SqliteStore, ApiKeysPutGetListRevoke) {
  TempDir dir;
  auto db = open_store(dir / "atelier.db");
  ApiKeyRecord k{"key1", "00ff", hex64("secret"), {"read", "render", "admin"}, "studio",
                 100,    false};
  ApiKeyRecord k2{"key2", "0a0b", hex64("secret2"), {"read"}, "", 200, false};
  ASSERT_TRUE(db->put_api_key(k));
  ASSERT_TRUE(db->put_api_key(k2));
  auto dup = db->put_api_key(k);
  EXPECT_FALSE(dup) << "a second key with the same id was accepted";

  auto got = db->api_key("key1");
  ASSERT_TRUE(got && *got);
  EXPECT_EQ((*got)->salt_hex, "00ff");
  EXPECT_EQ((*got)->hash_hex, k.hash_hex);
  EXPECT_THAT((*got)->scopes, ElementsAre("read", "render", "admin"));
  EXPECT_EQ((*got)->label, "studio");
  EXPECT_EQ((*got)->created_ms, 100);
  EXPECT_FALSE((*got)->revoked);
  EXPECT_FALSE(db->api_key("nope").value());

  auto list = db->list_api_keys();
  ASSERT_TRUE(list);
  ASSERT_EQ(list->size(), 2u);
  EXPECT_EQ((*list)[0].id, "key1");
  EXPECT_EQ((*list)[1].id, "key2");

  EXPECT_TRUE(db->revoke_api_key("key1").value());
  EXPECT_FALSE(db->revoke_api_key("key1").value());  // Already revoked.
  EXPECT_FALSE(db->revoke_api_key("nope").value());
  EXPECT_TRUE(db->api_key("key1").value()->revoked);
  EXPECT_FALSE(db->api_key("key2").value()->revoked);
}

// --- idempotency --------------------------------------------------------------------------

using State = IdempotencyClaim::State;

TEST(SqliteStore, IdempotencyNewInFlightReplayMismatch) {
  TempDir dir;
  auto db = open_store(dir / "atelier.db");
  auto first = db->claim_idempotency("key1", "idem-1", "hashA", 1000);
  ASSERT_TRUE(first);
  EXPECT_EQ(first->state, State::kNew);

  auto again = db->claim_idempotency("key1", "idem-1", "hashA", 1001);
  ASSERT_TRUE(again);
  EXPECT_EQ(again->state, State::kInFlight);

  auto other_body = db->claim_idempotency("key1", "idem-1", "hashB", 1002);
  ASSERT_TRUE(other_body);
  EXPECT_EQ(other_body->state, State::kMismatch);

  ASSERT_TRUE(db->complete_idempotency({"key1", "idem-1", first->token}, 201, R"({"ok":true})"));
  auto replay = db->claim_idempotency("key1", "idem-1", "hashA", 1003);
  ASSERT_TRUE(replay);
  EXPECT_EQ(replay->state, State::kReplay);
  EXPECT_EQ(replay->status, 201);
  EXPECT_EQ(replay->body, R"({"ok":true})");

  auto mismatch = db->claim_idempotency("key1", "idem-1", "hashB", 1004);
  ASSERT_TRUE(mismatch);
  EXPECT_EQ(mismatch->state, State::kMismatch);

  // Keys are scoped by API key id.
  auto other_key = db->claim_idempotency("key2", "idem-1", "hashB", 1005);
  ASSERT_TRUE(other_key);
  EXPECT_EQ(other_key->state, State::kNew);
}

TEST(SqliteStore, IdempotencyReleaseLetsARetryRunButNeverForgetsACompletedOne) {
  TempDir dir;
  auto db = open_store(dir / "atelier.db");
  auto first = db->claim_idempotency("k", "a", "h", 1);
  ASSERT_EQ(first->state, State::kNew);
  ASSERT_TRUE(db->release_idempotency({"k", "a", first->token}));
  auto second = db->claim_idempotency("k", "a", "h2", 2);
  EXPECT_EQ(second->state, State::kNew);  // Free again, any body.

  ASSERT_TRUE(db->complete_idempotency({"k", "a", second->token}, 200, "body"));
  ASSERT_TRUE(db->release_idempotency({"k", "a", second->token}));  // A completed claim is kept.
  auto r = db->claim_idempotency("k", "a", "h2", 3);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->state, State::kReplay);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->body, "body");

  EXPECT_TRUE(db->release_idempotency({"k", "never-claimed", "t"}));  // Harmless.
}

TEST(SqliteStore, IdempotencyClaimIsExclusiveAcrossThreads) {
  TempDir dir;
  auto db = open_store(dir / "atelier.db");
  std::atomic<int> news{0}, in_flight{0}, other{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 10; ++i) {
        auto r = db->claim_idempotency("k", "key-" + std::to_string(i), "h", 1);
        if (!r) {
          ++other;
        } else if (r->state == State::kNew) {
          ++news;
        } else if (r->state == State::kInFlight) {
          ++in_flight;
        } else {
          ++other;
        }
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(news.load(), 10);  // Exactly one winner per key.
  EXPECT_EQ(in_flight.load(), 70);
  EXPECT_EQ(other.load(), 0);
}

TEST(SqliteStore, TwoConnectionsToOneFileSeeEachOthersCommits) {
  TempDir dir;
  auto a = open_store(dir / "atelier.db");
  auto b = open_store(dir / "atelier.db");
  ASSERT_TRUE(a && b);
  ASSERT_TRUE(a->put_generator_version(gen("shared", "1"), event_for(gen("shared", "1"))).value());
  EXPECT_TRUE(b->latest_generator_version("shared").value());
  EXPECT_FALSE(b->put_generator_version(gen("shared", "1"), event_for(gen("shared", "1"))).value());
}

// --- the data directory -------------------------------------------------------------------

// An asset has one signed file as itself and one per parent it was served as a variant of
// (issue 15); each (asset, parent) keeps the first one recorded.
TEST(SqliteStore, AssetCredentialsAreKeptPerParent) {
  TempDir dir;
  auto db = open_store(dir / "atelier.db");
  ASSERT_TRUE(db);
  auto [r, a] = render_rec(1);
  ASSERT_TRUE(db->put_render(r, a, event_for(r)).value());
  const std::string parent = hex64("parent");
  AssetCredentialRecord own{a.sha256, hex64("signed own"), "urn:c2pa:own", 5, ""};
  AssetCredentialRecord as_variant{a.sha256, hex64("signed variant"), "urn:c2pa:v", 6, parent};
  EXPECT_TRUE(db->put_asset_credential(own).value());
  EXPECT_TRUE(db->put_asset_credential(as_variant).value());
  AssetCredentialRecord later = as_variant;
  later.signed_sha256 = hex64("signed again");
  EXPECT_FALSE(db->put_asset_credential(later).value());  // The first one stays.
  auto got_own = db->asset_credential(a.sha256, "");
  ASSERT_TRUE(got_own && *got_own);
  EXPECT_EQ((*got_own)->signed_sha256, own.signed_sha256);
  EXPECT_EQ((*got_own)->parent_sha256, "");
  auto got_variant = db->asset_credential(a.sha256, parent);
  ASSERT_TRUE(got_variant && *got_variant);
  EXPECT_EQ((*got_variant)->signed_sha256, as_variant.signed_sha256);
  auto by_signed = db->asset_credential_by_signed(as_variant.signed_sha256);
  ASSERT_TRUE(by_signed && *by_signed);
  EXPECT_EQ((*by_signed)->parent_sha256, parent);
  EXPECT_EQ((*by_signed)->asset_sha256, a.sha256);
  auto none = db->asset_credential(a.sha256, hex64("another parent"));
  ASSERT_TRUE(none);
  EXPECT_FALSE(*none);
}

// v8 rebuilds asset_credentials with the parent in its key: rows written under v7 are kept, as
// the assets' own signed files.
TEST(SqliteStore, TheV8RebuildKeepsV7Credentials) {
  TempDir dir;
  const auto path = dir / "atelier.db";
  auto [r, a] = render_rec(1);
  {
    auto db = open_store(path);
    ASSERT_TRUE(db);
    ASSERT_TRUE(db->put_render(r, a, event_for(r)).value());
  }
  ASSERT_GE(internal::migrations().size(), 8u);
  sqlite3* raw = nullptr;
  ASSERT_EQ(sqlite3_open(path.c_str(), &raw), SQLITE_OK);
  const std::string v7 =
      "DROP TABLE asset_credentials; DROP TABLE compliance_decisions; "
      "DROP TABLE compliance_policies; DROP TABLE registry_codes; DROP TABLE registry_works; "
      "DROP TABLE registry_banks; DROP TABLE registry_state; DROP TABLE compliance_term_lists; "
      "DROP TABLE asset_fingerprints; "  // v9, v10, v11 again on top of v7.
      "CREATE TABLE asset_credentials (asset_sha256 TEXT PRIMARY KEY REFERENCES blobs_meta "
      "(sha256), signed_sha256 TEXT NOT NULL, manifest_label TEXT NOT NULL, created_ms INTEGER "
      "NOT NULL) WITHOUT ROWID; "
      "CREATE INDEX asset_credentials_by_signed ON asset_credentials (signed_sha256); "
      "INSERT INTO asset_credentials VALUES ('" +
      a.sha256 + "', '" + hex64("signed") + "', 'urn:c2pa:old', 7); PRAGMA user_version = 7";
  EXPECT_EQ(sqlite3_exec(raw, v7.c_str(), nullptr, nullptr, nullptr), SQLITE_OK)
      << sqlite3_errmsg(raw);
  sqlite3_close(raw);
  auto db = open_store(path);
  ASSERT_TRUE(db);
  EXPECT_EQ(db->schema_version(), static_cast<int>(internal::migrations().size()));
  auto got = db->asset_credential(a.sha256, "");
  ASSERT_TRUE(got && *got);
  EXPECT_EQ((*got)->signed_sha256, hex64("signed"));
  EXPECT_EQ((*got)->manifest_label, "urn:c2pa:old");
  EXPECT_EQ((*got)->created_ms, 7);
  auto by_signed = db->asset_credential_by_signed(hex64("signed"));
  ASSERT_TRUE(by_signed && *by_signed);
  EXPECT_EQ((*by_signed)->asset_sha256, a.sha256);
}

TEST(DataDir, CreatesTheTreeWithPrivateKeys) {
  TempDir dir;
  auto root = dir / "nested" / "data";
  auto d = open_data_dir(root);
  ASSERT_TRUE(d) << d.error().to_string();
  EXPECT_EQ(d->db_path(), root / "atelier.db");
  EXPECT_TRUE(std::filesystem::is_directory(root / "blobs"));
  EXPECT_TRUE(std::filesystem::is_directory(root / "keys"));
  struct stat st {};
  ASSERT_EQ(::stat((root / "keys").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0700u);
  // Opening again is fine.
  EXPECT_TRUE(open_data_dir(root));
}

TEST(DataDir, AFileInTheWayIsAnInputError) {
  TempDir dir;
  { std::FILE* f = std::fopen((dir / "occupied").c_str(), "w"); std::fclose(f); }
  auto d = open_data_dir(dir / "occupied");
  ASSERT_FALSE(d);
  EXPECT_EQ(d.error().code, "data_dir_unusable");
  EXPECT_EQ(d.error().field, "data");
}

}  // namespace
}  // namespace atelier::store
