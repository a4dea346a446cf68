#include "store/sqlite_store.h"

#include <sqlite3.h>
#include <sys/stat.h>

#include "core/assert.h"
#include <charconv>
#include <nlohmann/json.hpp>
#include <sstream>

#include "store/internal/migrations.h"
#include "store/internal/sqlite_stmt.h"
#include "store/internal/sqlite_txn.h"

namespace atelier::store {

using internal::exec;
using internal::Stmt;

namespace {

// Runs `body` inside BEGIN IMMEDIATE … COMMIT, rolling back on error.
template <typename F>
auto in_transaction(sqlite3* db, F&& body) -> decltype(body()) {
  if (auto r = exec(db, "BEGIN IMMEDIATE"); !r) return fail(r.error());
  auto result = body();
  if (!result) {
    (void)exec(db, "ROLLBACK");
    return result;
  }
  if (auto r = exec(db, "COMMIT"); !r) {
    (void)exec(db, "ROLLBACK");
    return fail(r.error());
  }
  return result;
}

std::string files_to_json(const std::vector<BundleFile>& files) {
  nlohmann::json arr = nlohmann::json::array();
  for (const auto& f : files)
    arr.push_back({{"path", f.path}, {"sha256", f.sha256}, {"size", f.size_bytes}});
  return arr.dump();
}

// The files column as files_to_json wrote it; anything else is corruption, never "no files".
std::vector<BundleFile> files_from_json(internal::Row& row, int col) {
  std::vector<BundleFile> files;
  auto arr = nlohmann::json::parse(row.text(col), nullptr, /*allow_exceptions=*/false);
  if (!arr.is_array()) {
    row.bad("files_json", "not a JSON array");
    return files;
  }
  for (const auto& f : arr) {
    if (!f.is_object() || !f.contains("path") || !f["path"].is_string() || !f.contains("sha256") ||
        !f["sha256"].is_string() || !f.contains("size") || !f["size"].is_number_integer()) {
      row.bad("files_json", "a file entry is not {path, sha256, size}");
      return files;
    }
    files.push_back({f["path"].get<std::string>(), f["sha256"].get<std::string>(),
                     f["size"].get<std::int64_t>()});
  }
  return files;
}

constexpr std::string_view kGeneratorColumns =
    "seq, name, bundle_hash, version, description, manifest_json, files_json, created_ms";

Result<GeneratorVersion> read_generator(const Stmt& s) {
  internal::Row row(s, "generator_versions", std::to_string(s.int64(0)));
  GeneratorVersion g;
  g.seq = s.int64(0);
  g.name = s.text(1);
  g.bundle_hash = s.text(2);
  g.version = s.text(3);
  g.description = s.text(4);
  g.manifest_json = s.text(5);
  g.files = files_from_json(row, 6);
  g.created_ms = s.int64(7);
  ATELIER_TRY(row.status());
  return g;
}

constexpr std::string_view kRenderColumns =
    "seq, recipe_id, recipe_json, generator_name, generator_hash, token_hash, width, height, "
    "format, "
    "asset_sha256, traits_json, atelier_version, script_us, raster_us, encode_us, created_ms";

Result<RenderRecord> read_render(const Stmt& s) {
  internal::Row row(s, "renders", s.text(1));
  RenderRecord r;
  r.seq = s.int64(0);
  r.recipe_id = s.text(1);
  r.recipe_json = s.text(2);
  r.generator_name = s.text(3);
  r.generator_hash = s.text(4);
  r.token_hash = s.text(5);
  r.width = s.int64(6);
  r.height = s.int64(7);
  r.format = s.text(8);
  r.asset_sha256 = s.text(9);
  r.traits_json = s.text(10);
  r.atelier_version = s.text(11);
  r.script_us = s.int64(12);
  r.raster_us = s.int64(13);
  r.encode_us = s.int64(14);
  r.created_ms = s.int64(15);
  if (r.width <= 0 || r.height <= 0) row.bad("width", "a render's size must be positive");
  ATELIER_TRY(row.status());
  return r;
}

std::string join_scopes(const std::vector<std::string>& scopes) {
  std::string out;
  for (const auto& s : scopes) {
    if (!out.empty()) out.push_back(' ');
    out += s;
  }
  return out;
}

std::vector<std::string> split_scopes(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string s; in >> s;) out.push_back(s);
  return out;
}

Result<ApiKeyRecord> read_api_key(const Stmt& s) {
  internal::Row row(s, "api_keys", s.text(0));
  ApiKeyRecord k;
  k.id = s.text(0);
  k.salt_hex = s.text(1);
  k.hash_hex = s.text(2);
  k.scopes = split_scopes(s.text(3));
  k.label = s.text(4);
  k.created_ms = s.int64(5);
  k.revoked = row.flag(6, "revoked");
  k.account = s.text(7);
  ATELIER_TRY(row.status());
  return k;
}

Result<void> apply_migrations(sqlite3* db) {
  Stmt v(db, "PRAGMA user_version");
  ATELIER_TRY(v.one("reading schema version"));
  auto current = static_cast<std::size_t>(v.int64(0));
  v.reset();  // A pending statement would lock the tables a migration rebuilds.
  auto all = internal::migrations();
  if (current > all.size()) {
    return fail(Error::internal(
        "schema_too_new",
        "the database was written by a newer atelier (schema " + std::to_string(current) + ")"));
  }
  for (std::size_t i = current; i < all.size(); ++i) {
    auto r = in_transaction(db, [&]() -> Result<void> {
      ATELIER_TRY(exec(db, all[i]));
      return exec(db, "PRAGMA user_version = " + std::to_string(i + 1));
    });
    if (!r) return r;
  }
  return {};
}

}  // namespace

