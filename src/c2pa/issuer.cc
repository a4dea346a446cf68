// issuer.cc — signing renders' assets once and recording the signed files (see issuer.h).
#include "c2pa/issuer.h"

#include <algorithm>
#include <chrono>
#include <nlohmann/json.hpp>

#include "c2pa/cbor.h"
#include "c2pa/container.h"
#include "c2pa/manifest.h"
#include "core/merkle.h"
#include "core/version.h"

namespace atelier::c2pa {

using cbor::Value;

const char* digital_source_type_of_generator(const store::RenderRecord&) {
  return kAlgorithmicMedia;
}

namespace {

std::string title_of(const store::RenderRecord& r) { return r.generator_name + " " + r.token_hash; }

// The part of a recipe a variant changes.
struct Rendition {
  std::int64_t width = 0;
  std::int64_t height = 0;
  std::string format;
  std::int64_t quality = 0;

  std::string size() const { return std::to_string(width) + "x" + std::to_string(height); }
};

Rendition rendition_of(const store::RenderRecord& r) {
  Rendition out{r.width, r.height, r.format, 0};
  auto recipe = nlohmann::json::parse(r.recipe_json, nullptr, false);
  if (recipe.is_object() && recipe.contains("quality") && recipe["quality"].is_number_integer())
    out.quality = recipe["quality"].get<std::int64_t>();
  return out;
}

// What changed from the parent to the variant, as C2PA actions. A variant is its parent's
// recipe rendered again (the composition is resolution-independent), not the parent's pixels
// resampled or re-encoded, and each description says so.
std::vector<Action> variant_actions(const store::RenderRecord& parent,
                                    const store::RenderRecord& variant) {
  const Rendition p = rendition_of(parent), v = rendition_of(variant);
  std::vector<Action> out;
  if (p.width != v.width || p.height != v.height) {
    out.push_back({"c2pa.resized", "Rendered again from the parent's recipe at " + v.size() +
                                       " (the parent is " + p.size() +
                                       "); no pixels were resampled."});
  }
  if (p.format != v.format) {
    out.push_back({"c2pa.converted", "Encoded as " + v.format + " (the parent is " + p.format +
                                         ") from a new render of the parent's recipe."});
  } else if (p.quality != v.quality) {
    out.push_back({"c2pa.transcoded", "Encoded at quality " + std::to_string(v.quality) +
                                          " (the parent at " + std::to_string(p.quality) +
                                          ") from a new render of the parent's recipe."});
  }
  return out;
}

// Status codes once each, in order (a validation repeats assertion.hashedURI.match per
// assertion; without the URLs the repeats say nothing).
std::vector<std::string> unique_codes(const std::vector<std::string>& codes) {
  std::vector<std::string> out;
  for (const auto& c : codes) {
    if (std::find(out.begin(), out.end(), c) == out.end()) out.push_back(c);
  }
  return out;
}

std::string joined(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& i : items) out += (out.empty() ? "" : ", ") + i;
  return out;
}

}  // namespace

Issuer::Issuer(store::Store& store, store::BlobStore& blobs, provenance::Log& log,
               std::shared_ptr<const Signer> signer)
    : store_(store), blobs_(blobs), log_(log), signer_(std::move(signer)) {}

Result<std::optional<Issued>> Issuer::find(std::string_view asset_sha256,
                                           std::string_view parent_sha256) {
  ATELIER_TRY_ASSIGN(auto record, store_.asset_credential(asset_sha256, parent_sha256));
  if (!record) return std::nullopt;
  ATELIER_TRY_ASSIGN(auto bytes, blobs_.get(record->signed_sha256));
  return Issued{std::move(*record), std::move(bytes), false};
}

Result<cbor::Value> Issuer::atelier_assertion(const store::RenderRecord& render) {
  Value a = Value::map({{"recipe", render.recipe_json},
                        {"recipe_id", render.recipe_id},
                        {"generator", Value::map({{"name", render.generator_name},
                                                  {"bundle_sha256", render.generator_hash}})},
                        {"atelier_version", render.atelier_version}});
  // The render's entry: the first logged about its recipe.
  ATELIER_TRY_ASSIGN(auto indexes, store_.log_indexes("recipe:" + render.recipe_id));
  if (indexes.empty()) {
    return fail(Error::internal("c2pa_render_not_logged",
                                "render " + render.recipe_id + " has no log entry"));
  }
  const std::uint64_t index = indexes.front();
  ATELIER_TRY_ASSIGN(auto latest, store_.latest_checkpoint());
  if (!latest || latest->size <= index) ATELIER_TRY(store_.checkpoint_now());
  ATELIER_TRY_ASSIGN(provenance::EntryProof proof, log_.prove(index));
  if (proof.checkpoint.empty()) {
    return fail(Error::internal("c2pa_no_checkpoint", "no signed checkpoint covers log entry " +
                                                          std::to_string(index)));
  }
  std::vector<Value> path;
  for (const auto& h : proof.proof) path.emplace_back(provenance::hash_base64(h));
  a.set("log", Value::map({{"origin", log_.origin()},
                           {"index", Value::unsigned_int(index)},
                           {"entry", proof.entry},
                           {"leaf_hash", provenance::hash_base64(leaf_hash(proof.entry))},
                           {"tree_size", Value::unsigned_int(proof.tree_size)},
                           {"inclusion_proof", Value::array(std::move(path))},
                           {"checkpoint", proof.checkpoint}}));
  return a;
}

