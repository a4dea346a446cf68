// sqlite_stmt.h — a thin RAII wrapper over sqlite3_stmt for the store's queries, whose results
// cannot be ignored.
//
//   Stmt& q = stmts.get("SELECT amount FROM balances WHERE account = ?1");
//   q.bind(1, account);
//   ATELIER_TRY_ASSIGN(bool found, q.next("reading balance"));   // error, or row / no row
//   ...
//   ATELIER_TRY(w.run("writing balance"));                        // a statement with no rows
//   ATELIER_TRY(each_row(q, "reading postings", [&]() -> Result<void> { … }));
//
// Every way to step a statement returns a [[nodiscard]] Result naming what was being done,
// so a failed read is an error, never "no row" (grep: there is no public step()). A failed
// bind (SQLITE_TOOBIG, SQLITE_NOMEM) or prepare is kept and reported by the next step.
// Values read back go through Row, which reports malformed ones (a U256 that is not 32
// bytes, a status outside its set, JSON that is not what the store writes) as corruption
// naming the table, row and column, never as a zero or a default.
#pragma once

#include <sqlite3.h>

#include <array>
#include <charconv>
#include <cstdint>
#include <cstring>
#include <initializer_list>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>

#include "core/error.h"
#include "core/u256.h"

namespace atelier::store::internal {

inline Error db_error(sqlite3* db, std::string_view what) {
  return Error::internal("database_error", std::string(what) + ": " + sqlite3_errmsg(db));
}

// A stored value that cannot be what the store wrote: the database was changed outside
// atelier, or a bug wrote it.
inline Error corrupt(std::string_view table, std::string_view row, std::string_view column,
                     std::string_view problem) {
  return Error::internal("database_corrupt", std::string(table) + " row " + std::string(row) +
                                                 " column " + std::string(column) + ": " +
                                                 std::string(problem));
}

class Stmt {
 public:
  Stmt(sqlite3* db, std::string_view sql, unsigned prepare_flags = 0) : db_(db) {
    prepare(sql, prepare_flags);
  }
  ~Stmt() { sqlite3_finalize(stmt_); }
  Stmt(const Stmt&) = delete;
  Stmt& operator=(const Stmt&) = delete;

  // An empty view binds '' (a default-constructed one has no data pointer, which SQLite would
  // bind as NULL).
  Stmt& bind(int i, std::string_view v) {
    return keep(sqlite3_bind_text(stmt_, i, v.data() ? v.data() : "", static_cast<int>(v.size()),
                                  SQLITE_TRANSIENT));
  }
  Stmt& bind(int i, std::int64_t v) { return keep(sqlite3_bind_int64(stmt_, i, v)); }
  Stmt& bind(int i, int v) { return bind(i, static_cast<std::int64_t>(v)); }
  Stmt& bind_blob(int i, std::span<const std::uint8_t> v) {
    return keep(
        sqlite3_bind_blob(stmt_, i, v.data(), static_cast<int>(v.size()), SQLITE_TRANSIENT));
  }
  Stmt& bind_null(int i) { return keep(sqlite3_bind_null(stmt_, i)); }
  // Ready to run again: no result in progress, no bindings, no kept bind error.
  void reset() {
    if (stmt_ != nullptr) {  // sqlite3_clear_bindings(NULL) crashes.
      sqlite3_reset(stmt_);
      sqlite3_clear_bindings(stmt_);
    }
    bind_rc_ = SQLITE_OK;
  }
  // Whether preparing succeeded. It can fail for a passing reason (an I/O error or a busy
  // database while the schema is read), so StmtCache prepares a failed statement again.
  bool prepared() const { return stmt_ != nullptr; }
  // (Re)prepares `sql`, dropping the previous statement and any kept error.
  void prepare(std::string_view sql, unsigned prepare_flags) {
    sqlite3_finalize(stmt_);
    stmt_ = nullptr;
    bind_rc_ = SQLITE_OK;
    rc_ = sqlite3_prepare_v3(db_, sql.data(), static_cast<int>(sql.size()), prepare_flags, &stmt_,
                             nullptr);
  }

