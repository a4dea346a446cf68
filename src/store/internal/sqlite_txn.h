// sqlite_txn.h — what a queued write of SqliteStore runs against, and the write<T>() helper.
// Private to src/store (sqlite_store.cc, sqlite_commit.cc).
#pragma once

#include <future>
#include <optional>

#include "store/internal/sqlite_stmt.h"
#include "store/sqlite_store.h"

namespace atelier::store {

// A write's view of the open transaction: the connection for its own statements, and the log.
// Valid only during the write's call.
class SqliteStore::Txn {
 public:
  explicit Txn(SqliteStore& store) : store_(store) {}
  sqlite3* db() const { return store_.db_; }
  // A Txn exists only inside commit_group, which holds mu_ while the writes run.
  internal::StmtCache& stmts() const {
    store_.mu_.assert_held();
    return *store_.stmts_;
  }
  // Appends `event` to the log: the entry, its leaf hash, the subtree hashes it completes and
  // its subjects. Returns its index.
  Result<std::uint64_t> append(const LogEvent& event);
  // The index the next append() will return (rows that name their own log entry).
  std::uint64_t next_log_index() const {
    store_.mu_.assert_held();
    return store_.edge_.size();
  }
  // Signs a checkpoint of the tree as it stands if it has grown past the latest one.
  Result<void> sign_checkpoint() {
    store_.mu_.assert_held();
    return store_.sign_checkpoint_locked();
  }

 private:
  SqliteStore& store_;
};

struct SqliteStore::Pending {
  WriteOp op;
  std::promise<Result<std::uint64_t>> done;
};

template <typename T, typename F>
Result<T> SqliteStore::write(F&& op) {
  std::optional<Result<T>> out;  // Set by the committer thread; read after the future is ready.
  Result<std::uint64_t> committed = submit([&](Txn& txn) -> Result<std::uint64_t> {
    out.emplace(op(txn));
    if (!*out) return fail(out->error());
    return 0;
  }).get();
  if (!committed) return fail(committed.error());
  return std::move(*out);
}

}  // namespace atelier::store
