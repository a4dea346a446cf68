// sqlite_store.h — the embedded Store: one SQLite database in WAL mode.
//
// Migrations (numbered, in sqlite_migrations.cc) are applied at open inside one
// transaction each; `PRAGMA user_version` records the last one applied. One connection
// guarded by a mutex serves all threads: SQLite serialises writers anyway, and at this
// scale a single connection is simpler than a pool. synchronous=FULL: a committed
// transaction survives power loss.
#pragma once

#include <filesystem>
#include <memory>
#include <mutex>

#include "store/store.h"

struct sqlite3;

namespace atelier::store {

class SqliteStore final : public Store {
 public:
  static Result<std::unique_ptr<SqliteStore>> open(const std::filesystem::path& db_path);
  ~SqliteStore() override;

  int schema_version() const;

  Result<bool> put_generator_version(const GeneratorVersion& version) override;
  Result<std::optional<GeneratorVersion>> generator_version(std::string_view name,
                                                            std::string_view hash) override;
  Result<std::optional<GeneratorVersion>> latest_generator_version(std::string_view name) override;
  Result<std::vector<GeneratorVersion>> generator_versions(std::string_view name) override;
  Result<Page<GeneratorSummary>> list_generators(const PageRequest& page) override;

  Result<bool> put_render(const RenderRecord& render, const AssetRecord& asset) override;
  Result<std::optional<RenderRecord>> render_by_recipe(std::string_view recipe_id) override;
  Result<std::optional<RenderRecord>> render_by_asset(std::string_view sha256) override;
  Result<Page<RenderRecord>> list_renders(const PageRequest& page) override;
  Result<std::optional<AssetRecord>> asset(std::string_view sha256) override;

  Result<void> put_api_key(const ApiKeyRecord& key) override;
  Result<std::optional<ApiKeyRecord>> api_key(std::string_view id) override;
  Result<std::vector<ApiKeyRecord>> list_api_keys() override;
  Result<bool> revoke_api_key(std::string_view id) override;

  Result<IdempotencyClaim> claim_idempotency(std::string_view key_id, std::string_view idem_key,
                                             std::string_view request_hash, std::int64_t now_ms) override;
  Result<void> complete_idempotency(std::string_view key_id, std::string_view idem_key, int status,
                                    std::string_view body) override;
  Result<void> release_idempotency(std::string_view key_id, std::string_view idem_key) override;

 private:
  explicit SqliteStore(sqlite3* db);

  sqlite3* db_;
  mutable std::mutex mu_;  // Guards db_ (one statement sequence at a time).
};

// The data directory: atelier.db, blobs/, keys/ (DESIGN.md "Embedded default").
struct DataDir {
  std::filesystem::path root;
  std::filesystem::path db_path() const { return root / "atelier.db"; }
  std::filesystem::path blobs_path() const { return root / "blobs"; }
  std::filesystem::path keys_path() const { return root / "keys"; }
};

// Creates the directory tree if missing (keys/ with mode 0700).
Result<DataDir> open_data_dir(const std::filesystem::path& root);

}  // namespace atelier::store
