// note_key.h — Ed25519 keys for C2SP signed notes (signature type 0x01): the verifier key
// text a log publishes, the signer a log keeps, and the signer's key file.
//
//   Result<NoteSigner> signer = NoteSigner::load_or_create("atelier.example/log", dir / "log.key");
//   std::string vkey = signer->verifier().text();   // "atelier.example/log+1a2b3c4d+AU...="
//   Result<NoteVerifier> v = NoteVerifier::parse(vkey);
//
// Formats (C2SP signed-note, golang.org/x/mod/sumdb/note):
//   key ID        = first 4 bytes, big-endian, of SHA-256(name || 0x0A || 0x01 || public key)
//   verifier key  = <name> "+" <8 hex digits of the key ID> "+" base64(0x01 || public key)
//   signer key    = "PRIVATE+KEY+" <name> "+" <8 hex> "+" base64(0x01 || 32-byte seed)
//   key file      = the raw 32-byte Ed25519 seed (RFC 8032 private key), mode 0600.
//
// Signatures use OpenSSL (EVP_PKEY_ED25519, pure Ed25519, no pre-hash). Both classes are
// immutable after construction and safe to share between threads. A NoteSigner holds the seed
// in memory and wipes it on destruction; it cannot be copied, only moved.
#pragma once

#include <array>
#include <cstdint>
#include <filesystem>
#include <span>
#include <string>
#include <string_view>

#include "core/error.h"

namespace atelier::provenance {

inline constexpr std::uint8_t kSignatureTypeEd25519 = 0x01;
inline constexpr std::size_t kEd25519PublicKeyBytes = 32;
inline constexpr std::size_t kEd25519SeedBytes = 32;
inline constexpr std::size_t kEd25519SignatureBytes = 64;

using Ed25519PublicKey = std::array<std::uint8_t, kEd25519PublicKeyBytes>;
using Ed25519Signature = std::array<std::uint8_t, kEd25519SignatureBytes>;

// The recommended key ID of an Ed25519 note key.
std::uint32_t note_key_id(std::string_view name, const Ed25519PublicKey& public_key);

class NoteVerifier {
 public:
  // Parses verifier key text. Codes: "verifier_key_malformed" (not name+hash+key),
  // "verifier_key_name_invalid", "verifier_key_base64_invalid",
  // "verifier_key_type_unsupported" (not 0x01), "verifier_key_length_invalid",
  // "verifier_key_hash_mismatch" (the hex ID is not the ID of this name and key).
  static Result<NoteVerifier> parse(std::string_view text);
  // "verifier_key_name_invalid" for a name C2SP does not allow.
  static Result<NoteVerifier> from_public_key(std::string name, const Ed25519PublicKey& key);

  const std::string& name() const { return name_; }
  std::uint32_t key_id() const { return key_id_; }
  const Ed25519PublicKey& public_key() const { return public_key_; }
  // The verifier key text, with the key ID in lowercase hex.
  std::string text() const;

  // True when `signature` is this key's Ed25519 signature of `message` (any other length:
  // false).
  bool verify(std::string_view message, std::span<const std::uint8_t> signature) const;

 private:
  NoteVerifier(std::string name, const Ed25519PublicKey& key);
  std::string name_;
  Ed25519PublicKey public_key_{};
  std::uint32_t key_id_ = 0;
};

class NoteSigner {
 public:
  // A fresh key from the OpenSSL CSPRNG.
  static Result<NoteSigner> generate(std::string name);
  // Codes: "signer_key_name_invalid", "signer_key_length_invalid".
  static Result<NoteSigner> from_seed(std::string name, std::span<const std::uint8_t> seed);
  // Parses the golang.org/x/mod/sumdb/note private key text (for keys made by Go tooling).
  // Codes: "signer_key_malformed", "signer_key_type_unsupported", "signer_key_hash_mismatch"
  // and those of from_seed.
  static Result<NoteSigner> parse_private_key(std::string_view text);

  // Reads a key file written by save(). Codes: "signer_key_missing" (no file),
  // "signer_key_permissions" (readable by group or others), "signer_key_length_invalid",
  // "io_error".
  static Result<NoteSigner> load(std::string name, const std::filesystem::path& path);
  // Loads the key at `path`, or generates and saves one when there is none (first start).
  static Result<NoteSigner> load_or_create(std::string name, const std::filesystem::path& path);
  // Writes the seed to `path` with mode 0600: temp file, fsync, link into place, fsync the
  // directory. Never replaces an existing file ("signer_key_exists"), so a log key cannot be
  // lost to a second start racing the first.
  Result<void> save(const std::filesystem::path& path) const;

  NoteSigner(NoteSigner&& other) noexcept = default;
  NoteSigner& operator=(NoteSigner&& other) noexcept = default;
  NoteSigner(const NoteSigner&) = delete;
  NoteSigner& operator=(const NoteSigner&) = delete;
  ~NoteSigner();

  const NoteVerifier& verifier() const { return verifier_; }
  const std::string& name() const { return verifier_.name(); }
  std::uint32_t key_id() const { return verifier_.key_id(); }
  // The Ed25519 signature of `message`. "signing_failed" only on an OpenSSL failure.
  Result<Ed25519Signature> sign(std::string_view message) const;

 private:
  NoteSigner(NoteVerifier verifier, const std::array<std::uint8_t, kEd25519SeedBytes>& seed)
      : verifier_(std::move(verifier)), seed_(seed) {}
  NoteVerifier verifier_;
  std::array<std::uint8_t, kEd25519SeedBytes> seed_{};
};

}  // namespace atelier::provenance
