// listings.h — selling tokens: listings and purchases with atomic settlement (issue 4 §4).
//
//   Market market(store, ledger_store, ledger, clock);
//   auto l = market.create_listing({.seller = "vera", .collection = "flows", .token_id = U256(0),
//                                   .currency = "ETH", .price = U256(…)});
//   auto sale = market.purchase(ListingId(l->id), AccountId("ann"), U256(1));
//
// A purchase is one LedgerChange: the buyer's payment, the platform fee, royalties or primary
// splits and the seller's proceeds (ledger::sale_payouts), the token's move to the buyer, the
// listing's sold count, and the "sale" log entry commit together or not at all. Racing buyers:
// the sold count is checked and raised under the write lock, so whoever commits first gets
// the units and the others get "sold_out"; nothing is double-sold or double-charged.
//
// Auctions: English (escrowed bids, outbid refunds, time-buffer extension, settle), Dutch,
// GDA and VRGDA listings priced by src/market/pricing.h against the clock and the sold count
// (whose purchases commit only if the count they were priced at still holds), and the
// clearing-price Dutch mode (payments escrowed, rebated down to the last price at settle).
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "core/clock.h"
#include "core/error.h"
#include "core/strong_id.h"
#include "core/u256.h"
#include "ledger/ledger.h"
#include "market/feeds.h"
#include "market/pricing.h"
#include "market/rarity.h"
#include "store/ledger_store.h"

namespace atelier::market {

// Listing kinds (store::ListingKind): "fixed"; "english" (bids); and the pricing kinds of
// pricing.h ("dutch-linear", "dutch-exponential", "gda-discrete", "gda-continuous",
// "vrgda-linear", "vrgda-logistic"), whose price follows the clock (seconds since starts_ms)
// and, for GDAs and VRGDAs, how many units the listing has sold.
struct NewListing {
  std::string id = {};  // Empty: "lst_" + random hex.
  // The kind's name as the client gave it: create_listing parses it (store::parse_listing_kind)
  // and refuses an unknown one ("unknown_kind", field "kind") in its usual order of checks.
  std::string kind = "fixed";
  std::string seller = {};
  std::string collection = {};
  U256 token_id = {};
  std::string currency = "ETH";
  U256 price = {};      // fixed: per unit, minor units.
  U256 quantity = U256(1);
  std::int64_t platform_fee_bps = 0;
  std::int64_t starts_ms = 0;  // 0: now.
  std::int64_t ends_ms = 0;    // 0: open-ended (required for English and clearing-price auctions).
  // Pricing kinds: the model's parameters by name (pricing.h), prices in the listing's minor
  // units. Dutch kinds may settle at the clearing price: every buyer pays what the last buyer
  // paid, earlier buyers get the difference back when the auction settles.
  PriceParams params = {};
  std::string settlement = "immediate";  // or "clearing" (Dutch kinds)
  // English: bids start at the reserve; each must beat the standing bid by min_increment_bps
  // (at least one minor unit); a bid within time_buffer_s of the end moves the end to
  // time_buffer_s after the bid.
  U256 reserve_price = {};
  std::int64_t min_increment_bps = 500;
  std::int64_t time_buffer_s = 300;
  // Fixed and Dutch kinds: pricing rules (rules.h JSON: rarity tiers by the token's OpenRarity
  // rank in its collection, demand response, floor and ceiling) applied to the unit price.
  std::string rules = {};
  // Fixed, Dutch, GDA and VRGDA listings: other currencies a buyer may pay in, converted at
  // the price of the pair's oracle feed (feeds.h) at purchase, rounded up.
  std::vector<std::string> accepts = {};
};

// How a buyer pays and the bounds they set.
struct PurchaseOptions {
  std::optional<U256> max_total = std::nullopt;  // In the pay currency: refuse above it.
  std::string currency = {};                     // Pay currency; empty: the listing's.
  // Slippage bound for a converted price: the total the buyer was quoted, and how far above
  // it (basis points) they accept.
  std::optional<U256> quoted_total = std::nullopt;
  std::int64_t max_slippage_bps = 0;
};

struct ListingView {
  store::ListingRecord listing;
  U256 price;                                 // Per unit now; English: the lowest acceptable bid.
  std::optional<std::int64_t> next_change_ms; // When the price next changes by the clock.
  bool open = false;                          // Buyable or biddable now.
};

struct Sale {
  std::string listing_id;
  std::string buyer;
  U256 quantity;
  U256 total;                           // In `currency`, what the buyer paid.
  std::vector<ledger::Payout> payouts;  // Empty while a clearing-price auction holds the payment.
  std::uint64_t log_index = 0;
  std::string currency = {};
  // Paid in another currency than the listing's: the listed total and the feed that priced it.
  U256 listed_total = {};
  std::string feed = {};
  U256 feed_price_wad = {};
};

struct Bid {
  std::string listing_id;
  std::string bidder;
  U256 amount;
  std::int64_t ends_ms = 0;      // The auction's end after this bid (extended or not).
  std::string refunded;          // The outbid bidder, refunded in the same transaction.
  U256 refund;
  std::uint64_t log_index = 0;
};

// What settling an auction did: the sale to the winner (English) or the rebates of a
// clearing-price Dutch auction, and the payouts of the proceeds.
struct Settlement {
  std::string listing_id;
  std::string status;       // "settled" or "ended" (no sale).
  std::string winner;       // English.
  U256 price;               // English: the winning bid; clearing: the clearing unit price.
  std::vector<ledger::Payout> payouts;
  struct Rebate {
    std::string account;
    U256 amount;
  };
  std::vector<Rebate> rebates;
  std::uint64_t log_index = 0;
};

// A collection's OpenRarity ranking (rarity.h) over its tokens' traits (their renders' traits;
// numeric values are counted in the trait-count meta-trait, not scored).
struct CollectionRarity {
  std::string collection;
  std::uint64_t token_count = 0;
  std::vector<TokenRarity> ranked;  // Rank order.
  std::map<U256, std::size_t> by_token;  // Token id → index into `ranked`.
};

// The NewListing fields a listing of `kind` uses besides those every listing has (kind,
// seller, collection, token_id, currency, quantity, platform_fee_bps, starts_ms, ends_ms):
//   fixed                          price, rules, accepts
//   english                        reserve_price, min_increment_bps, time_buffer_s
//   dutch-linear, dutch-exponential params, settlement, rules, accepts
//   gda-*, vrgda-*                 params, settlement (only "immediate"), accepts
// Doors refuse a field a kind does not use rather than ignore it (a fixed listing's
// min_increment_bps is a client's mistake).
std::span<const std::string_view> listing_kind_fields(store::ListingKind kind);
// Every field listing_kind_fields names for some kind.
std::span<const std::string_view> listing_term_fields();

// Where a token stands in its collection's ranking (rarity-tier rules).
struct RarityPosition {
  std::optional<std::uint64_t> rank;
  std::optional<std::uint64_t> collection_size;
};

class Market {
 public:
  // `feeds` (optional) prices purchases in currencies a listing accepts besides its own.
  Market(store::Store& store, store::LedgerStore& ledger_store, ledger::Ledger& ledger,
         const Clock& clock = SystemClock::instance(), Feeds* feeds = nullptr);

