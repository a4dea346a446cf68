// listings.h — selling tokens: listings and purchases with atomic settlement (issue 4 §4).
//
//   Market market(store, ledger_store, ledger, clock);
//   auto l = market.create_listing({.seller = "vera", .collection = "flows", .token_id = U256(0),
//                                   .currency = "ETH", .price = U256(…)});
//   auto sale = market.purchase(l->id, "ann", U256(1));
//
// A purchase is one LedgerChange: the buyer's payment, the platform fee, royalties or primary
// splits and the seller's proceeds (ledger::sale_payouts), the token's move to the buyer, the
// listing's sold count, and the "sale" log entry commit together or not at all. Racing buyers:
// the sold count is checked and raised under the write lock, so whoever commits first gets
// the units and the others get "sold_out"; nothing is double-sold or double-charged.
//
// This increment sells at a fixed price; the auction kinds (English, Dutch, GDA, VRGDA) price
// through src/market's pricing functions and come next.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/clock.h"
#include "core/error.h"
#include "core/u256.h"
#include "ledger/ledger.h"
#include "store/ledger_store.h"

namespace atelier::market {

struct NewListing {
  std::string id = {};  // Empty: "lst_" + random hex.
  std::string seller = {};
  std::string collection = {};
  U256 token_id = {};
  std::string currency = "ETH";
  U256 price = {};      // Per unit, minor units.
  U256 quantity = U256(1);
  std::int64_t platform_fee_bps = 0;
  std::int64_t starts_ms = 0;  // 0: now.
  std::int64_t ends_ms = 0;    // 0: open-ended.
};

struct ListingView {
  store::ListingRecord listing;
  U256 price;                                 // Per unit, now.
  std::optional<std::int64_t> next_change_ms; // When the price next changes (fixed: never).
};

struct Sale {
  std::string listing_id;
  std::string buyer;
  U256 quantity;
  U256 total;
  std::vector<ledger::Payout> payouts;
  std::uint64_t log_index = 0;
};

class Market {
 public:
  Market(store::Store& store, store::LedgerStore& ledger_store, ledger::Ledger& ledger,
         const Clock& clock = SystemClock::instance());

  // Codes: "invalid_price", "invalid_quantity", "unknown_currency", "invalid_window",
  // "not_token_holder" (the seller does not hold `quantity` of the token), ledger's.
  Result<store::ListingRecord> create_listing(const NewListing& request);
  Result<ListingView> listing(std::string_view id);
  // Codes: "unknown_listing", "listing_not_active" (cancelled), "listing_not_started",
  // "listing_ended", "sold_out", "invalid_quantity", "price_above_limit" (max_total),
  // "insufficient_funds", "listing_unavailable" (the seller no longer holds the token).
  Result<Sale> purchase(std::string_view listing_id, std::string_view buyer, const U256& quantity,
                        const std::optional<U256>& max_total = std::nullopt);

 private:
  store::Store& store_;
  store::LedgerStore& ledger_store_;
  ledger::Ledger& ledger_;
  const Clock& clock_;
};

// {"id","kind","collection","token_id","seller","currency","quantity","sold","status",
//  "price","next_change_ms","platform_fee_bps","starts_ms","ends_ms"}: GET /v1/listings/{id}.
std::string listing_json(const ListingView& view);
// {"listing","buyer","quantity","total","payouts":[{"account","amount","role"}],"log_index"}.
std::string sale_json(const Sale& sale);

}  // namespace atelier::market
