// time_stamp.h — RFC 3161 time-stamps on claim signatures (C2PA 2.x §10.3.2.5, `sigTst2`).
//
// A time-stamp authority (TSA) signs "these bytes existed at time T". C2PA's v2 time-stamp
// covers the finished signature: its message imprint is SHA-256 of the COSE countersignature
// structure over the signature (cose_time_stamp_payload in cose.h), and the token (a CMS
// SignedData ContentInfo over a TSTInfo) goes into the COSE unprotected header as
// {"sigTst2": {"tstTokens": [{"val": token}]}}. A validator that trusts the TSA then checks the
// signing certificate at T instead of now, so the credential outlives the certificate.
//
//   auto tsa = make_http_time_stamper({.url = "http://timestamp.example/tsr"});
//   Result<Bytes> token = (*tsa)->stamp(message);             // requested and checked
//   TimeStampCheck c = check_time_stamp(*token, message, anchors);
//   if (c.trusted()) at = c.token->time;
//
// Thread-safety: a TimeStamper is used from many threads at once (the server's workers).
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "c2pa/credentials.h"
#include "core/error.h"

namespace atelier::c2pa {

inline constexpr const char* kTimeStampValidated = "timeStamp.validated";
inline constexpr const char* kTimeStampTrusted = "timeStamp.trusted";
inline constexpr const char* kTimeStampMismatch = "timeStamp.mismatch";
inline constexpr const char* kTimeStampUntrusted = "timeStamp.untrusted";
inline constexpr const char* kTimeStampOutsideValidity = "timeStamp.outsideValidity";
inline constexpr const char* kTimeStampMalformed = "timeStamp.malformed";

// Something that time-stamps bytes: the HTTP client below, or a test's stand-in.
class TimeStamper {
 public:
  virtual ~TimeStamper() = default;
  // A DER TimeStampToken over SHA-256(`message`), already checked: granted, our nonce and
  // imprint, a signature that verifies with the TSA certificate it carries, and that
  // certificate fit for time-stamping. Errors name the TSA.
  virtual Result<Bytes> stamp(std::span<const std::uint8_t> message) const = 0;
  // About how many bytes the next token will take (the signature box reserves room for it
  // before the token exists; a longer token costs one more signing round and request).
  virtual std::size_t token_bytes_estimate() const = 0;
  // The TSA, for messages (its URL).
  virtual std::string name() const = 0;
};

struct TsaOptions {
  std::string url;                   // http://host[:port]/path (https is refused: see http_post.h)
  std::int64_t timeout_ms = 10'000;  // the whole request; a slow TSA makes signing fail
  // The TSA's response; tokens with a full certificate chain are a few kB.
  std::int64_t response_bytes_max = 256 << 10;
};

// An RFC 3161 client over HTTP (POST, application/timestamp-query): a fresh 64-bit nonce and
// certReq per request. Errors: "c2pa_tsa_url" (the URL), later from stamp():
// "c2pa_tsa_unreachable", "c2pa_tsa_response" (not 200, not granted, wrong nonce or imprint,
// a bad signature, a certificate unfit for time-stamping).
Result<std::shared_ptr<const TimeStamper>> make_http_time_stamper(TsaOptions options);

// What a token says.
struct TimeStampToken {
  std::chrono::system_clock::time_point time;  // genTime, whole seconds
  std::string time_text;                       // RFC 3339, UTC
  std::chrono::seconds accuracy{0};            // rounded up
  std::string tsa_subject;                     // the signing certificate's subject
  std::string tsa_name;                        // TSTInfo's tsa field, when present
  std::string serial_hex;
  std::string policy;               // dotted OID
  std::vector<Bytes> certificates;  // as carried, the signer's first
};

// The verdict on a token, in c2pa-rs's order and status codes: timeStamp.malformed (not a
// token), timeStamp.mismatch (its content digest, or its imprint is not of `message`),
// timeStamp.untrusted (no signer certificate, a bad signature, or no chain to `anchors` for
// time-stamping at genTime), timeStamp.outsideValidity (the TSA certificate was not valid at
// genTime).
struct TimeStampCheck {
  std::optional<TimeStampToken> token;  // once it parsed
  std::vector<std::string> successes;   // timeStamp.validated, then timeStamp.trusted
  std::string problem;                  // the first failed check's code; empty: none
  std::string explanation;              // why, for `problem`
  bool validated() const { return !successes.empty(); }
  bool trusted() const { return token && problem.empty(); }
};

TimeStampCheck check_time_stamp(std::span<const std::uint8_t> token,
                                std::span<const std::uint8_t> message,
                                const std::vector<Bytes>& anchors);

}  // namespace atelier::c2pa
