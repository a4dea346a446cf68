// The log as readers see it (provenance/log.h) over a real SqliteStore: tlog-tiles paths and
// bodies, proofs against signed checkpoints, offline proof files, the key at first start, and
// the audit naming what was tampered with.
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <fstream>

#include "core/limits.h"
#include "core/merkle.h"
#include "provenance/log.h"
#include "store/sqlite_store.h"
#include "tests/provenance/test_support.h"

namespace atelier::provenance {
namespace {

using atelier::testing::TempDir;

void sql(const std::filesystem::path& db, const std::string& statement) {
  sqlite3* h = nullptr;
  ASSERT_EQ(sqlite3_open(db.c_str(), &h), SQLITE_OK);
  char* err = nullptr;
  EXPECT_EQ(sqlite3_exec(h, statement.c_str(), nullptr, nullptr, &err), SQLITE_OK)
      << (err ? err : "");
  sqlite3_free(err);
  sqlite3_close(h);
}

std::string entry_text(std::uint64_t i) { return R"({"event":)" + std::to_string(i) + "}"; }

// A data directory with a log of `n` entries and a checkpoint signed every `every` entries.
struct Fixture {
  explicit Fixture(std::uint64_t n, std::uint64_t every = 1) {
    signer = *load_or_create_log_signer(dir.path());
    auto opened = store::SqliteStore::open(db_path());
    db = std::move(*opened);
    attach_checkpoint_signer(*db, signer, 0);
    log = std::make_unique<Log>(*db, signer->verifier());
    append(n, every);
  }
  void append(std::uint64_t n, std::uint64_t every) {
    std::vector<store::LogEvent> batch;
    for (std::uint64_t i = 0; i < n; ++i) {
      batch.push_back({entry_text(tree.size()), {i % 2 ? "odd" : "even"}});
      tree.append(batch.back().entry);
      if (batch.size() == every || i + 1 == n) {
        ASSERT_TRUE(db->append_events(batch));
        batch.clear();
      }
    }
  }
  std::filesystem::path db_path() const { return dir.path() / "atelier.db"; }

