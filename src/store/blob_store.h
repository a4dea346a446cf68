// blob_store.h — content-addressed files named by their SHA-256.
//
// Layout: ROOT/ab/abcdef… (first two hex digits as a fan-out directory). Writes are atomic:
// the bytes go to a temp file beside the blob, are fsynced, renamed into place, and the
// directory is fsynced, so a crash leaves either the whole blob or nothing under its name. The
// first put into a fan-out directory (per BlobStore) also fsyncs ROOT, so that the directory's
// own name survives a crash: a blob in a directory that vanishes is lost. A blob that already
// exists is not rewritten, but its directory is synced again (the write that made it may have
// failed at that last step). Reads check nothing by default; verify() rehashes.
//
// Thread-safety: safe from many threads and processes (rename is atomic).
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <mutex>
#include <set>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.h"
#include "store/env.h"

namespace atelier::store {

class BlobStore {
 public:
  // `env` (default: the POSIX file system) must outlive the store; tests pass a
  // fault-injecting one (tests/store/fault_env.h).
  explicit BlobStore(std::filesystem::path root, Env* env = &Env::posix());

  // Stores `bytes`, returns their sha256 hex.
  Result<std::string> put(std::span<const std::uint8_t> bytes);
  Result<std::vector<std::uint8_t>> get(std::string_view sha256) const;
  bool contains(std::string_view sha256) const;
  std::filesystem::path path_of(std::string_view sha256) const;
  const std::filesystem::path& root() const { return root_; }

  // Deletes temp files (".<name>.tmp-…") that interrupted writes (a killed process) left,
  // once older than `age_ms_min` — younger ones may belong to a write still running in
  // another process. Returns how many were removed.
  std::int64_t remove_stale_temp_files(std::int64_t age_ms_min = 3'600'000);

 private:
  // Fan-out directories whose name this store has made durable (synced ROOT after they
  // existed). A process's first put into each of the 256 pays one more directory fsync.
  struct DurableDirs {
    std::mutex mu;
    std::set<std::string> names;  // "ab".
  };
  // Syncs ROOT unless `fan_out` is known durable, then records it so.
  Result<void> sync_root_once(const std::string& fan_out);

  std::filesystem::path root_;
  Env* env_;
  std::unique_ptr<DurableDirs> durable_ = std::make_unique<DurableDirs>();
};

// Writes `bytes` to `path` atomically (temp file in the same directory, fsync, rename,
// directory fsync). Used for CLI outputs as well, so a failed render leaves no file.
// A failed write removes its temp file and leaves `path` as it was.
Result<void> write_file_atomic(const std::filesystem::path& path,
                               std::span<const std::uint8_t> bytes, Env& env = Env::posix());
Result<std::vector<std::uint8_t>> read_file(const std::filesystem::path& path,
                                            std::int64_t bytes_max);

}  // namespace atelier::store
