// RFC 3161 time-stamps on claim signatures (issue 15 §2), against a real TSA on loopback
// (`openssl ts -reply`, loopback_tsa.h): the signature carries sigTst2; atelier and the C2PA
// reference reader (c2pa-rs) both validate and trust it; a trusted time-stamp keeps a
// credential valid after its signing certificate expired; a tampered token is a mismatch; a
// TSA that fails makes signing fail; without a TSA there is no time-stamp.
#include "c2pa/time_stamp.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <ctime>
#include <fstream>

#include "c2pa/cose.h"
#include "c2pa/manifest.h"
#include "c2pa_fixture.h"
#include "loopback_tsa.h"

namespace atelier::c2pa::testing {
namespace {

using std::chrono::hours;

bool contains(const Bytes& haystack, std::string_view needle) {
  return std::search(haystack.begin(), haystack.end(), needle.begin(), needle.end()) !=
         haystack.end();
}

bool has(const std::vector<std::string>& codes, const std::string& code) {
  return std::find(codes.begin(), codes.end(), code) != codes.end();
}

bool has(const nlohmann::json& codes, const std::string& code) {
  return codes.is_array() && std::find(codes.begin(), codes.end(), code) != codes.end();
}

// The reference reader's informational codes about the time-stamp (it always adds others,
// such as signingCredential.ocsp.skipped).
std::vector<std::string> time_stamp_notes(const nlohmann::json& codes) {
  std::vector<std::string> out;
  for (const auto& c : codes) {
    if (c.get<std::string>().starts_with("timeStamp.")) out.push_back(c);
  }
  return out;
}

std::string iso(std::chrono::system_clock::time_point t) {
  const std::time_t s = std::chrono::system_clock::to_time_t(t);
  std::tm tm{};
  gmtime_r(&s, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

// A time-stamper that delegates to another and claims a given size for the next token.
class EstimateOverride final : public TimeStamper {
 public:
  EstimateOverride(const TimeStamper& inner, std::size_t estimate)
      : inner_(inner), estimate_(estimate) {}
  Result<Bytes> stamp(std::span<const std::uint8_t> message) const override {
    return inner_.stamp(message);
  }
  std::size_t token_bytes_estimate() const override { return estimate_; }
  std::string name() const override { return inner_.name(); }

 private:
  const TimeStamper& inner_;
  std::size_t estimate_;
};

class TimeStamps : public C2paTest {
 protected:
  void SetUp() override {
    C2paTest::SetUp();
    bundle_ = dir_ / "anchors.pem";
    std::string error;
    tsa_ = LoopbackTsa::start(dir_ / "tsa", &error);
    if (!tsa_) GTEST_SKIP() << error;
    auto stamper = make_http_time_stamper({.url = tsa_->url()});
    ASSERT_TRUE(stamper) << stamper.error().to_string();
    stamper_ = *stamper;
    std::ifstream in(tsa_->root_pem());
    const std::string tsa_root((std::istreambuf_iterator<char>(in)), {});
    auto tsa_ders = certificates_from_pem(tsa_root);
    ASSERT_TRUE(tsa_ders && tsa_ders->size() == 1);
    anchors_with_tsa_ = anchors_;
    anchors_with_tsa_.push_back(tsa_ders->front());
    // The reference reader's anchors: atelier's root and the TSA's.
    std::ifstream root(dir_ / "keys" / kRootCertFile);
    std::ofstream(bundle_) << std::string((std::istreambuf_iterator<char>(root)), {}) << tsa_root;
  }

  ManifestSpec spec() const {
    ManifestSpec s;
    s.title = "token 7";
    s.digital_source_type = kAlgorithmicMedia;
    return s;
  }

  Result<Bytes> sign(const std::string& format, const TimeStamper* stamper) {
    return sign_asset(make_image(format, 48, 32), "image/" + format, spec(), *signer_, nullptr,
                      stamper);
  }

  // The reference reader's verdict, or null (and the test skipped) without node.
  nlohmann::json judge(const Bytes& file, const std::string& mime, const std::string& now = {}) {
    std::string skip;
    auto j = reference_read(file, mime, bundle_, &skip, now);
    if (!skip.empty()) return nullptr;
    EXPECT_FALSE(j.contains("error")) << j.dump();
    return j;
  }

  std::unique_ptr<LoopbackTsa> tsa_;
  std::shared_ptr<const TimeStamper> stamper_;
  std::vector<Bytes> anchors_with_tsa_;
  std::filesystem::path bundle_;  // under dir_, set in SetUp
};

class TimeStampFormats : public TimeStamps, public ::testing::WithParamInterface<const char*> {};

TEST_P(TimeStampFormats, TheSignatureCarriesATimeStampBothReadersTrust) {
  const std::string format = GetParam(), mime = "image/" + format;
  auto file = sign(format, stamper_.get());
  ASSERT_TRUE(file) << file.error().to_string();
  EXPECT_TRUE(contains(*file, "sigTst2"));
  EXPECT_TRUE(contains(*file, "tstTokens"));
  EXPECT_EQ(tsa_->requests(), 1);

  auto v = validate_asset(*file, mime, anchors_with_tsa_, now_);
  ASSERT_TRUE(v) << v.error().to_string();
  EXPECT_EQ(v->state, "Trusted") << validation_json(*v);
  EXPECT_TRUE(v->failures.empty()) << validation_json(*v);
  EXPECT_TRUE(v->informational.empty()) << validation_json(*v);
  EXPECT_TRUE(has(v->successes, "timeStamp.validated")) << validation_json(*v);
  EXPECT_TRUE(has(v->successes, "timeStamp.trusted")) << validation_json(*v);
  ASSERT_TRUE(v->time_stamp.has_value());
  EXPECT_TRUE(v->time_stamp->validated && v->time_stamp->trusted);
  EXPECT_NE(v->time_stamp->tsa.find("atelier test TSA"), std::string::npos) << v->time_stamp->tsa;
  EXPECT_EQ(v->time_stamp->policy, "1.2.3.4.1");
  // genTime is the signing moment (give or take the test's own duration).
  EXPECT_LE(std::abs(std::difftime(std::time(nullptr),
                                   [&] {
                                     std::tm tm{};
                                     strptime(v->time_stamp->time.c_str(), "%Y-%m-%dT%H:%M:%SZ",
                                              &tm);
                                     return timegm(&tm);
                                   }())),
            120.0)
      << v->time_stamp->time;
  const auto json = nlohmann::json::parse(validation_json(*v));
  EXPECT_EQ(json["time_stamp"]["time"], v->time_stamp->time);
  EXPECT_TRUE(json["time_stamp"]["trusted"].get<bool>());

  // Without the TSA's root the time-stamp is validated but not trusted: reported, and the
  // signer is judged now (still Trusted: its certificate is valid now).
  auto untrusted_tsa = validate_asset(*file, mime, anchors_, now_);
  ASSERT_TRUE(untrusted_tsa);
  EXPECT_EQ(untrusted_tsa->state, "Trusted");
  EXPECT_TRUE(has(untrusted_tsa->successes, "timeStamp.validated"));
  EXPECT_EQ(untrusted_tsa->informational, std::vector<std::string>{"timeStamp.untrusted"});

  auto ref = judge(*file, mime);
  if (ref.is_null()) GTEST_SKIP() << "the reference reader is not installed";
  EXPECT_EQ(ref["state"], "Trusted") << ref.dump(1);
  EXPECT_TRUE(ref["failures"].empty()) << ref.dump(1);
  EXPECT_TRUE(time_stamp_notes(ref["informational"]).empty()) << ref.dump(1);
  EXPECT_TRUE(has(ref["successes"], "timeStamp.validated")) << ref.dump(1);
  EXPECT_TRUE(has(ref["successes"], "timeStamp.trusted")) << ref.dump(1);
  EXPECT_FALSE(ref["time_stamp"].is_null()) << ref.dump(1);
}

INSTANTIATE_TEST_SUITE_P(Formats, TimeStampFormats,
                         ::testing::Values("png", "jpeg", "webp", "avif"));

TEST_F(TimeStamps, ATrustedTimeStampKeepsTheCredentialValidAfterTheSignerExpires) {
  const auto later = now_ + hours(24 * 900);  // the signer's 825 days are over
  auto stamped = sign("png", stamper_.get());
  auto plain = sign("png", nullptr);
  ASSERT_TRUE(stamped && plain);

  auto v = validate_asset(*stamped, "image/png", anchors_with_tsa_, later);
  ASSERT_TRUE(v);
  EXPECT_EQ(v->state, "Trusted") << validation_json(*v);
  EXPECT_TRUE(has(v->successes, "signingCredential.trusted")) << validation_json(*v);
  auto expired = validate_asset(*plain, "image/png", anchors_with_tsa_, later);
  ASSERT_TRUE(expired);
  EXPECT_EQ(expired->state, "Invalid");
  EXPECT_TRUE(has(expired->failures, "signingCredential.expired")) << validation_json(*expired);
  // A time-stamp the validator does not trust does not vouch for the time either.
  auto untrusted_tsa = validate_asset(*stamped, "image/png", anchors_, later);
  ASSERT_TRUE(untrusted_tsa);
  EXPECT_TRUE(has(untrusted_tsa->failures, "signingCredential.expired"));

  auto ref = judge(*stamped, "image/png", iso(later));
  if (ref.is_null()) GTEST_SKIP() << "the reference reader is not installed";
  EXPECT_EQ(ref["state"], "Trusted") << ref.dump(1);
  EXPECT_TRUE(ref["failures"].empty()) << ref.dump(1);
  auto ref_plain = judge(*plain, "image/png", iso(later));
  EXPECT_EQ(ref_plain["state"], "Invalid") << ref_plain.dump(1);
  EXPECT_TRUE(has(ref_plain["failures"], "signingCredential.expired")) << ref_plain.dump(1);
}

TEST_F(TimeStamps, ATamperedTokenIsAMismatchAndVouchesForNothing) {
  auto file = sign("png", stamper_.get());
  ASSERT_TRUE(file);
  auto v = validate_asset(*file, "image/png", anchors_with_tsa_, now_);
  ASSERT_TRUE(v && v->time_stamp);
  // genTime inside the TSTInfo, "YYYYMMDDhhmmss": one digit of the year changes (the claim
  // signature does not cover the unprotected header, so only the time-stamp breaks).
  std::string gen_time = v->time_stamp->time;
  gen_time.erase(std::remove_if(gen_time.begin(), gen_time.end(),
                                [](char ch) { return ch == '-' || ch == ':' || ch == 'T'; }),
                 gen_time.end());
  gen_time.pop_back();  // 'Z'
  Bytes tampered = *file;
  auto at = std::search(tampered.begin(), tampered.end(), gen_time.begin(), gen_time.end());
  ASSERT_NE(at, tampered.end()) << gen_time;
  at[3] = at[3] == '9' ? '8' : static_cast<std::uint8_t>(at[3] + 1);

  auto t = validate_asset(tampered, "image/png", anchors_with_tsa_, now_);
  ASSERT_TRUE(t);
  EXPECT_EQ(t->informational, std::vector<std::string>{"timeStamp.mismatch"})
      << validation_json(*t);
  EXPECT_EQ(t->state, "Trusted") << "the signer is still valid now";
  ASSERT_TRUE(t->time_stamp.has_value());
  EXPECT_FALSE(t->time_stamp->validated);
  // Once the signer has expired, the broken time-stamp cannot save it.
  auto later = validate_asset(tampered, "image/png", anchors_with_tsa_, now_ + hours(24 * 900));
  ASSERT_TRUE(later);
  EXPECT_TRUE(has(later->failures, "signingCredential.expired")) << validation_json(*later);

  auto ref = judge(tampered, "image/png");
  if (ref.is_null()) GTEST_SKIP() << "the reference reader is not installed";
  EXPECT_EQ(time_stamp_notes(ref["informational"]), std::vector<std::string>{"timeStamp.mismatch"})
      << ref.dump(1);
  EXPECT_FALSE(has(ref["successes"], "timeStamp.validated")) << ref.dump(1);
  EXPECT_TRUE(ref["failures"].empty()) << ref.dump(1);
}

TEST_F(TimeStamps, WithoutATsaThereIsNoTimeStamp) {
  auto file = sign("png", nullptr);
  ASSERT_TRUE(file);
  EXPECT_FALSE(contains(*file, "sigTst"));
  auto v = validate_asset(*file, "image/png", anchors_with_tsa_, now_);
  ASSERT_TRUE(v);
  EXPECT_EQ(v->state, "Trusted");
  EXPECT_FALSE(v->time_stamp.has_value());
  EXPECT_TRUE(nlohmann::json::parse(validation_json(*v))["time_stamp"].is_null());
  EXPECT_EQ(tsa_->requests(), 0);
}

TEST_F(TimeStamps, AnUnreachableTsaFailsSigningAndNamesIt) {
  auto dead = make_http_time_stamper({.url = "http://127.0.0.1:1/tsr", .timeout_ms = 2'000});
  ASSERT_TRUE(dead);
  auto file = sign("png", dead->get());
  ASSERT_FALSE(file);
  EXPECT_EQ(file.error().code, "c2pa_tsa_unreachable");
  EXPECT_NE(file.error().message.find("http://127.0.0.1:1/tsr"), std::string::npos)
      << file.error().message;
}

TEST_F(TimeStamps, ATsaThatMisbehavesFailsSigning) {
  struct Case {
    LoopbackTsa::Mode mode;
    const char* code;
    const char* says;
  };
  for (const Case& c : {
           Case{LoopbackTsa::Mode::kHttpError, "c2pa_tsa_response", "HTTP 500"},
           Case{LoopbackTsa::Mode::kGarbage, "c2pa_tsa_response", "not a DER TimeStampResp"},
           Case{LoopbackTsa::Mode::kWrongReply, "c2pa_tsa_response", "does not fit the request"},
       }) {
    tsa_->set_mode(c.mode);
    auto file = sign("png", stamper_.get());
    ASSERT_FALSE(file) << c.says;
    EXPECT_EQ(file.error().code, c.code) << file.error().message;
    EXPECT_NE(file.error().message.find(c.says), std::string::npos) << file.error().message;
    EXPECT_NE(file.error().message.find(tsa_->url()), std::string::npos) << file.error().message;
  }
  // Bounded: a TSA whose answer is too long, and one that never answers.
  tsa_->set_mode(LoopbackTsa::Mode::kGrant);
  auto small = make_http_time_stamper({.url = tsa_->url(), .response_bytes_max = 100});
  ASSERT_TRUE(small);
  auto file = sign("png", small->get());
  ASSERT_FALSE(file);
  EXPECT_EQ(file.error().code, "c2pa_tsa_unreachable");
  EXPECT_NE(file.error().message.find("larger than 100 bytes"), std::string::npos)
      << file.error().message;
  tsa_->set_mode(LoopbackTsa::Mode::kSilent);
  auto slow = make_http_time_stamper({.url = tsa_->url(), .timeout_ms = 300});
  ASSERT_TRUE(slow);
  const auto t0 = std::chrono::steady_clock::now();
  file = sign("png", slow->get());
  ASSERT_FALSE(file);
  EXPECT_EQ(file.error().code, "c2pa_tsa_unreachable");
  EXPECT_NE(file.error().message.find("within 300 ms"), std::string::npos) << file.error().message;
  EXPECT_LT(std::chrono::steady_clock::now() - t0, std::chrono::seconds(5));
}

TEST_F(TimeStamps, AWrongRoomEstimateCostsOneMoreRoundAndStillValidates) {
  for (std::size_t estimate : {std::size_t{0}, std::size_t{20'000}}) {
    const int before = tsa_->requests();
    EstimateOverride stamper(*stamper_, estimate);
    auto file = sign("png", &stamper);
    ASSERT_TRUE(file) << file.error().to_string();
    EXPECT_EQ(tsa_->requests() - before, estimate == 0 ? 2 : 1);
    auto v = validate_asset(*file, "image/png", anchors_with_tsa_, now_);
    ASSERT_TRUE(v);
    EXPECT_EQ(v->state, "Trusted") << validation_json(*v);
    EXPECT_TRUE(has(v->successes, "timeStamp.trusted")) << validation_json(*v);
  }
}

TEST(TimeStampUrl, OnlyPlainHttpUrlsAreAccepted) {
  for (const char* bad : {"https://tsa.example/", "ftp://tsa.example/", "http://", "tsa.example",
                          "http://user@tsa.example/", "http://tsa.example:0/",
                          "http://tsa.example:65536/", "http://tsa.example:/", "http://[::1/"}) {
    auto s = make_http_time_stamper({.url = bad});
    ASSERT_FALSE(s) << bad;
    EXPECT_EQ(s.error().code, "c2pa_tsa_url") << bad;
    EXPECT_EQ(s.error().field, "c2pa_tsa") << bad;
  }
  for (const char* good : {"http://127.0.0.1:8080/tsr", "http://tsa.example", "HTTP://[::1]:80/",
                           "http://tsa.example?x=1"}) {
    EXPECT_TRUE(make_http_time_stamper({.url = good})) << good;
  }
}

// A signature box of any size from the unpadded one up can be filled exactly, except 1 to 4
// bytes more (less than the smallest pad entry).
TEST(CosePadding, EverySizeFromTheSignatureUpIsReachable) {
  CoseSign1 cose;
  cose.protected_bytes = Bytes(150, 0xa1);
  cose.signature = Bytes(64, 7);
  cose.unprotected = cbor::Value::map(
      {{kCoseHeaderSigTst2,
        cbor::Value::map({{"tstTokens", cbor::Value::array({cbor::Value::map(
                                            {{"val", cbor::Value(Bytes(1200, 3))}})})}})}});
  auto base = cose_encode(cose);
  ASSERT_TRUE(base);
  std::vector<std::size_t> extras;
  for (std::size_t e = 0; e < 600; ++e) extras.push_back(e);
  for (std::size_t e = 65'500; e < 65'600; ++e) extras.push_back(e);  // 3- to 5-byte heads
  for (std::size_t extra : extras) {
    auto out = cose_encode(cose, base->size() + extra);
    if (extra >= 1 && extra <= 4) {
      EXPECT_FALSE(out) << extra;
      continue;
    }
    ASSERT_TRUE(out) << extra << ": " << out.error().message;
    EXPECT_EQ(out->size(), base->size() + extra);
    auto back = cbor::decode(*out, "the padded signature");
    ASSERT_TRUE(back) << extra;
    EXPECT_EQ(back->items().front().items()[1].find(kCoseHeaderSigTst2) != nullptr, true);
  }
  EXPECT_FALSE(cose_encode(cose, base->size() - 1));
}

}  // namespace
}  // namespace atelier::c2pa::testing
