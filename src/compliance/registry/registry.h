// registry.h — the registry of protected works (issue 16 §2): banks of entries, each a work
// with its 256-bit PDQ code (and, for an imported image, its variants' codes and SHA-256s),
// and the exact search that screening uses.
//
//   compliance::Registry registry(store);
//   auto imported = registry.import_table(csv_text, TableFormat::kAuto, {.bank = "studio-x"});
//   auto found = registry.search(code, 31);   // every entry within 31 bits, exactly
//   // found->snapshot: the registry's Merkle root and count that the search was made against
//   registry.set_status(ids, "removed", "licence granted");
//
// Every change goes to the store in one transaction with its transparency-log entry, which
// records the snapshot it produced (events.h has the formats). A change that changes nothing
// (a re-import of the same codes, removing a removed entry…) is not logged.
//
// The matcher is a MihIndex over the codes of the active entries, fed by the store's
// changed-since reads (RegistryStore::registry_delta): each search first asks the store for
// the registry's sequence number and applies whatever changed since, whoever changed it (this
// process, the CLI beside a server), so a search always runs against the latest committed
// snapshot and reports which one. Entries of a disabled bank stay in the index and are
// filtered out of results, so enabling a bank again costs nothing.
//
// Thread-safety: every member may be called from many threads; searches run concurrently,
// applying changes to the matcher briefly excludes them.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <shared_mutex>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "compliance/pdq.h"
#include "compliance/registry/csv_import.h"
#include "compliance/registry/events.h"
#include "compliance/registry/image_signals.h"
#include "compliance/registry/mih_index.h"
#include "core/clock.h"
#include "core/error.h"
#include "core/mutex.h"
#include "store/registry_store.h"

namespace atelier::compliance {

struct RegistryOptions {
  const Clock* clock = &SystemClock::instance();  // must outlive the registry
  MihOptions mih = {};
};

struct ImportOptions {
  std::string bank = "default";  // created (enabled) if it does not exist
  std::string bank_source = {};  // the source of a bank this import creates
  ImportSource source = {"csv", ""};
};

struct ImportResult {
  std::string bank;
  bool bank_created = false;
  std::uint64_t rows = 0;
  std::vector<std::int64_t> added;  // ids of the new entries, in row order
  std::uint64_t duplicates = 0;     // rows whose code the bank already held
  store::RegistrySnapshot snapshot;
  bool logged = false;  // false: nothing changed
};

struct StatusResult {
  std::vector<store::RegistryStatusChange> changed;
  std::uint64_t unchanged = 0;  // already in that status
  store::RegistrySnapshot snapshot;
  bool logged = false;
};

struct BankResult {
  store::RegistryBankRecord bank;
  bool created = false;
  bool changed = false;
  store::RegistrySnapshot snapshot;
};

struct RegistryMatch {
  std::int64_t entry_id = 0;
  std::string bank;
  std::string kind;  // the entry's nearest code: "pdq" or a variant
  int distance = 0;
  bool operator==(const RegistryMatch&) const = default;
};

struct RegistrySearch {
  std::vector<RegistryMatch> matches;  // one per entry, by distance then id
  store::RegistrySnapshot snapshot;    // the registry searched
};

// A bank name: 1 to 64 of A-Z a-z 0-9 . _ - ("invalid_bank_name", field "bank").
Result<void> check_bank_name(std::string_view name);

class Registry {
 public:
  explicit Registry(store::RegistryStore& store, RegistryOptions options = {});

  // A CSV/TSV file (csv_import.h), refused whole on its first bad line.
  Result<ImportResult> import_table(std::string_view text, TableFormat format,
                                    ImportOptions options);
  // Rows checked as check_entry_fields does ("entries[i]." in error fields).
  Result<ImportResult> import_rows(std::vector<ImportRow> rows, const ImportOptions& options);
  // One image's codes and identity ("low_quality_image" below kImageQualityMin,
  // "invalid_image_signals" for an unknown or repeated variant kind or a bad SHA-256);
  // `fields`' pdq is ignored.
  Result<ImportResult> add_image(const ImageSignals& image, const ImportRow& fields,
                                 const ImportOptions& options);

  // Sets entries' status: "active", "disabled" or "removed" (final). "registry_entry_not_found",
  // "registry_entry_removed"; at most limits::kRegistryStatusChangesMax ids; `reason` (at most
  // kRegistryFieldBytesMax bytes) goes to the log.
  Result<StatusResult> set_status(std::span<const std::int64_t> ids, std::string_view status,
                                  std::string_view reason);
  // Creates a bank or sets its source and whether it is screened; an unset field keeps the
  // bank's value (a new bank: no source, enabled).
  Result<BankResult> put_bank(std::string_view name, std::optional<std::string_view> source,
                              std::optional<bool> enabled);

  // Every screened entry with a code within `radius` (0..limits::kRegistryRadiusMax) of
  // `query`, after bringing the matcher up to the store.
  Result<RegistrySearch> search(const PdqHash& query, int radius);
  // The same for several queries against one snapshot (at most kRegistryQueriesMax).
  Result<std::vector<RegistrySearch>> search_many(std::span<const PdqHash> queries, int radius);

  // Applies the store's changes since the last sync to the matcher; returns its snapshot.
  Result<store::RegistrySnapshot> sync();

  store::RegistryStore& store() { return store_; }
  // Codes in the matcher (live) and its memory, for metrics.
  std::size_t indexed_codes() const;
  std::size_t index_memory_bytes() const;

 private:
  Result<ImportResult> import_entries(std::vector<store::RegistryEntryRecord> entries,
                                      std::uint64_t rows, const ImportOptions& options);
  void apply_delta(const store::RegistryDelta& delta);
  std::vector<RegistryMatch> collect(const std::vector<MihMatch>& found) const;
  std::uint16_t bank_index(const std::string& name);
  std::uint8_t kind_index(const std::string& kind);

  store::RegistryStore& store_;
  RegistryOptions options_;
  Mutex sync_mu_;                 // one sync at a time
  mutable std::shared_mutex mu_;  // the matcher below: shared to search, exclusive to change
  MihIndex index_;
  std::vector<std::int64_t> slot_entry_;
  std::vector<std::uint16_t> slot_bank_;
  std::vector<std::uint8_t> slot_kind_;
  std::vector<std::string> bank_names_;
  std::vector<bool> bank_enabled_;
  std::unordered_map<std::string, std::uint16_t> bank_ids_;
  std::vector<std::string> kind_names_;
  std::unordered_map<std::int64_t, std::vector<MihIndex::Slot>> entry_slots_;
  store::RegistrySnapshot synced_;
};

}  // namespace atelier::compliance
