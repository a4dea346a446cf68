// Bidding and settling (listings.h): English auctions with escrowed bids, and the settlement
// of clearing-price Dutch auctions.
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

Result<store::ListingRecord> find_listing(store::LedgerStore& ledger_store, std::string_view id) {
  auto l = ledger_store.listing(id);
  if (!l) return fail(l.error());
  if (!*l) return fail(Error::not_found("unknown_listing", "no listing " + std::string(id), "id"));
  return **l;
}

}  // namespace

Result<Bid> Market::bid(std::string_view listing_id, std::string_view bidder, const U256& amount,
                        std::string_view currency, const store::Respond<Bid>* respond) {
  if (bidder.empty()) return fail(Error::invalid("missing_bidder", "a bid needs a bidder account", "bidder"));
  for (int attempt = 0;; ++attempt) {
    auto found = find_listing(ledger_store_, listing_id);
    if (!found) return fail(found.error());
    const store::ListingRecord& l = *found;
    const std::int64_t now = clock_.now_ms();
    if (!internal::is_english(l)) {
      return fail(Error::conflict("not_an_auction", "listing " + l.id + " is " + l.kind + ": buy it instead", "id"));
    }
    if (l.status == "cancelled") return fail(listing_closed(l));
    if (l.status != "active" || now >= l.ends_ms) {
      return fail(Error::conflict("listing_ended", "the auction " + l.id + " ended at " + std::to_string(l.ends_ms), "id"));
    }
    if (now < l.starts_ms) {
      return fail(Error::conflict("listing_not_started", "the auction " + l.id + " opens at " + std::to_string(l.starts_ms), "id"));
    }
    if (bidder == l.seller) return fail(Error::invalid("seller_cannot_bid", "the seller cannot bid on their own auction", "bidder"));
    if (!currency.empty() && currency != l.currency) {
      return fail(Error::invalid("wrong_currency", "the auction " + l.id + " takes bids in " + l.currency + ", not " +
                                                       std::string(currency), "currency"));
    }
    auto terms = internal::parse_terms(l);
    if (!terms) return fail(terms.error());
    const U256 minimum = internal::min_next_bid(l, *terms);
    if (amount < minimum) {
      if (l.bid_count == 0) {
        return fail(Error::invalid("bid_below_reserve", "bids start at the reserve price " + minimum.to_decimal(), "amount"));
      }
      // A conflict, not bad input: the bid may have been enough when it was sent.
      return fail(Error::conflict("bid_too_low", "the standing bid is " + l.high_bid.to_decimal() + "; a bid must be at least " +
                                                    minimum.to_decimal() + " (+" + std::to_string(terms->min_increment_bps) + " bps)",
                                 "amount"));
    }
    store::LedgerChange change;
    change.time_ms = now;
    // The refund first, so a bidder raising their own bid needs only the difference.
    if (l.bid_count > 0) {
      change.postings.push_back({l.high_bidder, l.currency, l.high_bid, true});
      change.postings.push_back({kEscrow, l.currency, l.high_bid, false});
    }
    change.postings.push_back({std::string(bidder), l.currency, amount, false});
    change.postings.push_back({kEscrow, l.currency, amount, true});
    std::optional<std::int64_t> extended;
    const std::int64_t buffer_ms = terms->time_buffer_s * 1000;
    if (l.ends_ms - now < buffer_ms) extended = now + buffer_ms;
    change.transitions.push_back({.id = l.id,
                                  .from_status = "active",
                                  .expected_bid_count = l.bid_count,
                                  .bid = store::LedgerChange::ListingTransition::Bid{std::string(bidder), amount},
                                  .ends_ms = extended});
    const std::int64_t ends = extended.value_or(l.ends_ms);
    nlohmann::json fields = {{"listing", l.id}, {"bidder", bidder}, {"amount", amount.to_decimal()},
                             {"currency", l.currency}, {"seq", l.bid_count}, {"ends_ms", ends}};
    if (l.bid_count > 0) fields["refunded"] = {{"account", l.high_bidder}, {"amount", l.high_bid.to_decimal()}};
    ATELIER_TRY_ASSIGN(auto subjects,
                       listing_subjects(ledger_store_, l, {bidder, l.bid_count > 0 ? l.high_bidder : ""}));
    change.event = listing_event("bid", now, std::move(fields), std::move(subjects));
    auto bid_at = [&](const store::LedgerReceipt& receipt) {
      Bid out{l.id, std::string(bidder), amount, ends, "", U256(), receipt.log_index};
      if (l.bid_count > 0) {
        out.refunded = l.high_bidder;
        out.refund = l.high_bid;
      }
      return out;
    };
    change.completion = store::complete_with(respond, bid_at);
    auto applied = ledger_store_.apply_ledger_change(change);
    if (!applied) {
      if (applied.error().code == "listing_changed" && attempt + 1 < kBidAttemptsMax) continue;  // Outbid meanwhile.
      return fail(applied.error());
    }
    return bid_at(*applied);
  }
}

