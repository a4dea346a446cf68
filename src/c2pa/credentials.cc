// credentials.cc — C2PA signing certificates and ES256 with OpenSSL 3 (see credentials.h).
#include "c2pa/credentials.h"

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <ctime>
#include <fstream>
#include <sstream>

#include "c2pa/internal/openssl.h"
#include "store/file_io.h"

namespace atelier::c2pa {
namespace {

using namespace internal;  // NOLINT: the OpenSSL helpers this file shares.

Error profile_error(const std::string& why) {
  return Error::invalid("c2pa_cert_profile",
                        "the signing certificate does not meet the C2PA profile: " + why,
                        "c2pa_cert");
}

// ---- creating the local CA ------------------------------------------------------------------

Result<PkeyPtr> new_p256_key() {
  PkeyPtr key(EVP_EC_gen("P-256"));
  if (!key) return fail(crypto_error("generating a P-256 key"));
  return key;
}

Result<void> add_ext(X509* cert, X509* issuer, int nid, const char* value) {
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, issuer, cert, nullptr, nullptr, 0);
  X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value);
  if (!ext) return fail(crypto_error(std::string("building extension ") + value));
  const int ok = X509_add_ext(cert, ext, -1);
  X509_EXTENSION_free(ext);
  if (ok != 1) return fail(crypto_error("adding an extension"));
  return {};
}

struct CertSpec {
  std::string common_name;
  std::string organization;
  int days = 365;
  bool ca = false;
};

Result<X509Ptr> make_cert(const CertSpec& spec, EVP_PKEY* key, X509* issuer, EVP_PKEY* issuer_key) {
  X509Ptr x(X509_new());
  if (!x) return fail(crypto_error("allocating a certificate"));
  X509_set_version(x.get(), X509_VERSION_3);
  // A positive 127-bit random serial (RFC 5280 §4.1.2.2: at most 20 octets, unique per CA).
  BnPtr serial(BN_new());
  if (!serial || BN_rand(serial.get(), 127, BN_RAND_TOP_ANY, BN_RAND_BOTTOM_ANY) != 1 ||
      !BN_to_ASN1_INTEGER(serial.get(), X509_get_serialNumber(x.get()))) {
    return fail(crypto_error("choosing a serial number"));
  }
  X509_gmtime_adj(X509_getm_notBefore(x.get()), -3600);  // an hour of clock skew
  X509_gmtime_adj(X509_getm_notAfter(x.get()), static_cast<long>(spec.days) * 86400);
  X509_NAME* name = X509_get_subject_name(x.get());
  auto add_name = [&](const char* field, const std::string& value) {
    return X509_NAME_add_entry_by_txt(name, field, MBSTRING_UTF8,
                                      reinterpret_cast<const unsigned char*>(value.c_str()), -1, -1,
                                      0);
  };
  if (add_name("CN", spec.common_name) != 1 || add_name("O", spec.organization) != 1) {
    return fail(crypto_error("writing the subject"));
  }
  X509* signer_cert = issuer ? issuer : x.get();
  X509_set_issuer_name(x.get(), X509_get_subject_name(signer_cert));
  if (X509_set_pubkey(x.get(), key) != 1) return fail(crypto_error("setting the public key"));
  if (spec.ca) {
    ATELIER_TRY(add_ext(x.get(), signer_cert, NID_basic_constraints, "critical,CA:TRUE"));
    ATELIER_TRY(add_ext(x.get(), signer_cert, NID_key_usage, "critical,keyCertSign,cRLSign"));
  } else {
    ATELIER_TRY(add_ext(x.get(), signer_cert, NID_basic_constraints, "critical,CA:FALSE"));
    ATELIER_TRY(add_ext(x.get(), signer_cert, NID_key_usage, "critical,digitalSignature"));
    const std::string eku = std::string(kC2paSigningEku) + ",emailProtection";
    ATELIER_TRY(add_ext(x.get(), signer_cert, NID_ext_key_usage, eku.c_str()));
  }
  ATELIER_TRY(add_ext(x.get(), signer_cert, NID_subject_key_identifier, "hash"));
  ATELIER_TRY(add_ext(x.get(), signer_cert, NID_authority_key_identifier, "keyid:always"));
  if (X509_sign(x.get(), issuer_key, EVP_sha256()) <= 0) return fail(crypto_error("signing"));
  return x;
}

