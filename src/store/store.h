// store.h — the storage interface the engines and doors use.
//
// SqliteStore (sqlite_store.h) is the embedded default; a PostgreSQL implementation can
// satisfy this same interface later without touching the engines. Records are plain structs;
// JSON-valued columns hold canonical JSON text. Every mutating call is one transaction.
//
// Thread-safety: implementations are safe to call from many threads.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.h"

namespace atelier::store {

struct PageRequest {
  std::int64_t limit = 20;  // 1..kPageSizeMax, checked by the caller.
  std::string cursor;       // Opaque; empty for the first page.
};

template <typename T>
struct Page {
  std::vector<T> items;
  std::string next_cursor;  // Empty when there are no more items.
};

struct BundleFile {
  std::string path;    // Relative, '/'-separated.
  std::string sha256;  // Blob holding the bytes.
  std::int64_t size_bytes = 0;
};

struct GeneratorVersion {
  std::string name;
  std::string bundle_hash;    // sha256 hex: the version identity.
  std::string version;        // The manifest's human version string.
  std::string description;
  std::string manifest_json;  // Canonical JSON of the manifest.
  std::vector<BundleFile> files;
  std::int64_t created_ms = 0;
  std::int64_t seq = 0;       // Registration order, assigned by the store.
};

struct GeneratorSummary {
  std::string name;
  std::string latest_hash;
  std::string latest_version;
  std::string description;
  std::int64_t versions = 0;
  std::int64_t updated_ms = 0;
};

struct AssetRecord {
  std::string sha256;
  std::string mime_type;
  std::int64_t size_bytes = 0;
  std::int64_t width = 0;
  std::int64_t height = 0;
  std::int64_t created_ms = 0;
};

struct RenderRecord {
  std::string recipe_id;      // sha256 of the canonical recipe.
  std::string recipe_json;    // Canonical recipe.
  std::string generator_name;
  std::string generator_hash;
  std::string token_hash;
  std::int64_t width = 0;
  std::int64_t height = 0;
  std::string format;
  std::string asset_sha256;
  std::string traits_json;    // Canonical JSON object.
  std::string atelier_version;
  std::int64_t script_us = 0;
  std::int64_t raster_us = 0;
  std::int64_t encode_us = 0;
  std::int64_t created_ms = 0;
  std::int64_t seq = 0;
};

struct ApiKeyRecord {
  std::string id;           // Public key id, the part before the '.' in the secret.
  std::string salt_hex;
  std::string hash_hex;     // sha256(salt || secret).
  std::vector<std::string> scopes;
  std::string label;
  std::int64_t created_ms = 0;
  bool revoked = false;
};

// The outcome of claiming an idempotency key for a request.
struct IdempotencyClaim {
  enum class State {
    kNew,        // First time: the caller does the work, then complete() or release().
    kReplay,     // Done before with the same request: return `status` and `body`.
    kMismatch,   // The key was used with a different request.
    kInFlight,   // The first request with this key is still running.
  };
  State state = State::kNew;
  int status = 0;
  std::string body;
};

class Store {
 public:
  virtual ~Store() = default;

  // Generators. put returns false when that exact bundle hash was already registered.
  virtual Result<bool> put_generator_version(const GeneratorVersion& version) = 0;
  virtual Result<std::optional<GeneratorVersion>> generator_version(std::string_view name,
                                                                    std::string_view hash) = 0;
  virtual Result<std::optional<GeneratorVersion>> latest_generator_version(std::string_view name) = 0;
  // Every version of `name`, newest first.
  virtual Result<std::vector<GeneratorVersion>> generator_versions(std::string_view name) = 0;
  // Generators by name, ascending.
  virtual Result<Page<GeneratorSummary>> list_generators(const PageRequest& page) = 0;

  // Renders and assets. put_render writes the asset row (if new) and the render row in one
  // transaction; a render with an existing recipe_id is left as it is (returns false).
  virtual Result<bool> put_render(const RenderRecord& render, const AssetRecord& asset) = 0;
  virtual Result<std::optional<RenderRecord>> render_by_recipe(std::string_view recipe_id) = 0;
  virtual Result<std::optional<RenderRecord>> render_by_asset(std::string_view sha256) = 0;
  // Renders newest first.
  virtual Result<Page<RenderRecord>> list_renders(const PageRequest& page) = 0;
  virtual Result<std::optional<AssetRecord>> asset(std::string_view sha256) = 0;

  // API keys.
  virtual Result<void> put_api_key(const ApiKeyRecord& key) = 0;
  virtual Result<std::optional<ApiKeyRecord>> api_key(std::string_view id) = 0;
  virtual Result<std::vector<ApiKeyRecord>> list_api_keys() = 0;
  virtual Result<bool> revoke_api_key(std::string_view id) = 0;

  // Idempotency keys, scoped by API key id. `request_hash` identifies method+path+body.
  virtual Result<IdempotencyClaim> claim_idempotency(std::string_view key_id, std::string_view idem_key,
                                                     std::string_view request_hash,
                                                     std::int64_t now_ms) = 0;
  virtual Result<void> complete_idempotency(std::string_view key_id, std::string_view idem_key,
                                            int status, std::string_view body) = 0;
  // Forgets a claim whose request failed without effect, so a retry can run.
  virtual Result<void> release_idempotency(std::string_view key_id, std::string_view idem_key) = 0;
};

}  // namespace atelier::store