Result<Settlement> Market::settle(std::string_view listing_id,
                                  const store::Respond<Settlement>* respond) {
  auto found = find_listing(ledger_store_, listing_id);
  if (!found) return fail(found.error());
  const store::ListingRecord& l = *found;
  const std::int64_t now = clock_.now_ms();
  auto terms = internal::parse_terms(l);
  if (!terms) return fail(terms.error());
  const bool english = internal::is_english(l);
  if (!english && !terms->clearing) {
    return fail(Error::conflict("not_an_auction", "listing " + l.id + " settles with each purchase", "id"));
  }
  if (l.status == "settled" || l.status == "ended") {
    return fail(Error::conflict("already_settled", "listing " + l.id + " is already " + l.status, "id"));
  }
  if (l.status == "cancelled") return fail(listing_closed(l));
  const bool time_up = l.ends_ms != 0 && now >= l.ends_ms;
  if (!time_up && !(l.status == "sold_out" && !english)) {
    return fail(Error::conflict("auction_not_ended", "listing " + l.id + " settles at " + std::to_string(l.ends_ms) +
                                                         (english ? "" : " or when sold out"), "id"));
  }
  auto collection = ledger_store_.collection(l.collection_id);
  if (!collection) return fail(collection.error());
  if (!*collection) return fail(Error::internal("listing_collection_missing", "listing " + l.id + " has no collection"));

  Settlement out{l.id, "settled", "", U256(), {}, {}, 0};
  store::LedgerChange change;
  change.time_ms = now;
  store::LedgerChange::ListingTransition transition{
      .id = l.id, .from_status = l.status, .expected_bid_count = l.bid_count, .expected_sold = l.sold};
  nlohmann::json fields = {{"listing", l.id}, {"kind", l.kind}, {"collection", l.collection_id},
                           {"token_id", l.token_id.to_decimal()}, {"seller", l.seller}, {"currency", l.currency}};
  std::string type = "sale";
  std::vector<std::string> subjects;

  if (english && l.bid_count == 0) {
    // Nobody bid: the token goes back to the seller.
    out.status = "ended";
    change.moves.push_back({l.collection_id, l.token_id, kEscrow, l.seller, l.quantity});
    type = "auction.ended";
    ATELIER_TRY_ASSIGN(subjects, listing_subjects(ledger_store_, l, {l.seller}));
  } else if (english) {
    out.winner = l.high_bidder;
    out.price = l.high_bid;
    auto payouts = ledger::sale_payouts(**collection, l.seller, l.high_bid, l.platform_fee_bps);
    if (!payouts) return fail(payouts.error());
    out.payouts = std::move(*payouts);
    change.postings.push_back({kEscrow, l.currency, l.high_bid, false});
    for (const auto& p : out.payouts) change.postings.push_back({p.account, l.currency, p.amount, true});
    change.moves.push_back({l.collection_id, l.token_id, kEscrow, l.high_bidder, l.quantity});
    change.sales.push_back({l.id, 0, l.high_bidder, l.quantity, ATELIER_VALUE(checked_div(l.high_bid, l.quantity), "a listing has units"), l.high_bid, now, 0});
    transition.sold = l.quantity;
    fields["buyer"] = l.high_bidder;
    fields["quantity"] = l.quantity.to_decimal();
    fields["total"] = l.high_bid.to_decimal();
    fields["bids"] = l.bid_count;
    ATELIER_TRY_ASSIGN(subjects, listing_subjects(ledger_store_, l, {l.high_bidder, l.seller}));
  } else {
    auto sales = ledger_store_.sales(l.id);
    if (!sales) return fail(sales.error());
    if (sales->empty()) {
      out.status = "ended";
      type = "auction.ended";
      ATELIER_TRY_ASSIGN(subjects, listing_subjects(ledger_store_, l, {l.seller}));
    } else {
      // Prices only fall, so the last sale's unit price is the lowest paid: everyone pays it.
      U256 clearing = sales->front().unit_price, escrowed, units;
      for (const auto& s : *sales) {
        clearing = std::min(clearing, s.unit_price);
        escrowed = ATELIER_VALUE(checked_add(escrowed, s.total), "the escrow balance holds every payment");
        units = ATELIER_VALUE(checked_add(units, s.quantity), "units sold never exceed the listing's");
      }
      std::map<std::string, U256> rebate_by_buyer;
      std::vector<std::string> order;
      for (const auto& s : *sales) {
        const U256 due = ATELIER_VALUE(checked_mul(clearing, s.quantity), "clearing ≤ the unit price paid");
        const U256 rebate = ATELIER_VALUE(checked_sub(s.total, due), "unit price × quantity ≤ total");
        if (rebate.is_zero()) continue;
        auto [it, fresh] = rebate_by_buyer.try_emplace(s.buyer, U256());
        if (fresh) order.push_back(s.buyer);
        it->second = ATELIER_VALUE(checked_add(it->second, rebate), "rebates ≤ what was escrowed");
      }
      const U256 proceeds = ATELIER_VALUE(checked_mul(clearing, units), "proceeds ≤ what was escrowed");
      auto payouts = ledger::sale_payouts(**collection, l.seller, proceeds, l.platform_fee_bps);
      if (!payouts) return fail(payouts.error());
      out.price = clearing;
      out.payouts = std::move(*payouts);
      change.postings.push_back({kEscrow, l.currency, escrowed, false});
      nlohmann::json rebates = nlohmann::json::array();
      for (const auto& buyer : order) {
        out.rebates.push_back({buyer, rebate_by_buyer[buyer]});
        change.postings.push_back({buyer, l.currency, rebate_by_buyer[buyer], true});
        rebates.push_back({{"account", buyer}, {"amount", rebate_by_buyer[buyer].to_decimal()}});
      }
      for (const auto& p : out.payouts) change.postings.push_back({p.account, l.currency, p.amount, true});
      type = "auction.settled";
      fields["clearing_price"] = clearing.to_decimal();
      fields["units"] = units.to_decimal();
      fields["proceeds"] = proceeds.to_decimal();
      fields["rebates"] = rebates;
      ATELIER_TRY_ASSIGN(subjects, listing_subjects(ledger_store_, l, {l.seller}));
      for (const auto& buyer : order) subjects.push_back("account:" + buyer);
    }
  }
  fields["payouts"] = payouts_json(out.payouts);
  nlohmann::json outcome = {{"status", out.status}, {"time_ms", now}, {"price", out.price.to_decimal()}};
  if (!out.winner.empty()) outcome["winner"] = out.winner;
  transition.to_status = out.status;
  transition.outcome = outcome.dump();
  change.transitions.push_back(std::move(transition));
  change.event = listing_event(type, now, std::move(fields), std::move(subjects));
  auto settled_at = [&out](const store::LedgerReceipt& receipt) {
    Settlement s = out;
    s.log_index = receipt.log_index;
    return s;
  };
  change.completion = store::complete_with(respond, settled_at);
  auto applied = ledger_store_.apply_ledger_change(change);
  if (!applied) {
    if (applied.error().code == "listing_changed") {
      // Someone settled (or, before the end, bought or bid) first: report what it is now.
      auto now_listing = find_listing(ledger_store_, listing_id);
      if (now_listing && (now_listing->status == "settled" || now_listing->status == "ended")) {
        return fail(Error::conflict("already_settled", "listing " + l.id + " is already " + now_listing->status, "id"));
      }
    }
    return fail(applied.error());
  }
  out.log_index = applied->log_index;
  return out;
}

std::string bid_json(const Bid& b) {
  nlohmann::json j = {{"listing", b.listing_id}, {"bidder", b.bidder}, {"amount", b.amount.to_decimal()},
                      {"ends_ms", b.ends_ms}, {"log_index", b.log_index}};
  if (!b.refunded.empty()) {
    j["refunded"] = b.refunded;
    j["refund"] = b.refund.to_decimal();
  }
  return j.dump();
}

std::string settlement_json(const Settlement& s) {
  nlohmann::json rebates = nlohmann::json::array();
  for (const auto& r : s.rebates) rebates.push_back({{"account", r.account}, {"amount", r.amount.to_decimal()}});
  nlohmann::json j = {{"listing", s.listing_id}, {"status", s.status}, {"price", s.price.to_decimal()},
                      {"payouts", payouts_json(s.payouts)}, {"rebates", rebates}, {"log_index", s.log_index}};
  if (!s.winner.empty()) j["winner"] = s.winner;
  return j.dump();
}

}  // namespace atelier::market
