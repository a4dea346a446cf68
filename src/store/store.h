// store.h — the storage interface the engines and doors use.
//
// SqliteStore (sqlite_store.h) is the embedded default; a PostgreSQL implementation can
// satisfy this same interface later without touching the engines. Records are plain structs;
// JSON-valued columns hold canonical JSON text. Every mutating call is one transaction.
//
// Thread-safety: implementations are safe to call from many threads.
#pragma once

#include <cstdint>
#include <functional>
#include <future>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.h"
#include "core/hash.h"

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

// An asset's Content Credentials: its bytes with a signed C2PA manifest, a blob of its own.
// A variant's signed file also names the asset it was asked for as a variant of (its parent),
// so one asset can have a signed file as itself and one per parent.
struct AssetCredentialRecord {
  std::string asset_sha256;   // the asset (what the recipe renders)
  std::string signed_sha256;  // the signed file
  std::string manifest_label; // urn:c2pa:…
  std::int64_t created_ms = 0;
  std::string parent_sha256;  // empty: signed as the render it is; else the parent asset
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
  std::string account = {};  // The ledger account the key acts for; empty: none.
};

// Idempotency (issue 14). A claim on (key_id, idem_key) belongs to one owner (a process: see
// internal/process_identity.h) for a lease, and carries a fencing token. A retry takes a claim
// over, with a new token, when its owner is known to be dead (a crash, kill -9: no lease wait) or
// its lease (limits::kIdempotencyLeaseMs) has run out. Whatever completes or releases a claim
// must present the token it was given: a worker whose claim was taken over changes nothing.
//
// The invariant that makes a takeover safe: a change that must not run twice writes its
// response in its own transaction (LedgerChange::completion, ledger_store.h), so "claimed, not
// completed" means "its work did not commit" and re-running is safe, and "completed" replays
// exactly what the first client was (or would have been) told. Work that may run twice (a
// deterministic, content-addressed render; a 4xx that changed nothing) is completed after the
// fact by complete_idempotency.
struct IdempotencyFence {
  std::string key_id;    // The API key's id (or "ip:<addr>") the claim is scoped to.
  std::string idem_key;  // The client's Idempotency-Key.
  std::string token;     // This claim's fencing token.
};

// The response stored for an idempotency key.
struct IdempotentResponse {
  int status = 0;
  std::string body;  // JSON.
};

// The outcome of claiming an idempotency key for a request.
struct IdempotencyClaim {
  enum class State {
    kNew,       // First time, or taken over from a dead or expired owner: the caller does the
                // work under `token`, then completes or releases the claim.
    kReplay,    // Done before with the same request: return `status` and `body`.
    kMismatch,  // The key was used with a different request.
    kInFlight,  // A live owner is running the first request with this key.
  };
  State state = State::kNew;
  int status = 0;
  std::string body;
  std::string token;        // kNew: the fencing token.
  bool taken_over = false;  // kNew: the claim was another owner's (for logs).
};

// One event for the transparency log (DESIGN.md "Events"): the canonical JSON entry the log
// holds, and the subjects it concerns ("asset:<sha256>", "generator:<name>", …) so that the
// story of a thing can be found without scanning the log.
struct LogEvent {
  std::string entry;
  std::vector<std::string> subjects;
};

struct LogEntryRecord {
  std::uint64_t index = 0;
  std::string entry;
  Digest leaf_hash{};  // As stored: SHA-256(0x00 || entry) unless someone changed the row.
};

struct CheckpointRecord {
  std::uint64_t size = 0;
  std::string note;  // The signed C2SP checkpoint note.
  std::int64_t created_ms = 0;
};

// Signs the checkpoint of a tree of `size` leaves whose root is `root`; returns the signed
// note. Called inside the commit that brought the tree to `size`.
using CheckpointSigner = std::function<Result<std::string>(std::uint64_t size, const Digest& root)>;

class Store {
 public:
  virtual ~Store() = default;

  // Generators. put returns false when that exact bundle hash was already registered; `event`
  // is logged in the same transaction exactly when the version is new.
  virtual Result<bool> put_generator_version(const GeneratorVersion& version,
                                             const LogEvent& event) = 0;
  virtual Result<std::optional<GeneratorVersion>> generator_version(std::string_view name,
                                                                    std::string_view hash) = 0;
  virtual Result<std::optional<GeneratorVersion>> latest_generator_version(
      std::string_view name) = 0;
  // Every version of `name`, newest first.
  virtual Result<std::vector<GeneratorVersion>> generator_versions(std::string_view name) = 0;
  // Generators by name, ascending.
  virtual Result<Page<GeneratorSummary>> list_generators(const PageRequest& page) = 0;

