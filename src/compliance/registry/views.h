// views.h — the registry's records as the doors show them (JSON for `--json` and the API), so
// that the CLI and the HTTP API say the same thing the same way.
#pragma once

#include <nlohmann/json.hpp>

#include "compliance/registry/registry.h"
#include "store/registry_store.h"

namespace atelier::compliance {

// {"root": hex, "count", "seq", "log_index"}
nlohmann::json snapshot_view(const store::RegistrySnapshot& s);
// {"name", "source", "enabled", "created_ms", "updated_ms"}
nlohmann::json bank_view(const store::RegistryBankRecord& b);
// {"id", "bank", "label", "source", "severity", "uri", "status", "pdq", "variants": {kind: hex},
//  "sha256_file", "sha256_pixels", "created_ms", "updated_ms", "added_log_index",
//  "leaf_hash"}
nlohmann::json entry_view(const store::RegistryEntryRecord& e);
// {"bank", "bank_created", "rows", "added", "duplicates", "first_id", "last_id", "logged",
//  "snapshot"}
nlohmann::json import_view(const ImportResult& r);
// {"changed": [{"id", "from", "to"}], "unchanged", "logged", "snapshot"}
nlohmann::json status_view(const StatusResult& r);
// {"matches": [{"entry_id", "bank", "kind", "distance"}], "snapshot"}
nlohmann::json search_view(const RegistrySearch& s);

}  // namespace atelier::compliance
