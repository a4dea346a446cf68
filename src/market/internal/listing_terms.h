// listing_terms.h — a listing's stored terms (its kind's parameters), what they price now, and
// the pieces of a listing's log entries. Internal to src/market: listings.cc, purchase.cc,
// bids.cc and settlement.cc share it.
#pragma once

#include <cstdint>
#include <optional>
#include <initializer_list>
#include <nlohmann/json_fwd.hpp>
#include <string>
#include <vector>

#include "core/error.h"
#include "core/u256.h"
#include "ledger/ledger.h"
#include "market/listings.h"
#include "market/pricing.h"
#include "market/rules.h"
#include "store/ledger_store.h"

namespace atelier::market::internal {

struct Terms {
  U256 price;                          // fixed
  std::optional<PriceModel> model;     // pricing kinds
  PriceParams params;
  bool clearing = false;               // Dutch kinds settling at the clearing price
  U256 reserve_price;                  // english
  std::int64_t min_increment_bps = 0;  // english
  std::int64_t time_buffer_s = 0;      // english
  std::optional<PricingRules> rules;   // fixed and Dutch kinds
  std::vector<std::string> accepts;    // Other pay currencies, through feeds.
};


bool is_english(const store::ListingRecord& l);
// The Dutch kinds, whose price does not depend on how many sold.
bool is_dutch(store::ListingKind kind);
// The kinds a pricing model (pricing.h) prices: all but fixed and english.
bool is_pricing_kind(store::ListingKind kind);

// The canonical JSON of a new listing's terms, after validating them (codes of
// Market::create_listing). `kind` is request.kind parsed, nullopt when it names no kind:
// "unknown_kind", after the checks that come before it.
Result<std::string> terms_json(const NewListing& request, std::optional<store::ListingKind> kind);
// The stored terms back (validated when the listing was created).
Result<Terms> parse_terms(const store::ListingRecord& listing);

// Kinds whose price depends on how many units sold (GDAs, VRGDAs, a demand rule): a purchase
// commits only at the sold count it was priced at.
bool sold_dependent(const store::ListingRecord& listing, const Terms& terms);

// Whole seconds since the listing started (0 before it).
std::uint64_t elapsed_s(const store::ListingRecord& listing, std::int64_t now_ms);

// The total price of `quantity` units bought now, after `listing.sold` units. Fixed and Dutch:
// unit price × quantity, the unit price after the listing's pricing rules (rules.h; the rarity
// tier from `rarity`); GDAs price the batch; VRGDAs sum the next `quantity` tokens' prices.
// Codes: "invalid_quantity", "not_yet_available" (gda-continuous), the pricing model's and
// the rules'.
Result<U256> total_price(const store::ListingRecord& listing, const Terms& terms,
                         std::int64_t now_ms, const U256& quantity,
                         const RarityPosition& rarity = {});

// The lowest bid an English auction accepts now: the reserve before the first bid, then the
// standing bid plus floor(bid × min_increment_bps / 10,000), and at least one unit more.
U256 min_next_bid(const store::ListingRecord& listing, const Terms& terms);

}  // namespace atelier::market::internal

namespace atelier::market {

// A log entry about a listing (core/event.h envelope) with its subjects.
store::LogEvent listing_event(std::string_view type, std::int64_t time_ms, nlohmann::json fields,
                              std::vector<std::string> subjects);
// listing:<id>, the token, asset:<sha256> of its image, and account:<a> for each named account.
// A failed read of the token is an error: swallowed, the entry would lose its asset subject.
Result<std::vector<std::string>> listing_subjects(store::LedgerStore& ledger_store,
                                                  const store::ListingRecord& listing,
                                                  std::initializer_list<std::string_view> accounts);
nlohmann::json payouts_json(const std::vector<ledger::Payout>& payouts);
// "listing_not_active", naming why (cancelled, ended, settled).
Error listing_closed(const store::ListingRecord& listing);
// The listing, or "unknown_listing" naming `id`.
Result<store::ListingRecord> find_listing(store::LedgerStore& ledger_store, std::string_view id);

}  // namespace atelier::market
