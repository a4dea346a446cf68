// sqlite_store.h — the embedded Store: one SQLite database in WAL mode.
//
// Migrations (numbered, in migrations.cc) are applied at open inside one transaction each;
// `PRAGMA user_version` records the last one applied. One connection guarded by a mutex
// serves all threads: SQLite serialises writers anyway, and at this scale a single
// connection is simpler than a pool; reads use a second connection of their own so that they
// do not wait for a commit's fsync (WAL readers see the last commit). synchronous=FULL: a
// committed transaction survives power loss.
//
// Group commit (sqlite_commit.cc). Every write is queued to one committer thread (started by
// the first write), which runs whatever has queued meanwhile in one BEGIN IMMEDIATE … COMMIT:
// each write inside its own SAVEPOINT (a failing write is rolled back alone and gets its
// error), then one fsync for all. Callers wait for their write to be durable; a write never
// sees another's failure unless the COMMIT itself fails. Log entries are appended in the
// write that records the change, and the Merkle tree's new subtree hashes and (by policy) a
// signed checkpoint go into the same transaction, so entries, tree and changes can never
// disagree after a crash. Other processes may write to the same file (the CLI next to a
// server): the committer rereads the tree size under the write lock.
#pragma once

#include <condition_variable>
#include <deque>
#include <filesystem>
#include <functional>
#include <memory>
#include <mutex>
#include <set>
#include <thread>

#include "core/clock.h"
#include "core/merkle.h"
#include "core/mutex.h"
#include "store/compliance_store.h"
#include "store/ledger_store.h"
#include "store/registry_store.h"
#include "store/store.h"

struct sqlite3;

