// registry_store.h — storage for the registry of protected works (issue 16 §2): banks, their
// entries, each entry's 256-bit codes, and the registry's snapshot.
//
// Writes are declarative, as for the ledger: the registry engine (src/compliance/registry)
// checks its input and hands the store one RegistryChange; the store applies it in one
// group-committed transaction with its log entry. Inside that transaction it assigns entry ids
// (ascending), skips an added entry whose code its bank already holds (a duplicate), applies
// status changes (a removed entry stays removed), bumps the registry's sequence number, and
// recomputes the snapshot: the RFC 6962 Merkle root over the leaf hashes of the entries a
// screening is made against — active entries of enabled banks, by ascending id — and their
// count. The change's log event is built by the engine from that outcome, so every event
// records the snapshot it produced. A change that changes nothing is not logged.
//
// The snapshot costs one pass over the screened entries' leaf hashes per change (reading 32
// bytes and one SHA-256 per entry: about a second per million entries), so bulk imports are
// best made in few large changes.
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.h"
#include "core/hash.h"
#include "store/store.h"

namespace atelier::store {

struct RegistryBankRecord {
  std::string name;    // [A-Za-z0-9._-]{1,64}, checked by the engine
  std::string source;  // who supplies the bank
  bool enabled = true;
  std::int64_t created_ms = 0;
  std::int64_t updated_ms = 0;
};

// One PDQ hash of an entry: "pdq" (the work itself) or a variant's, named as the hasher names
// them ("rotate90", "flip_x", "centre_50", "top_left"…; compliance/registry/image_signals.h).
struct RegistryCodeRecord {
  std::string kind;
  std::array<std::uint8_t, 32> code{};  // in hex order: the first byte is the first two digits
  bool operator==(const RegistryCodeRecord&) const = default;
};

inline constexpr std::string_view kRegistryActive = "active";
inline constexpr std::string_view kRegistryDisabled = "disabled";
inline constexpr std::string_view kRegistryRemoved = "removed";

struct RegistryEntryRecord {
  std::int64_t id = 0;  // assigned by the store: 1, 2, … in the order entries were added
  std::string bank;
  std::string label;
  std::string source;         // the owner or source of the work
  std::string severity;       // "low", "medium", "high", "critical" (checked by the engine)
  std::string uri;            // where the original is; may be empty
  std::string status;         // kRegistryActive, kRegistryDisabled, kRegistryRemoved
  std::string sha256_file;    // hex of the imported file's bytes; empty if imported as a hash
  std::string sha256_pixels;  // hex of its decoded pixels; empty likewise
  std::vector<RegistryCodeRecord> codes;  // codes[0] is the "pdq" code (the duplicate key)
  std::string entry_json;  // the canonical JSON the snapshot hashes (RegistryChange::entry_json)
  Digest leaf_hash{};      // leaf_hash(entry_json)
  std::int64_t created_ms = 0;
  std::int64_t updated_ms = 0;
  std::uint64_t added_log_index = 0;  // the entry of the change that added it
  std::uint64_t changed_seq = 0;      // the registry sequence number of its latest change
};

// The registry as a screening sees it: the Merkle root over the screened entries' leaf
// hashes, how many there are, and the sequence number of the change that made it (0 and the
// empty tree's root before any change).
struct RegistrySnapshot {
  Digest root{};
  std::uint64_t count = 0;
  std::uint64_t seq = 0;
  std::uint64_t log_index = 0;  // the log entry of that change (meaningless when seq is 0)
  bool operator==(const RegistrySnapshot&) const = default;
};

struct RegistryStatusChange {
  std::int64_t id = 0;
  std::string to;    // kRegistryActive, kRegistryDisabled or kRegistryRemoved
  std::string from;  // filled in by the store
};

// What the store did with a RegistryChange, handed to its `event` to build the log entry.
struct RegistryOutcome {
  std::vector<RegistryBankRecord> banks_created;
  std::vector<RegistryBankRecord> banks_updated;  // as they are now
  std::vector<std::int64_t> added;                // per RegistryChange::add: its id, or 0
  std::vector<std::int64_t> duplicate_of;         // per RegistryChange::add: the entry it repeats
  std::vector<RegistryStatusChange> status_changes;  // those that changed something
  Digest added_root{};        // Merkle root over the added entries' leaf hashes, by id
  RegistrySnapshot snapshot;  // after the change
  bool changed = false;       // false: nothing to log, nothing committed
};

struct RegistryChange {
  std::int64_t time_ms = 0;
  // Banks to create, or whose source and enabled flag to set. A bank named by an entry must
  // exist (here or already).
  std::vector<RegistryBankRecord> banks;
  // Whether `banks` may create banks (false: an unknown name is "bank_not_found").
  bool create_banks = true;
  // Entries to add: id, status, entry_json, leaf_hash, times and indexes are the store's.
  std::vector<RegistryEntryRecord> add;
  std::vector<RegistryStatusChange> status;
  // The canonical JSON of an added entry, given its id (the engine's format).
  std::function<std::string(const RegistryEntryRecord&)> entry_json;
  // The change's log event, given what was done. Required.
  std::function<Result<LogEvent>(const RegistryOutcome&)> event;
};

// An entry as the matcher needs it: which bank, whether it is screened, its codes.
struct RegistryIndexRow {
  std::int64_t id = 0;
  std::string bank;
  std::string status;
  std::vector<RegistryCodeRecord> codes;
};

// Everything changed after a sequence number, read in one transaction with the snapshot that
// includes it: the matcher applies the rows and then matches exactly that snapshot.
struct RegistryDelta {
  RegistrySnapshot snapshot;
  std::vector<RegistryBankRecord> banks;  // every bank (few)
  std::vector<RegistryIndexRow> entries;  // changed_seq > after, by id
};

class RegistryStore {
 public:
  virtual ~RegistryStore() = default;

  // Applies the change with its log entry. Errors (nothing written): "bank_not_found",
  // "registry_entry_not_found", "registry_entry_removed" (a removed entry cannot change),
  // "registry_entries_max" (the registry would exceed limits::kRegistryEntriesMax).
  virtual Result<RegistryOutcome> apply_registry_change(const RegistryChange& change) = 0;

  virtual Result<RegistrySnapshot> registry_snapshot() = 0;
  virtual Result<std::vector<RegistryBankRecord>> registry_banks() = 0;
  virtual Result<std::optional<RegistryEntryRecord>> registry_entry(std::int64_t id) = 0;
  // Entries by ascending id, optionally of one bank and one status; the cursor is the last id.
  struct EntryFilter {
    std::string bank;    // empty: every bank
    std::string status;  // empty: every status
  };
  virtual Result<Page<RegistryEntryRecord>> list_registry_entries(const EntryFilter& filter,
                                                                  const PageRequest& page) = 0;
  // Screened entries (active, in an enabled bank) whose file or decoded pixels have this
  // SHA-256 (64 hex digits; an empty one matches nothing), by id, without their codes.
  virtual Result<std::vector<RegistryEntryRecord>> registry_exact_matches(
      std::string_view sha256_file, std::string_view sha256_pixels) = 0;
  // The matcher's feed: see RegistryDelta.
  virtual Result<RegistryDelta> registry_delta(std::uint64_t after_seq) = 0;
};

}  // namespace atelier::store
