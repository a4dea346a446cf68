// check.h — one screening of an image and/or texts before minting (issue 16 §4, `atelier
// check` and POST /v1/compliance/check): every signal gathered, the policy in force applied,
// the decision recorded as a logged event.
//
//   Screening screening({.store = store, .ledger = store, .blobs = blobs, .registry = registry,
//                        .terms = terms, .clock = clock});
//   CheckRequest req{.image = file_bytes, .collection = "c1",
//                    .texts = {{"title", "p4yp4l gift card"}}};
//   Result<CheckOutcome> out = screening.check(req);
//   // out->decision.outcome: "allow", "review" or "block"; out->decision.record: the evidence
//
// Signals, in the order they are gathered:
//  - the image's exact identity (SHA-256 of the file and of its decoded pixels) against the
//    registry's entries;
//  - its PDQ hash, the eight dihedral variants and the six crops (fingerprint.h) against every
//    code of the registry's screened entries, within the widest PDQ band of the policy — unless
//    the hash's quality is under the policy's low_quality threshold (too flat to identify
//    anything: the policy's low_quality action applies instead);
//  - with a collection, the PDQ hashes of the collection's earlier tokens (near-duplicates: an
//    identical-looking output lowers a drop's value), within the policy's near_duplicate
//    distance, by the candidate's original and dihedral hashes;
//  - each text against the term lists (TermScreens below), and for an asset atelier rendered,
//    its generator's name and its traits' names and values too ("generator", "traits.NAME").
// The decision names the registry snapshot searched and the term lists (name and SHA-256)
// screened against, so it can be re-derived later.
//
// Thread-safety: check() may run on many threads (the API's workers).
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "compliance/decisions.h"
#include "compliance/registry/registry.h"
#include "compliance/text/screener.h"
#include "core/clock.h"
#include "core/error.h"
#include "store/blob_store.h"
#include "store/compliance_store.h"
#include "store/ledger_store.h"
#include "store/store.h"

namespace atelier::compliance {

// The term lists in the store, compiled once and rebuilt when they change (a compile of
// 100,000 terms takes seconds; a screen microseconds). `lexicon_path`: ordinary words for the
// screener's run-together rules (screener.h), one per line; empty or missing: those rules are
// off.
class TermScreens {
 public:
  explicit TermScreens(store::ComplianceStore& store, std::string lexicon_path = {});

  struct Compiled {
    std::shared_ptr<const text::Screener> screener;  // null when there are no lists
    std::vector<store::TermListRecord> lists;        // without bodies
    std::string lexicon_sha256;                      // empty: no lexicon
  };
  // The screener for the lists stored now.
  Result<Compiled> current();

  // Parses a list file as `import` would store it: "invalid_term_list" errors naming the line.
  static Result<text::TermList> parse(const store::TermListRecord& record);

 private:
  store::ComplianceStore& store_;
  std::string lexicon_path_;
  std::mutex mu_;
  std::string key_;  // the lists' names and hashes the cached screener was built from
  Compiled cached_;
  std::shared_ptr<const text::Lexicon> lexicon_;
  bool lexicon_loaded_ = false;
};

// Imports a term list (`atelier compliance terms import`): the file is parsed whole first
// (errors name its line: term_list.h) and stored with a "compliance.terms.import" log entry
// that names the list, the file's SHA-256 and its number of terms. A list of the same name is
// replaced. Limits: limits::kTermListBytesMax for the file.
struct TermListImport {
  std::string name;
  std::string severity = "block";  // For terms that do not name their own.
  std::string source = {};
  std::string licence = {};
  std::string actor = "cli";
};
Result<store::TermListRecord> import_term_list(store::ComplianceStore& store, const Clock& clock,
                                               std::string_view body,
                                               const TermListImport& options);
// Removes a list with a "compliance.terms.remove" log entry ("unknown_term_list").
Result<std::uint64_t> remove_term_list(store::ComplianceStore& store, const Clock& clock,
                                       std::string_view name, std::string_view actor);

struct CheckText {
  std::string field;  // "title", "prompt", "text[0]"…
  std::string text;
};

struct CheckRequest {
  std::vector<std::uint8_t> image = {};  // The file; empty: texts only.
  // The asset the image is (the mint gate). Empty: found from the image — an asset's own bytes,
  // or a signed copy whose Content Credentials record names the asset — when it is one.
  std::string asset_sha256 = {};
  std::string collection = {};  // Empty: the default policy, no near-duplicates.
  std::vector<CheckText> texts = {};
  std::string actor = "cli";
};

struct CheckOutcome {
  store::ComplianceDecisionRecord decision;
};

// A decision as `atelier check --json` prints it and POST /v1/compliance/check returns it:
// {"decision", "id", "matches" (the findings), "registry", "policy", "log_index", "created_ms",
// and when present "asset", "collection", "quality", "file_sha256", "pixels_sha256", "texts",
// "term_lists", "lexicon_sha256", "findings_omitted", "by", "review", "reviewer",
// "review_reason", "reviewed_ms"}.
std::string check_json(const store::ComplianceDecisionRecord& decision);

struct ScreeningDeps {
  store::Store& assets;  // Which asset a signed file is (its Content Credentials record).
  store::ComplianceStore& store;
  store::LedgerStore& ledger;
  store::BlobStore& blobs;
  Registry& registry;
  TermScreens& terms;
  const Clock& clock;
};

class Screening {
 public:
  explicit Screening(ScreeningDeps deps);

  // Errors: the image's ("empty_image", "unsupported_image", "image_too_large", … field
  // "file"), a text's ("invalid_utf8", "text_too_long", field its name), "check_empty" when
  // there is neither an image nor a text, "too_many_texts" (limits::kCheckTextsMax),
  // "unknown_collection".
  Result<CheckOutcome> check(const CheckRequest& request);

  // What the doors need beside check(): policies and reviews, stored decisions and term
  // lists, assets.
  Decisions& decisions() { return decisions_; }
  store::ComplianceStore& store() { return d_.store; }
  store::BlobStore& blobs() { return d_.blobs; }
  const Clock& clock() const { return d_.clock; }

 private:
  Result<CheckOutcome> check_under_policy(const CheckRequest& request);
  Result<void> screen_image(const CheckRequest& request, const PolicyInForce& policy,
                            DecisionRequest& out);
  Result<void> near_duplicates(const CheckRequest& request, const PolicyInForce& policy,
                               const std::vector<std::pair<std::string, PdqHash>>& forms,
                               DecisionRequest& out);
  Result<std::optional<store::AssetFingerprintRecord>> fingerprint_of(const std::string& sha);

  ScreeningDeps d_;
  Decisions decisions_;
};

}  // namespace atelier::compliance
