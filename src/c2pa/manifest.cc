// manifest.cc — building, signing and validating C2PA manifests (see manifest.h).
#include "c2pa/manifest.h"

#include <nlohmann/json.hpp>

#include <algorithm>

#include "c2pa/bmff.h"
#include "c2pa/container.h"
#include "c2pa/cose.h"
#include "c2pa/jumbf.h"
#include "core/random_id.h"
#include "core/version.h"

namespace atelier::c2pa {
namespace {

using cbor::Value;
using jumbf::Box;

constexpr const char* kActionsLabel = "c2pa.actions.v2";
constexpr const char* kDataHashLabel = "c2pa.hash.data";
constexpr const char* kBmffHashV2Label = "c2pa.hash.bmff.v2";  // deprecated; read, not written
constexpr const char* kIngredientLabel = "c2pa.ingredient.v3";
constexpr const char* kClaimLabel = "c2pa.claim.v2";
constexpr const char* kSignatureLabel = "c2pa.signature";
constexpr const char* kAssertionStoreLabel = "c2pa.assertions";
constexpr const char* kParentOf = "parentOf";
constexpr std::size_t kEmbedRoundsMax = 6;

std::string uuid_v4() {
  std::string h = random_hex(16);
  h[12] = '4';
  static constexpr char kVariant[] = "89ab";
  h[16] = kVariant[std::stoi(h.substr(16, 1), nullptr, 16) & 3];
  return h.substr(0, 8) + "-" + h.substr(8, 4) + "-" + h.substr(12, 4) + "-" + h.substr(16, 4) +
         "-" + h.substr(20);
}

Value generator_info() {
  return Value::map({{"name", "atelier"}, {"version", std::string(kVersion)}});
}

Box cbor_assertion(const std::string& label, const Value& content) {
  return Box::super(jumbf::kUuidCbor, label, {Box::content("cbor", cbor::encode(content))});
}

Value hashed_uri(const std::string& url, const Box& box) {
  const Bytes contents = box.contents();
  const Digest d = sha256(contents);
  return Value::map({{"url", url}, {"hash", Value::bytes(d)}});
}

Value data_hash(const ByteRange& exclusion, const Digest& hash) {
  return Value::map({{"exclusions", Value::array({Value::map(
                                        {{"start", Value::unsigned_int(exclusion.start)},
                                         {"length", Value::unsigned_int(exclusion.length)}})})},
                     {"name", "jumbf manifest"},
                     {"alg", "sha256"},
                     {"hash", Value::bytes(hash)},
                     {"pad", Value(Bytes{})}});
}

// SHA-256 of `file` less the ranges in `exclusions` (sorted, inside the file).
Result<Digest> hash_excluding(std::span<const std::uint8_t> file,
                              const std::vector<ByteRange>& exclusions) {
  Sha256 h;
  std::uint64_t p = 0;
  for (const auto& r : exclusions) {
    if (r.start < p || r.start > file.size() || r.length > file.size() - r.start) {
      return fail(Error::invalid("c2pa_exclusion_out_of_range",
                                 "a data-hash exclusion (start " + std::to_string(r.start) +
                                     ", length " + std::to_string(r.length) +
                                     ") falls outside the file or overlaps"));
    }
    h.update(file.subspan(static_cast<std::size_t>(p), static_cast<std::size_t>(r.start - p)));
    p = r.start + r.length;
  }
  h.update(file.subspan(static_cast<std::size_t>(p)));
  return h.finish();
}

// The one hard binding: c2pa.hash.bmff.v3 for BMFF files (it names the store's box by its
// uuid, so its content does not depend on where the box sits), c2pa.hash.data for the others.
Box hard_binding(std::string_view mime, const ByteRange& exclusion, const Digest& hash) {
  if (uses_bmff_hash(mime)) return cbor_assertion(bmff::kHashLabel, bmff::hash_assertion(hash));
  return cbor_assertion(kDataHashLabel, data_hash(exclusion, hash));
}

Result<Digest> hard_binding_hash(std::string_view mime, std::span<const std::uint8_t> file,
                                 const std::vector<ByteRange>& exclusions) {
  if (uses_bmff_hash(mime)) return bmff::hash(file, bmff::hash_assertion(Digest{}));
  return hash_excluding(file, exclusions);
}

struct Draft {
  std::string manifest_label;
  std::vector<Box> ingredient_manifests;  // copied from the ingredients' files, before ours
  std::vector<Box> assertions;            // the hard binding last
  Bytes claim;
  Bytes signature;