  // One step: true with a row to read, false when the statement is done.
  [[nodiscard]] Result<bool> next(std::string_view what) {
    const int rc = step();
    if (rc == SQLITE_ROW) return true;
    if (rc == SQLITE_DONE) return false;
    return fail(error(what, rc));
  }
  // Runs a statement that returns no rows (INSERT, UPDATE, DELETE, SAVEPOINT…) to its end.
  [[nodiscard]] Result<void> run(std::string_view what) {
    const int rc = step();
    if (rc == SQLITE_DONE) return {};
    if (rc == SQLITE_ROW)
      return fail(
          Error::internal("database_error", std::string(what) + ": the statement returned rows"));
    return fail(error(what, rc));
  }
  // The one row a query must return (COUNT(*), an aggregate): no row is an error too.
  [[nodiscard]] Result<void> one(std::string_view what) {
    auto row = next(what);
    if (!row) return fail(row.error());
    if (!*row) return fail(Error::internal("database_error", std::string(what) + ": no row"));
    return {};
  }

  std::string text(int col) const {
    auto* p = reinterpret_cast<const char*>(sqlite3_column_text(stmt_, col));
    return p ? std::string(p, sqlite3_column_bytes(stmt_, col)) : std::string();
  }
  std::int64_t int64(int col) const { return sqlite3_column_int64(stmt_, col); }
  bool is_null(int col) const { return sqlite3_column_type(stmt_, col) == SQLITE_NULL; }
  std::span<const std::uint8_t> blob(int col) const {
    auto* p = static_cast<const std::uint8_t*>(sqlite3_column_blob(stmt_, col));
    return {p, p ? static_cast<std::size_t>(sqlite3_column_bytes(stmt_, col)) : 0};
  }

 private:
  Stmt& keep(int rc) {
    if (bind_rc_ == SQLITE_OK) bind_rc_ = rc;
    return *this;
  }
  int step() {
    if (rc_ != SQLITE_OK) return rc_;            // The statement never prepared.
    if (bind_rc_ != SQLITE_OK) return bind_rc_;  // A value could not be bound.
    return sqlite3_step(stmt_);
  }
  Error error(std::string_view what, int rc) const {
    // The connection's message describes its latest call, which is ours unless the failure
    // was a bind or prepare code kept from earlier.
    std::string msg = std::string(what) + ": " + sqlite3_errstr(rc);
    if (rc == sqlite3_errcode(db_)) msg = std::string(what) + ": " + sqlite3_errmsg(db_);
    return Error::internal("database_error", msg);
  }

  sqlite3* db_;
  sqlite3_stmt* stmt_ = nullptr;
  int rc_ = SQLITE_OK;
  int bind_rc_ = SQLITE_OK;
};

// A page cursor that is a row's seq (list_renders, bids, compliance reviews): a decimal
// integer ≥ 0; empty is `first`, the value before every seq.
[[nodiscard]] inline Result<std::int64_t> parse_seq_cursor(std::string_view cursor,
                                                           std::int64_t first) {
  if (cursor.empty()) return first;
  std::int64_t v = 0;
  auto [p, ec] = std::from_chars(cursor.data(), cursor.data() + cursor.size(), v);
  if (ec != std::errc() || p != cursor.data() + cursor.size() || v < 0) {
    return fail(Error::invalid("invalid_cursor", "cursor is not one this server issued", "cursor"));
  }
  return v;
}

// Steps `q` through its rows, calling `row()` (which returns Result<void>) for each; the
// first error, from SQLite or from `row`, ends the walk.
template <typename F>
[[nodiscard]] Result<void> each_row(Stmt& q, std::string_view what, F&& row) {
  for (;;) {
    auto more = q.next(what);
    if (!more) return fail(more.error());
    if (!*more) return {};
    if (auto r = row(); !r) return fail(r.error());
  }
}

// Reads one row's values, checking each against what the store writes; the first malformed
// one is kept and returned by status(), naming `table`, the row and the column.
class Row {
 public:
  Row(const Stmt& s, std::string_view table, std::string row)
      : s_(s), table_(table), row_(std::move(row)) {}

