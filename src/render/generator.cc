#include "render/generator.h"

extern "C" {
#include <lauxlib.h>
#include <lua.h>
}

#include <algorithm>
#include <charconv>
#include <cmath>
#include <nlohmann/json.hpp>

#include "core/canonical_json.h"
#include "core/hash.h"
#include "core/limits.h"
#include "render/internal/param_json.h"
#include "render/raster/color.h"
#include "store/blob_store.h"

namespace atelier::render {

using nlohmann::json;

namespace {

bool valid_name(std::string_view s) {
  if (s.empty() || static_cast<std::int64_t>(s.size()) > limits::kNameBytesMax) return false;
  if (!((s[0] >= 'a' && s[0] <= 'z') || (s[0] >= '0' && s[0] <= '9'))) return false;
  return std::all_of(s.begin(), s.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
  });
}

bool valid_color(std::string_view s) {
  if (s.size() != 7 && s.size() != 9) return false;
  if (s[0] != '#') return false;
  return std::all_of(s.begin() + 1, s.end(), [](char c) {
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
  });
}

Error manifest_error(std::string code, std::string message, std::string field) {
  return Error::invalid(std::move(code), "manifest: " + message, "manifest." + field);
}

// Whether `path` names a file inside the bundle directory by its text alone: relative,
// '/'-separated, with no empty, '.' or '..' segment, and no backslash or NUL (other systems
// and C APIs read those as separators or ends). Bundle files are keyed by such paths, so a
// manifest path that fails this names nothing inside the bundle.
bool is_bundle_path(std::string_view path) {
  if (path.empty() || path.front() == '/') return false;
  if (path.find('\\') != std::string_view::npos || path.find('\0') != std::string_view::npos)
    return false;
  std::size_t start = 0;
  while (start <= path.size()) {
    std::size_t end = path.find('/', start);
    if (end == std::string_view::npos) end = path.size();
    const std::string_view segment = path.substr(start, end - start);
    if (segment.empty() || segment == "." || segment == "..") return false;
    start = end + 1;
  }
  return true;
}

Result<void> check_bundle_path(const std::string& path, const std::string& what,
                               const std::string& field) {
  if (is_bundle_path(path)) return {};
  return fail(manifest_error("bundle_path_outside",
                             what + " \"" + path +
                                 "\" is not a path inside the bundle (relative, no '.' or '..' "
                                 "segments, no backslashes)",
                             field));
}

const char* type_name(ParamType t) {
  switch (t) {
    case ParamType::kNumber: return "number";
    case ParamType::kInteger: return "integer";
    case ParamType::kBoolean: return "boolean";
    case ParamType::kChoice: return "choice";
    case ParamType::kColor: return "color";
  }
  return "?";
}

std::string fmt_num(double v) { return es_number_to_string(v); }

// Validates one value against its spec; `field` names it in errors.
Result<ParamValue> check_value(const ParamSpec& spec, const ParamValue& v,
                               const std::string& field) {
  auto type_error = [&]() {
    return fail(
        Error::invalid("invalid_param", field + " must be a " + type_name(spec.type), field));
  };
  switch (spec.type) {
    case ParamType::kNumber: {
      double d;
      if (auto* i = std::get_if<std::int64_t>(&v)) d = static_cast<double>(*i);
      else if (auto* f = std::get_if<double>(&v)) d = *f;
      else return type_error();
      if (!std::isfinite(d) || d < spec.min || d > spec.max) {
        return fail(Error::invalid("param_out_of_range",
                                   field + " = " + fmt_num(d) + " is outside [" +
                                       fmt_num(spec.min) + ", " + fmt_num(spec.max) + "]",
                                   field));
      }
      return ParamValue(d);
    }
    case ParamType::kInteger: {
      std::int64_t n;
      if (auto* i = std::get_if<std::int64_t>(&v)) n = *i;
      else if (auto* f = std::get_if<double>(&v); f && std::isfinite(*f) && std::floor(*f) == *f &&
                                                  std::fabs(*f) < 9e15)
        n = static_cast<std::int64_t>(*f);
      else return type_error();
      if (static_cast<double>(n) < spec.min || static_cast<double>(n) > spec.max) {
        return fail(Error::invalid("param_out_of_range",
                                   field + " = " + std::to_string(n) + " is outside [" +
                                       fmt_num(spec.min) + ", " + fmt_num(spec.max) + "]",
                                   field));
      }
      return ParamValue(n);
    }
    case ParamType::kBoolean:
      if (!std::holds_alternative<bool>(v)) return type_error();
      return v;
    case ParamType::kChoice: {
      auto* s = std::get_if<std::string>(&v);
      if (!s) return type_error();
      if (std::find(spec.options.begin(), spec.options.end(), *s) == spec.options.end()) {
        std::string opts;
        for (const auto& o : spec.options) opts += (opts.empty() ? "" : ", ") + o;
        return fail(Error::invalid("param_out_of_range",
                                   field + " = \"" + *s + "\" is not one of: " + opts, field));
      }
      return v;
    }
    case ParamType::kColor: {
      auto* s = std::get_if<std::string>(&v);
      if (!s || !valid_color(*s)) {
        return fail(Error::invalid("invalid_param",
                                   field + " must be a colour #rrggbb or #rrggbbaa", field));
      }
      std::string lower = *s;
      std::transform(lower.begin(), lower.end(), lower.begin(),
                     [](char c) { return std::tolower(c); });
      return ParamValue(lower);
    }
  }
  return type_error();
}

Result<ParamSpec> parse_param(const json& p, std::size_t index) {
  std::string at = "params[" + std::to_string(index) + "]";
  if (!p.is_object())
    return fail(manifest_error("invalid_manifest", at + " must be an object", at));
  for (auto it = p.begin(); it != p.end(); ++it) {
    static const char* kKnown[] = {"name", "type",    "description", "min",
                                   "max",  "options", "default"};
    if (std::find_if(std::begin(kKnown), std::end(kKnown),
                     [&](const char* k) { return it.key() == k; }) == std::end(kKnown)) {
      return fail(manifest_error("unknown_field", at + " has an unknown field \"" + it.key() + "\"",
                                 at + "." + it.key()));
    }
  }
  ParamSpec spec;
  if (!p.contains("name") || !p["name"].is_string() || !valid_name(p["name"].get<std::string>())) {
    return fail(manifest_error("invalid_manifest",
                               at + ".name must match [a-z0-9][a-z0-9_-]* (≤ 64 bytes)",
                               at + ".name"));
  }
  spec.name = p["name"];
  at = "params." + spec.name;
  std::string type = p.value("type", "");
  if (type == "number") spec.type = ParamType::kNumber;
  else if (type == "integer") spec.type = ParamType::kInteger;
  else if (type == "boolean") spec.type = ParamType::kBoolean;
  else if (type == "choice") spec.type = ParamType::kChoice;
  else if (type == "color") spec.type = ParamType::kColor;
  else
    return fail(manifest_error("invalid_manifest",
                               at + ".type must be number|integer|boolean|choice|color",
                               at + ".type"));
  if (p.contains("description")) {
    if (!p["description"].is_string())
      return fail(manifest_error("invalid_manifest", at + ".description must be a string", at));
    spec.description = p["description"];
  }
  if (spec.type == ParamType::kNumber || spec.type == ParamType::kInteger) {
    if (!p.contains("min") || !p["min"].is_number() || !p.contains("max") ||
        !p["max"].is_number()) {
      return fail(manifest_error("invalid_manifest", at + " needs numeric min and max", at));
    }
    spec.min = p["min"].get<double>();
    spec.max = p["max"].get<double>();
    if (!(spec.min <= spec.max))
      return fail(manifest_error("invalid_manifest", at + ": min > max", at));
  }
  if (spec.type == ParamType::kChoice) {
    if (!p.contains("options") || !p["options"].is_array() || p["options"].empty() ||
        p["options"].size() > 256) {
      return fail(manifest_error("invalid_manifest", at + ".options must be 1..256 strings",
                                 at + ".options"));
    }
    for (const auto& o : p["options"]) {
      if (!o.is_string())
        return fail(
            manifest_error("invalid_manifest", at + ".options must be strings", at + ".options"));
      spec.options.push_back(o);
    }
  }
  if (!p.contains("default"))
    return fail(manifest_error("invalid_manifest", at + " needs a default", at + ".default"));
  auto loose = internal::from_json(p["default"]);
  if (!loose)
    return fail(
        manifest_error("invalid_manifest", at + ".default has the wrong type", at + ".default"));
  auto checked = check_value(spec, *loose, "manifest." + at + ".default");
  if (!checked) return fail(checked.error());
  spec.default_value = *checked;
  return spec;
}

Result<void> parse_aspect(const json& m, Manifest& out) {
  if (!m.contains("aspect_ratio")) return {};
  const json& a = m["aspect_ratio"];
  if (!a.is_object() || !a.contains("min") || !a.contains("max") || !a["min"].is_number() ||
      !a["max"].is_number()) {
    return fail(manifest_error("invalid_manifest",
                               "aspect_ratio must be {\"min\": number, \"max\": number}",
                               "aspect_ratio"));
  }
  out.aspect_min = a["min"].get<double>();
  out.aspect_max = a["max"].get<double>();
  if (!(out.aspect_min > 0) || !(out.aspect_min <= out.aspect_max) || out.aspect_max > 100) {
    return fail(manifest_error("invalid_manifest", "aspect_ratio needs 0 < min <= max <= 100",
                               "aspect_ratio"));
  }
  return {};
}

Result<void> parse_inputs(const json& m, Manifest& out) {
  if (!m.contains("inputs")) return {};
  if (!m["inputs"].is_array() ||
      static_cast<std::int64_t>(m["inputs"].size()) > limits::kInputsMax) {
    return fail(manifest_error("invalid_manifest",
                               "inputs must be an array of at most inputs_max entries", "inputs"));
  }
  for (const auto& in : m["inputs"]) {
    InputSpec spec;
    if (!in.is_object() || !in.contains("name") || !in["name"].is_string() ||
        !valid_name(in["name"].get<std::string>())) {
      return fail(manifest_error("invalid_manifest", "every input needs a valid name", "inputs"));
    }
    spec.name = in["name"];
    spec.kind = in.value("kind", "image");
    if (spec.kind != "image")
      return fail(manifest_error("invalid_manifest", "input kind must be \"image\"",
                                 "inputs." + spec.name));
    if (in.contains("default") && !in["default"].is_string())
      return fail(manifest_error("invalid_manifest", "input default must be a path",
                                 "inputs." + spec.name));
    spec.default_file = in.value("default", "");
    if (!spec.default_file.empty()) {
      ATELIER_TRY(check_bundle_path(spec.default_file, "input " + spec.name + " default",
                                    "inputs." + spec.name + ".default"));
    }
    spec.description = in.value("description", "");
    if (out.input(spec.name))
      return fail(manifest_error("invalid_manifest", "input " + spec.name + " declared twice",
                                 "inputs." + spec.name));
    out.inputs.push_back(std::move(spec));
  }
  return {};
}

}  // namespace

