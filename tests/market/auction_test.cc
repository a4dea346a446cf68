// Auctions on the ledger: English (escrowed bids, refunds, extension, settle), Dutch (by the
// clock, and at the clearing price with rebates), GDAs and VRGDAs (priced by the sold count),
// cancelling, racing bidders and buyers. Prices are checked against market::quote_price, whose
// own values are checked independently in tests/market.
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <atomic>
#include <nlohmann/json.hpp>
#include <thread>

#include "market/feeds.h"
#include "market/pricing.h"
#include "market/rules.h"
#include "tests/ledger/ledger_fixture.h"

namespace atelier::ledger {
namespace {

using market::NewListing;

class AuctionTest : public MarketTest {
 protected:
  // An English auction of flows #id by the artist, reserve 1,000, +10 %, 5-minute buffer,
  // ending in an hour.
  std::string english(U256 id, std::int64_t buffer_s = 300) {
    NewListing l{.kind = "english", .seller = "artist", .collection = "flows", .token_id = id,
                 .ends_ms = clock.now_ms() + 3'600'000};
    l.reserve_price = U256(1'000);
    l.min_increment_bps = 1'000;
    l.time_buffer_s = buffer_s;
    auto r = market->create_listing(l);
    EXPECT_TRUE(r) << r.error().to_string();
    return r ? r->id : "";
  }
  std::string code(const auto& r) { return r ? "ok" : r.error().code; }
  void fund(const std::string& account, std::uint64_t amount) {
    ASSERT_TRUE(ledger->deposit(AccountId(account), "ETH", U256(amount)));
  }
};

TEST_F(AuctionTest, EnglishAuctionEscrowsBidsRefundsTheOutbidAndPaysTheWinner) {
  U256 id = mint("flows", 1, "artist");
  std::string a = english(id);
  // The token waits in escrow: the seller cannot sell or move it meanwhile.
  EXPECT_EQ(*ledger->owner_of(CollectionId("flows"), id), "escrow");
  fund("alice", 5'000);
  fund("bob", 5'000);
  EXPECT_EQ(code(market->bid(ListingId(a), AccountId("alice"), U256(999))), "bid_below_reserve");
  auto first = market->bid(ListingId(a), AccountId("alice"), U256(1'000));
  ASSERT_TRUE(first) << first.error().to_string();
  EXPECT_EQ(balance("alice"), U256(4'000));
  EXPECT_EQ(balance("escrow"), U256(1'000));
  EXPECT_EQ(market->listing(a)->price, U256(1'100));  // The next bid must add 10 %.
  auto low = market->bid(ListingId(a), AccountId("bob"), U256(1'099));
  ASSERT_FALSE(low);
  EXPECT_EQ(low.error().code, "bid_too_low");
  EXPECT_NE(low.error().message.find("1100"), std::string::npos) << low.error().message;
  auto second = market->bid(ListingId(a), AccountId("bob"), U256(1'100));
  ASSERT_TRUE(second);
  EXPECT_EQ(second->refunded, "alice");
  EXPECT_EQ(balance("alice"), U256(5'000));  // Refunded in the same transaction.
  EXPECT_EQ(balance("bob"), U256(3'900));
  EXPECT_EQ(balance("escrow"), U256(1'100));
  // Alice raises; only the difference need be free, as her refund comes first.
  ASSERT_TRUE(market->bid(ListingId(a), AccountId("alice"), U256(2'000)));
  EXPECT_EQ(code(market->bid(ListingId(a), AccountId("artist"), U256(5'000))), "seller_cannot_bid");
  EXPECT_EQ(code(market->purchase(ListingId(a), AccountId("bob"), U256(1))), "not_for_sale");
  EXPECT_EQ(code(market->settle(a)), "auction_not_ended");
  EXPECT_EQ(code(market->cancel(ListingId(a), AccountId("artist"))), "auction_has_bids");
  {
    // `ledger check` ties escrow to the standing bid: a tampered bid shows.
    sqlite3* raw = nullptr;
    ASSERT_EQ(sqlite3_open((dir / "atelier.db").c_str(), &raw), SQLITE_OK);
    ASSERT_EQ(
        sqlite3_exec(raw, "UPDATE listings SET high_bid = zeroblob(32) WHERE kind = 'english'",
                     nullptr, nullptr, nullptr),
        SQLITE_OK);
    auto tampered = db->check_ledger();
    EXPECT_FALSE(tampered->ok);
    ASSERT_FALSE(tampered->problems.empty());
    EXPECT_NE(tampered->problems.front().find("escrow holds 2000 ETH"), std::string::npos)
        << tampered->problems.front();
    std::string restore =
        "UPDATE listings SET high_bid = x'" + std::string(60, '0') + "07d0' WHERE kind = 'english'";
    ASSERT_EQ(sqlite3_exec(raw, restore.c_str(), nullptr, nullptr, nullptr), SQLITE_OK);
    sqlite3_close(raw);
    expect_ledger_ok();
  }

  clock.advance_ms(3'600'000);
  EXPECT_EQ(code(market->bid(ListingId(a), AccountId("bob"), U256(4'000))), "listing_ended");
  auto s = market->settle(a);
  ASSERT_TRUE(s) << s.error().to_string();
  EXPECT_EQ(s->status, "settled");
  EXPECT_EQ(s->winner, "alice");
  EXPECT_EQ(s->price, U256(2'000));
  EXPECT_EQ(*ledger->owner_of(CollectionId("flows"), id), "alice");
  // Primary sale: 80 / 20 between the artist and the studio, nothing left in escrow.
  EXPECT_EQ(balance("artist"), U256(1'600));
  EXPECT_EQ(balance("studio"), U256(400));
  EXPECT_EQ(balance("alice"), U256(3'000));
  EXPECT_EQ(balance("bob"), U256(5'000));
  EXPECT_EQ(balance("escrow"), U256(0));
  EXPECT_EQ(code(market->settle(a)), "already_settled");
  auto view = market->listing(a);
  EXPECT_EQ(view->listing.status, store::ListingStatus::kSettled);
  EXPECT_EQ(view->listing.sold, U256(1));
  auto bids = market->bids(a);
  ASSERT_EQ(bids->size(), 3u);
  EXPECT_EQ((*bids)[2].bidder, "alice");
  EXPECT_EQ((*bids)[2].amount, U256(2'000));
  // The log has the listing, three bids and the sale; the sale is in the asset's story.
  auto entries = db->log_indexes("listing:" + a);
  ASSERT_EQ(entries->size(), 5u);
  auto sale =
      nlohmann::json::parse(db->log_entries(entries->back(), entries->back() + 1)->front().entry);
  EXPECT_EQ(sale["type"], "sale");
  EXPECT_EQ(sale["buyer"], "alice");
  EXPECT_EQ(sale["total"], "2000");
  expect_ledger_ok();
}

TEST_F(AuctionTest, ALateBidExtendsTheAuction) {
  U256 id = mint("flows", 2, "artist");
  std::string a = english(id, 600);
  const std::int64_t ends = market->listing(a)->listing.ends_ms;
  fund("alice", 10'000);
  fund("bob", 10'000);
  clock.advance_ms(3'600'000 - 900'000);  // 15 minutes left: outside the 10-minute buffer.
  ASSERT_TRUE(market->bid(ListingId(a), AccountId("alice"), U256(1'000)));
  EXPECT_EQ(market->listing(a)->listing.ends_ms, ends);
  clock.advance_ms(840'000);  // 1 minute left.
  auto late = market->bid(ListingId(a), AccountId("bob"), U256(1'100));
  ASSERT_TRUE(late);
  EXPECT_EQ(late->ends_ms, clock.now_ms() + 600'000);
  EXPECT_EQ(market->listing(a)->listing.ends_ms, clock.now_ms() + 600'000);
  clock.advance_ms(120'000);  // Past the original end, inside the extension.
  EXPECT_EQ(code(market->settle(a)), "auction_not_ended");
  ASSERT_TRUE(market->bid(ListingId(a), AccountId("alice"), U256(1'210)));
  clock.advance_ms(600'000);
  auto s = market->settle(a);
  ASSERT_TRUE(s);
  EXPECT_EQ(s->winner, "alice");
  expect_ledger_ok();
}

TEST_F(AuctionTest, AnAuctionWithoutBidsEndsAndTheTokenGoesBack) {
  U256 id = mint("flows", 3, "artist");
  std::string a = english(id);
  clock.advance_ms(3'600'000);
  auto s = market->settle(a);
  ASSERT_TRUE(s);
  EXPECT_EQ(s->status, "ended");
  EXPECT_EQ(*ledger->owner_of(CollectionId("flows"), id), "artist");
  EXPECT_EQ(market->listing(a)->listing.status, store::ListingStatus::kEnded);
  // Cancelling before any bid also returns it; only the seller may.
  std::string b = english(id);
  EXPECT_EQ(code(market->cancel(ListingId(b), AccountId("alice"))), "not_your_listing");
  auto c = market->cancel(ListingId(b), AccountId("artist"));
  ASSERT_TRUE(c);
  EXPECT_EQ(c->status, store::ListingStatus::kCancelled);
  EXPECT_EQ(*ledger->owner_of(CollectionId("flows"), id), "artist");
  EXPECT_EQ(code(market->bid(ListingId(b), AccountId("alice"), U256(1'000))), "listing_not_active");
  expect_ledger_ok();
}

TEST_F(AuctionTest, ARefusedBidChangesNothing) {
  U256 id = mint("flows", 4, "artist");
  std::string a = english(id);
  fund("alice", 500);
  EXPECT_EQ(code(market->bid(ListingId(a), AccountId("alice"), U256(1'000))), "insufficient_funds");
  EXPECT_EQ(code(market->bid(ListingId(a), AccountId("alice"), U256(1'000), "USD")),
            "wrong_currency");
  EXPECT_EQ(code(market->bid(ListingId(a), AccountId("nobody"), U256(1'000))), "unknown_account");
  EXPECT_EQ(code(market->bid(ListingId("lst_none"), AccountId("alice"), U256(1'000))),
            "unknown_listing");
  EXPECT_EQ(balance("alice"), U256(500));
  auto v = market->listing(a);
  EXPECT_EQ(v->listing.bid_count, 0u);
  EXPECT_TRUE(market->bids(a)->empty());
  // Not-yet-open auctions refuse bids; fixed listings are not auctions.
  U256 id2 = mint("flows", 5, "artist");
  NewListing later{.kind = "english", .seller = "artist", .collection = "flows", .token_id = id2,
                   .starts_ms = clock.now_ms() + 1'000, .ends_ms = clock.now_ms() + 2'000};
  auto l = market->create_listing(later);
  ASSERT_TRUE(l);
  EXPECT_EQ(code(market->bid(ListingId(l->id), AccountId("alice"), U256(1))),
            "listing_not_started");
  EXPECT_EQ(market->listing(l->id)->next_change_ms, clock.now_ms() + 1'000);
  // Bad terms.
  NewListing bad = later;
  bad.ends_ms = 0;
  EXPECT_EQ(code(market->create_listing(bad)), "invalid_window");
  bad = later;
  bad.min_increment_bps = 10'001;
  EXPECT_EQ(code(market->create_listing(bad)), "invalid_increment");
  expect_ledger_ok();
}

TEST_F(AuctionTest, RacingBiddersLeaveOneStandingBidAndEveryoneElseRefunded) {
  U256 id = mint("flows", 6, "artist");
  std::string a = english(id);
  std::vector<std::string> bidders;
  for (int i = 0; i < 8; ++i) {
    std::string b = "bidder" + std::to_string(i);
    ASSERT_TRUE(ledger->create_account({b, "collector", b}));
    fund(b, 1'000'000);
    bidders.push_back(b);
  }
  std::atomic<int> accepted{0};
  std::vector<std::thread> threads;
  for (std::size_t i = 0; i < bidders.size(); ++i) {
    threads.emplace_back([&, i] {
      for (int round = 0; round < 5; ++round) {
        auto min = market->listing(a)->price;
        auto r = market->bid(ListingId(a), AccountId(bidders[i]), *checked_add(min, U256(i)));
        if (r) ++accepted;
        else if (r.error().code != "bid_too_low") ADD_FAILURE() << r.error().to_string();
      }
    });
  }
  for (auto& t : threads) t.join();
  auto v = market->listing(a)->listing;
  EXPECT_EQ(v.bid_count, static_cast<std::uint64_t>(accepted.load()));
  EXPECT_EQ(balance("escrow"), v.high_bid);  // Only the standing bid is held.
  U256 held;
  for (const auto& b : bidders) held = *checked_add(held, balance(b));
  EXPECT_EQ(*checked_add(held, v.high_bid), U256(8'000'000));
  auto bids = market->bids(a);
  ASSERT_EQ(bids->size(), v.bid_count);
  for (std::size_t i = 1; i < bids->size(); ++i)
    EXPECT_GT((*bids)[i].amount, (*bids)[i - 1].amount);
  expect_ledger_ok();
}

TEST_F(AuctionTest, DutchLinearPricesFollowTheClock) {
  U256 id = mint("eds", 7, "artist", U256(10));
  NewListing l{.kind = "dutch-linear",
               .seller = "artist",
               .collection = "eds",
               .token_id = id,
               .quantity = U256(10)};
  l.params = {{"start_price", "10000"}, {"end_price", "1000"}, {"duration_s", "900"}};
  auto r = market->create_listing(l);
  ASSERT_TRUE(r) << r.error().to_string();
  auto v = market->listing(r->id);
  EXPECT_EQ(v->price, U256(10'000));
  EXPECT_EQ(v->next_change_ms, clock.now_ms() + 1'000);
  clock.advance_ms(300'500);  // 300 s: 10000 − 9000·300/900 = 7000.
  EXPECT_EQ(market->listing(r->id)->price, U256(7'000));
  fund("alice", 100'000);
  auto sale = market->purchase(ListingId(r->id), AccountId("alice"), U256(3));
  ASSERT_TRUE(sale);
  EXPECT_EQ(sale->total, U256(21'000));
  clock.advance_ms(1'000'000);
  v = market->listing(r->id);
  EXPECT_EQ(v->price, U256(1'000));  // Resting price; it no longer changes.
  EXPECT_FALSE(v->next_change_ms);
  EXPECT_EQ(code(market->settle(r->id)), "not_an_auction");
  expect_ledger_ok();
}

TEST_F(AuctionTest, ClearingPriceDutchAuctionRebatesEarlyBuyers) {
  U256 id = mint("eds", 8, "artist", U256(4));
  NewListing l{.kind = "dutch-linear",
               .seller = "artist",
               .collection = "eds",
               .token_id = id,
               .quantity = U256(4),
               .ends_ms = clock.now_ms() + 3'600'000};
  l.params = {{"start_price", "10000"}, {"end_price", "1000"}, {"duration_s", "900"}};
  l.settlement = "clearing";
  auto r = market->create_listing(l);
  ASSERT_TRUE(r) << r.error().to_string();
  fund("alice", 100'000);
  fund("bob", 100'000);
  fund("carol", 100'000);
  ASSERT_TRUE(market->purchase(ListingId(r->id), AccountId("alice"), U256(1)));  // 10,000
  EXPECT_EQ(code(market->cancel(ListingId(r->id), AccountId("artist"))), "auction_has_sales");
  clock.advance_ms(300'000);
  ASSERT_TRUE(market->purchase(ListingId(r->id), AccountId("bob"), U256(2)));  // 2 × 7,000
  EXPECT_EQ(balance("escrow"), U256(24'000));  // Held until the auction settles.
  EXPECT_EQ(balance("artist"), U256(0));
  EXPECT_EQ(code(market->settle(r->id)), "auction_not_ended");
  clock.advance_ms(450'000);  // 750 s: 10000 − 9000·750/900 = 2500.
  ASSERT_TRUE(market->purchase(ListingId(r->id), AccountId("carol"), U256(1)));
  // Sold out: it may settle now. Everyone pays 2,500.
  auto s = market->settle(r->id);
  ASSERT_TRUE(s) << s.error().to_string();
  EXPECT_EQ(s->price, U256(2'500));
  ASSERT_EQ(s->rebates.size(), 2u);
  EXPECT_EQ(s->rebates[0].account, "alice");
  EXPECT_EQ(s->rebates[0].amount, U256(7'500));
  EXPECT_EQ(s->rebates[1].account, "bob");
  EXPECT_EQ(s->rebates[1].amount, U256(9'000));
  EXPECT_EQ(balance("alice"), U256(100'000 - 2'500));
  EXPECT_EQ(balance("bob"), U256(100'000 - 5'000));
  EXPECT_EQ(balance("carol"), U256(100'000 - 2'500));
  EXPECT_EQ(balance("artist"), U256(8'000));  // 80 % of 4 × 2,500
  EXPECT_EQ(balance("studio"), U256(2'000));
  EXPECT_EQ(balance("escrow"), U256(0));
  EXPECT_EQ(market->listing(r->id)->listing.status, store::ListingStatus::kSettled);
  EXPECT_EQ(code(market->settle(r->id)), "already_settled");
  expect_ledger_ok();
}

TEST_F(AuctionTest, GdaAndVrgdaListingsPriceByTheSoldCount) {
  U256 id = mint("eds", 9, "artist", U256(100));
  NewListing g{.kind = "gda-discrete",
               .seller = "artist",
               .collection = "eds",
               .token_id = id,
               .quantity = U256(50)};
  g.params = {{"initial_price", "1000000"}, {"scale_factor", "1.1"}, {"decay_constant", "0.001"}};
  auto gl = market->create_listing(g);
  ASSERT_TRUE(gl) << gl.error().to_string();
  NewListing v{.kind = "vrgda-linear",
               .seller = "artist",
               .collection = "eds",
               .token_id = id,
               .quantity = U256(50)};
  v.params = {{"target_price", "1000000"}, {"decay", "0.31"}, {"per_time_unit", "2"}};
  auto vl = market->create_listing(v);
  ASSERT_TRUE(vl) << vl.error().to_string();
  fund("alice", 1'000'000'000);
  clock.advance_ms(3'600'000);
  auto gmodel = market::parse_price_model(g.kind, g.params);
  auto vmodel = market::parse_price_model(v.kind, v.params);
  for (std::uint64_t sold : {0, 3}) {
    const std::uint64_t q = 3;
    auto expect_g = market::quote_price(*gmodel, {.elapsed_s = 3'600, .sold = sold, .quantity = q});
    auto s = market->purchase(ListingId(gl->id), AccountId("alice"), U256(q));
    ASSERT_TRUE(s) << s.error().to_string();
    EXPECT_EQ(s->total, *expect_g);
    U256 expect_v;
    for (std::uint64_t i = 0; i < q; ++i) {
      expect_v = *checked_add(
          expect_v, *market::quote_price(*vmodel, {.elapsed_s = 3'600, .sold = sold + i}));
    }
    auto t = market->purchase(ListingId(vl->id), AccountId("alice"), U256(q));
    ASSERT_TRUE(t) << t.error().to_string();
    EXPECT_EQ(t->total, expect_v);
  }
  EXPECT_EQ(market->listing(gl->id)->price,
            *market::quote_price(*gmodel, {.elapsed_s = 3'600, .sold = 6}));
  EXPECT_EQ(code(market->purchase(ListingId(vl->id), AccountId("alice"), U256(1'001))),
            "sold_out");  // 44 left
  expect_ledger_ok();
}

TEST_F(AuctionTest, ContinuousGdaSellsOnlyWhatHasBeenEmitted) {
  U256 id = mint("eds", 10, "artist", U256(1'000));
  NewListing g{.kind = "gda-continuous", .seller = "artist", .collection = "eds", .token_id = id,
               .quantity = U256(1'000)};
  g.params = {{"initial_price", "1000"}, {"emission_rate", "0.5"}, {"decay_constant", "0.01"}};
  auto l = market->create_listing(g);
  ASSERT_TRUE(l) << l.error().to_string();
  fund("alice", 1'000'000'000);
  clock.advance_ms(10'000);  // 5 units emitted.
  EXPECT_EQ(code(market->purchase(ListingId(l->id), AccountId("alice"), U256(6))),
            "not_yet_available");
  auto model = market::parse_price_model(g.kind, g.params);
  auto s = market->purchase(ListingId(l->id), AccountId("alice"), U256(4));
  ASSERT_TRUE(s) << s.error().to_string();
  EXPECT_EQ(s->total, *market::quote_price(*model, {.elapsed_s = 10, .quantity = 4}));
  // The next auction starts 4 / 0.5 = 8 s later: 2 s of decay, and 1 unit available.
  auto t = market->purchase(ListingId(l->id), AccountId("alice"), U256(1));
  ASSERT_TRUE(t) << t.error().to_string();
  EXPECT_EQ(t->total, *market::quote_price(*model, {.elapsed_s = 2, .quantity = 1}));
  EXPECT_EQ(code(market->purchase(ListingId(l->id), AccountId("alice"), U256(1))),
            "not_yet_available");
  expect_ledger_ok();
}

TEST_F(AuctionTest, CancelledListingsSellNothing) {
  U256 id = mint("flows", 11, "artist");
  auto l = market->create_listing(
      {.seller = "artist", .collection = "flows", .token_id = id, .price = U256(100)});
  ASSERT_TRUE(l);
  EXPECT_EQ(code(market->cancel(ListingId(l->id), AccountId("bob"))), "not_your_listing");
  ASSERT_TRUE(market->cancel(ListingId(l->id), AccountId("bob"), /*admin=*/true));
  fund("alice", 1'000);
  EXPECT_EQ(code(market->purchase(ListingId(l->id), AccountId("alice"), U256(1))),
            "listing_not_active");
  EXPECT_EQ(code(market->cancel(ListingId(l->id), AccountId("artist"))), "listing_not_active");
  EXPECT_EQ(balance("alice"), U256(1'000));
  EXPECT_EQ(*ledger->owner_of(CollectionId("flows"), id), "artist");
  NewListing bad{.kind = "dutch-linear", .seller = "artist", .collection = "flows", .token_id = id};
  bad.params = {{"start_price", "10"}, {"end_price", "100"}, {"duration_s", "60"}};
  EXPECT_EQ(code(market->create_listing(bad)).substr(0, 5), "value");  // end above start
  bad.kind = "gda-discrete";
  bad.params = {{"initial_price", "10"}, {"scale_factor", "1.1"}, {"decay_constant", "0.1"}};
  bad.settlement = "clearing";
  EXPECT_EQ(code(market->create_listing(bad)), "invalid_settlement");
  bad.kind = "sealed-bid";
  EXPECT_EQ(code(market->create_listing(bad)), "unknown_kind");
  expect_ledger_ok();
}

TEST_F(AuctionTest, RarityTiersDemandFloorAndCeilingShapeTheUnitPrice) {
  // Four tokens of test-gen: one "kelp" palette among three "dusk": OpenRarity ranks it first.
  ASSERT_TRUE(engine->add_generator(ATELIER_TRAITS_GENERATOR));
  std::vector<U256> ids;
  for (int i = 0; i < 4; ++i) {
    render::RenderRequest req;
    req.generator = "test-gen";
    req.token_hash = token(100 + i);
    req.width = 16;
    req.height = 16;
    req.params_json = i == 2 ? R"({"palette":"kelp"})" : R"({"palette":"dusk"})";
    auto out = engine->render(req);
    ASSERT_TRUE(out) << out.error().to_string();
    MintRequest m{.caller = "artist",
                  .collection = "flows",
                  .asset_sha256 = out->record.asset_sha256,
                  .to = "artist"};
    auto t = ledger->mint(m);
    ASSERT_TRUE(t) << t.error().to_string();
    ids.push_back(t->token_id);
  }
  auto rarity = market->rarity("flows");
  ASSERT_TRUE(rarity) << rarity.error().to_string();
  ASSERT_EQ((*rarity)->ranked.size(), 4u);
  EXPECT_EQ((*rarity)->ranked[0].token_id, ids[2]);
  EXPECT_EQ((*rarity)->ranked[0].rank, 1u);
  EXPECT_GT((*rarity)->ranked[0].score, (*rarity)->ranked[1].score);
  EXPECT_EQ((*rarity)->ranked[1].rank, 2u);  // The three alike tie.
  EXPECT_EQ((*rarity)->ranked[3].rank, 2u);

  const std::string rules =
      R"({"rarity_tiers":[{"max_rank":1,"multiplier_bps":30000}],"floor":"500","ceiling":"2500"})";
  auto listed = [&](U256 id) {
    auto l = market->create_listing({.seller = "artist",
                                     .collection = "flows",
                                     .token_id = id,
                                     .price = U256(1'000),
                                     .rules = rules});
    EXPECT_TRUE(l) << l.error().to_string();
    return l ? l->id : "";
  };
  std::string rare = listed(ids[2]), common = listed(ids[0]);
  EXPECT_EQ(market->listing(rare)->price, U256(2'500));  // 3 × 1,000, capped by the ceiling.
  EXPECT_EQ(market->listing(common)->price, U256(1'000));
  fund("alice", 10'000);
  auto s = market->purchase(ListingId(rare), AccountId("alice"), U256(1));
  ASSERT_TRUE(s) << s.error().to_string();
  EXPECT_EQ(s->total, U256(2'500));
  auto terms = nlohmann::json::parse(market->listing(rare)->listing.terms);
  EXPECT_EQ(terms["rules"]["ceiling"], "2500");

  // Demand: editions expected to sell 10 a day; selling 5 in the first hour raises the price.
  U256 ed = mint("eds", 50, "artist", U256(20));
  auto d = market->create_listing({.seller = "artist",
                                   .collection = "eds",
                                   .token_id = ed,
                                   .price = U256(100'000),
                                   .quantity = U256(20),
                                   .rules = R"({"demand":{"decay":"0.2","per_day":"10"}})"});
  ASSERT_TRUE(d) << d.error().to_string();
  fund("bob", 10'000'000);
  clock.advance_ms(3'600'000);
  const U256 before = market->listing(d->id)->price;
  EXPECT_LT(before, U256(100'000));  // An hour without sales: a little lower.
  ASSERT_TRUE(market->purchase(ListingId(d->id), AccountId("bob"), U256(5)));
  const U256 after = market->listing(d->id)->price;
  EXPECT_GT(after, U256(100'000));  // Half a day's sales in an hour: higher.
  auto expected = market::apply_pricing_rules(
      *market::parse_pricing_rules(R"({"demand":{"decay":"0.2","per_day":"10"}})"), U256(100'000),
      {.elapsed_s = 3'600, .sold = 5});
  EXPECT_EQ(after, *expected);
  // Rules are for fixed and Dutch listings; bad rules name their field.
  NewListing bad{.kind = "gda-discrete", .seller = "artist", .collection = "eds", .token_id = ed,
                 .rules = R"({"floor":"1"})"};
  bad.params = {{"initial_price", "10"}, {"scale_factor", "1.1"}, {"decay_constant", "0.1"}};
  EXPECT_EQ(code(market->create_listing(bad)), "rules_not_supported");
  auto worse = market->create_listing({.seller = "artist",
                                       .collection = "eds",
                                       .token_id = ed,
                                       .price = U256(1),
                                       .rules = R"({"floor":"9","ceiling":"1"})"});
  ASSERT_FALSE(worse);
  EXPECT_EQ(worse.error().code, "floor_above_ceiling");
  expect_ledger_ok();
}

TEST_F(AuctionTest, PayingInAnotherCurrencyGoesThroughTheFeedAndRefusesWhenItTrips) {
  market::Feeds feeds(*db, clock);
  market = std::make_unique<market::Market>(*db, *db, *ledger, clock, &feeds);
  ASSERT_TRUE(feeds.register_feed("ETH-USD", {{"max_age_ms", "60000"}, {"max_deviation_bps", "500"},
                                              {"min_sources", "2"}, {"sources", "a,b,c"}}));
  ASSERT_TRUE(feeds.report(
      {.feed_id = "ETH-USD", .source = "a", .price = "3000", .observed_ms = clock.now_ms()}));
  ASSERT_TRUE(feeds.report(
      {.feed_id = "ETH-USD", .source = "b", .price = "3010", .observed_ms = clock.now_ms()}));
  ASSERT_TRUE(feeds.report({.feed_id = "ETH-USD",
                            .source = "c",
                            .price = "9999",
                            .observed_ms = clock.now_ms()}));  // An outlier: ignored.
  U256 id = mint("flows", 60, "artist");
  auto l = market->create_listing({.seller = "artist",
                                   .collection = "flows",
                                   .token_id = id,
                                   .currency = "USD",
                                   .price = U256(150'000),
                                   .accepts = {"ETH"}});  // $1,500.00
  ASSERT_TRUE(l) << l.error().to_string();
  // Median of 3000 and 3010 = 3005 USD/ETH: $1,500 = 1500/3005 ETH, rounded up to the wei.
  // 150000 · 10^16 / 3005 = 499168053244592346.08… → 499168053244592347 wei.
  auto q = market->quote(ListingId(l->id), U256(1), "ETH");
  ASSERT_TRUE(q) << q.error().to_string();
  EXPECT_EQ(q->amount.to_decimal(), "499168053244592347");
  EXPECT_EQ(q->feed, "ETH-USD");
  EXPECT_EQ(code(market->quote(ListingId(l->id), U256(1), "EUR")), "wrong_currency");
  fund("alice", 1'000'000'000'000'000'000ull);
  // Slippage: quoted 1 % lower, 50 bps allowed: refused, nothing moves.
  const U256 low = *mul_div(q->amount, U256(99), U256(100));
  auto slipped = market->purchase(ListingId(l->id), AccountId("alice"), U256(1),
                                  {.currency = "ETH", .quoted_total = low, .max_slippage_bps = 50});
  ASSERT_FALSE(slipped);
  EXPECT_EQ(slipped.error().code, "slippage_exceeded");
  // The feed goes stale: no sale rather than a guess.
  clock.advance_ms(61'000);
  auto tripped =
      market->purchase(ListingId(l->id), AccountId("alice"), U256(1), {.currency = "ETH"});
  ASSERT_FALSE(tripped);
  EXPECT_EQ(tripped.error().code, "oracle_circuit_open");
  EXPECT_EQ(balance("alice"), U256(1'000'000'000'000'000'000ull));
  EXPECT_EQ(*ledger->owner_of(CollectionId("flows"), id), "artist");
  // Fresh reports again: the sale settles in ETH, payouts in ETH.
  ASSERT_TRUE(feeds.report(
      {.feed_id = "ETH-USD", .source = "a", .price = "3000", .observed_ms = clock.now_ms()}));
  ASSERT_TRUE(feeds.report(
      {.feed_id = "ETH-USD", .source = "b", .price = "3010", .observed_ms = clock.now_ms()}));
  auto sale =
      market->purchase(ListingId(l->id), AccountId("alice"), U256(1),
                       {.currency = "ETH", .quoted_total = q->amount, .max_slippage_bps = 0});
  ASSERT_TRUE(sale) << sale.error().to_string();
  EXPECT_EQ(sale->currency, "ETH");
  EXPECT_EQ(sale->total.to_decimal(), "499168053244592347");
  EXPECT_EQ(sale->listed_total, U256(150'000));
  EXPECT_EQ(*ledger->owner_of(CollectionId("flows"), id), "alice");
  EXPECT_EQ(balance("artist", "ETH"),
            U256(399'334'442'595'673'878ull));  // 80 % floored, + the 1 wei remainder
  EXPECT_EQ(balance("studio", "ETH"), U256(99'833'610'648'918'469ull));   // 20 %, floor
  EXPECT_EQ(*checked_add(balance("artist", "ETH"), balance("studio", "ETH")), sale->total);
  // English auctions and clearing-price auctions take their own currency only.
  NewListing bad{.kind = "english", .seller = "alice", .collection = "flows", .token_id = id,
                 .ends_ms = clock.now_ms() + 1'000, .accepts = {"USD"}};
  EXPECT_EQ(code(market->create_listing(bad)), "invalid_currency");
  expect_ledger_ok();
}

}  // namespace
}  // namespace atelier::ledger