std::string pem_of(X509* x) {
  BioPtr bio(BIO_new(BIO_s_mem()));
  PEM_write_bio_X509(bio.get(), x);
  char* data = nullptr;
  const long n = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<std::size_t>(n));
}

Result<std::string> key_pem(EVP_PKEY* key) {
  BioPtr bio(BIO_new(BIO_s_mem()));
  if (PEM_write_bio_PrivateKey(bio.get(), key, nullptr, nullptr, 0, nullptr, nullptr) != 1) {
    return fail(crypto_error("writing a private key"));
  }
  char* data = nullptr;
  const long n = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<std::size_t>(n));
}

Result<std::string> read_text(const std::filesystem::path& path, std::string_view what) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return fail(Error::not_found("c2pa_file_missing",
                                 std::string(what) + " " + path.string() + " cannot be read"));
  }
  std::ostringstream s;
  s << in.rdbuf();
  std::string text = s.str();
  if (text.size() > (1u << 20)) {
    return fail(Error::invalid("c2pa_file_too_large", std::string(what) + " " + path.string() +
                                                          " is over 1 MiB"));
  }
  return text;
}

Result<void> write_text_private(const std::filesystem::path& path, const std::string& text) {
  return store::write_private_file(
      path, std::span(reinterpret_cast<const std::uint8_t*>(text.data()), text.size()));
}

bool has_eku(const EXTENDED_KEY_USAGE* eku, const char* oid_text) {
  ASN1_OBJECT* want = OBJ_txt2obj(oid_text, 1);
  bool found = false;
  for (int i = 0; want && i < sk_ASN1_OBJECT_num(eku); ++i) {
    if (OBJ_cmp(sk_ASN1_OBJECT_value(eku, i), want) == 0) found = true;
  }
  ASN1_OBJECT_free(want);
  return found;
}

}  // namespace

// ---- public ---------------------------------------------------------------------------------

Result<void> create_local_ca(const std::filesystem::path& keys_dir, const LocalCaOptions& options) {
  std::error_code ec;
  if (std::filesystem::exists(keys_dir / kSignerCertFile, ec)) return {};
  std::filesystem::create_directories(keys_dir, ec);
  if (ec) {
    return fail(Error::internal("io_error", "creating " + keys_dir.string() + ": " + ec.message()));
  }
  ATELIER_TRY_ASSIGN(PkeyPtr root_key, new_p256_key());
  ATELIER_TRY_ASSIGN(X509Ptr root,
                     make_cert({options.common_name + " C2PA root", options.organization,
                                options.root_days, true},
                               root_key.get(), nullptr, root_key.get()));
  ATELIER_TRY_ASSIGN(PkeyPtr signer_key, new_p256_key());
  ATELIER_TRY_ASSIGN(X509Ptr signer,
                     make_cert({options.common_name + " content credentials", options.organization,
                                options.signer_days, false},
                               signer_key.get(), root.get(), root_key.get()));
  ATELIER_TRY_ASSIGN(std::string root_key_pem, key_pem(root_key.get()));
  ATELIER_TRY_ASSIGN(std::string signer_key_pem, key_pem(signer_key.get()));
  // The certificate last: its presence is what says "the CA is made".
  ATELIER_TRY(write_text_private(keys_dir / kRootKeyFile, root_key_pem));
  ATELIER_TRY(write_text_private(keys_dir / kRootCertFile, pem_of(root.get())));
  ATELIER_TRY(write_text_private(keys_dir / kSignerKeyFile, signer_key_pem));
  return write_text_private(keys_dir / kSignerCertFile, pem_of(signer.get()));
}

Result<std::string> read_root_pem(const std::filesystem::path& keys_dir) {
  return read_text(keys_dir / kRootCertFile, "the C2PA root certificate");
}

std::vector<Bytes> local_trust_anchors(const std::filesystem::path& keys_dir) {
  auto root = read_root_pem(keys_dir);
  if (!root) return {};
  auto certs = certificates_from_pem(*root);
  return certs ? *certs : std::vector<Bytes>{};
}

