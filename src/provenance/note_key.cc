#include "provenance/note_key.h"

#include <fcntl.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cassert>
#include <cerrno>
#include <cstring>
#include <memory>
#include <optional>
#include <vector>

#include "core/hash.h"
#include "core/random_id.h"
#include "provenance/internal/base64.h"
#include "provenance/internal/text.h"

namespace atelier::provenance {

namespace {

using PkeyPtr = std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)>;
using MdCtxPtr = std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)>;
using Seed = std::array<std::uint8_t, kEd25519SeedBytes>;

constexpr std::string_view kPrivateKeyPrefix = "PRIVATE+KEY+";

// The three '+'-separated fields of a key text. The base64 key may itself contain '+', so only
// the first two separators count (as in golang.org/x/mod/sumdb/note).
struct KeyFields {
  std::string_view name;
  std::string_view key_id_hex;
  std::string_view key_base64;
};

std::optional<KeyFields> split_key_text(std::string_view text) {
  std::size_t first = text.find('+');
  if (first == std::string_view::npos) return std::nullopt;
  std::size_t second = text.find('+', first + 1);
  if (second == std::string_view::npos) return std::nullopt;
  return KeyFields{text.substr(0, first), text.substr(first + 1, second - first - 1),
                   text.substr(second + 1)};
}

std::optional<std::uint32_t> parse_key_id(std::string_view hex) {
  auto bytes = from_hex(hex, 4);
  if (!bytes) return std::nullopt;
  return std::uint32_t{(*bytes)[0]} << 24 | std::uint32_t{(*bytes)[1]} << 16 |
         std::uint32_t{(*bytes)[2]} << 8 | std::uint32_t{(*bytes)[3]};
}

std::string key_id_hex(std::uint32_t id) {
  std::array<std::uint8_t, 4> be = {static_cast<std::uint8_t>(id >> 24),
                                    static_cast<std::uint8_t>(id >> 16),
                                    static_cast<std::uint8_t>(id >> 8),
                                    static_cast<std::uint8_t>(id)};
  return to_hex(be);
}

// The type byte followed by the key, as both key texts encode it.
std::string typed_key_base64(std::span<const std::uint8_t> key) {
  std::vector<std::uint8_t> typed;
  typed.reserve(key.size() + 1);
  typed.push_back(kSignatureTypeEd25519);
  typed.insert(typed.end(), key.begin(), key.end());
  return internal::base64_encode(typed);
}

std::optional<Ed25519PublicKey> public_key_of(const Seed& seed) {
  PkeyPtr pkey(EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, nullptr, seed.data(), seed.size()),
               &EVP_PKEY_free);
  if (!pkey) return std::nullopt;
  Ed25519PublicKey pub{};
  std::size_t len = pub.size();
  if (EVP_PKEY_get_raw_public_key(pkey.get(), pub.data(), &len) != 1 || len != pub.size()) {
    return std::nullopt;
  }
  return pub;
}

Error io_error(const std::string& what, const std::filesystem::path& p) {
  return Error::internal("io_error", what + " " + p.string() + ": " + std::strerror(errno));
}