  Box store() const {
    std::vector<Box> manifests = ingredient_manifests;
    std::vector<Box> manifest_children;
    manifest_children.push_back(
        Box::super(jumbf::kUuidAssertionStore, kAssertionStoreLabel, assertions));
    manifest_children.push_back(
        Box::super(jumbf::kUuidClaim, kClaimLabel, {Box::content("cbor", claim)}));
    manifest_children.push_back(
        Box::super(jumbf::kUuidSignature, kSignatureLabel, {Box::content("cbor", signature)}));
    // The active manifest is the last one in the store.
    manifests.push_back(
        Box::super(jumbf::kUuidManifest, manifest_label, std::move(manifest_children)));
    return Box::super(jumbf::kUuidStore, "c2pa", std::move(manifests));
  }
};

Bytes claim_bytes(const std::string& instance_id, const std::string& title,
                  const std::vector<Box>& assertions) {
  std::vector<Value> created;
  for (const auto& a : assertions) {
    created.push_back(
        hashed_uri("self#jumbf=" + std::string(kAssertionStoreLabel) + "/" + a.label, a));
  }
  Value claim = Value::map({{"instanceID", instance_id},
                            {"claim_generator_info", generator_info()},
                            {"signature", "self#jumbf=" + std::string(kSignatureLabel)},
                            {"created_assertions", Value::array(std::move(created))},
                            {"alg", "sha256"}});
  if (!title.empty()) claim.set("dc:title", title);
  return cbor::encode(claim);
}

std::string ingredient_label(std::size_t i) {
  return i == 0 ? kIngredientLabel : std::string(kIngredientLabel) + "__" + std::to_string(i);
}

// An ingredient's manifests, to be copied into this store, its active one last: standard
// manifests with a claim and a signature that write back byte for byte (the claims' hashed
// URIs and the signatures cover those bytes).
Result<std::vector<Box>> ingredient_manifests(const Ingredient& in) {
  auto store = Box::parse(in.manifest_store);
  const bool ok = store && store->is_super() && store->uuid == jumbf::kUuidStore &&
                  !store->children.empty() &&
                  std::all_of(store->children.begin(), store->children.end(), [](const Box& m) {
                    return m.is_super() && m.uuid == jumbf::kUuidManifest && !m.label.empty() &&
                           m.child(kClaimLabel) && m.child(kSignatureLabel);
                  });
  if (!ok) {
    return fail(Error::invalid("c2pa_ingredient_manifest",
                               "ingredient " + in.title + " has no readable C2PA manifest store"));
  }
  for (const Box& m : store->children) {
    if (m.write_contents() != m.raw_contents) {
      return fail(Error::internal("c2pa_ingredient_manifest",
                                  "manifest " + m.label + " does not write back as read"));
    }
  }
  return std::move(store->children);
}

Value status_codes(const std::vector<std::string>& codes) {
  std::vector<Value> out;
  for (const auto& c : codes) out.push_back(Value::map({{"code", c}}));
  return Value::array(std::move(out));
}

// The ingredient assertion's map; with a manifest store, its manifests are appended to
// `manifests` and its active one referenced, with the results of validating it (C2PA 2.x
// requires validationResults beside activeManifest).
Result<Value> ingredient_map(const Ingredient& in, std::vector<Box>& manifests) {
  Value v = Value::map(
      {{"relationship", in.relationship}, {"instanceID", "sha256:" + to_hex(in.sha256)}});
  if (!in.title.empty()) v.set("dc:title", in.title);
  if (!in.format.empty()) v.set("dc:format", in.format);
  if (in.manifest_store.empty()) return v;
  ATELIER_TRY_ASSIGN(std::vector<Box> theirs, ingredient_manifests(in));
  const Box& m = theirs.back();
  const std::string url = "self#jumbf=/c2pa/" + m.label;
  v.set("activeManifest", hashed_uri(url, m));
  v.set("claimSignature", hashed_uri(url + "/" + kSignatureLabel, *m.child(kSignatureLabel)));
  v.set("validationResults",
        Value::map(
            {{"activeManifest", Value::map({{"success", status_codes(in.manifest_successes)},
                                            {"informational", status_codes({})},
                                            {"failure", status_codes(in.manifest_failures)}})}}));
  for (auto& b : theirs) manifests.push_back(std::move(b));
  return v;
}

// The actions: c2pa.created (with the ingredients it was made from), or c2pa.opened of the
// parentOf ingredient; then spec.actions, a transcode or repackage naming the parent too
// (C2PA 2.x: such an action's ingredient is the parent).
Value actions_assertion(const ManifestSpec& spec, const std::vector<Value>& inputs,
                        const std::optional<Value>& parent) {
  std::vector<Value> actions;
  if (parent) {
    actions.push_back(
        Value::map({{"action", "c2pa.opened"},
                    {"softwareAgent", generator_info()},
                    {"parameters", Value::map({{"ingredients", Value::array({*parent})}})}}));
  } else {
    Value created = Value::map({{"action", "c2pa.created"},
                                {"digitalSourceType", spec.digital_source_type},
                                {"softwareAgent", generator_info()}});
    if (!inputs.empty()) {
      created.set("parameters", Value::map({{"ingredients", Value::array(inputs)}}));
    }
    actions.push_back(std::move(created));
  }
  for (const auto& a : spec.actions) {
    Value v = Value::map({{"action", a.action}, {"softwareAgent", generator_info()}});
    if (!a.description.empty()) v.set("description", a.description);
    if (parent && (a.action == "c2pa.transcoded" || a.action == "c2pa.repackaged")) {
      v.set("parameters", Value::map({{"ingredients", Value::array({*parent})}}));
    }
    actions.push_back(std::move(v));
  }
  return Value::map({{"actions", Value::array(std::move(actions))}});
}

}  // namespace

Result<Bytes> sign_asset(std::span<const std::uint8_t> asset, std::string_view mime,
                         const ManifestSpec& spec, const Signer& signer,
                         std::string* manifest_label) {
  if (!embeddable(mime)) {
    return fail(Error::invalid("c2pa_format_unsupported",
                               "atelier cannot embed Content Credentials in " + std::string(mime)));
  }
  Draft d;
  d.manifest_label = "urn:c2pa:" + uuid_v4();
  const std::string instance_id = "xmp:iid:" + uuid_v4();

  std::vector<Box> ingredients;
  std::vector<Value> input_refs;
  std::optional<Value> parent_ref;
  for (std::size_t i = 0; i < spec.ingredients.size(); ++i) {
    const auto& in = spec.ingredients[i];
    ATELIER_TRY_ASSIGN(Value v, ingredient_map(in, d.ingredient_manifests));
    ingredients.push_back(cbor_assertion(ingredient_label(i), v));
    Value ref = hashed_uri(
        "self#jumbf=" + std::string(kAssertionStoreLabel) + "/" + ingredients.back().label,
        ingredients.back());
    if (in.relationship != kParentOf) {
      input_refs.push_back(std::move(ref));
    } else if (parent_ref) {
      return fail(Error::invalid("c2pa_multiple_parents", "a manifest has one parentOf at most"));
    } else {
      parent_ref = std::move(ref);
    }
  }
  d.assertions.push_back(
      cbor_assertion(kActionsLabel, actions_assertion(spec, input_refs, parent_ref)));
  if (spec.atelier.is_map())
    d.assertions.push_back(cbor_assertion(kAtelierAssertionLabel, spec.atelier));
  for (auto& b : ingredients) d.assertions.push_back(std::move(b));

  // Sizes first: the store's length decides the exclusion, which is inside the store. The
  // hash and signature have fixed sizes, so placeholders give the final length.
  ATELIER_TRY_ASSIGN(std::size_t signature_size, cose_signature_size(signer));
  d.signature.assign(signature_size, 0);
  ByteRange exclusion{0, 0};
  d.assertions.push_back(hard_binding(mime, exclusion, Digest{}));
  Embedded embedded;
  for (std::size_t round = 0;; ++round) {
    d.claim = claim_bytes(instance_id, spec.title, d.assertions);
    ATELIER_TRY_ASSIGN(embedded, embed_manifest(mime, asset, d.store().write()));
    if (embedded.exclusions.size() != 1) {
      return fail(Error::internal("c2pa_embed", "a store split into separate ranges"));
    }
    const ByteRange got = embedded.exclusions.front();
    if (got.start == exclusion.start && got.length == exclusion.length) break;
    if (round == kEmbedRoundsMax) {
      return fail(Error::internal("c2pa_embed", "the manifest size did not settle"));
    }
    exclusion = got;
    d.assertions.back() = hard_binding(mime, exclusion, Digest{});
  }
  ATELIER_TRY_ASSIGN(Digest hash, hard_binding_hash(mime, embedded.file, embedded.exclusions));
  d.assertions.back() = hard_binding(mime, exclusion, hash);
  d.claim = claim_bytes(instance_id, spec.title, d.assertions);
  ATELIER_TRY_ASSIGN(d.signature, cose_sign_claim(signer, d.claim, signature_size));
  const Bytes store = d.store().write();
  ATELIER_TRY_ASSIGN(Embedded final_file, embed_manifest(mime, asset, store));
  if (final_file.file.size() != embedded.file.size() ||
      final_file.exclusions.front().start != exclusion.start ||
      final_file.exclusions.front().length != exclusion.length) {
    return fail(Error::internal("c2pa_embed", "the signed manifest changed size"));
  }
  if (manifest_label) *manifest_label = d.manifest_label;
  return std::move(final_file.file);
}

// ---- validation -----------------------------------------------------------------------------

namespace {

struct Checker {
  Validation v;
  void failure(const std::string& code, const std::string& why) {
    v.failures.push_back(code);
    v.explanations.push_back(code + ": " + why);
  }
  void success(const std::string& code) { v.successes.push_back(code); }
};

// The assertion box a hashed URI in this manifest names, or nullptr.
const Box* resolve(const Box& manifest, const Box& store, std::string_view url) {
  constexpr std::string_view kSelf = "self#jumbf=";
  if (url.substr(0, kSelf.size()) != kSelf) return nullptr;
  std::string_view path = url.substr(kSelf.size());
  const Box* at = &manifest;
  if (!path.empty() && path.front() == '/') {  // absolute: /c2pa/<manifest>/...
    path.remove_prefix(1);
    at = &store;
    auto slash = path.find('/');
    if (path.substr(0, slash) != store.label) return nullptr;
    path = slash == std::string_view::npos ? std::string_view{} : path.substr(slash + 1);
    slash = path.find('/');
    at = store.child(path.substr(0, slash));
    if (!at) return nullptr;
    path = slash == std::string_view::npos ? std::string_view{} : path.substr(slash + 1);
  }
  while (!path.empty()) {
    const auto slash = path.find('/');
    at = at->child(path.substr(0, slash));
    if (!at) return nullptr;
    path = slash == std::string_view::npos ? std::string_view{} : path.substr(slash + 1);
  }
  return at;
}

std::string text_or(const Value* v, std::string fallback = {}) {
  return v && v->is_text() ? v->text() : fallback;
}

bool same_digest(const Digest& got, const Value* want) {
  return want && want->is_bytes() && want->bytes().size() == got.size() &&
         std::equal(got.begin(), got.end(), want->bytes().begin());
}

// An ingredient's hashed URI to a box elsewhere in the store (its manifest, its claim
// signature): `<code>.validated`, `.mismatch` or `.missing`. The box, or nullptr.
const Box* check_ingredient_uri(Checker& c, const Box& manifest, const Box& store, const Value& ref,
                                const std::string& code) {
  const std::string url = text_or(ref.find("url"));
  const Value* hash = ref.find("hash");
  const Box* box = resolve(manifest, store, url);
  if (!box || !hash || !hash->is_bytes()) {
    c.failure(code + ".missing", "an ingredient names " + url + ", which the store lacks");
    return nullptr;
  }
  if (!same_digest(sha256(box->contents()), hash)) {
    c.failure(code + ".mismatch", "the hash of " + url + " does not match its box");
    return box;
  }
  c.success(code + ".validated");
  return box;
}

void check_bmff_hash(Checker& c, std::span<const std::uint8_t> file, const Value& assertion) {
  auto got = bmff::hash(file, assertion);
  if (!got) {
    c.failure(got.error().code == "c2pa_bmff_hash_malformed" ? "assertion.bmffHash.malformed"
                                                             : "assertion.bmffHash.mismatch",
              got.error().message);
  } else if (!same_digest(*got, assertion.find("hash"))) {
    c.failure("assertion.bmffHash.mismatch", "the file's bytes do not match c2pa.hash.bmff");
  } else {
    c.success("assertion.bmffHash.match");
  }
}

}  // namespace

Result<Validation> validate_asset(std::span<const std::uint8_t> file, std::string_view mime,
                                  const std::vector<Bytes>& anchors,
                                  std::chrono::system_clock::time_point now) {
  Checker c;
  ATELIER_TRY_ASSIGN(auto found, find_manifest(mime, file));
  if (!found) {
    c.v.state = "";
    return c.v;
  }
  c.v.manifest_present = true;
  auto store = Box::parse(found->store);
  if (!store || store->uuid != jumbf::kUuidStore || store->children.empty()) {
    c.failure("claim.malformed",
              store ? "the store is not a c2pa superbox" : store.error().message);
    c.v.state = "Invalid";
    return c.v;
  }
  // The active manifest is the last one in the store.
  const Box& manifest = store->children.back();
  c.v.label = manifest.label;
  const Box* claim_box = manifest.child(kClaimLabel);
  const Box* claim_cbor = claim_box ? claim_box->content_child("cbor") : nullptr;
  const Box* sig_box = manifest.child(kSignatureLabel);
  const Box* sig_cbor = sig_box ? sig_box->content_child("cbor") : nullptr;
  if (!claim_cbor) {
    c.failure("claim.missing", "the manifest has no c2pa.claim.v2 box");
    c.v.state = "Invalid";
    return c.v;
  }
  auto claim = cbor::decode(claim_cbor->payload, "the claim");
  if (!claim || !claim->is_map()) {
    c.failure("claim.malformed", claim ? "the claim is not a map" : claim.error().message);
    c.v.state = "Invalid";
    return c.v;
  }
  c.v.title = text_or(claim->find("dc:title"));
  if (const Value* g = claim->find("claim_generator_info"); g && g->is_map()) {
    c.v.claim_generator = text_or(g->find("name")) + "/" + text_or(g->find("version"));
  }
  // The signature and the signer.
  if (!sig_cbor) {
    c.failure("claimSignature.missing", "the manifest has no c2pa.signature box");
  } else if (auto cose = parse_cose_sign1(sig_cbor->payload); !cose) {
    c.failure("claimSignature.mismatch", cose.error().message);
  } else {
    c.v.chain = cose->x5chain;
    if (auto s = summarize_certificate(cose->x5chain.front())) c.v.signer = *s;
    auto ok = cose_verify(*cose, claim_cbor->payload);
    if (!ok || !*ok) {
      c.failure("claimSignature.mismatch",
                ok ? "the signature does not match the claim" : ok.error().message);
    } else {
      c.success("claimSignature.validated");
      if (auto profile = check_signing_certificate(cose->x5chain.front(), now); !profile) {
        c.failure("signingCredential.invalid", profile.error().message);
      } else if (auto trusted = verify_chain(cose->x5chain, anchors, now); !trusted) {
        c.failure("signingCredential.untrusted", anchors.empty() ? "no trust anchor was given"
                                                                  : trusted.error().message);
      } else {
        c.success("signingCredential.trusted");
      }
    }
  }
  // The assertions the claim made, each against its hash.
  const Value* created = claim->find("created_assertions");
  std::size_t hard_bindings = 0;
  for (const Value& ref :
       created && created->is_array() ? created->items() : std::vector<Value>{}) {
    const std::string url = text_or(ref.find("url"));
    const Value* hash = ref.find("hash");
    const Box* box = resolve(manifest, *store, url);
    if (!box || !hash || !hash->is_bytes()) {
      c.failure("assertion.missing", "the claim names " + url + ", which the manifest lacks");
      continue;
    }
    const Digest d = sha256(box->contents());
    if (hash->bytes().size() != d.size() ||
        !std::equal(d.begin(), d.end(), hash->bytes().begin())) {
      c.failure("assertion.hashedURI.mismatch", "the hash of " + url + " does not match its box");
      continue;
    }
    c.success("assertion.hashedURI.match");
    c.v.assertion_labels.push_back(box->label);
    const Box* content = box->content_child("cbor");
    if (!content) continue;
    auto value = cbor::decode(content->payload, box->label);
    if (!value) {
      c.failure("assertion.cbor.invalid", value.error().message);
      continue;
    }
    const std::string base = box->label.substr(0, box->label.find("__"));
    if (base == kActionsLabel) {
      if (const Value* actions = value->find("actions"); actions && actions->is_array()) {
        for (const auto& a : actions->items()) {
          c.v.actions.push_back(text_or(a.find("action")));
          if (c.v.digital_source_type.empty())
            c.v.digital_source_type = text_or(a.find("digitalSourceType"));
        }
      }
    } else if (base == kAtelierAssertionLabel) {
      c.v.atelier = *value;
    } else if (base == kIngredientLabel) {
      Ingredient in;
      in.title = text_or(value->find("dc:title"));
      in.format = text_or(value->find("dc:format"));
      in.relationship = text_or(value->find("relationship"));
      const std::string id = text_or(value->find("instanceID"));
      if (id.starts_with("sha256:")) {
        if (auto b = from_hex(id.substr(7), 32)) std::copy(b->begin(), b->end(), in.sha256.begin());
      }
      // Its manifest, when it has one, is in this store: the references must match it.
      if (const Value* am = value->find("activeManifest")) {
        const Box* m = check_ingredient_uri(c, manifest, *store, *am, "ingredient.manifest");
        if (m) in.manifest_label = m->label;
        const Value* sig = value->find("claimSignature");
        if (!sig)
          c.failure("ingredient.claimSignature.missing", "no claimSignature beside it");
        else
          check_ingredient_uri(c, manifest, *store, *sig, "ingredient.claimSignature");
      }
      c.v.ingredients.push_back(std::move(in));
    } else if (base == bmff::kHashLabel || base == kBmffHashV2Label) {
      ++hard_bindings;
      check_bmff_hash(c, file, *value);
    } else if (base == kDataHashLabel) {
      ++hard_bindings;
      std::vector<ByteRange> exclusions;
      if (const Value* ex = value->find("exclusions"); ex && ex->is_array()) {
        for (const auto& e : ex->items()) {
          const Value* start = e.find("start");
          const Value* length = e.find("length");
          if (!start || !length || !start->is_unsigned() || !length->is_unsigned()) continue;
          exclusions.push_back({start->number(), length->number()});
        }
      }
      std::sort(exclusions.begin(), exclusions.end(),
                [](const ByteRange& a, const ByteRange& b) { return a.start < b.start; });
      const Value* want = value->find("hash");
      auto got = hash_excluding(file, exclusions);
      if (!got) {
        c.failure("assertion.dataHash.mismatch", got.error().message);
      } else if (!want || !want->is_bytes() || want->bytes().size() != got->size() ||
                 !std::equal(got->begin(), got->end(), want->bytes().begin())) {
        c.failure("assertion.dataHash.mismatch", "the file's bytes do not match c2pa.hash.data");
      } else {
        c.success("assertion.dataHash.match");
      }
    }
  }
  if (hard_bindings == 0) {
    c.failure("claim.hardBindings.missing",
              "the claim has no hard binding (c2pa.hash.data or c2pa.hash.bmff.v3)");
  } else if (hard_bindings > 1) {
    c.failure("assertion.multipleHardBindings",
              "the claim has " + std::to_string(hard_bindings) + " hard bindings");
  }
  const bool only_untrusted =
      std::all_of(c.v.failures.begin(), c.v.failures.end(),
                  [](const std::string& f) { return f == "signingCredential.untrusted"; });
  c.v.state = c.v.failures.empty() ? "Trusted" : only_untrusted ? "Valid" : "Invalid";
  return c.v;
}

namespace {

nlohmann::json to_json(const Value& v) {
  switch (v.type()) {
    case Value::Type::kUnsigned:
      return v.number();
    case Value::Type::kNegative: {
      std::int64_t n = 0;
      if (v.to_int64(&n)) return n;
      return "-" + std::to_string(v.number()) + "-1";
    }
    case Value::Type::kBytes:
      return to_hex(v.bytes());
    case Value::Type::kText:
      return v.text();
    case Value::Type::kArray: {
      auto a = nlohmann::json::array();
      for (const auto& i : v.items()) a.push_back(to_json(i));
      return a;
    }
    case Value::Type::kMap: {
      auto o = nlohmann::json::object();
      for (const auto& [k, val] : v.entries()) {
        o[k.is_text() ? k.text() : to_json(k).dump()] = to_json(val);
      }
      return o;
    }
    case Value::Type::kTag:
      return to_json(v.items().front());
    case Value::Type::kBool:
      return v.as_bool();
    case Value::Type::kFloat:
      return v.as_double();
    default:
      return nullptr;
  }
}

}  // namespace

std::string validation_json(const Validation& v) {
  nlohmann::json j;
  j["manifest_present"] = v.manifest_present;
  if (!v.manifest_present) return j.dump();
  j["validation_state"] = v.state;
  j["failures"] = v.failures;
  j["explanations"] = v.explanations;
  j["successes"] = v.successes;
  j["label"] = v.label;
  j["title"] = v.title;
  j["claim_generator"] = v.claim_generator;
  j["actions"] = v.actions;
  j["digital_source_type"] = v.digital_source_type;
  j["assertions"] = v.assertion_labels;
  if (v.signer) {
    j["signer"] = {{"subject", v.signer->subject},       {"issuer", v.signer->issuer},
                   {"organization", v.signer->organization}, {"not_before", v.signer->not_before},
                   {"not_after", v.signer->not_after}};
  }
  j["time_stamp"] = nullptr;
  if (v.atelier) j["atelier"] = to_json(*v.atelier);
  auto ingredients = nlohmann::json::array();
  for (const auto& in : v.ingredients) {
    ingredients.push_back({{"title", in.title},
                           {"format", in.format},
                           {"relationship", in.relationship},
                           {"sha256", to_hex(in.sha256)}});
    if (!in.manifest_label.empty()) ingredients.back()["active_manifest"] = in.manifest_label;
  }
  j["ingredients"] = ingredients;
  return j.dump();
}

}  // namespace atelier::c2pa