const ParamSpec* Manifest::param(std::string_view n) const {
  for (const auto& p : params) {
    if (p.name == n) return &p;
  }
  return nullptr;
}

const InputSpec* Manifest::input(std::string_view n) const {
  for (const auto& i : inputs) {
    if (i.name == n) return &i;
  }
  return nullptr;
}

Result<Manifest> parse_manifest(std::string_view json_text, std::string_view dir_name) {
  auto parsed = parse_json(json_text, limits::kManifestBytesMax, "manifest");
  if (!parsed) return fail(parsed.error());
  const json& m = *parsed;
  if (!m.is_object())
    return fail(manifest_error("invalid_manifest", "must be a JSON object", "manifest"));
  static const char* kKnown[] = {"name",         "version", "description", "script",
                                 "aspect_ratio", "params",  "inputs"};
  for (auto it = m.begin(); it != m.end(); ++it) {
    if (std::find_if(std::begin(kKnown), std::end(kKnown),
                     [&](const char* k) { return it.key() == k; }) == std::end(kKnown)) {
      return fail(manifest_error("unknown_field", "unknown field \"" + it.key() + "\"", it.key()));
    }
  }
  Manifest out;
  out.name = m.contains("name") && m["name"].is_string() ? m["name"].get<std::string>()
                                                         : std::string(dir_name);
  if (!valid_name(out.name)) {
    return fail(manifest_error("invalid_manifest",
                               "name must match [a-z0-9][a-z0-9_-]* (≤ 64 bytes)", "name"));
  }
  if (!dir_name.empty() && out.name != dir_name) {
    return fail(manifest_error("name_mismatch",
                               "name \"" + out.name + "\" differs from the directory name \"" +
                                   std::string(dir_name) + "\"",
                               "name"));
  }
  out.version =
      m.contains("version") && m["version"].is_string() ? m["version"].get<std::string>() : "0.0.0";
  out.description = m.contains("description") && m["description"].is_string()
                        ? m["description"].get<std::string>()
                        : "";
  out.script =
      m.contains("script") && m["script"].is_string() ? m["script"].get<std::string>() : "main.lua";
  ATELIER_TRY(check_bundle_path(out.script, "script", "script"));
  ATELIER_TRY(parse_aspect(m, out));
  if (m.contains("params")) {
    if (!m["params"].is_array() ||
        static_cast<std::int64_t>(m["params"].size()) > limits::kParamsMax) {
      return fail(manifest_error("invalid_manifest",
                                 "params must be an array of at most params_max (" +
                                     std::to_string(limits::kParamsMax) + ") entries",
                                 "params"));
    }
    for (std::size_t i = 0; i < m["params"].size(); ++i) {
      auto spec = parse_param(m["params"][i], i);
      if (!spec) return fail(spec.error());
      if (out.param(spec->name))
        return fail(manifest_error("invalid_manifest", "param " + spec->name + " declared twice",
                                   "params." + spec->name));
      out.params.push_back(std::move(*spec));
    }
  }
  ATELIER_TRY(parse_inputs(m, out));
  return out;
}