Result<void> write_all(int fd, std::span<const std::uint8_t> bytes, const std::filesystem::path& p) {
  std::size_t done = 0;
  while (done < bytes.size()) {
    ssize_t n = ::write(fd, bytes.data() + done, bytes.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return fail(io_error("writing", p));
    done += static_cast<std::size_t>(n);
  }
  return {};
}

Result<void> fsync_dir(const std::filesystem::path& dir) {
  int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return fail(io_error("opening directory", dir));
  int rc = ::fsync(fd);
  ::close(fd);
  if (rc != 0) return fail(io_error("syncing directory", dir));
  return {};
}

// Writes `bytes` to a new private temp file beside `path` and syncs it.
Result<void> write_private_temp(const std::filesystem::path& tmp, std::span<const std::uint8_t> bytes) {
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

// Reads exactly one seed from an open key file after checking what the file is.
Result<Seed> read_seed(int fd, const std::filesystem::path& path) {
  struct stat st{};
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

std::uint32_t note_key_id(std::string_view name, const Ed25519PublicKey& public_key) {
  Sha256 h;
  h.update(name);
  h.update(std::string_view("\n\x01", 2));
  h.update(public_key);
  Digest d = h.finish();
  return std::uint32_t{d[0]} << 24 | std::uint32_t{d[1]} << 16 | std::uint32_t{d[2]} << 8 |
         std::uint32_t{d[3]};
}

// ---- NoteVerifier ----

NoteVerifier::NoteVerifier(std::string name, const Ed25519PublicKey& key)
    : name_(std::move(name)), public_key_(key), key_id_(note_key_id(name_, key)) {}

Result<NoteVerifier> NoteVerifier::from_public_key(std::string name, const Ed25519PublicKey& key) {
  if (!internal::is_valid_key_name(name)) {
    return fail(Error::invalid("verifier_key_name_invalid",
                               "a key name must be non-empty UTF-8 without spaces or '+'", "name"));
  }
  return NoteVerifier(std::move(name), key);
}

Result<NoteVerifier> NoteVerifier::parse(std::string_view text) {
  auto fields = split_key_text(text);
  std::optional<std::uint32_t> id = fields ? parse_key_id(fields->key_id_hex) : std::nullopt;
  if (!id) {
    return fail(Error::invalid("verifier_key_malformed",
                               "a verifier key is <name>+<8 hex digits>+<base64 key>", "key"));
  }
  auto key = internal::base64_decode(fields->key_base64);
  if (!key) return fail(Error::invalid("verifier_key_base64_invalid", "the key is not base64", "key"));
  if (key->empty() || (*key)[0] != kSignatureTypeEd25519) {
    return fail(Error::invalid("verifier_key_type_unsupported",
                               "only Ed25519 keys (type 0x01) are supported", "key"));
  }
  if (key->size() != 1 + kEd25519PublicKeyBytes) {
    return fail(Error::invalid("verifier_key_length_invalid",
                               "an Ed25519 public key is 32 bytes", "key"));
  }
  Ed25519PublicKey pub{};
  std::copy(key->begin() + 1, key->end(), pub.begin());
  Result<NoteVerifier> v = from_public_key(std::string(fields->name), pub);
  if (v && v->key_id() != *id) {
    return fail(Error::invalid("verifier_key_hash_mismatch",
                               "the key ID " + std::string(fields->key_id_hex) +
                                   " is not the ID of this name and key",
                               "key"));
  }
  return v;
}

std::string NoteVerifier::text() const {
  return name_ + "+" + key_id_hex(key_id_) + "+" + typed_key_base64(public_key_);
}

bool NoteVerifier::verify(std::string_view message, std::span<const std::uint8_t> signature) const {
  if (signature.size() != kEd25519SignatureBytes) return false;
  PkeyPtr pkey(EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, nullptr, public_key_.data(),
                                           public_key_.size()),
               &EVP_PKEY_free);
  MdCtxPtr ctx(EVP_MD_CTX_new(), &EVP_MD_CTX_free);
  if (!pkey || !ctx) return false;
  if (EVP_DigestVerifyInit(ctx.get(), nullptr, nullptr, nullptr, pkey.get()) != 1) return false;
  return EVP_DigestVerify(ctx.get(), signature.data(), signature.size(),
                          reinterpret_cast<const unsigned char*>(message.data()),
                          message.size()) == 1;
}

// ---- NoteSigner ----

NoteSigner::~NoteSigner() { OPENSSL_cleanse(seed_.data(), seed_.size()); }

Result<NoteSigner> NoteSigner::from_seed(std::string name, std::span<const std::uint8_t> seed) {
  if (!internal::is_valid_key_name(name)) {
    return fail(Error::invalid("signer_key_name_invalid",
                               "a key name must be non-empty UTF-8 without spaces or '+'", "name"));
  }
  if (seed.size() != kEd25519SeedBytes) {
    return fail(Error::invalid("signer_key_length_invalid", "an Ed25519 seed is 32 bytes"));
  }
  Seed s{};
  std::copy(seed.begin(), seed.end(), s.begin());
  auto pub = public_key_of(s);
  if (!pub) {
    OPENSSL_cleanse(s.data(), s.size());
    return fail(Error::internal("signing_failed", "OpenSSL could not load the Ed25519 seed"));
  }
  Result<NoteVerifier> verifier = NoteVerifier::from_public_key(std::move(name), *pub);
  assert(verifier);  // The name was checked above.
  NoteSigner signer(std::move(*verifier), s);
  OPENSSL_cleanse(s.data(), s.size());
  return signer;
}

Result<NoteSigner> NoteSigner::generate(std::string name) {
  Seed seed{};
  if (RAND_bytes(seed.data(), static_cast<int>(seed.size())) != 1) {
    return fail(Error::internal("random_failed", "the OpenSSL CSPRNG failed"));
  }
  Result<NoteSigner> signer = from_seed(std::move(name), seed);
  OPENSSL_cleanse(seed.data(), seed.size());
  return signer;
}

Result<NoteSigner> NoteSigner::parse_private_key(std::string_view text) {
  auto malformed = [] {
    return fail(Error::invalid("signer_key_malformed",
                               "a signer key is PRIVATE+KEY+<name>+<8 hex digits>+<base64 seed>",
                               "key"));
  };
  if (!text.starts_with(kPrivateKeyPrefix)) return malformed();
  auto fields = split_key_text(text.substr(kPrivateKeyPrefix.size()));
  std::optional<std::uint32_t> id = fields ? parse_key_id(fields->key_id_hex) : std::nullopt;
  auto key = fields ? internal::base64_decode(fields->key_base64) : std::nullopt;
  if (!id || !key) return malformed();
  if (key->empty() || (*key)[0] != kSignatureTypeEd25519) {
    return fail(Error::invalid("signer_key_type_unsupported",
                               "only Ed25519 keys (type 0x01) are supported", "key"));
  }
  Result<NoteSigner> signer =
      from_seed(std::string(fields->name), std::span(*key).subspan(1));
  OPENSSL_cleanse(key->data(), key->size());
  if (signer && signer->key_id() != *id) {
    return fail(Error::invalid("signer_key_hash_mismatch",
                               "the key ID is not the ID of this name and key", "key"));
  }
  return signer;
}

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
  auto dir = path.parent_path().empty() ? std::filesystem::path(".") : path.parent_path();
  auto tmp = dir / ("." + path.filename().string() + ".tmp-" + random_hex(8));
  Result<void> written = write_private_temp(tmp, seed_);
  // link() rather than rename(): it fails instead of replacing a key that already exists.
  if (written && ::link(tmp.c_str(), path.c_str()) != 0) {
    if (errno == EEXIST) {
      written = fail(Error::conflict("signer_key_exists", "a key already exists at " + path.string()));
    } else {
      written = fail(io_error("linking", path));
    }
  }
  ::unlink(tmp.c_str());
  if (!written) return written;
  return fsync_dir(dir);
}

Result<Ed25519Signature> NoteSigner::sign(std::string_view message) const {
  PkeyPtr pkey(EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, nullptr, seed_.data(), seed_.size()),
               &EVP_PKEY_free);
  MdCtxPtr ctx(EVP_MD_CTX_new(), &EVP_MD_CTX_free);
  Ed25519Signature sig{};
  std::size_t len = sig.size();
  if (!pkey || !ctx || EVP_DigestSignInit(ctx.get(), nullptr, nullptr, nullptr, pkey.get()) != 1 ||
      EVP_DigestSign(ctx.get(), sig.data(), &len,
                     reinterpret_cast<const unsigned char*>(message.data()), message.size()) != 1 ||
      len != sig.size()) {
    return fail(Error::internal("signing_failed", "OpenSSL could not sign with Ed25519"));
  }
  return sig;
}

}  // namespace atelier::provenance
