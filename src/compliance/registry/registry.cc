// Registry: checking and shaping changes for the store, and keeping the matcher in step.
#include "compliance/registry/registry.h"

#include <algorithm>
#include <mutex>
#include <set>

#include "core/assert.h"
#include "core/hash.h"
#include "core/limits.h"
#include "core/merkle.h"

namespace atelier::compliance {

namespace {

static_assert(1 + kImageVariantsMax <= limits::kRegistryCodesPerEntryMax,
              "an image's hash and its variants fit an entry");

// The store keeps a hash as 32 bytes in hex order (registry_store.h): byte i is hex digits
// 2i and 2i + 1 of to_hex(), i.e. the high then the low byte of word 15 - i / 2.
std::array<std::uint8_t, 32> code_bytes(const PdqHash& hash) {
  std::array<std::uint8_t, 32> out{};
  for (std::size_t i = 0; i < out.size(); ++i) {
    const std::uint16_t word = hash.words[15 - i / 2];
    out[i] = static_cast<std::uint8_t>(i % 2 == 0 ? word >> 8 : word & 0xff);
  }
  return out;
}

PdqHash hash_of_bytes(const std::array<std::uint8_t, 32>& bytes) {
  PdqHash hash;
  for (std::size_t w = 0; w < hash.words.size(); ++w) {
    hash.words[w] = static_cast<std::uint16_t>((bytes[30 - 2 * w] << 8) | bytes[31 - 2 * w]);
  }
  return hash;
}

store::RegistryEntryRecord entry_of(const ImportRow& row, const std::string& bank) {
  store::RegistryEntryRecord e;
  e.bank = bank;
  e.label = row.label;
  e.source = row.source;
  e.severity = row.severity;
  e.uri = row.uri;
  e.codes.push_back({"pdq", code_bytes(row.pdq)});
  return e;
}

// A bank's source or a change's reason: the rules of an entry's source.
Result<void> check_source(std::string_view text, std::string_view field) {
  ImportRow row;
  row.label = "-";
  row.severity = "low";
  row.source = std::string(text);
  if (auto ok = check_entry_fields(row, ""); !ok) {
    Error e = ok.error();
    e.message = std::string(field) + e.message.substr(e.message.find(' '));
    e.field = std::string(field);
    return fail(e);
  }
  return {};
}

}  // namespace

Result<void> check_bank_name(std::string_view name) {
  const bool ok = !name.empty() &&
                  static_cast<std::int64_t>(name.size()) <= limits::kNameBytesMax &&
                  std::all_of(name.begin(), name.end(), [](char c) {
                    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                           (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-';
                  });
  if (!ok) {
    return fail(
        Error::invalid("invalid_bank_name", "a bank name is 1 to 64 of A-Z a-z 0-9 . _ -", "bank"));
  }
  return {};
}

Registry::Registry(store::RegistryStore& store, RegistryOptions options)
    : store_(store), options_(options), index_(options.mih) {
  synced_.root = empty_root();
}

Result<ImportResult> Registry::import_table(std::string_view text, TableFormat format,
                                            ImportOptions options) {
  ATELIER_TRY_ASSIGN(ParsedTable table, parse_import_table(text, format));
  if (options.source.format.empty() || options.source.format == "csv" ||
      options.source.format == "tsv") {
    options.source.format = table.format == TableFormat::kTsv ? "tsv" : "csv";
  }
  ATELIER_TRY(check_bank_name(options.bank));
  std::vector<store::RegistryEntryRecord> entries;
  entries.reserve(table.rows.size());
  for (const ImportRow& row : table.rows) entries.push_back(entry_of(row, options.bank));
  return import_entries(std::move(entries), table.rows.size(), options);
}

Result<ImportResult> Registry::import_rows(std::vector<ImportRow> rows,
                                           const ImportOptions& options) {
  ATELIER_TRY(check_bank_name(options.bank));
  if (static_cast<std::int64_t>(rows.size()) > limits::kRegistryImportRowsMax) {
    return fail(Error::limit(
        "registry_import_rows_max",
        "an import holds at most " + std::to_string(limits::kRegistryImportRowsMax) + " entries",
        "entries"));
  }
  std::vector<store::RegistryEntryRecord> entries;
  entries.reserve(rows.size());
  for (std::size_t i = 0; i < rows.size(); ++i) {
    ATELIER_TRY(check_entry_fields(rows[i], "entries[" + std::to_string(i) + "]."));
    entries.push_back(entry_of(rows[i], options.bank));
  }
  return import_entries(std::move(entries), rows.size(), options);
}

Result<ImportResult> Registry::add_image(const ImageSignals& image, const ImportRow& fields,
                                         const ImportOptions& options) {
  ATELIER_TRY(check_bank_name(options.bank));
  ATELIER_TRY(check_entry_fields(fields, ""));
  if (image.quality < kImageQualityMin) {
    return fail(Error::invalid("low_quality_image",
                               "the image's PDQ quality is " + std::to_string(image.quality) +
                                   ", below " + std::to_string(kImageQualityMin) +
                                   ": too flat for its hash to identify it",
                               "file"));
  }
  const auto bad = [](const std::string& what) {
    return fail(Error::invalid("invalid_image_signals", what, "signals"));
  };
  if (!is_sha256_hex(image.sha256_file) || !is_sha256_hex(image.sha256_pixels)) {
    return bad("the file and pixel SHA-256s must be 64 lowercase hex digits");
  }
  if (image.variants.size() > static_cast<std::size_t>(kImageVariantsMax)) {
    return bad("too many variants");
  }
  ImportRow row = fields;
  row.pdq = image.pdq;
  store::RegistryEntryRecord e = entry_of(row, options.bank);
  e.sha256_file = image.sha256_file;
  e.sha256_pixels = image.sha256_pixels;
  std::set<std::string> seen;
  for (const auto& [kind, code] : image.variants) {
    if (!is_image_variant_kind(kind) || !seen.insert(kind).second) {
      return bad("variant \"" + kind.substr(0, 32) + "\" is unknown or repeated");
    }
    e.codes.push_back({kind, code_bytes(code)});
  }
  ImportOptions image_options = options;
  image_options.source = {"image", image.sha256_file};
  std::vector<store::RegistryEntryRecord> entries;
  entries.push_back(std::move(e));
  return import_entries(std::move(entries), 1, image_options);
}

Result<ImportResult> Registry::import_entries(std::vector<store::RegistryEntryRecord> entries,
                                              std::uint64_t rows, const ImportOptions& options) {
  ATELIER_TRY(check_bank_name(options.bank));
  ATELIER_TRY(check_source(options.bank_source, "bank_source"));
  const std::int64_t now = options_.clock->now_ms();
  store::RegistryChange change;
  change.time_ms = now;
  ATELIER_TRY_ASSIGN(const auto banks, store_.registry_banks());
  const bool exists = std::any_of(banks.begin(), banks.end(),
                                  [&](const auto& b) { return b.name == options.bank; });
  if (!exists) change.banks.push_back({options.bank, options.bank_source, true, now, now});
  change.add = std::move(entries);
  change.entry_json = [](const store::RegistryEntryRecord& e) { return registry_entry_json(e); };
  change.event = [&](const store::RegistryOutcome& o) {
    return registry_import_event(o, options.bank, options.source, now);
  };
  ATELIER_TRY_ASSIGN(const store::RegistryOutcome outcome, store_.apply_registry_change(change));
  ImportResult r;
  r.bank = options.bank;
  r.bank_created = !outcome.banks_created.empty();
  r.rows = rows;
  for (std::size_t i = 0; i < outcome.added.size(); ++i) {
    if (outcome.added[i] != 0) r.added.push_back(outcome.added[i]);
    if (outcome.duplicate_of[i] != 0) ++r.duplicates;
  }
  r.snapshot = outcome.snapshot;
  r.logged = outcome.changed;
  return r;
}

Result<StatusResult> Registry::set_status(std::span<const std::int64_t> ids,
                                          std::string_view status, std::string_view reason) {
  if (status != store::kRegistryActive && status != store::kRegistryDisabled &&
      status != store::kRegistryRemoved) {
    return fail(
        Error::invalid("invalid_status", "status must be active, disabled or removed", "status"));
  }
  if (ids.empty()) {
    return fail(Error::invalid("missing_field", "name at least one entry id", "ids"));
  }
  ATELIER_TRY(check_source(reason, "reason"));
  const std::int64_t now = options_.clock->now_ms();
  store::RegistryChange change;
  change.time_ms = now;
  change.create_banks = false;
  for (std::int64_t id : ids) change.status.push_back({id, std::string(status), {}});
  change.event = [&](const store::RegistryOutcome& o) {
    return registry_status_event(o, reason, now);
  };
  ATELIER_TRY_ASSIGN(const store::RegistryOutcome outcome, store_.apply_registry_change(change));
  StatusResult r;
  r.changed = outcome.status_changes;
  r.unchanged = ids.size() - outcome.status_changes.size();
  r.snapshot = outcome.snapshot;
  r.logged = outcome.changed;
  return r;
}

Result<BankResult> Registry::put_bank(std::string_view name, std::optional<std::string_view> source,
                                      std::optional<bool> enabled) {
  ATELIER_TRY(check_bank_name(name));
  ATELIER_TRY(check_source(source.value_or(""), "source"));
  // Unset fields keep the bank's values (a new bank: no source, enabled).
  store::RegistryBankRecord bank{std::string(name), "", true, 0, 0};
  ATELIER_TRY_ASSIGN(const auto banks, store_.registry_banks());
  for (const auto& b : banks) {
    if (b.name == name) bank = b;
  }
  if (source) bank.source = std::string(*source);
  if (enabled) bank.enabled = *enabled;
  const std::int64_t now = options_.clock->now_ms();
  store::RegistryChange change;
  change.time_ms = now;
  change.banks.push_back(bank);
  change.event = [&](const store::RegistryOutcome& o) { return registry_bank_event(o, now); };
  ATELIER_TRY_ASSIGN(const store::RegistryOutcome outcome, store_.apply_registry_change(change));
  BankResult r;
  r.created = !outcome.banks_created.empty();
  r.changed = outcome.changed;
  r.bank = r.created ? outcome.banks_created.front()
                     : (r.changed ? outcome.banks_updated.front() : bank);
  r.snapshot = outcome.snapshot;
  return r;
}

std::uint16_t Registry::bank_index(const std::string& name) {
  auto it = bank_ids_.find(name);
  if (it != bank_ids_.end()) return it->second;
  ATELIER_ASSERT(bank_names_.size() < 0xffff, "registry banks are bounded by kRegistryBanksMax");
  const auto id = static_cast<std::uint16_t>(bank_names_.size());
  bank_names_.push_back(name);
  bank_enabled_.push_back(true);
  bank_ids_.emplace(name, id);
  return id;
}

std::uint8_t Registry::kind_index(const std::string& kind) {
  for (std::size_t i = 0; i < kind_names_.size(); ++i) {
    if (kind_names_[i] == kind) return static_cast<std::uint8_t>(i);
  }
  ATELIER_ASSERT(kind_names_.size() < 0xff, "code kinds are checked on the way in");
  kind_names_.push_back(kind);
  return static_cast<std::uint8_t>(kind_names_.size() - 1);
}

void Registry::apply_delta(const store::RegistryDelta& delta) {
  for (const auto& b : delta.banks) bank_enabled_[bank_index(b.name)] = b.enabled;
  std::vector<PdqHash> codes;
  std::vector<const store::RegistryIndexRow*> added;
  for (const store::RegistryIndexRow& row : delta.entries) {
    auto known = entry_slots_.find(row.id);
    const bool active = row.status == store::kRegistryActive;
    if (active && known == entry_slots_.end()) {
      added.push_back(&row);
      for (const auto& c : row.codes) codes.push_back(hash_of_bytes(c.code));
    } else if (!active && known != entry_slots_.end()) {
      for (MihIndex::Slot s : known->second) index_.remove(s);
      entry_slots_.erase(known);
    }
  }
  if (codes.empty()) return;
  MihIndex::Slot slot = index_.insert_many(codes);
  for (const store::RegistryIndexRow* row : added) {
    const std::uint16_t bank = bank_index(row->bank);
    std::vector<MihIndex::Slot>& slots = entry_slots_[row->id];
    for (const auto& c : row->codes) {
      ATELIER_ASSERT(slot_entry_.size() == slot, "matcher slots follow the index's");
      slot_entry_.push_back(row->id);
      slot_bank_.push_back(bank);
      slot_kind_.push_back(kind_index(c.kind));
      slots.push_back(slot++);
    }
  }
}

Result<store::RegistrySnapshot> Registry::sync() {
  MutexLock serial(sync_mu_);
  ATELIER_TRY_ASSIGN(const store::RegistrySnapshot now, store_.registry_snapshot());
  {
    std::shared_lock lock(mu_);
    if (now.seq == synced_.seq) return synced_;
  }
  ATELIER_TRY_ASSIGN(const store::RegistryDelta delta, store_.registry_delta(synced_.seq));
  std::unique_lock lock(mu_);
  apply_delta(delta);
  synced_ = delta.snapshot;
  return synced_;
}

std::vector<RegistryMatch> Registry::collect(const std::vector<MihMatch>& found) const {
  std::unordered_map<std::int64_t, std::size_t> at;
  std::vector<RegistryMatch> out;
  for (const MihMatch& m : found) {
    const std::uint16_t bank = slot_bank_[m.slot];
    if (!bank_enabled_[bank]) continue;
    const std::int64_t id = slot_entry_[m.slot];
    auto [it, fresh] = at.emplace(id, out.size());
    if (fresh) {
      out.push_back({id, bank_names_[bank], kind_names_[slot_kind_[m.slot]], m.distance});
    } else if (m.distance < out[it->second].distance) {
      out[it->second].distance = m.distance;
      out[it->second].kind = kind_names_[slot_kind_[m.slot]];
    }
  }
  std::sort(out.begin(), out.end(), [](const RegistryMatch& a, const RegistryMatch& b) {
    return a.distance != b.distance ? a.distance < b.distance : a.entry_id < b.entry_id;
  });
  return out;
}

Result<RegistrySearch> Registry::search(const PdqHash& query, int radius) {
  ATELIER_TRY_ASSIGN(auto all, search_many(std::span<const PdqHash>(&query, 1), radius));
  return std::move(all.front());
}

Result<std::vector<RegistrySearch>> Registry::search_many(std::span<const PdqHash> queries,
                                                          int radius) {
  if (radius < 0 || radius > limits::kRegistryRadiusMax) {
    return fail(Error::invalid(
        "invalid_radius",
        "radius must be 0 to " + std::to_string(limits::kRegistryRadiusMax) + " bits", "radius"));
  }
  if (queries.empty() || static_cast<std::int64_t>(queries.size()) > limits::kRegistryQueriesMax) {
    return fail(Error::invalid(
        "invalid_queries",
        "search 1 to " + std::to_string(limits::kRegistryQueriesMax) + " codes at once", "hashes"));
  }
  ATELIER_TRY(sync());
  std::shared_lock lock(mu_);
  std::vector<RegistrySearch> out;
  std::vector<MihMatch> found;
  for (const PdqHash& q : queries) {
    found.clear();
    index_.search(q, radius, found);
    out.push_back({collect(found), synced_});
  }
  return out;
}

std::size_t Registry::indexed_codes() const {
  std::shared_lock lock(mu_);
  return index_.live();
}

std::size_t Registry::index_memory_bytes() const {
  std::shared_lock lock(mu_);
  return index_.memory_bytes() + slot_entry_.capacity() * 8 + slot_bank_.capacity() * 2 +
         slot_kind_.capacity();
}

}  // namespace atelier::compliance
