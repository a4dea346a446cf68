// The registry engine on a real store: imports, images, removals and bank switches, each in
// the log with the snapshot it produced; searches exact against brute force and never stale,
// even when another process (another Registry on the same database) made the change.
#include "compliance/registry/registry.h"

#include <gtest/gtest.h>
#include <sqlite3.h>

#include <nlohmann/json.hpp>
#include <random>
#include <set>

#include "core/limits.h"
#include "core/merkle.h"
#include "store/sqlite_store.h"
#include "tests/compliance/registry/test_codes.h"
#include "tests/store/test_dir.h"

namespace atelier::compliance {
namespace {

using atelier::testing::TempDir;

using testing::at_distance;
using testing::random_code;

std::string csv_of(const std::vector<PdqHash>& codes, const std::string& label_prefix) {
  std::string text = "hash,label,source,severity,uri\n";
  for (std::size_t i = 0; i < codes.size(); ++i) {
    text += to_hex(codes[i]) + "," + label_prefix + std::to_string(i) + ",studio,high," +
            "https://example.com/" + std::to_string(i) + "\n";
  }
  return text;
}

class ComplianceRegistry : public ::testing::Test {
 protected:
  void SetUp() override {
    auto s = store::SqliteStore::open(dir / "atelier.db", &clock);
    ASSERT_TRUE(s) << s.error().to_string();
    db = std::move(*s);
    registry = std::make_unique<Registry>(*db, RegistryOptions{.clock = &clock});
  }
  nlohmann::json log_entry(std::uint64_t index) {
    auto rows = db->log_entries(index, index + 1).value();
    EXPECT_EQ(rows.size(), 1u);
    return rows.empty() ? nlohmann::json() : nlohmann::json::parse(rows[0].entry);
  }
  // What a search must return: every active entry of an enabled bank with a code within r.
  std::vector<std::int64_t> brute_force(const PdqHash& q, int radius) {
    std::set<std::string> enabled;
    const auto banks = db->registry_banks().value();
    for (const auto& b : banks) {
      if (b.enabled) enabled.insert(b.name);
    }
    std::vector<std::int64_t> out;
    store::PageRequest req{limits::kPageSizeMax, ""};
    for (;;) {
      auto p = db->list_registry_entries({}, req).value();
      for (const auto& e : p.items) {
        if (e.status != "active" || !enabled.contains(e.bank)) continue;
        for (const auto& c : e.codes) {
          // The store's bytes are in hex order (registry_store.h).
          if (hamming_distance(parse_pdq_hex(atelier::to_hex(c.code)).value(), q) <= radius) {
            out.push_back(e.id);
            break;
          }
        }
      }
      if (p.next_cursor.empty()) break;
      req.cursor = p.next_cursor;
    }
    return out;
  }
  std::vector<std::int64_t> found_ids(const RegistrySearch& s) {
    std::vector<std::int64_t> ids;
    for (const auto& m : s.matches) ids.push_back(m.entry_id);
    std::sort(ids.begin(), ids.end());
    return ids;
  }