Result<std::vector<Bytes>> certificates_from_pem(std::string_view pem) {
  BioPtr bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  std::vector<Bytes> out;
  for (;;) {
    X509Ptr x(PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr));
    if (!x) break;
    out.push_back(to_der(x.get()));
  }
  ERR_clear_error();
  if (out.empty()) {
    return fail(
        Error::invalid("c2pa_cert_malformed", "no PEM CERTIFICATE block found", "c2pa_cert"));
  }
  return out;
}

std::string certificate_to_pem(std::span<const std::uint8_t> der) {
  auto x = parse_der(der);
  if (!x) return "";
  return pem_of(x->get());
}

Result<CertificateSummary> summarize_certificate(std::span<const std::uint8_t> der) {
  ATELIER_TRY_ASSIGN(X509Ptr x, parse_der(der));
  CertificateSummary s;
  s.subject = one_line(X509_get_subject_name(x.get()));
  s.issuer = one_line(X509_get_issuer_name(x.get()));
  s.organization = name_entry(X509_get_subject_name(x.get()), NID_organizationName);
  s.common_name = name_entry(X509_get_subject_name(x.get()), NID_commonName);
  s.not_before = asn1_time_rfc3339(X509_get0_notBefore(x.get()));
  s.not_after = asn1_time_rfc3339(X509_get0_notAfter(x.get()));
  return s;
}

Result<void> check_signing_certificate(std::span<const std::uint8_t> leaf_der,
                                       std::chrono::system_clock::time_point now) {
  ATELIER_TRY_ASSIGN(X509Ptr x, parse_der(leaf_der));
  X509* c = x.get();
  if (X509_get_version(c) != X509_VERSION_3)
    return fail(profile_error("it is not X.509 version 3"));
  std::time_t t = std::chrono::system_clock::to_time_t(now);
  if (X509_cmp_time(X509_get0_notBefore(c), &t) > 0) {
    return fail(profile_error("it is not valid before " +
                              asn1_time_rfc3339(X509_get0_notBefore(c))));
  }
  if (X509_cmp_time(X509_get0_notAfter(c), &t) < 0) {
    return fail(profile_error("it expired on " + asn1_time_rfc3339(X509_get0_notAfter(c))));
  }
  // X509_get_extension_flags caches the parsed extensions (and flags ones it cannot parse).
  const std::uint32_t flags = X509_get_extension_flags(c);
  if (flags & EXFLAG_INVALID) return fail(profile_error("an extension cannot be parsed"));
  if ((flags & EXFLAG_CA) || X509_check_ca(c) != 0) {
    return fail(profile_error("it is a CA certificate"));
  }
  const int ku_index = X509_get_ext_by_NID(c, NID_key_usage, -1);
  if (ku_index < 0 || !(X509_get_key_usage(c) & KU_DIGITAL_SIGNATURE)) {
    return fail(profile_error("KeyUsage lacks digitalSignature"));
  }
  if (!X509_EXTENSION_get_critical(X509_get_ext(c, ku_index))) {
    return fail(profile_error("KeyUsage is not critical"));
  }
  if (X509_get_key_usage(c) & (KU_KEY_CERT_SIGN | KU_CRL_SIGN)) {
    return fail(profile_error("KeyUsage allows signing certificates or CRLs"));
  }
  auto* eku =
      static_cast<EXTENDED_KEY_USAGE*>(X509_get_ext_d2i(c, NID_ext_key_usage, nullptr, nullptr));
  if (!eku) return fail(profile_error("it has no ExtendedKeyUsage"));
  const bool any = has_eku(eku, "2.5.29.37.0");
  const bool usable = has_eku(eku, kC2paSigningEku) || has_eku(eku, "1.3.6.1.5.5.7.3.4") ||
                      has_eku(eku, "1.3.6.1.5.5.7.3.36");
  sk_ASN1_OBJECT_pop_free(eku, ASN1_OBJECT_free);
  if (any) return fail(profile_error("ExtendedKeyUsage contains anyExtendedKeyUsage"));
  if (!usable) {
    return fail(profile_error(std::string("ExtendedKeyUsage has neither C2PA signing (") +
                              kC2paSigningEku + ") nor emailProtection nor documentSigning"));
  }
  if (!X509_get0_subject_key_id(c)) return fail(profile_error("it has no SubjectKeyIdentifier"));
  if (!X509_get0_authority_key_id(c))
    return fail(profile_error("it has no AuthorityKeyIdentifier"));
  if (name_entry(X509_get_subject_name(c), NID_organizationName).empty()) {
    return fail(profile_error("its subject has no Organization (O)"));
  }
  EVP_PKEY* pub = X509_get0_pubkey(c);
  char group[64] = {};
  std::size_t group_len = 0;
  if (!pub || EVP_PKEY_get_base_id(pub) != EVP_PKEY_EC ||
      EVP_PKEY_get_utf8_string_param(pub, "group", group, sizeof group, &group_len) != 1 ||
      std::string_view(group) != "prime256v1") {
    ERR_clear_error();
    return fail(profile_error("its key is not an EC P-256 key (ES256 is what atelier signs with)"));
  }
  return {};
}

