// The store's transparency log: entries and tree hashes written in the same group-committed
// transaction as the change they record, checked against an in-memory reference tree.
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <atomic>
#include <future>
#include <set>
#include <thread>
#include <vector>

#include "core/clock.h"
#include "core/merkle.h"
#include "store/sqlite_store.h"
#include "tests/store/test_dir.h"

namespace atelier::store {
namespace {

using atelier::testing::TempDir;

std::unique_ptr<SqliteStore> open_store(const std::filesystem::path& p,
                                        const Clock* clock = &SystemClock::instance()) {
  auto s = SqliteStore::open(p, clock);
  EXPECT_TRUE(s) << (s ? "" : s.error().to_string());
  return s ? std::move(*s) : nullptr;
}

LogEvent event(int i, std::vector<std::string> subjects = {}) {
  return {R"({"n":)" + std::to_string(i) + "}", std::move(subjects)};
}

// Every complete subtree of the first `n` leaves, level by level, from the entries alone.
std::vector<std::vector<Digest>> reference_levels(const std::vector<std::string>& entries) {
  std::vector<std::vector<Digest>> levels(1);
  for (const auto& e : entries) levels[0].push_back(leaf_hash(e));
  for (std::size_t l = 0; levels[l].size() >= 2; ++l) {
    levels.emplace_back();
    for (std::size_t i = 0; i + 1 < levels[l].size(); i += 2) {
      levels[l + 1].push_back(node_hash(levels[l][i], levels[l][i + 1]));
    }
  }
  return levels;
}

void expect_tree_matches(SqliteStore& db, const std::vector<std::string>& entries) {
  auto size = db.log_size();
  ASSERT_TRUE(size);
  ASSERT_EQ(*size, entries.size());
  auto rows = db.log_entries(0, entries.size());
  ASSERT_TRUE(rows);
  ASSERT_EQ(rows->size(), entries.size());
  for (std::size_t i = 0; i < entries.size(); ++i) {
    EXPECT_EQ((*rows)[i].index, i);
    EXPECT_EQ((*rows)[i].entry, entries[i]);
  }
  auto levels = reference_levels(entries);
  for (std::uint32_t l = 0; l < levels.size(); ++l) {
    auto stored = db.log_hashes(l, 0, levels[l].size() + 5);
    ASSERT_TRUE(stored);
    EXPECT_EQ(*stored, levels[l]) << "level " << l;
  }
}

TEST(LogStore, AppendsGetConsecutiveIndexesAndEveryCompleteSubtreeIsStored) {
  TempDir dir;
  auto db = open_store(dir / "a.db");
  std::vector<std::string> entries;
  for (int i = 0; i < 37; ++i) {
    std::vector<LogEvent> batch;
    for (int k = 0; k <= i % 3; ++k) batch.push_back(event(static_cast<int>(entries.size()) + k));
    auto first = db->append_events(batch);
    ASSERT_TRUE(first) << first.error().to_string();
    EXPECT_EQ(*first, entries.size());
    for (const auto& e : batch) entries.push_back(e.entry);
  }
  expect_tree_matches(*db, entries);
  // Nothing else: no node beyond the complete ones.
  EXPECT_TRUE(db->log_hashes(1, entries.size() / 2, 1000)->empty());
}

TEST(LogStore, ReopenedStoreContinuesTheSameTree) {
  TempDir dir;
  std::vector<std::string> entries;
  for (int round = 0; round < 3; ++round) {
    auto db = open_store(dir / "a.db");
    for (int i = 0; i < 5 + round; ++i) {
      auto e = event(static_cast<int>(entries.size()));
      ASSERT_TRUE(db->append_events(std::span(&e, 1)));
      entries.push_back(e.entry);
    }
  }
  auto db = open_store(dir / "a.db");
  expect_tree_matches(*db, entries);
}

TEST(LogStore, TwoConnectionsInterleavingAppendsKeepOneConsistentTree) {
  // Two stores on one file stand for the CLI next to a server: each must notice the other's
  // appends and extend the tree from the current size, not from its cached edge.
  TempDir dir;
  auto a = open_store(dir / "a.db");
  auto b = open_store(dir / "a.db");
  std::vector<std::string> entries;
  for (int i = 0; i < 40; ++i) {
    auto e = event(i);
    auto& db = (i % 3 == 0 || i % 7 == 0) ? *b : *a;
    auto index = db.append_events(std::span(&e, 1));
    ASSERT_TRUE(index);
    EXPECT_EQ(*index, static_cast<std::uint64_t>(i));
    entries.push_back(e.entry);
  }
  expect_tree_matches(*a, entries);
}

TEST(LogStore, ConcurrentWritersShareCommitsAndLoseNothing) {
  TempDir dir;
  auto db = open_store(dir / "a.db");
  constexpr int kThreads = 8, kPerThread = 50;
  std::vector<std::thread> threads;
  std::vector<std::vector<std::uint64_t>> got(kThreads);
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kPerThread; ++i) {
        auto e = event(t * 1000 + i);
        auto index = db->append_events(std::span(&e, 1));
        ASSERT_TRUE(index);
        got[t].push_back(*index);
      }
    });
  }
  // And many async appends at once: they share commits.
  std::vector<std::future<Result<std::uint64_t>>> futures;
  for (int i = 0; i < 400; ++i) futures.push_back(db->append_event_async(event(100000 + i)));
  for (auto& t : threads) t.join();
  std::set<std::uint64_t> all;
  for (auto& f : futures) {
    auto r = f.get();
    ASSERT_TRUE(r);
    all.insert(*r);
  }
  for (const auto& v : got) {
    EXPECT_TRUE(std::is_sorted(v.begin(), v.end()));  // One thread's appends stay in order.
    all.insert(v.begin(), v.end());
  }
  EXPECT_EQ(all.size(), static_cast<std::size_t>(kThreads * kPerThread + 400));
  EXPECT_EQ(*all.rbegin(), all.size() - 1);
  auto stats = db->commit_stats();
  EXPECT_LT(stats.commits, stats.writes) << "no two writes ever shared a commit";
  EXPECT_GT(stats.largest_group, 1u);
  // The tree over whatever order they landed in matches the entries as stored.
  auto rows = db->log_entries(0, all.size());
  std::vector<std::string> entries;
  for (const auto& r : *rows) entries.push_back(r.entry);
  expect_tree_matches(*db, entries);
}

