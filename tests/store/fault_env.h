// fault_env.h — an Env (src/store/env.h) for tests that fails the N-th file-system call, and
// simulates a crash by dropping what was not synced (LevelDB's FaultInjectionTestEnv).
//
//   testing::FaultEnv env;                        // wraps Env::posix()
//   store::BlobStore blobs(dir, &env);
//   env.fail_at(FaultEnv::kAny, 3);               // the 3rd call from now fails ("io_error")
//   env.crash_at(FaultEnv::kAny, 3);              // … or the machine loses power there
//   env.crash();                                  // power loss now
//
// Counted calls: create, append, sync, close, rename, sync_dir, create_directories (remove
// is the cleanup of a failed write and is never failed). A failed call does not reach the
// file system, except close, which closes the file and then reports the error (as close(2)
// does).
//
// Crash model. The env tracks, since the last sync, the bytes appended to each file it created
// (a file's data is durable once the file is synced) and the names created in each directory
// by create_exclusive, rename and create_directories (a name is durable once its directory is
// synced). crash() truncates every file to its synced length, then removes every name that is
// not durable (a directory with all it holds); from then on every call fails until recover().
// Names removed or renamed away are not brought back (temp files are never durable here, so
// nothing that matters reappears). Directories and files that existed before the env saw them
// are durable. The optional on_crash hook runs at the crash (e.g. to crash a FaultVfs too).
//
// Thread-safety: one mutex guards the counters and the tracking.
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <system_error>
#include <utility>
#include <vector>

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
    crash_armed_ = false;
    fired_ = false;
  }
  // The same, but the machine loses power at that call (see crash()).
  void crash_at(Kind kind, std::int64_t n) {
    fail_at(kind, n);
    std::lock_guard lock(mu_);
    crash_armed_ = true;
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

  // Runs (without the env's lock held) when the env crashes.
  void set_on_crash(std::function<void()> hook) {
    std::lock_guard lock(mu_);
    on_crash_ = std::move(hook);
  }
  // Power loss now: unsynced data and names are dropped; every call fails until recover().
  void crash() {
    std::function<void()> hook;
    {
      std::lock_guard lock(mu_);
      if (crashed_) return;
      crash_locked();
      hook = on_crash_;
    }
    if (hook) hook();
  }
  void recover() {
    std::lock_guard lock(mu_);
    crashed_ = false;
    n_ = 0;
  }
  bool crashed() const {
    std::lock_guard lock(mu_);
    return crashed_;
  }

  Result<std::unique_ptr<store::WritableFile>> create_exclusive(
      const std::filesystem::path& path) override {
    ATELIER_TRY(tick(kCreate, "creating", path));
    ATELIER_TRY_ASSIGN(auto file, real_.create_exclusive(path));
    {
      std::lock_guard lock(mu_);
      files_[path] = {};
      unsynced_names_[path.parent_path()].insert(path);
    }
    return std::make_unique<File>(*this, std::move(file), path);
  }
  Result<void> rename(const std::filesystem::path& from, const std::filesystem::path& to) override {
    ATELIER_TRY(tick(kRename, "renaming onto", to));
    ATELIER_TRY(real_.rename(from, to));
    std::lock_guard lock(mu_);
    if (auto it = files_.find(from); it != files_.end()) {
      files_[to] = it->second;
      files_.erase(it);
    }
    unsynced_names_[from.parent_path()].erase(from);
    unsynced_names_[to.parent_path()].insert(to);
    return {};
  }
  Result<void> remove(const std::filesystem::path& path) override {
    {
      std::lock_guard lock(mu_);
      if (crashed_) return dead("removing", path);
      files_.erase(path);
      unsynced_names_[path.parent_path()].erase(path);
    }
    return real_.remove(path);
  }
  Result<void> sync_dir(const std::filesystem::path& dir) override {
    ATELIER_TRY(tick(kSyncDir, "syncing directory", dir));
    ATELIER_TRY(real_.sync_dir(dir));
    std::lock_guard lock(mu_);
    unsynced_names_.erase(dir);
    return {};
  }
  Result<void> create_directories(const std::filesystem::path& dir) override {
    ATELIER_TRY(tick(kMkdir, "creating", dir));
    std::vector<std::filesystem::path> created;  // The components that do not exist yet.
    std::error_code ec;
    for (auto p = dir; !p.empty() && !std::filesystem::exists(p, ec); p = p.parent_path()) {
      created.push_back(p);
      if (p == p.parent_path()) break;
    }
    ATELIER_TRY(real_.create_directories(dir));
    std::lock_guard lock(mu_);
    for (const auto& p : created) unsynced_names_[p.parent_path()].insert(p);
    return {};
  }

 private:
  struct Written {
    std::uintmax_t size = 0;
    std::uintmax_t synced = 0;
  };

  class File final : public store::WritableFile {
   public:
    File(FaultEnv& env, std::unique_ptr<store::WritableFile> real, std::filesystem::path path)
        : env_(env), real_(std::move(real)), path_(std::move(path)) {}
    Result<void> append(std::span<const std::uint8_t> bytes) override {
      ATELIER_TRY(env_.tick(kAppend, "writing", path_));
      ATELIER_TRY(real_->append(bytes));
      std::lock_guard lock(env_.mu_);
      if (auto it = env_.files_.find(path_); it != env_.files_.end())
        it->second.size += bytes.size();
      return {};
    }
    Result<void> sync() override {
      ATELIER_TRY(env_.tick(kSync, "syncing", path_));
      ATELIER_TRY(real_->sync());
      std::lock_guard lock(env_.mu_);
      if (auto it = env_.files_.find(path_); it != env_.files_.end()) {
        it->second.synced = it->second.size;
      }
      return {};
    }
    Result<void> close() override {
      auto closed = real_->close();
      ATELIER_TRY(env_.tick(kClose, "closing", path_));
      return closed;
    }

   private:
    FaultEnv& env_;
    std::unique_ptr<store::WritableFile> real_;
    std::filesystem::path path_;  // Renames are of closed files: the path stays right.
  };

  static Result<void> dead(const std::string& what, const std::filesystem::path& path) {
    return fail(Error::internal("io_error", what + " " + path.string() + ": the machine crashed"));
  }

  Result<void> tick(Kind kind, const std::string& what, const std::filesystem::path& path) {
    std::function<void()> hook;
    {
      std::lock_guard lock(mu_);
      if (crashed_) return dead(what, path);
      const std::int64_t seen_kind = ++counts_[kind];
      const std::int64_t seen_any = ++any_;
      if (n_ == 0 || (kind_ != kAny && kind_ != kind)) return {};
      if ((kind_ == kAny ? seen_any : seen_kind) != n_) return {};
      fired_ = true;
      if (!crash_armed_) {
        return fail(Error::internal("io_error", what + " " + path.string() + ": injected fault"));
      }
      crash_locked();
      hook = on_crash_;
    }
    if (hook) hook();
    return dead(what, path);
  }

  void crash_locked() {
    crashed_ = true;
    std::error_code ec;
    for (const auto& [path, written] : files_) {
      if (written.synced < written.size && std::filesystem::exists(path, ec)) {
        std::filesystem::resize_file(path, written.synced, ec);
      }
    }
    for (const auto& [dir, names] : unsynced_names_) {
      for (const auto& name : names) std::filesystem::remove_all(name, ec);
    }
    files_.clear();
    unsynced_names_.clear();
  }

  store::Env& real_;
  mutable std::mutex mu_;
  std::array<std::int64_t, kKinds> counts_{};
  std::int64_t any_ = 0;
  Kind kind_ = kAny;
  std::int64_t n_ = 0;
  bool crash_armed_ = false;
  bool fired_ = false;
  bool crashed_ = false;
  std::function<void()> on_crash_;
  std::map<std::filesystem::path, Written> files_;  // Created here, by current name.
  std::map<std::filesystem::path, std::set<std::filesystem::path>> unsynced_names_;  // By dir.
};

}  // namespace atelier::testing