std::string manifest_canonical_json(const Manifest& m) {
  json j = {{"name", m.name},
            {"version", m.version},
            {"description", m.description},
            {"script", m.script},
            {"aspect_ratio", {{"min", m.aspect_min}, {"max", m.aspect_max}}}};
  json params = json::array();
  for (const auto& p : m.params) {
    json pj = {{"name", p.name},
               {"type", type_name(p.type)},
               {"default", internal::to_json(p.default_value)}};
    if (!p.description.empty()) pj["description"] = p.description;
    if (p.type == ParamType::kNumber || p.type == ParamType::kInteger) {
      pj["min"] = p.min;
      pj["max"] = p.max;
    }
    if (p.type == ParamType::kChoice) pj["options"] = p.options;
    params.push_back(std::move(pj));
  }
  j["params"] = std::move(params);
  json inputs = json::array();
  for (const auto& in : m.inputs) {
    json ij = {{"name", in.name}, {"kind", in.kind}};
    if (!in.default_file.empty()) ij["default"] = in.default_file;
    if (!in.description.empty()) ij["description"] = in.description;
    inputs.push_back(std::move(ij));
  }
  j["inputs"] = std::move(inputs);
  return canonical_json(j).value();  // Built from validated values: always representable.
}

std::string bundle_hash(const std::map<std::string, std::string>& path_to_sha256) {
  json files = json::object();
  for (const auto& [path, sha] : path_to_sha256) files[path] = sha;
  return sha256_hex(canonical_json(json{{"files", files}}).value());
}

