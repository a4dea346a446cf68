// fault_vfs.h — a SQLite VFS for tests that fails the N-th read, write, sync, lock, truncate,
// open, file-size query, delete or access check, and simulates a crash by dropping every write
// that was not synced.
//
//   testing::FaultVfs vfs("fault");                       // registered, not the default
//   auto db = store::SqliteStore::open(path, &clock, {.vfs = vfs.name()});
//   vfs.fail_at(FaultKind::kSync, 3);                     // the 3rd xSync from now fails
//   … run an operation; vfs.fired() says whether the fault was reached …
//   vfs.crash();                                          // power loss: unsynced writes gone
//   db.reset(); vfs.recover();                            // then reopen
//
// Locks: xLock on the database file and, in WAL mode, taking a WAL-index lock (xShmLock) both
// count as kLock; releasing never fails. xOpen (kOpen: SQLITE_CANTOPEN), xFileSize (kFileSize:
// SQLITE_IOERR_FSTAT), xDelete (kDelete: SQLITE_IOERR_DELETE) and xAccess (kAccess:
// SQLITE_IOERR_ACCESS) count in the same step counter as the I/O methods, so a loop over kAny
// reaches every one of them. It wraps the default VFS ("unix"). Every write to a named
// file (database, WAL, journal) is held in memory, per path (so the writer and reader connections
// see the same bytes), and reaches the real file only when that file is synced: what is on disk is
// exactly what a power loss would leave. Reads see the held writes. Truncation reaches the file at
// once (a simplification: SQLite truncates only after syncing what the truncation depends on). The
// I/O methods are version 2 (no xFetch), so SQLite never maps the database into memory behind the
// shim's back; the WAL index (-shm) is passed through, as unix rebuilds it from the WAL when the
// first connection opens after a crash.
//
// Thread-safety: every method may be called from any thread (the store's committer and
// reader threads do I/O concurrently); one mutex guards the counters and the held writes.
// The FaultVfs must outlive every connection opened through it.
#pragma once

#include <sqlite3.h>

#include <array>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace atelier::testing {

enum class FaultKind {
  kRead,
  kWrite,
  kSync,
  kLock,
  kTruncate,
  kOpen,
  kFileSize,
  kDelete,
  kAccess,
  kAny
};
inline constexpr std::size_t kFaultKinds = 9;  // Every kind but kAny.
const char* fault_kind_name(FaultKind kind);

class FaultVfs {
 public:
  explicit FaultVfs(std::string name);
  ~FaultVfs();
  FaultVfs(const FaultVfs&) = delete;
  FaultVfs& operator=(const FaultVfs&) = delete;

  const std::string& name() const { return name_; }

  // Counts restart at zero and any armed fault is disarmed (held writes are kept).
  void reset_counts();
  // Calls of `kind` since reset_counts(); kAny: all of them.
  std::int64_t count(FaultKind kind) const;

  // The `n`-th call (1-based, counted from now) of `kind` (kAny: of any kind) returns an
  // I/O error (SQLITE_IOERR_READ, _WRITE, _FSYNC, _LOCK, _TRUNCATE, SQLITE_CANTOPEN,
  // SQLITE_IOERR_FSTAT, _DELETE, _ACCESS) without touching the file. `persistent`: every later call
  // of that kind fails too, as a dead disk would.
  void fail_at(FaultKind kind, std::int64_t n, bool persistent = false);
  // The `n`-th call of `kind` (kAny: any) crashes instead of failing: see crash().
  void crash_at(FaultKind kind, std::int64_t n);
  void disarm();
  // Whether the armed fault or crash has been reached.
  bool fired() const;

  // Power loss now: the writes not yet synced are dropped, and until recover() every counted
  // call (read, write, sync, lock, truncate, open, file size, delete, access) fails (the process is
  // "dead"; closing still works).
  void crash();
  // After every connection of the crashed process has been closed: files work again.
  void recover();
  bool crashed() const;

 private:
  struct Held;  // One file's writes since its last sync.
  struct File;
  static int x_open(sqlite3_vfs*, sqlite3_filename, sqlite3_file*, int, int*);
  static int x_delete(sqlite3_vfs*, const char*, int);
  static int x_access(sqlite3_vfs*, const char*, int, int*);
  static int x_close(sqlite3_file*);
  static int x_read(sqlite3_file*, void*, int, sqlite3_int64);
  static int x_write(sqlite3_file*, const void*, int, sqlite3_int64);
  static int x_truncate(sqlite3_file*, sqlite3_int64);
  static int x_sync(sqlite3_file*, int);
  static int x_file_size(sqlite3_file*, sqlite3_int64*);
  static int x_lock(sqlite3_file*, int);
  static int x_unlock(sqlite3_file*, int);
  static int x_check_reserved_lock(sqlite3_file*, int*);
  static int x_file_control(sqlite3_file*, int, void*);
  static int x_sector_size(sqlite3_file*);
  static int x_device_characteristics(sqlite3_file*);
  static int x_shm_map(sqlite3_file*, int, int, int, void volatile**);
  static int x_shm_lock(sqlite3_file*, int, int, int);
  static void x_shm_barrier(sqlite3_file*);
  static int x_shm_unmap(sqlite3_file*, int);

  // Counts a call of `kind`; SQLITE_OK to go on, or the error to return (crashing first when
  // the armed event is a crash).
  int tick(FaultKind kind);
  void crash_locked();
  // The real size of `f` and its held writes: the size SQLite must see.
  int size_locked(File* f, sqlite3_int64* size);

  std::string name_;
  sqlite3_vfs* real_;
  sqlite3_vfs vfs_;
  sqlite3_io_methods methods_;
  mutable std::mutex mu_;
  std::array<std::int64_t, kFaultKinds> counts_{};
  std::int64_t any_count_ = 0;
  FaultKind armed_kind_ = FaultKind::kAny;
  std::int64_t armed_n_ = 0;  // 0: nothing armed.
  bool armed_persistent_ = false;
  bool armed_crash_ = false;
  bool fired_ = false;
  bool crashed_ = false;
  std::map<std::string, std::shared_ptr<Held>> held_;  // By path.
};

}  // namespace atelier::testing
