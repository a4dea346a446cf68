// event.h — the envelope every transparency-log entry shares (DESIGN.md "Events";
// docs/provenance.md): the event's own fields plus "type", "v" (entry schema version, 1),
// "time_ms" and "atelier_version", as RFC 8785 canonical JSON.
#pragma once

#include <cstdint>
#include <nlohmann/json_fwd.hpp>
#include <string>
#include <string_view>

namespace atelier {

// Fails only for numbers JCS cannot represent (canonical_json's errors).
std::string event_entry(std::string_view type, std::int64_t time_ms, nlohmann::json fields);

}  // namespace atelier
