// Secrets on disk (signing keys): mode 0600 from the first byte, and never replacing an
// existing file (link(2) instead of rename(2)), which store::write_file_atomic does not give.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>

#include "core/random_id.h"
#include "store/file_io.h"

namespace atelier::store {
namespace {

// Writes `bytes` to a new private temp file and syncs it.
Result<void> write_private_temp(const std::filesystem::path& tmp,
                                std::span<const std::uint8_t> bytes) {
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) return fail(io_error("creating", tmp));
  // fchmod: the umask may have narrowed the mode, but it must be exactly owner read/write.
  Result<void> written;
  if (::fchmod(fd, 0600) != 0) written = fail(io_error("chmod", tmp));
  if (written) written = write_all(fd, bytes, tmp);
  if (written && ::fsync(fd) != 0) written = fail(io_error("syncing", tmp));
  if (::close(fd) != 0 && written) written = fail(io_error("closing", tmp));
  return written;
}

}  // namespace

Result<void> write_private_file(const std::filesystem::path& path,
                                std::span<const std::uint8_t> bytes) {
  auto dir = path.parent_path().empty() ? std::filesystem::path(".") : path.parent_path();
  auto tmp = dir / ("." + path.filename().string() + ".tmp-" + random_hex(8));
  Result<void> written = write_private_temp(tmp, bytes);
  // link() rather than rename(): it fails instead of replacing a file that already exists.
  if (written && ::link(tmp.c_str(), path.c_str()) != 0) {
    if (errno == EEXIST) {
      written = fail(Error::conflict("file_exists", "a file already exists at " + path.string()));
    } else {
      written = fail(io_error("linking", path));
    }
  }
  ::unlink(tmp.c_str());
  if (!written) return written;
  return fsync_dir(dir);
}

}  // namespace atelier::store
