// cose.h — the claim signature: COSE_Sign1 (RFC 9052, tag 18) as C2PA uses it.
//
// Protected header: {1 (alg): -7 (ES256), 33 (x5chain): the signer's certificates, leaf first,
// no root (one bstr, or an array of two or more)}. Payload detached (nil): the claim bytes are
// supplied at verification. Signature: IEEE P1363 r‖s. The unprotected header may hold a
// time-stamp (`sigTst2`) and `pad` bytes that fill the box to the size reserved for it.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "c2pa/cbor.h"
#include "c2pa/credentials.h"
#include "core/error.h"

namespace atelier::c2pa {

inline constexpr std::int64_t kCoseAlgEs256 = -7;
inline constexpr std::int64_t kCoseHeaderAlg = 1;
inline constexpr std::int64_t kCoseHeaderX5chain = 33;
inline constexpr std::uint64_t kCoseSign1Tag = 18;

// The unprotected header's v2 time-stamp: {"tstTokens": [{"val": RFC 3161 token}]}.
inline constexpr const char* kCoseHeaderSigTst2 = "sigTst2";

class TimeStamper;

struct CoseSign1 {
  Bytes protected_bytes;  // the serialized protected header, as signed
  std::int64_t alg = 0;
  std::vector<Bytes> x5chain;  // leaf first
  cbor::Value unprotected;
  Bytes signature;
};

// The Sig_structure bytes that are signed: ["Signature1", protected, h'', payload].
Bytes cose_to_be_signed(std::span<const std::uint8_t> protected_bytes,
                        std::span<const std::uint8_t> payload);

// The bytes a v2 time-stamp's imprint covers, as c2pa-rs computes them (its
// cose_countersign_data): the countersignature structure ["CounterSignature", protected, h'',
// bstr(signature)] whose payload is the signature serialized as a CBOR byte string.
Bytes cose_time_stamp_payload(std::span<const std::uint8_t> protected_bytes,
                              std::span<const std::uint8_t> signature);

// Signs `claim`; with a `time_stamper`, then time-stamps the signature into the unprotected
// header (sigTst2). The time-stamper's errors are this function's: no token, no signature.
Result<CoseSign1> cose_sign(const Signer& signer, std::span<const std::uint8_t> claim,
                            const TimeStamper* time_stamper = nullptr);

// The tagged COSE_Sign1 bytes of `cose`. With `size` the unprotected header gains `pad` (and
// if one cannot hit the size, `pad2`) zero bytes to fill exactly that many; error
// "c2pa_signature_size" when it is longer, or shorter by less than a pad entry (5 bytes).
Result<Bytes> cose_encode(const CoseSign1& cose, std::optional<std::size_t> size = std::nullopt);

// Signs `claim` and returns the tagged COSE_Sign1: cose_encode(cose_sign(...), size).
Result<Bytes> cose_sign_claim(const Signer& signer, std::span<const std::uint8_t> claim,
                              std::optional<std::size_t> size = std::nullopt);

// The size of cose_sign_claim's output for this signer without padding (ES256 signatures
// are always 64 bytes, so this is exact).
Result<std::size_t> cose_signature_size(const Signer& signer);

// Reads a tagged or untagged COSE_Sign1 with a detached payload ("c2pa_cose_malformed").
Result<CoseSign1> parse_cose_sign1(std::span<const std::uint8_t> bytes);

// Whether the signature over `claim` verifies with the leaf certificate.
Result<bool> cose_verify(const CoseSign1& cose, std::span<const std::uint8_t> claim);

}  // namespace atelier::c2pa