struct Signer::Key {
  PkeyPtr pkey;
};

Signer::Signer(Signer&&) noexcept = default;
Signer& Signer::operator=(Signer&&) noexcept = default;
Signer::~Signer() = default;

Result<Signer> Signer::load(const std::filesystem::path& cert_pem,
                            const std::filesystem::path& key_pem_path,
                            std::chrono::system_clock::time_point now) {
  ATELIER_TRY_ASSIGN(std::string certs_text, read_text(cert_pem, "the C2PA signing certificate"));
  ATELIER_TRY_ASSIGN(std::string key_text, read_text(key_pem_path, "the C2PA signing key"));
  ATELIER_TRY_ASSIGN(std::vector<Bytes> chain, certificates_from_pem(certs_text));
  // A self-signed certificate at the end is the root: COSE x5chain leaves it out.
  if (chain.size() > 1) {
    ATELIER_TRY_ASSIGN(X509Ptr last, parse_der(chain.back()));
    if (X509_check_issued(last.get(), last.get()) == X509_V_OK) chain.pop_back();
  }
  ATELIER_TRY(check_signing_certificate(chain.front(), now));
  BioPtr bio(BIO_new_mem_buf(key_text.data(), static_cast<int>(key_text.size())));
  PkeyPtr key(PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr));
  if (!key) {
    ERR_clear_error();
    return fail(Error::invalid("c2pa_key_malformed",
                               key_pem_path.string() + " holds no PEM private key", "c2pa_key"));
  }
  ATELIER_TRY_ASSIGN(X509Ptr leaf, parse_der(chain.front()));
  if (X509_check_private_key(leaf.get(), key.get()) != 1) {
    ERR_clear_error();
    return fail(Error::invalid("c2pa_key_mismatch",
                               "the C2PA signing key does not belong to the certificate",
                               "c2pa_key"));
  }
  Signer s;
  s.key_ = std::make_unique<Key>(Key{std::move(key)});
  s.chain_ = std::move(chain);
  return s;
}

Result<Bytes> Signer::sign(std::span<const std::uint8_t> data) const {
  MdCtxPtr ctx(EVP_MD_CTX_new());
  std::size_t der_len = 0;
  if (!ctx ||
      EVP_DigestSignInit(ctx.get(), nullptr, EVP_sha256(), nullptr, key_->pkey.get()) != 1 ||
      EVP_DigestSign(ctx.get(), nullptr, &der_len, data.data(), data.size()) != 1) {
    return fail(crypto_error("signing the claim"));
  }
  Bytes der(der_len);
  if (EVP_DigestSign(ctx.get(), der.data(), &der_len, data.data(), data.size()) != 1) {
    return fail(crypto_error("signing the claim"));
  }
  const unsigned char* p = der.data();
  EcdsaSigPtr sig(d2i_ECDSA_SIG(nullptr, &p, static_cast<long>(der_len)));
  if (!sig) return fail(crypto_error("reading the ECDSA signature"));
  Bytes out(64);
  if (BN_bn2binpad(ECDSA_SIG_get0_r(sig.get()), out.data(), 32) != 32 ||
      BN_bn2binpad(ECDSA_SIG_get0_s(sig.get()), out.data() + 32, 32) != 32) {
    return fail(crypto_error("writing the P1363 signature"));
  }
  return out;
}

