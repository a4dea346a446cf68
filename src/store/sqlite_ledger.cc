// SqliteStore's ledger (ledger_store.h): applying a LedgerChange under its invariants, reads,
// and the whole-ledger check.
#include <sqlite3.h>

#include <algorithm>
#include <cassert>
#include <charconv>
#include <cstring>
#include <map>
#include <nlohmann/json.hpp>
#include <set>

#include "store/internal/sqlite_oracle.h"
#include "store/internal/sqlite_txn.h"

namespace atelier::store {

using internal::db_error;
using internal::Stmt;

namespace {

std::array<std::uint8_t, 32> be(const U256& v) { return v.to_be_bytes(); }

U256 u256_at(const Stmt& s, int col) {
  auto b = s.blob(col);
  std::array<std::uint8_t, 32> bytes{};
  if (b.size() == 32) std::memcpy(bytes.data(), b.data(), 32);
  return U256::from_be_bytes(bytes);
}

// A signed amount for balance arithmetic: magnitude and sign.
struct Signed {
  U256 amount;
  bool negative = false;
};

// a + (credit ? +x : -x); nullopt on 256-bit overflow.
std::optional<Signed> apply(const Signed& a, const U256& x, bool credit) {
  bool x_negative = !credit;
  if (a.negative == x_negative) {
    auto sum = checked_add(a.amount, x);
    if (!sum) return std::nullopt;
    return Signed{*sum, a.negative && !sum->is_zero()};
  }
  if (a.amount >= x) {
    U256 d = *checked_sub(a.amount, x);
    return Signed{d, a.negative && !d.is_zero()};
  }
  return Signed{*checked_sub(x, a.amount), x_negative};
}

Error conflict(std::string code, std::string message, std::string field = {}) {
  return Error::conflict(std::move(code), std::move(message), std::move(field));
}

std::string token_name(std::string_view collection, const U256& id) {
  return std::string(collection) + "#" + id.to_decimal();
}

constexpr std::string_view kCollectionColumns =
    "id, standard, name, description, image, external_url, creator_account, generator_name, max_supply, "
    "royalty_bps, royalty_receiver, created_ms, primary_splits, royalty_splits";

std::string splits_json(const std::vector<Split>& splits) {
  nlohmann::json a = nlohmann::json::array();
  for (const auto& s : splits) a.push_back({{"account", s.account}, {"bps", s.bps}});
  return a.dump();
}

std::vector<Split> splits_from(const std::string& text) {
  std::vector<Split> out;
  auto a = nlohmann::json::parse(text, nullptr, false);
  if (!a.is_array()) return out;
  for (const auto& s : a) {
    if (s.is_object()) out.push_back({s.value("account", ""), s.value("bps", std::int64_t{0})});
  }
  return out;
}

CollectionRecord read_collection(const Stmt& s) {
  CollectionRecord c{s.text(0), s.text(1), s.text(2), s.text(3), s.text(4), s.text(5), s.text(6), s.text(7),
                     u256_at(s, 8), s.int64(9), s.text(10), s.int64(11)};
  c.primary_splits = splits_from(s.text(12));
  c.royalty_splits = splits_from(s.text(13));
  return c;
}

constexpr std::string_view kTokenColumns =
    "collection_id, token_id, recipe_id, asset_sha256, token_hash, supply, max_supply, created_ms";

TokenRecord read_token(const Stmt& s) {
  return {s.text(0), u256_at(s, 1), s.text(2), s.text(3), s.text(4), u256_at(s, 5), u256_at(s, 6), s.int64(7)};
}

// The columns a new listing is inserted with; a read adds the auction state after them.
constexpr std::string_view kListingColumns =
    "id, kind, collection_id, token_id, seller, currency, quantity, sold, status, terms, platform_fee_bps, "
    "starts_ms, ends_ms, created_ms";
constexpr std::string_view kListingReadColumns =
    "id, kind, collection_id, token_id, seller, currency, quantity, sold, status, terms, platform_fee_bps, "
    "starts_ms, ends_ms, created_ms, high_bidder, high_bid, bid_count, outcome";

ListingRecord read_listing(const Stmt& s) {
  ListingRecord l{s.text(0), s.text(1), s.text(2), u256_at(s, 3), s.text(4), s.text(5), u256_at(s, 6), u256_at(s, 7),
                  s.text(8), s.text(9), s.int64(10), s.int64(11), s.int64(12), s.int64(13)};
  l.high_bidder = s.text(14);
  l.high_bid = u256_at(s, 15);
  l.bid_count = static_cast<std::uint64_t>(s.int64(16));
  l.outcome = s.text(17);
  return l;
}

bool closed(std::string_view status) { return status == "cancelled" || status == "ended" || status == "settled"; }

}  // namespace

Result<LedgerReceipt> SqliteStore::apply_ledger_change(const LedgerChange& change) {
  // Postings must balance per currency before anything is touched.
  std::map<std::string, std::pair<U256, U256>> sums;  // currency -> (credits, debits)
  for (const auto& p : change.postings) {
    auto& [credits, debits] = sums[p.currency];
    auto& side = p.credit ? credits : debits;
    auto next = checked_add(side, p.amount);
    if (!next) return fail(Error::invalid("amount_overflow", "postings in " + p.currency + " overflow 256 bits", "amount"));
    side = *next;
  }
  for (const auto& [currency, s] : sums) {
    if (s.first != s.second) {
      return fail(Error::internal("ledger_unbalanced", "postings in " + currency + " do not sum to zero: credits " +
                                                           s.first.to_decimal() + ", debits " + s.second.to_decimal()));
    }
  }

  return write<LedgerReceipt>([&](Txn& txn) -> Result<LedgerReceipt> {
    sqlite3* db = txn.db();
    auto account_exists = [&](const std::string& id) -> Result<bool> {
      Stmt& q = txn.stmts().get("SELECT 1 FROM accounts WHERE id = ?1");
      q.bind(1, id);
      int rc = q.step();
      q.reset();
      if (rc != SQLITE_ROW && rc != SQLITE_DONE) return fail(db_error(db, "reading account"));
      return rc == SQLITE_ROW;
    };
    auto require_account = [&](const std::string& id, const char* field) -> Result<void> {
      auto ok = account_exists(id);
      if (!ok) return fail(ok.error());
      if (!*ok) return fail(Error::not_found("unknown_account", "no account " + id, field));
      return {};
    };

    for (const auto& a : change.new_accounts) {
      Stmt& ins = txn.stmts().get(
          "INSERT INTO accounts (id, kind, name, allow_negative, created_ms) VALUES (?1, ?2, ?3, ?4, ?5) "
          "ON CONFLICT (id) DO NOTHING");
      ins.bind(1, a.id).bind(2, a.kind).bind(3, a.name).bind(4, a.allow_negative ? 1 : 0).bind(5, a.created_ms);
      if (ins.step() != SQLITE_DONE) return fail(db_error(db, "inserting account"));
      if (sqlite3_changes(db) == 0) return fail(conflict("account_exists", "account " + a.id + " already exists", "id"));
    }
    for (const auto& c : change.new_collections) {
      ATELIER_TRY(require_account(c.creator_account, "creator"));
      if (!c.royalty_receiver.empty()) ATELIER_TRY(require_account(c.royalty_receiver, "royalty_receiver"));
      Stmt& ins = txn.stmts().get("INSERT INTO collections (" + std::string(kCollectionColumns) +
                                  ") VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14) "
                                  "ON CONFLICT (id) DO NOTHING");
      ins.bind(1, c.id).bind(2, c.standard).bind(3, c.name).bind(4, c.description).bind(5, c.image);
      ins.bind(6, c.external_url).bind(7, c.creator_account).bind(8, c.generator_name).bind_blob(9, be(c.max_supply));
      ins.bind(10, c.royalty_bps).bind(11, c.royalty_receiver).bind(12, c.created_ms);
      ins.bind(13, splits_json(c.primary_splits)).bind(14, splits_json(c.royalty_splits));
      if (ins.step() != SQLITE_DONE) return fail(db_error(db, "inserting collection"));
      if (sqlite3_changes(db) == 0) {
        return fail(conflict("collection_exists", "collection " + c.id + " already exists", "id"));
      }
    }
    std::map<std::string, std::uint64_t> minted_per_collection;
    for (const auto& t : change.new_tokens) {
      Stmt& col = txn.stmts().get("SELECT max_supply FROM collections WHERE id = ?1");
      col.bind(1, t.collection_id);
      int rc = col.step();
      if (rc != SQLITE_ROW) {
        col.reset();
        if (rc == SQLITE_DONE) {
          return fail(Error::not_found("unknown_collection", "no collection " + t.collection_id, "collection"));
        }
        return fail(db_error(db, "reading collection"));
      }
      U256 cap = u256_at(col, 0);
      col.reset();
      Stmt& ins = txn.stmts().get("INSERT INTO tokens (" + std::string(kTokenColumns) +
                                  ") VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8) "
                                  "ON CONFLICT (collection_id, token_id) DO NOTHING");
      ins.bind(1, t.collection_id).bind_blob(2, be(t.token_id)).bind(3, t.recipe_id).bind(4, t.asset_sha256);
      ins.bind(5, t.token_hash).bind_blob(6, be(U256(0))).bind_blob(7, be(t.max_supply)).bind(8, t.created_ms);
      if (ins.step() != SQLITE_DONE) return fail(db_error(db, "inserting token"));
      if (sqlite3_changes(db) == 0) {
        return fail(conflict("token_exists", "token " + token_name(t.collection_id, t.token_id) + " already exists",
                             "token_id"));
      }
      ++minted_per_collection[t.collection_id];
      if (!cap.is_zero()) {
        Stmt& n = txn.stmts().get("SELECT COUNT(*) FROM tokens WHERE collection_id = ?1");
        n.bind(1, t.collection_id);
        n.step();
        auto count = static_cast<std::uint64_t>(n.int64(0));
        n.reset();
        if (U256(count) > cap) {
          return fail(conflict("supply_exceeded", "collection " + t.collection_id + " is capped at " +
                                                      cap.to_decimal() + " tokens", "collection"));
        }
      }
    }

    // Listing updates first: a purchase of what is no longer there fails as "sold_out" (or
    // "listing_changed") before its token move could report the seller's shortfall.
    for (const auto& u : change.listing_updates) {
      Stmt& q = txn.stmts().get("SELECT quantity, sold, status FROM listings WHERE id = ?1");
      q.bind(1, u.id);
      int rc = q.step();
      if (rc != SQLITE_ROW) {
        q.reset();
        if (rc == SQLITE_DONE) return fail(Error::not_found("unknown_listing", "no listing " + u.id, "id"));
        return fail(db_error(db, "reading listing"));
      }
      const U256 quantity = u256_at(q, 0), sold = u256_at(q, 1);
      const std::string status = q.text(2);
      q.reset();
      if (u.expected_sold && *u.expected_sold != sold) {
        return fail(conflict("listing_changed", "listing " + u.id + " changed while this request was decided", "id"));
      }
      if (closed(status)) return fail(conflict("listing_not_active", "listing " + u.id + " is " + status, "id"));
      auto next = checked_add(sold, u.add_sold);
      if (!next || *next > quantity) {
        return fail(conflict("sold_out", "listing " + u.id + " has " + checked_sub(quantity, sold)->to_decimal() +
                                             " left", "quantity"));
      }
      Stmt& up = txn.stmts().get("UPDATE listings SET sold = ?2, status = ?3 WHERE id = ?1");
      up.bind(1, u.id).bind_blob(2, be(*next)).bind(3, *next == quantity ? "sold_out" : "active");
      if (up.step() != SQLITE_DONE) return fail(db_error(db, "updating listing"));
    }
    std::vector<BidRecord> new_bids;
    for (const auto& t : change.transitions) {
      Stmt& q = txn.stmts().get("SELECT status, bid_count, sold FROM listings WHERE id = ?1");
      q.bind(1, t.id);
      int rc = q.step();
      if (rc != SQLITE_ROW) {
        q.reset();
        if (rc == SQLITE_DONE) return fail(Error::not_found("unknown_listing", "no listing " + t.id, "id"));
        return fail(db_error(db, "reading listing"));
      }
      const std::string status = q.text(0);
      const auto bid_count = static_cast<std::uint64_t>(q.int64(1));
      const U256 sold = u256_at(q, 2);
      q.reset();
      if (status != t.from_status || (t.expected_bid_count && *t.expected_bid_count != bid_count) ||
          (t.expected_sold && *t.expected_sold != sold)) {
        if (status == "cancelled") return fail(conflict("listing_not_active", "listing " + t.id + " was cancelled", "id"));
        return fail(conflict("listing_changed", "listing " + t.id + " changed while this request was decided", "id"));
      }
      if (t.bid) {
        new_bids.push_back({t.id, bid_count, t.bid->bidder, t.bid->amount, change.time_ms, 0});
        Stmt& up = txn.stmts().get(
            "UPDATE listings SET high_bidder = ?2, high_bid = ?3, bid_count = bid_count + 1 WHERE id = ?1");
        up.bind(1, t.id).bind(2, t.bid->bidder).bind_blob(3, be(t.bid->amount));
        if (up.step() != SQLITE_DONE) return fail(db_error(db, "updating listing"));
      }
      if (t.ends_ms) {
        Stmt& up = txn.stmts().get("UPDATE listings SET ends_ms = ?2 WHERE id = ?1");
        up.bind(1, t.id).bind(2, *t.ends_ms);
        if (up.step() != SQLITE_DONE) return fail(db_error(db, "updating listing"));
      }
      if (!t.to_status.empty()) {
        Stmt& up = txn.stmts().get("UPDATE listings SET status = ?2, outcome = ?3 WHERE id = ?1");
        up.bind(1, t.id).bind(2, t.to_status).bind(3, t.outcome);
        if (up.step() != SQLITE_DONE) return fail(db_error(db, "updating listing"));
      }
      if (t.sold) {
        Stmt& up = txn.stmts().get("UPDATE listings SET sold = ?2 WHERE id = ?1");
        up.bind(1, t.id).bind_blob(2, be(*t.sold));
        if (up.step() != SQLITE_DONE) return fail(db_error(db, "updating listing"));
      }
    }
    auto index = txn.append(change.event);
    if (!index) return fail(index.error());
    for (const auto& p : change.postings) {
      Stmt& acc = txn.stmts().get("SELECT allow_negative FROM accounts WHERE id = ?1");
      acc.bind(1, p.account);
      int rc = acc.step();
      bool allow_negative = rc == SQLITE_ROW && acc.int64(0) != 0;
      acc.reset();
      if (rc == SQLITE_DONE) return fail(Error::not_found("unknown_account", "no account " + p.account, "account"));
      if (rc != SQLITE_ROW) return fail(db_error(db, "reading account"));
      Stmt& bal = txn.stmts().get("SELECT negative, amount FROM balances WHERE account = ?1 AND currency = ?2");
      bal.bind(1, p.account).bind(2, p.currency);
      Signed current;
      rc = bal.step();
      if (rc == SQLITE_ROW) current = {u256_at(bal, 1), bal.int64(0) != 0};
      bal.reset();
      if (rc != SQLITE_ROW && rc != SQLITE_DONE) return fail(db_error(db, "reading balance"));
      auto next = apply(current, p.amount, p.credit);
      if (!next) return fail(Error::invalid("amount_overflow", "the balance of " + p.account + " would overflow", "amount"));
      if (next->negative && !allow_negative) {
        return fail(conflict("insufficient_funds",
                             "account " + p.account + " holds " + (current.negative ? "-" : "") +
                                 current.amount.to_decimal() + " " + p.currency + ", less than " +
                                 p.amount.to_decimal(),
                             "amount"));
      }
      Stmt& up = txn.stmts().get(
          "INSERT INTO balances (account, currency, negative, amount) VALUES (?1, ?2, ?3, ?4) "
          "ON CONFLICT (account, currency) DO UPDATE SET negative = excluded.negative, amount = excluded.amount");
      up.bind(1, p.account).bind(2, p.currency).bind(3, next->negative ? 1 : 0).bind_blob(4, be(next->amount));
      if (up.step() != SQLITE_DONE) return fail(db_error(db, "writing balance"));
      Stmt& post = txn.stmts().get(
          "INSERT INTO postings (log_index, account, currency, credit, amount) VALUES (?1, ?2, ?3, ?4, ?5)");
      post.bind(1, static_cast<std::int64_t>(*index)).bind(2, p.account).bind(3, p.currency);
      post.bind(4, p.credit ? 1 : 0).bind_blob(5, be(p.amount));
      if (post.step() != SQLITE_DONE) return fail(db_error(db, "writing posting"));
    }

    for (const auto& m : change.moves) {
      Stmt& tq = txn.stmts().get("SELECT supply, max_supply FROM tokens WHERE collection_id = ?1 AND token_id = ?2");
      tq.bind(1, m.collection_id).bind_blob(2, be(m.token_id));
      int rc = tq.step();
      if (rc != SQLITE_ROW) {
        tq.reset();
        if (rc == SQLITE_DONE) {
          return fail(Error::not_found("unknown_token", "no token " + token_name(m.collection_id, m.token_id), "token_id"));
        }
        return fail(db_error(db, "reading token"));
      }
      U256 supply = u256_at(tq, 0), cap = u256_at(tq, 1);
      tq.reset();
      if (!m.from.empty()) {
        Stmt& h = txn.stmts().get(
            "SELECT amount FROM token_holdings WHERE collection_id = ?1 AND token_id = ?2 AND account = ?3");
        h.bind(1, m.collection_id).bind_blob(2, be(m.token_id)).bind(3, m.from);
        U256 held;
        if (h.step() == SQLITE_ROW) held = u256_at(h, 0);
        h.reset();
        auto left = checked_sub(held, m.amount);
        if (!left) {
          return fail(conflict("ledger_conflict",
                               m.from + " holds " + held.to_decimal() + " of " + token_name(m.collection_id, m.token_id) +
                                   ", not " + m.amount.to_decimal() + " (it moved first)",
                               "token_id"));
        }
        Stmt& w = left->is_zero()
                      ? txn.stmts().get("DELETE FROM token_holdings WHERE collection_id = ?1 AND token_id = ?2 AND account = ?3")
                      : txn.stmts().get("UPDATE token_holdings SET amount = ?4 WHERE collection_id = ?1 AND token_id = ?2 AND account = ?3");
        w.bind(1, m.collection_id).bind_blob(2, be(m.token_id)).bind(3, m.from);
        if (!left->is_zero()) w.bind_blob(4, be(*left));
        if (w.step() != SQLITE_DONE) return fail(db_error(db, "writing holding"));
      } else {
        auto more = checked_add(supply, m.amount);
        if (!more || (!cap.is_zero() && *more > cap)) {
          return fail(conflict("supply_exceeded", "token " + token_name(m.collection_id, m.token_id) +
                                                      " is capped at " + cap.to_decimal() + " units",
                               "amount"));
        }
        supply = *more;
      }
      if (!m.to.empty() && m.amount.is_zero()) {
        // A zero-unit ERC-1155 transfer (which OpenZeppelin allows) changes no holding: writing
        // one would leave a zero row, which check_ledger() reports.
        ATELIER_TRY(require_account(m.to, "to"));
      } else if (!m.to.empty()) {
        ATELIER_TRY(require_account(m.to, "to"));
        Stmt& add = txn.stmts().get(
            "INSERT INTO token_holdings (collection_id, token_id, account, amount) VALUES (?1, ?2, ?3, ?4) "
            "ON CONFLICT (collection_id, token_id, account) DO UPDATE SET amount = ?5");
        Stmt& h = txn.stmts().get(
            "SELECT amount FROM token_holdings WHERE collection_id = ?1 AND token_id = ?2 AND account = ?3");
        h.bind(1, m.collection_id).bind_blob(2, be(m.token_id)).bind(3, m.to);
        U256 held;
        if (h.step() == SQLITE_ROW) held = u256_at(h, 0);
        h.reset();
        auto sum = checked_add(held, m.amount);
        if (!sum) return fail(Error::invalid("amount_overflow", "token balance overflow", "amount"));
        add.bind(1, m.collection_id).bind_blob(2, be(m.token_id)).bind(3, m.to).bind_blob(4, be(m.amount));
        add.bind_blob(5, be(*sum));
        if (add.step() != SQLITE_DONE) return fail(db_error(db, "writing holding"));
      } else {
        supply = *checked_sub(supply, m.amount);  // The holding check above bounds it.
      }
      Stmt& su = txn.stmts().get("UPDATE tokens SET supply = ?3 WHERE collection_id = ?1 AND token_id = ?2");
      su.bind(1, m.collection_id).bind_blob(2, be(m.token_id)).bind_blob(3, be(supply));
      if (su.step() != SQLITE_DONE) return fail(db_error(db, "writing supply"));
    }

    for (const auto& a : change.approvals) {
      Stmt& w = a.approved.empty()
                    ? txn.stmts().get("DELETE FROM token_approvals WHERE collection_id = ?1 AND token_id = ?2")
                    : txn.stmts().get(
                          "INSERT INTO token_approvals (collection_id, token_id, approved) VALUES (?1, ?2, ?3) "
                          "ON CONFLICT (collection_id, token_id) DO UPDATE SET approved = excluded.approved");
      w.bind(1, a.collection_id).bind_blob(2, be(a.token_id));
      if (!a.approved.empty()) w.bind(3, a.approved);
      if (w.step() != SQLITE_DONE) return fail(db_error(db, "writing approval"));
    }
    for (const auto& o : change.operators) {
      Stmt& w = o.approved
                    ? txn.stmts().get("INSERT OR IGNORE INTO token_operators (collection_id, owner, operator) VALUES (?1, ?2, ?3)")
                    : txn.stmts().get("DELETE FROM token_operators WHERE collection_id = ?1 AND owner = ?2 AND operator = ?3");
      w.bind(1, o.collection_id).bind(2, o.owner).bind(3, o.operator_account);
      if (w.step() != SQLITE_DONE) return fail(db_error(db, "writing operator"));
    }
    for (const auto& l : change.new_listings) {
      ATELIER_TRY(require_account(l.seller, "seller"));
      Stmt& ins = txn.stmts().get("INSERT INTO listings (" + std::string(kListingColumns) +
                                  ") VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14) "
                                  "ON CONFLICT (id) DO NOTHING");
      ins.bind(1, l.id).bind(2, l.kind).bind(3, l.collection_id).bind_blob(4, be(l.token_id)).bind(5, l.seller);
      ins.bind(6, l.currency).bind_blob(7, be(l.quantity)).bind_blob(8, be(l.sold)).bind(9, l.status);
      ins.bind(10, l.terms).bind(11, l.platform_fee_bps).bind(12, l.starts_ms).bind(13, l.ends_ms).bind(14, l.created_ms);
      if (ins.step() != SQLITE_DONE) return fail(db_error(db, "inserting listing"));
      if (sqlite3_changes(db) == 0) return fail(conflict("listing_exists", "listing " + l.id + " already exists", "id"));
    }
    // History rows last: the accounts they name were checked above, with clear errors.
    for (const auto& b : new_bids) {
      Stmt& ins = txn.stmts().get(
          "INSERT INTO bids (listing_id, seq, bidder, amount, time_ms, log_index) VALUES (?1, ?2, ?3, ?4, ?5, ?6)");
      ins.bind(1, b.listing_id).bind(2, static_cast<std::int64_t>(b.seq)).bind(3, b.bidder);
      ins.bind_blob(4, be(b.amount)).bind(5, b.time_ms).bind(6, static_cast<std::int64_t>(*index));
      if (ins.step() != SQLITE_DONE) return fail(db_error(db, "inserting bid"));
    }
    for (const auto& sale : change.sales) {
      Stmt& ins = txn.stmts().get(
          "INSERT INTO sales (listing_id, seq, buyer, quantity, unit_price, total, time_ms, log_index) "
          "VALUES (?1, (SELECT COALESCE(MAX(seq) + 1, 0) FROM sales WHERE listing_id = ?1), ?2, ?3, ?4, ?5, ?6, ?7)");
      ins.bind(1, sale.listing_id).bind(2, sale.buyer).bind_blob(3, be(sale.quantity)).bind_blob(4, be(sale.unit_price));
      ins.bind_blob(5, be(sale.total)).bind(6, change.time_ms).bind(7, static_cast<std::int64_t>(*index));
      if (ins.step() != SQLITE_DONE) return fail(db_error(db, "inserting sale"));
    }
    ATELIER_TRY(internal::apply_feed_changes(db, txn.stmts(), change, *index));

    return LedgerReceipt{*index};
  });
}

Result<std::optional<ListingRecord>> SqliteStore::listing(std::string_view id) {
  std::lock_guard lock(read_mu_);
  Stmt& q = rstmts_->get("SELECT " + std::string(kListingReadColumns) + " FROM listings WHERE id = ?1");
  q.bind(1, id);
  int rc = q.step();
  std::optional<ListingRecord> out;
  if (rc == SQLITE_ROW) out = read_listing(q);
  q.reset();
  if (rc != SQLITE_ROW && rc != SQLITE_DONE) return fail(db_error(rdb_, "reading listing"));
  return out;
}

Result<std::vector<BidRecord>> SqliteStore::bids(std::string_view listing_id) {
  std::lock_guard lock(read_mu_);
  Stmt& q = rstmts_->get(
      "SELECT seq, bidder, amount, time_ms, log_index FROM bids WHERE listing_id = ?1 ORDER BY seq");
  q.bind(1, listing_id);
  std::vector<BidRecord> out;
  int rc;
  while ((rc = q.step()) == SQLITE_ROW) {
    out.push_back({std::string(listing_id), static_cast<std::uint64_t>(q.int64(0)), q.text(1), u256_at(q, 2),
                   q.int64(3), static_cast<std::uint64_t>(q.int64(4))});
  }
  q.reset();
  if (rc != SQLITE_DONE) return fail(db_error(rdb_, "reading bids"));
  return out;
}

Result<Page<BidRecord>> SqliteStore::bids(std::string_view listing_id, const PageRequest& page) {
  assert(page.limit > 0);
  // The cursor is the seq of the last bid returned (as list_renders' is its render's seq);
  // seqs start at 0.
  std::int64_t after = -1;
  if (!page.cursor.empty()) {
    auto [p, ec] =
        std::from_chars(page.cursor.data(), page.cursor.data() + page.cursor.size(), after);
    if (ec != std::errc() || p != page.cursor.data() + page.cursor.size() || after < 0) {
      return fail(
          Error::invalid("invalid_cursor", "cursor is not one this server issued", "cursor"));
    }
  }
  std::lock_guard lock(read_mu_);
  Stmt& q = rstmts_->get(
      "SELECT seq, bidder, amount, time_ms, log_index FROM bids WHERE listing_id = ?1 AND seq > ?2 "
      "ORDER BY seq LIMIT ?3");
  q.bind(1, listing_id).bind(2, after).bind(3, page.limit + 1);
  Page<BidRecord> out;
  int rc;
  while ((rc = q.step()) == SQLITE_ROW) {
    out.items.push_back({std::string(listing_id), static_cast<std::uint64_t>(q.int64(0)), q.text(1),
                         u256_at(q, 2), q.int64(3), static_cast<std::uint64_t>(q.int64(4))});
  }
  q.reset();
  if (rc != SQLITE_DONE) return fail(db_error(rdb_, "reading bids"));
  if (static_cast<std::int64_t>(out.items.size()) > page.limit) {
    out.items.pop_back();
    out.next_cursor = std::to_string(out.items.back().seq);
  }
  return out;
}

Result<std::vector<SaleRecord>> SqliteStore::sales(std::string_view listing_id) {
  std::lock_guard lock(read_mu_);
  Stmt& q = rstmts_->get(
      "SELECT seq, buyer, quantity, unit_price, total, time_ms, log_index FROM sales WHERE listing_id = ?1 "
      "ORDER BY seq");
  q.bind(1, listing_id);
  std::vector<SaleRecord> out;
  int rc;
  while ((rc = q.step()) == SQLITE_ROW) {
    out.push_back({std::string(listing_id), static_cast<std::uint64_t>(q.int64(0)), q.text(1), u256_at(q, 2),
                   u256_at(q, 3), u256_at(q, 4), q.int64(5), static_cast<std::uint64_t>(q.int64(6))});
  }
  q.reset();
  if (rc != SQLITE_DONE) return fail(db_error(rdb_, "reading sales"));
  return out;
}

// Reads ------------------------------------------------------------------------------------------

Result<std::optional<AccountRecord>> SqliteStore::account(std::string_view id) {
  std::lock_guard lock(read_mu_);
  Stmt& q = rstmts_->get("SELECT id, kind, name, allow_negative, created_ms FROM accounts WHERE id = ?1");
  q.bind(1, id);
  int rc = q.step();
  std::optional<AccountRecord> out;
  if (rc == SQLITE_ROW) out = AccountRecord{q.text(0), q.text(1), q.text(2), q.int64(3) != 0, q.int64(4)};
  q.reset();
  if (rc != SQLITE_ROW && rc != SQLITE_DONE) return fail(db_error(rdb_, "reading account"));
  return out;
}

Result<std::vector<Balance>> SqliteStore::balances(std::string_view account) {
  std::lock_guard lock(read_mu_);
  Stmt& q = rstmts_->get("SELECT currency, amount, negative FROM balances WHERE account = ?1 ORDER BY currency");
  q.bind(1, account);
  std::vector<Balance> out;
  int rc;
  while ((rc = q.step()) == SQLITE_ROW) out.push_back({q.text(0), u256_at(q, 1), q.int64(2) != 0});
  q.reset();
  if (rc != SQLITE_DONE) return fail(db_error(rdb_, "reading balances"));
  return out;
}

Result<std::optional<CollectionRecord>> SqliteStore::collection(std::string_view id) {
  std::lock_guard lock(read_mu_);
  Stmt& q = rstmts_->get("SELECT " + std::string(kCollectionColumns) + " FROM collections WHERE id = ?1");
  q.bind(1, id);
  int rc = q.step();
  std::optional<CollectionRecord> out;
  if (rc == SQLITE_ROW) out = read_collection(q);
  q.reset();
  if (rc != SQLITE_ROW && rc != SQLITE_DONE) return fail(db_error(rdb_, "reading collection"));
  return out;
}

Result<std::optional<TokenRecord>> SqliteStore::token(std::string_view collection, const U256& token_id) {
  std::lock_guard lock(read_mu_);
  Stmt& q = rstmts_->get("SELECT " + std::string(kTokenColumns) +
                        " FROM tokens WHERE collection_id = ?1 AND token_id = ?2");
  q.bind(1, collection).bind_blob(2, be(token_id));
  int rc = q.step();
  std::optional<TokenRecord> out;
  if (rc == SQLITE_ROW) out = read_token(q);
  q.reset();
  if (rc != SQLITE_ROW && rc != SQLITE_DONE) return fail(db_error(rdb_, "reading token"));
  return out;
}

Result<std::vector<TokenRecord>> SqliteStore::tokens(std::string_view collection, std::int64_t limit,
                                                     const std::optional<U256>& after) {
  std::lock_guard lock(read_mu_);
  Stmt& q = rstmts_->get("SELECT " + std::string(kTokenColumns) +
                        " FROM tokens WHERE collection_id = ?1 AND (?2 IS NULL OR token_id > ?2) "
                        "ORDER BY token_id LIMIT ?3");
  q.bind(1, collection);
  if (after) q.bind_blob(2, be(*after));
  q.bind(3, limit);
  std::vector<TokenRecord> out;
  int rc;
  while ((rc = q.step()) == SQLITE_ROW) out.push_back(read_token(q));
  q.reset();
  if (rc != SQLITE_DONE) return fail(db_error(rdb_, "listing tokens"));
  return out;
}

Result<std::uint64_t> SqliteStore::token_count(std::string_view collection) {
  std::lock_guard lock(read_mu_);
  Stmt& q = rstmts_->get("SELECT COUNT(*) FROM tokens WHERE collection_id = ?1");
  q.bind(1, collection);
  int rc = q.step();
  auto n = static_cast<std::uint64_t>(q.int64(0));
  q.reset();
  if (rc != SQLITE_ROW) return fail(db_error(rdb_, "counting tokens"));
  return n;
}

Result<std::vector<TokenHolding>> SqliteStore::holders(std::string_view collection, const U256& token_id) {
  std::lock_guard lock(read_mu_);
  Stmt& q = rstmts_->get("SELECT collection_id, token_id, account, amount FROM token_holdings "
                        "WHERE collection_id = ?1 AND token_id = ?2 ORDER BY account");
  q.bind(1, collection).bind_blob(2, be(token_id));
  std::vector<TokenHolding> out;
  int rc;
  while ((rc = q.step()) == SQLITE_ROW) out.push_back({q.text(0), u256_at(q, 1), q.text(2), u256_at(q, 3)});
  q.reset();
  if (rc != SQLITE_DONE) return fail(db_error(rdb_, "reading holders"));
  return out;
}

Result<std::vector<TokenHolding>> SqliteStore::holdings(std::string_view account) {
  std::lock_guard lock(read_mu_);
  Stmt& q = rstmts_->get("SELECT collection_id, token_id, account, amount FROM token_holdings "
                        "WHERE account = ?1 ORDER BY collection_id, token_id");
  q.bind(1, account);
  std::vector<TokenHolding> out;
  int rc;
  while ((rc = q.step()) == SQLITE_ROW) out.push_back({q.text(0), u256_at(q, 1), q.text(2), u256_at(q, 3)});
  q.reset();
  if (rc != SQLITE_DONE) return fail(db_error(rdb_, "reading holdings"));
  return out;
}

Result<std::string> SqliteStore::approved(std::string_view collection, const U256& token_id) {
  std::lock_guard lock(read_mu_);
  Stmt& q = rstmts_->get("SELECT approved FROM token_approvals WHERE collection_id = ?1 AND token_id = ?2");
  q.bind(1, collection).bind_blob(2, be(token_id));
  int rc = q.step();
  std::string out = rc == SQLITE_ROW ? q.text(0) : std::string();
  q.reset();
  if (rc != SQLITE_ROW && rc != SQLITE_DONE) return fail(db_error(rdb_, "reading approval"));
  return out;
}

Result<bool> SqliteStore::is_operator(std::string_view collection, std::string_view owner,
                                      std::string_view operator_account) {
  std::lock_guard lock(read_mu_);
  Stmt& q = rstmts_->get("SELECT 1 FROM token_operators WHERE collection_id = ?1 AND owner = ?2 AND operator = ?3");
  q.bind(1, collection).bind(2, owner).bind(3, operator_account);
  int rc = q.step();
  q.reset();
  if (rc != SQLITE_ROW && rc != SQLITE_DONE) return fail(db_error(rdb_, "reading operator"));
  return rc == SQLITE_ROW;
}

Result<LedgerCheck> SqliteStore::check_ledger() {
  std::lock_guard lock(read_mu_);
  // One read transaction: postings, balances and holdings from the same snapshot, even while
  // the committer writes.
  ATELIER_TRY(internal::exec(rdb_, "BEGIN"));
  struct EndRead {
    sqlite3* db;
    ~EndRead() { (void)internal::exec(db, "COMMIT"); }
  } end_read{rdb_};
  LedgerCheck check;
  auto problem = [&](std::string p) {
    check.ok = false;
    if (check.problems.size() < 100) check.problems.push_back(std::move(p));
  };
  // Balances recomputed from the postings, and each currency's postings summing to zero.
  std::map<std::pair<std::string, std::string>, Signed> computed;
  std::map<std::string, Signed> per_currency;
  {
    Stmt q(rdb_, "SELECT account, currency, credit, amount FROM postings ORDER BY seq");
    int rc;
    while ((rc = q.step()) == SQLITE_ROW) {
      ++check.postings;
      U256 amount = u256_at(q, 3);
      bool credit = q.int64(2) != 0;
      auto& b = computed[{q.text(0), q.text(1)}];
      auto& c = per_currency[q.text(1)];
      auto nb = apply(b, amount, credit);
      auto nc = apply(c, amount, credit);
      if (!nb || !nc) {
        problem("postings overflow 256 bits");
        continue;
      }
      b = *nb;
      c = *nc;
    }
    if (rc != SQLITE_DONE) return fail(db_error(rdb_, "reading postings"));
  }
  for (const auto& [currency, sum] : per_currency) {
    if (!sum.amount.is_zero()) {
      problem("postings in " + currency + " sum to " + (sum.negative ? "-" : "") + sum.amount.to_decimal() +
              ", not zero");
    }
  }
  std::map<std::string, bool> allow_negative;
  {
    Stmt q(rdb_, "SELECT id, allow_negative FROM accounts");
    while (q.step() == SQLITE_ROW) {
      allow_negative[q.text(0)] = q.int64(1) != 0;
      ++check.accounts;
    }
  }
  {
    Stmt q(rdb_, "SELECT account, currency, negative, amount FROM balances");
    std::set<std::pair<std::string, std::string>> seen;
    while (q.step() == SQLITE_ROW) {
      std::pair<std::string, std::string> key{q.text(0), q.text(1)};
      seen.insert(key);
      Signed stored{u256_at(q, 3), q.int64(2) != 0};
      Signed want = computed.count(key) ? computed[key] : Signed{};
      if (stored.amount != want.amount || stored.negative != want.negative) {
        problem("the balance of " + key.first + " in " + key.second + " is " + (stored.negative ? "-" : "") +
                stored.amount.to_decimal() + " but its postings sum to " + (want.negative ? "-" : "") +
                want.amount.to_decimal());
      }
      if (stored.negative && !allow_negative[key.first]) {
        problem("account " + key.first + " may not go negative but holds -" + stored.amount.to_decimal() + " " +
                key.second);
      }
    }
    for (const auto& [key, want] : computed) {
      if (!seen.count(key) && !want.amount.is_zero()) {
        problem("account " + key.first + " has postings in " + key.second + " but no balance");
      }
    }
  }
  // Tokens: holdings sum to supply; ERC-721 tokens have at most one unit and one owner.
  {
    Stmt q(rdb_,
           "SELECT t.collection_id, t.token_id, t.supply, c.standard, "
           "(SELECT COUNT(*) FROM token_holdings h WHERE h.collection_id = t.collection_id AND h.token_id = t.token_id) "
           "FROM tokens t JOIN collections c ON c.id = t.collection_id");
    while (q.step() == SQLITE_ROW) {
      ++check.tokens;
      std::string collection = q.text(0);
      U256 id = u256_at(q, 1), supply = u256_at(q, 2);
      bool erc721 = q.text(3) == "erc721";
      std::int64_t owners = q.int64(4);
      Stmt h(rdb_, "SELECT amount FROM token_holdings WHERE collection_id = ?1 AND token_id = ?2");
      h.bind(1, collection).bind_blob(2, be(id));
      U256 held;
      while (h.step() == SQLITE_ROW) {
        U256 a = u256_at(h, 0);
        if (a.is_zero()) problem("token " + token_name(collection, id) + " has a holding of zero");
        held = checked_add(held, a).value_or(U256::max());
      }
      if (held != supply) {
        problem("token " + token_name(collection, id) + " has supply " + supply.to_decimal() + " but holdings of " +
                held.to_decimal());
      }
      if (erc721 && (supply > U256(1) || owners > 1)) {
        problem("ERC-721 token " + token_name(collection, id) + " has " + std::to_string(owners) + " owners");
      }
    }
  }
  // Escrow (ledger::kEscrowAccount) holds exactly what open auctions hold in trust: the
  // standing bids of active English auctions and the payments of unsettled clearing-price
  // auctions, and the tokens of active English auctions.
  {
    std::map<std::string, U256> owed;  // currency -> amount
    Stmt bids(rdb_, "SELECT currency, high_bid FROM listings WHERE kind = 'english' AND status = 'active' AND bid_count > 0");
    while (bids.step() == SQLITE_ROW) owed[bids.text(0)] = checked_add(owed[bids.text(0)], u256_at(bids, 1)).value_or(U256::max());
    Stmt paid(rdb_,
              "SELECT l.currency, s.total FROM sales s JOIN listings l ON l.id = s.listing_id "
              "WHERE json_extract(l.terms, '$.settlement') = 'clearing' AND l.status IN ('active', 'sold_out')");
    while (paid.step() == SQLITE_ROW) owed[paid.text(0)] = checked_add(owed[paid.text(0)], u256_at(paid, 1)).value_or(U256::max());
    std::set<std::string> currencies;
    for (const auto& [currency, amount] : owed) currencies.insert(currency);
    for (const auto& [key, balance] : computed) {
      if (key.first == "escrow") currencies.insert(key.second);
    }
    for (const auto& currency : currencies) {
      const Signed held = computed.count({"escrow", currency}) ? computed[{"escrow", currency}] : Signed{};
      const U256 want = owed.count(currency) ? owed[currency] : U256();
      if (held.negative || held.amount != want) {
        problem("escrow holds " + std::string(held.negative ? "-" : "") + held.amount.to_decimal() + " " + currency +
                " but open auctions hold " + want.to_decimal() + " in trust");
      }
    }
    Stmt lots(rdb_,
              "SELECT l.collection_id, l.token_id, l.quantity, "
              "COALESCE((SELECT amount FROM token_holdings h WHERE h.collection_id = l.collection_id AND "
              "h.token_id = l.token_id AND h.account = 'escrow'), zeroblob(32)) "
              "FROM listings l WHERE l.kind = 'english' AND l.status = 'active'");
    std::map<std::pair<std::string, U256>, std::pair<U256, U256>> lot;  // token -> (listed, held)
    while (lots.step() == SQLITE_ROW) {
      auto& [listed, held] = lot[{lots.text(0), u256_at(lots, 1)}];
      listed = checked_add(listed, u256_at(lots, 2)).value_or(U256::max());
      held = u256_at(lots, 3);
    }
    Stmt escrowed(rdb_, "SELECT collection_id, token_id, amount FROM token_holdings WHERE account = 'escrow'");
    while (escrowed.step() == SQLITE_ROW) {
      auto key = std::make_pair(escrowed.text(0), u256_at(escrowed, 1));
      if (!lot.count(key)) lot[key] = {U256(), u256_at(escrowed, 2)};
    }
    for (const auto& [key, amounts] : lot) {
      if (amounts.first != amounts.second) {
        problem("escrow holds " + amounts.second.to_decimal() + " of " + token_name(key.first, key.second) +
                " but active auctions list " + amounts.first.to_decimal());
      }
    }
  }
  return check;
}

}  // namespace atelier::store
