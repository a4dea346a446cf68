#include "store/blob_store.h"

#include <fcntl.h>
#include <unistd.h>

#include <cassert>
#include <cerrno>
#include <chrono>
#include <cstring>

#include "core/hash.h"
#include "core/random_id.h"
#include "store/file_io.h"

namespace atelier::store {

Error io_error(const std::string& what, const std::filesystem::path& p) {
  return Error::internal("io_error", what + " " + p.string() + ": " + std::strerror(errno));
}

Result<void> fsync_dir(const std::filesystem::path& dir) {
  int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return fail(io_error("opening directory", dir));
  int rc = ::fsync(fd);
  ::close(fd);
  if (rc != 0) return fail(io_error("syncing directory", dir));
  return {};
}

Result<void> write_all(int fd, std::span<const std::uint8_t> bytes,
                       const std::filesystem::path& p) {
  std::size_t done = 0;
  while (done < bytes.size()) {
    ssize_t n = ::write(fd, bytes.data() + done, bytes.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return fail(io_error("writing", p));
    done += static_cast<std::size_t>(n);
  }
  return {};
}

Result<void> write_file_atomic(const std::filesystem::path& path,
                               std::span<const std::uint8_t> bytes, Env& env) {
  auto dir = path.parent_path().empty() ? std::filesystem::path(".") : path.parent_path();
  auto tmp = dir / ("." + path.filename().string() + ".tmp-" + random_hex(8));
  ATELIER_TRY_ASSIGN(auto file, env.create_exclusive(tmp));
  Result<void> written = file->append(bytes);
  if (written) written = file->sync();
  if (auto closed = file->close(); written && !closed) written = closed;
  if (written) written = env.rename(tmp, path);
  if (!written) {
    (void)env.remove(tmp);  // Best effort: remove_stale_temp_files() gets what this cannot.
    return written;
  }
  return env.sync_dir(dir);
}

Result<std::vector<std::uint8_t>> read_file(const std::filesystem::path& path,
                                            std::int64_t bytes_max) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENOENT)
      return fail(Error::not_found("file_not_found", "no such file: " + path.string(), "file"));
    return fail(io_error("opening", path));
  }
  std::vector<std::uint8_t> out;
  std::uint8_t buf[1 << 16];
  for (;;) {
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      ::close(fd);
      return fail(io_error("reading", path));
    }
    if (n == 0) break;
    if (static_cast<std::int64_t>(out.size()) + n > bytes_max) {
      ::close(fd);
      return fail(Error{ErrorKind::kTooLarge, "file_too_large",
                        path.string() + " is larger than " + std::to_string(bytes_max) + " bytes",
                        "file"});
    }
    out.insert(out.end(), buf, buf + n);
  }
  ::close(fd);
  return out;
}

BlobStore::BlobStore(std::filesystem::path root, Env* env) : root_(std::move(root)), env_(env) {}

std::filesystem::path BlobStore::path_of(std::string_view sha256) const {
  assert(sha256.size() == 64);
  return root_ / std::string(sha256.substr(0, 2)) / std::string(sha256);
}

bool BlobStore::contains(std::string_view sha256) const {
  if (!is_sha256_hex(sha256)) return false;
  std::error_code ec;
  return std::filesystem::exists(path_of(sha256), ec);
}

Result<void> BlobStore::sync_root_once(const std::string& fan_out) {
  {
    std::lock_guard lock(durable_->mu);
    if (durable_->names.contains(fan_out)) return {};
  }
  // The directory may have been made by this put, or by one that failed or crashed before
  // syncing ROOT: its name is durable only once ROOT is synced (found by the crash-drop loop).
  ATELIER_TRY(env_->sync_dir(root_));
  std::lock_guard lock(durable_->mu);
  durable_->names.insert(fan_out);
  return {};
}

Result<std::string> BlobStore::put(std::span<const std::uint8_t> bytes) {
  std::string sha = sha256_hex(bytes);
  const std::string fan_out = sha.substr(0, 2);
  if (contains(sha)) {
    // Content addressing: same name, same bytes. But the file may be a write whose directory
    // sync failed (or has not run yet, in another process): sync it before saying "stored",
    // or a crash could lose a blob a committed row names (found by the fault loop).
    ATELIER_TRY(env_->sync_dir(root_ / fan_out));
    ATELIER_TRY(sync_root_once(fan_out));
    return sha;
  }
  ATELIER_TRY(env_->create_directories(root_ / fan_out));
  ATELIER_TRY(write_file_atomic(path_of(sha), bytes, *env_));  // Syncs the fan-out directory.
  ATELIER_TRY(sync_root_once(fan_out));
  return sha;
}

std::int64_t BlobStore::remove_stale_temp_files(std::int64_t age_ms_min) {
  namespace fs = std::filesystem;
  std::int64_t removed = 0;
  std::error_code ec;
  const auto now = fs::file_time_type::clock::now();
  for (auto it = fs::recursive_directory_iterator(root_, ec);
       !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
    std::string name = it->path().filename().string();
    if (!it->is_regular_file(ec) || !name.starts_with(".") ||
        name.find(".tmp-") == std::string::npos)
      continue;
    auto age = std::chrono::duration_cast<std::chrono::milliseconds>(now - it->last_write_time(ec))
                   .count();
    if (!ec && age >= age_ms_min && fs::remove(it->path(), ec)) ++removed;
  }
  return removed;
}

Result<std::vector<std::uint8_t>> BlobStore::get(std::string_view sha256) const {
  if (!is_sha256_hex(sha256)) {
    return fail(Error::invalid("invalid_sha256", "not a sha256 (64 lowercase hex)", "sha256"));
  }
  auto r = read_file(path_of(sha256), std::int64_t{1} << 40);
  if (!r && r.error().kind == ErrorKind::kNotFound) {
    return fail(Error::not_found("blob_not_found", "no blob " + std::string(sha256)));
  }
  return r;
}

}  // namespace atelier::store
