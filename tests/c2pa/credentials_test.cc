// The signing certificate: what create_local_ca makes, and what the C2PA profile refuses.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <cstdlib>
#include <fstream>

#include "c2pa/cose.h"
#include "c2pa_fixture.h"

namespace atelier::c2pa::testing {
namespace {

using Credentials = C2paTest;

TEST_F(Credentials, TheLocalCaMeetsTheProfileAndKeysArePrivate) {
  for (const char* f : {kRootKeyFile, kRootCertFile, kSignerKeyFile, kSignerCertFile}) {
    struct stat st {};
    ASSERT_EQ(::stat((dir_ / "keys" / f).c_str(), &st), 0) << f;
    EXPECT_EQ(st.st_mode & 0777, 0600u) << f;
  }
  ASSERT_EQ(signer_->chain().size(), 1u);  // leaf only: the root is not in x5chain
  EXPECT_TRUE(check_signing_certificate(signer_->chain().front(), now_));
  auto summary = summarize_certificate(signer_->chain().front());
  ASSERT_TRUE(summary);
  EXPECT_EQ(summary->organization, "atelier");
  EXPECT_TRUE(verify_chain(signer_->chain(), anchors_, now_));
  // A second call keeps what exists.
  auto before = read_root_pem(dir_ / "keys");
  ASSERT_TRUE(create_local_ca(dir_ / "keys", {}));
  EXPECT_EQ(*read_root_pem(dir_ / "keys"), *before);
}

TEST_F(Credentials, SignaturesAreP1363AndVerify) {
  const Bytes data = {1, 2, 3};
  auto sig = signer_->sign(data);
  ASSERT_TRUE(sig);
  EXPECT_EQ(sig->size(), 64u);
  EXPECT_TRUE(*verify_es256(signer_->chain().front(), data, *sig));
  Bytes other = data;
  other[0] ^= 1;
  EXPECT_FALSE(*verify_es256(signer_->chain().front(), other, *sig));
}

TEST_F(Credentials, AChainToAnotherRootIsUntrusted) {
  ASSERT_TRUE(create_local_ca(dir_ / "other", {}));
  auto other_root = certificates_from_pem(*read_root_pem(dir_ / "other"));
  auto r = verify_chain(signer_->chain(), *other_root, now_);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, "c2pa_untrusted");
  EXPECT_FALSE(verify_chain(signer_->chain(), {}, now_));
}

// Certificates made with the openssl CLI, each breaking one rule of the profile.
class Profile : public C2paTest {
 protected:
  // Signs a leaf for a fresh key with `ext` (an openssl extfile body) using the local root.
  std::filesystem::path make_leaf(const std::string& name, const std::string& ext,
                                  const std::string& subject = "/CN=leaf/O=atelier",
                                  int days = 30) {
    const auto d = dir_.string() + "/" + name;
    std::ofstream(d + ".ext") << ext;
    const std::string keys = (dir_ / "keys").string();
    const std::string cmd =
        "cd '" + dir_.string() + "' && openssl ecparam -name prime256v1 -genkey -noout -out '" + d +
        ".key' 2>/dev/null && openssl req -new -key '" + d + ".key' -subj '" + subject +
        "' -out '" + d + ".csr' 2>/dev/null && openssl x509 -req -in '" + d + ".csr' -CA '" + keys +
        "/" + kRootCertFile + "' -CAkey '" + keys + "/" + kRootKeyFile +
        "' -CAcreateserial -days " + std::to_string(days) + " -sha256 -extfile '" + d +
        ".ext' -out '" + d + ".pem' 2>/dev/null";
    EXPECT_EQ(std::system(cmd.c_str()), 0) << cmd;
    return d + ".pem";
  }
  Result<Signer> load(const std::filesystem::path& pem) {
    auto key = pem;
    key.replace_extension(".key");
    ::chmod(key.c_str(), 0600);
    return Signer::load(pem, key, later());
  }
  // openssl x509 -req makes certificates valid from the second it runs, after now_.
  std::chrono::system_clock::time_point later() const { return now_ + std::chrono::minutes(1); }
};

constexpr const char* kGood =
    "basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature\n"
    "extendedKeyUsage=1.3.6.1.4.1.62558.2.1,emailProtection\nsubjectKeyIdentifier=hash\n"
    "authorityKeyIdentifier=keyid\n";

TEST_F(Profile, AnOperatorsOwnConformingCertificateLoads) {
  auto s = load(make_leaf("good", kGood));
  ASSERT_TRUE(s) << s.error().to_string();
  EXPECT_TRUE(verify_chain(s->chain(), anchors_, later()));
}

TEST_F(Profile, EachBrokenRuleIsRefusedByName) {
  struct Case {
    const char* name;
    std::string ext;
    std::string subject;
    const char* why;
  };
  const std::string base = kGood;
  auto replace = [&](const std::string& from, const std::string& to) {
    std::string e = base;
    e.replace(e.find(from), from.size(), to);
    return e;
  };
  const std::vector<Case> cases = {
      {"ca", replace("CA:FALSE", "CA:TRUE"), "/CN=leaf/O=atelier", "CA"},
      {"noeku", replace("extendedKeyUsage=1.3.6.1.4.1.62558.2.1,emailProtection\n", ""),
       "/CN=leaf/O=atelier", "no ExtendedKeyUsage"},
      {"wrongeku", replace("1.3.6.1.4.1.62558.2.1,emailProtection", "serverAuth"),
       "/CN=leaf/O=atelier", "neither"},
      {"anyeku",
       replace("1.3.6.1.4.1.62558.2.1,emailProtection",
               "1.3.6.1.4.1.62558.2.1,anyExtendedKeyUsage"),
       "/CN=leaf/O=atelier", "anyExtendedKeyUsage"},
      {"noncrit", replace("keyUsage=critical,digitalSignature", "keyUsage=digitalSignature"),
       "/CN=leaf/O=atelier", "not critical"},
      {"noorg", base, "/CN=leaf", "Organization"},
      {"noski", replace("subjectKeyIdentifier=hash\n", "subjectKeyIdentifier=none\n"),
       "/CN=leaf/O=atelier", "SubjectKeyIdentifier"},
  };
  for (const auto& c : cases) {
    auto s = load(make_leaf(c.name, c.ext, c.subject));
    ASSERT_FALSE(s) << c.name;
    EXPECT_EQ(s.error().code, "c2pa_cert_profile") << c.name << ": " << s.error().message;
    EXPECT_NE(s.error().message.find(c.why), std::string::npos)
        << c.name << ": " << s.error().message;
  }
}

TEST_F(Profile, AnExpiredCertificateIsRefused) {
  const auto pem = make_leaf("expiring", kGood, "/CN=leaf/O=atelier", 1);
  auto key = pem;
  key.replace_extension(".key");
  auto later = Signer::load(pem, key, now_ + std::chrono::hours(24 * 3));
  ASSERT_FALSE(later);
  EXPECT_NE(later.error().message.find("expired"), std::string::npos);
}

TEST_F(Profile, AKeyThatIsNotTheCertificatesIsRefused) {
  const auto pem = make_leaf("mine", kGood);
  auto r = Signer::load(pem, dir_ / "keys" / kSignerKeyFile, later());
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, "c2pa_key_mismatch");
}

}  // namespace
}  // namespace atelier::c2pa::testing
