// sqlite_idempotency.h — the idempotency part of applying a LedgerChange (ledger_store.h
// "completion"). Private to src/store: sqlite_ledger.cc calls it inside the change's
// transaction, after everything else the change writes.
#pragma once

#include <sqlite3.h>

#include "core/error.h"
#include "store/internal/sqlite_stmt.h"
#include "store/ledger_store.h"

namespace atelier::store::internal {

// Stores `completion`'s response for its claim, or refuses with "idempotency_claim_lost" when
// the claim is no longer held under its token (completed, released or taken over): the caller's
// transaction must then be rolled back. Runs on the writer's connection, inside its transaction.
Result<void> write_completion(sqlite3* db, StmtCache& stmts, const IdempotentCompletion& completion,
                              const LedgerReceipt& receipt);

}  // namespace atelier::store::internal
