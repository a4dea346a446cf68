// sqlite_stmt.h — a thin RAII wrapper over sqlite3_stmt for the store's queries.
#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>

#include "core/error.h"

namespace atelier::store::internal {

inline Error db_error(sqlite3* db, std::string_view what) {
  return Error::internal("database_error", std::string(what) + ": " + sqlite3_errmsg(db));
}

class Stmt {
 public:
  Stmt(sqlite3* db, std::string_view sql, unsigned prepare_flags = 0) : db_(db) {
    rc_ = sqlite3_prepare_v3(db, sql.data(), static_cast<int>(sql.size()), prepare_flags, &stmt_,
                             nullptr);
  }
  ~Stmt() { sqlite3_finalize(stmt_); }
  Stmt(const Stmt&) = delete;
  Stmt& operator=(const Stmt&) = delete;

  bool ok() const { return rc_ == SQLITE_OK; }
  Stmt& bind(int i, std::string_view v) {
    sqlite3_bind_text(stmt_, i, v.data(), static_cast<int>(v.size()), SQLITE_TRANSIENT);
    return *this;
  }
  Stmt& bind(int i, std::int64_t v) {
    sqlite3_bind_int64(stmt_, i, v);
    return *this;
  }
  Stmt& bind(int i, int v) { return bind(i, static_cast<std::int64_t>(v)); }
  Stmt& bind_blob(int i, std::span<const std::uint8_t> v) {
    sqlite3_bind_blob(stmt_, i, v.data(), static_cast<int>(v.size()), SQLITE_TRANSIENT);
    return *this;
  }
  // Ready to run again: no result in progress, no bindings.
  void reset() {
    sqlite3_reset(stmt_);
    sqlite3_clear_bindings(stmt_);
  }
  // SQLITE_ROW, SQLITE_DONE, or an error code.
  int step() { return sqlite3_step(stmt_); }
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
  sqlite3* db_;
  sqlite3_stmt* stmt_ = nullptr;
  int rc_;
};

// Statements prepared once per connection and reused (hot paths: log appends, proofs).
// Not thread-safe: used under the owner's connection lock.
class StmtCache {
 public:
  explicit StmtCache(sqlite3* db) : db_(db) {}
  // The statement for `sql`, reset; nullptr-safe: check ok() for a preparation error.
  Stmt& get(std::string_view sql) {
    auto it = cache_.find(sql);
    if (it == cache_.end()) {
      it = cache_.emplace(std::string(sql), std::make_unique<Stmt>(db_, sql, SQLITE_PREPARE_PERSISTENT)).first;
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
inline Result<void> exec(sqlite3* db, std::string_view sql) {
  char* err = nullptr;
  if (sqlite3_exec(db, std::string(sql).c_str(), nullptr, nullptr, &err) != SQLITE_OK) {
    std::string msg = err ? err : "unknown";
    sqlite3_free(err);
    return fail(Error::internal("database_error", msg));
  }
  return {};
}

}  // namespace atelier::store::internal
