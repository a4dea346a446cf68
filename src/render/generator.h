// generator.h — generator bundles: the manifest, the parameter schema, the bundle hash.
//
// A bundle is a directory with manifest.json, a Lua script and small assets (see
// docs/generators.md). Its identity is
//   bundle_hash = sha256(canonical JSON {"files":{"<path>":"<sha256>",…}})
// over every regular, non-hidden file, so any change to any file is a new version.
//
// Everything a bundle holds lies inside its directory: a bundle with a symbolic link anywhere
// in it (file or directory, pointing inside or out) is refused (bundle_symlink), and the
// manifest's paths (script, input defaults) must be relative with no '.' or '..' segment
// (bundle_path_outside, naming the field).
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.h"
#include "render/recipe.h"

namespace atelier::render {

enum class ParamType { kNumber, kInteger, kBoolean, kChoice, kColor };

struct ParamSpec {
  std::string name;
  ParamType type = ParamType::kNumber;
  std::string description;
  double min = 0, max = 0;           // kNumber, kInteger.
  std::vector<std::string> options;  // kChoice.
  ParamValue default_value;
};

struct InputSpec {
  std::string name;
  std::string kind;          // "image".
  std::string default_file;  // Bundle-relative path, or empty.
  std::string description;
};

struct Manifest {
  std::string name;
  std::string version;
  std::string description;
  std::string script;
  double aspect_min = 1.0, aspect_max = 1.0;  // width / height, inclusive.
  std::vector<ParamSpec> params;
  std::vector<InputSpec> inputs;

  const ParamSpec* param(std::string_view name) const;
  const InputSpec* input(std::string_view name) const;
};

// Parses and validates manifest.json. `dir_name`, when not empty, is the bundle directory's
// name: the manifest's name defaults to it and must match it.
Result<Manifest> parse_manifest(std::string_view json_text, std::string_view dir_name);
// The manifest back as canonical JSON (what the store keeps).
std::string manifest_canonical_json(const Manifest& manifest);

struct Bundle {
  Manifest manifest;
  std::string manifest_json;                              // Canonical.
  std::map<std::string, std::vector<std::uint8_t>> files;  // Path -> bytes.
  std::string hash;
};

// Reads and validates a bundle directory (limits: files, bytes, script size; the script must
// compile). Nothing is stored.
Result<Bundle> load_bundle(const std::filesystem::path& dir);
std::string bundle_hash(const std::map<std::string, std::string>& path_to_sha256);

// Checks `params_json` (an object) against the schema and fills in defaults. Unknown names,
// wrong types and out-of-range values are input errors naming "params.<name>".
Result<std::map<std::string, ParamValue>> resolve_params(const Manifest& manifest,
                                                         std::string_view params_json);
// Re-checks already-typed values (from a parsed recipe) against the schema.
Result<std::map<std::string, ParamValue>> check_params(
    const Manifest& manifest, const std::map<std::string, ParamValue>& params);
// Parses CLI text ("0.5", "true", "dusk", "#ff0000") per the param's type.
Result<ParamValue> param_from_text(const ParamSpec& spec, std::string_view text);
// Canonical JSON of a params map.
std::string params_canonical_json(const std::map<std::string, ParamValue>& params);

}  // namespace atelier::render