Result<bool> verify_es256(std::span<const std::uint8_t> cert_der,
                          std::span<const std::uint8_t> data,
                          std::span<const std::uint8_t> signature) {
  ATELIER_TRY_ASSIGN(X509Ptr x, parse_der(cert_der));
  if (signature.size() != 64) return false;
  EcdsaSigPtr sig(ECDSA_SIG_new());
  BIGNUM* r = BN_bin2bn(signature.data(), 32, nullptr);
  BIGNUM* s = BN_bin2bn(signature.data() + 32, 32, nullptr);
  if (!sig || !r || !s || ECDSA_SIG_set0(sig.get(), r, s) != 1) {
    BN_free(r);
    BN_free(s);
    return fail(crypto_error("reading a signature"));
  }
  const int der_len = i2d_ECDSA_SIG(sig.get(), nullptr);
  Bytes der(static_cast<std::size_t>(der_len));
  unsigned char* p = der.data();
  i2d_ECDSA_SIG(sig.get(), &p);
  EVP_PKEY* pub = X509_get0_pubkey(x.get());
  MdCtxPtr ctx(EVP_MD_CTX_new());
  if (!pub || !ctx || EVP_DigestVerifyInit(ctx.get(), nullptr, EVP_sha256(), nullptr, pub) != 1) {
    ERR_clear_error();
    return false;
  }
  const int ok = EVP_DigestVerify(ctx.get(), der.data(), der.size(), data.data(), data.size());
  ERR_clear_error();
  return ok == 1;
}

Result<bool> certificate_valid_at(std::span<const std::uint8_t> der,
                                  std::chrono::system_clock::time_point at,
                                  std::chrono::seconds margin) {
  ATELIER_TRY_ASSIGN(X509Ptr x, parse_der(der));
  std::time_t early = std::chrono::system_clock::to_time_t(at + margin);
  std::time_t late = std::chrono::system_clock::to_time_t(at - margin);
  return X509_cmp_time(X509_get0_notBefore(x.get()), &early) <= 0 &&
         X509_cmp_time(X509_get0_notAfter(x.get()), &late) >= 0;
}

Result<void> verify_chain(const std::vector<Bytes>& chain, const std::vector<Bytes>& anchors,
                          std::chrono::system_clock::time_point at, ChainPurpose purpose) {
  if (chain.empty()) return fail(Error::invalid("c2pa_untrusted", "no signing certificate"));
  StorePtr store(X509_STORE_new());
  for (const auto& der : anchors) {
    ATELIER_TRY_ASSIGN(X509Ptr a, parse_der(der));
    X509_STORE_add_cert(store.get(), a.get());
  }
  ATELIER_TRY_ASSIGN(X509Ptr leaf, parse_der(chain.front()));
  X509StackPtr untrusted(sk_X509_new_null());
  for (std::size_t i = 1; i < chain.size(); ++i) {
    ATELIER_TRY_ASSIGN(X509Ptr c, parse_der(chain[i]));
    sk_X509_push(untrusted.get(), c.release());
  }
  StoreCtxPtr ctx(X509_STORE_CTX_new());
  if (!ctx || X509_STORE_CTX_init(ctx.get(), store.get(), leaf.get(), untrusted.get()) != 1) {
    return fail(crypto_error("preparing chain verification"));
  }
  X509_STORE_CTX_set_time(ctx.get(), 0, std::chrono::system_clock::to_time_t(at));
  const bool tsa = purpose == ChainPurpose::kTimeStamping;
  if (tsa && X509_STORE_CTX_set_purpose(ctx.get(), X509_PURPOSE_TIMESTAMP_SIGN) != 1) {
    return fail(crypto_error("setting the time-stamping purpose"));
  }
  if (X509_verify_cert(ctx.get()) != 1) {
    const int err = X509_STORE_CTX_get_error(ctx.get());
    ERR_clear_error();
    return fail(Error::invalid(
        "c2pa_untrusted",
        std::string(tsa ? "the time-stamp authority's certificate" : "the signing certificate") +
            " is not trusted: " + X509_verify_cert_error_string(err)));
  }
  return {};
}

}  // namespace atelier::c2pa
