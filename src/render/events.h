// events.h — the transparency-log entries the render engine writes (DESIGN.md "Events";
// docs/provenance.md documents every field).
//
// Each entry is the RFC 8785 canonical JSON of one event, with a common envelope:
//   {"type": "...", "v": 1, "time_ms": <ms since epoch>, "atelier_version": "...", ...}
// and subjects by which `atelier provenance` finds the story of a thing: a registration is
// about "generator:<bundle_hash>", a render about "asset:<sha256>" and "recipe:<recipe_id>".
#pragma once

#include <optional>

#include "core/error.h"
#include "store/store.h"

namespace atelier::render {

// "generator.registered": name, version, bundle_hash and the bundle's files (path, sha256,
// size). The manifest itself is one of those files, so the bundle hash commits to it.
Result<store::LogEvent> generator_registered_event(const store::GeneratorVersion& version);

// "render": the full recipe (as an object), its recipe_id, the output (sha256, mime_type,
// size, width, height) and the traits the script returned.
Result<store::LogEvent> render_event(const store::RenderRecord& render,
                                     const store::AssetRecord& asset);

// Whether the stored records still say what the log says: every render row against its
// "render" entry (recipe, recipe_id, output, traits) and every generator version against its
// "generator.registered" entry. Catches a changed row that the Merkle audit cannot see (the
// rows are not in the tree; their entries are). Stops at the first disagreement.
struct RecordsCheck {
  bool ok = true;
  std::uint64_t renders = 0;
  std::uint64_t generator_versions = 0;
  std::string code;                          // "render_not_logged", "render_differs_from_log", …
  std::string message;
  std::optional<std::uint64_t> log_index;    // The entry the row disagrees with, if any.
};
Result<RecordsCheck> check_records_against_log(store::Store& store);

}  // namespace atelier::render
