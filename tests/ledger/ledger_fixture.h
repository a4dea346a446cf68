// The ledger tests' fixture: a real SQLite store, the render engine with the tiny generator
// (tokens are minted from real renders), a ledger on a manual clock, four accounts.
#pragma once

#include <gtest/gtest.h>

#include "ledger/ledger.h"
#include "market/listings.h"
#include "render/engine.h"
#include "store/blob_store.h"
#include "store/sqlite_store.h"
#include "tests/store/test_dir.h"

namespace atelier::ledger {

using atelier::testing::TempDir;

inline std::string token(int i) {
  std::string hex = std::to_string(i);
  return "0x" + std::string(64 - hex.size(), '0') + hex;
}

class LedgerTest : public ::testing::Test {
 protected:
  TempDir dir;
  ManualClock clock;
  std::unique_ptr<store::SqliteStore> db;
  std::unique_ptr<store::BlobStore> blobs;
  std::unique_ptr<render::Engine> engine;
  std::unique_ptr<Ledger> ledger;

  void SetUp() override {
    db = std::move(*store::SqliteStore::open(dir / "atelier.db"));
    blobs = std::make_unique<store::BlobStore>(dir / "blobs");
    engine = std::make_unique<render::Engine>(*db, *blobs);
    ASSERT_TRUE(engine->add_generator(ATELIER_TINY_GENERATOR));
    ledger = std::make_unique<Ledger>(*db, *db, clock);
    for (const char* id : {"artist", "alice", "bob", "carol"}) {
      ASSERT_TRUE(
          ledger->create_account({id, std::string(id) == "artist" ? "creator" : "collector", id}));
    }
  }
  // A stored render's asset.
  std::string asset(int i) {
    render::RenderRequest req;
    req.generator = "tiny";
    req.token_hash = token(i);
    req.width = 16;
    req.height = 16;
    auto out = engine->render(req);
    EXPECT_TRUE(out) << out.error().to_string();
    return out->record.asset_sha256;
  }
  void collection(const std::string& id, const std::string& standard, U256 max_supply = U256(0)) {
    NewCollection c;
    c.id = id;
    c.standard = standard;
    c.name = "Flows";
    c.description = "Flow fields";
    c.creator = "artist";
    c.generator = "tiny";
    c.max_supply = max_supply;
    c.royalty_bps = 750;
    auto r = ledger->create_collection(c);
    ASSERT_TRUE(r) << r.error().to_string();
  }
  U256 mint(const std::string& c, int i, const std::string& to, U256 amount = U256(1)) {
    MintRequest m;
    m.caller = "artist";
    m.collection = c;
    m.asset_sha256 = asset(i);
    m.to = to;
    m.amount = amount;
    auto t = ledger->mint(m);
    EXPECT_TRUE(t) << t.error().to_string();
    return t ? t->token_id : U256();
  }
  std::string code_of(const Result<store::LedgerReceipt>& r) { return r ? "ok" : r.error().code; }
  std::string reason_of(const Result<store::LedgerReceipt>& r) {
    return r ? "ok" : r.error().message;
  }
  void expect_ledger_ok() {
    auto check = db->check_ledger();
    ASSERT_TRUE(check);
    EXPECT_TRUE(check->ok) << (check->problems.empty() ? "" : check->problems.front());
  }
};


// Markets on the ledger: a studio, an ERC-721 collection "flows" (5 % royalty, primary
// splits 80/20 artist/studio) and an ERC-1155 "eds".
class MarketTest : public LedgerTest {
 protected:
  std::unique_ptr<market::Market> market;
  void SetUp() override {
    LedgerTest::SetUp();
    market = std::make_unique<market::Market>(*db, *db, *ledger, clock);
    ASSERT_TRUE(ledger->create_account({"studio", "creator", "Studio"}));
    NewCollection c;
    c.id = "flows";
    c.standard = "erc721";
    c.name = "Flows";
    c.creator = "artist";
    c.royalty_bps = 500;
    c.primary_splits = {{"artist", 8000}, {"studio", 2000}};
    ASSERT_TRUE(ledger->create_collection(c));
    NewCollection e = c;
    e.id = "eds";
    e.standard = "erc1155";
    ASSERT_TRUE(ledger->create_collection(e));
  }
  U256 balance(const std::string& account, const std::string& currency = "ETH") {
    auto view = ledger->account(account);
    if (!view) return U256();
    for (const auto& b : view->balances) {
      if (b.currency == currency) return b.amount;
    }
    return U256();
  }
};

}  // namespace atelier::ledger
