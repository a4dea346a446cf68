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
//   c2pa::Issuer issuer(db, blobs, log, signer);
//   auto issued = issuer.issue(outcome.record, outcome.bytes);   // issued->bytes: signed file
#pragma once

#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "c2pa/cbor.h"
#include "c2pa/credentials.h"
#include "c2pa/time_stamp.h"
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
  // With a `time_stamper`, every signature carries an RFC 3161 time-stamp, and a failing TSA
  // fails issue() (nothing is recorded). A file signed before is served as it was.
  Issuer(store::Store& store, store::BlobStore& blobs, provenance::Log& log,
         std::shared_ptr<const Signer> signer,
         std::shared_ptr<const TimeStamper> time_stamper = nullptr);

  // The signed file of `render`'s asset (`asset_bytes`: the unsigned file), signing it the
  // first time.
  Result<Issued> issue(const store::RenderRecord& render,
                       std::span<const std::uint8_t> asset_bytes);
  // The signed file recorded for an asset, if any.
  Result<std::optional<Issued>> find(std::string_view asset_sha256);

 private:
  Result<cbor::Value> atelier_assertion(const store::RenderRecord& render);

  store::Store& store_;
  store::BlobStore& blobs_;
  provenance::Log& log_;
  std::shared_ptr<const Signer> signer_;
  std::shared_ptr<const TimeStamper> time_stamper_;  // null: no time-stamps
};

// The IPTC digital source type of what a generator makes: procedural scripts make
// algorithmicMedia; trained models (issue 18's backends) will make trainedAlgorithmicMedia.
const char* digital_source_type_of_generator(const store::RenderRecord& render);

}  // namespace atelier::c2pa