Result<std::unique_ptr<SqliteStore>> SqliteStore::open(const std::filesystem::path& db_path,
                                                       const Clock* clock,
                                                       const SqliteStoreOptions& options) {
  const char* vfs = options.vfs.empty() ? nullptr : options.vfs.c_str();
  sqlite3* db = nullptr;
  int rc = sqlite3_open_v2(db_path.c_str(), &db,
                           SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, vfs);
  if (rc != SQLITE_OK) {
    std::string msg = db ? sqlite3_errmsg(db) : "out of memory";
    sqlite3_close(db);
    return fail(
        Error::internal("database_open_failed", "cannot open " + db_path.string() + ": " + msg));
  }
  sqlite3_busy_timeout(db, 10'000);  // Other processes (CLI next to a server) may hold the lock.
  if (auto ok =
          exec(db, "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON;");
      !ok) {
    sqlite3_close(db);
    return fail(ok.error());
  }
  if (auto ok = apply_migrations(db); !ok) {
    sqlite3_close(db);
    return fail(ok.error());
  }
  // The read connection opens after the migrations, onto the current schema.
  sqlite3* rdb = nullptr;
  rc = sqlite3_open_v2(db_path.c_str(), &rdb, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX, vfs);
  if (rc != SQLITE_OK) {
    std::string msg = rdb ? sqlite3_errmsg(rdb) : "out of memory";
    sqlite3_close(rdb);
    sqlite3_close(db);
    return fail(Error::internal("database_open_failed",
                                "cannot open " + db_path.string() + " for reading: " + msg));
  }
  sqlite3_busy_timeout(rdb, 10'000);
  return std::unique_ptr<SqliteStore>(new SqliteStore(db, rdb, clock));
}

SqliteStore::SqliteStore(sqlite3* db, sqlite3* rdb, const Clock* clock)
    : db_(db),
      rdb_(rdb),
      clock_(clock),
      stmts_(std::make_unique<internal::StmtCache>(db)),
      rstmts_(std::make_unique<internal::StmtCache>(rdb)) {}

SqliteStore::~SqliteStore() {
  {
    MutexLock lock(queue_mu_);
    stopping_ = true;
  }
  queue_cv_.notify_all();
  std::thread committer;
  {
    MutexLock lock(queue_mu_);
    committer = std::move(committer_);
  }
  if (committer.joinable()) committer.join();  // Commits whatever is still queued first.
  stmts_.reset();
  rstmts_.reset();
  sqlite3_close(rdb_);
  sqlite3_close(db_);
}

int SqliteStore::schema_version() const {
  MutexLock lock(mu_);
  Stmt v(db_, "PRAGMA user_version");
  return v.one("reading schema version") ? static_cast<int>(v.int64(0)) : -1;
}

Result<bool> SqliteStore::put_generator_version(const GeneratorVersion& g, const LogEvent& event) {
  ATELIER_ASSERT(!g.name.empty() && g.bundle_hash.size() == 64);
  return write<bool>([&](Txn& txn) -> Result<bool> {
    Stmt s(
        db_,
        "INSERT INTO generator_versions (name, bundle_hash, version, description, manifest_json, "
        "files_json, created_ms) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) "
        "ON CONFLICT (name, bundle_hash) DO NOTHING");
    s.bind(1, g.name).bind(2, g.bundle_hash).bind(3, g.version).bind(4, g.description);
    s.bind(5, g.manifest_json).bind(6, files_to_json(g.files)).bind(7, g.created_ms);
    ATELIER_TRY(s.run("inserting generator version"));
    if (sqlite3_changes(db_) == 0) return false;
    ATELIER_TRY(txn.append(event));
    return true;
  });
}

Result<std::optional<GeneratorVersion>> SqliteStore::generator_version(std::string_view name,
                                                                       std::string_view hash) {
  MutexLock lock(read_mu_);
  Stmt s(rdb_, "SELECT " + std::string(kGeneratorColumns) +
                  " FROM generator_versions WHERE name = ?1 AND bundle_hash = ?2");
  s.bind(1, name).bind(2, hash);
  ATELIER_TRY_ASSIGN(const bool found, s.next("reading generator version"));
  if (!found) return std::nullopt;
  return read_generator(s);
}

Result<std::optional<GeneratorVersion>> SqliteStore::latest_generator_version(
    std::string_view name) {
  MutexLock lock(read_mu_);
  Stmt s(rdb_, "SELECT " + std::string(kGeneratorColumns) +
                  " FROM generator_versions WHERE name = ?1 ORDER BY seq DESC LIMIT 1");
  s.bind(1, name);
  ATELIER_TRY_ASSIGN(const bool found, s.next("reading generator version"));
  if (!found) return std::nullopt;
  return read_generator(s);
}

Result<std::vector<GeneratorVersion>> SqliteStore::generator_versions(std::string_view name) {
  MutexLock lock(read_mu_);
  Stmt s(rdb_, "SELECT " + std::string(kGeneratorColumns) +
                  " FROM generator_versions WHERE name = ?1 ORDER BY seq DESC");
  s.bind(1, name);
  std::vector<GeneratorVersion> out;
  ATELIER_TRY(internal::each_row(s, "listing generator versions", [&]() -> Result<void> {
    ATELIER_TRY_ASSIGN(auto item, read_generator(s));
    out.push_back(std::move(item));
    return {};
  }));
  return out;
}

Result<Page<GeneratorSummary>> SqliteStore::list_generators(const PageRequest& page) {
  ATELIER_ASSERT(page.limit > 0);
  // The cursor is the last name returned; names are unique per summary.
  MutexLock lock(read_mu_);
  Stmt s(rdb_,
         "SELECT g.name, g.bundle_hash, g.version, g.description, c.n, g.created_ms "
         "FROM generator_versions g JOIN (SELECT name, MAX(seq) AS top, COUNT(*) AS n "
         "FROM generator_versions WHERE name > ?1 GROUP BY name) c ON g.seq = c.top "
         "ORDER BY g.name LIMIT ?2");
  s.bind(1, page.cursor).bind(2, page.limit + 1);
  Page<GeneratorSummary> out;
  ATELIER_TRY(internal::each_row(s, "listing generators", [&]() -> Result<void> {
    out.items.push_back({s.text(0), s.text(1), s.text(2), s.text(3), s.int64(4), s.int64(5)});
    return {};
  }));
  if (static_cast<std::int64_t>(out.items.size()) > page.limit) {
    out.items.pop_back();
    out.next_cursor = out.items.back().name;
  }
  return out;
}

Result<bool> SqliteStore::put_render(const RenderRecord& r, const AssetRecord& a,
                                     const LogEvent& event) {
  ATELIER_ASSERT(r.asset_sha256 == a.sha256 && r.recipe_id.size() == 64);
  return write<bool>([&](Txn& txn) -> Result<bool> {
    Stmt sa(db_,
            "INSERT INTO blobs_meta (sha256, mime_type, size_bytes, width, height, created_ms) "
            "VALUES (?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT (sha256) DO NOTHING");
    sa.bind(1, a.sha256).bind(2, a.mime_type).bind(3, a.size_bytes).bind(4, a.width);
    sa.bind(5, a.height).bind(6, a.created_ms);
    ATELIER_TRY(sa.run("inserting asset"));
    Stmt sr(
        db_,
        "INSERT INTO renders (recipe_id, recipe_json, generator_name, generator_hash, token_hash, "
        "width, height, format, asset_sha256, traits_json, atelier_version, script_us, raster_us, "
        "encode_us, created_ms) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, "
        "?14, ?15) ON CONFLICT (recipe_id) DO NOTHING");
    sr.bind(1, r.recipe_id)
        .bind(2, r.recipe_json)
        .bind(3, r.generator_name)
        .bind(4, r.generator_hash);
    sr.bind(5, r.token_hash).bind(6, r.width).bind(7, r.height).bind(8, r.format);
    sr.bind(9, r.asset_sha256).bind(10, r.traits_json).bind(11, r.atelier_version);
    sr.bind(12, r.script_us).bind(13, r.raster_us).bind(14, r.encode_us).bind(15, r.created_ms);
    ATELIER_TRY(sr.run("inserting render"));
    if (sqlite3_changes(db_) == 0) return false;
    ATELIER_TRY(txn.append(event));
    return true;
  });
}

Result<std::optional<RenderRecord>> SqliteStore::render_by_recipe(std::string_view recipe_id) {
  MutexLock lock(read_mu_);
  Stmt s(rdb_, "SELECT " + std::string(kRenderColumns) + " FROM renders WHERE recipe_id = ?1");
  s.bind(1, recipe_id);
  ATELIER_TRY_ASSIGN(const bool found, s.next("reading render"));
  if (!found) return std::nullopt;
  return read_render(s);
}

Result<std::optional<RenderRecord>> SqliteStore::render_by_asset(std::string_view sha256) {
  MutexLock lock(read_mu_);
  Stmt s(rdb_, "SELECT " + std::string(kRenderColumns) +
                  " FROM renders WHERE asset_sha256 = ?1 ORDER BY seq LIMIT 1");
  s.bind(1, sha256);
  ATELIER_TRY_ASSIGN(const bool found, s.next("reading render"));
  if (!found) return std::nullopt;
  return read_render(s);
}

Result<Page<RenderRecord>> SqliteStore::list_renders(const PageRequest& page) {
  ATELIER_ASSERT(page.limit > 0);
  auto cursor = internal::parse_seq_cursor(page.cursor, 0);
  if (!cursor) return fail(cursor.error());
  MutexLock lock(read_mu_);
  // Newest first; the cursor is the seq of the last row returned.
  Stmt s(rdb_, "SELECT " + std::string(kRenderColumns) +
                  " FROM renders WHERE (?1 = 0 OR seq < ?1) ORDER BY seq DESC LIMIT ?2");
  s.bind(1, *cursor).bind(2, page.limit + 1);
  Page<RenderRecord> out;
  ATELIER_TRY(internal::each_row(s, "listing renders", [&]() -> Result<void> {
    ATELIER_TRY_ASSIGN(auto item, read_render(s));
    out.items.push_back(std::move(item));
    return {};
  }));
  if (static_cast<std::int64_t>(out.items.size()) > page.limit) {
    out.items.pop_back();
    out.next_cursor = std::to_string(out.items.back().seq);
  }
  return out;
}

Result<std::optional<AssetRecord>> SqliteStore::asset(std::string_view sha256) {
  MutexLock lock(read_mu_);
  Stmt s(rdb_, "SELECT sha256, mime_type, size_bytes, width, height, created_ms FROM blobs_meta "
              "WHERE sha256 = ?1");
  s.bind(1, sha256);
  ATELIER_TRY_ASSIGN(const bool found, s.next("reading asset"));
  if (!found) return std::nullopt;
  return AssetRecord{s.text(0), s.text(1), s.int64(2), s.int64(3), s.int64(4), s.int64(5)};
}

Result<bool> SqliteStore::put_asset_credential(const AssetCredentialRecord& c) {
  return write<bool>([&](Txn&) -> Result<bool> {
    Stmt s(
        db_,
        "INSERT INTO asset_credentials (asset_sha256, signed_sha256, manifest_label, created_ms, "
        "parent_sha256) VALUES (?1, ?2, ?3, ?4, ?5) "
        "ON CONFLICT (asset_sha256, parent_sha256) DO NOTHING");
    s.bind(1, c.asset_sha256)
        .bind(2, c.signed_sha256)
        .bind(3, c.manifest_label)
        .bind(4, c.created_ms)
        .bind(5, c.parent_sha256);
    ATELIER_TRY(s.run("recording an asset's credentials"));
    return sqlite3_changes(db_) > 0;
  });
}

namespace {

Result<std::optional<AssetCredentialRecord>> read_credential(Stmt& s) {
  ATELIER_TRY_ASSIGN(const bool found, s.next("reading an asset's credentials"));
  if (!found) return std::nullopt;
  AssetCredentialRecord c;
  c.asset_sha256 = s.text(0);
  c.signed_sha256 = s.text(1);
  c.manifest_label = s.text(2);
  c.created_ms = s.int64(3);
  c.parent_sha256 = s.text(4);
  return c;
}

}  // namespace

Result<std::optional<AssetCredentialRecord>> SqliteStore::asset_credential(
    std::string_view asset_sha256, std::string_view parent_sha256) {
  MutexLock lock(read_mu_);
  Stmt s(rdb_,
         "SELECT asset_sha256, signed_sha256, manifest_label, created_ms, parent_sha256 "
         "FROM asset_credentials WHERE asset_sha256 = ?1 AND parent_sha256 = ?2");
  s.bind(1, asset_sha256).bind(2, parent_sha256);
  return read_credential(s);
}

Result<std::optional<AssetCredentialRecord>> SqliteStore::asset_credential_by_signed(
    std::string_view signed_sha256) {
  MutexLock lock(read_mu_);
  Stmt s(rdb_,
         "SELECT asset_sha256, signed_sha256, manifest_label, created_ms, parent_sha256 "
         "FROM asset_credentials WHERE signed_sha256 = ?1");
  s.bind(1, signed_sha256);
  return read_credential(s);
}

Result<void> SqliteStore::put_api_key(const ApiKeyRecord& k) {
  return write<void>([&](Txn&) -> Result<void> {
    Stmt s(db_,
           "INSERT INTO api_keys (id, salt_hex, hash_hex, scopes, label, created_ms, revoked, "
           "account) "
           "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)");
    s.bind(1, k.id).bind(2, k.salt_hex).bind(3, k.hash_hex).bind(4, join_scopes(k.scopes));
    s.bind(5, k.label).bind(6, k.created_ms).bind(7, k.revoked ? 1 : 0).bind(8, k.account);
    ATELIER_TRY(s.run("inserting api key"));
    return {};
  });
}

Result<std::optional<ApiKeyRecord>> SqliteStore::api_key(std::string_view id) {
  MutexLock lock(read_mu_);
  Stmt s(rdb_,
         "SELECT id, salt_hex, hash_hex, scopes, label, created_ms, revoked, account FROM api_keys "
         "WHERE id = ?1");
  s.bind(1, id);
  ATELIER_TRY_ASSIGN(const bool found, s.next("reading api key"));
  if (!found) return std::nullopt;
  return read_api_key(s);
}

Result<std::vector<ApiKeyRecord>> SqliteStore::list_api_keys() {
  MutexLock lock(read_mu_);
  Stmt s(rdb_,
         "SELECT id, salt_hex, hash_hex, scopes, label, created_ms, revoked, account FROM api_keys "
         "ORDER BY created_ms, id");
  std::vector<ApiKeyRecord> out;
  ATELIER_TRY(internal::each_row(s, "listing api keys", [&]() -> Result<void> {
    ATELIER_TRY_ASSIGN(auto item, read_api_key(s));
    out.push_back(std::move(item));
    return {};
  }));
  return out;
}

Result<bool> SqliteStore::revoke_api_key(std::string_view id) {
  return write<bool>([&](Txn&) -> Result<bool> {
    Stmt s(db_, "UPDATE api_keys SET revoked = 1 WHERE id = ?1 AND revoked = 0");
    s.bind(1, id);
    ATELIER_TRY(s.run("revoking api key"));
    return sqlite3_changes(db_) > 0;
  });
}

// Idempotency claims: sqlite_idempotency.cc.

Result<DataDir> open_data_dir(const std::filesystem::path& root) {
  std::error_code ec;
  DataDir dir{root};
  for (const auto& p : {root, dir.blobs_path(), dir.keys_path()}) {
    std::filesystem::create_directories(p, ec);
    if (ec) {
      return fail(Error::invalid("data_dir_unusable",
                                 "cannot create " + p.string() + ": " + ec.message(), "data"));
    }
  }
  ::chmod(dir.keys_path().c_str(), 0700);  // Signing keys live here (provenance log).
  return dir;
}

}  // namespace atelier::store
