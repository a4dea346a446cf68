#include "tests/store/fault_vfs.h"

#include <algorithm>
#include <cstddef>
#include <cstring>
#include <new>
#include <stdexcept>
#include <utility>

namespace atelier::testing {

namespace {

constexpr std::size_t kAlign = alignof(std::max_align_t);

std::size_t index_of(FaultKind kind) { return static_cast<std::size_t>(kind); }

int error_of(FaultKind kind) {
  switch (kind) {
    case FaultKind::kRead:
      return SQLITE_IOERR_READ;
    case FaultKind::kWrite:
      return SQLITE_IOERR_WRITE;
    case FaultKind::kSync:
      return SQLITE_IOERR_FSYNC;
    case FaultKind::kLock:
      return SQLITE_IOERR_LOCK;
    case FaultKind::kTruncate:
      return SQLITE_IOERR_TRUNCATE;
    case FaultKind::kOpen:
      return SQLITE_CANTOPEN;
    case FaultKind::kFileSize:
      return SQLITE_IOERR_FSTAT;
    case FaultKind::kDelete:
      return SQLITE_IOERR_DELETE;
    case FaultKind::kAccess:
      return SQLITE_IOERR_ACCESS;
    case FaultKind::kAny:
      break;
  }
  return SQLITE_IOERR;
}

}  // namespace

const char* fault_kind_name(FaultKind kind) {
  switch (kind) {
    case FaultKind::kRead:
      return "read";
    case FaultKind::kWrite:
      return "write";
    case FaultKind::kSync:
      return "sync";
    case FaultKind::kLock:
      return "lock";
    case FaultKind::kTruncate:
      return "truncate";
    case FaultKind::kOpen:
      return "open";
    case FaultKind::kFileSize:
      return "filesize";
    case FaultKind::kDelete:
      return "delete";
    case FaultKind::kAccess:
      return "access";
    case FaultKind::kAny:
      return "any";
  }
  return "?";
}

struct FaultVfs::Held {
  std::vector<std::pair<sqlite3_int64, std::vector<std::uint8_t>>> writes;
};

// SQLite allocates vfs_.szOsFile bytes: this header, then the real VFS's file.
struct FaultVfs::File {
  sqlite3_file base;
  FaultVfs* vfs;
  std::shared_ptr<Held> held;  // Null for files without a name (SQLite's temp files).
  sqlite3_file* real;
};

namespace {
constexpr std::size_t header_bytes(std::size_t size) {
  return (size + kAlign - 1) / kAlign * kAlign;
}
}  // namespace

FaultVfs::FaultVfs(std::string name) : name_(std::move(name)) {
  real_ = sqlite3_vfs_find(nullptr);
  if (real_ == nullptr) throw std::runtime_error("no default SQLite VFS");
  vfs_ = *real_;  // xFullPathname, randomness, time and the rest: the real ones.
  vfs_.szOsFile = static_cast<int>(header_bytes(sizeof(File)) + real_->szOsFile);
  vfs_.zName = name_.c_str();
  vfs_.pAppData = this;
  vfs_.pNext = nullptr;
  vfs_.xOpen = &FaultVfs::x_open;
  vfs_.xDelete = &FaultVfs::x_delete;
  vfs_.xAccess = &FaultVfs::x_access;
  methods_ = sqlite3_io_methods{};
  methods_.iVersion = 2;  // Shared memory, no memory-mapped reads (xFetch) past the shim.
  methods_.xClose = &FaultVfs::x_close;
  methods_.xRead = &FaultVfs::x_read;
  methods_.xWrite = &FaultVfs::x_write;
  methods_.xTruncate = &FaultVfs::x_truncate;
  methods_.xSync = &FaultVfs::x_sync;
  methods_.xFileSize = &FaultVfs::x_file_size;
  methods_.xLock = &FaultVfs::x_lock;
  methods_.xUnlock = &FaultVfs::x_unlock;
  methods_.xCheckReservedLock = &FaultVfs::x_check_reserved_lock;
  methods_.xFileControl = &FaultVfs::x_file_control;
  methods_.xSectorSize = &FaultVfs::x_sector_size;
  methods_.xDeviceCharacteristics = &FaultVfs::x_device_characteristics;
  methods_.xShmMap = &FaultVfs::x_shm_map;
  methods_.xShmLock = &FaultVfs::x_shm_lock;
  methods_.xShmBarrier = &FaultVfs::x_shm_barrier;
  methods_.xShmUnmap = &FaultVfs::x_shm_unmap;
  if (sqlite3_vfs_register(&vfs_, /*makeDflt=*/0) != SQLITE_OK) {
    throw std::runtime_error("cannot register VFS " + name_);
  }
}

FaultVfs::~FaultVfs() { sqlite3_vfs_unregister(&vfs_); }

void FaultVfs::reset_counts() {
  std::lock_guard lock(mu_);
  counts_.fill(0);
  any_count_ = 0;
  armed_n_ = 0;
  fired_ = false;
}

std::int64_t FaultVfs::count(FaultKind kind) const {
  std::lock_guard lock(mu_);
  return kind == FaultKind::kAny ? any_count_ : counts_[index_of(kind)];
}

void FaultVfs::fail_at(FaultKind kind, std::int64_t n, bool persistent) {
  reset_counts();
  std::lock_guard lock(mu_);
  armed_kind_ = kind;
  armed_n_ = n;
  armed_persistent_ = persistent;
  armed_crash_ = false;
}

void FaultVfs::crash_at(FaultKind kind, std::int64_t n) {
  fail_at(kind, n);
  std::lock_guard lock(mu_);
  armed_crash_ = true;
}

void FaultVfs::disarm() {
  std::lock_guard lock(mu_);
  armed_n_ = 0;
}

bool FaultVfs::fired() const {
  std::lock_guard lock(mu_);
  return fired_;
}

void FaultVfs::crash() {
  std::lock_guard lock(mu_);
  crash_locked();
}

void FaultVfs::crash_locked() {
  crashed_ = true;
  for (auto& [path, held] : held_) held->writes.clear();
  held_.clear();
}

void FaultVfs::recover() {
  std::lock_guard lock(mu_);
  crashed_ = false;
  armed_n_ = 0;
}

bool FaultVfs::crashed() const {
  std::lock_guard lock(mu_);
  return crashed_;
}

int FaultVfs::tick(FaultKind kind) {
  if (crashed_) return error_of(kind);
  const std::int64_t seen_kind = ++counts_[index_of(kind)];
  const std::int64_t seen_any = ++any_count_;
  if (armed_n_ == 0) return SQLITE_OK;
  if (armed_kind_ != FaultKind::kAny && armed_kind_ != kind) return SQLITE_OK;
  const std::int64_t seen = armed_kind_ == FaultKind::kAny ? seen_any : seen_kind;
  if (seen < armed_n_ || (seen > armed_n_ && !armed_persistent_)) return SQLITE_OK;
  fired_ = true;
  if (armed_crash_) crash_locked();
  return error_of(kind);
}

int FaultVfs::size_locked(File* f, sqlite3_int64* size) {
  int rc = f->real->pMethods->xFileSize(f->real, size);
  if (rc != SQLITE_OK || !f->held) return rc;
  for (const auto& [offset, bytes] : f->held->writes) {
    *size = std::max<sqlite3_int64>(*size, offset + static_cast<sqlite3_int64>(bytes.size()));
  }
  return SQLITE_OK;
}

int FaultVfs::x_open(sqlite3_vfs* vfs, sqlite3_filename name, sqlite3_file* file, int flags,
                     int* out_flags) {
  auto* self = static_cast<FaultVfs*>(vfs->pAppData);
  auto* f = new (file) File{};
  f->base.pMethods = nullptr;  // Until the real open succeeds: SQLite then skips xClose.
  f->vfs = self;
  f->real =
      reinterpret_cast<sqlite3_file*>(reinterpret_cast<char*>(file) + header_bytes(sizeof(File)));
  {
    std::lock_guard lock(self->mu_);
    if (int rc = self->tick(FaultKind::kOpen); rc != SQLITE_OK) {
      f->~File();
      return rc;
    }
    if (name != nullptr) {
      auto& held = self->held_[name];
      if (!held) held = std::make_shared<Held>();
      f->held = held;
    }
  }
  int rc = self->real_->xOpen(self->real_, name, f->real, flags, out_flags);
  if (rc != SQLITE_OK) {
    if (f->real->pMethods != nullptr) f->real->pMethods->xClose(f->real);
    f->~File();
    return rc;
  }
  f->base.pMethods = &self->methods_;
  return SQLITE_OK;
}

int FaultVfs::x_delete(sqlite3_vfs* vfs, const char* name, int sync_dir) {
  auto* self = static_cast<FaultVfs*>(vfs->pAppData);
  {
    std::lock_guard lock(self->mu_);
    if (int rc = self->tick(FaultKind::kDelete); rc != SQLITE_OK) return rc;
    if (auto it = self->held_.find(name); it != self->held_.end()) {
      it->second->writes.clear();
      self->held_.erase(it);
    }
  }
  return self->real_->xDelete(self->real_, name, sync_dir);
}

int FaultVfs::x_access(sqlite3_vfs* vfs, const char* name, int flags, int* out) {
  auto* self = static_cast<FaultVfs*>(vfs->pAppData);
  {
    std::lock_guard lock(self->mu_);
    if (int rc = self->tick(FaultKind::kAccess); rc != SQLITE_OK) return rc;
  }
  return self->real_->xAccess(self->real_, name, flags, out);
}

int FaultVfs::x_close(sqlite3_file* file) {
  auto* f = reinterpret_cast<File*>(file);
  int rc = f->real->pMethods->xClose(f->real);
  {
    std::lock_guard lock(f->vfs->mu_);
    f->~File();  // Held writes stay with the path: the OS keeps them past a close.
  }
  return rc;
}

int FaultVfs::x_read(sqlite3_file* file, void* out, int n, sqlite3_int64 offset) {
  auto* f = reinterpret_cast<File*>(file);
  std::lock_guard lock(f->vfs->mu_);
  if (int rc = f->vfs->tick(FaultKind::kRead); rc != SQLITE_OK) return rc;
  int rc = f->real->pMethods->xRead(f->real, out, n, offset);
  if ((rc != SQLITE_OK && rc != SQLITE_IOERR_SHORT_READ) || !f->held || f->held->writes.empty()) {
    return rc;
  }
  auto* dst = static_cast<std::uint8_t*>(out);
  const sqlite3_int64 end = offset + n;
  for (const auto& [w_offset, bytes] : f->held->writes) {
    const sqlite3_int64 w_end = w_offset + static_cast<sqlite3_int64>(bytes.size());
    const sqlite3_int64 from = std::max(offset, w_offset);
    const sqlite3_int64 to = std::min(end, w_end);
    if (from < to) std::memcpy(dst + (from - offset), bytes.data() + (from - w_offset), to - from);
  }
  sqlite3_int64 size = 0;
  if (int s = f->vfs->size_locked(f, &size); s != SQLITE_OK) return s;
  return end <= size ? SQLITE_OK : SQLITE_IOERR_SHORT_READ;  // Past the end: zeros (unix's).
}

int FaultVfs::x_write(sqlite3_file* file, const void* in, int n, sqlite3_int64 offset) {
  auto* f = reinterpret_cast<File*>(file);
  std::lock_guard lock(f->vfs->mu_);
  if (int rc = f->vfs->tick(FaultKind::kWrite); rc != SQLITE_OK) return rc;
  if (!f->held) return f->real->pMethods->xWrite(f->real, in, n, offset);
  const auto* bytes = static_cast<const std::uint8_t*>(in);
  f->held->writes.emplace_back(offset, std::vector<std::uint8_t>(bytes, bytes + n));
  return SQLITE_OK;
}

int FaultVfs::x_truncate(sqlite3_file* file, sqlite3_int64 size) {
  auto* f = reinterpret_cast<File*>(file);
  std::lock_guard lock(f->vfs->mu_);
  if (int rc = f->vfs->tick(FaultKind::kTruncate); rc != SQLITE_OK) return rc;
  if (f->held) {
    auto& writes = f->held->writes;
    std::erase_if(writes, [&](const auto& w) { return w.first >= size; });
    for (auto& [offset, bytes] : writes) {
      if (offset + static_cast<sqlite3_int64>(bytes.size()) > size) bytes.resize(size - offset);
    }
  }
  return f->real->pMethods->xTruncate(f->real, size);
}

int FaultVfs::x_sync(sqlite3_file* file, int flags) {
  auto* f = reinterpret_cast<File*>(file);
  std::lock_guard lock(f->vfs->mu_);
  if (int rc = f->vfs->tick(FaultKind::kSync); rc != SQLITE_OK) return rc;
  if (f->held) {
    for (const auto& [offset, bytes] : f->held->writes) {
      int rc =
          f->real->pMethods->xWrite(f->real, bytes.data(), static_cast<int>(bytes.size()), offset);
      if (rc != SQLITE_OK) return rc;
    }
    f->held->writes.clear();
  }
  return f->real->pMethods->xSync(f->real, flags);
}

int FaultVfs::x_file_size(sqlite3_file* file, sqlite3_int64* size) {
  auto* f = reinterpret_cast<File*>(file);
  std::lock_guard lock(f->vfs->mu_);
  if (int rc = f->vfs->tick(FaultKind::kFileSize); rc != SQLITE_OK) return rc;
  return f->vfs->size_locked(f, size);
}

int FaultVfs::x_lock(sqlite3_file* file, int level) {
  auto* f = reinterpret_cast<File*>(file);
  {
    std::lock_guard lock(f->vfs->mu_);
    if (int rc = f->vfs->tick(FaultKind::kLock); rc != SQLITE_OK) return rc;
  }
  return f->real->pMethods->xLock(f->real, level);
}

int FaultVfs::x_unlock(sqlite3_file* file, int level) {
  auto* f = reinterpret_cast<File*>(file);
  return f->real->pMethods->xUnlock(f->real, level);
}

int FaultVfs::x_check_reserved_lock(sqlite3_file* file, int* out) {
  auto* f = reinterpret_cast<File*>(file);
  return f->real->pMethods->xCheckReservedLock(f->real, out);
}

int FaultVfs::x_file_control(sqlite3_file* file, int op, void* arg) {
  auto* f = reinterpret_cast<File*>(file);
  return f->real->pMethods->xFileControl(f->real, op, arg);
}

int FaultVfs::x_sector_size(sqlite3_file* file) {
  auto* f = reinterpret_cast<File*>(file);
  return f->real->pMethods->xSectorSize(f->real);
}

int FaultVfs::x_device_characteristics(sqlite3_file* file) {
  auto* f = reinterpret_cast<File*>(file);
  return f->real->pMethods->xDeviceCharacteristics(f->real);
}

int FaultVfs::x_shm_map(sqlite3_file* file, int region, int size, int extend, void volatile** out) {
  auto* f = reinterpret_cast<File*>(file);
  return f->real->pMethods->xShmMap(f->real, region, size, extend, out);
}

int FaultVfs::x_shm_lock(sqlite3_file* file, int offset, int n, int flags) {
  auto* f = reinterpret_cast<File*>(file);
  if ((flags & SQLITE_SHM_LOCK) != 0) {  // Taking a WAL lock (the writer's, a reader's) can fail;
    std::lock_guard lock(f->vfs->mu_);   // releasing one cannot.
    if (int rc = f->vfs->tick(FaultKind::kLock); rc != SQLITE_OK) return SQLITE_IOERR_SHMLOCK;
  }
  return f->real->pMethods->xShmLock(f->real, offset, n, flags);
}

void FaultVfs::x_shm_barrier(sqlite3_file* file) {
  auto* f = reinterpret_cast<File*>(file);
  f->real->pMethods->xShmBarrier(f->real);
}

int FaultVfs::x_shm_unmap(sqlite3_file* file, int delete_flag) {
  auto* f = reinterpret_cast<File*>(file);
  return f->real->pMethods->xShmUnmap(f->real, delete_flag);
}

}  // namespace atelier::testing
