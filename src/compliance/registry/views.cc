#include "compliance/registry/views.h"

#include "core/hash.h"

namespace atelier::compliance {

using nlohmann::json;

json snapshot_view(const store::RegistrySnapshot& s) {
  return {{"root", atelier::to_hex(s.root)},
          {"count", s.count},
          {"seq", s.seq},
          {"log_index", s.log_index}};
}

json bank_view(const store::RegistryBankRecord& b) {
  return {{"name", b.name},
          {"source", b.source},
          {"enabled", b.enabled},
          {"created_ms", b.created_ms},
          {"updated_ms", b.updated_ms}};
}

json entry_view(const store::RegistryEntryRecord& e) {
  json variants = json::object();
  std::string pdq;
  for (const auto& c : e.codes) {
    if (c.kind == "pdq") {
      pdq = atelier::to_hex(c.code);
    } else {
      variants[c.kind] = atelier::to_hex(c.code);
    }
  }
  return {{"id", e.id},
          {"bank", e.bank},
          {"label", e.label},
          {"source", e.source},
          {"severity", e.severity},
          {"uri", e.uri},
          {"status", e.status},
          {"pdq", pdq},
          {"variants", std::move(variants)},
          {"sha256_file", e.sha256_file},
          {"sha256_pixels", e.sha256_pixels},
          {"created_ms", e.created_ms},
          {"updated_ms", e.updated_ms},
          {"added_log_index", e.added_log_index},
          {"leaf_hash", atelier::to_hex(e.leaf_hash)}};
}

json import_view(const ImportResult& r) {
  return {{"bank", r.bank},
          {"bank_created", r.bank_created},
          {"rows", r.rows},
          {"added", r.added.size()},
          {"duplicates", r.duplicates},
          {"first_id", r.added.empty() ? 0 : r.added.front()},
          {"last_id", r.added.empty() ? 0 : r.added.back()},
          {"logged", r.logged},
          {"snapshot", snapshot_view(r.snapshot)}};
}

json status_view(const StatusResult& r) {
  json changed = json::array();
  for (const auto& c : r.changed) changed.push_back({{"id", c.id}, {"from", c.from}, {"to", c.to}});
  return {{"changed", std::move(changed)},
          {"unchanged", r.unchanged},
          {"logged", r.logged},
          {"snapshot", snapshot_view(r.snapshot)}};
}

json search_view(const RegistrySearch& s) {
  json matches = json::array();
  for (const auto& m : s.matches) {
    matches.push_back(
        {{"entry_id", m.entry_id}, {"bank", m.bank}, {"kind", m.kind}, {"distance", m.distance}});
  }
  return {{"matches", std::move(matches)}, {"snapshot", snapshot_view(s.snapshot)}};
}

}  // namespace atelier::compliance