  TempDir dir;
  std::shared_ptr<const NoteSigner> signer;
  std::unique_ptr<store::SqliteStore> db;
  std::unique_ptr<Log> log;
  MemoryTree tree;
};

// Tile paths ---------------------------------------------------------------------------------

TEST(TilePath, SpellsIndexesInXPrefixedGroupsOfThree) {
  EXPECT_EQ(tile_path({false, 0, 0, 256}), "0/000");
  EXPECT_EQ(tile_path({false, 1, 1234067, 256}), "1/x001/x234/067");
  EXPECT_EQ(tile_path({false, 2, 1234067, 8}), "2/x001/x234/067.p/8");
  EXPECT_EQ(tile_path({true, 0, 5, 17}), "entries/005.p/17");
  EXPECT_EQ(tile_path({true, 0, 1000, 256}), "entries/x001/000");
}

TEST(TilePath, ParsesExactlyTheCanonicalSpelling) {
  for (const auto& t :
       {TilePath{false, 0, 0, 256}, TilePath{false, 1, 1234067, 256}, TilePath{false, 3, 999, 255},
        TilePath{true, 0, 1000, 1}, TilePath{false, 63, 18446744073709551615ull / 256, 256}}) {
    auto parsed = parse_tile_path(tile_path(t));
    ASSERT_TRUE(parsed) << tile_path(t);
    EXPECT_EQ(*parsed, t);
  }
  for (const char* bad : {"",
                          "0",
                          "0/",
                          "0/0",
                          "0/1234067",
                          "0/001/234",
                          "0/x1/234",
                          "0/xabc/000",
                          "0/x000/001",
                          "00/000",
                          "64/000",
                          "-1/000",
                          "0/000.p/0",
                          "0/000.p/256",
                          "0/000.p/08",
                          "0/000.p/",
                          "entries/000.p/256",
                          "entry/000",
                          "0/000/",
                          "0//000",
                          "0/x001/x002/x003/x004/x005/x006/x007/000",
                          "0/000.p/1/2"}) {
    auto parsed = parse_tile_path(bad);
    EXPECT_FALSE(parsed) << bad;
    if (!parsed) {
      EXPECT_EQ(parsed.error().code, "tile_path_invalid");
      EXPECT_EQ(parsed.error().field, "path");
    }
  }
}

// Tiles --------------------------------------------------------------------------------------

TEST(LogTiles, HashTilesAndEntryBundlesMatchTheTree) {
  Fixture f(600, 100);
  // Level 0: full tiles 0 and 1, then a partial tile of 88 leaves.
  for (std::uint64_t n = 0; n < 3; ++n) {
    std::uint32_t width = n < 2 ? 256 : 88;
    auto tile = f.log->tile({false, 0, n, width});
    ASSERT_TRUE(tile) << tile.error().to_string();
    ASSERT_EQ(tile->size(), 32u * width);
    for (std::uint32_t i = 0; i < width; ++i) {
      EXPECT_EQ(0, std::memcmp(tile->data() + 32 * i, f.tree.hash(0, n * 256 + i)->data(), 32));
    }
    auto bundle = f.log->tile({true, 0, n, width});
    ASSERT_TRUE(bundle);
    std::size_t pos = 0;
    for (std::uint32_t i = 0; i < width; ++i) {
      std::size_t len = (static_cast<unsigned char>((*bundle)[pos]) << 8) |
                        static_cast<unsigned char>((*bundle)[pos + 1]);
      EXPECT_EQ(bundle->substr(pos + 2, len), entry_text(n * 256 + i));
      pos += 2 + len;
    }
    EXPECT_EQ(pos, bundle->size());
  }
  // A narrower partial tile of an existing one is served (it is a tile of an older tree).
  EXPECT_EQ(f.log->tile({false, 0, 2, 10})->size(), 320u);
  // Level 1 holds tree level 8: two complete 256-leaf subtrees so far.
  auto level1 = f.log->tile({false, 1, 0, 2});
  ASSERT_TRUE(level1);
  EXPECT_EQ(0, std::memcmp(level1->data() + 32, f.tree.hash(8, 1)->data(), 32));
  // What does not exist yet is 404, never a short tile.
  for (const auto& t :
       {TilePath{false, 0, 2, 256}, TilePath{false, 0, 2, 89}, TilePath{false, 0, 3, 1},
        TilePath{true, 0, 2, 256}, TilePath{false, 1, 0, 3}, TilePath{false, 2, 0, 1}}) {
    auto r = f.log->tile(t);
    ASSERT_FALSE(r) << tile_path(t);
    EXPECT_EQ(r.error().code, "tile_not_found");
  }
}

// Proofs ---------------------------------------------------------------------------------------

TEST(LogProofs, EveryEntryProvesAgainstTheLatestCheckpointAndOlderSizes) {
  Fixture f(70, 9);
  auto latest = f.log->latest_checkpoint();
  ASSERT_TRUE(latest);
  EXPECT_EQ(latest->checkpoint.size, 70u);
  EXPECT_EQ(latest->checkpoint.root, *f.tree.root(70));
  EXPECT_EQ(latest->checkpoint.origin, f.signer->name());
  for (std::uint64_t i = 0; i < 70; ++i) {
    auto p = f.log->prove(i);
    ASSERT_TRUE(p);
    EXPECT_EQ(p->entry, entry_text(i));
    auto ok = verify_entry_proof(*p, f.signer->verifier());
    EXPECT_TRUE(ok) << i << ": " << ok.error().to_string();
  }
  // Against a checkpointed older size (every 9 entries), with its checkpoint.
  auto old = f.log->prove(3, 27);
  ASSERT_TRUE(old);
  EXPECT_FALSE(old->checkpoint.empty());
  EXPECT_TRUE(verify_entry_proof(*old, f.signer->verifier()));
  // Against a size never checkpointed: the proof, but no checkpoint to check it offline.
  auto bare = f.log->prove(3, 30);
  ASSERT_TRUE(bare);
  EXPECT_TRUE(bare->checkpoint.empty());
  EXPECT_TRUE(verify_inclusion(leaf_hash(bare->entry), 3, 30, bare->proof, *f.tree.root(30)));
  EXPECT_EQ(verify_entry_proof(*bare, f.signer->verifier()).error().code,
            "proof_checkpoint_missing");
  EXPECT_EQ(f.log->prove(70, 70).error().code, "index_out_of_range");
  EXPECT_EQ(f.log->prove(1, 71).error().code, "tree_size_out_of_range");
}

TEST(LogProofs, ConsistencyProofsVerifyBetweenAnySizes) {
  Fixture f(45, 45);
  for (std::uint64_t from = 0; from <= 45; from += 4) {
    for (std::uint64_t to = from; to <= 45; to += 7) {
      auto p = f.log->consistency(from, to);
      ASSERT_TRUE(p);
      auto ok = verify_consistency(from, to, *p, from ? *f.tree.root(from) : empty_root(),
                                   *f.tree.root(to));
      EXPECT_TRUE(ok) << from << " -> " << to;
    }
  }
  EXPECT_EQ(f.log->consistency(5, 46).error().code, "tree_size_out_of_range");
}

TEST(ProofFile, RoundTripsAndRejectsAnyChange) {
  Fixture f(20);
  auto p = f.log->prove(7);
  ASSERT_TRUE(p);
  std::string json = entry_proof_json(*p);
  auto parsed = parse_entry_proof_json(json);
  ASSERT_TRUE(parsed) << parsed.error().to_string();
  EXPECT_TRUE(verify_entry_proof(*parsed, f.signer->verifier()));

  auto code_of = [&](EntryProof q) {
    auto r = verify_entry_proof(q, f.signer->verifier());
    return r ? std::string("ok") : r.error().code;
  };
  EntryProof changed = *parsed;
  changed.entry += " ";
  EXPECT_EQ(code_of(changed), "root_mismatch");
  changed = *parsed;
  changed.index = 8;
  EXPECT_EQ(code_of(changed), "root_mismatch");
  changed = *parsed;
  changed.proof[0][0] ^= 1;
  EXPECT_EQ(code_of(changed), "root_mismatch");
  changed = *parsed;
  changed.proof.pop_back();
  EXPECT_EQ(code_of(changed), "proof_wrong_length");
  changed = *parsed;
  changed.tree_size = 19;
  EXPECT_EQ(code_of(changed), "proof_size_mismatch");
  changed = *parsed;
  auto sig = changed.checkpoint.find("\n\n");
  changed.checkpoint[sig - 3] = changed.checkpoint[sig - 3] == 'A' ? 'B' : 'A';  // The root line.
  EXPECT_EQ(code_of(changed), "note_signature_invalid");
  // Another log's key does not vouch for this checkpoint.
  TempDir other;
  auto stranger = *load_or_create_log_signer(other.path());
  EXPECT_EQ(verify_entry_proof(*parsed, stranger->verifier()).error().code, "note_unverified");

  for (
      const char* bad :
      {"", "[]", "{}", R"({"index":-1})",
       R"({"index":1,"tree_size":2,"entry":"e","checkpoint":"c","inclusion_proof":["zz"]})",
       R"({"index":1,"tree_size":2,"entry":"e","checkpoint":"c","inclusion_proof":[],)"
       R"("leaf_hash":"AAAA"})"}) {
    auto r = parse_entry_proof_json(bad);
    ASSERT_FALSE(r) << bad;
    EXPECT_EQ(r.error().code, "proof_file_invalid") << bad;
    EXPECT_FALSE(r.error().field.empty());
  }
  EXPECT_EQ(parse_entry_proof_json(std::string(limits::kProofFileBytesMax + 1, ' ')).error().code,
            "proof_file_too_large");
}

// Keys -------------------------------------------------------------------------------------------

TEST(LogKey, IsMadeOnceAndNamedAfterItsPublicKeyUnlessConfigured) {
  TempDir dir;
  auto a = load_or_create_log_signer(dir.path());
  ASSERT_TRUE(a);
  auto b = load_or_create_log_signer(dir.path());
  ASSERT_TRUE(b);
  EXPECT_EQ((*a)->verifier().text(), (*b)->verifier().text());
  EXPECT_TRUE((*a)->name().starts_with("atelier.local/log-"));
  EXPECT_EQ((*a)->name().size(), std::string("atelier.local/log-").size() + 16);
  EXPECT_EQ(std::filesystem::status(dir / "log.key").permissions() & std::filesystem::perms::all,
            std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);

  TempDir configured;
  std::ofstream(configured / "log.origin") << "gallery.example/atelier\n";
  auto c = load_or_create_log_signer(configured.path());
  ASSERT_TRUE(c);
  EXPECT_EQ((*c)->name(), "gallery.example/atelier");
  std::ofstream(configured / "log.origin", std::ios::trunc) << "\n";
  EXPECT_EQ(load_or_create_log_signer(configured.path()).error().code, "log_origin_invalid");
}

// Audit ------------------------------------------------------------------------------------------

TEST(LogAudit, AnUntouchedLogVerifies) {
  Fixture f(5000, 700);
  auto r = f.log->audit();
  ASSERT_TRUE(r);
  EXPECT_TRUE(r->ok) << r->code << ": " << r->message;
  EXPECT_EQ(r->entries, 5000u);
  EXPECT_EQ(r->checkpoints, 8u);  // 700, 1400, …, 4900 and 5000.
}

struct Tamper {
  const char* name;
  std::string statement;
  std::string code;
  std::optional<std::uint64_t> first_bad;
};

class LogAuditTamper : public ::testing::TestWithParam<Tamper> {};

TEST_P(LogAuditTamper, IsDetectedAndNamed) {
  Fixture f(300, 50);
  sql(f.db_path(), GetParam().statement);
  auto r = f.log->audit();
  ASSERT_TRUE(r) << r.error().to_string();
  EXPECT_FALSE(r->ok);
  EXPECT_EQ(r->code, GetParam().code) << r->message;
  EXPECT_EQ(r->first_bad_index, GetParam().first_bad) << r->message;
}

INSTANTIATE_TEST_SUITE_P(
    Rows, LogAuditTamper,
    ::testing::Values(
        Tamper{"EntryChanged", "UPDATE log_entries SET entry = entry || 'x' WHERE idx = 123",
               "log_entry_hash_mismatch", 123},
        Tamper{"LeafHashChanged", "UPDATE log_entries SET leaf_hash = zeroblob(32) WHERE idx = 7",
               "log_entry_hash_mismatch", 7},
        // Entry and its leaf hash rewritten together: the stored subtree above it disagrees.
        Tamper{"EntryAndLeafRewritten",
               "UPDATE log_entries SET entry = '{}', leaf_hash = x'" +
                   to_hex(leaf_hash(std::string_view("{}"))) + "' WHERE idx = 42",
               "log_node_mismatch", 42},
        Tamper{"NodeChanged",
               "UPDATE log_nodes SET hash = zeroblob(32) WHERE level = 3 AND idx = 5",
               "log_node_mismatch", 40},
        Tamper{"EntryDeleted", "DELETE FROM log_entries WHERE idx = 200", "log_entry_missing", 200},
        Tamper{"TailDeleted", "DELETE FROM log_entries WHERE idx >= 280", "checkpoint_beyond_log",
               280},
        Tamper{
            "CheckpointChanged",
            "UPDATE log_checkpoints SET note = replace(note, '\n100\n', '\n99\n') WHERE size = 100",
            "checkpoint_invalid", std::nullopt}),
    [](const auto& info) { return std::string(info.param.name); });

TEST(LogAudit, AConsistentRewriteOfEntryLeafAndNodesStillFailsTheSignedRoot) {
  // An attacker with the database but not the key rewrites an entry, its leaf hash and every
  // subtree hash above it: only the signed checkpoints can tell, and they do.
  Fixture f(64, 64);
  MemoryTree forged;
  for (std::uint64_t i = 0; i < 64; ++i)
    forged.append(i == 10 ? std::string("{\"forged\":1}") : entry_text(i));
  std::string stmt = "UPDATE log_entries SET entry = '{\"forged\":1}', leaf_hash = x'" +
                     to_hex(*forged.hash(0, 10)) + "' WHERE idx = 10;";
  for (std::uint32_t level = 1; level <= 6; ++level) {
    std::uint64_t idx = 10 >> level;
    stmt += "UPDATE log_nodes SET hash = x'" + to_hex(*forged.hash(level, idx)) +
            "' WHERE level = " + std::to_string(level) + " AND idx = " + std::to_string(idx) + ";";
  }
  sql(f.db_path(), stmt);
  auto r = f.log->audit();
  ASSERT_TRUE(r);
  EXPECT_FALSE(r->ok);
  EXPECT_EQ(r->code, "checkpoint_root_mismatch") << r->message;
}

TEST(LogStory, FindsEntriesBySubjectWithVerifiedProofs) {
  Fixture f(10);
  auto story = f.log->story("odd");
  ASSERT_TRUE(story);
  ASSERT_EQ(story->size(), 5u);
  for (const auto& p : *story) {
    EXPECT_EQ(p.index % 2, 1u);
    EXPECT_TRUE(verify_entry_proof(p, f.signer->verifier()));
  }
  EXPECT_TRUE(f.log->story("nobody")->empty());
}

}  // namespace
}  // namespace atelier::provenance
