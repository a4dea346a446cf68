// Payout arithmetic (fee, royalties, splits, the remainder rule) and purchases: atomic
// settlement, no change on failure, and racing buyers.
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <nlohmann/json.hpp>
#include <random>
#include <thread>

#include "market/listings.h"
#include "tests/ledger/ledger_fixture.h"

namespace atelier::ledger {
namespace {

U256 dec(const char* s) { return *U256::from_decimal(s); }

store::CollectionRecord coll(std::int64_t royalty_bps, std::vector<store::Split> primary = {},
                             std::vector<store::Split> royalty = {}) {
  store::CollectionRecord c;
  c.id = "c";
  c.creator_account = "artist";
  c.royalty_bps = royalty_bps;
  c.royalty_receiver = "artist";
  c.primary_splits = std::move(primary);
  c.royalty_splits = std::move(royalty);
  return c;
}

U256 sum(const std::vector<Payout>& payouts) {
  U256 total;
  for (const auto& p : payouts) total = *checked_add(total, p.amount);
  return total;
}

// Issue 14: doors refuse a field the listing's kind does not use; every kind has its list.
TEST(ListingKindFields, EachKindNamesItsOwnFieldsOnly) {
  // The kind's fields by its name, as a door sees it; nullopt for a name that is no kind.
  const auto fields_of =
      [](std::string_view kind) -> std::optional<std::span<const std::string_view>> {
    const auto parsed = store::parse_listing_kind(kind);
    if (!parsed) return std::nullopt;
    return market::listing_kind_fields(*parsed);
  };
  const auto has = [&](std::string_view kind, std::string_view field) {
    auto fields = fields_of(kind);
    return fields && std::find(fields->begin(), fields->end(), field) != fields->end();
  };
  EXPECT_TRUE(has("fixed", "price"));
  EXPECT_FALSE(has("fixed", "min_increment_bps"));
  EXPECT_FALSE(has("fixed", "params"));
  EXPECT_TRUE(has("english", "min_increment_bps"));
  EXPECT_FALSE(has("english", "price"));
  EXPECT_FALSE(has("english", "accepts"));  // Escrowed bids are in the listing's currency.
  EXPECT_TRUE(has("dutch-linear", "rules"));
  EXPECT_FALSE(has("gda-discrete", "rules"));  // Pricing rules are for fixed and Dutch kinds.
  for (auto kind : market::price_kind_names()) {
    ASSERT_TRUE(fields_of(kind)) << kind;
    EXPECT_TRUE(has(kind, "params")) << kind;
  }
  EXPECT_FALSE(fields_of("barter"));
  for (auto kind : {"fixed", "english", "dutch-exponential", "vrgda-logistic"}) {
    const auto fields = fields_of(kind);
    ASSERT_TRUE(fields) << kind;
    for (auto field : *fields) {
      const auto all = market::listing_term_fields();
      EXPECT_NE(std::find(all.begin(), all.end(), field), all.end()) << field;
    }
  }
}

TEST(SalePayouts, SecondarySalePaysFeeRoyaltyAndTheRestToTheSeller) {
  // 1 ETH + 1 wei, 2.5 % fee, 7.5 % royalty: both round down, the seller takes the dust.
  auto p = sale_payouts(coll(750), "alice", dec("1000000000000000001"), 250);
  ASSERT_TRUE(p);
  ASSERT_EQ(p->size(), 3u);
  EXPECT_EQ((*p)[0].role, "platform_fee");
  EXPECT_EQ((*p)[0].amount.to_decimal(), "25000000000000000");
  EXPECT_EQ((*p)[1].role, "royalty");
  EXPECT_EQ((*p)[1].amount.to_decimal(), "75000000000000000");
  EXPECT_EQ((*p)[2].role, "seller");
  EXPECT_EQ((*p)[2].amount.to_decimal(), "900000000000000001");
  EXPECT_EQ(sum(*p), dec("1000000000000000001"));
}

TEST(SalePayouts, RoyaltySplitsRoundEachShareDown) {
  // Royalty of 10 % on 999 = 99 (floor 99.9); split 1/3 each of 3333/3333/3334 bps.
  auto p =
      sale_payouts(coll(1000, {}, {{"a", 3333}, {"b", 3333}, {"c", 3334}}), "alice", U256(999), 0);
  ASSERT_TRUE(p);
  ASSERT_EQ(p->size(), 4u);
  EXPECT_EQ((*p)[0].amount, U256(32));  // floor(99 × 0.3333) = 32
  EXPECT_EQ((*p)[1].amount, U256(32));
  EXPECT_EQ((*p)[2].amount, U256(33));  // floor(99 × 0.3334) = 33
  EXPECT_EQ((*p)[3].amount, U256(902));  // 999 − 97: the seller gets the 2 units of dust.
  EXPECT_EQ(sum(*p), U256(999));
}

TEST(SalePayouts, PrimarySaleSplitsTheProceedsAndTheRemainderGoesToTheSeller) {
  auto p = sale_payouts(coll(750, {{"artist", 7000}, {"studio", 2000}, {"charity", 1000}}),
                        "artist", U256(101), 500);
  ASSERT_TRUE(p);
  // Fee floor(5.05) = 5; proceeds 96 split 67.2 / 19.2 / 9.6 → 67, 19, 9; remainder 1 → artist.
  ASSERT_EQ(p->size(), 5u);
  EXPECT_EQ((*p)[0].amount, U256(5));
  EXPECT_EQ((*p)[1].amount, U256(67));
  EXPECT_EQ((*p)[2].amount, U256(19));
  EXPECT_EQ((*p)[3].amount, U256(9));
  EXPECT_EQ((*p)[4].account, "artist");
  EXPECT_EQ((*p)[4].amount, U256(1));
  EXPECT_EQ(sum(*p), U256(101));
  EXPECT_EQ(sale_payouts(coll(0), "artist", U256(10), 10'001).error().code, "invalid_fee_bps");
}

TEST(SalePayouts, AnyPriceAndSharesSumExactly) {
  std::mt19937_64 rng(7);
  for (int i = 0; i < 2000; ++i) {
    U256 price = U256::from_limbs({rng(), rng(), rng(), rng() >> 4});
    auto c = coll(static_cast<std::int64_t>(rng() % 10'001), {}, {{"a", 1234}, {"b", 8766}});
    const std::int64_t fee = static_cast<std::int64_t>(rng() % 10'001);
    const bool primary = i % 2;
    auto p = sale_payouts(c, primary ? "artist" : "alice", price, fee);
    if (!primary && fee + c.royalty_bps > 10'000) {
      ASSERT_FALSE(p);
      EXPECT_EQ(p.error().code, "fees_exceed_price");
      continue;
    }
    ASSERT_TRUE(p);
    EXPECT_EQ(sum(*p), price);
  }
}

TEST_F(MarketTest, APrimaryThenASecondarySaleSettleEverything) {
  U256 id = mint("flows", 1, "artist");
  auto l = market->create_listing({.seller = "artist",
                                   .collection = "flows",
                                   .token_id = id,
                                   .price = U256(10'000),
                                   .platform_fee_bps = 250});
  ASSERT_TRUE(l) << l.error().to_string();
  ASSERT_TRUE(ledger->deposit(AccountId("alice"), "ETH", U256(25'000)));
  auto sale = market->purchase(ListingId(l->id), AccountId("alice"), U256(1));
  ASSERT_TRUE(sale) << sale.error().to_string();
  EXPECT_EQ(*ledger->owner_of(CollectionId("flows"), id), "alice");
  EXPECT_EQ(balance("alice"), U256(15'000));
  EXPECT_EQ(balance("platform"), U256(250));
  EXPECT_EQ(balance("artist"), U256(7'800));  // 80 % of 9,750
  EXPECT_EQ(balance("studio"), U256(1'950));
  EXPECT_EQ(market->listing(l->id)->listing.status, store::ListingStatus::kSoldOut);
  // Alice resells: the artist now earns the 5 % royalty.
  auto resale = market->create_listing(
      {.seller = "alice", .collection = "flows", .token_id = id, .price = U256(20'000)});
  ASSERT_TRUE(resale);
  ASSERT_TRUE(ledger->deposit(AccountId("bob"), "ETH", U256(20'000)));
  ASSERT_TRUE(market->purchase(ListingId(resale->id), AccountId("bob"), U256(1)));
  EXPECT_EQ(balance("artist"), U256(7'800 + 1'000));
  EXPECT_EQ(balance("alice"), U256(15'000 + 19'000));
  EXPECT_EQ(balance("bob"), U256(0));
  auto check = db->check_ledger();
  EXPECT_TRUE(check->ok);
  // The sale is in the log with its payouts, in the token's and the asset's story.
  auto sales = db->log_indexes("listing:" + l->id);
  ASSERT_EQ(sales->size(), 2u);  // listing, sale
  auto entry =
      nlohmann::json::parse(db->log_entries(sales->back(), sales->back() + 1)->front().entry);
  EXPECT_EQ(entry["type"], "sale");
  EXPECT_EQ(entry["payouts"].size(), 3u);
}

TEST_F(MarketTest, AFailedPurchaseChangesNothing) {
  U256 id = mint("flows", 2, "artist");
  auto l = market->create_listing(
      {.seller = "artist", .collection = "flows", .token_id = id, .price = U256(500)});
  ASSERT_TRUE(l);
  ASSERT_TRUE(ledger->deposit(AccountId("alice"), "ETH", U256(499)));
  auto broke = market->purchase(ListingId(l->id), AccountId("alice"), U256(1));
  ASSERT_FALSE(broke);
  EXPECT_EQ(broke.error().code, "insufficient_funds");
  EXPECT_EQ(balance("alice"), U256(499));
  EXPECT_EQ(*ledger->owner_of(CollectionId("flows"), id), "artist");
  EXPECT_EQ(market->listing(l->id)->listing.sold, U256(0));
  EXPECT_EQ(market->purchase(ListingId(l->id), AccountId("alice"), U256(1), U256(400)).error().code,
            "price_above_limit");
  EXPECT_EQ(market->purchase(ListingId(l->id), AccountId("alice"), U256(2)).error().code,
            "sold_out");
  EXPECT_EQ(market->purchase(ListingId(l->id), AccountId("alice"), U256(0)).error().code,
            "invalid_quantity");
  EXPECT_EQ(market->purchase(ListingId("lst_nope"), AccountId("alice"), U256(1)).error().code,
            "unknown_listing");
  EXPECT_EQ(market->purchase(ListingId(l->id), AccountId("nobody"), U256(1)).error().code,
            "unknown_account");
  // Listing what one does not hold, or for nothing.
  EXPECT_EQ(market
                ->create_listing(
                    {.seller = "alice", .collection = "flows", .token_id = id, .price = U256(1)})
                .error()
                .code,
            "not_token_holder");
  EXPECT_EQ(market
                ->create_listing(
                    {.seller = "artist", .collection = "flows", .token_id = id, .price = U256(0)})
                .error()
                .code,
            "invalid_price");
  EXPECT_EQ(market
                ->create_listing({.seller = "artist",
                                  .collection = "flows",
                                  .token_id = id,
                                  .currency = "XYZ",
                                  .price = U256(1)})
                .error()
                .code,
            "unknown_currency");
  // Outside the window.
  auto later = market->create_listing({.seller = "artist",
                                       .collection = "flows",
                                       .token_id = id,
                                       .price = U256(1),
                                       .starts_ms = clock.now_ms() + 1000,
                                       .ends_ms = clock.now_ms() + 2000});
  ASSERT_TRUE(later);
  EXPECT_EQ(market->purchase(ListingId(later->id), AccountId("alice"), U256(1)).error().code,
            "listing_not_started");
  clock.advance_ms(2000);
  EXPECT_EQ(market->purchase(ListingId(later->id), AccountId("alice"), U256(1)).error().code,
            "listing_ended");
  EXPECT_TRUE(db->check_ledger()->ok);
}

TEST_F(MarketTest, RacingBuyersOfEditionsNeverOversell) {
  U256 id = mint("eds", 3, "artist", U256(5));
  auto l = market->create_listing({.seller = "artist",
                                   .collection = "eds",
                                   .token_id = id,
                                   .price = U256(100),
                                   .quantity = U256(5)});
  ASSERT_TRUE(l);
  std::vector<std::string> buyers;
  for (int i = 0; i < 8; ++i) {
    std::string b = "buyer" + std::to_string(i);
    ASSERT_TRUE(ledger->create_account({b, "collector", b}));
    ASSERT_TRUE(ledger->deposit(AccountId(b), "ETH", U256(100)));
    buyers.push_back(b);
  }
  std::atomic<int> won{0}, sold_out{0};
  std::vector<std::thread> threads;
  for (const auto& b : buyers) {
    threads.emplace_back([&, b] {
      auto r = market->purchase(ListingId(l->id), AccountId(b), U256(1));
      if (r) {
        ++won;
      } else if (r.error().code == "sold_out") {
        ++sold_out;
      } else {
        ADD_FAILURE() << r.error().to_string();
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(won.load(), 5);
  EXPECT_EQ(sold_out.load(), 3);
  EXPECT_EQ(market->listing(l->id)->listing.sold, U256(5));
  U256 paid;
  for (const auto& b : buyers)
    paid = *checked_add(paid, balance(b) == U256(0) ? U256(100) : U256(0));
  EXPECT_EQ(paid, U256(500));  // Exactly the five winners were charged, once each.
  EXPECT_EQ(*ledger->balance_of(CollectionId("eds"), AccountId("artist"), id), U256(0));
  EXPECT_TRUE(db->check_ledger()->ok);
}

}  // namespace
}  // namespace atelier::ledger
