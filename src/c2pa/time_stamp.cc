// time_stamp.cc — asking a TSA for RFC 3161 tokens and checking them (see time_stamp.h).
//
// OpenSSL's TS_* API builds the request and checks the response against it (status, nonce,
// imprint); tokens are checked with its CMS API step by step rather than TS_RESP_verify_token,
// because C2PA's status codes tell the steps apart (a digest that does not match is a
// mismatch, a signature that does not verify is untrusted) and a TSA that is not among the
// trust anchors still yields a validated, reported time-stamp.
#include "c2pa/time_stamp.h"

#include <openssl/cms.h>
#include <openssl/ts.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <ctime>

#include "c2pa/internal/http_post.h"
#include "c2pa/internal/openssl.h"
#include "core/hash.h"

namespace atelier::c2pa {
namespace {

using namespace internal;  // NOLINT: the OpenSSL helpers.

using CmsPtr = std::unique_ptr<CMS_ContentInfo, Deleter<CMS_ContentInfo, CMS_ContentInfo_free>>;
using TstInfoPtr = std::unique_ptr<TS_TST_INFO, Deleter<TS_TST_INFO, TS_TST_INFO_free>>;
using TsReqPtr = std::unique_ptr<TS_REQ, Deleter<TS_REQ, TS_REQ_free>>;
using TsRespPtr = std::unique_ptr<TS_RESP, Deleter<TS_RESP, TS_RESP_free>>;
using TsImprintPtr = std::unique_ptr<TS_MSG_IMPRINT, Deleter<TS_MSG_IMPRINT, TS_MSG_IMPRINT_free>>;
using TsVerifyPtr = std::unique_ptr<TS_VERIFY_CTX, Deleter<TS_VERIFY_CTX, TS_VERIFY_CTX_free>>;
using AlgorPtr = std::unique_ptr<X509_ALGOR, Deleter<X509_ALGOR, X509_ALGOR_free>>;
using IntegerPtr = std::unique_ptr<ASN1_INTEGER, Deleter<ASN1_INTEGER, ASN1_INTEGER_free>>;

constexpr const char* kQueryType = "application/timestamp-query";
// Before a TSA's first token: room for a token with a short chain. Later: the last size plus
// slack for what varies between tokens (serial, nonce and signature lengths, fractions).
constexpr std::size_t kTokenBytesFirstGuess = 4096;
constexpr std::size_t kTokenBytesSlack = 64;

// Every queued OpenSSL error with its detail text (TS puts the TSA's status text there).
std::string openssl_errors() {
  std::string out;
  const char* data = nullptr;
  int flags = 0;
  while (unsigned long e = ERR_get_error_all(nullptr, nullptr, nullptr, &data, &flags)) {
    char buf[256];
    ERR_error_string_n(e, buf, sizeof buf);
    if (!out.empty()) out += "; ";
    const char* reason = ERR_reason_error_string(e);
    out += reason ? reason : buf;
    if ((flags & ERR_TXT_STRING) && data && *data) out += std::string(" (") + data + ")";
  }
  return out.empty() ? "unknown OpenSSL error" : out;
}

std::string rfc3339(std::time_t t) {
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

std::string integer_hex(const ASN1_INTEGER* i) {
  BnPtr bn(ASN1_INTEGER_to_BN(i, nullptr));
  if (!bn) return "";
  char* hex = BN_bn2hex(bn.get());
  std::string out = hex ? hex : "";
  OPENSSL_free(hex);
  return out;
}

std::string general_name_text(const GENERAL_NAME* name) {
  if (!name) return "";
  BioPtr bio(BIO_new(BIO_s_mem()));
  GENERAL_NAME_print(bio.get(), const_cast<GENERAL_NAME*>(name));
  char* data = nullptr;
  const long n = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<std::size_t>(n));
}

long integer_or_zero(const ASN1_INTEGER* i) { return i ? ASN1_INTEGER_get(i) : 0; }

// What the TSTInfo says, and the certificates the token carries (`signer` first).
TimeStampToken describe(TS_TST_INFO* info, X509* signer, STACK_OF(X509) * certs) {
  TimeStampToken t;
  std::tm tm{};
  if (ASN1_TIME_to_tm(TS_TST_INFO_get_time(info), &tm) == 1) {
    const std::time_t when = timegm(&tm);
    t.time = std::chrono::system_clock::from_time_t(when);
    t.time_text = rfc3339(when);
  }
  if (const TS_ACCURACY* a = TS_TST_INFO_get_accuracy(info)) {
    const long micros = integer_or_zero(TS_ACCURACY_get_seconds(a)) * 1'000'000 +
                        integer_or_zero(TS_ACCURACY_get_millis(a)) * 1'000 +
                        integer_or_zero(TS_ACCURACY_get_micros(a));
    t.accuracy = std::chrono::seconds((micros + 999'999) / 1'000'000);
  }
  t.tsa_subject = one_line(X509_get_subject_name(signer));
  t.tsa_name = general_name_text(TS_TST_INFO_get_tsa(info));
  t.serial_hex = integer_hex(TS_TST_INFO_get_serial(info));
  char oid[128] = {};
  if (const ASN1_OBJECT* policy = TS_TST_INFO_get_policy_id(info)) {
    OBJ_obj2txt(oid, sizeof oid, policy, 1);
  }
  t.policy = oid;
  t.certificates.push_back(to_der(signer));
  for (int i = 0; i < sk_X509_num(certs); ++i) {
    X509* x = sk_X509_value(certs, i);
    if (x != signer) t.certificates.push_back(to_der(x));
  }
  return t;
}

Result<Bytes> digest_of(const ASN1_OBJECT* algorithm, std::span<const std::uint8_t> data) {
  const EVP_MD* md = EVP_get_digestbyobj(algorithm);
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int n = 0;
  if (!md || EVP_Digest(data.data(), data.size(), out, &n, md, nullptr) != 1) {
    ERR_clear_error();
    char name[128] = {};
    OBJ_obj2txt(name, sizeof name, algorithm, 0);
    return fail(Error::invalid("c2pa_digest_unsupported", std::string("digest ") + name));
  }
  return Bytes(out, out + n);
}

bool same(std::span<const std::uint8_t> a, const ASN1_OCTET_STRING* b) {
  return b && static_cast<std::size_t>(ASN1_STRING_length(b)) == a.size() &&
         std::equal(a.begin(), a.end(), ASN1_STRING_get0_data(b));
}

// The checks of a token that come after its signer and TSTInfo are known.
void check_parsed(TimeStampCheck& c, CMS_SignerInfo* si, X509* signer,
                  std::span<const std::uint8_t> tst_info, TS_TST_INFO* info,
                  std::span<const std::uint8_t> message, const std::vector<Bytes>& anchors) {
  auto problem = [&c](const char* code, std::string why) {
    c.problem = code;
    c.explanation = std::move(why);
  };
  // The signed messageDigest attribute against the TSTInfo.
  const auto* signed_digest = static_cast<const ASN1_OCTET_STRING*>(CMS_signed_get0_data_by_OBJ(
      si, OBJ_nid2obj(NID_pkcs9_messageDigest), -3, V_ASN1_OCTET_STRING));
  X509_ALGOR* digest_alg = nullptr;
  CMS_SignerInfo_get0_algs(si, nullptr, nullptr, &digest_alg, nullptr);
  const ASN1_OBJECT* digest_oid = nullptr;
  if (digest_alg) X509_ALGOR_get0(&digest_oid, nullptr, nullptr, digest_alg);
  if (!signed_digest || !digest_oid) {
    return problem(kTimeStampMalformed, "the token's signer has no messageDigest attribute");
  }
  auto content_digest = digest_of(digest_oid, tst_info);
  if (!content_digest) {
    return problem(kTimeStampMalformed,
                   "the token is signed with an unsupported " + content_digest.error().message);
  }
  if (!same(*content_digest, signed_digest)) {
    return problem(kTimeStampMismatch, "the token's TSTInfo does not match its signed digest");
  }
  // The TSA's signature over the signed attributes.
  CMS_SignerInfo_set1_signer_cert(si, signer);
  if (CMS_SignerInfo_verify(si) != 1) {
    ERR_clear_error();
    return problem(kTimeStampUntrusted, "the time-stamp authority's signature does not verify");
  }
  const TimeStampToken& t = *c.token;
  auto valid = certificate_valid_at(t.certificates.front(), t.time, t.accuracy);
  if (!valid || !*valid) {
    return problem(kTimeStampOutsideValidity,
                   "the time-stamp authority's certificate was not valid at " + t.time_text);
  }
  // The imprint: the time-stamp is of these bytes.
  TS_MSG_IMPRINT* imprint = TS_TST_INFO_get_msg_imprint(info);
  const ASN1_OBJECT* imprint_oid = nullptr;
  X509_ALGOR_get0(&imprint_oid, nullptr, nullptr, TS_MSG_IMPRINT_get_algo(imprint));
  auto expected = digest_of(imprint_oid, message);
  if (!expected) {
    return problem(kTimeStampUntrusted,
                   "the time-stamp's imprint uses an unsupported " + expected.error().message);
  }
  if (!same(*expected, TS_MSG_IMPRINT_get_msg(imprint))) {
    return problem(kTimeStampMismatch, "the time-stamp is not of this claim signature");
  }
  c.successes.emplace_back(kTimeStampValidated);
  if (anchors.empty()) return problem(kTimeStampUntrusted, "no trust anchor was given");
  if (auto chain = verify_chain(t.certificates, anchors, t.time, ChainPurpose::kTimeStamping);
      !chain) {
    return problem(kTimeStampUntrusted, chain.error().message);
  }
  c.successes.emplace_back(kTimeStampTrusted);
}

}  // namespace

TimeStampCheck check_time_stamp(std::span<const std::uint8_t> token,
                                std::span<const std::uint8_t> message,
                                const std::vector<Bytes>& anchors) {
  TimeStampCheck c;
  auto problem = [&c](const char* code, std::string why) {
    c.problem = code;
    c.explanation = std::move(why);
    return c;
  };
  const unsigned char* p = token.data();
  CmsPtr cms(d2i_CMS_ContentInfo(nullptr, &p, static_cast<long>(token.size())));
  if (!cms || p != token.data() + token.size()) {
    ERR_clear_error();
    return problem(kTimeStampMalformed, "the token is not a DER CMS ContentInfo");
  }
  if (OBJ_obj2nid(CMS_get0_type(cms.get())) != NID_pkcs7_signed ||
      OBJ_obj2nid(CMS_get0_eContentType(cms.get())) != NID_id_smime_ct_TSTInfo) {
    return problem(kTimeStampMalformed, "the token is not SignedData over a TSTInfo");
  }
  ASN1_OCTET_STRING** content = CMS_get0_content(cms.get());
  if (!content || !*content) return problem(kTimeStampMalformed, "the token has no TSTInfo");
  const std::span<const std::uint8_t> tst_info(
      ASN1_STRING_get0_data(*content), static_cast<std::size_t>(ASN1_STRING_length(*content)));
  STACK_OF(CMS_SignerInfo)* infos = CMS_get0_SignerInfos(cms.get());
  if (!infos || sk_CMS_SignerInfo_num(infos) != 1) {
    return problem(kTimeStampMalformed, "the token does not have exactly one signer");
  }
  CMS_SignerInfo* si = sk_CMS_SignerInfo_value(infos, 0);
  X509StackPtr certs(CMS_get1_certs(cms.get()));
  X509* signer = nullptr;
  for (int i = 0; certs && i < sk_X509_num(certs.get()) && !signer; ++i) {
    if (CMS_SignerInfo_cert_cmp(si, sk_X509_value(certs.get(), i)) == 0) {
      signer = sk_X509_value(certs.get(), i);
    }
  }
  if (!signer) {
    return problem(kTimeStampUntrusted, "the token does not carry its signer's certificate");
  }
  const unsigned char* q = tst_info.data();
  TstInfoPtr info(d2i_TS_TST_INFO(nullptr, &q, static_cast<long>(tst_info.size())));
  if (!info || q != tst_info.data() + tst_info.size()) {
    ERR_clear_error();
    return problem(kTimeStampMalformed, "the token's TSTInfo does not parse");
  }
  c.token = describe(info.get(), signer, certs.get());
  if (c.token->time_text.empty()) return problem(kTimeStampMalformed, "genTime does not parse");
  check_parsed(c, si, signer, tst_info, info.get(), message, anchors);
  ERR_clear_error();
  return c;
}

// ---- the client -----------------------------------------------------------------------------

namespace {

// What c2pa-rs asks of a TSA certificate on top of OpenSSL's time-stamping purpose (its
// certificate profile check, which marks the whole manifest invalid when it fails).
std::string unfit_tsa_certificate(std::span<const std::uint8_t> der) {
  auto x = parse_der(der);
  if (!x) return "it does not parse";
  X509* c = x->get();
  if (X509_get_version(c) != X509_VERSION_3) return "it is not X.509 version 3";
  if (X509_check_purpose(c, X509_PURPOSE_TIMESTAMP_SIGN, 0) != 1) {
    ERR_clear_error();
    return "it is not for time-stamping (ExtendedKeyUsage timeStamping alone, critical; "
           "KeyUsage digitalSignature)";
  }
  if (X509_check_ca(c) != 0) return "it is a CA certificate";
  if (!(X509_get_extension_flags(c) & EXFLAG_KUSAGE)) return "it has no KeyUsage";
  if (!X509_get0_authority_key_id(c)) return "it has no AuthorityKeyIdentifier";
  return "";
}

bool is_reply_type(std::string_view content_type) {
  std::string t(content_type.substr(0, content_type.find(';')));
  while (!t.empty() && t.back() == ' ') t.pop_back();
  for (auto& ch : t) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  return t.empty() || t == "application/timestamp-reply" || t == "application/timestamp-response";
}

Result<TsReqPtr> make_request(const Digest& digest) {
  TsReqPtr req(TS_REQ_new());
  TsImprintPtr imprint(TS_MSG_IMPRINT_new());
  AlgorPtr algo(X509_ALGOR_new());
  BnPtr nonce_bn(BN_new());
  if (!req || !imprint || !algo || !nonce_bn || TS_REQ_set_version(req.get(), 1) != 1 ||
      X509_ALGOR_set0(algo.get(), OBJ_nid2obj(NID_sha256), V_ASN1_NULL, nullptr) != 1 ||
      TS_MSG_IMPRINT_set_algo(imprint.get(), algo.get()) != 1 ||
      TS_MSG_IMPRINT_set_msg(imprint.get(), const_cast<std::uint8_t*>(digest.data()),
                             static_cast<int>(digest.size())) != 1 ||
      TS_REQ_set_msg_imprint(req.get(), imprint.get()) != 1 ||
      BN_rand(nonce_bn.get(), 64, BN_RAND_TOP_ANY, BN_RAND_BOTTOM_ANY) != 1) {
    return fail(crypto_error("building the time-stamp request"));
  }
  IntegerPtr nonce(BN_to_ASN1_INTEGER(nonce_bn.get(), nullptr));
  if (!nonce || TS_REQ_set_nonce(req.get(), nonce.get()) != 1 ||
      TS_REQ_set_cert_req(req.get(), 1) != 1) {
    return fail(crypto_error("building the time-stamp request"));
  }
  return req;
}

class HttpTimeStamper final : public TimeStamper {
 public:
  HttpTimeStamper(TsaOptions options, HttpUrl url)
      : options_(std::move(options)), url_(std::move(url)) {}

  std::string name() const override { return options_.url; }

  std::size_t token_bytes_estimate() const override {
    const std::size_t last = last_token_bytes_.load(std::memory_order_relaxed);
    return last == 0 ? kTokenBytesFirstGuess : last + kTokenBytesSlack;
  }

  Result<Bytes> stamp(std::span<const std::uint8_t> message) const override {
    ATELIER_TRY_ASSIGN(TsReqPtr req, make_request(sha256(message)));
    const int n = i2d_TS_REQ(req.get(), nullptr);
    Bytes der(static_cast<std::size_t>(std::max(n, 0)));
    unsigned char* w = der.data();
    if (n <= 0 || i2d_TS_REQ(req.get(), &w) != n) {
      return fail(crypto_error("encoding the time-stamp request"));
    }
    ATELIER_TRY_ASSIGN(HttpResponse http,
                       http_post(url_, kQueryType, der,
                                 {.timeout_ms = options_.timeout_ms,
                                  .response_bytes_max = options_.response_bytes_max}));
    if (http.status != 200) {
      return fail(bad_response("answered HTTP " + std::to_string(http.status)));
    }
    if (!is_reply_type(http.content_type)) {
      return fail(
          bad_response("answered with " + http.content_type + ", not application/timestamp-reply"));
    }
    const unsigned char* r = http.body.data();
    TsRespPtr resp(d2i_TS_RESP(nullptr, &r, static_cast<long>(http.body.size())));
    if (!resp || r != http.body.data() + http.body.size()) {
      ERR_clear_error();
      return fail(bad_response("answered with something that is not a DER TimeStampResp"));
    }
    // Granted, a token, our nonce and imprint. The signature is left to check_time_stamp
    // below, which needs no trust anchor (OpenSSL's TS_VFY_SIGNATURE wants the TSA's root).
    TsVerifyPtr verify(TS_REQ_to_TS_VERIFY_CTX(req.get(), nullptr));
    if (verify)
      TS_VERIFY_CTX_set_flags(verify.get(), TS_VFY_VERSION | TS_VFY_IMPRINT | TS_VFY_NONCE);
    if (!verify || TS_RESP_verify_response(verify.get(), resp.get()) != 1) {
      return fail(bad_response("answered with a response that does not fit the request: " +
                               openssl_errors()));
    }
    PKCS7* token_p7 = TS_RESP_get_token(resp.get());
    const int token_n = token_p7 ? i2d_PKCS7(token_p7, nullptr) : 0;
    Bytes token(static_cast<std::size_t>(std::max(token_n, 0)));
    unsigned char* tw = token.data();
    if (token_n <= 0 || i2d_PKCS7(token_p7, &tw) != token_n) {
      return fail(crypto_error("encoding the time-stamp token"));
    }
    const TimeStampCheck check = check_time_stamp(token, message, {});
    if (!check.validated()) return fail(bad_response("sent a token that " + check.explanation));
    if (auto why = unfit_tsa_certificate(check.token->certificates.front()); !why.empty()) {
      return fail(bad_response("signs with a certificate C2PA readers reject: " + why));
    }
    last_token_bytes_.store(token.size(), std::memory_order_relaxed);
    return token;
  }

 private:
  Error bad_response(const std::string& why) const {
    return Error::internal("c2pa_tsa_response",
                           "the time-stamp authority " + options_.url + " " + why);
  }

  TsaOptions options_;
  HttpUrl url_;
  mutable std::atomic<std::size_t> last_token_bytes_{0};
};

}  // namespace

Result<std::shared_ptr<const TimeStamper>> make_http_time_stamper(TsaOptions options) {
  ATELIER_TRY_ASSIGN(HttpUrl url, parse_http_url(options.url));
  if (options.timeout_ms <= 0 || options.response_bytes_max <= 0) {
    return fail(Error::invalid("c2pa_tsa_url",
                               "the time-stamp authority's timeout and response "
                               "size must be positive",
                               "c2pa_tsa"));
  }
  return std::make_shared<const HttpTimeStamper>(std::move(options), std::move(url));
}

}  // namespace atelier::c2pa
