#include "provenance/note_key.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include <algorithm>
#include <cassert>
#include <memory>
#include <optional>
#include <vector>

#include "core/hash.h"
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
  std::array<std::uint8_t, 4> be = {
      static_cast<std::uint8_t>(id >> 24), static_cast<std::uint8_t>(id >> 16),
      static_cast<std::uint8_t>(id >> 8), static_cast<std::uint8_t>(id)};
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
  if (!key)
    return fail(Error::invalid("verifier_key_base64_invalid", "the key is not base64", "key"));
  if (key->empty() || (*key)[0] != kSignatureTypeEd25519) {
    return fail(Error::invalid("verifier_key_type_unsupported",
                               "only Ed25519 keys (type 0x01) are supported", "key"));
  }
  if (key->size() != 1 + kEd25519PublicKeyBytes) {
    return fail(
        Error::invalid("verifier_key_length_invalid", "an Ed25519 public key is 32 bytes", "key"));
  }
  Ed25519PublicKey pub{};
  std::copy(key->begin() + 1, key->end(), pub.begin());
  Result<NoteVerifier> v = from_public_key(std::string(fields->name), pub);
  if (v && v->key_id() != *id) {
    return fail(Error::invalid(
        "verifier_key_hash_mismatch",
        "the key ID " + std::string(fields->key_id_hex) + " is not the ID of this name and key",
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
  Result<NoteSigner> signer = from_seed(std::string(fields->name), std::span(*key).subspan(1));
  OPENSSL_cleanse(key->data(), key->size());
  if (signer && signer->key_id() != *id) {
    return fail(Error::invalid("signer_key_hash_mismatch",
                               "the key ID is not the ID of this name and key", "key"));
  }
  return signer;
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
