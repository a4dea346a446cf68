// issuer.cc — signing renders' assets once and recording the signed files (see issuer.h).
#include "c2pa/issuer.h"

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

Issuer::Issuer(store::Store& store, store::BlobStore& blobs, provenance::Log& log,
               std::shared_ptr<const Signer> signer,
               std::shared_ptr<const TimeStamper> time_stamper)
    : store_(store),
      blobs_(blobs),
      log_(log),
      signer_(std::move(signer)),
      time_stamper_(std::move(time_stamper)) {}

Result<std::optional<Issued>> Issuer::find(std::string_view asset_sha256) {
  ATELIER_TRY_ASSIGN(auto record, store_.asset_credential(asset_sha256));
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
  const std::string_view mime = sniff_mime(asset_bytes);
  ManifestSpec spec;
  spec.title = render.generator_name + " " + render.token_hash;
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
  store::AssetCredentialRecord record;
  ATELIER_TRY_ASSIGN(auto signed_bytes, sign_asset(asset_bytes, mime, spec, *signer_,
                                                   &record.manifest_label, time_stamper_.get()));
  ATELIER_TRY_ASSIGN(record.signed_sha256, blobs_.put(signed_bytes));
  record.asset_sha256 = render.asset_sha256;
  record.created_ms = render.created_ms;
  ATELIER_TRY_ASSIGN(bool created, store_.put_asset_credential(record));
  if (!created) {  // Signed concurrently by another request: theirs is the record.
    ATELIER_TRY_ASSIGN(auto theirs, find(render.asset_sha256));
    if (theirs) return std::move(*theirs);
  }
  return Issued{std::move(record), std::move(signed_bytes), true};
}

}  // namespace atelier::c2pa
