// ledger_apply.h — applying one LedgerChange inside the writer's transaction, one applier per
// part (ledger_store.h: LedgerEntries, ListingChanges, OracleChanges).
// SqliteStore::apply_ledger_change (sqlite_apply_ledger.cc) runs them in this order:
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

// "unknown_account" naming `field` unless the account exists.
Result<void> require_account(StmtCache& stmts, const std::string& id, const char* field);

// The ledger part (LedgerEntries): accounts, collections, mints, postings, token moves,
// approvals and operators.
class LedgerEntriesApply {
 public:
  LedgerEntriesApply(sqlite3* db, StmtCache& stmts, const LedgerEntries& entries)
      : db_(db), stmts_(stmts), entries_(entries) {}

  Result<void> accounts();  // sqlite_apply_ledger.cc
  Result<void> postings(std::uint64_t log_index);
  Result<void> collections_and_mints();  // sqlite_apply_tokens.cc
  Result<void> token_moves();
  Result<void> approvals_and_operators();

 private:
  Result<U256> holding(const std::string& collection, const U256& token_id,
                       const std::string& account);
  Result<void> move_one(const TokenMove& m);

  sqlite3* db_;
  StmtCache& stmts_;
  const LedgerEntries& entries_;
};

// The listing part (ListingChanges), sqlite_apply_listings.cc. `time_ms` dates the bids and
// sales rows.
class ListingApply {
 public:
  ListingApply(sqlite3* db, StmtCache& stmts, const ListingChanges& listings, std::int64_t time_ms)
      : db_(db), stmts_(stmts), listings_(listings), time_ms_(time_ms) {}

  Result<void> updates();
  Result<void> transitions();  // Keeps the bids they place for history().
  Result<void> new_listings();
  Result<void> history(std::uint64_t log_index);  // Bids and sales rows.

 private:
  sqlite3* db_;
  StmtCache& stmts_;
  const ListingChanges& listings_;
  std::int64_t time_ms_;
  std::vector<BidRecord> new_bids_;
};

}  // namespace atelier::store::internal
