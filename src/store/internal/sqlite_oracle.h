// sqlite_oracle.h — the price-feed part of applying a LedgerChange (ledger_store.h
// OracleChanges). Private to src/store: sqlite_apply_ledger.cc calls it inside the change's
// transaction, after the change's log entry was appended.
#pragma once

#include <sqlite3.h>

#include <cstdint>

#include "core/error.h"
#include "store/internal/sqlite_stmt.h"
#include "store/ledger_store.h"

namespace atelier::store::internal {

// Upserts oracle.feeds, then records oracle.reports under `log_index`, refusing with the codes
// ledger_store.h names. Runs on the writer's connection, inside its transaction.
Result<void> apply_oracle_changes(StmtCache& stmts, const OracleChanges& oracle,
                                  std::uint64_t log_index);

}  // namespace atelier::store::internal
