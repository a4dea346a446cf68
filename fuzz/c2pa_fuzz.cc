// libFuzzer target: every reader of Content Credentials that faces outside bytes (issue 15 §6)
// — CBOR, JUMBF boxes, COSE_Sign1, X.509 certificates, the PNG/JPEG/WebP/AVIF containers
// (the BMFF box walk, `iloc` relocation, the BMFF hash and its exclusions) and the whole
// validator. Build with `make fuzz`; saved inputs in fuzz/corpus/c2pa (real signed
// files among them) are replayed by tests/fuzz on every test run.
//
// Invariants beyond "no crash, no out-of-bounds read": a CBOR value's deterministic encoding
// reads back to the same encoding; a JUMBF box written out parses to the same bytes;
// a manifest found in a file can be stripped, and the stripped file has none; a BMFF file that
// takes a manifest gives itself back when it is stripped again.
#include <algorithm>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <span>
#include <vector>

#include "c2pa/bmff.h"
#include "c2pa/cbor.h"
#include "c2pa/container.h"
#include "c2pa/cose.h"
#include "c2pa/credentials.h"
#include "c2pa/jumbf.h"
#include "c2pa/manifest.h"

namespace {

void check(bool ok) {
  if (!ok) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace atelier::c2pa;
  const std::span<const std::uint8_t> in(data, size);
  if (auto v = cbor::decode(in, "fuzz")) {
    // As an assertion's content, over an empty-but-valid BMFF file: the exclusion parser.
    static constexpr std::uint8_t kMinimalBmff[] = {0, 0, 0, 8, 'f', 't', 'y', 'p',
                                                    0, 0, 0, 8, 'm', 'd', 'a', 't'};
    (void)bmff::hash(kMinimalBmff, *v);
    // The deterministic encoding is a fixed point (NaN payloads become the one canonical NaN,
    // so the value itself need not come back bit for bit).
    const auto bytes = cbor::encode(*v);
    const auto again = cbor::decode(bytes, "fuzz");
    check(again.has_value() && cbor::encode(*again) == bytes);
  }
  if (auto box = jumbf::Box::parse(in)) {
    const auto written = box->write();
    auto back = jumbf::Box::parse(written);
    check(back.has_value() && back->write() == written);
    (void)box->contents();
  }
  if (auto cose = parse_cose_sign1(in)) {
    (void)cose_verify(*cose, in);
    for (const auto& der : cose->x5chain) (void)summarize_certificate(der);
  }
  (void)summarize_certificate(in);
  (void)check_signing_certificate(in, std::chrono::system_clock::time_point{});
  (void)bmff::hash(in, bmff::hash_assertion(atelier::Digest{}));
  if (auto embedded = embed_manifest("image/avif", in, std::vector<std::uint8_t>(40, 0))) {
    auto back = strip_manifest("image/avif", embedded->file);
    check(back.has_value() && std::equal(back->begin(), back->end(), in.begin(), in.end()));
  }
  for (const char* mime : {"image/png", "image/jpeg", "image/webp", "image/avif"}) {
    auto found = find_manifest(mime, in);
    if (!found || !*found) continue;
    (void)jumbf::Box::parse((*found)->store);
    auto stripped = strip_manifest(mime, in);
    if (stripped) {
      auto none = find_manifest(mime, *stripped);
      check(!none || !*none);
    }
    (void)validate_asset(in, mime, {}, std::chrono::system_clock::now());
  }
  return 0;
}
