// events.h — the registry's contracts with the outside: the canonical JSON of an entry (what
// its snapshot leaf hashes), the transparency-log entries of its changes, and the check that
// recomputes a snapshot from the entries as anyone holding them would.
//
// An entry's canonical JSON (RFC 8785), leaf = SHA-256(0x00 || bytes) (RFC 6962):
//   {"bank", "id", "label", "pdq": hex, "severity", "sha256_file", "sha256_pixels", "source",
//    "uri", "variants": {kind: hex, …}}
// (the SHA-256 fields and "uri" are "" when unknown; "variants" is {} for a hash import).
// The snapshot R is the RFC 6962 Merkle tree hash over the leaves of the screened entries —
// status active, bank enabled — in ascending id, with their count N; the empty registry has
// R = SHA-256("") and N = 0.
//
// Log entries (core/event.h envelope), each with "snapshot": {"root", "count", "seq"} as the
// change left it:
//   compliance.registry.import  {"bank", "format", "input_sha256", "added", "duplicates",
//                                "first_id", "last_id", "added_root"}   (subject
//                                registry-bank:<name>; first/last_id 0 when none was added)
//   compliance.registry.bank    {"bank": {"name", "source", "enabled"}, "created"}
//   compliance.registry.status  {"changes": [{"id", "from", "to"}], "reason"}  (subjects
//                                registry-entry:<id>)
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "core/error.h"
#include "store/registry_store.h"
#include "store/store.h"

namespace atelier::compliance {

std::string registry_entry_json(const store::RegistryEntryRecord& entry);

// What an import was made from, for its log entry.
struct ImportSource {
  std::string format;        // "csv", "tsv", "json", "image"
  std::string input_sha256;  // of the file or request body; "" when there was none
};

Result<store::LogEvent> registry_import_event(const store::RegistryOutcome& outcome,
                                              std::string_view bank, const ImportSource& source,
                                              std::int64_t time_ms);
Result<store::LogEvent> registry_bank_event(const store::RegistryOutcome& outcome,
                                            std::int64_t time_ms);
Result<store::LogEvent> registry_status_event(const store::RegistryOutcome& outcome,
                                              std::string_view reason, std::int64_t time_ms);

// {"root": hex, "count", "seq"} as the log and the doors show a snapshot.
std::string snapshot_root_hex(const store::RegistrySnapshot& snapshot);

// Recomputes every entry's leaf from its fields and the snapshot from the screened ones,
// and compares them with what the store holds. ok = false names the first disagreement.
struct SnapshotCheck {
  bool ok = true;
  std::uint64_t entries = 0;
  std::uint64_t screened = 0;
  store::RegistrySnapshot recomputed;
  std::string message;
};
Result<SnapshotCheck> check_registry_snapshot(store::RegistryStore& store);

}  // namespace atelier::compliance
