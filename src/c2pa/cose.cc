// cose.cc — COSE_Sign1 signing and reading for C2PA claims (see cose.h).
#include "c2pa/cose.h"

#include "c2pa/time_stamp.h"

namespace atelier::c2pa {
namespace {

using cbor::Value;

Error malformed(const std::string& why) {
  return Error::invalid("c2pa_cose_malformed", "the claim signature (COSE_Sign1) " + why);
}

Value protected_header(const Signer& signer) {
  Value chain;
  if (signer.chain().size() == 1) {
    chain = Value(signer.chain().front());
  } else {
    std::vector<Value> certs;
    for (const auto& der : signer.chain()) certs.emplace_back(der);
    chain = Value::array(std::move(certs));
  }
  return Value::map({{Value::integer(kCoseHeaderAlg), Value::integer(kCoseAlgEs256)},
                     {Value::integer(kCoseHeaderX5chain), std::move(chain)}});
}

Bytes assemble(const CoseSign1& cose, Value unprotected) {
  return cbor::encode(
      Value::tag(kCoseSign1Tag, Value::array({Value(cose.protected_bytes), std::move(unprotected),
                                              Value::null(), Value(cose.signature)})));
}

// The CBOR head size of a byte string of `n` bytes.
std::size_t bstr_head(std::size_t n) {
  if (n < 24) return 1;
  if (n < 256) return 2;
  if (n < 65536) return 3;
  return 5;
}

// The number of zeros a pad entry with key `key` needs to take `bytes` bytes (key, head,
// zeros), if some number does.
std::optional<std::size_t> pad_zeros(std::size_t bytes, std::size_t key_bytes) {
  for (std::size_t head : {1u, 2u, 3u, 5u}) {
    if (bytes < key_bytes + head) continue;
    const std::size_t n = bytes - key_bytes - head;
    if (bstr_head(n) == head) return n;
  }
  return std::nullopt;
}

}  // namespace

Bytes cose_to_be_signed(std::span<const std::uint8_t> protected_bytes,
                        std::span<const std::uint8_t> payload) {
  return cbor::encode(Value::array({Value("Signature1"), Value::bytes(protected_bytes),
                                    Value(Bytes{}), Value::bytes(payload)}));
}

Bytes cose_time_stamp_payload(std::span<const std::uint8_t> protected_bytes,
                              std::span<const std::uint8_t> signature) {
  return cbor::encode(Value::array({Value("CounterSignature"), Value::bytes(protected_bytes),
                                    Value(Bytes{}), Value(cbor::encode(Value::bytes(signature)))}));
}

Result<CoseSign1> cose_sign(const Signer& signer, std::span<const std::uint8_t> claim,
                            const TimeStamper* time_stamper) {
  CoseSign1 cose;
  cose.protected_bytes = cbor::encode(protected_header(signer));
  cose.alg = kCoseAlgEs256;
  cose.x5chain = signer.chain();
  ATELIER_TRY_ASSIGN(cose.signature, signer.sign(cose_to_be_signed(cose.protected_bytes, claim)));
  cose.unprotected = Value::map();
  if (time_stamper) {
    // v2 (C2PA 2.x): sign first, then time-stamp the signature, so the token countersigns it.
    ATELIER_TRY_ASSIGN(Bytes token, time_stamper->stamp(cose_time_stamp_payload(
                                        cose.protected_bytes, cose.signature)));
    cose.unprotected.set(
        kCoseHeaderSigTst2,
        Value::map(
            {{"tstTokens", Value::array({Value::map({{"val", Value(std::move(token))}})})}}));
  }
  return cose;
}

Result<Bytes> cose_encode(const CoseSign1& cose, std::optional<std::size_t> size) {
  Bytes out = assemble(cose, cose.unprotected);
  if (!size || out.size() == *size) return out;
  if (out.size() < *size) {
    const std::size_t extra = *size - out.size();
    constexpr std::size_t kPadKey = 4, kPad2Key = 5;  // "pad", "pad2" as CBOR text
    auto padded = [&](std::size_t pad, std::optional<std::size_t> pad2) {
      Value unprotected = cose.unprotected;
      unprotected.set("pad", Value(Bytes(pad)));
      if (pad2) unprotected.set("pad2", Value(Bytes(*pad2)));
      return assemble(cose, std::move(unprotected));
    };
    // One entry; where the byte-string heads leave a gap, a short `pad` and `pad2` the rest
    // (as c2pa-rs does).
    if (auto n = pad_zeros(extra, kPadKey)) {
      out = padded(*n, std::nullopt);
      if (out.size() == *size) return out;
    }
    for (std::size_t first = 0; first < 24 && kPadKey + 1 + first < extra; ++first) {
      auto n = pad_zeros(extra - (kPadKey + 1 + first), kPad2Key);
      if (!n) continue;
      out = padded(first, *n);
      if (out.size() == *size) return out;
    }
  }
  return fail(Error::internal("c2pa_signature_size",
                              "the claim signature needs " + std::to_string(out.size()) +
                                  " bytes; " + std::to_string(*size) + " were reserved"));
}

Result<std::size_t> cose_signature_size(const Signer& signer) {
  CoseSign1 cose;
  cose.protected_bytes = cbor::encode(protected_header(signer));
  cose.signature = Bytes(64);
  return assemble(cose, Value::map()).size();
}

Result<Bytes> cose_sign_claim(const Signer& signer, std::span<const std::uint8_t> claim,
                              std::optional<std::size_t> size) {
  ATELIER_TRY_ASSIGN(CoseSign1 cose, cose_sign(signer, claim));
  return cose_encode(cose, size);
}

Result<CoseSign1> parse_cose_sign1(std::span<const std::uint8_t> bytes) {
  auto decoded = cbor::decode(bytes, "the claim signature");
  if (!decoded) return fail(malformed("is not CBOR: " + decoded.error().message));
  const Value* v = &*decoded;
  if (v->type() == Value::Type::kTag) {
    if (v->number() != kCoseSign1Tag)
      return fail(malformed("has tag " + std::to_string(v->number())));
    v = &v->items().front();
  }
  if (!v->is_array() || v->items().size() != 4) return fail(malformed("is not a 4-item array"));
  const auto& items = v->items();
  if (!items[0].is_bytes()) return fail(malformed("protected header is not a byte string"));
  if (!items[1].is_map()) return fail(malformed("unprotected header is not a map"));
  if (items[2].type() != Value::Type::kNull) {
    return fail(malformed("carries its payload (C2PA detaches it)"));
  }
  if (!items[3].is_bytes()) return fail(malformed("signature is not a byte string"));
  CoseSign1 out;
  out.protected_bytes = items[0].bytes();
  out.unprotected = items[1];
  out.signature = items[3].bytes();
  auto header = cbor::decode(out.protected_bytes, "the protected header");
  if (!header || !header->is_map()) return fail(malformed("protected header is not a CBOR map"));
  const Value* alg = header->find_int(kCoseHeaderAlg);
  if (!alg || !alg->to_int64(&out.alg)) return fail(malformed("names no algorithm"));
  // x5chain belongs in the protected header; older writers put it in the unprotected one.
  const Value* chain = header->find_int(kCoseHeaderX5chain);
  if (!chain) chain = out.unprotected.find_int(kCoseHeaderX5chain);
  if (!chain) return fail(malformed("has no x5chain"));
  if (chain->is_bytes()) {
    out.x5chain.push_back(chain->bytes());
  } else if (chain->is_array() && !chain->items().empty()) {
    for (const auto& c : chain->items()) {
      if (!c.is_bytes()) return fail(malformed("x5chain holds a non-bytes entry"));
      out.x5chain.push_back(c.bytes());
    }
  } else {
    return fail(malformed("x5chain is neither a certificate nor an array of them"));
  }
  return out;
}

Result<bool> cose_verify(const CoseSign1& cose, std::span<const std::uint8_t> claim) {
  if (cose.alg != kCoseAlgEs256) {
    return fail(Error::invalid("c2pa_unsupported_alg", "the claim is signed with COSE algorithm " +
                                                           std::to_string(cose.alg) +
                                                           "; atelier verifies ES256 (-7)"));
  }
  return verify_es256(cose.x5chain.front(), cose_to_be_signed(cose.protected_bytes, claim),
                      cose.signature);
}

}  // namespace atelier::c2pa
