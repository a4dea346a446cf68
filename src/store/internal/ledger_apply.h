// ledger_apply.h — applying one LedgerChange inside the writer's transaction, one applier per
// domain. SqliteStore::apply_ledger_change (sqlite_apply_ledger.cc) runs them in this order:
//   accounts                        sqlite_apply_ledger.cc
//   collections and mints           sqlite_apply_tokens.cc
//   listing updates, transitions    sqlite_apply_listings.cc  (a purchase of what is gone fails
//                                                              as sold_out before its token move)
//   the log entry                   sqlite_commit.cc (Txn::append)
//   postings and balances           sqlite_apply_ledger.cc
//   token moves, approvals, ops     sqlite_apply_tokens.cc
//   new listings, bids, sales       sqlite_apply_listings.cc
//   price feeds and reports         sqlite_oracle.cc
// Each returns the first refusal (ledger_store.h names the codes); the caller's savepoint then
// takes back everything the change wrote. Every value is checked before it is written, and
// read back through Row (ledger_rows.h), which reports malformed values as corruption.
#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <string>
#include <vector>

#include "core/error.h"
#include "store/internal/sqlite_stmt.h"
#include "store/ledger_store.h"

namespace atelier::store::internal {

class LedgerApply {
 public:
  LedgerApply(sqlite3* db, StmtCache& stmts, const LedgerChange& change)
      : db_(db), stmts_(stmts), change_(change) {}

  Result<void> accounts();
  Result<void> collections_and_mints();
  Result<void> listing_updates();
  Result<void> listing_transitions();  // Keeps the bids they place for history().
  Result<void> postings(std::uint64_t log_index);
  Result<void> token_moves();
  Result<void> approvals_and_operators();
  Result<void> new_listings();
  Result<void> history(std::uint64_t log_index);  // Bids and sales rows.

  // "unknown_account" naming `field` unless the account exists.
  Result<void> require_account(const std::string& id, const char* field);

 private:
  Result<bool> account_exists(const std::string& id);
  Result<U256> holding(const std::string& collection, const U256& token_id,
                       const std::string& account);
  Result<void> move_one(const TokenMove& m);

  sqlite3* db_;
  StmtCache& stmts_;
  const LedgerChange& change_;
  std::vector<BidRecord> new_bids_;
};

}  // namespace atelier::store::internal
