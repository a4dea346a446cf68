// SqliteStore's registry: ids, duplicates, statuses, the snapshot each change records, the
// matcher's changed-since reads, and the v10 migration.
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <nlohmann/json.hpp>

#include "core/merkle.h"
#include "store/internal/migrations.h"
#include "store/sqlite_store.h"
#include "tests/store/test_dir.h"

namespace atelier::store {
namespace {

using atelier::testing::TempDir;

std::array<std::uint8_t, 32> code(std::uint8_t seed) {
  std::array<std::uint8_t, 32> c{};
  for (std::size_t i = 0; i < c.size(); ++i) c[i] = static_cast<std::uint8_t>(seed * 31 + i);
  return c;
}

RegistryEntryRecord entry(const std::string& bank, std::uint8_t seed) {
  RegistryEntryRecord e;
  e.bank = bank;
  e.label = "work " + std::to_string(seed);
  e.source = "studio";
  e.severity = "high";
  e.codes = {{"pdq", code(seed)}, {"rotate90", code(static_cast<std::uint8_t>(seed + 100))}};
  return e;
}

// A stand-in for the engine's formats (compliance/registry/events.h).
std::string json_of(const RegistryEntryRecord& e) {
  return nlohmann::json{{"id", e.id}, {"bank", e.bank}, {"label", e.label}}.dump();
}
Result<LogEvent> event_of(const RegistryOutcome& o) {
  return LogEvent{nlohmann::json{{"type", "registry.test"},
                                 {"seq", o.snapshot.seq},
                                 {"count", o.snapshot.count},
                                 {"root", to_hex(o.snapshot.root)}}
                      .dump(),
                  {"registry-test"}};
}

class RegistryStore : public ::testing::Test {
 protected:
  void SetUp() override { reopen(); }
  void reopen() {
    db.reset();
    auto s = SqliteStore::open(dir / "atelier.db");
    ASSERT_TRUE(s) << s.error().to_string();
    db = std::move(*s);
  }
  RegistryChange change(std::vector<RegistryEntryRecord> add = {}) {
    RegistryChange c;
    c.time_ms = 1000;
    c.add = std::move(add);
    c.entry_json = json_of;
    c.event = event_of;
    return c;
  }
  RegistryOutcome apply(const RegistryChange& c) {
    auto r = db->apply_registry_change(c);
    EXPECT_TRUE(r) << r.error().to_string();
    return r ? *r : RegistryOutcome{};
  }
  // The expected snapshot: leaves of active entries in enabled banks, by id.
  Digest root_of(const std::vector<std::int64_t>& ids) {
    MerkleEdge edge;
    for (std::int64_t id : ids) {
      auto e = db->registry_entry(id).value();
      EXPECT_TRUE(e);
      edge.append(e->leaf_hash, [](std::uint32_t, std::uint64_t, const Digest&) {});
    }
    return edge.root();
  }
  TempDir dir;
  std::unique_ptr<SqliteStore> db;
};

TEST_F(RegistryStore, AnEmptyRegistryHasTheEmptyTreeAsItsSnapshot) {
  auto s = db->registry_snapshot().value();
  EXPECT_EQ(s.seq, 0u);
  EXPECT_EQ(s.count, 0u);
  EXPECT_EQ(s.root, empty_root());
}

TEST_F(RegistryStore, AddsEntriesWithAscendingIdsAndLogsTheSnapshot) {
  RegistryChange c = change({entry("b1", 1), entry("b1", 2)});
  c.banks.push_back({"b1", "supplier", true, 1000, 1000});
  RegistryOutcome o = apply(c);
  ASSERT_TRUE(o.changed);
  EXPECT_EQ(o.banks_created.size(), 1u);
  EXPECT_EQ(o.added, (std::vector<std::int64_t>{1, 2}));
  EXPECT_EQ(o.snapshot.count, 2u);
  EXPECT_EQ(o.snapshot.seq, 1u);
  EXPECT_EQ(o.snapshot.root, root_of({1, 2}));
  EXPECT_EQ(db->registry_snapshot().value(), o.snapshot);
  // The log entry was built from the outcome, inside the transaction.
  auto logged = db->log_entries(o.snapshot.log_index, o.snapshot.log_index + 1).value();
  ASSERT_EQ(logged.size(), 1u);
  auto j = nlohmann::json::parse(logged[0].entry);
  EXPECT_EQ(j["root"], to_hex(o.snapshot.root));
  auto e = db->registry_entry(2).value();
  ASSERT_TRUE(e);
  EXPECT_EQ(e->status, "active");
  EXPECT_EQ(e->codes, entry("b1", 2).codes);
  EXPECT_EQ(e->entry_json, json_of(*e));
  EXPECT_EQ(e->leaf_hash, leaf_hash(e->entry_json));
  EXPECT_EQ(e->added_log_index, o.snapshot.log_index);
  // Leaves: RFC 6962 over the two leaf hashes.
  EXPECT_EQ(o.added_root, node_hash(db->registry_entry(1).value()->leaf_hash, e->leaf_hash));
}

TEST_F(RegistryStore, ABanksCodeTwiceIsADuplicateAndAnAllDuplicateChangeIsNotLogged) {
  RegistryChange c = change({entry("b1", 1)});
  c.banks.push_back({"b1", "", true, 0, 0});
  apply(c);
  const std::uint64_t log_before = db->log_size().value();
  RegistryOutcome o = apply(change({entry("b1", 1)}));
  EXPECT_FALSE(o.changed);
  EXPECT_EQ(o.added, (std::vector<std::int64_t>{0}));
  EXPECT_EQ(o.duplicate_of, (std::vector<std::int64_t>{1}));
  EXPECT_EQ(db->log_size().value(), log_before);
  EXPECT_EQ(db->registry_snapshot().value().seq, 1u);
  // Another bank may hold the same code; within one change the second copy is a duplicate.
  RegistryChange other = change({entry("b2", 1), entry("b2", 1)});
  other.banks.push_back({"b2", "", true, 0, 0});
  o = apply(other);
  EXPECT_EQ(o.added, (std::vector<std::int64_t>{2, 0}));
  EXPECT_EQ(o.duplicate_of, (std::vector<std::int64_t>{0, 2}));
}

TEST_F(RegistryStore, StatusChangesAreRecordedAndARemovedEntryStaysRemoved) {
  RegistryChange c = change({entry("b1", 1), entry("b1", 2), entry("b1", 3)});
  c.banks.push_back({"b1", "", true, 0, 0});
  apply(c);
  RegistryChange s = change();
  s.status = {{2, "disabled", {}}, {3, "removed", {}}};
  RegistryOutcome o = apply(s);
  ASSERT_EQ(o.status_changes.size(), 2u);
  EXPECT_EQ(o.status_changes[0].from, "active");
  EXPECT_EQ(o.snapshot.count, 1u);
  EXPECT_EQ(o.snapshot.root, root_of({1}));
  // Re-enabling a disabled entry is a change; a removed one cannot come back.
  s.status = {{2, "active", {}}};
  EXPECT_EQ(apply(s).snapshot.root, root_of({1, 2}));
  s.status = {{3, "active", {}}};
  auto refused = db->apply_registry_change(s);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, "registry_entry_removed");
  s.status = {{99, "removed", {}}};
  refused = db->apply_registry_change(s);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, "registry_entry_not_found");
  // A removed entry's code may be added again, as a new entry.
  EXPECT_EQ(apply(change({entry("b1", 3)})).added, (std::vector<std::int64_t>{4}));
}