TEST(LogStore, AFailingWriteIsRolledBackAloneAndConsumesNoIndex) {
  TempDir dir;
  auto db = open_store(dir / "a.db");
  ASSERT_TRUE(db->append_events(std::vector<LogEvent>{event(0)}));
  // The second event is over the limit: the whole call fails, its first event included.
  std::vector<LogEvent> bad = {event(1), {std::string(70'000, 'x'), {}}};
  auto r = db->append_events(bad);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, "log_entry_too_large");
  EXPECT_EQ(r.error().kind, ErrorKind::kTooLarge);
  EXPECT_EQ(r.error().field, "entry");
  EXPECT_EQ(*db->log_size(), 1u);
  auto next = db->append_events(std::vector<LogEvent>{event(2)});
  ASSERT_TRUE(next);
  EXPECT_EQ(*next, 1u);
  expect_tree_matches(*db, {event(0).entry, event(2).entry});
}

TEST(LogStore, AFailingWriteInAGroupLeavesTheOthersCommitted) {
  TempDir dir;
  auto db = open_store(dir / "a.db");
  // Queue many writes at once (async, so they share groups), every third one bad.
  std::vector<std::future<Result<std::uint64_t>>> futures;
  std::vector<std::string> good;
  for (int i = 0; i < 300; ++i) {
    if (i % 3 == 2) {
      futures.push_back(db->append_event_async({std::string(70'000, 'y'), {}}));
    } else {
      futures.push_back(db->append_event_async(event(i)));
    }
  }
  std::uint64_t expected = 0;
  for (int i = 0; i < 300; ++i) {
    auto r = futures[i].get();
    if (i % 3 == 2) {
      EXPECT_FALSE(r);
    } else {
      ASSERT_TRUE(r);
      EXPECT_EQ(*r, expected++);  // Queued order, no gaps from the failures.
      good.push_back(event(i).entry);
    }
  }
  expect_tree_matches(*db, good);
}

TEST(LogStore, SubjectsFindTheirEntries) {
  TempDir dir;
  auto db = open_store(dir / "a.db");
  ASSERT_TRUE(db->append_events(std::vector<LogEvent>{event(0, {"asset:a"}), event(1, {"asset:b"}),
                                                      event(2, {"asset:a", "recipe:r"})}));
  EXPECT_EQ(*db->log_indexes("asset:a"), (std::vector<std::uint64_t>{0, 2}));
  EXPECT_EQ(*db->log_indexes("recipe:r"), (std::vector<std::uint64_t>{2}));
  EXPECT_TRUE(db->log_indexes("asset:zzz")->empty());
}

TEST(LogStore, CheckpointsAreSignedInTheCommitByPolicy) {
  TempDir dir;
  ManualClock clock;
  auto db = open_store(dir / "a.db", &clock);
  std::vector<std::pair<std::uint64_t, Digest>> signed_heads;
  db->set_checkpoint_signer(
      [&](std::uint64_t size, const Digest& root) -> Result<std::string> {
        signed_heads.emplace_back(size, root);
        return "note " + std::to_string(size) + "\n";
      },
      1000);
  std::vector<std::string> entries;
  auto append = [&](int i) {
    auto e = event(i);
    ASSERT_TRUE(db->append_events(std::span(&e, 1)));
    entries.push_back(e.entry);
  };
  append(0);  // No checkpoint yet: sign.
  append(1);  // Within the interval: not signed.
  clock.advance_ms(1000);
  append(2);  // Interval over: sign.
  ASSERT_EQ(signed_heads.size(), 2u);
  EXPECT_EQ(signed_heads[0].first, 1u);
  EXPECT_EQ(signed_heads[1].first, 3u);
  // The signed root is the RFC 6962 root of the entries at that size.
  Digest want =
      node_hash(node_hash(leaf_hash(entries[0]), leaf_hash(entries[1])), leaf_hash(entries[2]));
  EXPECT_EQ(signed_heads[1].second, want);
  auto cps = db->checkpoints(0, 10);
  ASSERT_EQ(cps->size(), 2u);
  EXPECT_EQ((*cps)[1].note, "note 3\n");
  EXPECT_EQ((*cps)[1].created_ms, clock.now_ms());
  // checkpoint_now signs only when the tree has grown.
  append(3);
  auto now = db->checkpoint_now();
  ASSERT_TRUE(now && *now);
  EXPECT_EQ((*now)->size, 4u);
  ASSERT_TRUE(db->checkpoint_now());
  EXPECT_EQ(signed_heads.size(), 3u);
}

TEST(LogStore, AFailingSignerKeepsTheWritesAndCheckpointNowReportsIt) {
  TempDir dir;
  auto db = open_store(dir / "a.db");
  db->set_checkpoint_signer(
      [](std::uint64_t, const Digest&) -> Result<std::string> {
        return fail(Error::internal("signing_failed", "injected"));
      },
      0);
  auto e = event(0);
  ASSERT_TRUE(db->append_events(std::span(&e, 1)));
  EXPECT_EQ(*db->log_size(), 1u);
  EXPECT_FALSE(*db->latest_checkpoint());
  auto now = db->checkpoint_now();
  ASSERT_FALSE(now);
  EXPECT_EQ(now.error().code, "signing_failed");
}

TEST(LogStore, EntriesTreeAndChangeCommitTogetherOrNotAtAll) {
  // A render whose insert fails (a foreign key to a missing asset would, but put_render writes
  // the asset itself; here the entry is too large) leaves neither the render nor the entry.
  TempDir dir;
  auto db = open_store(dir / "a.db");
  RenderRecord r;
  r.recipe_id = std::string(64, 'a');
  r.recipe_json = "{}";
  r.asset_sha256 = std::string(64, 'b');
  r.traits_json = "{}";
  AssetRecord a{r.asset_sha256, "image/png", 10, 1, 1, 1};
  auto put = db->put_render(r, a, {std::string(70'000, 'z'), {"asset:" + a.sha256}});
  ASSERT_FALSE(put);
  EXPECT_FALSE(*db->render_by_recipe(r.recipe_id));
  EXPECT_FALSE(*db->asset(a.sha256));
  EXPECT_EQ(*db->log_size(), 0u);
  EXPECT_TRUE(db->log_indexes("asset:" + a.sha256)->empty());
  // With a valid entry both land, and a repeat logs nothing.
  ASSERT_TRUE(*db->put_render(r, a, {R"({"render":1})", {"asset:" + a.sha256}}));
  ASSERT_FALSE(*db->put_render(r, a, {R"({"render":2})", {"asset:" + a.sha256}}));
  EXPECT_EQ(*db->log_size(), 1u);
  EXPECT_EQ(*db->log_indexes("asset:" + a.sha256), (std::vector<std::uint64_t>{0}));
}

}  // namespace
}  // namespace atelier::store
