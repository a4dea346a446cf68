// `atelier ledger check`: every invariant of the ledger recomputed from the postings and the
// holdings (ledger_store.h LedgerCheck), in one read snapshot. A read that fails is an error
// of the check, never a shorter list that looks fine.
#include <map>
#include <set>

#include "store/internal/ledger_rows.h"
#include "store/internal/sqlite_txn.h"

namespace atelier::store {

using internal::apply;
using internal::be;
using internal::each_row;
using internal::Row;
using internal::Signed;
using internal::Stmt;
using internal::token_name;

namespace {

class Checker {
 public:
  explicit Checker(sqlite3* db) : db_(db) {}
  Result<LedgerCheck> run();

 private:
  void problem(std::string p) {
    check_.ok = false;
    if (check_.problems.size() < 100) check_.problems.push_back(std::move(p));
  }
  static std::string signed_text(const Signed& s) {
    return (s.negative ? "-" : "") + s.amount.to_decimal();
  }
  Result<void> postings();
  Result<void> balances();
  Result<void> tokens();
  Result<void> escrow_money();
  Result<void> escrow_tokens();

  sqlite3* db_;
  LedgerCheck check_;
  std::map<std::pair<std::string, std::string>, Signed> computed_;  // (account, currency)
};

Result<LedgerCheck> Checker::run() {
  ATELIER_TRY(postings());
  ATELIER_TRY(balances());
  ATELIER_TRY(tokens());
  ATELIER_TRY(escrow_money());
  ATELIER_TRY(escrow_tokens());
  return check_;
}

// Balances recomputed from the postings, and each currency's postings summing to zero.
Result<void> Checker::postings() {
  std::map<std::string, Signed> per_currency;
  Stmt q(db_, "SELECT account, currency, credit, amount, seq FROM postings ORDER BY seq");
  ATELIER_TRY(each_row(q, "reading postings", [&]() -> Result<void> {
    ++check_.postings;
    Row row(q, "postings", std::to_string(q.int64(4)));
    const U256 amount = row.u256(3, "amount");
    const bool credit = row.flag(2, "credit");
    ATELIER_TRY(row.status());
    auto& b = computed_[{q.text(0), q.text(1)}];
    auto& c = per_currency[q.text(1)];
    auto nb = apply(b, amount, credit);
    auto nc = apply(c, amount, credit);
    if (!nb || !nc) {
      problem("postings overflow 256 bits");
      return {};
    }
    b = *nb;
    c = *nc;
    return {};
  }));
  for (const auto& [currency, sum] : per_currency) {
    if (!sum.amount.is_zero())
      problem("postings in " + currency + " sum to " + signed_text(sum) + ", not zero");
  }
  return {};
}

Result<void> Checker::balances() {
  std::map<std::string, bool> allow_negative;
  Stmt accounts(db_, "SELECT id, allow_negative FROM accounts");
  ATELIER_TRY(each_row(accounts, "reading accounts", [&]() -> Result<void> {
    Row row(accounts, "accounts", accounts.text(0));
    allow_negative[accounts.text(0)] = row.flag(1, "allow_negative");
    ++check_.accounts;
    return row.status();
  }));
  Stmt q(db_, "SELECT account, currency, negative, amount FROM balances");
  std::set<std::pair<std::string, std::string>> seen;
  ATELIER_TRY(each_row(q, "reading balances", [&]() -> Result<void> {
    std::pair<std::string, std::string> key{q.text(0), q.text(1)};
    Row row(q, "balances", key.first + "/" + key.second);
    const Signed stored{row.u256(3, "amount"), row.flag(2, "negative")};
    ATELIER_TRY(row.status());
    seen.insert(key);
    const Signed want = computed_.count(key) ? computed_[key] : Signed{};
    if (stored.amount != want.amount || stored.negative != want.negative) {
      problem("the balance of " + key.first + " in " + key.second + " is " + signed_text(stored) +
              " but its postings sum to " + signed_text(want));
    }
    if (stored.negative && !allow_negative[key.first]) {
      problem("account " + key.first + " may not go negative but holds -" +
              stored.amount.to_decimal() + " " + key.second);
    }
    return {};
  }));
  for (const auto& [key, want] : computed_) {
    if (!seen.count(key) && !want.amount.is_zero()) {
      problem("account " + key.first + " has postings in " + key.second + " but no balance");
    }
  }
  return {};
}

// Tokens: holdings sum to supply; ERC-721 tokens have at most one unit and one owner.
Result<void> Checker::tokens() {
  Stmt q(db_,
         "SELECT t.collection_id, t.token_id, t.supply, c.standard, "
         "(SELECT COUNT(*) FROM token_holdings h WHERE h.collection_id = t.collection_id AND "
         "h.token_id = t.token_id) "
         "FROM tokens t JOIN collections c ON c.id = t.collection_id");
  return each_row(q, "reading tokens", [&]() -> Result<void> {
    ++check_.tokens;
    Row row(q, "tokens", internal::token_key(q, 0, 1));
    const std::string collection = q.text(0);
    const U256 id = row.u256(1, "token_id"), supply = row.u256(2, "supply");
    ATELIER_TRY(row.status());
    const bool erc721 = q.text(3) == "erc721";
    const std::int64_t owners = q.int64(4);
    Stmt h(db_,
           "SELECT amount, account FROM token_holdings WHERE collection_id = ?1 AND token_id = ?2");
    h.bind(1, collection).bind_blob(2, be(id));
    U256 held;
    ATELIER_TRY(each_row(h, "reading holdings", [&]() -> Result<void> {
      Row holding(h, "token_holdings", token_name(collection, id) + "/" + h.text(1));
      const U256 a = holding.u256(0, "amount");
      ATELIER_TRY(holding.status());
      if (a.is_zero()) problem("token " + token_name(collection, id) + " has a holding of zero");
      held = checked_add(held, a).value_or(U256::max());
      return {};
    }));
    if (held != supply) {
      problem("token " + token_name(collection, id) + " has supply " + supply.to_decimal() +
              " but holdings of " + held.to_decimal());
    }
    if (erc721 && (supply > U256(1) || owners > 1)) {
      problem("ERC-721 token " + token_name(collection, id) + " has " + std::to_string(owners) +
              " owners");
    }
    return {};
  });
}

// Escrow (ledger::kEscrowAccount) holds exactly what open auctions hold in trust: the standing
// bids of active English auctions and the payments of unsettled clearing-price auctions.
Result<void> Checker::escrow_money() {
  std::map<std::string, U256> owed;  // currency -> amount
  auto add = [&](Stmt& q, std::string_view table, std::string_view column) {
    return each_row(q, "reading escrowed payments", [&]() -> Result<void> {
      Row row(q, table, q.text(2));
      const U256 amount = row.u256(1, column);
      ATELIER_TRY(row.status());
      owed[q.text(0)] = checked_add(owed[q.text(0)], amount).value_or(U256::max());
      return {};
    });
  };
  Stmt bids(db_,
            "SELECT currency, high_bid, id FROM listings WHERE kind = 'english' AND status = "
            "'active' AND "
            "bid_count > 0");
  ATELIER_TRY(add(bids, "listings", "high_bid"));
  Stmt paid(
      db_,
      "SELECT l.currency, s.total, s.listing_id || '/' || s.seq FROM sales s JOIN listings l ON "
      "l.id = s.listing_id WHERE json_extract(l.terms, '$.settlement') = 'clearing' AND l.status "
      "IN "
      "('active', 'sold_out')");
  ATELIER_TRY(add(paid, "sales", "total"));
  std::set<std::string> currencies;
  for (const auto& [currency, amount] : owed) currencies.insert(currency);
  for (const auto& [key, balance] : computed_) {
    if (key.first == "escrow") currencies.insert(key.second);
  }
  for (const auto& currency : currencies) {
    const Signed held =
        computed_.count({"escrow", currency}) ? computed_[{"escrow", currency}] : Signed{};
    const U256 want = owed.count(currency) ? owed[currency] : U256();
    if (held.negative || held.amount != want) {
      problem("escrow holds " + signed_text(held) + " " + currency + " but open auctions hold " +
              want.to_decimal() + " in trust");
    }
  }
  return {};
}

// ... and the tokens of active English auctions.
Result<void> Checker::escrow_tokens() {
  std::map<std::pair<std::string, U256>, std::pair<U256, U256>> lot;  // token -> (listed, held)
  Stmt lots(
      db_,
      "SELECT l.collection_id, l.token_id, l.quantity, "
      "COALESCE((SELECT amount FROM token_holdings h WHERE h.collection_id = l.collection_id AND "
      "h.token_id = l.token_id AND h.account = 'escrow'), zeroblob(32)), l.id "
      "FROM listings l WHERE l.kind = 'english' AND l.status = 'active'");
  ATELIER_TRY(each_row(lots, "reading auctioned tokens", [&]() -> Result<void> {
    Row row(lots, "listings", lots.text(4));
    const U256 id = row.u256(1, "token_id"), quantity = row.u256(2, "quantity");
    const U256 escrowed = row.u256(3, "token_holdings.amount");
    ATELIER_TRY(row.status());
    auto& [listed, held] = lot[{lots.text(0), id}];
    listed = checked_add(listed, quantity).value_or(U256::max());
    held = escrowed;
    return {};
  }));
  Stmt escrowed(
      db_, "SELECT collection_id, token_id, amount FROM token_holdings WHERE account = 'escrow'");
  ATELIER_TRY(each_row(escrowed, "reading escrowed tokens", [&]() -> Result<void> {
    Row row(escrowed, "token_holdings", internal::token_key(escrowed, 0, 1) + "/escrow");
    const U256 id = row.u256(1, "token_id"), amount = row.u256(2, "amount");
    ATELIER_TRY(row.status());
    auto key = std::make_pair(escrowed.text(0), id);
    if (!lot.count(key)) lot[key] = {U256(), amount};
    return {};
  }));
  for (const auto& [key, amounts] : lot) {
    if (amounts.first != amounts.second) {
      problem("escrow holds " + amounts.second.to_decimal() + " of " +
              token_name(key.first, key.second) + " but active auctions list " +
              amounts.first.to_decimal());
    }
  }
  return {};
}

}  // namespace

Result<LedgerCheck> SqliteStore::check_ledger() {
  MutexLock lock(read_mu_);
  // One read transaction: postings, balances and holdings from the same snapshot, even while
  // the committer writes.
  ATELIER_TRY(internal::exec(rdb_, "BEGIN"));
  struct EndRead {
    sqlite3* db;
    ~EndRead() { (void)internal::exec(db, "COMMIT"); }  // A read-only snapshot: nothing to lose.
  } end_read{rdb_};
  return Checker(rdb_).run();
}

}  // namespace atelier::store
