#include "market/listings.h"

#include <nlohmann/json.hpp>

#include "core/canonical_json.h"
#include "core/event.h"
#include "core/random_id.h"

namespace atelier::market {

namespace {

// Racing buyers retry a purchase decided on a stale read at most this often.
constexpr int kPurchaseAttemptsMax = 16;

store::LogEvent event(std::string_view type, std::int64_t time_ms, nlohmann::json fields,
                      std::vector<std::string> subjects) {
  return {event_entry(type, time_ms, std::move(fields)), std::move(subjects)};
}

U256 price_of(const store::ListingRecord& l) {
  auto terms = nlohmann::json::parse(l.terms, nullptr, false);
  return U256::from_decimal(terms.is_object() ? terms.value("price", "0") : "0").value_or(U256());
}

}  // namespace

Market::Market(store::Store& store, store::LedgerStore& ledger_store, ledger::Ledger& ledger, const Clock& clock)
    : store_(store), ledger_store_(ledger_store), ledger_(ledger), clock_(clock) {}

Result<store::ListingRecord> Market::create_listing(const NewListing& r) {
  if (!ledger::find_currency(r.currency)) {
    return fail(Error::invalid("unknown_currency", "currency must be ETH (wei) or USD (cents)", "currency"));
  }
  if (r.price.is_zero()) return fail(Error::invalid("invalid_price", "price must be positive (minor units)", "price"));
  if (r.quantity.is_zero()) return fail(Error::invalid("invalid_quantity", "quantity must be positive", "quantity"));
  if (r.platform_fee_bps < 0 || r.platform_fee_bps > 10'000) {
    return fail(Error::invalid("invalid_fee_bps", "platform_fee_bps must be 0..10000", "platform_fee_bps"));
  }
  const std::int64_t now = clock_.now_ms();
  const std::int64_t starts = r.starts_ms == 0 ? now : r.starts_ms;
  if (r.ends_ms != 0 && r.ends_ms <= starts) {
    return fail(Error::invalid("invalid_window", "ends_ms must be after starts_ms", "ends_ms"));
  }
  if (!checked_mul(r.price, r.quantity)) {
    return fail(Error::invalid("invalid_price", "price × quantity overflows 256 bits", "price"));
  }
  auto held = ledger_.balance_of(r.collection, r.seller, r.token_id);
  if (!held) return fail(held.error());
  if (*held < r.quantity) {
    return fail(Error::invalid("not_token_holder", r.seller + " holds " + held->to_decimal() + " of token " +
                                                       r.token_id.to_decimal() + ", not " + r.quantity.to_decimal(),
                               "quantity"));
  }
  store::ListingRecord l{r.id.empty() ? "lst_" + random_hex(8) : r.id,
                         "fixed",
                         r.collection,
                         r.token_id,
                         r.seller,
                         r.currency,
                         r.quantity,
                         U256(0),
                         "active",
                         nlohmann::json{{"price", r.price.to_decimal()}}.dump(),
                         r.platform_fee_bps,
                         starts,
                         r.ends_ms,
                         now};
  store::LedgerChange change;
  change.new_listings.push_back(l);
  change.event = event("listing", now,
                       {{"listing", l.id}, {"kind", l.kind}, {"collection", l.collection_id},
                        {"token_id", l.token_id.to_decimal()}, {"seller", l.seller}, {"currency", l.currency},
                        {"price", r.price.to_decimal()}, {"quantity", l.quantity.to_decimal()},
                        {"platform_fee_bps", l.platform_fee_bps}, {"starts_ms", l.starts_ms}, {"ends_ms", l.ends_ms}},
                       {"listing:" + l.id, ledger::token_subject(l.collection_id, l.token_id), "account:" + l.seller});
  ATELIER_TRY(ledger_store_.apply_ledger_change(change));
  return l;
}

Result<ListingView> Market::listing(std::string_view id) {
  auto l = ledger_store_.listing(id);
  if (!l) return fail(l.error());
  if (!*l) return fail(Error::not_found("unknown_listing", "no listing " + std::string(id), "id"));
  return ListingView{**l, price_of(**l), std::nullopt};
}

Result<Sale> Market::purchase(std::string_view listing_id, std::string_view buyer, const U256& quantity,
                              const std::optional<U256>& max_total) {
  if (quantity.is_zero()) return fail(Error::invalid("invalid_quantity", "quantity must be positive", "quantity"));
  if (buyer.empty()) return fail(Error::invalid("missing_buyer", "a purchase needs a buyer account", "buyer"));
  for (int attempt = 0;; ++attempt) {
    auto view = listing(listing_id);
    if (!view) return fail(view.error());
    const store::ListingRecord& l = view->listing;
    const std::int64_t now = clock_.now_ms();
    if (l.status == "cancelled") return fail(Error::conflict("listing_not_active", "listing " + l.id + " was cancelled", "id"));
    if (now < l.starts_ms) return fail(Error::conflict("listing_not_started", "listing " + l.id + " opens at " + std::to_string(l.starts_ms), "id"));
    if (l.ends_ms != 0 && now >= l.ends_ms) return fail(Error::conflict("listing_ended", "listing " + l.id + " has ended", "id"));
    const U256 left = *checked_sub(l.quantity, l.sold);
    if (left.is_zero() || l.status == "sold_out") {
      return fail(Error::conflict("sold_out", "listing " + l.id + " is sold out", "id"));
    }
    if (quantity > left) {
      return fail(Error::conflict("sold_out", "listing " + l.id + " has " + left.to_decimal() + " left", "quantity"));
    }
    auto total = checked_mul(view->price, quantity);
    if (!total) return fail(Error::invalid("invalid_quantity", "price × quantity overflows", "quantity"));
    if (max_total && *total > *max_total) {
      return fail(Error::conflict("price_above_limit", "the total " + total->to_decimal() + " exceeds max_total " +
                                                           max_total->to_decimal(), "max_total"));
    }
    auto collection = ledger_store_.collection(l.collection_id);
    if (!collection) return fail(collection.error());
    if (!*collection) return fail(Error::internal("listing_collection_missing", "listing " + l.id + " has no collection"));
    auto payouts = ledger::sale_payouts(**collection, l.seller, *total, l.platform_fee_bps);
    if (!payouts) return fail(payouts.error());

    store::LedgerChange change;
    change.postings.push_back({std::string(buyer), l.currency, *total, false});
    nlohmann::json paid = nlohmann::json::array();
    for (const auto& p : *payouts) {
      change.postings.push_back({p.account, l.currency, p.amount, true});
      paid.push_back({{"account", p.account}, {"amount", p.amount.to_decimal()}, {"role", p.role}});
    }
    change.moves.push_back({l.collection_id, l.token_id, l.seller, std::string(buyer), quantity});
    change.listing_updates.push_back({l.id, quantity});  // Fixed price: the count is checked at commit.
    std::vector<std::string> subjects = {"listing:" + l.id, ledger::token_subject(l.collection_id, l.token_id),
                                         "account:" + std::string(buyer), "account:" + l.seller};
    if (auto t = ledger_store_.token(l.collection_id, l.token_id); t && *t) subjects.push_back("asset:" + (*t)->asset_sha256);
    change.event = event("sale", now,
                         {{"listing", l.id}, {"collection", l.collection_id}, {"token_id", l.token_id.to_decimal()},
                          {"seller", l.seller}, {"buyer", buyer}, {"quantity", quantity.to_decimal()},
                          {"currency", l.currency}, {"total", total->to_decimal()}, {"payouts", paid}},
                         std::move(subjects));
    auto applied = ledger_store_.apply_ledger_change(change);
    if (applied) {
      return Sale{l.id, std::string(buyer), quantity, *total, std::move(*payouts), applied->log_index};
    }
    const std::string& code = applied.error().code;
    if (code == "listing_changed" && attempt + 1 < kPurchaseAttemptsMax) continue;  // Someone bought first.
    if (code == "ledger_conflict") {
      return fail(Error::conflict("listing_unavailable", "the seller no longer holds the listed token", "id"));
    }
    return fail(applied.error());
  }
}

std::string listing_json(const ListingView& v) {
  const auto& l = v.listing;
  return nlohmann::json{{"id", l.id},
                        {"kind", l.kind},
                        {"collection", l.collection_id},
                        {"token_id", l.token_id.to_decimal()},
                        {"seller", l.seller},
                        {"currency", l.currency},
                        {"quantity", l.quantity.to_decimal()},
                        {"sold", l.sold.to_decimal()},
                        {"status", l.status},
                        {"price", v.price.to_decimal()},
                        {"next_change_ms", v.next_change_ms ? nlohmann::json(*v.next_change_ms) : nlohmann::json(nullptr)},
                        {"platform_fee_bps", l.platform_fee_bps},
                        {"starts_ms", l.starts_ms},
                        {"ends_ms", l.ends_ms}}
      .dump();
}

std::string sale_json(const Sale& s) {
  nlohmann::json payouts = nlohmann::json::array();
  for (const auto& p : s.payouts) payouts.push_back({{"account", p.account}, {"amount", p.amount.to_decimal()}, {"role", p.role}});
  return nlohmann::json{{"listing", s.listing_id}, {"buyer", s.buyer}, {"quantity", s.quantity.to_decimal()},
                        {"total", s.total.to_decimal()}, {"payouts", payouts}, {"log_index", s.log_index}}
      .dump();
}

}  // namespace atelier::market
