// issuer.h — Content Credentials for renders (issue 15): the signed file of each asset.
//
// The asset's sha256 stays the hash of the bytes the recipe renders; its signed file (those
// bytes with a C2PA manifest embedded) is a blob of its own, made once and recorded
// (store.h asset_credentials). The manifest carries the whole story, so a reader can go from
// the file to the log without asking atelier: the canonical recipe and recipe_id, the
// generator bundle's hash, and the render's log entry — origin, index, the entry and its leaf
// hash, the inclusion proof and the signed checkpoint that proves it (a checkpoint is signed
// on the spot if the latest one does not cover the entry yet).
//
// A variant (the same recipe rendered at another size, format or quality) is signed as what it
// is to a reader: derived from the asset it was asked for as a variant of. Its manifest opens
// that parent (c2pa.opened of a `parentOf` ingredient naming the parent's file as served: its
// sha256, format and title, with the parent's own manifest copied in and referenced), says
// what changed (c2pa.resized, c2pa.converted, c2pa.transcoded, each saying it was rendered
// again, not resampled), and carries the variant's own render assertion. Its stripped bytes
// are still exactly the variant's render.
//
//   c2pa::Issuer issuer(db, blobs, log, signer);
//   auto issued = issuer.issue(outcome.record, outcome.bytes);   // issued->bytes: signed file
//   auto variant = issuer.issue_variant(small.record, small_bytes, parent, parent_file, anchors);
#pragma once

#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "c2pa/cbor.h"
#include "c2pa/credentials.h"
#include "c2pa/manifest.h"
#include "core/error.h"
#include "provenance/log.h"
#include "store/blob_store.h"
#include "store/store.h"

namespace atelier::c2pa {

struct Issued {
  store::AssetCredentialRecord record;
  std::vector<std::uint8_t> bytes;  // the signed file
  bool created = false;             // false: it had been signed before
};

class Issuer {
 public:
  Issuer(store::Store& store, store::BlobStore& blobs, provenance::Log& log,
         std::shared_ptr<const Signer> signer);

  // The signed file of `render`'s asset (`asset_bytes`: the unsigned file), signing it the
  // first time.
  Result<Issued> issue(const store::RenderRecord& render,
                       std::span<const std::uint8_t> asset_bytes);
  // The signed file of `variant`'s asset as a variant of `parent` (another asset of the same
  // recipe), signing it the first time. `parent_file` is the parent as GET /v1/assets serves
  // it (signed, or plain when it carries no manifest); `anchors` decide the parent's
  // validationResults. The two assets must differ.
  Result<Issued> issue_variant(const store::RenderRecord& variant,
                               std::span<const std::uint8_t> variant_bytes,
                               const store::RenderRecord& parent,
                               std::span<const std::uint8_t> parent_file,
                               const std::vector<Bytes>& anchors);
  // The signed file recorded for an asset (as a variant of `parent_sha256`; empty: as itself).
  Result<std::optional<Issued>> find(std::string_view asset_sha256,
                                     std::string_view parent_sha256 = {});

 private:
  Result<cbor::Value> atelier_assertion(const store::RenderRecord& render);
  Result<Issued> record(const store::RenderRecord& render, std::span<const std::uint8_t> bytes,
                        const ManifestSpec& spec, std::string_view parent_sha256);

  store::Store& store_;
  store::BlobStore& blobs_;
  provenance::Log& log_;
  std::shared_ptr<const Signer> signer_;
};

// The IPTC digital source type of what a generator makes: procedural scripts make
// algorithmicMedia; trained models (issue 18's backends) will make trainedAlgorithmicMedia.
const char* digital_source_type_of_generator(const store::RenderRecord& render);

}  // namespace atelier::c2pa
