// The fault-injection tools themselves (fault_vfs.h, fault_env.h) and the regressions they
// found in the store: a statement whose preparation failed crashed the next reset; a blob whose
// directory sync failed was later reported stored without one.
#include <gtest/gtest.h>
#include <sqlite3.h>

#include "core/hash.h"
#include "store/blob_store.h"
#include "store/internal/sqlite_stmt.h"
#include "store/sqlite_store.h"
#include "tests/store/fault_env.h"
#include "tests/store/fault_vfs.h"
#include "tests/store/test_dir.h"

namespace atelier::store {
namespace {

using atelier::testing::FaultEnv;
using atelier::testing::FaultKind;
using atelier::testing::FaultVfs;
using atelier::testing::TempDir;

FaultVfs& vfs() {
  static FaultVfs v("atelier-fault-store-test");
  return v;
}

sqlite3* open_db(const std::filesystem::path& path) {
  sqlite3* db = nullptr;
  EXPECT_EQ(sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE,
                            vfs().name().c_str()),
            SQLITE_OK);
  return db;
}

std::int64_t rows(sqlite3* db) {
  internal::Stmt q(db, "SELECT COUNT(*) FROM t");
  return q.one("counting") ? q.int64(0) : -1;
}

TEST(FaultVfs, TheNthCallOfAKindFailsOnceAndIsCounted) {
  TempDir dir;
  sqlite3* db = open_db(dir / "a.db");
  ASSERT_TRUE(internal::exec(db, "PRAGMA journal_mode=WAL; CREATE TABLE t (x)"));
  vfs().fail_at(FaultKind::kSync, 1);
  EXPECT_FALSE(internal::exec(db, "INSERT INTO t VALUES (1)"));
  EXPECT_TRUE(vfs().fired());
  EXPECT_TRUE(internal::exec(db, "INSERT INTO t VALUES (2)")) << "a one-shot fault passes";
  EXPECT_EQ(rows(db), 1);
  vfs().reset_counts();
  ASSERT_TRUE(internal::exec(db, "INSERT INTO t VALUES (3)"));
  EXPECT_GE(vfs().count(FaultKind::kWrite), 1);
  EXPECT_GE(vfs().count(FaultKind::kSync), 1);
  std::int64_t sum = 0;
  for (std::size_t k = 0; k < testing::kFaultKinds; ++k) sum += vfs().count(FaultKind(k));
  EXPECT_EQ(vfs().count(FaultKind::kAny), sum);
  vfs().fail_at(FaultKind::kWrite, 1, /*persistent=*/true);
  EXPECT_FALSE(internal::exec(db, "INSERT INTO t VALUES (4)"));
  EXPECT_FALSE(internal::exec(db, "INSERT INTO t VALUES (5)")) << "a dead disk stays dead";
  vfs().disarm();
  EXPECT_EQ(rows(db), 2);
  sqlite3_close(db);
}

TEST(FaultVfs, OpenFileSizeDeleteAndAccessFailAtTheNthCall) {
  TempDir dir;
  vfs().fail_at(FaultKind::kOpen, 1);
  sqlite3* db = nullptr;
  EXPECT_EQ(sqlite3_open_v2((dir / "a.db").c_str(), &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE,
                            vfs().name().c_str()),
            SQLITE_CANTOPEN);
  EXPECT_TRUE(vfs().fired());
  sqlite3_close(db);
  vfs().disarm();
  db = open_db(dir / "a.db");
  // A rollback journal: each transaction opens, sizes and deletes one, and checks for a hot one.
  ASSERT_TRUE(internal::exec(db, "PRAGMA journal_mode=DELETE; CREATE TABLE t (x)"));
  for (FaultKind kind : {FaultKind::kFileSize, FaultKind::kDelete, FaultKind::kAccess}) {
    vfs().reset_counts();
    ASSERT_TRUE(internal::exec(db, "INSERT INTO t VALUES (0)"));
    ASSERT_GE(vfs().count(kind), 1) << testing::fault_kind_name(kind);
    vfs().fail_at(kind, 1, /*persistent=*/true);
    EXPECT_FALSE(internal::exec(db, "INSERT INTO t VALUES (1)")) << testing::fault_kind_name(kind);
    EXPECT_TRUE(vfs().fired()) << testing::fault_kind_name(kind);
    vfs().disarm();
  }
  sqlite3_close(db);
}

TEST(FaultVfs, ACrashDropsWritesThatWereNotSynced) {
  TempDir dir;
  sqlite3* db = open_db(dir / "a.db");
  // synchronous=OFF: commits are never synced, so a crash must lose them all.
  ASSERT_TRUE(internal::exec(
      db,
      "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; CREATE TABLE t (x);"
      "INSERT INTO t VALUES (1); PRAGMA synchronous=OFF; INSERT INTO t VALUES (2);"));
  EXPECT_EQ(rows(db), 2) << "unsynced writes are read back before the crash";
  vfs().crash();
  sqlite3_close(db);
  vfs().recover();
  db = open_db(dir / "a.db");
  EXPECT_EQ(rows(db), 1) << "the synced commit survives, the unsynced one does not";
  sqlite3_close(db);
}

TEST(FaultVfs, AStoreCommitSurvivesACrashRightAfterIt) {
  TempDir dir;
  ManualClock clock;
  {
    auto db = SqliteStore::open(dir / "a.db", &clock, {.vfs = vfs().name()});
    ASSERT_TRUE(db) << db.error().to_string();
    LogEvent e{R"({"type":"x"})", {"s"}};
    ASSERT_TRUE((*db)->append_events(std::span(&e, 1)));
    vfs().crash();
  }
  vfs().recover();
  auto db = SqliteStore::open(dir / "a.db", &clock);
  ASSERT_TRUE(db);
  EXPECT_EQ(*(*db)->log_size(), 1u);
}

// Regression: an I/O error while SQLite read the schema left a cached statement unprepared;
// the next use reset it through sqlite3_clear_bindings(NULL) and crashed. Now it is prepared
// again and works.
TEST(FaultVfs, ACachedStatementWhosePrepareFailedIsPreparedAgain) {
  TempDir dir;
  {
    sqlite3* db = open_db(dir / "a.db");
    ASSERT_TRUE(internal::exec(db, "CREATE TABLE t (x); INSERT INTO t VALUES (1)"));
    sqlite3_close(db);
  }
  sqlite3* db = open_db(dir / "a.db");  // Schema not read yet: the first prepare reads it.
  internal::StmtCache cache(db);
  vfs().fail_at(FaultKind::kRead, 1, /*persistent=*/true);
  {
    internal::Stmt& q = cache.get("SELECT COUNT(*) FROM t");
    EXPECT_FALSE(q.prepared());
    EXPECT_FALSE(q.one("counting"));
  }
  vfs().disarm();
  internal::Stmt& q = cache.get("SELECT COUNT(*) FROM t");
  ASSERT_TRUE(q.one("counting"));
  EXPECT_EQ(q.int64(0), 1);
  q.reset();
  cache.clear();
  sqlite3_close(db);
}

TEST(FaultEnv, EveryStepOfAnAtomicWriteCanFailAndLeavesNothing) {
  TempDir dir;
  const std::vector<std::uint8_t> bytes = {1, 2, 3};
  std::int64_t n = 1;
  for (; n < 20; ++n) {
    FaultEnv env;
    env.fail_at(FaultEnv::kAny, n);
    auto w = write_file_atomic(dir / "f", bytes, env);
    if (!env.fired()) {
      ASSERT_TRUE(w);
      break;
    }
    ASSERT_FALSE(w);
    EXPECT_EQ(w.error().code, "io_error");
    for (const auto& e : std::filesystem::directory_iterator(dir.path())) {
      EXPECT_EQ(e.path().filename().string().find(".tmp-"), std::string::npos) << "step " << n;
    }
    std::filesystem::remove(dir / "f");  // A failed directory sync leaves the renamed file.
  }
  EXPECT_EQ(n, 7)
      << "create, append, sync, close, rename and sync_dir can fail; the 7th run succeeds";
  EXPECT_EQ(*read_file(dir / "f", 10), bytes);
}

// Regression: put() of bytes already present returned at once, so after a put whose directory
// sync failed a retry reported the blob stored although its rename was never made durable.
TEST(FaultEnv, ARetriedPutSyncsTheDirectoryAWriteFailedToSync) {
  TempDir dir;
  FaultEnv env;
  BlobStore blobs(dir / "blobs", &env);
  const std::vector<std::uint8_t> bytes = {4, 5, 6};
  env.fail_at(FaultEnv::kSyncDir, 1);
  EXPECT_FALSE(blobs.put(bytes));
  env.fail_at(FaultEnv::kAny, 0);
  auto again = blobs.put(bytes);
  ASSERT_TRUE(again);
  EXPECT_EQ(env.count(FaultEnv::kSyncDir), 2)
      << "the retry synced the directory, and (the first time) the root that names it";
  EXPECT_EQ(env.count(FaultEnv::kCreate), 0) << "the bytes were not written twice";
  EXPECT_EQ(*again, sha256_hex(bytes));
}

TEST(FaultEnv, ACrashDropsUnsyncedBytesAndNames) {
  TempDir dir;
  FaultEnv env;
  const std::vector<std::uint8_t> bytes = {1, 2, 3};
  auto synced = env.create_exclusive(dir / "synced");
  ASSERT_TRUE(synced);
  ASSERT_TRUE((*synced)->append(bytes));
  ASSERT_TRUE((*synced)->sync());
  ASSERT_TRUE((*synced)->append(bytes));  // Not synced: the crash cuts it off.
  ASSERT_TRUE((*synced)->close());
  ASSERT_TRUE(env.sync_dir(dir.path()));
  auto unnamed = env.create_exclusive(dir / "unnamed");  // Its directory is never synced.
  ASSERT_TRUE(unnamed);
  ASSERT_TRUE((*unnamed)->append(bytes));
  ASSERT_TRUE((*unnamed)->sync());
  ASSERT_TRUE((*unnamed)->close());
  ASSERT_TRUE(env.create_directories(dir / "new" / "deeper"));
  env.crash();
  EXPECT_FALSE(env.create_exclusive(dir / "after")) << "a crashed machine does nothing";
  env.recover();
  EXPECT_EQ(*read_file(dir / "synced", 10), bytes);
  EXPECT_FALSE(std::filesystem::exists(dir / "unnamed"));
  EXPECT_FALSE(std::filesystem::exists(dir / "new"));
}

// Every step of a put into a new fan-out directory, with power lost there: a put that said
// "stored" keeps its blob, and nothing but whole blobs is ever under a blob's name.
void check_whole_blobs(const std::filesystem::path& root, const std::string& where) {
  if (!std::filesystem::exists(root)) return;
  for (const auto& e : std::filesystem::recursive_directory_iterator(root)) {
    if (!e.is_regular_file()) continue;
    std::string name = e.path().filename().string();
    if (name.find(".tmp-") != std::string::npos) continue;
    auto bytes = read_file(e.path(), 1 << 20);
    ASSERT_TRUE(bytes) << where;
    EXPECT_EQ(sha256_hex(*bytes), name) << where << ": a half-written blob under its name";
  }
}

// Regression: a put into a fan-out directory it had just created synced that directory but
// not the root, so a crash could drop the directory, and the blob the put reported stored.
TEST(FaultEnv, APutSurvivesACrashAtEveryStepAndAfterIt) {
  const std::vector<std::uint8_t> bytes = {7, 8, 9, 10};
  const std::string sha = sha256_hex(bytes);
  std::int64_t n = 1;
  for (; n < 30; ++n) {
    TempDir dir;
    std::filesystem::create_directories(dir / "blobs");
    FaultEnv env;
    BlobStore blobs(dir / "blobs", &env);
    env.crash_at(FaultEnv::kAny, n);
    auto put = blobs.put(bytes);
    const bool fired = env.fired();
    env.crash();  // At step n, or (n past the last step) right after put() returned.
    env.recover();
    const std::string where = "crash at step " + std::to_string(n);
    EXPECT_EQ(bool(put), !fired) << where;
    if (put) {
      auto back = BlobStore(dir / "blobs").get(sha);
      ASSERT_TRUE(back) << where << ": a blob reported stored is lost";
      EXPECT_EQ(sha256_hex(*back), sha);
    }
    check_whole_blobs(dir / "blobs", where);
    if (!fired) break;
  }
  EXPECT_EQ(n, 9) << "mkdir, create, append, sync, close, rename, sync_dir ×2, then none";
}

// A COMMIT whose first WAL write (restarting the WAL) fails, after a write refused inside its
// transaction; the next commit, with a reader connection open, must survive closing.
TEST(FaultVfs, ACommitAfterAFailedWalRestartIsKept) {
  TempDir dir;
  sqlite3* db = open_db(dir / "a.db");
  ASSERT_TRUE(internal::exec(db,
                             "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; CREATE TABLE t (x);"
                             "INSERT INTO t VALUES (1); PRAGMA wal_checkpoint(PASSIVE);"));
  sqlite3* reader = open_db(dir / "a.db");  // As the store has: one writer, one reader.
  EXPECT_EQ(rows(reader), 1);
  vfs().fail_at(FaultKind::kWrite, 1);
  // A write refused inside its transaction: its pages are dirty, its content rolled back.
  ASSERT_TRUE(internal::exec(
      db, "BEGIN IMMEDIATE; SAVEPOINT w; INSERT INTO t VALUES (2); ROLLBACK TO w; RELEASE w;"));
  EXPECT_FALSE(internal::exec(db, "COMMIT"));
  EXPECT_TRUE(vfs().fired());
  if (!sqlite3_get_autocommit(db)) (void)internal::exec(db, "ROLLBACK");
  vfs().disarm();
  ASSERT_TRUE(internal::exec(db, "BEGIN IMMEDIATE; INSERT INTO t VALUES (3); COMMIT"));
  EXPECT_EQ(rows(db), 2);
  EXPECT_EQ(rows(reader), 2);
  sqlite3_close(db);
  sqlite3_close(reader);
  db = open_db(dir / "a.db");
  EXPECT_EQ(rows(db), 2) << "the commit after the failed one survives closing";
  sqlite3_close(db);
}

// Regression (idempotency fault loop): when the disk failed a request and then the release of
// its Idempotency-Key claim, the claim stayed held by this live process, and every retry got
// "in flight" until the lease ran out. A retry now takes it over.
TEST(FaultVfs, AClaimWhoseReleaseFailedIsTakenOverByARetry) {
  TempDir dir;
  ManualClock clock(1'000'000);
  auto db = SqliteStore::open(dir / "a.db", &clock, {.vfs = vfs().name()});
  ASSERT_TRUE(db) << db.error().to_string();
  (*db)->set_idempotency_owner("me", [](std::string_view owner) { return owner == "me"; });
  auto claim = (*db)->claim_idempotency("key", "idem", "hash", clock.now_ms());
  ASSERT_TRUE(claim);
  ASSERT_EQ(claim->state, IdempotencyClaim::State::kNew);
  vfs().fail_at(FaultKind::kAny, 1, /*persistent=*/true);  // The disk dies: the release fails.
  EXPECT_FALSE((*db)->release_idempotency({"key", "idem", claim->token}));
  vfs().disarm();
  auto retry = (*db)->claim_idempotency("key", "idem", "hash", clock.now_ms());
  ASSERT_TRUE(retry) << retry.error().to_string();
  EXPECT_EQ(retry->state, IdempotencyClaim::State::kNew) << "not in flight: its request returned";
  EXPECT_TRUE(retry->taken_over);
  EXPECT_FALSE((*db)->complete_idempotency({"key", "idem", claim->token}, 200, "{}").value_or(true))
      << "the first claim's token is fenced off";
  auto again = (*db)->claim_idempotency("key", "idem", "hash", clock.now_ms());
  ASSERT_TRUE(again);
  EXPECT_EQ(again->state, IdempotencyClaim::State::kInFlight) << "the retry's claim is live";
}

}  // namespace
}  // namespace atelier::store
