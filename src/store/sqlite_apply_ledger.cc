// Where a LedgerChange is applied: SqliteStore::apply_ledger_change runs the appliers of
// internal/ledger_apply.h in one transaction with the change's log entry. This file holds the
// money: accounts, and postings with the balances they move.
#include <map>

#include "core/assert.h"
#include "store/internal/ledger_apply.h"
#include "store/internal/ledger_rows.h"
#include "store/internal/sqlite_idempotency.h"
#include "store/internal/sqlite_oracle.h"
#include "store/internal/sqlite_txn.h"

namespace atelier::store {

namespace {

// Credits and debits per currency; a change whose postings do not balance is a bug of the
// engine that built it (src/ledger, src/market), never an input error.
void assert_balanced(const LedgerEntries& entries) {
  std::map<std::string, std::pair<U256, U256>> sums;  // currency -> (credits, debits)
  for (const auto& p : entries.postings) {
    auto& [credits, debits] = sums[p.currency];
    auto& side = p.credit ? credits : debits;
    side = ATELIER_VALUE(checked_add(side, p.amount), "one change's postings overflow 256 bits");
  }
  for (const auto& [currency, s] : sums) {
    ATELIER_ASSERT(s.first == s.second, "postings in " + currency + " do not balance: credits " +
                                            s.first.to_decimal() + ", debits " +
                                            s.second.to_decimal());
  }
}

}  // namespace

Result<LedgerReceipt> SqliteStore::apply_ledger_change(const LedgerChange& change) {
  assert_balanced(change.ledger);
  return write<LedgerReceipt>([&](Txn& txn) -> Result<LedgerReceipt> {
    internal::LedgerEntriesApply ledger(txn.db(), txn.stmts(), change.ledger);
    internal::ListingApply listings(txn.db(), txn.stmts(), change.listings, change.time_ms);
    ATELIER_TRY(ledger.accounts());
    ATELIER_TRY(ledger.collections_and_mints());
    ATELIER_TRY(listings.updates());
    ATELIER_TRY(listings.transitions());
    ATELIER_TRY_ASSIGN(const std::uint64_t index, txn.append(change.event));
    ATELIER_TRY(ledger.postings(index));
    ATELIER_TRY(ledger.token_moves());
    ATELIER_TRY(ledger.approvals_and_operators());
    ATELIER_TRY(listings.new_listings());
    ATELIER_TRY(listings.history(index));
    ATELIER_TRY(internal::apply_oracle_changes(txn.stmts(), change.oracle, index));
    // The idempotent answer commits with the work (sqlite_idempotency.cc), or nothing does.
    if (change.completion) {
      ATELIER_TRY(internal::write_completion(txn.db(), txn.stmts(), *change.completion,
                                             LedgerReceipt{index}));
    }
    return LedgerReceipt{index};
  });
}

namespace internal {

std::optional<Signed> apply(const Signed& a, const U256& x, bool credit) {
  const bool x_negative = !credit;
  if (a.negative == x_negative) {
    auto sum = checked_add(a.amount, x);
    if (!sum) return std::nullopt;
    return Signed{*sum, a.negative && !sum->is_zero()};
  }
  if (a.amount >= x) {
    const U256 d = ATELIER_VALUE(checked_sub(a.amount, x), "a ≥ x was checked");
    return Signed{d, a.negative && !d.is_zero()};
  }
  return Signed{ATELIER_VALUE(checked_sub(x, a.amount), "x > a was checked"), x_negative};
}

Result<void> require_account(StmtCache& stmts, const std::string& id, const char* field) {
  Stmt& q = stmts.get("SELECT 1 FROM accounts WHERE id = ?1");
  ScopedReset q_done(q);
  q.bind(1, id);
  ATELIER_TRY_ASSIGN(const bool exists, q.next("reading account"));
  if (!exists) return fail(Error::not_found("unknown_account", "no account " + id, field));
  return {};
}

Result<void> LedgerEntriesApply::accounts() {
  for (const auto& a : entries_.new_accounts) {
    Stmt& ins = stmts_.get(
        "INSERT INTO accounts (id, kind, name, allow_negative, created_ms) VALUES (?1, ?2, ?3, "
        "?4, ?5) ON CONFLICT (id) DO NOTHING");
    ins.bind(1, a.id).bind(2, a.kind).bind(3, a.name).bind(4, a.allow_negative ? 1 : 0);
    ins.bind(5, a.created_ms);
    ATELIER_TRY(ins.run("inserting account"));
    if (sqlite3_changes(db_) == 0) {
      return fail(conflict("account_exists", "account " + a.id + " already exists", "id"));
    }
  }
  return {};
}

Result<void> LedgerEntriesApply::postings(std::uint64_t log_index) {
  for (const auto& p : entries_.postings) {
    Stmt& acc = stmts_.get("SELECT allow_negative FROM accounts WHERE id = ?1");
    acc.bind(1, p.account);
    auto found = acc.next("reading account");
    Row account(acc, "accounts", p.account);
    const bool allow_negative = found && *found && account.flag(0, "allow_negative");
    acc.reset();
    if (!found) return fail(found.error());
    ATELIER_TRY(account.status());
    if (!*found)
      return fail(Error::not_found("unknown_account", "no account " + p.account, "account"));

    Stmt& bal =
        stmts_.get("SELECT negative, amount FROM balances WHERE account = ?1 AND currency = ?2");
    bal.bind(1, p.account).bind(2, p.currency);
    auto held = bal.next("reading balance");
    Row balance(bal, "balances", p.account + "/" + p.currency);
    Signed current;
    if (held && *held) current = {balance.u256(1, "amount"), balance.flag(0, "negative")};
    bal.reset();
    // A failed read is an error, never "no balance": the upsert below would overwrite it.
    if (!held) return fail(held.error());
    ATELIER_TRY(balance.status());
    ATELIER_ASSERT(!current.negative || !current.amount.is_zero(), "a stored -0 balance");

    auto next = apply(current, p.amount, p.credit);
    if (!next) {
      return fail(Error::invalid("amount_overflow",
                                 "the balance of " + p.account + " would overflow", "amount"));
    }
    if (next->negative && !allow_negative) {
      return fail(conflict("insufficient_funds",
                           "account " + p.account + " holds " + (current.negative ? "-" : "") +
                               current.amount.to_decimal() + " " + p.currency + ", less than " +
                               p.amount.to_decimal(),
                           "amount"));
    }
    Stmt& up = stmts_.get(
        "INSERT INTO balances (account, currency, negative, amount) VALUES (?1, ?2, ?3, ?4) "
        "ON CONFLICT (account, currency) DO UPDATE SET negative = excluded.negative, amount = "
        "excluded.amount");
    up.bind(1, p.account).bind(2, p.currency).bind(3, next->negative ? 1 : 0);
    up.bind_blob(4, be(next->amount));
    ATELIER_TRY(up.run("writing balance"));
    Stmt& post = stmts_.get(
        "INSERT INTO postings (log_index, account, currency, credit, amount) VALUES (?1, ?2, ?3, "
        "?4, ?5)");
    post.bind(1, static_cast<std::int64_t>(log_index)).bind(2, p.account).bind(3, p.currency);
    post.bind(4, p.credit ? 1 : 0).bind_blob(5, be(p.amount));
    ATELIER_TRY(post.run("writing posting"));
  }
  return {};
}

}  // namespace internal

}  // namespace atelier::store