  // Codes: "unknown_kind", "invalid_price", "invalid_quantity", "unknown_currency",
  // "invalid_window", "invalid_settlement", "invalid_fee_bps", "invalid_increment",
  // "invalid_time_buffer", the pricing model's ("params.<name>"), "not_token_holder" (the
  // seller does not hold `quantity` of the token), ledger's. An English auction's token moves
  // into escrow until it settles or is cancelled.
  //
  // Every operation that changes something takes an optional `respond` (ledger_store.h
  // "Respond"): the response to an idempotent request, made from the result and stored in the
  // operation's own transaction, so that a retry after a crash replays it rather than running
  // the operation again.
  Result<store::ListingRecord> create_listing(
      const NewListing& request, const store::Respond<store::ListingRecord>* respond = nullptr);
  Result<ListingView> listing(std::string_view id);
  // What `listing` (as recorded, perhaps not committed yet) shows now.
  Result<ListingView> view(const store::ListingRecord& listing);
  // Codes: "unknown_listing", "listing_not_active" (cancelled, ended or settled),
  // "listing_not_started", "listing_ended", "sold_out", "invalid_quantity", "not_for_sale"
  // (English: bid instead), "not_yet_available" (gda-continuous: not emitted yet),
  // "price_above_limit" (max_total), "wrong_currency", "insufficient_funds",
  // "listing_unavailable" (the seller no longer holds the token), the pricing model's.
  Result<Sale> purchase(const ListingId& listing_id, const AccountId& buyer, const U256& quantity,
                        const std::optional<U256>& max_total = std::nullopt,
                        std::string_view currency = {});
  // The same with every option. Paying in another currency: "wrong_currency" unless the listing
  // accepts it, "no_feed", "oracle_circuit_open" (the feed is not trusted now: no sale rather
  // than a guess), "slippage_exceeded" (above quoted_total by more than max_slippage_bps).
  Result<Sale> purchase(const ListingId& listing_id, const AccountId& buyer, const U256& quantity,
                        const PurchaseOptions& options,
                        const store::Respond<Sale>* respond = nullptr);
  // What `quantity` units cost now in `currency` (the listing's or one it accepts): the amount
  // a purchase would charge, for quotes and slippage bounds.
  Result<Due> quote(const ListingId& listing_id, const U256& quantity, std::string_view currency);
  // English auctions. The bid is escrowed from the bidder; the bid it beats is refunded in the
  // same transaction. Codes: "not_an_auction", "listing_not_started", "listing_ended",
  // "listing_not_active", "bid_below_reserve", "bid_too_low" (below the standing bid plus the
  // increment; the message names the minimum), "seller_cannot_bid", "wrong_currency",
  // "insufficient_funds".
  Result<Bid> bid(const ListingId& listing_id, const AccountId& bidder, const U256& amount,
                  std::string_view currency = {}, const store::Respond<Bid>* respond = nullptr);
  // Closes an auction whose time is up (or a clearing-price Dutch auction that sold out):
  // English pays the winning bid out (fee, royalties or splits, seller) and hands over the
  // token, or returns the token when nobody bid; clearing-price Dutch rebates every buyer down
  // to the clearing price and pays the proceeds out. Codes: "not_an_auction",
  // "auction_not_ended", "already_settled", "listing_not_active".
  Result<Settlement> settle(std::string_view listing_id,
                            const store::Respond<Settlement>* respond = nullptr);
  // Withdraws a listing. The seller (or an admin caller) only; an English auction only before
  // its first bid (its token comes back); a clearing-price auction only before its first sale.
  // Codes: "unknown_listing", "not_your_listing", "listing_not_active", "auction_has_bids",
  // "auction_has_sales".
  Result<store::ListingRecord> cancel(
      const ListingId& listing_id, const AccountId& caller, bool admin = false,
      const store::Respond<store::ListingRecord>* respond = nullptr);
  Result<std::vector<store::BidRecord>> bids(std::string_view listing_id);
  // One page of them, oldest first (cursor: store.h). Codes: "unknown_listing",
  // "invalid_cursor".
  Result<store::Page<store::BidRecord>> bids(std::string_view listing_id,
                                             const store::PageRequest& page);
  // The collection's rarity ranking, computed once per token count (a mint recomputes it).
  // Codes: "unknown_collection", rarity.h's.
  Result<std::shared_ptr<const CollectionRarity>> rarity(std::string_view collection);

