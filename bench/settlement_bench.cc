// settlement_bench — settled purchases per second: each is durable and includes the buyer's
// payment, platform fee, royalty split, seller proceeds, the token move, the listing update
// and the sale's log entry, in one group-committed SQLite transaction (synchronous=FULL).
//
//   build/bench/settlement_bench
//
// Buyers race on one ERC-1155 listing of a large edition (the worst case: every purchase
// updates the same listing row), each waiting for its own purchase like a request thread.
#include <benchmark/benchmark.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <thread>

#include "ledger/ledger.h"
#include "market/listings.h"
#include "render/engine.h"
#include "store/blob_store.h"
#include "store/sqlite_store.h"

namespace {

using namespace atelier;

void BM_SettledPurchases(benchmark::State& state) {
  const int threads = static_cast<int>(state.range(0));
  auto dir = std::filesystem::temp_directory_path() / ("atelier-settle-bench-" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  auto data = store::open_data_dir(dir).value();
  auto db = store::SqliteStore::open(data.db_path()).value();
  store::BlobStore blobs(data.blobs_path());
  render::Engine engine(*db, blobs);
  if (!engine.add_generator(std::filesystem::path(ATELIER_SOURCE_DIR) / "examples/generators/circle-packing")) std::abort();
  render::RenderRequest req;
  req.generator = "circle-packing";
  req.token_hash = "0x" + std::string(63, '0') + "1";
  req.width = 64;
  req.height = 64;
  auto rendered = engine.render(req).value();
  ledger::Ledger ledger(*db, *db);
  market::Market market(*db, *db, ledger);
  if (!ledger.create_account({"artist", "creator", "Artist"}) || !ledger.create_account({"seller", "collector", "S"})) std::abort();
  ledger::NewCollection c;
  c.id = "eds";
  c.standard = "erc1155";
  c.name = "Editions";
  c.creator = "artist";
  c.royalty_bps = 500;
  c.royalty_splits = {{"artist", 9000}, {"platform", 1000}};
  if (!ledger.create_collection(c)) std::abort();
  U256 supply(10'000'000);
  if (!ledger.mint({.caller = "artist", .collection = "eds", .asset_sha256 = rendered.record.asset_sha256,
                    .to = "seller", .amount = supply})) std::abort();
  auto listing = market.create_listing({.seller = "seller", .collection = "eds", .token_id = U256(0),
                                        .price = U256(1'000'000), .quantity = supply, .platform_fee_bps = 250}).value();
  for (int t = 0; t < threads; ++t) {
    std::string id = "buyer" + std::to_string(t);
    if (!ledger.create_account({id, "collector", id}) || !ledger.deposit(id, "ETH", U256(1'000'000'000'000ull))) std::abort();
  }
  std::atomic<std::int64_t> settled{0};
  for (auto _ : state) {
    std::vector<std::thread> pool;
    for (int t = 0; t < threads; ++t) {
      pool.emplace_back([&, t] {
        std::string buyer = "buyer" + std::to_string(t);
        for (int k = 0; k < 100; ++k) {
          if (market.purchase(listing.id, buyer, U256(1))) ++settled;
        }
      });
    }
    for (auto& p : pool) p.join();
  }
  state.SetItemsProcessed(settled.load());
  auto stats = db->commit_stats();
  state.counters["writes_per_commit"] = static_cast<double>(stats.writes) / static_cast<double>(stats.commits);
  if (!db->check_ledger().value().ok) state.SkipWithError("ledger check failed");
  db.reset();
  std::filesystem::remove_all(dir);
}
BENCHMARK(BM_SettledPurchases)->Arg(1)->Arg(16)->Arg(64)->Unit(benchmark::kMillisecond)->UseRealTime()->Iterations(3);

}  // namespace

BENCHMARK_MAIN();
