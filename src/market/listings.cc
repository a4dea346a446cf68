// Listings (listings.h): creating, viewing and cancelling one, its bids, and the helpers the
// purchase (purchase.cc), bidding (bids.cc) and settlement (settlement.cc) paths share.
#include "market/listings.h"

#include <algorithm>
#include <nlohmann/json.hpp>

#include "core/assert.h"
#include "core/canonical_json.h"
#include "core/event.h"
#include "core/random_id.h"
#include "market/internal/listing_terms.h"

namespace atelier::market {

namespace {

using internal::parse_terms;
using internal::Terms;

// A cancel decided on a stale read (a bid or sale came first) is decided again at most this
// often.
constexpr int kCancelAttemptsMax = 16;

}  // namespace

store::LogEvent listing_event(std::string_view type, std::int64_t time_ms, nlohmann::json fields,
                              std::vector<std::string> subjects) {
  return {event_entry(type, time_ms, std::move(fields)), std::move(subjects)};
}

Result<std::vector<std::string>> listing_subjects(
    store::LedgerStore& ledger_store, const store::ListingRecord& l,
    std::initializer_list<std::string_view> accounts) {
  std::vector<std::string> subjects = {"listing:" + l.id,
                                       ledger::token_subject(l.collection_id, l.token_id)};
  for (auto a : accounts) {
    if (!a.empty()) subjects.push_back("account:" + std::string(a));
  }
  auto t = ledger_store.token(l.collection_id, l.token_id);
  if (!t) return fail(t.error());
  if (*t) subjects.push_back("asset:" + (*t)->asset_sha256);
  return subjects;
}

nlohmann::json payouts_json(const std::vector<ledger::Payout>& payouts) {
  nlohmann::json a = nlohmann::json::array();
  for (const auto& p : payouts)
    a.push_back({{"account", p.account}, {"amount", p.amount.to_decimal()}, {"role", p.role}});
  return a;
}

Error listing_closed(const store::ListingRecord& l) {
  if (l.status == store::ListingStatus::kCancelled) {
    return Error::conflict("listing_not_active", "listing " + l.id + " was cancelled", "id");
  }
  return Error::conflict(
      "listing_not_active",
      "listing " + l.id + " is " + std::string(store::listing_status_name(l.status)), "id");
}

Result<store::ListingRecord> find_listing(store::LedgerStore& ledger_store, std::string_view id) {
  auto l = ledger_store.listing(id);
  if (!l) return fail(l.error());
  if (!*l) return fail(Error::not_found("unknown_listing", "no listing " + std::string(id), "id"));
  return **l;
}

Market::Market(store::Store& store, store::LedgerStore& ledger_store, ledger::Ledger& ledger,
               const Clock& clock, Feeds* feeds)
    : store_(store), ledger_store_(ledger_store), ledger_(ledger), clock_(clock), feeds_(feeds) {}

Result<store::ListingRecord> Market::create_listing(
    const NewListing& r, const store::Respond<store::ListingRecord>* respond) {
  if (!ledger::find_currency(r.currency)) {
    return fail(Error::invalid("unknown_currency", "currency must be ETH (wei) or USD (cents)",
                               "currency"));
  }
  if (r.quantity.is_zero())
    return fail(Error::invalid("invalid_quantity", "quantity must be positive", "quantity"));
  if (r.platform_fee_bps < 0 || r.platform_fee_bps > 10'000) {
    return fail(
        Error::invalid("invalid_fee_bps", "platform_fee_bps must be 0..10000", "platform_fee_bps"));
  }
  const std::int64_t now = clock_.now_ms();
  const std::int64_t starts = r.starts_ms == 0 ? now : r.starts_ms;
  if (r.starts_ms < 0)
    return fail(Error::invalid("invalid_window", "starts_ms must not be negative", "starts_ms"));
  if (r.ends_ms < 0 || (r.ends_ms != 0 && r.ends_ms <= starts)) {
    return fail(Error::invalid("invalid_window", "ends_ms must be after starts_ms", "ends_ms"));
  }
  const std::optional<store::ListingKind> kind = store::parse_listing_kind(r.kind);
  auto terms = internal::terms_json(r, kind);
  if (!terms) return fail(terms.error());
  ATELIER_ASSERT(kind.has_value(), "terms_json refuses an unknown kind");
  auto held = ledger_.balance_of(CollectionId(r.collection), AccountId(r.seller), r.token_id);
  if (!held) return fail(held.error());
  if (*held < r.quantity) {
    return fail(Error::invalid("not_token_holder",
                               r.seller + " holds " + held->to_decimal() + " of token " +
                                   r.token_id.to_decimal() + ", not " + r.quantity.to_decimal(),
                               "quantity"));
  }
  ATELIER_TRY(ledger_.ensure_system_accounts());
  store::ListingRecord l{r.id.empty() ? "lst_" + random_hex(8) : r.id,
                         *kind,
                         r.collection,
                         r.token_id,
                         r.seller,
                         r.currency,
                         r.quantity,
                         U256(0),
                         store::ListingStatus::kActive,
                         *terms,
                         r.platform_fee_bps,
                         starts,
                         r.ends_ms,
                         now};
  store::LedgerChange change;
  change.time_ms = now;
  change.listings.new_listings.push_back(l);
  if (internal::is_english(l)) {
    // The token waits in escrow, so the seller cannot sell it twice while bids come in.
    change.ledger.moves.push_back(
        {l.collection_id, l.token_id, l.seller, std::string(ledger::kEscrowAccount), l.quantity});
    // A failed read is the listing's error: swallowed, an ERC-721's approval would survive
    // into escrow (the "create listing" case of tests/ledger/fault_loop_test.cc).
    auto collection = ledger_store_.collection(l.collection_id);
    if (!collection) return fail(collection.error());
    if (*collection && (*collection)->standard == "erc721") {
      change.ledger.approvals.push_back({l.collection_id, l.token_id, ""});
    }
  }
  ATELIER_TRY_ASSIGN(auto subjects, listing_subjects(ledger_store_, l, {l.seller}));
  change.event = listing_event("listing", now,
                               {{"listing", l.id},
                                {"kind", store::listing_kind_name(l.kind)},
                                {"collection", l.collection_id},
                                {"token_id", l.token_id.to_decimal()},
                                {"seller", l.seller},
                                {"currency", l.currency},
                                {"terms", nlohmann::json::parse(l.terms)},
                                {"quantity", l.quantity.to_decimal()},
                                {"platform_fee_bps", l.platform_fee_bps},
                                {"starts_ms", l.starts_ms},
                                {"ends_ms", l.ends_ms}},
                               std::move(subjects));
  change.completion =
      store::complete_with(respond, [&l](const store::LedgerReceipt&) { return l; });
  auto applied = ledger_store_.apply_ledger_change(change);
  if (!applied) {
    if (applied.error().code == "ledger_conflict") {
      return fail(
          Error::invalid("not_token_holder", r.seller + " no longer holds the token", "quantity"));
    }
    return fail(applied.error());
  }
  return l;
}

Result<ListingView> Market::listing(std::string_view id) {
  auto l = ledger_store_.listing(id);
  if (!l) return fail(l.error());
  if (!*l) return fail(Error::not_found("unknown_listing", "no listing " + std::string(id), "id"));
  return view_of(**l, clock_.now_ms());
}

Result<ListingView> Market::view(const store::ListingRecord& l) {
  return view_of(l, clock_.now_ms());
}

Result<ListingView> Market::view_of(const store::ListingRecord& l, std::int64_t now) {
  auto terms = parse_terms(l);
  if (!terms) return fail(terms.error());
  ListingView v{l, U256(), std::nullopt, false};
  const bool ended = l.ends_ms != 0 && now >= l.ends_ms;
  v.open = l.status == store::ListingStatus::kActive && now >= l.starts_ms && !ended;
  if (internal::is_english(l)) {
    v.price = internal::min_next_bid(l, *terms);
    if (l.status == store::ListingStatus::kActive && now < l.starts_ms)
      v.next_change_ms = l.starts_ms;
    return v;
  }
  const std::int64_t at = std::max(now, l.starts_ms);
  auto position = rarity_position(l, terms->rules && !terms->rules->rarity_tiers.empty());
  if (!position) return fail(position.error());
  if (auto p = internal::total_price(l, *terms, at, U256(1), *position); p)
    v.price = *p;
  else
    v.open = false;  // Nothing to buy at any price now (e.g. not emitted yet, or sold out).
  if (l.status != store::ListingStatus::kActive || ended || !terms->model) return v;
  if (now < l.starts_ms) {
    v.next_change_ms = l.starts_ms;
    return v;
  }
  // Prices follow whole seconds since the start. Dutch prices stop at their resting price.
  const std::uint64_t elapsed = internal::elapsed_s(l, now);
  if (const auto* d = std::get_if<DutchLinear>(&*terms->model); d && elapsed >= d->duration_s)
    return v;
  if (const auto* d = std::get_if<DutchExponential>(&*terms->model);
      d && v.price == d->end_price_wei)
    return v;
  const std::int64_t next = l.starts_ms + static_cast<std::int64_t>(elapsed + 1) * 1000;
  if (l.ends_ms == 0 || next < l.ends_ms) v.next_change_ms = next;
  return v;
}

Result<store::ListingRecord> Market::cancel(const ListingId& listing_id, const AccountId& caller,
                                            bool admin,
                                            const store::Respond<store::ListingRecord>* respond) {
  for (int attempt = 0;; ++attempt) {
    auto found = ledger_store_.listing(listing_id.view());
    if (!found) return fail(found.error());
    if (!*found)
      return fail(Error::not_found("unknown_listing", "no listing " + listing_id.str(), "id"));
    store::ListingRecord l = **found;
    if (!admin && caller.view() != l.seller) {
      return fail(Error{ErrorKind::kForbidden, "not_your_listing",
                        "listing " + l.id + " belongs to " + l.seller + ", not " + caller.str(),
                        "id"});
    }
    if (l.status != store::ListingStatus::kActive) return fail(listing_closed(l));
    auto terms = parse_terms(l);
    if (!terms) return fail(terms.error());
    if (internal::is_english(l) && l.bid_count > 0) {
      return fail(Error::conflict("auction_has_bids",
                                  "listing " + l.id + " has bids: it can only be settled", "id"));
    }
    if (terms->clearing && !l.sold.is_zero()) {
      return fail(Error::conflict("auction_has_sales",
                                  "listing " + l.id + " has sales: it can only be settled", "id"));
    }
    const std::int64_t now = clock_.now_ms();
    store::LedgerChange change;
    change.time_ms = now;
    const std::string outcome =
        nlohmann::json{{"cancelled_by", caller.view()}, {"time_ms", now}}.dump();
    change.listings.transitions.push_back({.id = l.id,
                                           .from_status = store::ListingStatus::kActive,
                                           .expected_bid_count = l.bid_count,
                                           .expected_sold = l.sold,
                                           .to_status = store::ListingStatus::kCancelled,
                                           .outcome = outcome});
    if (internal::is_english(l)) {
      change.ledger.moves.push_back(
          {l.collection_id, l.token_id, std::string(ledger::kEscrowAccount), l.seller, l.quantity});
    }
    ATELIER_TRY_ASSIGN(auto subjects, listing_subjects(ledger_store_, l, {l.seller}));
    change.event =
        listing_event("listing.cancelled", now,
                      {{"listing", l.id}, {"cancelled_by", caller.view()}}, std::move(subjects));
    store::ListingRecord cancelled = l;
    cancelled.status = store::ListingStatus::kCancelled;
    cancelled.outcome = outcome;
    change.completion = store::complete_with(
        respond, [&cancelled](const store::LedgerReceipt&) { return cancelled; });
    auto applied = ledger_store_.apply_ledger_change(change);
    if (!applied) {
      if (applied.error().code == "listing_changed" && attempt + 1 < kCancelAttemptsMax) continue;
      return fail(applied.error());
    }
    return cancelled;
  }
}

Result<std::vector<store::BidRecord>> Market::bids(std::string_view listing_id) {
  auto l = ledger_store_.listing(listing_id);
  if (!l) return fail(l.error());
  if (!*l)
    return fail(Error::not_found("unknown_listing", "no listing " + std::string(listing_id), "id"));
  return ledger_store_.bids(listing_id);
}

Result<store::Page<store::BidRecord>> Market::bids(std::string_view listing_id,
                                                   const store::PageRequest& page) {
  auto l = ledger_store_.listing(listing_id);
  if (!l) return fail(l.error());
  if (!*l)
    return fail(Error::not_found("unknown_listing", "no listing " + std::string(listing_id), "id"));
  return ledger_store_.bids(listing_id, page);
}

std::string listing_json(const ListingView& v) {
  const auto& l = v.listing;
  nlohmann::json j = {{"id", l.id},
                      {"kind", store::listing_kind_name(l.kind)},
                      {"collection", l.collection_id},
                      {"token_id", l.token_id.to_decimal()},
                      {"seller", l.seller},
                      {"currency", l.currency},
                      {"quantity", l.quantity.to_decimal()},
                      {"sold", l.sold.to_decimal()},
                      {"status", store::listing_status_name(l.status)},
                      {"price", v.price.to_decimal()},
                      {"next_change_ms", v.next_change_ms ? nlohmann::json(*v.next_change_ms)
                                                          : nlohmann::json(nullptr)},
                      {"open", v.open},
                      {"platform_fee_bps", l.platform_fee_bps},
                      {"starts_ms", l.starts_ms},
                      {"ends_ms", l.ends_ms},
                      {"terms", nlohmann::json::parse(l.terms, nullptr, false)}};
  if (internal::is_english(l)) {
    j["auction"] = {
        {"high_bid", l.high_bid.to_decimal()},
        {"high_bidder", l.bid_count == 0 ? nlohmann::json(nullptr) : nlohmann::json(l.high_bidder)},
        {"bid_count", l.bid_count},
        {"min_next_bid", v.price.to_decimal()}};
  }
  if (!l.outcome.empty()) j["outcome"] = nlohmann::json::parse(l.outcome, nullptr, false);
  return j.dump();
}

}  // namespace atelier::market
