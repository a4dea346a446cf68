// manifest.h — signing an asset with a C2PA 2.x manifest, and validating one (issue 15).
//
// The store written: a `c2pa` superbox holding one manifest `urn:c2pa:<uuid>` with
//   c2pa.assertions   c2pa.actions.v2 (c2pa.created, the IPTC digitalSourceType, atelier as
//                     softwareAgent), the atelier assertion (recipe and log entry), one
//                     c2pa.ingredient.v3 per recipe input, and the one hard binding:
//                     c2pa.hash.data (SHA-256 of the file less the store's bytes), or for
//                     AVIF c2pa.hash.bmff.v3 (bmff.h: the boxes less the C2PA box, each
//                     with its offset);
//   c2pa.claim.v2     instanceID, claim_generator_info, signature, created_assertions (hashed
//                     URIs: SHA-256 of each assertion box's contents), alg;
//   c2pa.signature    COSE_Sign1 over the claim (cose.h).
//
// A derivative (a variant of an asset) has a `parentOf` ingredient instead: its first action is
// then c2pa.opened of that ingredient (C2PA 2.x: an asset made from a parent opens it; only an
// asset made from nothing is created), followed by what changed (ManifestSpec::actions). When
// the parent has manifests of its own, they are copied into the store, before the new one,
// and the ingredient references the parent's active manifest (activeManifest, claimSignature)
// with the result of validating it (validationResults).
//
// Because the hard binding leaves out exactly the inserted bytes (and, in AVIF, the `iloc`
// offsets the insertion moved are moved back), stripping the manifest gives back the unsigned
// file byte for byte: the render stays a pure function of its recipe.
//
//   ManifestSpec spec{.title = "token 7", .digital_source_type = kAlgorithmicMedia, ...};
//   Result<Bytes> signed_png = sign_asset(png, "image/png", spec, signer, now);
//   Result<Validation> v = validate_asset(*signed_png, "image/png", anchors, now);
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "c2pa/cbor.h"
#include "c2pa/credentials.h"
#include "core/error.h"
#include "core/hash.h"

namespace atelier::c2pa {

inline constexpr const char* kAlgorithmicMedia =
    "http://cv.iptc.org/newscodes/digitalsourcetype/algorithmicMedia";
inline constexpr const char* kTrainedAlgorithmicMedia =
    "http://cv.iptc.org/newscodes/digitalsourcetype/trainedAlgorithmicMedia";
// The label of atelier's own assertion (C2PA: entity-specific labels in reverse-domain form).
inline constexpr const char* kAtelierAssertionLabel = "art.atelier.render";

struct Ingredient {
  std::string title;         // dc:title, e.g. the input's name in the recipe
  std::string format;        // dc:format, a media type
  std::string relationship;  // "inputTo" (a recipe input) or "parentOf" (a variant's source)
  Digest sha256{};           // of the ingredient's bytes (its file as it was used)
  // An ingredient with Content Credentials of its own. Signing: its file's manifest store (the
  // `c2pa` superbox as the file holds it; its manifests are copied into the new store, the
  // last, its active one, referenced) and the status codes validating it gave.
  // Validating: the label of the manifest `activeManifest` names.
  Bytes manifest_store;
  std::vector<std::string> manifest_successes;
  std::vector<std::string> manifest_failures;
  std::string manifest_label;
};

// An action after the first (c2pa.created or c2pa.opened), e.g. c2pa.resized of a variant.
struct Action {
  std::string action;       // "c2pa.resized", "c2pa.converted", "c2pa.transcoded", …
  std::string description;  // what was done, in a sentence; empty: none
};

struct ManifestSpec {
  std::string title;                // dc:title
  std::string digital_source_type;  // kAlgorithmicMedia, kTrainedAlgorithmicMedia (created)
  cbor::Value atelier;              // the atelier assertion's content (a map); null: none
  std::vector<Ingredient> ingredients;  // at most one parentOf
  std::vector<Action> actions;          // after the first; a transcode references the parent
};

// `asset` (without a manifest) with a signed manifest embedded; `manifest_label`, when given,
// receives the manifest's label (urn:c2pa:…).
Result<Bytes> sign_asset(std::span<const std::uint8_t> asset, std::string_view mime,
                         const ManifestSpec& spec, const Signer& signer,
                         std::string* manifest_label = nullptr);

// What a validation found, with C2PA 2.x status codes.
struct Validation {
  bool manifest_present = false;
  std::string state;                     // "Invalid", "Valid" or "Trusted" (as c2pa-rs says)
  std::vector<std::string> failures;     // e.g. "assertion.dataHash.mismatch", "…bmffHash…"
  std::vector<std::string> successes;    // e.g. "claimSignature.validated"
  std::vector<std::string> explanations; // one line per failure, in order
  // What the manifest says.
  std::string label;
  std::string title;
  std::string claim_generator;  // name/version
  std::vector<std::string> actions;
  std::string digital_source_type;
  std::optional<CertificateSummary> signer;
  std::vector<Bytes> chain;
  std::optional<cbor::Value> atelier;    // the atelier assertion, when present
  std::vector<Ingredient> ingredients;
  std::vector<std::string> assertion_labels;
};

// Validates the manifest in `file` (a file with none: manifest_present false, no failures).
// `anchors` are trusted roots (DER); with none, a valid signature is "Valid", not "Trusted".
Result<Validation> validate_asset(std::span<const std::uint8_t> file, std::string_view mime,
                                  const std::vector<Bytes>& anchors,
                                  std::chrono::system_clock::time_point now);

// The validation as JSON (for `c2pa show/verify --json` and GET /v1/assets/{sha256}/c2pa).
std::string validation_json(const Validation& v);

}  // namespace atelier::c2pa