  // Renders and assets. put_render writes the asset row (if new) and the render row in one
  // transaction, with `event` in the log; a render with an existing recipe_id is left as it is
  // and logs nothing (returns false).
  virtual Result<bool> put_render(const RenderRecord& render, const AssetRecord& asset,
                                  const LogEvent& event) = 0;
  virtual Result<std::optional<RenderRecord>> render_by_recipe(std::string_view recipe_id) = 0;
  virtual Result<std::optional<RenderRecord>> render_by_asset(std::string_view sha256) = 0;
  // Renders newest first.
  virtual Result<Page<RenderRecord>> list_renders(const PageRequest& page) = 0;
  virtual Result<std::optional<AssetRecord>> asset(std::string_view sha256) = 0;
  // The asset's signed file (as a variant of `parent_sha256`; empty: as itself).
  // put_asset_credential keeps the first one recorded for (asset, parent) and returns false
  // (changing nothing) when there is one.
  virtual Result<bool> put_asset_credential(const AssetCredentialRecord& credential) = 0;
  virtual Result<std::optional<AssetCredentialRecord>> asset_credential(
      std::string_view asset_sha256, std::string_view parent_sha256) = 0;
  // The record whose signed file has this hash.
  virtual Result<std::optional<AssetCredentialRecord>> asset_credential_by_signed(
      std::string_view signed_sha256) = 0;

  // API keys.
  virtual Result<void> put_api_key(const ApiKeyRecord& key) = 0;
  virtual Result<std::optional<ApiKeyRecord>> api_key(std::string_view id) = 0;
  virtual Result<std::vector<ApiKeyRecord>> list_api_keys() = 0;
  virtual Result<bool> revoke_api_key(std::string_view id) = 0;

  // Idempotency keys, scoped by API key id (see IdempotencyClaim above). `request_hash`
  // identifies method+path+body; the claim's lease runs from `now_ms`.
  virtual Result<IdempotencyClaim> claim_idempotency(std::string_view key_id,
                                                     std::string_view idem_key,
                                                     std::string_view request_hash,
                                                     std::int64_t now_ms) = 0;
  // Stores the response of a claim still held under `fence`; false (and nothing written) when
  // it was completed already (in the work's own transaction) or taken over.
  virtual Result<bool> complete_idempotency(const IdempotencyFence& fence, int status,
                                            std::string_view body) = 0;
  // Forgets a claim held under `fence` whose request failed without effect, so a retry runs.
  virtual Result<void> release_idempotency(const IdempotencyFence& fence) = 0;

  // The transparency log. Entries are appended only by the commit that makes the change they
  // record (the put_* calls above) or by append_events for events that change nothing else.
  // Writes are group-committed: concurrent calls share one durable transaction.

  // Appends events in order, durably; returns the index of the first.
  virtual Result<std::uint64_t> append_events(std::span<const LogEvent> events) = 0;
  // The same without waiting: the future resolves once the entry is durable.
  virtual std::future<Result<std::uint64_t>> append_event_async(LogEvent event) = 0;
  // Number of entries (the current tree size).
  virtual Result<std::uint64_t> log_size() = 0;
  // Entries [begin, end) that exist, in order. The caller bounds end - begin.
  virtual Result<std::vector<LogEntryRecord>> log_entries(std::uint64_t begin,
                                                          std::uint64_t end) = 0;
  // Stored complete-subtree hashes at `level` (0: leaf hashes) for indexes [begin, end) that
  // exist, in order. The caller bounds end - begin.
  virtual Result<std::vector<Digest>> log_hashes(std::uint32_t level, std::uint64_t begin,
                                                 std::uint64_t end) = 0;
  // Indexes of the entries about `subject`, ascending.
  virtual Result<std::vector<std::uint64_t>> log_indexes(std::string_view subject) = 0;
  // Signed checkpoints with size > after_size, ascending, at most `limit`.
  virtual Result<std::vector<CheckpointRecord>> checkpoints(std::uint64_t after_size,
                                                            std::int64_t limit) = 0;
  virtual Result<std::optional<CheckpointRecord>> latest_checkpoint() = 0;
  // Commits sign a checkpoint with `signer` whenever the tree grew and the latest checkpoint
  // is at least `interval_ms` old (0: every commit that appends). Without a signer, none.
  virtual void set_checkpoint_signer(CheckpointSigner signer, std::int64_t interval_ms) = 0;
  // Signs a checkpoint now if the tree has grown past the latest one; returns the latest.
  virtual Result<std::optional<CheckpointRecord>> checkpoint_now() = 0;
};

}  // namespace atelier::store