namespace atelier::store {

namespace internal {
class StmtCache;
}

// How SqliteStore::open opens its connections.
struct SqliteStoreOptions {
  // The name of a registered SQLite VFS (sqlite3_vfs_register) both connections use. Empty
  // (the default): SQLite's default VFS ("unix"). Tests name a fault-injecting one
  // (tests/store/fault_vfs.h) to fail the N-th read, write, sync or lock, or to drop the
  // writes that were not synced.
  std::string vfs = {};
};

class SqliteStore final : public Store,
                          public LedgerStore,
                          public ComplianceStore,
                          public RegistryStore {
 public:
  // `clock` stamps checkpoints and drives the checkpoint interval; it must outlive the store.
  static Result<std::unique_ptr<SqliteStore>> open(const std::filesystem::path& db_path,
                                                   const Clock* clock = &SystemClock::instance(),
                                                   const SqliteStoreOptions& options = {});
  ~SqliteStore() override;

  int schema_version() const;

  Result<bool> put_generator_version(const GeneratorVersion& version,
                                     const LogEvent& event) override;
  Result<std::optional<GeneratorVersion>> generator_version(std::string_view name,
                                                            std::string_view hash) override;
  Result<std::optional<GeneratorVersion>> latest_generator_version(std::string_view name) override;
  Result<std::vector<GeneratorVersion>> generator_versions(std::string_view name) override;
  Result<Page<GeneratorSummary>> list_generators(const PageRequest& page) override;

  Result<bool> put_render(const RenderRecord& render, const AssetRecord& asset,
                          const LogEvent& event) override;
  Result<std::optional<RenderRecord>> render_by_recipe(std::string_view recipe_id) override;
  Result<std::optional<RenderRecord>> render_by_asset(std::string_view sha256) override;
  Result<Page<RenderRecord>> list_renders(const PageRequest& page) override;
  Result<std::optional<AssetRecord>> asset(std::string_view sha256) override;

  Result<bool> put_asset_credential(const AssetCredentialRecord& credential) override;
  Result<std::optional<AssetCredentialRecord>> asset_credential(
      std::string_view asset_sha256, std::string_view parent_sha256) override;
  Result<std::optional<AssetCredentialRecord>> asset_credential_by_signed(
      std::string_view signed_sha256) override;
  Result<void> put_api_key(const ApiKeyRecord& key) override;
  Result<std::optional<ApiKeyRecord>> api_key(std::string_view id) override;
  Result<std::vector<ApiKeyRecord>> list_api_keys() override;
  Result<bool> revoke_api_key(std::string_view id) override;

  Result<IdempotencyClaim> claim_idempotency(std::string_view key_id, std::string_view idem_key,
                                             std::string_view request_hash,
                                             std::int64_t now_ms) override;
  Result<bool> complete_idempotency(const IdempotencyFence& fence, int status,
                                    std::string_view body) override;
  Result<void> release_idempotency(const IdempotencyFence& fence) override;
  // Who claims idempotency keys through this store, and whether another claimer still runs
  // (sqlite_idempotency.cc). Defaults: this process, read from /proc
  // (internal/process_identity.h). Tests set both to play several processes in one.
  void set_idempotency_owner(std::string owner, std::function<bool(std::string_view)> owner_alive);

  Result<std::uint64_t> append_events(std::span<const LogEvent> events) override;
  std::future<Result<std::uint64_t>> append_event_async(LogEvent event) override;
  Result<std::uint64_t> log_size() override;
  Result<std::vector<LogEntryRecord>> log_entries(std::uint64_t begin, std::uint64_t end) override;
  Result<std::vector<Digest>> log_hashes(std::uint32_t level, std::uint64_t begin,
                                         std::uint64_t end) override;
  Result<std::vector<std::uint64_t>> log_indexes(std::string_view subject) override;
  Result<std::vector<CheckpointRecord>> checkpoints(std::uint64_t after_size,
                                                    std::int64_t limit) override;
  Result<std::optional<CheckpointRecord>> latest_checkpoint() override;
  void set_checkpoint_signer(CheckpointSigner signer, std::int64_t interval_ms) override;
  Result<std::optional<CheckpointRecord>> checkpoint_now() override;

  Result<LedgerReceipt> apply_ledger_change(const LedgerChange& change) override;
  Result<std::optional<AccountRecord>> account(std::string_view id) override;
  Result<std::vector<Balance>> balances(std::string_view account) override;
  Result<std::optional<CollectionRecord>> collection(std::string_view id) override;
  Result<std::optional<TokenRecord>> token(std::string_view collection,
                                           const U256& token_id) override;
  Result<std::vector<TokenRecord>> tokens(std::string_view collection, std::int64_t limit,
                                          const std::optional<U256>& after) override;
  Result<std::uint64_t> token_count(std::string_view collection) override;
  Result<std::vector<TokenHolding>> holders(std::string_view collection,
                                            const U256& token_id) override;
  Result<std::vector<TokenHolding>> holdings(std::string_view account) override;
  Result<std::string> approved(std::string_view collection, const U256& token_id) override;
  Result<bool> is_operator(std::string_view collection, std::string_view owner,
                           std::string_view operator_account) override;
  Result<std::optional<ListingRecord>> listing(std::string_view id) override;
  Result<std::vector<BidRecord>> bids(std::string_view listing_id) override;
  Result<Page<BidRecord>> bids(std::string_view listing_id, const PageRequest& page) override;
  Result<std::vector<SaleRecord>> sales(std::string_view listing_id) override;
  Result<std::optional<FeedRecord>> feed(std::string_view id) override;
  Result<std::vector<FeedRecord>> feeds() override;
  Result<std::vector<FeedReportRecord>> feed_reports(std::string_view feed_id) override;
  Result<LedgerCheck> check_ledger() override;

  // ComplianceStore (sqlite_compliance.cc).
  Result<CompliancePolicyRecord> put_compliance_policy(CompliancePolicyRecord policy,
                                                       const LogEvent& event) override;
  Result<std::optional<CompliancePolicyRecord>> compliance_policy(
      std::string_view collection, std::optional<std::int64_t> version) override;
  Result<std::uint64_t> put_compliance_decision(const ComplianceDecisionRecord& decision,
                                                const LogEvent& event) override;
  Result<std::optional<ComplianceDecisionRecord>> compliance_decision(
      std::string_view id) override;
  Result<std::vector<ComplianceDecisionRecord>> compliance_decisions_for_asset(
      std::string_view asset_sha256) override;
  Result<Page<ComplianceDecisionRecord>> compliance_reviews(ReviewState state,
                                                            const PageRequest& page) override;
  Result<ComplianceDecisionRecord> review_compliance_decision(std::string_view id, ReviewState to,
                                                              std::string_view reviewer,
                                                              std::string_view reason,
                                                              std::int64_t now_ms,
                                                              const LogEvent& event) override;
  Result<TermListRecord> put_term_list(TermListRecord list, const LogEvent& event) override;
  Result<std::vector<TermListRecord>> term_lists(bool with_bodies) override;
  Result<std::uint64_t> remove_term_list(std::string_view name, const LogEvent& event) override;
  Result<void> put_asset_fingerprint(const AssetFingerprintRecord& fingerprint) override;
  Result<std::optional<AssetFingerprintRecord>> asset_fingerprint(
      std::string_view asset_sha256) override;

  // RegistryStore (sqlite_registry.cc).
  Result<RegistryOutcome> apply_registry_change(const RegistryChange& change) override;
  Result<RegistrySnapshot> registry_snapshot() override;
  Result<std::vector<RegistryBankRecord>> registry_banks() override;
  Result<std::optional<RegistryEntryRecord>> registry_entry(std::int64_t id) override;
  Result<Page<RegistryEntryRecord>> list_registry_entries(const EntryFilter& filter,
                                                          const PageRequest& page) override;
  Result<std::vector<RegistryEntryRecord>> registry_exact_matches(
      std::string_view sha256_file, std::string_view sha256_pixels) override;
  Result<RegistryDelta> registry_delta(std::uint64_t after_seq) override;

  // Writes committed together so far, and the largest group: for metrics and benchmarks.
  struct CommitStats {
    std::uint64_t commits = 0;
    std::uint64_t writes = 0;
    std::uint64_t largest_group = 0;
  };
  CommitStats commit_stats() const;

 private:
  class Txn;       // What a queued write runs against (sqlite_commit.cc).
  struct Pending;  // A queued write and the promise of its outcome.
  using WriteOp = std::function<Result<std::uint64_t>(Txn&)>;

  SqliteStore(sqlite3* db, sqlite3* rdb, const Clock* clock);
  // Queues `op` for the committer; the future resolves after the COMMIT (or the op's error).
  std::future<Result<std::uint64_t>> submit(WriteOp op);
  // submit() and wait, for ops that return something else than an index.
  template <typename T, typename F>
  Result<T> write(F&& op);
  void commit_loop();
  void commit_group(std::deque<std::unique_ptr<Pending>>& group);
  Result<void> load_log_state() ATELIER_REQUIRES(mu_);
  // Hashes at `level` over one connection: the writer's (db_, under mu_) or the reader's.
  Result<std::vector<Digest>> log_hashes_on(internal::StmtCache& stmts, std::uint32_t level,
                                            std::uint64_t begin, std::uint64_t end);
  Result<void> sign_checkpoint_locked() ATELIER_REQUIRES(mu_);

  sqlite3* db_;   // The writer's connection (the committer thread, migrations).
  sqlite3* rdb_;  // Reads: WAL lets them run beside a commit instead of waiting for its fsync.
  const Clock* clock_;
  // db_ and rdb_ are used under mu_ and read_mu_ respectively (and alone by the constructor,
  // the migrations and the destructor, when no other thread can reach them).
  mutable Mutex mu_;  // The writer's connection, its statements and the log state below.
  std::unique_ptr<internal::StmtCache> stmts_ ATELIER_GUARDED_BY(mu_);
  mutable Mutex read_mu_;  // The reader's connection and its statements.
  std::unique_ptr<internal::StmtCache> rstmts_ ATELIER_GUARDED_BY(read_mu_);
  // The log as of the last commit by this process; reread when another process has written.
  MerkleEdge edge_ ATELIER_GUARDED_BY(mu_);
  bool edge_valid_ ATELIER_GUARDED_BY(mu_) = false;
  std::uint64_t checkpoint_size_ ATELIER_GUARDED_BY(mu_) = 0;
  std::int64_t checkpoint_ms_ ATELIER_GUARDED_BY(mu_) = 0;
  CheckpointSigner signer_ ATELIER_GUARDED_BY(mu_);
  std::int64_t checkpoint_interval_ms_ ATELIER_GUARDED_BY(mu_) = 0;
  CommitStats stats_ ATELIER_GUARDED_BY(mu_);
  // Set under mu_ (set_idempotency_owner) and read by writes, which run under it.
  std::string idem_owner_;                                  // Empty: this process.
  std::function<bool(std::string_view)> idem_owner_alive_;  // Empty: read from /proc.
  // Fencing tokens of this process's claims whose release failed (an I/O error after the
  // request's own error): the request has returned, so a retry takes the claim over rather
  // than wait for the lease (sqlite_idempotency.cc). At most kAbandonedClaimsMax.
  std::set<std::string, std::less<>> abandoned_claims_ ATELIER_GUARDED_BY(mu_);

  Mutex queue_mu_;
  CondVar queue_cv_;
  std::deque<std::unique_ptr<Pending>> queue_ ATELIER_GUARDED_BY(queue_mu_);
  bool stopping_ ATELIER_GUARDED_BY(queue_mu_) = false;
  std::thread committer_ ATELIER_GUARDED_BY(queue_mu_);
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
