// SqliteStore's registry of protected works (registry_store.h): applying a RegistryChange in
// one write with its log entry and snapshot, and the reads the registry engine and its
// matcher make.
#include <sqlite3.h>

#include <charconv>
#include <cstring>
#include <set>
#include <string>

#include "core/assert.h"
#include "core/limits.h"
#include "core/merkle.h"
#include "store/internal/sqlite_txn.h"
#include "store/sqlite_store.h"

namespace atelier::store {

using internal::Stmt;
using internal::StmtCache;

namespace {

constexpr std::string_view kEntryColumns =
    "id, bank, label, source, severity, uri, status, sha256_file, sha256_pixels, entry_json, "
    "leaf_hash, created_ms, updated_ms, added_log_index, changed_seq";

constexpr std::string_view kStatuses[] = {kRegistryActive, kRegistryDisabled, kRegistryRemoved};

std::int64_t as_int64(std::uint64_t v) { return static_cast<std::int64_t>(v); }

template <std::size_t N>
bool copy_blob(std::span<const std::uint8_t> b, std::array<std::uint8_t, N>& out) {
  if (b.size() != N) return false;
  std::memcpy(out.data(), b.data(), N);
  return true;
}

Result<RegistryEntryRecord> read_entry(const Stmt& s) {
  internal::Row row(s, "registry_works", std::to_string(s.int64(0)));
  RegistryEntryRecord e;
  e.id = s.int64(0);
  e.bank = s.text(1);
  e.label = s.text(2);
  e.source = s.text(3);
  e.severity = s.text(4);
  e.uri = s.text(5);
  e.status = row.one_of(6, "status", kStatuses);
  e.sha256_file = s.text(7);
  e.sha256_pixels = s.text(8);
  e.entry_json = s.text(9);
  if (!copy_blob(s.blob(10), e.leaf_hash)) row.bad("leaf_hash", "not 32 bytes");
  e.created_ms = s.int64(11);
  e.updated_ms = s.int64(12);
  e.added_log_index = row.count(13, "added_log_index");
  e.changed_seq = row.count(14, "changed_seq");
  ATELIER_TRY(row.status());
  return e;
}

// The entry's codes, in order.
Result<std::vector<RegistryCodeRecord>> read_codes(StmtCache& stmts, std::int64_t id) {
  Stmt& q = stmts.get("SELECT kind, code FROM registry_codes WHERE entry_id = ?1 ORDER BY ord");
  q.bind(1, id);
  internal::ScopedReset q_done(q);
  std::vector<RegistryCodeRecord> out;
  ATELIER_TRY(internal::each_row(q, "reading registry codes", [&]() -> Result<void> {
    RegistryCodeRecord c{q.text(0), {}};
    if (!copy_blob(q.blob(1), c.code)) {
      return fail(internal::corrupt("registry_codes", std::to_string(id), "code", "not 32 bytes"));
    }
    out.push_back(std::move(c));
    return {};
  }));
  return out;
}

Result<RegistrySnapshot> read_snapshot(StmtCache& stmts) {
  Stmt& q = stmts.get("SELECT seq, root, count, log_index FROM registry_state WHERE id = 1");
  internal::ScopedReset q_done(q);
  ATELIER_TRY_ASSIGN(const bool any, q.next("reading the registry state"));
  RegistrySnapshot s;
  if (!any) {
    s.root = empty_root();
    return s;
  }
  internal::Row row(q, "registry_state", "1");
  s.seq = row.count(0, "seq");
  if (!copy_blob(q.blob(1), s.root)) row.bad("root", "not 32 bytes");
  s.count = row.count(2, "count");
  s.log_index = row.count(3, "log_index");
  ATELIER_TRY(row.status());
  return s;
}

Result<std::vector<RegistryBankRecord>> read_banks(StmtCache& stmts) {
  Stmt& q = stmts.get(
      "SELECT name, source, enabled, created_ms, updated_ms FROM registry_banks ORDER BY name");
  internal::ScopedReset q_done(q);
  std::vector<RegistryBankRecord> out;
  ATELIER_TRY(internal::each_row(q, "reading registry banks", [&]() -> Result<void> {
    internal::Row row(q, "registry_banks", q.text(0));
    out.push_back({q.text(0), q.text(1), row.flag(2, "enabled"), q.int64(3), q.int64(4)});
    return row.status();
  }));
  return out;
}

// The Merkle root and count of the screened entries: active, in an enabled bank, by id.
Result<std::pair<Digest, std::uint64_t>> screened_root(StmtCache& stmts) {
  Stmt& q = stmts.get(
      "SELECT e.leaf_hash FROM registry_works e JOIN registry_banks b ON b.name = e.bank "
      "WHERE e.status = 'active' AND b.enabled = 1 ORDER BY e.id");
  internal::ScopedReset q_done(q);
  MerkleEdge edge;
  ATELIER_TRY(internal::each_row(q, "hashing the registry snapshot", [&]() -> Result<void> {
    Digest leaf{};
    if (!copy_blob(q.blob(0), leaf)) {
      return fail(internal::corrupt("registry_works", "?", "leaf_hash", "not 32 bytes"));
    }
    edge.append(leaf, [](std::uint32_t, std::uint64_t, const Digest&) {});
    return {};
  }));
  return std::pair{edge.root(), edge.size()};
}

// Creates or updates the change's banks; fills outcome.banks_created / banks_updated.
Result<void> apply_banks(StmtCache& stmts, const RegistryChange& change, std::uint64_t seq,
                         RegistryOutcome& out) {
  for (const RegistryBankRecord& b : change.banks) {
    Stmt& q = stmts.get("SELECT source, enabled, created_ms FROM registry_banks WHERE name = ?1");
    q.bind(1, b.name);
    auto found = q.next("reading a registry bank");
    const bool exists = found && *found;
    const bool same = exists && q.text(0) == b.source && (q.int64(1) != 0) == b.enabled;
    const std::int64_t created_ms = exists ? q.int64(2) : change.time_ms;
    q.reset();
    if (!found) return fail(found.error());
    if (same) continue;
    if (!exists && !change.create_banks) {
      return fail(Error::not_found("bank_not_found", "no registry bank " + b.name, "bank"));
    }
    if (!exists) {
      Stmt& n = stmts.get("SELECT COUNT(*) FROM registry_banks");
      ATELIER_TRY(n.one("counting registry banks"));
      const std::int64_t banks = n.int64(0);
      n.reset();
      if (banks >= limits::kRegistryBanksMax) {
        return fail(Error::limit(
            "registry_banks_max",
            "the registry holds " + std::to_string(banks) + " banks, registry_banks_max", "bank"));
      }
    }
    Stmt& up = stmts.get(
        "INSERT INTO registry_banks (name, source, enabled, created_ms, updated_ms, changed_seq) "
        "VALUES (?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT (name) DO UPDATE SET source = "
        "excluded.source, enabled = excluded.enabled, updated_ms = excluded.updated_ms, "
        "changed_seq = excluded.changed_seq");
    up.bind(1, b.name).bind(2, b.source).bind(3, b.enabled ? 1 : 0).bind(4, created_ms);
    up.bind(5, change.time_ms).bind(6, as_int64(seq));
    ATELIER_TRY(up.run("writing a registry bank"));
    RegistryBankRecord now{b.name, b.source, b.enabled, created_ms, change.time_ms};
    (exists ? out.banks_updated : out.banks_created).push_back(std::move(now));
  }
  return {};
}

Result<std::int64_t> duplicate_of(StmtCache& stmts, const RegistryEntryRecord& e) {
  Stmt& q = stmts.get(
      "SELECT id FROM registry_works WHERE bank = ?1 AND pdq = ?2 AND status != 'removed' "
      "ORDER BY id LIMIT 1");
  q.bind(1, e.bank).bind_blob(2, e.codes.front().code);
  internal::ScopedReset q_done(q);
  ATELIER_TRY_ASSIGN(const bool found, q.next("looking for a duplicate registry entry"));
  return found ? q.int64(0) : 0;
}

Result<void> insert_entry(StmtCache& stmts, const RegistryEntryRecord& e) {
  Stmt& ins = stmts.get(
      "INSERT INTO registry_works (id, bank, label, source, severity, uri, status, pdq, "
      "sha256_file, sha256_pixels, entry_json, leaf_hash, created_ms, updated_ms, "
      "added_log_index, changed_seq) "
      "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16)");
  ins.bind(1, e.id).bind(2, e.bank).bind(3, e.label).bind(4, e.source).bind(5, e.severity);
  ins.bind(6, e.uri).bind(7, e.status).bind_blob(8, e.codes.front().code);
  ins.bind(9, e.sha256_file).bind(10, e.sha256_pixels).bind(11, e.entry_json);
  ins.bind_blob(12, e.leaf_hash).bind(13, e.created_ms).bind(14, e.updated_ms);
  ins.bind(15, as_int64(e.added_log_index)).bind(16, as_int64(e.changed_seq));
  ATELIER_TRY(ins.run("adding a registry entry"));
  for (std::size_t i = 0; i < e.codes.size(); ++i) {
    Stmt& c =
        stmts.get("INSERT INTO registry_codes (entry_id, ord, kind, code) VALUES (?1, ?2, ?3, ?4)");
    c.bind(1, e.id).bind(2, static_cast<std::int64_t>(i)).bind(3, e.codes[i].kind);
    c.bind_blob(4, e.codes[i].code);
    ATELIER_TRY(c.run("adding a registry code"));
  }
  return {};
}

Result<void> add_entries(StmtCache& stmts, const RegistryChange& change, std::uint64_t seq,
                         std::uint64_t log_index, RegistryOutcome& out) {
  Stmt& top = stmts.get("SELECT COALESCE(MAX(id), 0) FROM registry_works");
  ATELIER_TRY(top.one("reading the last registry entry id"));
  std::int64_t next_id = top.int64(0) + 1;
  top.reset();
  if (next_id - 1 + static_cast<std::int64_t>(change.add.size()) > limits::kRegistryEntriesMax) {
    return fail(Error::limit("registry_works_max",
                             "the registry would exceed registry_works_max (" +
                                 std::to_string(limits::kRegistryEntriesMax) + " entries)",
                             "entries"));
  }
  std::set<std::string, std::less<>> banks_known;
  MerkleEdge added;
  for (const RegistryEntryRecord& in : change.add) {
    ATELIER_ASSERT(!in.codes.empty() && in.codes.front().kind == "pdq",
                   "a registry entry's first code is its own");
    if (!banks_known.contains(in.bank)) {
      Stmt& b = stmts.get("SELECT 1 FROM registry_banks WHERE name = ?1");
      b.bind(1, in.bank);
      auto found = b.next("reading a registry bank");
      b.reset();
      if (!found) return fail(found.error());
      if (!*found) {
        return fail(Error::not_found("bank_not_found", "no registry bank " + in.bank, "bank"));
      }
      banks_known.insert(in.bank);
    }
    ATELIER_TRY_ASSIGN(const std::int64_t dup, duplicate_of(stmts, in));
    out.duplicate_of.push_back(dup);
    out.added.push_back(dup == 0 ? next_id : 0);
    if (dup != 0) continue;
    RegistryEntryRecord e = in;
    e.id = next_id++;
    e.status = std::string(kRegistryActive);
    e.created_ms = e.updated_ms = change.time_ms;
    e.added_log_index = log_index;
    e.changed_seq = seq;
    e.entry_json = change.entry_json(e);
    e.leaf_hash = leaf_hash(e.entry_json);
    ATELIER_TRY(insert_entry(stmts, e));
    added.append(e.leaf_hash, [](std::uint32_t, std::uint64_t, const Digest&) {});
  }
  out.added_root = added.root();
  return {};
}

Result<void> change_statuses(StmtCache& stmts, const RegistryChange& change, std::uint64_t seq,
                             RegistryOutcome& out) {
  for (const RegistryStatusChange& c : change.status) {
    ATELIER_ASSERT(c.to == kRegistryActive || c.to == kRegistryDisabled || c.to == kRegistryRemoved,
                   "registry status " + c.to);
    Stmt& q = stmts.get("SELECT status FROM registry_works WHERE id = ?1");
    q.bind(1, c.id);
    auto found = q.next("reading a registry entry");
    const std::string from = found && *found ? q.text(0) : std::string();
    q.reset();
    if (!found) return fail(found.error());
    if (!*found) {
      return fail(Error::not_found("registry_entry_not_found",
                                   "no registry entry " + std::to_string(c.id), "id"));
    }
    if (from == c.to) continue;
    if (from == kRegistryRemoved) {
      return fail(Error::conflict(
          "registry_entry_removed",
          "registry entry " + std::to_string(c.id) + " was removed; a removed entry stays removed",
          "id"));
    }
    Stmt& up = stmts.get(
        "UPDATE registry_works SET status = ?2, updated_ms = ?3, changed_seq = ?4 WHERE id = ?1");
    up.bind(1, c.id).bind(2, c.to).bind(3, change.time_ms).bind(4, as_int64(seq));
    ATELIER_TRY(up.run("changing a registry entry's status"));
    out.status_changes.push_back({c.id, c.to, from});
  }
  return {};
}

}  // namespace

Result<RegistryOutcome> SqliteStore::apply_registry_change(const RegistryChange& change) {
  ATELIER_ASSERT(change.event && (change.add.empty() || change.entry_json),
                 "a registry change needs its event and entry formats");
  if (change.status.size() > static_cast<std::size_t>(limits::kRegistryStatusChangesMax)) {
    return fail(Error::limit("registry_status_changes_max",
                             "at most " + std::to_string(limits::kRegistryStatusChangesMax) +
                                 " entries change status at once",
                             "ids"));
  }
  return write<RegistryOutcome>([&](Txn& txn) -> Result<RegistryOutcome> {
    StmtCache& stmts = txn.stmts();
    ATELIER_TRY_ASSIGN(const RegistrySnapshot before, read_snapshot(stmts));
    const std::uint64_t seq = before.seq + 1;
    const std::uint64_t log_index = txn.next_log_index();
    RegistryOutcome out;
    ATELIER_TRY(apply_banks(stmts, change, seq, out));
    ATELIER_TRY(add_entries(stmts, change, seq, log_index, out));
    ATELIER_TRY(change_statuses(stmts, change, seq, out));
    bool added_any = false;
    for (std::int64_t id : out.added) added_any = added_any || id != 0;
    out.changed = added_any || !out.banks_created.empty() || !out.banks_updated.empty() ||
                  !out.status_changes.empty();
    if (!out.changed) {
      out.snapshot = before;
      return out;
    }
    ATELIER_TRY_ASSIGN(const auto screened, screened_root(stmts));
    out.snapshot = {screened.first, screened.second, seq, log_index};
    ATELIER_TRY_ASSIGN(const LogEvent event, change.event(out));
    ATELIER_TRY_ASSIGN(const std::uint64_t appended, txn.append(event));
    ATELIER_ASSERT(appended == log_index, "the registry change's log index moved");
    Stmt& st = stmts.get(
        "INSERT INTO registry_state (id, seq, root, count, log_index) VALUES (1, ?1, ?2, ?3, ?4) "
        "ON CONFLICT (id) DO UPDATE SET seq = excluded.seq, root = excluded.root, "
        "count = excluded.count, log_index = excluded.log_index");
    st.bind(1, as_int64(seq)).bind_blob(2, out.snapshot.root).bind(3, as_int64(out.snapshot.count));
    st.bind(4, as_int64(log_index));
    ATELIER_TRY(st.run("writing the registry state"));
    return out;
  });
}

Result<RegistrySnapshot> SqliteStore::registry_snapshot() {
  MutexLock lock(read_mu_);
  return read_snapshot(*rstmts_);
}

Result<std::vector<RegistryBankRecord>> SqliteStore::registry_banks() {
  MutexLock lock(read_mu_);
  return read_banks(*rstmts_);
}

Result<std::optional<RegistryEntryRecord>> SqliteStore::registry_entry(std::int64_t id) {
  MutexLock lock(read_mu_);
  Stmt& q =
      rstmts_->get("SELECT " + std::string(kEntryColumns) + " FROM registry_works WHERE id = ?1");
  q.bind(1, id);
  std::optional<RegistryEntryRecord> out;
  {
    internal::ScopedReset q_done(q);
    ATELIER_TRY_ASSIGN(const bool found, q.next("reading a registry entry"));
    if (!found) return out;
    ATELIER_TRY_ASSIGN(out, read_entry(q));
  }
  ATELIER_TRY_ASSIGN(out->codes, read_codes(*rstmts_, id));
  return out;
}

Result<std::vector<RegistryEntryRecord>> SqliteStore::registry_exact_matches(
    std::string_view sha256_file, std::string_view sha256_pixels) {
  MutexLock lock(read_mu_);
  Stmt& q = rstmts_->get(
      "SELECT " + std::string(kEntryColumns) +
      " FROM registry_works WHERE ((?1 != '' AND sha256_file = ?1) OR (?2 != '' AND "
      "sha256_pixels = ?2)) AND status = 'active' AND bank IN (SELECT name FROM registry_banks "
      "WHERE enabled = 1) ORDER BY id LIMIT ?3");
  q.bind(1, sha256_file).bind(2, sha256_pixels).bind(3, limits::kPageSizeMax);
  std::vector<RegistryEntryRecord> out;
  internal::ScopedReset q_done(q);
  ATELIER_TRY(internal::each_row(q, "reading exact registry matches", [&]() -> Result<void> {
    ATELIER_TRY_ASSIGN(auto e, read_entry(q));
    out.push_back(std::move(e));
    return {};
  }));
  return out;
}

Result<Page<RegistryEntryRecord>> SqliteStore::list_registry_entries(const EntryFilter& filter,
                                                                     const PageRequest& page) {
  std::int64_t after = 0;
  if (!page.cursor.empty()) {
    auto [p, ec] =
        std::from_chars(page.cursor.data(), page.cursor.data() + page.cursor.size(), after);
    if (ec != std::errc() || p != page.cursor.data() + page.cursor.size() || after < 0) {
      return fail(
          Error::invalid("invalid_cursor", "cursor is not one this server issued", "cursor"));
    }
  }
  MutexLock lock(read_mu_);
  Stmt& q = rstmts_->get("SELECT " + std::string(kEntryColumns) +
                         " FROM registry_works WHERE id > ?1 AND (?2 = '' OR bank = ?2) AND "
                         "(?3 = '' OR status = ?3) ORDER BY id LIMIT ?4");
  q.bind(1, after).bind(2, filter.bank).bind(3, filter.status).bind(4, page.limit + 1);
  Page<RegistryEntryRecord> out;
  {
    internal::ScopedReset q_done(q);
    ATELIER_TRY(internal::each_row(q, "listing registry entries", [&]() -> Result<void> {
      ATELIER_TRY_ASSIGN(auto e, read_entry(q));
      out.items.push_back(std::move(e));
      return {};
    }));
  }
  if (out.items.size() > static_cast<std::size_t>(page.limit)) {
    out.items.pop_back();
    out.next_cursor = std::to_string(out.items.back().id);
  }
  for (auto& e : out.items) {
    ATELIER_TRY_ASSIGN(e.codes, read_codes(*rstmts_, e.id));
  }
  return out;
}

Result<RegistryDelta> SqliteStore::registry_delta(std::uint64_t after_seq) {
  MutexLock lock(read_mu_);
  // One read transaction: the snapshot and the rows are the same moment of the database.
  ATELIER_TRY(internal::exec(rdb_, "BEGIN"));
  auto read = [&]() -> Result<RegistryDelta> {
    RegistryDelta d;
    ATELIER_TRY_ASSIGN(d.snapshot, read_snapshot(*rstmts_));
    ATELIER_TRY_ASSIGN(d.banks, read_banks(*rstmts_));
    Stmt& q = rstmts_->get(
        "SELECT e.id, e.bank, e.status, c.kind, c.code FROM registry_works e "
        "JOIN registry_codes c ON c.entry_id = e.id WHERE e.changed_seq > ?1 "
        "ORDER BY e.id, c.ord");
    q.bind(1, as_int64(after_seq));
    internal::ScopedReset q_done(q);
    ATELIER_TRY(internal::each_row(q, "reading registry changes", [&]() -> Result<void> {
      const std::int64_t id = q.int64(0);
      if (d.entries.empty() || d.entries.back().id != id) {
        internal::Row row(q, "registry_works", std::to_string(id));
        d.entries.push_back({id, q.text(1), row.one_of(2, "status", kStatuses), {}});
        ATELIER_TRY(row.status());
      }
      RegistryCodeRecord c{q.text(3), {}};
      if (!copy_blob(q.blob(4), c.code)) {
        return fail(
            internal::corrupt("registry_codes", std::to_string(id), "code", "not 32 bytes"));
      }
      d.entries.back().codes.push_back(std::move(c));
      return {};
    }));
    return d;
  };
  Result<RegistryDelta> d = read();
  (void)internal::exec(rdb_, "COMMIT");  // A read transaction: nothing to lose if it fails.
  return d;
}

}  // namespace atelier::store
