// The signing key on disk: written with store::write_private_file (mode 0600 from the first
// byte, never replacing an existing key), read back only when no one else can read it.
#include <fcntl.h>
#include <openssl/crypto.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "provenance/note_key.h"
#include "store/file_io.h"

namespace atelier::provenance {

namespace {

using Seed = std::array<std::uint8_t, kEd25519SeedBytes>;

using store::io_error;

// Reads exactly one seed from an open key file after checking what the file is.
Result<Seed> read_seed(int fd, const std::filesystem::path& path) {
  struct stat st {};
  if (::fstat(fd, &st) != 0) return fail(io_error("inspecting", path));
  if (!S_ISREG(st.st_mode)) {
    return fail(Error::invalid("signer_key_not_a_file", path.string() + " is not a regular file"));
  }
  if ((st.st_mode & 077) != 0) {
    return fail(Error::invalid("signer_key_permissions",
                               path.string() + " is accessible to group or others; chmod 600 it"));
  }
  if (st.st_size != static_cast<off_t>(kEd25519SeedBytes)) {
    return fail(Error::invalid("signer_key_length_invalid",
                               path.string() + " is not a 32-byte Ed25519 seed"));
  }
  Seed seed{};
  std::size_t done = 0;
  while (done < seed.size()) {
    ssize_t n = ::read(fd, seed.data() + done, seed.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return fail(io_error("reading", path));
    done += static_cast<std::size_t>(n);
  }
  return seed;
}

}  // namespace

Result<NoteSigner> NoteSigner::load(std::string name, const std::filesystem::path& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0 && errno == ENOENT) {
    return fail(Error::not_found("signer_key_missing", "no signing key at " + path.string()));
  }
  if (fd < 0) return fail(io_error("opening", path));
  Result<Seed> seed = read_seed(fd, path);
  ::close(fd);
  if (!seed) return fail(seed.error());
  Result<NoteSigner> signer = from_seed(std::move(name), *seed);
  OPENSSL_cleanse(seed->data(), seed->size());
  return signer;
}

Result<NoteSigner> NoteSigner::load_or_create(std::string name, const std::filesystem::path& path) {
  Result<NoteSigner> loaded = load(name, path);
  if (loaded || loaded.error().code != "signer_key_missing") return loaded;
  Result<NoteSigner> fresh = generate(name);
  if (!fresh) return fresh;
  Result<void> saved = fresh->save(path);
  if (saved) return fresh;
  // Another process created the key first: use theirs, so both sign with the same key.
  if (saved.error().code == "signer_key_exists") return load(std::move(name), path);
  return fail(saved.error());
}

Result<void> NoteSigner::save(const std::filesystem::path& path) const {
  Result<void> written = store::write_private_file(path, seed_);
  if (!written && written.error().code == "file_exists") {
    return fail(Error::conflict("signer_key_exists", "a key already exists at " + path.string()));
  }
  return written;
}

}  // namespace atelier::provenance