Result<Bundle> load_bundle(const std::filesystem::path& dir_in) {
  namespace fs = std::filesystem;
  std::error_code ec;
  fs::path dir = fs::weakly_canonical(dir_in, ec);
  if (ec || !fs::is_directory(dir, ec)) {
    return fail(Error::invalid("bundle_not_found", dir_in.string() + " is not a directory", "dir"));
  }
  Bundle bundle;
  std::int64_t total = 0;
  for (auto it = fs::recursive_directory_iterator(dir, ec);
       !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
    std::string fname = it->path().filename().string();
    if (!fname.empty() && fname[0] == '.') {
      if (it->is_directory()) it.disable_recursion_pending();
      continue;
    }
    // Every symbolic link is refused, whatever it points to: a link can lead outside the
    // bundle (to /etc/passwd, to a sibling's private image), and "inside" depends on the
    // moment it is resolved. Refusing them all is simpler to state and to trust than
    // resolving each; a studio that wants a shared asset copies it in.
    const std::string rel = it->path().lexically_relative(dir).generic_string();
    std::error_code link_ec;
    if (it->is_symlink(link_ec) || link_ec) {
      return fail(Error::invalid("bundle_symlink",
                                 "bundle entry \"" + rel +
                                     "\" is a symbolic link; bundles may not contain links "
                                     "(a link can point outside the bundle)",
                                 "dir"));
    }
    if (!it->is_regular_file()) continue;
    if (!is_bundle_path(rel)) {
      return fail(Error::invalid("bundle_path_outside",
                                 "bundle entry \"" + rel +
                                     "\" has a name atelier cannot "
                                     "store as a bundle path (a backslash?)",
                                 "dir"));
    }
    if (static_cast<std::int64_t>(bundle.files.size()) >= limits::kBundleFilesMax) {
      return fail(Error::invalid("bundle_too_large",
                                 "bundle has more than bundle_files_max (" +
                                     std::to_string(limits::kBundleFilesMax) + ") files",
                                 "dir"));
    }
    auto bytes = store::read_file(it->path(), limits::kBundleBytesMax - total);
    if (!bytes) {
      return fail(Error::invalid(
          "bundle_too_large",
          "bundle exceeds bundle_bytes_max (" + std::to_string(limits::kBundleBytesMax) + " bytes)",
          "dir"));
    }
    total += static_cast<std::int64_t>(bytes->size());
    bundle.files[rel] = std::move(*bytes);
  }
  if (ec)
    return fail(Error::invalid("bundle_unreadable",
                               "cannot read " + dir.string() + ": " + ec.message(), "dir"));
  auto mf = bundle.files.find("manifest.json");
  if (mf == bundle.files.end()) {
    return fail(
        Error::invalid("manifest_missing", dir.string() + " has no manifest.json", "manifest"));
  }
  auto manifest = parse_manifest(
      std::string_view(reinterpret_cast<const char*>(mf->second.data()), mf->second.size()),
      dir.filename().string());
  if (!manifest) return fail(manifest.error());
  bundle.manifest = std::move(*manifest);
  auto script = bundle.files.find(bundle.manifest.script);
  if (script == bundle.files.end()) {
    return fail(Error::invalid(
        "script_missing", "the bundle has no script " + bundle.manifest.script, "manifest.script"));
  }
  if (static_cast<std::int64_t>(script->second.size()) > limits::kScriptBytesMax) {
    return fail(Error::invalid(
        "script_too_large",
        "script exceeds script_bytes_max (" + std::to_string(limits::kScriptBytesMax) + " bytes)",
        "manifest.script"));
  }
  for (const auto& in : bundle.manifest.inputs) {
    if (!in.default_file.empty() && !bundle.files.contains(in.default_file)) {
      return fail(Error::invalid(
          "input_default_missing",
          "input " + in.name + " defaults to " + in.default_file + ", which is not in the bundle",
          "manifest.inputs." + in.name));
    }
  }
  // Compile once now so syntax errors surface at registration, with their line number.
  lua_State* L = luaL_newstate();
  int rc = luaL_loadbufferx(L, reinterpret_cast<const char*>(script->second.data()),
                            script->second.size(), ("@" + bundle.manifest.script).c_str(), "t");
  std::string err = rc == LUA_OK ? "" : lua_tostring(L, -1);
  lua_close(L);
  if (rc != LUA_OK) return fail(Error::invalid("script_syntax_error", err, "manifest.script"));

  std::map<std::string, std::string> shas;
  for (const auto& [path, bytes] : bundle.files) shas[path] = sha256_hex(bytes);
  bundle.hash = bundle_hash(shas);
  bundle.manifest_json = manifest_canonical_json(bundle.manifest);
  return bundle;
}