  std::string text(int col) const { return s_.text(col); }
  std::int64_t int64(int col) const { return s_.int64(col); }
  bool flag(int col, std::string_view column) {
    const std::int64_t v = s_.int64(col);
    if (v != 0 && v != 1) bad(column, "a flag must be 0 or 1, found " + std::to_string(v));
    return v != 0;
  }
  std::uint64_t count(int col, std::string_view column) {
    const std::int64_t v = s_.int64(col);
    if (v < 0) bad(column, "a count must not be negative, found " + std::to_string(v));
    return static_cast<std::uint64_t>(v < 0 ? 0 : v);
  }
  U256 u256(int col, std::string_view column) {
    auto b = s_.blob(col);
    std::array<std::uint8_t, 32> bytes{};
    if (b.size() != bytes.size()) {
      bad(column, "a 256-bit amount must be 32 bytes, found " + std::to_string(b.size()));
    } else {
      std::memcpy(bytes.data(), b.data(), bytes.size());
    }
    return U256::from_be_bytes(bytes);
  }
  // A text value that must be one of `allowed` (a status, a kind).
  std::string one_of(int col, std::string_view column,
                     std::initializer_list<std::string_view> allowed) {
    return one_of(col, column, std::span<const std::string_view>(allowed.begin(), allowed.size()));
  }
  std::string one_of(int col, std::string_view column, std::span<const std::string_view> allowed) {
    std::string v = s_.text(col);
    for (std::string_view a : allowed) {
      if (v == a) return v;
    }
    bad(column, "unexpected value \"" + v + "\"");
    return v;
  }
  // Records a problem found by the caller's own check of a value.
  void bad(std::string_view column, std::string problem) {
    if (!problem_) problem_ = corrupt(table_, row_, column, problem);
  }
  [[nodiscard]] Result<void> status() const {
    if (problem_) return fail(*problem_);
    return {};
  }

 private:
  const Stmt& s_;
  std::string_view table_;
  std::string row_;
  std::optional<Error> problem_;
};

// Resets a statement when the scope ends, on every path: a query left on a row holds its
// read snapshot (and keeps WAL checkpoints from passing it) until it is reset.
class [[nodiscard]] ScopedReset {
 public:
  explicit ScopedReset(Stmt& s) : s_(s) {}
  ~ScopedReset() { s_.reset(); }
  ScopedReset(const ScopedReset&) = delete;
  ScopedReset& operator=(const ScopedReset&) = delete;

 private:
  Stmt& s_;
};

// Statements prepared once per connection and reused (hot paths: log appends, proofs).
// Not thread-safe: used under the owner's connection lock.
class StmtCache {
 public:
  explicit StmtCache(sqlite3* db) : db_(db) {}
  // The statement for `sql`, reset; a preparation error is reported by its first step, and
  // the next get() prepares it again (in place: references to it stay valid), so a passing
  // I/O error does not make the query fail for the connection's lifetime.
  Stmt& get(std::string_view sql) {
    auto it = cache_.find(sql);
    if (it == cache_.end()) {
      it = cache_
               .emplace(std::string(sql),
                        std::make_unique<Stmt>(db_, sql, SQLITE_PREPARE_PERSISTENT))
               .first;
    } else if (!it->second->prepared()) {
      it->second->prepare(it->first, SQLITE_PREPARE_PERSISTENT);
    }
    it->second->reset();
    return *it->second;
  }
  void clear() { cache_.clear(); }

 private:
  struct Hash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  sqlite3* db_;
  std::unordered_map<std::string, std::unique_ptr<Stmt>, Hash, std::equal_to<>> cache_;
};

// Runs SQL with no results (may hold several statements).
[[nodiscard]] inline Result<void> exec(sqlite3* db, std::string_view sql) {
  char* err = nullptr;
  if (sqlite3_exec(db, std::string(sql).c_str(), nullptr, nullptr, &err) != SQLITE_OK) {
    std::string msg = err ? err : "unknown";
    sqlite3_free(err);
    return fail(Error::internal("database_error", msg));
  }
  return {};
}

}  // namespace atelier::store::internal
