// fault_env.h — an Env (src/store/env.h) for tests that fails the N-th file-system call.
//
//   testing::FaultEnv env;                        // wraps Env::posix()
//   store::BlobStore blobs(dir, &env);
//   env.fail_at(FaultEnv::kAny, 3);               // the 3rd call from now fails ("io_error")
//
// Counted calls: create, append, sync, close, rename, sync_dir, create_directories (remove
// is the cleanup of a failed write and is never failed). A failed call does not reach the
// file system, except close, which closes the file and then reports the error (as close(2)
// does). Thread-safety: one mutex guards the counters.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>

#include "store/env.h"

namespace atelier::testing {

class FaultEnv final : public store::Env {
 public:
  enum Kind { kCreate, kAppend, kSync, kClose, kRename, kSyncDir, kMkdir, kAny };
  static constexpr std::size_t kKinds = kAny;

  explicit FaultEnv(store::Env& real = store::Env::posix()) : real_(real) {}

  // Counting restarts; the `n`-th call (1-based) of `kind` (kAny: of any kind) fails.
  void fail_at(Kind kind, std::int64_t n) {
    std::lock_guard lock(mu_);
    counts_.fill(0);
    any_ = 0;
    kind_ = kind;
    n_ = n;
    fired_ = false;
  }
  void disarm() { fail_at(kAny, 0); }
  bool fired() const {
    std::lock_guard lock(mu_);
    return fired_;
  }
  std::int64_t count(Kind kind) const {
    std::lock_guard lock(mu_);
    return kind == kAny ? any_ : counts_[kind];
  }

  Result<std::unique_ptr<store::WritableFile>> create_exclusive(
      const std::filesystem::path& path) override {
    ATELIER_TRY(tick(kCreate, "creating", path));
    ATELIER_TRY_ASSIGN(auto file, real_.create_exclusive(path));
    return std::make_unique<File>(*this, std::move(file), path);
  }
  Result<void> rename(const std::filesystem::path& from, const std::filesystem::path& to) override {
    ATELIER_TRY(tick(kRename, "renaming onto", to));
    return real_.rename(from, to);
  }
  Result<void> remove(const std::filesystem::path& path) override { return real_.remove(path); }
  Result<void> sync_dir(const std::filesystem::path& dir) override {
    ATELIER_TRY(tick(kSyncDir, "syncing directory", dir));
    return real_.sync_dir(dir);
  }
  Result<void> create_directories(const std::filesystem::path& dir) override {
    ATELIER_TRY(tick(kMkdir, "creating", dir));
    return real_.create_directories(dir);
  }

 private:
  class File final : public store::WritableFile {
   public:
    File(FaultEnv& env, std::unique_ptr<store::WritableFile> real, std::filesystem::path path)
        : env_(env), real_(std::move(real)), path_(std::move(path)) {}
    Result<void> append(std::span<const std::uint8_t> bytes) override {
      ATELIER_TRY(env_.tick(kAppend, "writing", path_));
      return real_->append(bytes);
    }
    Result<void> sync() override {
      ATELIER_TRY(env_.tick(kSync, "syncing", path_));
      return real_->sync();
    }
    Result<void> close() override {
      auto closed = real_->close();
      ATELIER_TRY(env_.tick(kClose, "closing", path_));
      return closed;
    }

   private:
    FaultEnv& env_;
    std::unique_ptr<store::WritableFile> real_;
    std::filesystem::path path_;
  };

  Result<void> tick(Kind kind, const std::string& what, const std::filesystem::path& path) {
    std::lock_guard lock(mu_);
    const std::int64_t seen_kind = ++counts_[kind];
    const std::int64_t seen_any = ++any_;
    if (n_ == 0 || (kind_ != kAny && kind_ != kind)) return {};
    if ((kind_ == kAny ? seen_any : seen_kind) != n_) return {};
    fired_ = true;
    return fail(Error::internal("io_error", what + " " + path.string() + ": injected fault"));
  }

  store::Env& real_;
  mutable std::mutex mu_;
  std::array<std::int64_t, kKinds> counts_{};
  std::int64_t any_ = 0;
  Kind kind_ = kAny;
  std::int64_t n_ = 0;
  bool fired_ = false;
};

}  // namespace atelier::testing