Result<std::map<std::string, ParamValue>> check_params(
    const Manifest& manifest, const std::map<std::string, ParamValue>& given) {
  std::map<std::string, ParamValue> out;
  for (const auto& [name, value] : given) {
    const ParamSpec* spec = manifest.param(name);
    if (!spec) {
      return fail(Error::invalid(
          "unknown_param", "generator " + manifest.name + " has no parameter \"" + name + "\"",
          "params." + name));
    }
    auto v = check_value(*spec, value, "params." + name);
    if (!v) return fail(v.error());
    out[name] = std::move(*v);
  }
  for (const auto& spec : manifest.params) {
    if (!out.contains(spec.name)) out[spec.name] = spec.default_value;
  }
  return out;
}

Result<std::map<std::string, ParamValue>> resolve_params(const Manifest& manifest,
                                                         std::string_view params_json) {
  auto parsed =
      parse_json(params_json.empty() ? "{}" : params_json, limits::kRecipeBytesMax, "params");
  if (!parsed) return fail(parsed.error());
  if (!parsed->is_object())
    return fail(Error::invalid("invalid_params", "params must be a JSON object", "params"));
  std::map<std::string, ParamValue> loose;
  for (auto it = parsed->begin(); it != parsed->end(); ++it) {
    auto v = internal::from_json(it.value());
    if (!v) {
      return fail(Error::invalid(
          "invalid_param",
          "params." + it.key() + " must be a number (integers within ±2^53), boolean or string",
          "params." + it.key()));
    }
    loose[it.key()] = std::move(*v);
  }
  return check_params(manifest, loose);
}

Result<ParamValue> param_from_text(const ParamSpec& spec, std::string_view text) {
  std::string field = "params." + spec.name;
  switch (spec.type) {
    case ParamType::kNumber:
    case ParamType::kInteger: {
      double d = 0;
      auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), d);
      if (ec != std::errc() || p != text.data() + text.size()) {
        return fail(Error::invalid(
            "invalid_param", field + " = \"" + std::string(text) + "\" is not a number", field));
      }
      return check_value(spec, ParamValue(d), field);
    }
    case ParamType::kBoolean:
      if (text == "true" || text == "1") return ParamValue(true);
      if (text == "false" || text == "0") return ParamValue(false);
      return fail(Error::invalid("invalid_param", field + " must be true or false", field));
    case ParamType::kChoice:
    case ParamType::kColor:
      return check_value(spec, ParamValue(std::string(text)), field);
  }
  return fail(Error::invalid("invalid_param", "unsupported parameter type", field));
}

std::string params_canonical_json(const std::map<std::string, ParamValue>& params) {
  json j = json::object();
  for (const auto& [k, v] : params) j[k] = internal::to_json(v);
  return canonical_json(j).value();
}

}  // namespace atelier::render