  ManualClock clock;
  TempDir dir;
  std::unique_ptr<store::SqliteStore> db;
  std::unique_ptr<Registry> registry;
};

TEST_F(ComplianceRegistry, ImportThenSearchFindsExactlyTheEntriesWithinTheRadius) {
  std::mt19937_64 rng(1);
  std::vector<PdqHash> codes;
  for (int i = 0; i < 400; ++i) codes.push_back(random_code(rng));
  const PdqHash q = random_code(rng);
  for (int d : {0, 30, 31, 32, 40}) codes.push_back(at_distance(q, d, rng));
  auto imported = registry->import_table(csv_of(codes, "w"), TableFormat::kAuto,
                                         {.bank = "studio-x", .bank_source = "Studio X"});
  ASSERT_TRUE(imported) << imported.error().to_string();
  EXPECT_TRUE(imported->bank_created);
  EXPECT_EQ(imported->added.size(), codes.size());
  EXPECT_EQ(imported->snapshot.count, codes.size());
  auto found = registry->search(q, 31);
  ASSERT_TRUE(found) << found.error().to_string();
  EXPECT_EQ(found_ids(*found), brute_force(q, 31));
  ASSERT_EQ(found->matches.size(), 3u);  // 0, 30, 31 — not 32 or 40
  EXPECT_EQ(found->matches[0].distance, 0);
  EXPECT_EQ(found->matches[2].distance, 31);
  EXPECT_EQ(found->matches[0].bank, "studio-x");
  EXPECT_EQ(found->matches[0].kind, "pdq");
  EXPECT_EQ(found->snapshot, db->registry_snapshot().value());
  for (int r : {0, 32, 40, 64}) {
    EXPECT_EQ(found_ids(registry->search(q, r).value()), brute_force(q, r)) << r;
  }
  // The log entry: one import, with the snapshot the store recorded.
  auto j = log_entry(imported->snapshot.log_index);
  EXPECT_EQ(j["type"], "compliance.registry.import");
  EXPECT_EQ(j["format"], "csv");
  EXPECT_EQ(j["added"], codes.size());
  EXPECT_EQ(j["first_id"], 1);
  EXPECT_EQ(j["snapshot"]["root"], atelier::to_hex(imported->snapshot.root));
  EXPECT_EQ(j["snapshot"]["count"], codes.size());
  EXPECT_EQ(j["bank_created"]["source"], "Studio X");
  // Anyone holding the entries recomputes the snapshot.
  auto check = check_registry_snapshot(*db);
  ASSERT_TRUE(check);
  EXPECT_TRUE(check->ok) << check->message;
  EXPECT_EQ(check->screened, codes.size());
}

TEST_F(ComplianceRegistry, ABadLineRefusesTheWholeImport) {
  std::mt19937_64 rng(2);
  std::string text = csv_of({random_code(rng), random_code(rng)}, "w");
  text += "nothex,x,y,high,\n";
  const std::uint64_t log_before = db->log_size().value();
  auto r = registry->import_table(text, TableFormat::kCsv, {.bank = "b"});
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().field, "line[4].hash");
  EXPECT_EQ(db->log_size().value(), log_before);
  EXPECT_TRUE(db->registry_banks().value().empty());
  EXPECT_EQ(db->registry_snapshot().value().seq, 0u);
  EXPECT_EQ(registry->import_table("hash,label\n", TableFormat::kCsv, {.bank = "b"}).error().code,
            "registry_import_header");
  EXPECT_EQ(
      registry->import_table(csv_of({}, "w"), TableFormat::kCsv, {.bank = "no space"}).error().code,
      "invalid_bank_name");
}

TEST_F(ComplianceRegistry, ReimportingTheSameCodesChangesAndLogsNothing) {
  std::mt19937_64 rng(3);
  const std::string text = csv_of({random_code(rng), random_code(rng)}, "w");
  ASSERT_TRUE(registry->import_table(text, TableFormat::kCsv, {.bank = "b"}));
  const std::uint64_t log_before = db->log_size().value();
  auto again = registry->import_table(text, TableFormat::kCsv, {.bank = "b"});
  ASSERT_TRUE(again);
  EXPECT_FALSE(again->logged);
  EXPECT_EQ(again->duplicates, 2u);
  EXPECT_TRUE(again->added.empty());
  EXPECT_EQ(db->log_size().value(), log_before);
}

TEST_F(ComplianceRegistry, ChangesByAnotherProcessReachTheNextSearch) {
  std::mt19937_64 rng(4);
  const PdqHash q = random_code(rng);
  std::vector<PdqHash> codes = {at_distance(q, 5, rng), at_distance(q, 20, rng), random_code(rng)};
  // "Another process": a second registry over a second connection to the same database.
  auto other_store = store::SqliteStore::open(dir / "atelier.db", &clock).value();
  Registry other(*other_store, {.clock = &clock});
  ASSERT_TRUE(other.import_table(csv_of(codes, "a"), TableFormat::kCsv, {.bank = "a"}));
  auto first = registry->search(q, 31).value();
  EXPECT_EQ(found_ids(first), (std::vector<std::int64_t>{1, 2}));

  const std::int64_t removed[] = {1};
  auto r = other.set_status(removed, "removed", "licence granted");
  ASSERT_TRUE(r) << r.error().to_string();
  ASSERT_EQ(r->changed.size(), 1u);
  auto second = registry->search(q, 31).value();
  EXPECT_EQ(found_ids(second), (std::vector<std::int64_t>{2}));
  EXPECT_EQ(second.snapshot, r->snapshot);
  EXPECT_EQ(second.snapshot.count, 2u);
  auto j = log_entry(r->snapshot.log_index);
  EXPECT_EQ(j["type"], "compliance.registry.status");
  EXPECT_EQ(j["changes"][0]["from"], "active");
  EXPECT_EQ(j["changes"][0]["to"], "removed");
  EXPECT_EQ(j["reason"], "licence granted");
  EXPECT_EQ(db->log_indexes("registry-entry:1").value().size(), 1u);

  // A disabled bank is not screened; enabled again, it is.
  auto off = other.put_bank("a", std::nullopt, false);
  ASSERT_TRUE(off);
  EXPECT_TRUE(off->changed);
  auto third = registry->search(q, 31).value();
  EXPECT_TRUE(third.matches.empty());
  EXPECT_EQ(third.snapshot.count, 0u);
  EXPECT_EQ(third.snapshot.root, empty_root());
  ASSERT_TRUE(other.put_bank("a", "a source", true));
  auto same = other.put_bank("a", std::nullopt, std::nullopt);  // unset fields are kept
  ASSERT_TRUE(same);
  EXPECT_FALSE(same->changed);
  EXPECT_TRUE(same->bank.enabled);
  EXPECT_EQ(same->bank.source, "a source");
  EXPECT_EQ(found_ids(registry->search(q, 31).value()), (std::vector<std::int64_t>{2}));
  // A removed entry stays removed; disabling then enabling an entry works.
  EXPECT_EQ(registry->set_status(removed, "active", "").error().code, "registry_entry_removed");
  const std::int64_t two[] = {2};
  ASSERT_TRUE(registry->set_status(two, "disabled", "under review"));
  EXPECT_TRUE(other.search(q, 31).value().matches.empty());
  ASSERT_TRUE(registry->set_status(two, "active", "cleared"));
  EXPECT_EQ(found_ids(other.search(q, 31).value()), (std::vector<std::int64_t>{2}));
  auto check = check_registry_snapshot(*db);
  EXPECT_TRUE(check && check->ok) << (check ? check->message : check.error().to_string());
}

TEST_F(ComplianceRegistry, ManyChangesKeepTheMatcherExact) {
  std::mt19937_64 rng(5);
  std::vector<PdqHash> centers;
  for (int i = 0; i < 8; ++i) centers.push_back(random_code(rng));
  std::vector<std::int64_t> added;  // ids given out (a code repeated in its bank gets none)
  for (int round = 0; round < 12; ++round) {
    std::vector<PdqHash> codes;
    for (int i = 0; i < 60; ++i) {
      codes.push_back(
          at_distance(centers[rng() % centers.size()], static_cast<int>(rng() % 45), rng));
    }
    auto imported =
        registry->import_table(csv_of(codes, "r" + std::to_string(round)), TableFormat::kCsv,
                               {.bank = round % 3 == 0 ? "even" : "odd"});
    ASSERT_TRUE(imported) << imported.error().to_string();
    added.insert(added.end(), imported->added.begin(), imported->added.end());
    std::vector<std::int64_t> ids;
    for (int i = 0; i < 10; ++i) ids.push_back(added[rng() % added.size()]);
    auto removed = registry->set_status(ids, round % 2 ? "removed" : "disabled", "");
    if (!removed) {
      ASSERT_EQ(removed.error().code, "registry_entry_removed");
    }
    if (round == 7) {
      ASSERT_TRUE(registry->put_bank("even", std::nullopt, false));
    }
    for (const PdqHash& c : centers) {
      EXPECT_EQ(found_ids(registry->search(c, 31).value()), brute_force(c, 31)) << round;
    }
  }
  auto check = check_registry_snapshot(*db);
  EXPECT_TRUE(check && check->ok) << (check ? check->message : check.error().to_string());
}

TEST_F(ComplianceRegistry, AnImageIsFoundThroughItsVariants) {
  std::mt19937_64 rng(6);
  ImageSignals image;
  image.pdq = random_code(rng);
  image.quality = 90;
  for (int d = 1; d < kDihedralCount; ++d) {
    image.variants.emplace_back(dihedral_name(static_cast<Dihedral>(d)), random_code(rng));
  }
  for (Region r : kRegions) image.variants.emplace_back(region_name(r), random_code(rng));
  image.sha256_file = sha256_hex(std::string_view("file"));
  image.sha256_pixels = sha256_hex(std::string_view("pixels"));
  ImportRow fields;
  fields.label = "Sunflowers";
  fields.source = "museum";
  fields.severity = "critical";
  fields.uri = "https://example.com/sunflowers.png";
  auto added = registry->add_image(image, fields, {.bank = "museum"});
  ASSERT_TRUE(added) << added.error().to_string();
  ASSERT_EQ(added->added.size(), 1u);
  auto entry = db->registry_entry(added->added[0]).value();
  ASSERT_TRUE(entry);
  EXPECT_EQ(entry->codes.size(), 1u + kImageVariantsMax);
  EXPECT_EQ(entry->sha256_file, image.sha256_file);
  auto json = nlohmann::json::parse(entry->entry_json);
  EXPECT_EQ(json["variants"].size(), static_cast<std::size_t>(kImageVariantsMax));
  EXPECT_EQ(json["pdq"], to_hex(image.pdq));
  // A rotated copy matches through rotate90, a crop through top_left.
  auto rotated = registry->search(at_distance(image.variants[0].second, 12, rng), 31).value();
  ASSERT_EQ(rotated.matches.size(), 1u);
  EXPECT_EQ(rotated.matches[0].kind, "rotate90");
  EXPECT_EQ(rotated.matches[0].distance, 12);
  auto log = log_entry(added->snapshot.log_index);
  EXPECT_EQ(log["format"], "image");
  EXPECT_EQ(log["input_sha256"], image.sha256_file);

  ImageSignals flat = image;
  flat.quality = kImageQualityMin - 1;
  EXPECT_EQ(registry->add_image(flat, fields, {.bank = "museum"}).error().code,
            "low_quality_image");
  ImageSignals odd = image;
  odd.variants.emplace_back("rotate90", image.pdq);
  EXPECT_EQ(registry->add_image(odd, fields, {.bank = "museum"}).error().code,
            "invalid_image_signals");
  odd = image;
  odd.sha256_file = "nope";
  EXPECT_EQ(registry->add_image(odd, fields, {.bank = "museum"}).error().code,
            "invalid_image_signals");
}

TEST_F(ComplianceRegistry, ASnapshotCheckCatchesARowChangedBehindItsBack) {
  std::mt19937_64 rng(7);
  ASSERT_TRUE(registry->import_table(csv_of({random_code(rng), random_code(rng)}, "w"),
                                     TableFormat::kCsv, {.bank = "b"}));
  sqlite3* raw = nullptr;
  ASSERT_EQ(sqlite3_open((dir / "atelier.db").c_str(), &raw), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(raw, "UPDATE registry_works SET label = 'other' WHERE id = 2", nullptr,
                         nullptr, nullptr),
            SQLITE_OK);
  sqlite3_close(raw);
  auto check = check_registry_snapshot(*db);
  ASSERT_TRUE(check);
  EXPECT_FALSE(check->ok);
  EXPECT_NE(check->message.find("entry 2"), std::string::npos);
}

TEST_F(ComplianceRegistry, SearchInputsAreBounded) {
  EXPECT_EQ(registry->search(PdqHash{}, -1).error().code, "invalid_radius");
  EXPECT_EQ(registry->search(PdqHash{}, limits::kRegistryRadiusMax + 1).error().code,
            "invalid_radius");
  auto empty = registry->search(PdqHash{}, limits::kRegistryRadiusMax);
  ASSERT_TRUE(empty);
  EXPECT_TRUE(empty->matches.empty());
  EXPECT_EQ(empty->snapshot.root, empty_root());
  std::vector<PdqHash> many(limits::kRegistryQueriesMax + 1);
  EXPECT_EQ(registry->search_many(many, 31).error().code, "invalid_queries");
  const std::int64_t none[] = {1};
  EXPECT_EQ(registry->set_status(none, "gone", "").error().code, "invalid_status");
  EXPECT_EQ(registry->set_status(none, "removed", "").error().code, "registry_entry_not_found");
}

}  // namespace
}  // namespace atelier::compliance
