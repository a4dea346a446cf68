// Where a purchase is decided (listings.h Market::purchase, Market::quote): the price now
// (pricing kinds, rarity tiers), the pay currency through a feed, slippage and max_total, the
// payouts, and one LedgerChange the store applies atomically (src/store/sqlite_apply_*.cc).
// A purchase decided on a stale read (listing_changed) is decided again.
#include <algorithm>
#include <nlohmann/json.hpp>

#include "core/assert.h"
#include "market/internal/listing_terms.h"
#include "market/listings.h"

namespace atelier::market {

namespace {

using internal::parse_terms;
using internal::Terms;

// Racing buyers retry a purchase decided on a stale read at most this often.
constexpr int kPurchaseAttemptsMax = 16;

}  // namespace

namespace {

// `total` (the listing's currency) in `pay`: the listing's own currency as it is, another one
// only if the listing accepts it, through its feed.
Result<Due> due_in(Feeds* feeds, const store::ListingRecord& l, const internal::Terms& terms,
                   const U256& total, std::string_view pay) {
  if (pay.empty() || pay == l.currency) return Due{total, "", {}};
  if (std::find(terms.accepts.begin(), terms.accepts.end(), pay) == terms.accepts.end()) {
    std::string accepted = l.currency;
    for (const auto& c : terms.accepts) accepted += ", " + c;
    return fail(Error::invalid(
        "wrong_currency", "listing " + l.id + " takes " + accepted + ", not " + std::string(pay),
        "currency"));
  }
  if (feeds == nullptr) {
    return fail(Error::conflict(
        "no_feed",
        "no price feeds are configured to convert " + l.currency + " to " + std::string(pay),
        "currency"));
  }
  return feeds->due(total, l.currency, pay);
}

}  // namespace

Result<Due> Market::quote(const ListingId& listing_id, const U256& quantity,
                          std::string_view currency) {
  auto found = ledger_store_.listing(listing_id.view());
  if (!found) return fail(found.error());
  if (!*found)
    return fail(Error::not_found("unknown_listing", "no listing " + listing_id.str(), "id"));
  const store::ListingRecord& l = **found;
  if (internal::is_english(l)) {
    return fail(Error::conflict("not_for_sale",
                                "listing " + l.id + " is an English auction: place a bid", "id"));
  }
  auto terms = parse_terms(l);
  if (!terms) return fail(terms.error());
  auto position = rarity_position(l, terms->rules && !terms->rules->rarity_tiers.empty());
  if (!position) return fail(position.error());
  auto total =
      internal::total_price(l, *terms, std::max(clock_.now_ms(), l.starts_ms), quantity, *position);
  if (!total) return fail(total.error());
  return due_in(feeds_, l, *terms, *total, currency);
}

Result<Sale> Market::purchase(const ListingId& listing_id, const AccountId& buyer,
                              const U256& quantity, const std::optional<U256>& max_total,
                              std::string_view currency) {
  return purchase(listing_id, buyer, quantity,
                  PurchaseOptions{.max_total = max_total, .currency = std::string(currency)},
                  nullptr);
}

Result<Sale> Market::purchase(const ListingId& listing_id, const AccountId& buyer,
                              const U256& quantity, const PurchaseOptions& options,
                              const store::Respond<Sale>* respond) {
  const std::optional<U256>& max_total = options.max_total;
  if (quantity.is_zero())
    return fail(Error::invalid("invalid_quantity", "quantity must be positive", "quantity"));
  if (buyer.empty())
    return fail(Error::invalid("missing_buyer", "a purchase needs a buyer account", "buyer"));
  for (int attempt = 0;; ++attempt) {
    auto found = ledger_store_.listing(listing_id.view());
    if (!found) return fail(found.error());
    if (!*found)
      return fail(Error::not_found("unknown_listing", "no listing " + listing_id.str(), "id"));
    const store::ListingRecord& l = **found;
    const std::int64_t now = clock_.now_ms();
    if (internal::is_english(l)) {
      return fail(Error::conflict("not_for_sale",
                                  "listing " + l.id + " is an English auction: place a bid", "id"));
    }
    if (store::is_closed(l.status)) return fail(listing_closed(l));
    if (now < l.starts_ms)
      return fail(Error::conflict("listing_not_started",
                                  "listing " + l.id + " opens at " + std::to_string(l.starts_ms),
                                  "id"));
    if (l.ends_ms != 0 && now >= l.ends_ms)
      return fail(Error::conflict("listing_ended", "listing " + l.id + " has ended", "id"));
    const U256 left =
        ATELIER_VALUE(checked_sub(l.quantity, l.sold), "the store reads sold ≤ quantity");
    if (left.is_zero() || l.status == store::ListingStatus::kSoldOut) {
      return fail(Error::conflict("sold_out", "listing " + l.id + " is sold out", "id"));
    }
    if (quantity > left) {
      return fail(Error::conflict(
          "sold_out", "listing " + l.id + " has " + left.to_decimal() + " left", "quantity"));
    }
    auto terms = parse_terms(l);
    if (!terms) return fail(terms.error());
    auto position = rarity_position(l, terms->rules && !terms->rules->rarity_tiers.empty());
    if (!position) return fail(position.error());
    auto listed = internal::total_price(l, *terms, now, quantity, *position);
    if (!listed) return fail(listed.error());
    // What the buyer pays, in the pay currency: converted through a feed when it differs.
    auto due = due_in(feeds_, l, *terms, *listed, options.currency);
    if (!due) return fail(due.error());
    const std::string pay = options.currency.empty() ? l.currency : options.currency;
    const U256* total = &due->amount;
    if (options.quoted_total)
      ATELIER_TRY(check_slippage(*total, *options.quoted_total, options.max_slippage_bps));
    if (max_total && *total > *max_total) {
      return fail(Error::conflict(
          "price_above_limit",
          "the total " + total->to_decimal() + " exceeds max_total " + max_total->to_decimal(),
          "max_total"));
    }
    auto collection = ledger_store_.collection(l.collection_id);
    if (!collection) return fail(collection.error());
    if (!*collection)
      return fail(
          Error::internal("listing_collection_missing", "listing " + l.id + " has no collection"));

    store::LedgerChange change;
    change.time_ms = now;
    change.ledger.postings.push_back({buyer.str(), pay, *total, false});
    std::vector<ledger::Payout> payouts;
    if (terms->clearing) {
      // Held until the auction settles at its clearing price (rebates, then payouts).
      change.ledger.postings.push_back({std::string(ledger::kEscrowAccount), pay, *total, true});
    } else {
      auto p = ledger::sale_payouts(**collection, l.seller, *total, l.platform_fee_bps);
      if (!p) return fail(p.error());
      payouts = std::move(*p);
      for (const auto& payout : payouts)
        change.ledger.postings.push_back({payout.account, pay, payout.amount, true});
    }
    change.ledger.moves.push_back({l.collection_id, l.token_id, l.seller, buyer.str(), quantity});
    if ((*collection)->standard == "erc721")
      change.ledger.approvals.push_back({l.collection_id, l.token_id, ""});
    change.listings.updates.push_back(
        {l.id, quantity,
         internal::sold_dependent(l, *terms) ? std::optional<U256>(l.sold) : std::nullopt});
    // The sales history keeps the listed price (the listing's currency); the postings and the
    // log entry say what was paid.
    const U256 unit =
        ATELIER_VALUE(checked_div(*listed, quantity), "a purchase is of at least one unit");
    change.listings.sales.push_back({l.id, 0, buyer.str(), quantity, unit, *listed, now, 0});
    nlohmann::json fields = {{"listing", l.id},
                             {"kind", store::listing_kind_name(l.kind)},
                             {"collection", l.collection_id},
                             {"token_id", l.token_id.to_decimal()},
                             {"seller", l.seller},
                             {"buyer", buyer.view()},
                             {"quantity", quantity.to_decimal()},
                             {"currency", pay},
                             {"total", total->to_decimal()},
                             {"payouts", payouts_json(payouts)}};
    if (terms->clearing) fields["escrowed"] = true;
    if (!due->feed.empty()) {
      fields["listed"] = {{"currency", l.currency}, {"total", listed->to_decimal()}};
      fields["feed"] = {{"id", due->feed},
                        {"price_wad", due->price.price_wad.to_decimal()},
                        {"as_of_ms", due->price.as_of_ms},
                        {"sources", due->price.used}};
    }
    ATELIER_TRY_ASSIGN(auto subjects, listing_subjects(ledger_store_, l, {buyer.view(), l.seller}));
    change.event = listing_event("sale", now, std::move(fields), std::move(subjects));
    auto sale_at = [&](const store::LedgerReceipt& receipt) {
      return Sale{l.id,      buyer.str(),         quantity, *total,
                  payouts,   receipt.log_index,   pay,      due->feed.empty() ? U256() : *listed,
                  due->feed, due->price.price_wad};
    };
    change.completion = store::complete_with(respond, sale_at);
    auto applied = ledger_store_.apply_ledger_change(change);
    if (applied) return sale_at(*applied);
    const std::string& code = applied.error().code;
    if (code == "listing_changed" && attempt + 1 < kPurchaseAttemptsMax)
      continue;  // Someone bought first.
    if (code == "ledger_conflict") {
      return fail(Error::conflict("listing_unavailable",
                                  "the seller no longer holds the listed token", "id"));
    }
    return fail(applied.error());
  }
}

std::string sale_json(const Sale& s) {
  nlohmann::json j = {{"listing", s.listing_id},
                      {"buyer", s.buyer},
                      {"quantity", s.quantity.to_decimal()},
                      {"total", s.total.to_decimal()},
                      {"payouts", payouts_json(s.payouts)},
                      {"log_index", s.log_index}};
  if (!s.currency.empty()) j["currency"] = s.currency;
  if (!s.feed.empty()) {
    j["listed_total"] = s.listed_total.to_decimal();
    j["feed"] = s.feed;
    j["feed_price_wad"] = s.feed_price_wad.to_decimal();
  }
  return j.dump();
}
}  // namespace atelier::market