 private:
  Result<ListingView> view_of(const store::ListingRecord& listing, std::int64_t now_ms);
  // The listed token's rank when the listing's rules have rarity tiers, else nothing.
  Result<RarityPosition> rarity_position(const store::ListingRecord& listing, bool has_tiers);

  store::Store& store_;
  store::LedgerStore& ledger_store_;
  ledger::Ledger& ledger_;
  const Clock& clock_;
  Feeds* feeds_;
  std::mutex rarity_mu_;
  std::map<std::string, std::shared_ptr<const CollectionRarity>, std::less<>> rarity_cache_;
};

// {"id","kind","collection","token_id","seller","currency","quantity","sold","status",
//  "price","next_change_ms","open","platform_fee_bps","starts_ms","ends_ms","terms",
//  "auction"? {"high_bid","high_bidder","bid_count","min_next_bid"}, "outcome"?}:
// GET /v1/listings/{id}.
std::string listing_json(const ListingView& view);
// {"listing","buyer","quantity","total","payouts":[{"account","amount","role"}],"log_index"}
// … plus "currency", and "listed_total", "feed", "feed_price_wad" when converted.
std::string sale_json(const Sale& sale);
// {"listing","bidder","amount","ends_ms","refunded"?,"refund"?,"log_index"}.
std::string bid_json(const Bid& bid);
// {"listing","status","winner"?,"price","payouts":[…],"rebates":[{"account","amount"}],
//  "log_index"}.
std::string settlement_json(const Settlement& settlement);

}  // namespace atelier::market
