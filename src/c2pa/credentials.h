// credentials.h — the certificate and key that sign Content Credentials (issue 15 §2).
//
// `create_local_ca` makes what a first start needs: a root CA (the trust anchor a verifier
// adds) and a claim-signing certificate that meets the C2PA certificate profile — X.509 v3,
// P-256, KeyUsage digitalSignature (critical), ExtendedKeyUsage with the C2PA claim-signing
// OID 1.3.6.1.4.1.62558.2.1 and id-kp-emailProtection (for older validators), not a CA,
// AuthorityKeyIdentifier and SubjectKeyIdentifier, an Organization in the subject. Keys are
// written 0600. An operator's own chain goes through `check_signing_certificate` first: a
// certificate readers would reject is refused here, not discovered by a reader later.
//
//   auto signer = Signer::load("keys/c2pa-signer.pem", "keys/c2pa-signer.key", now);
//   Bytes sig = signer->sign(tbs);   // ES256, IEEE P1363 r‖s (64 bytes)
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "core/error.h"

namespace atelier::c2pa {

using Bytes = std::vector<std::uint8_t>;

inline constexpr const char* kC2paSigningEku = "1.3.6.1.4.1.62558.2.1";

// File names under the keys directory.
inline constexpr const char* kRootCertFile = "c2pa-root.pem";
inline constexpr const char* kRootKeyFile = "c2pa-root.key";
inline constexpr const char* kSignerCertFile = "c2pa-signer.pem";  // leaf, then intermediates
inline constexpr const char* kSignerKeyFile = "c2pa-signer.key";

struct LocalCaOptions {
  std::string organization = "atelier";
  std::string common_name = "atelier";
  int root_days = 3650;
  int signer_days = 825;
};

// Creates the root and signer under `keys_dir` unless the signer already exists (then it
// does nothing). Writes each file whole (temporary name, fsync, rename).
Result<void> create_local_ca(const std::filesystem::path& keys_dir, const LocalCaOptions& options);

// The root certificate as PEM (what `atelier c2pa root` prints).
Result<std::string> read_root_pem(const std::filesystem::path& keys_dir);
// The root under `keys_dir` as trust anchors (DER); none when there is no readable root.
std::vector<Bytes> local_trust_anchors(const std::filesystem::path& keys_dir);

// Checks a leaf (DER) against the C2PA claim-signing profile at time `now`; the error names
// the rule ("c2pa_cert_profile": "the certificate is a CA", "... has no C2PA or
// emailProtection extended key usage", "... expired on ...").
Result<void> check_signing_certificate(std::span<const std::uint8_t> leaf_der,
                                       std::chrono::system_clock::time_point now);

// DER certificates from PEM text (every CERTIFICATE block, in order).
Result<std::vector<Bytes>> certificates_from_pem(std::string_view pem);
std::string certificate_to_pem(std::span<const std::uint8_t> der);

// A human summary of a certificate: subject, issuer, not-after (for `c2pa show`).
struct CertificateSummary {
  std::string subject;
  std::string issuer;
  std::string organization;
  std::string common_name;
  std::string not_before;  // RFC 3339
  std::string not_after;   // RFC 3339
};
Result<CertificateSummary> summarize_certificate(std::span<const std::uint8_t> der);

class Signer {
 public:
  // Loads the chain (leaf first; a root at the end is dropped: COSE x5chain leaves it out) and
  // the private key, checks the profile and that the key belongs to the leaf.
  static Result<Signer> load(const std::filesystem::path& cert_pem,
                             const std::filesystem::path& key_pem,
                             std::chrono::system_clock::time_point now);
  Signer(Signer&&) noexcept;
  Signer& operator=(Signer&&) noexcept;
  ~Signer();

  // ES256 over `data`, as the 64-byte IEEE P1363 r‖s that COSE uses.
  Result<Bytes> sign(std::span<const std::uint8_t> data) const;
  // DER certificates, leaf first, no root.
  const std::vector<Bytes>& chain() const { return chain_; }

 private:
  Signer() = default;
  struct Key;
  std::unique_ptr<Key> key_;
  std::vector<Bytes> chain_;
};

// Verifies an ES256 P1363 signature with the public key of certificate `der`.
Result<bool> verify_es256(std::span<const std::uint8_t> cert_der,
                          std::span<const std::uint8_t> data,
                          std::span<const std::uint8_t> signature);

// Whether certificate `der` is inside its validity period at `at`, widened by `margin` on
// each side (a time-stamp's accuracy).
Result<bool> certificate_valid_at(std::span<const std::uint8_t> der,
                                  std::chrono::system_clock::time_point at,
                                  std::chrono::seconds margin = std::chrono::seconds(0));

// What a chain is checked for. kTimeStamping adds OpenSSL's RFC 3161 purpose: the leaf's
// ExtendedKeyUsage is timeStamping alone and critical, its KeyUsage (if any) only
// digitalSignature/nonRepudiation.
enum class ChainPurpose { kClaimSigning, kTimeStamping };

// Whether `chain` (leaf first) leads to one of `anchors` (DER roots) and every certificate is
// valid at `at`. An error says why not (code "c2pa_untrusted" with OpenSSL's reason).
Result<void> verify_chain(const std::vector<Bytes>& chain, const std::vector<Bytes>& anchors,
                          std::chrono::system_clock::time_point at,
                          ChainPurpose purpose = ChainPurpose::kClaimSigning);

}  // namespace atelier::c2pa
