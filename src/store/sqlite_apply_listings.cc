// Where listings change: a LedgerChange's ListingChanges — units sold, auction transitions (bids,
// extensions, closing, settling, cancelling), new listings, and the bids and sales history rows
// (ledger_apply.h). The checks here are what keeps two racing buyers from both winning.
#include "core/assert.h"
#include "store/internal/ledger_apply.h"
#include "store/internal/ledger_rows.h"

namespace atelier::store::internal {

namespace {

struct ListingState {
  U256 quantity;
  U256 sold;
  ListingStatus status = ListingStatus::kActive;
  std::uint64_t bid_count = 0;
};

Result<ListingState> read_state(StmtCache& stmts, const std::string& id) {
  Stmt& q = stmts.get("SELECT quantity, sold, status, bid_count FROM listings WHERE id = ?1");
  ScopedReset q_done(q);
  q.bind(1, id);
  ATELIER_TRY_ASSIGN(const bool found, q.next("reading listing"));
  if (!found) return fail(Error::not_found("unknown_listing", "no listing " + id, "id"));
  Row row(q, "listings", id);
  ListingState s{row.u256(0, "quantity"), row.u256(1, "sold"), listing_status_at(row, 2),
                 row.count(3, "bid_count")};
  if (s.sold > s.quantity) row.bad("sold", "more sold (" + s.sold.to_decimal() + ") than listed");
  ATELIER_TRY(row.status());
  return s;
}

}  // namespace

Result<void> ListingApply::updates() {
  for (const auto& u : listings_.updates) {
    ATELIER_TRY_ASSIGN(const ListingState s, read_state(stmts_, u.id));
    if (u.expected_sold && *u.expected_sold != s.sold) {
      return fail(conflict("listing_changed",
                           "listing " + u.id + " changed while this request was decided", "id"));
    }
    if (is_closed(s.status))
      return fail(conflict("listing_not_active",
                           "listing " + u.id + " is " + std::string(listing_status_name(s.status)),
                           "id"));
    auto next = checked_add(s.sold, u.add_sold);
    if (!next || *next > s.quantity) {
      const U256 left =
          ATELIER_VALUE(checked_sub(s.quantity, s.sold), "read_state checks sold ≤ quantity");
      return fail(conflict("sold_out", "listing " + u.id + " has " + left.to_decimal() + " left",
                           "quantity"));
    }
    Stmt& up = stmts_.get("UPDATE listings SET sold = ?2, status = ?3 WHERE id = ?1");
    up.bind(1, u.id)
        .bind_blob(2, be(*next))
        .bind(3, listing_status_name(*next == s.quantity ? ListingStatus::kSoldOut
                                                         : ListingStatus::kActive));
    ATELIER_TRY(up.run("updating listing"));
  }
  return {};
}

Result<void> ListingApply::transitions() {
  for (const auto& t : listings_.transitions) {
    ATELIER_TRY_ASSIGN(const ListingState s, read_state(stmts_, t.id));
    if (s.status != t.from_status ||
        (t.expected_bid_count && *t.expected_bid_count != s.bid_count) ||
        (t.expected_sold && *t.expected_sold != s.sold)) {
      if (s.status == ListingStatus::kCancelled) {
        return fail(conflict("listing_not_active", "listing " + t.id + " was cancelled", "id"));
      }
      return fail(conflict("listing_changed",
                           "listing " + t.id + " changed while this request was decided", "id"));
    }
    if (t.bid) {
      new_bids_.push_back({t.id, s.bid_count, t.bid->bidder, t.bid->amount, time_ms_, 0});
      Stmt& up = stmts_.get(
          "UPDATE listings SET high_bidder = ?2, high_bid = ?3, bid_count = bid_count + 1 WHERE id "
          "= ?1");
      up.bind(1, t.id).bind(2, t.bid->bidder).bind_blob(3, be(t.bid->amount));
      ATELIER_TRY(up.run("updating listing"));
    }
    if (t.ends_ms) {
      Stmt& up = stmts_.get("UPDATE listings SET ends_ms = ?2 WHERE id = ?1");
      up.bind(1, t.id).bind(2, *t.ends_ms);
      ATELIER_TRY(up.run("updating listing"));
    }
    if (t.to_status) {
      Stmt& up = stmts_.get("UPDATE listings SET status = ?2, outcome = ?3 WHERE id = ?1");
      up.bind(1, t.id).bind(2, listing_status_name(*t.to_status)).bind(3, t.outcome);
      ATELIER_TRY(up.run("updating listing"));
    }
    if (t.sold) {
      ATELIER_ASSERT(*t.sold <= s.quantity, "listing " + t.id + " would record " +
                                                t.sold->to_decimal() + " sold of " +
                                                s.quantity.to_decimal());
      Stmt& up = stmts_.get("UPDATE listings SET sold = ?2 WHERE id = ?1");
      up.bind(1, t.id).bind_blob(2, be(*t.sold));
      ATELIER_TRY(up.run("updating listing"));
    }
  }
  return {};
}

Result<void> ListingApply::new_listings() {
  for (const auto& l : listings_.new_listings) {
    ATELIER_TRY(require_account(stmts_, l.seller, "seller"));
    ATELIER_ASSERT(l.sold <= l.quantity, "a new listing " + l.id + " has more sold than listed");
    Stmt& ins = stmts_.get("INSERT INTO listings (" + std::string(kListingColumns) +
                           ") VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14) "
                           "ON CONFLICT (id) DO NOTHING");
    ins.bind(1, l.id)
        .bind(2, listing_kind_name(l.kind))
        .bind(3, l.collection_id)
        .bind_blob(4, be(l.token_id))
        .bind(5, l.seller);
    ins.bind(6, l.currency)
        .bind_blob(7, be(l.quantity))
        .bind_blob(8, be(l.sold))
        .bind(9, listing_status_name(l.status));
    ins.bind(10, l.terms).bind(11, l.platform_fee_bps).bind(12, l.starts_ms).bind(13, l.ends_ms);
    ins.bind(14, l.created_ms);
    ATELIER_TRY(ins.run("inserting listing"));
    if (sqlite3_changes(db_) == 0) {
      return fail(conflict("listing_exists", "listing " + l.id + " already exists", "id"));
    }
  }
  return {};
}

// History rows last: the accounts they name were checked above, with clear errors.
Result<void> ListingApply::history(std::uint64_t log_index) {
  for (const auto& b : new_bids_) {
    Stmt& ins = stmts_.get(
        "INSERT INTO bids (listing_id, seq, bidder, amount, time_ms, log_index) VALUES (?1, ?2, "
        "?3, ?4, ?5, ?6)");
    ins.bind(1, b.listing_id).bind(2, static_cast<std::int64_t>(b.seq)).bind(3, b.bidder);
    ins.bind_blob(4, be(b.amount)).bind(5, b.time_ms).bind(6, static_cast<std::int64_t>(log_index));
    ATELIER_TRY(ins.run("inserting bid"));
  }
  for (const auto& sale : listings_.sales) {
    Stmt& ins = stmts_.get(
        "INSERT INTO sales (listing_id, seq, buyer, quantity, unit_price, total, time_ms, "
        "log_index) "
        "VALUES (?1, (SELECT COALESCE(MAX(seq) + 1, 0) FROM sales WHERE listing_id = ?1), ?2, ?3, "
        "?4, ?5, ?6, ?7)");
    ins.bind(1, sale.listing_id).bind(2, sale.buyer).bind_blob(3, be(sale.quantity));
    ins.bind_blob(4, be(sale.unit_price)).bind_blob(5, be(sale.total)).bind(6, time_ms_);
    ins.bind(7, static_cast<std::int64_t>(log_index));
    ATELIER_TRY(ins.run("inserting sale"));
  }
  return {};
}

}  // namespace atelier::store::internal
