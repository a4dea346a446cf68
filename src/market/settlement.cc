// Where an auction settles (listings.h Market::settle): after its end, an English auction pays
// the standing bid out of escrow and hands over the token (or returns the token when nobody
// bid); a clearing-price Dutch auction charges every buyer the lowest price paid, rebates the
// difference and pays the proceeds out once. Each path builds one LedgerChange, applied
// atomically with its log entry, guarded by the listing's status, bid count and sold count.
#include <map>
#include <nlohmann/json.hpp>

#include "core/assert.h"
#include "market/internal/listing_terms.h"
#include "market/listings.h"

namespace atelier::market {

namespace {

const std::string kEscrow(ledger::kEscrowAccount);

// What a settlement path decided: the outcome, the change (without its transition's closing
// fields and log event) and the log entry's type, fields and subjects.
struct Plan {
  Settlement out;
  store::LedgerChange change;
  std::string type = "sale";
  nlohmann::json fields;
  std::vector<std::string> subjects;
  std::optional<U256> sold;  // The listing's sold count after settling, when it changes.
};

// An English auction: the standing bid is paid out and the token goes to the bidder; with no
// bid the token goes back to the seller.
Result<void> settle_english(store::LedgerStore& ledger_store, const store::ListingRecord& l,
                            const store::CollectionRecord& collection, std::int64_t now,
                            Plan& plan) {
  if (l.bid_count == 0) {
    plan.out.status = "ended";
    plan.change.ledger.moves.push_back(
        {l.collection_id, l.token_id, kEscrow, l.seller, l.quantity});
    plan.type = "auction.ended";
    ATELIER_TRY_ASSIGN(plan.subjects, listing_subjects(ledger_store, l, {l.seller}));
    return {};
  }
  plan.out.winner = l.high_bidder;
  plan.out.price = l.high_bid;
  ATELIER_TRY_ASSIGN(plan.out.payouts,
                     ledger::sale_payouts(collection, l.seller, l.high_bid, l.platform_fee_bps));
  plan.change.ledger.postings.push_back({kEscrow, l.currency, l.high_bid, false});
  for (const auto& p : plan.out.payouts)
    plan.change.ledger.postings.push_back({p.account, l.currency, p.amount, true});
  plan.change.ledger.moves.push_back(
      {l.collection_id, l.token_id, kEscrow, l.high_bidder, l.quantity});
  const U256 unit = ATELIER_VALUE(checked_div(l.high_bid, l.quantity), "a listing has units");
  plan.change.listings.sales.push_back(
      {l.id, 0, l.high_bidder, l.quantity, unit, l.high_bid, now, 0});
  plan.sold = l.quantity;
  plan.fields["buyer"] = l.high_bidder;
  plan.fields["quantity"] = l.quantity.to_decimal();
  plan.fields["total"] = l.high_bid.to_decimal();
  plan.fields["bids"] = l.bid_count;
  ATELIER_TRY_ASSIGN(plan.subjects, listing_subjects(ledger_store, l, {l.high_bidder, l.seller}));
  return {};
}

// A clearing-price Dutch auction: prices only fall, so the last sale's unit price is the
// lowest paid and everyone pays it; the escrowed difference goes back to each buyer.
Result<void> settle_clearing(store::LedgerStore& ledger_store, const store::ListingRecord& l,
                             const store::CollectionRecord& collection, Plan& plan) {
  ATELIER_TRY_ASSIGN(const auto sales, ledger_store.sales(l.id));
  if (sales.empty()) {
    plan.out.status = "ended";
    plan.type = "auction.ended";
    ATELIER_TRY_ASSIGN(plan.subjects, listing_subjects(ledger_store, l, {l.seller}));
    return {};
  }
  U256 clearing = sales.front().unit_price, escrowed, units;
  for (const auto& s : sales) {
    clearing = std::min(clearing, s.unit_price);
    escrowed =
        ATELIER_VALUE(checked_add(escrowed, s.total), "the escrow balance holds every payment");
    units = ATELIER_VALUE(checked_add(units, s.quantity), "units sold never exceed the listing's");
  }
  std::map<std::string, U256> rebate_by_buyer;
  std::vector<std::string> order;
  for (const auto& s : sales) {
    const U256 due =
        ATELIER_VALUE(checked_mul(clearing, s.quantity), "clearing ≤ the unit price paid");
    const U256 rebate = ATELIER_VALUE(checked_sub(s.total, due), "unit price × quantity ≤ total");
    if (rebate.is_zero()) continue;
    auto [it, fresh] = rebate_by_buyer.try_emplace(s.buyer, U256());
    if (fresh) order.push_back(s.buyer);
    it->second = ATELIER_VALUE(checked_add(it->second, rebate), "rebates ≤ what was escrowed");
  }
  const U256 proceeds = ATELIER_VALUE(checked_mul(clearing, units), "proceeds ≤ what was escrowed");
  ATELIER_TRY_ASSIGN(plan.out.payouts,
                     ledger::sale_payouts(collection, l.seller, proceeds, l.platform_fee_bps));
  plan.out.price = clearing;
  plan.change.ledger.postings.push_back({kEscrow, l.currency, escrowed, false});
  nlohmann::json rebates = nlohmann::json::array();
  U256 paid_out;
  for (const auto& buyer : order) {
    const U256& rebate = rebate_by_buyer[buyer];
    plan.out.rebates.push_back({buyer, rebate});
    plan.change.ledger.postings.push_back({buyer, l.currency, rebate, true});
    rebates.push_back({{"account", buyer}, {"amount", rebate.to_decimal()}});
    paid_out = ATELIER_VALUE(checked_add(paid_out, rebate), "rebates ≤ what was escrowed");
  }
  for (const auto& p : plan.out.payouts)
    plan.change.ledger.postings.push_back({p.account, l.currency, p.amount, true});
  // Everything escrowed leaves escrow: the rebates and the proceeds.
  ATELIER_ASSERT(ATELIER_VALUE(checked_add(paid_out, proceeds), "≤ escrowed") == escrowed,
                 "listing " + l.id + ": rebates and proceeds do not add up to the escrowed " +
                     escrowed.to_decimal());
  plan.type = "auction.settled";
  plan.fields["clearing_price"] = clearing.to_decimal();
  plan.fields["units"] = units.to_decimal();
  plan.fields["proceeds"] = proceeds.to_decimal();
  plan.fields["rebates"] = rebates;
  ATELIER_TRY_ASSIGN(plan.subjects, listing_subjects(ledger_store, l, {l.seller}));
  for (const auto& buyer : order) plan.subjects.push_back("account:" + buyer);
  return {};
}

}  // namespace

Result<Settlement> Market::settle(std::string_view listing_id,
                                  const store::Respond<Settlement>* respond) {
  ATELIER_TRY_ASSIGN(const store::ListingRecord l, find_listing(ledger_store_, listing_id));
  const std::int64_t now = clock_.now_ms();
  ATELIER_TRY_ASSIGN(const internal::Terms terms, internal::parse_terms(l));
  const bool english = internal::is_english(l);
  if (!english && !terms.clearing) {
    return fail(
        Error::conflict("not_an_auction", "listing " + l.id + " settles with each purchase", "id"));
  }
  if (l.status == store::ListingStatus::kSettled || l.status == store::ListingStatus::kEnded) {
    return fail(Error::conflict(
        "already_settled",
        "listing " + l.id + " is already " + std::string(store::listing_status_name(l.status)),
        "id"));
  }
  if (l.status == store::ListingStatus::kCancelled) return fail(listing_closed(l));
  const bool time_up = l.ends_ms != 0 && now >= l.ends_ms;
  if (!time_up && !(l.status == store::ListingStatus::kSoldOut && !english)) {
    return fail(Error::conflict("auction_not_ended",
                                "listing " + l.id + " settles at " + std::to_string(l.ends_ms) +
                                    (english ? "" : " or when sold out"),
                                "id"));
  }
  ATELIER_TRY_ASSIGN(const auto collection, ledger_store_.collection(l.collection_id));
  if (!collection)
    return fail(
        Error::internal("listing_collection_missing", "listing " + l.id + " has no collection"));

  Plan plan;
  plan.out = Settlement{l.id, "settled", "", U256(), {}, {}, 0};
  plan.change.time_ms = now;
  plan.fields = {{"listing", l.id},
                 {"kind", store::listing_kind_name(l.kind)},
                 {"collection", l.collection_id},
                 {"token_id", l.token_id.to_decimal()},
                 {"seller", l.seller},
                 {"currency", l.currency}};
  if (english) {
    ATELIER_TRY(settle_english(ledger_store_, l, *collection, now, plan));
  } else {
    ATELIER_TRY(settle_clearing(ledger_store_, l, *collection, plan));
  }
  Settlement& out = plan.out;
  store::LedgerChange& change = plan.change;
  plan.fields["payouts"] = payouts_json(out.payouts);
  nlohmann::json outcome = {
      {"status", out.status}, {"time_ms", now}, {"price", out.price.to_decimal()}};
  if (!out.winner.empty()) outcome["winner"] = out.winner;
  change.listings.transitions.push_back({.id = l.id,
                                         .from_status = l.status,
                                         .expected_bid_count = l.bid_count,
                                         .expected_sold = l.sold,
                                         .to_status = store::parse_listing_status(out.status),
                                         .sold = plan.sold,
                                         .outcome = outcome.dump()});
  change.event = listing_event(plan.type, now, std::move(plan.fields), std::move(plan.subjects));
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
      if (now_listing && (now_listing->status == store::ListingStatus::kSettled ||
                          now_listing->status == store::ListingStatus::kEnded)) {
        return fail(
            Error::conflict("already_settled",
                            "listing " + l.id + " is already " +
                                std::string(store::listing_status_name(now_listing->status)),
                            "id"));
      }
    }
    return fail(applied.error());
  }
  out.log_index = applied->log_index;
  return out;
}

std::string settlement_json(const Settlement& s) {
  nlohmann::json rebates = nlohmann::json::array();
  for (const auto& r : s.rebates)
    rebates.push_back({{"account", r.account}, {"amount", r.amount.to_decimal()}});
  nlohmann::json j = {{"listing", s.listing_id},
                      {"status", s.status},
                      {"price", s.price.to_decimal()},
                      {"payouts", payouts_json(s.payouts)},
                      {"rebates", rebates},
                      {"log_index", s.log_index}};
  if (!s.winner.empty()) j["winner"] = s.winner;
  return j.dump();
}

}  // namespace atelier::market