TEST_F(RegistryStore, ADisabledBankLeavesTheSnapshot) {
  RegistryChange c = change({entry("b1", 1)});
  c.banks.push_back({"b1", "", true, 0, 0});
  apply(c);
  c = change({entry("b2", 2)});
  c.banks.push_back({"b2", "", true, 0, 0});
  apply(c);
  RegistryChange off = change();
  off.banks.push_back({"b1", "", false, 0, 0});
  RegistryOutcome o = apply(off);
  EXPECT_EQ(o.banks_updated.size(), 1u);
  EXPECT_EQ(o.snapshot.count, 1u);
  EXPECT_EQ(o.snapshot.root, root_of({2}));
  // Setting what is already set changes nothing.
  EXPECT_FALSE(apply(off).changed);
}

TEST_F(RegistryStore, AnEntryOfAnUnknownBankRefusesTheWholeChange) {
  RegistryChange c = change({entry("b1", 1)});
  c.banks.push_back({"b1", "", true, 0, 0});
  apply(c);
  auto refused = db->apply_registry_change(change({entry("b1", 2), entry("nope", 3)}));
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, "bank_not_found");
  EXPECT_FALSE(db->registry_entry(2).value());
  EXPECT_EQ(db->registry_snapshot().value().seq, 1u);
  RegistryChange no_create = change();
  no_create.create_banks = false;
  no_create.banks.push_back({"b9", "", true, 0, 0});
  EXPECT_EQ(db->apply_registry_change(no_create).error().code, "bank_not_found");
}