Result<Issued> Issuer::issue(const store::RenderRecord& render,
                             std::span<const std::uint8_t> asset_bytes) {
  ATELIER_TRY_ASSIGN(auto existing, find(render.asset_sha256));
  if (existing) return std::move(*existing);
  ManifestSpec spec;
  spec.title = title_of(render);
  spec.digital_source_type = digital_source_type_of_generator(render);
  ATELIER_TRY_ASSIGN(spec.atelier, atelier_assertion(render));
  // Recipe inputs (control images, …) are ingredients the render was made from.
  auto recipe = nlohmann::json::parse(render.recipe_json, nullptr, false);
  if (recipe.is_object() && recipe.contains("inputs") && recipe["inputs"].is_object()) {
    for (const auto& [name, sha] : recipe["inputs"].items()) {
      if (!sha.is_string()) continue;
      Ingredient in;
      in.title = name;
      in.relationship = "inputTo";
      auto digest = from_hex(sha.get<std::string>(), 32);
      if (!digest) continue;
      std::copy(digest->begin(), digest->end(), in.sha256.begin());
      if (auto bytes = blobs_.get(sha.get<std::string>()))
        in.format = std::string(sniff_mime(*bytes));
      spec.ingredients.push_back(std::move(in));
    }
  }
  return record(render, asset_bytes, spec, {});
}

Result<Issued> Issuer::issue_variant(const store::RenderRecord& variant,
                                     std::span<const std::uint8_t> variant_bytes,
                                     const store::RenderRecord& parent,
                                     std::span<const std::uint8_t> parent_file,
                                     const std::vector<Bytes>& anchors) {
  if (variant.asset_sha256 == parent.asset_sha256) {
    return fail(Error::internal("c2pa_variant_of_itself",
                                "asset " + parent.asset_sha256 + " is not a variant of itself"));
  }
  ATELIER_TRY_ASSIGN(auto existing, find(variant.asset_sha256, parent.asset_sha256));
  if (existing) return std::move(*existing);
  // The parent as served: its bytes' hash, and its Content Credentials with their validation.
  const std::string_view parent_mime = sniff_mime(parent_file);
  Ingredient in;
  in.title = title_of(parent);
  in.format = parent_mime;
  in.relationship = "parentOf";
  in.sha256 = sha256(parent_file);
  if (embeddable(parent_mime)) {
    ATELIER_TRY_ASSIGN(auto found, find_manifest(parent_mime, parent_file));
    if (found) {
      ATELIER_TRY_ASSIGN(Validation v, validate_asset(parent_file, parent_mime, anchors,
                                                      std::chrono::system_clock::now()));
      if (v.state == "Invalid") {
        return fail(Error::internal("c2pa_parent_invalid",
                                    "the Content Credentials of asset " + parent.asset_sha256 +
                                        " do not validate: " + joined(v.failures)));
      }
      in.manifest_store = std::move(found->store);
      in.manifest_successes = unique_codes(v.successes);
      in.manifest_failures = unique_codes(v.failures);
    }
  }
  const Rendition r = rendition_of(variant);
  ManifestSpec spec;
  spec.title = title_of(variant) + " (" + r.size() + " " + r.format + ")";
  ATELIER_TRY_ASSIGN(spec.atelier, atelier_assertion(variant));
  spec.atelier.set("variant_of", Value::map({{"asset_sha256", parent.asset_sha256},
                                             {"recipe_id", parent.recipe_id},
                                             {"file_sha256", to_hex(in.sha256)}}));
  spec.ingredients.push_back(std::move(in));
  spec.actions = variant_actions(parent, variant);
  return record(variant, variant_bytes, spec, parent.asset_sha256);
}

Result<Issued> Issuer::record(const store::RenderRecord& render,
                              std::span<const std::uint8_t> bytes, const ManifestSpec& spec,
                              std::string_view parent_sha256) {
  store::AssetCredentialRecord record;
  ATELIER_TRY_ASSIGN(auto signed_bytes,
                     sign_asset(bytes, sniff_mime(bytes), spec, *signer_, &record.manifest_label));
  ATELIER_TRY_ASSIGN(record.signed_sha256, blobs_.put(signed_bytes));
  record.asset_sha256 = render.asset_sha256;
  record.parent_sha256 = parent_sha256;
  record.created_ms = render.created_ms;
  ATELIER_TRY_ASSIGN(bool created, store_.put_asset_credential(record));
  if (!created) {  // Signed concurrently by another request: theirs is the record.
    ATELIER_TRY_ASSIGN(auto theirs, find(render.asset_sha256, parent_sha256));
    if (theirs) return std::move(*theirs);
  }
  return Issued{std::move(record), std::move(signed_bytes), true};
}

}  // namespace atelier::c2pa
