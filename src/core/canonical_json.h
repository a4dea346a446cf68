// canonical_json.h — RFC 8785 JSON Canonicalization Scheme (JCS) and bounded parsing.
//
// Canonical bytes are what atelier hashes and signs (recipes, log entries): object members
// sorted by UTF-16 code units, no whitespace, ECMAScript number formatting, minimal string
// escaping. Integers outside ±2^53 are refused (I-JSON, RFC 7493), as are NaN/Infinity.
#pragma once

#include <nlohmann/json_fwd.hpp>
#include <string>
#include <string_view>

#include "core/error.h"

namespace atelier {

// The canonical serialization of `value`. Fails for numbers JCS cannot represent.
Result<std::string> canonical_json(const nlohmann::json& value);

// Parses untrusted JSON text with limits: at most `bytes_max` bytes and kJsonDepthMax nesting;
// duplicate object keys are rejected (RFC 8785 §3.1 requires unique names), and so are a
// leading byte order mark and NUL bytes ("malformed_json"), which the JSON library would skip.
// `what` names the input in errors ("recipe", "manifest").
Result<nlohmann::json> parse_json(std::string_view text, std::size_t bytes_max,
                                  std::string_view what);

// ECMAScript Number.prototype.toString for a finite double (RFC 8785 §3.2.2.3).
std::string es_number_to_string(double value);

}  // namespace atelier
