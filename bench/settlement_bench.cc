// settlement_bench — settled purchases per second: each is durable and includes the buyer's
// payment, platform fee, royalty split, seller proceeds, the token move, the listing update
// and the sale's log entry, in one group-committed SQLite transaction (synchronous=FULL).
//
//   build/bench/settlement_bench
//
// Buyers race on one ERC-1155 listing of a large edition (the worst case: every purchase
// updates the same listing row), each waiting for its own purchase like a request thread.
// Also: auction price queries per second (English, Dutch, VRGDA) and bids per second.
#include <benchmark/benchmark.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <memory>
#include <thread>

#include "bench_data_dir.h"
#include "core/clock.h"
#include "ledger/ledger.h"
#include "market/listings.h"
#include "render/engine.h"

namespace {

using namespace atelier;

// A data directory with a rendered asset, an artist, a seller holding a 10M-unit ERC-1155
// edition (5 % royalty split 90/10) and `buyers` funded accounts.
struct Setup {
  bench::DataDir d{"settle-bench", {"examples/generators/circle-packing"}};
  store::SqliteStore* db = d.db.get();
  render::Engine* engine = d.engine.get();
  std::unique_ptr<ledger::Ledger> ledger;
  std::unique_ptr<market::Market> market;
  std::string asset;

  explicit Setup(int buyers) {
    render::RenderRequest req;
    req.generator = "circle-packing";
    req.token_hash = "0x" + std::string(63, '0') + "1";
    req.width = 64;
    req.height = 64;
    asset = engine->render(req).value().record.asset_sha256;
    ledger = std::make_unique<ledger::Ledger>(*db, *db);
    market = std::make_unique<market::Market>(*db, *db, *ledger);
    if (!ledger->create_account({"artist", "creator", "Artist"}) ||
        !ledger->create_account({"seller", "collector", "S"}))
      std::abort();
    ledger::NewCollection c;
    c.id = "eds";
    c.standard = "erc1155";
    c.name = "Editions";
    c.creator = "artist";
    c.royalty_bps = 500;
    c.royalty_splits = {{"artist", 9000}, {"platform", 1000}};
    if (!ledger->create_collection(c)) std::abort();
    if (!ledger->mint({.caller = "artist",
                       .collection = "eds",
                       .asset_sha256 = asset,
                       .to = "seller",
                       .amount = U256(10'000'000)}))
      std::abort();
    for (int t = 0; t < buyers; ++t) {
      std::string id = "buyer" + std::to_string(t);
      if (!ledger->create_account({id, "collector", id}) ||
          !ledger->deposit(AccountId(id), "ETH", U256(1'000'000'000'000ull)))
        std::abort();
    }
  }
  ~Setup() {  // Before the data directory closes.
    market.reset();
    ledger.reset();
  }
};

void BM_SettledPurchases(benchmark::State& state) {
  const int threads = static_cast<int>(state.range(0));
  Setup s(threads);
  auto listing = s.market
                     ->create_listing({.seller = "seller",
                                       .collection = "eds",
                                       .token_id = U256(0),
                                       .price = U256(1'000'000),
                                       .quantity = U256(10'000'000),
                                       .platform_fee_bps = 250})
                     .value();
  std::atomic<std::int64_t> settled{0};
  for (auto _ : state) {
    std::vector<std::thread> pool;
    for (int t = 0; t < threads; ++t) {
      pool.emplace_back([&, t] {
        std::string buyer = "buyer" + std::to_string(t);
        for (int k = 0; k < 100; ++k) {
          if (s.market->purchase(ListingId(listing.id), AccountId(buyer), U256(1))) ++settled;
        }
      });
    }
    for (auto& p : pool) p.join();
  }
  state.SetItemsProcessed(settled.load());
  auto stats = s.db->commit_stats();
  state.counters["writes_per_commit"] =
      static_cast<double>(stats.writes) / static_cast<double>(stats.commits);
  if (!s.db->check_ledger().value().ok) state.SkipWithError("ledger check failed");
}
BENCHMARK(BM_SettledPurchases)
    ->Arg(1)
    ->Arg(16)
    ->Arg(64)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime()
    ->Iterations(3);

// Auction price queries: GET /v1/listings/{id}'s work (read the listing, price it now, say
// when the price next changes) for an English auction with bids, an exponential Dutch auction
// and a VRGDA with sales, one thread.
void BM_AuctionPriceQueries(benchmark::State& state) {
  Setup s(2);
  market::NewListing l{.kind = "dutch-exponential",
                       .seller = "seller",
                       .collection = "eds",
                       .token_id = U256(0),
                       .quantity = U256(1'000)};
  if (state.range(0) == 0) {
    l.kind = "english";
    l.quantity = U256(1);
    l.reserve_price = U256(1'000);
    l.ends_ms = SystemClock::instance().now_ms() + 3'600'000;
  } else if (state.range(0) == 1) {
    l.params = {{"start_price", "1000000000000000000"},
                {"end_price", "100000000000000000"},
                {"half_life_s", "600"}};
  } else {
    l.kind = "vrgda-linear";
    l.params = {{"target_price", "1000000"}, {"decay", "0.31"}, {"per_time_unit", "20"}};
  }
  auto listing = s.market->create_listing(l).value();
  if (state.range(0) == 0) {
    if (!s.market->bid(ListingId(listing.id), AccountId("buyer0"), U256(1'000)) ||
        !s.market->bid(ListingId(listing.id), AccountId("buyer1"), U256(2'000))) std::abort();
  } else if (state.range(0) == 2) {
    for (int k = 0; k < 10; ++k) {
      if (!s.market->purchase(ListingId(listing.id), AccountId("buyer0"), U256(1))) std::abort();
    }
  }
  for (auto _ : state) {
    auto v = s.market->listing(listing.id);
    benchmark::DoNotOptimize(v);
  }
  state.SetItemsProcessed(state.iterations());
  state.SetLabel(l.kind);
}
BENCHMARK(BM_AuctionPriceQueries)->DenseRange(0, 2)->Unit(benchmark::kMicrosecond);

// Bids per second: `threads` bidders outbidding each other on one English auction; each bid
// escrows, refunds the bid it beats and logs, durably.
void BM_Bids(benchmark::State& state) {
  const int threads = static_cast<int>(state.range(0));
  Setup s(threads);
  market::NewListing l{.kind = "english",
                       .seller = "seller",
                       .collection = "eds",
                       .token_id = U256(0),
                       .ends_ms = SystemClock::instance().now_ms() + 86'400'000};
  l.reserve_price = U256(1'000);
  l.min_increment_bps = 1;
  auto listing = s.market->create_listing(l).value();
  std::atomic<std::int64_t> accepted{0};
  for (auto _ : state) {
    std::vector<std::thread> pool;
    for (int t = 0; t < threads; ++t) {
      pool.emplace_back([&, t] {
        std::string bidder = "buyer" + std::to_string(t);
        for (int k = 0; k < 50; ++k) {
          auto min = s.market->listing(listing.id).value().price;
          if (s.market->bid(ListingId(listing.id), AccountId(bidder), min)) ++accepted;
        }
      });
    }
    for (auto& p : pool) p.join();
  }
  state.SetItemsProcessed(accepted.load());
  if (!s.db->check_ledger().value().ok) state.SkipWithError("ledger check failed");
}
BENCHMARK(BM_Bids)->Arg(1)->Arg(16)->Unit(benchmark::kMillisecond)->UseRealTime()->Iterations(3);

}  // namespace

BENCHMARK_MAIN();
