#include "core/event.h"

#include <nlohmann/json.hpp>

#include "core/canonical_json.h"
#include "core/version.h"

namespace atelier {

std::string event_entry(std::string_view type, std::int64_t time_ms, nlohmann::json fields) {
  fields["type"] = type;
  fields["v"] = 1;
  fields["time_ms"] = time_ms;
  fields["atelier_version"] = kVersion;
  auto text = canonical_json(fields);
  // Every field atelier logs is a string, an integer within ±2^53 or a structure of them, so
  // canonicalisation cannot fail; fall back to nlohmann's (sorted, compact) form regardless.
  return text ? *text : fields.dump();
}

}  // namespace atelier