TEST_F(RegistryStore, DeltaReturnsWhatChangedSinceASequenceNumber) {
  RegistryChange c = change({entry("b1", 1), entry("b1", 2)});
  c.banks.push_back({"b1", "", true, 0, 0});
  apply(c);
  RegistryDelta all = db->registry_delta(0).value();
  EXPECT_EQ(all.snapshot.seq, 1u);
  ASSERT_EQ(all.entries.size(), 2u);
  EXPECT_EQ(all.entries[1].codes.size(), 2u);
  EXPECT_EQ(all.entries[1].codes[0].kind, "pdq");
  EXPECT_EQ(all.banks.size(), 1u);
  RegistryChange s = change();
  s.status = {{1, "removed", {}}};
  apply(s);
  RegistryDelta since = db->registry_delta(1).value();
  EXPECT_EQ(since.snapshot.seq, 2u);
  ASSERT_EQ(since.entries.size(), 1u);
  EXPECT_EQ(since.entries[0].id, 1);
  EXPECT_EQ(since.entries[0].status, "removed");
  EXPECT_TRUE(db->registry_delta(2).value().entries.empty());
}

TEST_F(RegistryStore, ListPaginatesByIdAndFilters) {
  std::vector<RegistryEntryRecord> add;
  for (std::uint8_t i = 1; i <= 7; ++i) add.push_back(entry(i % 2 ? "odd" : "even", i));
  RegistryChange c = change(add);
  c.banks = {{"odd", "", true, 0, 0}, {"even", "", true, 0, 0}};
  apply(c);
  PageRequest page{3, ""};
  std::vector<std::int64_t> seen;
  for (;;) {
    auto p = db->list_registry_entries({}, page).value();
    for (const auto& e : p.items) seen.push_back(e.id);
    if (p.next_cursor.empty()) break;
    page.cursor = p.next_cursor;
  }
  EXPECT_EQ(seen, (std::vector<std::int64_t>{1, 2, 3, 4, 5, 6, 7}));
  auto odd = db->list_registry_entries({"odd", ""}, {100, ""}).value();
  EXPECT_EQ(odd.items.size(), 4u);
  EXPECT_EQ(db->list_registry_entries({}, {10, "x"}).error().code, "invalid_cursor");
}

TEST_F(RegistryStore, SurvivesReopen) {
  RegistryChange c = change({entry("b1", 1)});
  c.banks.push_back({"b1", "src", true, 0, 0});
  RegistryOutcome o = apply(c);
  reopen();
  EXPECT_EQ(db->registry_snapshot().value(), o.snapshot);
  EXPECT_EQ(db->registry_banks().value().at(0).source, "src");
}

TEST_F(RegistryStore, MigrationV10AppliesOnTopOfAV9Database) {
  db.reset();
  sqlite3* raw = nullptr;
  ASSERT_EQ(sqlite3_open((dir / "atelier.db").c_str(), &raw), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(raw,
                         "DROP TABLE registry_codes; DROP TABLE registry_works; "
                         "DROP TABLE registry_banks; DROP TABLE registry_state; "
                         "DROP TABLE compliance_term_lists; DROP TABLE asset_fingerprints; "
                         "PRAGMA user_version = 9",
                         nullptr, nullptr, nullptr),
            SQLITE_OK);
  sqlite3_close(raw);
  reopen();
  EXPECT_EQ(db->schema_version(), static_cast<int>(internal::migrations().size()));
  RegistryChange c = change({entry("b1", 1)});
  c.banks.push_back({"b1", "", true, 0, 0});
  EXPECT_TRUE(apply(c).changed);
}

}  // namespace
}  // namespace atelier::store
