#include "compliance/registry/events.h"

#include <nlohmann/json.hpp>
#include <set>

#include "core/canonical_json.h"
#include "core/event.h"
#include "core/limits.h"
#include "core/merkle.h"

namespace atelier::compliance {

namespace {

using nlohmann::json;

json snapshot_json(const store::RegistrySnapshot& s) {
  return {{"root", atelier::to_hex(s.root)}, {"count", s.count}, {"seq", s.seq}};
}

}  // namespace

std::string snapshot_root_hex(const store::RegistrySnapshot& snapshot) {
  return atelier::to_hex(snapshot.root);
}

std::string registry_entry_json(const store::RegistryEntryRecord& e) {
  json variants = json::object();
  std::string pdq;
  for (const store::RegistryCodeRecord& c : e.codes) {
    if (c.kind == "pdq") {
      pdq = atelier::to_hex(c.code);
    } else {
      variants[c.kind] = atelier::to_hex(c.code);
    }
  }
  json j = {{"id", e.id},
            {"bank", e.bank},
            {"label", e.label},
            {"source", e.source},
            {"severity", e.severity},
            {"uri", e.uri},
            {"pdq", pdq},
            {"variants", std::move(variants)},
            {"sha256_file", e.sha256_file},
            {"sha256_pixels", e.sha256_pixels}};
  auto text = canonical_json(j);
  // Strings and an id below 2^53 (limits::kRegistryEntriesMax): canonicalisation cannot fail.
  return text ? *text : j.dump();
}

Result<store::LogEvent> registry_import_event(const store::RegistryOutcome& o,
                                              std::string_view bank, const ImportSource& source,
                                              std::int64_t time_ms) {
  std::int64_t first = 0;
  std::int64_t last = 0;
  std::uint64_t added = 0;
  std::uint64_t duplicates = 0;
  for (std::size_t i = 0; i < o.added.size(); ++i) {
    if (o.added[i] != 0) {
      if (first == 0) first = o.added[i];
      last = o.added[i];
      ++added;
    } else if (o.duplicate_of[i] != 0) {
      ++duplicates;
    }
  }
  json j = {{"bank", bank},
            {"format", source.format},
            {"input_sha256", source.input_sha256},
            {"added", added},
            {"duplicates", duplicates},
            {"first_id", first},
            {"last_id", last},
            {"added_root", atelier::to_hex(o.added_root)},
            {"snapshot", snapshot_json(o.snapshot)}};
  if (!o.banks_created.empty()) {
    j["bank_created"] = {{"name", o.banks_created.front().name},
                         {"source", o.banks_created.front().source}};
  }
  return store::LogEvent{event_entry("compliance.registry.import", time_ms, std::move(j)),
                         {"registry-bank:" + std::string(bank)}};
}

Result<store::LogEvent> registry_bank_event(const store::RegistryOutcome& o, std::int64_t time_ms) {
  const bool created = !o.banks_created.empty();
  const store::RegistryBankRecord& b = created ? o.banks_created.front() : o.banks_updated.front();
  json j = {{"bank", {{"name", b.name}, {"source", b.source}, {"enabled", b.enabled}}},
            {"created", created},
            {"snapshot", snapshot_json(o.snapshot)}};
  return store::LogEvent{event_entry("compliance.registry.bank", time_ms, std::move(j)),
                         {"registry-bank:" + b.name}};
}

Result<store::LogEvent> registry_status_event(const store::RegistryOutcome& o,
                                              std::string_view reason, std::int64_t time_ms) {
  json changes = json::array();
  std::vector<std::string> subjects;
  for (const auto& c : o.status_changes) {
    changes.push_back({{"id", c.id}, {"from", c.from}, {"to", c.to}});
    subjects.push_back("registry-entry:" + std::to_string(c.id));
  }
  json j = {
      {"changes", std::move(changes)}, {"reason", reason}, {"snapshot", snapshot_json(o.snapshot)}};
  return store::LogEvent{event_entry("compliance.registry.status", time_ms, std::move(j)),
                         std::move(subjects)};
}

Result<SnapshotCheck> check_registry_snapshot(store::RegistryStore& store) {
  SnapshotCheck check;
  ATELIER_TRY_ASSIGN(const auto banks, store.registry_banks());
  std::set<std::string, std::less<>> enabled;
  for (const auto& b : banks) {
    if (b.enabled) enabled.insert(b.name);
  }
  // Read the state first: a change committed meanwhile shows as a disagreement, never as a
  // false pass (the caller retries or runs this with writers stopped).
  ATELIER_TRY_ASSIGN(const store::RegistrySnapshot stored, store.registry_snapshot());
  MerkleEdge edge;
  store::PageRequest page{limits::kPageSizeMax, ""};
  for (;;) {
    ATELIER_TRY_ASSIGN(auto listed, store.list_registry_entries({}, page));
    for (const auto& e : listed.items) {
      ++check.entries;
      const std::string json_text = registry_entry_json(e);
      if (json_text != e.entry_json || leaf_hash(json_text) != e.leaf_hash) {
        check.ok = false;
        check.message = "registry entry " + std::to_string(e.id) +
                        ": its fields do not give its stored leaf (changed outside atelier?)";
        return check;
      }
      if (e.status == store::kRegistryActive && enabled.contains(e.bank)) {
        edge.append(leaf_hash(json_text), [](std::uint32_t, std::uint64_t, const Digest&) {});
      }
    }
    if (listed.next_cursor.empty()) break;
    page.cursor = listed.next_cursor;
  }
  check.screened = edge.size();
  check.recomputed = {edge.root(), edge.size(), stored.seq, stored.log_index};
  if (check.recomputed != stored) {
    check.ok = false;
    check.message = "the registry's entries give snapshot " + atelier::to_hex(edge.root()) +
                    " of " + std::to_string(edge.size()) + " entries; the store records " +
                    atelier::to_hex(stored.root) + " of " + std::to_string(stored.count);
  }
  return check;
}

}  // namespace atelier::compliance
