// SqliteStore's ledger reads (ledger_store.h): accounts, balances, collections, tokens,
// holdings, listings with their bids and sales. Writes are in sqlite_apply_*.cc, the
// whole-ledger check in sqlite_ledger_check.cc.
#include <algorithm>
#include <charconv>
#include <nlohmann/json.hpp>

#include "core/assert.h"
#include "store/internal/ledger_rows.h"
#include "store/internal/sqlite_txn.h"

namespace atelier::store {

namespace internal {

namespace {

// The splits column as splits_json wrote it; anything else is corruption, never "no splits"
// (an empty list pays the seller or the royalty receiver everything).
std::vector<Split> splits_from(Row& row, int col, std::string_view column) {
  std::vector<Split> out;
  auto a = nlohmann::json::parse(row.text(col), nullptr, false);
  if (!a.is_array()) {
    row.bad(column, "not a JSON array of splits");
    return out;
  }
  for (const auto& s : a) {
    if (!s.is_object() || s.size() != 2 || !s.contains("account") || !s["account"].is_string() ||
        !s.contains("bps") || !s["bps"].is_number_integer()) {
      row.bad(column, "a split is not {account, bps}");
      return {};
    }
    out.push_back({s["account"].get<std::string>(), s["bps"].get<std::int64_t>()});
  }
  // Collections are created with splits of 0..10000 bps summing to 10000 (ledger.h): the
  // payouts computed from any other set would not sum to the price.
  std::int64_t total = 0;
  for (const auto& split : out) {
    if (split.bps < 0 || split.bps > 10'000) row.bad(column, "a split outside 0..10000 bps");
    total += std::clamp<std::int64_t>(split.bps, 0, 10'000);
  }
  if (!out.empty() && total != 10'000)
    row.bad(column, "splits sum to " + std::to_string(total) + " bps, not 10000");
  return out;
}

}  // namespace

std::string token_key(const Stmt& s, int collection_col, int id_col) {
  auto id = s.blob(id_col);
  if (id.size() != 32) return s.text(collection_col) + "#(a malformed id)";
  std::array<std::uint8_t, 32> bytes{};
  std::memcpy(bytes.data(), id.data(), bytes.size());
  return token_name(s.text(collection_col), U256::from_be_bytes(bytes));
}

std::string splits_json(const std::vector<Split>& splits) {
  nlohmann::json a = nlohmann::json::array();
  for (const auto& s : splits) a.push_back({{"account", s.account}, {"bps", s.bps}});
  return a.dump();
}

Result<CollectionRecord> read_collection(const Stmt& s) {
  Row row(s, "collections", s.text(0));
  CollectionRecord c{s.text(0),
                     row.one_of(1, "standard", {"erc721", "erc1155"}),
                     s.text(2),
                     s.text(3),
                     s.text(4),
                     s.text(5),
                     s.text(6),
                     s.text(7),
                     row.u256(8, "max_supply"),
                     s.int64(9),
                     s.text(10),
                     s.int64(11)};
  c.primary_splits = splits_from(row, 12, "primary_splits");
  c.royalty_splits = splits_from(row, 13, "royalty_splits");
  if (c.royalty_bps < 0 || c.royalty_bps > 10'000) row.bad("royalty_bps", "outside 0..10000");
  ATELIER_TRY(row.status());
  return c;
}

Result<TokenRecord> read_token(const Stmt& s) {
  Row row(s, "tokens", token_key(s, 0, 1));
  TokenRecord t{s.text(0),
                row.u256(1, "token_id"),
                s.text(2),
                s.text(3),
                s.text(4),
                row.u256(5, "supply"),
                row.u256(6, "max_supply"),
                s.int64(7)};
  ATELIER_TRY(row.status());
  return t;
}

Result<ListingRecord> read_listing(const Stmt& s) {
  Row row(s, "listings", s.text(0));
  ListingRecord l{s.text(0),
                  internal::listing_kind_at(row, 1),
                  s.text(2),
                  row.u256(3, "token_id"),
                  s.text(4),
                  s.text(5),
                  row.u256(6, "quantity"),
                  row.u256(7, "sold"),
                  internal::listing_status_at(row, 8),
                  s.text(9),
                  s.int64(10),
                  s.int64(11),
                  s.int64(12),
                  s.int64(13)};
  l.high_bidder = s.text(14);
  l.high_bid = row.u256(15, "high_bid");
  l.bid_count = row.count(16, "bid_count");
  l.outcome = s.text(17);
  if (l.sold > l.quantity) row.bad("sold", "more sold (" + l.sold.to_decimal() + ") than listed");
  ATELIER_TRY(row.status());
  return l;
}

}  // namespace internal

using internal::be;
using internal::each_row;
using internal::Row;
using internal::ScopedReset;
using internal::Stmt;

namespace {

// Reads the one row `q` may return with `read`, or nothing.
template <typename T, typename F>
Result<std::optional<T>> maybe_one(Stmt& q, std::string_view what, F&& read) {
  ScopedReset q_done(q);
  ATELIER_TRY_ASSIGN(const bool found, q.next(what));
  if (!found) return std::optional<T>();
  ATELIER_TRY_ASSIGN(T value, read(q));
  return std::optional<T>(std::move(value));
}

// Reads every row of `q` with `read`.
template <typename T, typename F>
Result<std::vector<T>> all_rows(Stmt& q, std::string_view what, F&& read) {
  ScopedReset q_done(q);
  std::vector<T> out;
  ATELIER_TRY(each_row(q, what, [&]() -> Result<void> {
    ATELIER_TRY_ASSIGN(T value, read(q));
    out.push_back(std::move(value));
    return {};
  }));
  return out;
}

Result<BidRecord> read_bid(const Stmt& s, std::string_view listing_id) {
  Row row(s, "bids", std::string(listing_id) + "/" + std::to_string(s.int64(0)));
  BidRecord b{std::string(listing_id), row.count(0, "seq"), s.text(1), row.u256(2, "amount"),
              s.int64(3), row.count(4, "log_index")};
  ATELIER_TRY(row.status());
  return b;
}

Result<TokenHolding> read_holding(const Stmt& q) {
  Row row(q, "token_holdings", internal::token_key(q, 0, 1) + "/" + q.text(2));
  TokenHolding h{q.text(0), row.u256(1, "token_id"), q.text(2), row.u256(3, "amount")};
  ATELIER_TRY(row.status());
  return h;
}

}  // namespace

Result<std::optional<ListingRecord>> SqliteStore::listing(std::string_view id) {
  MutexLock lock(read_mu_);
  Stmt& q = rstmts_->get("SELECT " + std::string(internal::kListingReadColumns) +
                         " FROM listings WHERE id = ?1");
  q.bind(1, id);
  return maybe_one<ListingRecord>(q, "reading listing", internal::read_listing);
}

Result<std::vector<BidRecord>> SqliteStore::bids(std::string_view listing_id) {
  MutexLock lock(read_mu_);
  Stmt& q = rstmts_->get(
      "SELECT seq, bidder, amount, time_ms, log_index FROM bids WHERE listing_id = ?1 ORDER BY "
      "seq");
  q.bind(1, listing_id);
  return all_rows<BidRecord>(q, "reading bids",
                             [&](const Stmt& s) { return read_bid(s, listing_id); });
}

Result<Page<BidRecord>> SqliteStore::bids(std::string_view listing_id, const PageRequest& page) {
  ATELIER_ASSERT(page.limit > 0, "a page of no bids");
  // The cursor is the seq of the last bid returned (as list_renders' is its render's seq);
  // seqs start at 0.
  ATELIER_TRY_ASSIGN(const std::int64_t after, internal::parse_seq_cursor(page.cursor, -1));
  MutexLock lock(read_mu_);
  Stmt& q = rstmts_->get(
      "SELECT seq, bidder, amount, time_ms, log_index FROM bids WHERE listing_id = ?1 AND seq > ?2 "
      "ORDER BY seq LIMIT ?3");
  q.bind(1, listing_id).bind(2, after).bind(3, page.limit + 1);
  Page<BidRecord> out;
  ATELIER_TRY_ASSIGN(out.items, all_rows<BidRecord>(q, "reading bids", [&](const Stmt& s) {
                       return read_bid(s, listing_id);
                     }));
  if (static_cast<std::int64_t>(out.items.size()) > page.limit) {
    out.items.pop_back();
    out.next_cursor = std::to_string(out.items.back().seq);
  }
  return out;
}

Result<std::vector<SaleRecord>> SqliteStore::sales(std::string_view listing_id) {
  MutexLock lock(read_mu_);
  Stmt& q = rstmts_->get(
      "SELECT seq, buyer, quantity, unit_price, total, time_ms, log_index FROM sales WHERE "
      "listing_id = ?1 "
      "ORDER BY seq");
  q.bind(1, listing_id);
  return all_rows<SaleRecord>(q, "reading sales", [&](const Stmt& s) -> Result<SaleRecord> {
    Row row(s, "sales", std::string(listing_id) + "/" + std::to_string(s.int64(0)));
    SaleRecord r{
        std::string(listing_id),   row.count(0, "seq"),  s.text(1),  row.u256(2, "quantity"),
        row.u256(3, "unit_price"), row.u256(4, "total"), s.int64(5), row.count(6, "log_index")};
    ATELIER_TRY(row.status());
    return r;
  });
}

Result<std::optional<AccountRecord>> SqliteStore::account(std::string_view id) {
  MutexLock lock(read_mu_);
  Stmt& q =
      rstmts_->get("SELECT id, kind, name, allow_negative, created_ms FROM accounts WHERE id = ?1");
  q.bind(1, id);
  return maybe_one<AccountRecord>(q, "reading account", [](const Stmt& s) -> Result<AccountRecord> {
    Row row(s, "accounts", s.text(0));
    AccountRecord a{s.text(0), s.text(1), s.text(2), row.flag(3, "allow_negative"), s.int64(4)};
    ATELIER_TRY(row.status());
    return a;
  });
}

Result<std::vector<Balance>> SqliteStore::balances(std::string_view account) {
  MutexLock lock(read_mu_);
  Stmt& q = rstmts_->get(
      "SELECT currency, amount, negative FROM balances WHERE account = ?1 ORDER BY currency");
  q.bind(1, account);
  return all_rows<Balance>(q, "reading balances", [&](const Stmt& s) -> Result<Balance> {
    Row row(s, "balances", std::string(account) + "/" + s.text(0));
    Balance b{s.text(0), row.u256(1, "amount"), row.flag(2, "negative")};
    ATELIER_TRY(row.status());
    return b;
  });
}

Result<std::optional<CollectionRecord>> SqliteStore::collection(std::string_view id) {
  MutexLock lock(read_mu_);
  Stmt& q = rstmts_->get("SELECT " + std::string(internal::kCollectionColumns) +
                         " FROM collections WHERE id = ?1");
  q.bind(1, id);
  return maybe_one<CollectionRecord>(q, "reading collection", internal::read_collection);
}

Result<std::optional<TokenRecord>> SqliteStore::token(std::string_view collection,
                                                      const U256& token_id) {
  MutexLock lock(read_mu_);
  Stmt& q = rstmts_->get("SELECT " + std::string(internal::kTokenColumns) +
                         " FROM tokens WHERE collection_id = ?1 AND token_id = ?2");
  q.bind(1, collection).bind_blob(2, be(token_id));
  return maybe_one<TokenRecord>(q, "reading token", internal::read_token);
}

Result<std::vector<TokenRecord>> SqliteStore::tokens(std::string_view collection,
                                                     std::int64_t limit,
                                                     const std::optional<U256>& after) {
  MutexLock lock(read_mu_);
  Stmt& q = rstmts_->get("SELECT " + std::string(internal::kTokenColumns) +
                         " FROM tokens WHERE collection_id = ?1 AND (?2 IS NULL OR token_id > ?2) "
                         "ORDER BY token_id LIMIT ?3");
  q.bind(1, collection);
  if (after) q.bind_blob(2, be(*after));
  q.bind(3, limit);
  return all_rows<TokenRecord>(q, "listing tokens", internal::read_token);
}

Result<std::uint64_t> SqliteStore::token_count(std::string_view collection) {
  MutexLock lock(read_mu_);
  Stmt& q = rstmts_->get("SELECT COUNT(*) FROM tokens WHERE collection_id = ?1");
  ScopedReset q_done(q);
  q.bind(1, collection);
  ATELIER_TRY(q.one("counting tokens"));
  return static_cast<std::uint64_t>(q.int64(0));
}

Result<std::vector<TokenHolding>> SqliteStore::holders(std::string_view collection,
                                                       const U256& token_id) {
  MutexLock lock(read_mu_);
  Stmt& q = rstmts_->get(
      "SELECT collection_id, token_id, account, amount FROM token_holdings "
      "WHERE collection_id = ?1 AND token_id = ?2 ORDER BY account");
  q.bind(1, collection).bind_blob(2, be(token_id));
  return all_rows<TokenHolding>(q, "reading holders", read_holding);
}

Result<std::vector<TokenHolding>> SqliteStore::holdings(std::string_view account) {
  MutexLock lock(read_mu_);
  Stmt& q = rstmts_->get(
      "SELECT collection_id, token_id, account, amount FROM token_holdings "
      "WHERE account = ?1 ORDER BY collection_id, token_id");
  q.bind(1, account);
  return all_rows<TokenHolding>(q, "reading holdings", read_holding);
}

Result<std::string> SqliteStore::approved(std::string_view collection, const U256& token_id) {
  MutexLock lock(read_mu_);
  Stmt& q = rstmts_->get(
      "SELECT approved FROM token_approvals WHERE collection_id = ?1 AND token_id = ?2");
  ScopedReset q_done(q);
  q.bind(1, collection).bind_blob(2, be(token_id));
  ATELIER_TRY_ASSIGN(const bool found, q.next("reading approval"));
  return found ? q.text(0) : std::string();
}

Result<bool> SqliteStore::is_operator(std::string_view collection, std::string_view owner,
                                      std::string_view operator_account) {
  MutexLock lock(read_mu_);
  Stmt& q = rstmts_->get(
      "SELECT 1 FROM token_operators WHERE collection_id = ?1 AND owner = ?2 AND operator = ?3");
  ScopedReset q_done(q);
  q.bind(1, collection).bind(2, owner).bind(3, operator_account);
  return q.next("reading operator");
}

}  // namespace atelier::store
