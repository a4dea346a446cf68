// The POSIX Env.
#include "store/env.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>

#include "store/file_io.h"

namespace atelier::store {

namespace {

class PosixWritableFile final : public WritableFile {
 public:
  PosixWritableFile(int fd, std::filesystem::path path) : fd_(fd), path_(std::move(path)) {}
  ~PosixWritableFile() override {
    if (fd_ >= 0) ::close(fd_);
  }
  Result<void> append(std::span<const std::uint8_t> bytes) override {
    return write_all(fd_, bytes, path_);
  }
  Result<void> sync() override {
    if (::fsync(fd_) != 0) return fail(io_error("syncing", path_));
    return {};
  }
  Result<void> close() override {
    const int fd = fd_;
    fd_ = -1;
    if (::close(fd) != 0) return fail(io_error("closing", path_));
    return {};
  }

 private:
  int fd_;
  std::filesystem::path path_;
};

class PosixEnv final : public Env {
 public:
  Result<std::unique_ptr<WritableFile>> create_exclusive(
      const std::filesystem::path& path) override {
    int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
    if (fd < 0) return fail(io_error("creating", path));
    return std::make_unique<PosixWritableFile>(fd, path);
  }
  Result<void> rename(const std::filesystem::path& from, const std::filesystem::path& to) override {
    if (::rename(from.c_str(), to.c_str()) != 0) return fail(io_error("renaming onto", to));
    return {};
  }
  Result<void> remove(const std::filesystem::path& path) override {
    if (::unlink(path.c_str()) != 0 && errno != ENOENT) return fail(io_error("removing", path));
    return {};
  }
  Result<void> sync_dir(const std::filesystem::path& dir) override { return fsync_dir(dir); }
  Result<void> create_directories(const std::filesystem::path& dir) override {
    std::error_code ec;
    std::filesystem::create_directories(dir, ec);
    if (ec)
      return fail(Error::internal("io_error", "creating " + dir.string() + ": " + ec.message()));
    return {};
  }
};

}  // namespace

Env& Env::posix() {
  static PosixEnv env;
  return env;
}

}  // namespace atelier::store
