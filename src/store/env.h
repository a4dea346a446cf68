// env.h — the file system under the blob store and atomic file writes, behind an interface
// (LevelDB's Env) so that tests can fail the N-th create, write, sync, close, rename or
// directory sync (tests/store/fault_env.h) and check that nothing half-written survives.
//
//   Env& env = Env::posix();                                    // the real one, the default
//   ATELIER_TRY_ASSIGN(auto file, env.create_exclusive(tmp));
//   ATELIER_TRY(file->append(bytes));
//   ATELIER_TRY(file->sync());
//   ATELIER_TRY(file->close());
//
// Errors are "io_error" (file_io.h io_error) naming the operation and the path.
// Thread-safety: Env::posix() is safe from many threads; a WritableFile is one thread's.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <span>

#include "core/error.h"

namespace atelier::store {

// A file being written. Destroying one that was not closed closes it (errors ignored).
class WritableFile {
 public:
  virtual ~WritableFile() = default;
  virtual Result<void> append(std::span<const std::uint8_t> bytes) = 0;
  virtual Result<void> sync() = 0;  // fsync: the bytes survive a crash.
  virtual Result<void> close() = 0;
};

class Env {
 public:
  virtual ~Env() = default;
  // The POSIX file system; lives for the whole program.
  static Env& posix();

  // Creates `path`, which must not exist (O_EXCL), mode 0644, for writing.
  virtual Result<std::unique_ptr<WritableFile>> create_exclusive(
      const std::filesystem::path& path) = 0;
  // Atomically replaces `to` with `from` (rename(2)); durable once the directory is synced.
  virtual Result<void> rename(const std::filesystem::path& from,
                              const std::filesystem::path& to) = 0;
  // Removes a file; a missing file is not an error.
  virtual Result<void> remove(const std::filesystem::path& path) = 0;
  // fsync()s a directory, making a rename, link or unlink in it durable.
  virtual Result<void> sync_dir(const std::filesystem::path& dir) = 0;
  virtual Result<void> create_directories(const std::filesystem::path& dir) = 0;
};

}  // namespace atelier::store
