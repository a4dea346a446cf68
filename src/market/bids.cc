// Where a bid is placed (listings.h Market::bid): English auctions escrow the bid, refund the
// bid it beats in the same change, and extend the end when a bid comes late. Settling an
// auction is settlement.cc.
#include <map>
#include <nlohmann/json.hpp>

#include "core/assert.h"
#include "market/internal/listing_terms.h"
#include "market/listings.h"

namespace atelier::market {

namespace {

// Racing bidders re-decide a bid made on a stale read at most this often.
constexpr int kBidAttemptsMax = 16;

const std::string kEscrow(ledger::kEscrowAccount);

}  // namespace

Result<Bid> Market::bid(const ListingId& listing_id, const AccountId& bidder, const U256& amount,
                        std::string_view currency, const store::Respond<Bid>* respond) {
  if (bidder.empty())
    return fail(Error::invalid("missing_bidder", "a bid needs a bidder account", "bidder"));
  for (int attempt = 0;; ++attempt) {
    auto found = find_listing(ledger_store_, listing_id.view());
    if (!found) return fail(found.error());
    const store::ListingRecord& l = *found;
    const std::int64_t now = clock_.now_ms();
    if (!internal::is_english(l)) {
      return fail(Error::conflict("not_an_auction",
                                  "listing " + l.id + " is " +
                                      std::string(store::listing_kind_name(l.kind)) +
                                      ": buy it instead",
                                  "id"));
    }
    if (l.status == store::ListingStatus::kCancelled) return fail(listing_closed(l));
    if (l.status != store::ListingStatus::kActive || now >= l.ends_ms) {
      return fail(Error::conflict(
          "listing_ended", "the auction " + l.id + " ended at " + std::to_string(l.ends_ms), "id"));
    }
    if (now < l.starts_ms) {
      return fail(Error::conflict(
          "listing_not_started", "the auction " + l.id + " opens at " + std::to_string(l.starts_ms),
          "id"));
    }
    if (bidder.view() == l.seller)
      return fail(Error::invalid("seller_cannot_bid", "the seller cannot bid on their own auction",
                                 "bidder"));
    if (!currency.empty() && currency != l.currency) {
      return fail(Error::invalid(
          "wrong_currency",
          "the auction " + l.id + " takes bids in " + l.currency + ", not " + std::string(currency),
          "currency"));
    }
    auto terms = internal::parse_terms(l);
    if (!terms) return fail(terms.error());
    const U256 minimum = internal::min_next_bid(l, *terms);
    if (amount < minimum) {
      if (l.bid_count == 0) {
        return fail(Error::invalid("bid_below_reserve",
                                   "bids start at the reserve price " + minimum.to_decimal(),
                                   "amount"));
      }
      // A conflict, not bad input: the bid may have been enough when it was sent.
      return fail(Error::conflict("bid_too_low",
                                  "the standing bid is " + l.high_bid.to_decimal() +
                                      "; a bid must be at least " + minimum.to_decimal() + " (+" +
                                      std::to_string(terms->min_increment_bps) + " bps)",
                                  "amount"));
    }
    store::LedgerChange change;
    change.time_ms = now;
    // The refund first, so a bidder raising their own bid needs only the difference.
    if (l.bid_count > 0) {
      change.ledger.postings.push_back({l.high_bidder, l.currency, l.high_bid, true});
      change.ledger.postings.push_back({kEscrow, l.currency, l.high_bid, false});
    }
    change.ledger.postings.push_back({bidder.str(), l.currency, amount, false});
    change.ledger.postings.push_back({kEscrow, l.currency, amount, true});
    std::optional<std::int64_t> extended;
    const std::int64_t buffer_ms = terms->time_buffer_s * 1000;
    if (l.ends_ms - now < buffer_ms) extended = now + buffer_ms;
    change.listings.transitions.push_back(
        {.id = l.id,
         .from_status = store::ListingStatus::kActive,
         .expected_bid_count = l.bid_count,
         .bid = store::ListingChanges::Transition::Bid{bidder.str(), amount},
         .ends_ms = extended});
    const std::int64_t ends = extended.value_or(l.ends_ms);
    nlohmann::json fields = {
        {"listing", l.id},        {"bidder", bidder.view()}, {"amount", amount.to_decimal()},
        {"currency", l.currency}, {"seq", l.bid_count},      {"ends_ms", ends}};
    if (l.bid_count > 0)
      fields["refunded"] = {{"account", l.high_bidder}, {"amount", l.high_bid.to_decimal()}};
    ATELIER_TRY_ASSIGN(
        auto subjects,
        listing_subjects(ledger_store_, l, {bidder.view(), l.bid_count > 0 ? l.high_bidder : ""}));
    change.event = listing_event("bid", now, std::move(fields), std::move(subjects));
    auto bid_at = [&](const store::LedgerReceipt& receipt) {
      Bid out{l.id, bidder.str(), amount, ends, "", U256(), receipt.log_index};
      if (l.bid_count > 0) {
        out.refunded = l.high_bidder;
        out.refund = l.high_bid;
      }
      return out;
    };
    change.completion = store::complete_with(respond, bid_at);
    auto applied = ledger_store_.apply_ledger_change(change);
    if (!applied) {
      if (applied.error().code == "listing_changed" && attempt + 1 < kBidAttemptsMax)
        continue;  // Outbid meanwhile.
      return fail(applied.error());
    }
    return bid_at(*applied);
  }
}

std::string bid_json(const Bid& b) {
  nlohmann::json j = {{"listing", b.listing_id},
                      {"bidder", b.bidder},
                      {"amount", b.amount.to_decimal()},
                      {"ends_ms", b.ends_ms},
                      {"log_index", b.log_index}};
  if (!b.refunded.empty()) {
    j["refunded"] = b.refunded;
    j["refund"] = b.refund.to_decimal();
  }
  return j.dump();
}

}  // namespace atelier::market
