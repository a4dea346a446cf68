// Manifests, parameter schemas and bundles (docs/generators.md).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <functional>
#include <nlohmann/json.hpp>
#include <string>

#include "core/hash.h"
#include "core/limits.h"
#include "render/generator.h"
#include "tests/render/test_util.h"

namespace atelier::render {
namespace {

namespace fs = std::filesystem;
using atelier::testing::TempDir;
using nlohmann::json;
using ::testing::HasSubstr;

json base_manifest() {
  return json::parse(
      atelier::testing::read_text(atelier::testing::fixture_dir("test-gen") / "manifest.json"));
}

Manifest must_parse(const json& j, std::string_view dir = "") {
  auto m = parse_manifest(j.dump(), dir);
  EXPECT_TRUE(m) << (m ? "" : m.error().to_string());
  return m ? *m : Manifest{};
}

void expect_manifest_error(const json& j, const std::string& code, const std::string& field_part,
                           std::string_view dir = "") {
  auto m = parse_manifest(j.dump(), dir);
  ASSERT_FALSE(m) << "accepted: " << j.dump();
  EXPECT_EQ(m.error().code, code) << m.error().to_string();
  EXPECT_EQ(m.error().kind, ErrorKind::kInvalidInput);
  EXPECT_THAT(m.error().field, HasSubstr(field_part)) << m.error().to_string();
}

// --- manifest ----------------------------------------------------------------------------

TEST(Manifest, ParsesTheFixture) {
  Manifest m = must_parse(base_manifest(), "test-gen");
  EXPECT_EQ(m.name, "test-gen");
  EXPECT_EQ(m.version, "1.2.3");
  EXPECT_EQ(m.script, "main.lua");
  EXPECT_EQ(m.aspect_min, 0.5);
  EXPECT_EQ(m.aspect_max, 2.0);
  ASSERT_EQ(m.params.size(), 5u);
  const ParamSpec* count = m.param("count");
  ASSERT_NE(count, nullptr);
  EXPECT_EQ(count->type, ParamType::kInteger);
  EXPECT_EQ(count->min, 1);
  EXPECT_EQ(count->max, 10);
  EXPECT_EQ(std::get<std::int64_t>(count->default_value), 3);
  EXPECT_EQ(m.param("palette")->options, (std::vector<std::string>{"dusk", "kelp"}));
  EXPECT_EQ(m.param("nope"), nullptr);
  ASSERT_NE(m.input("control"), nullptr);
  EXPECT_EQ(m.input("control")->kind, "image");
}

TEST(Manifest, CanonicalJsonRoundTrips) {
  Manifest m = must_parse(base_manifest());
  std::string canon = manifest_canonical_json(m);
  Manifest again = must_parse(json::parse(canon));
  EXPECT_EQ(manifest_canonical_json(again), canon);
  EXPECT_EQ(canon.find("\": "), std::string::npos);
  EXPECT_EQ(canon, manifest_canonical_json(must_parse(json::parse(canon))));
}

TEST(Manifest, ExamplesParse) {
  for (const char* name : {"circle-packing", "flow-field", "pen-plotter"}) {
    auto text = atelier::testing::read_text(atelier::testing::example_dir(name) / "manifest.json");
    auto m = parse_manifest(text, name);
    ASSERT_TRUE(m) << name << ": " << m.error().to_string();
    EXPECT_EQ(m->name, name);
    EXPECT_FALSE(m->params.empty()) << name;
  }
}

TEST(Manifest, UnknownFieldsAreRefused) {
  auto j = base_manifest();
  j["author"] = "me";
  expect_manifest_error(j, "unknown_field", "author");
  j = base_manifest();
  j["params"][0]["step"] = 1;
  expect_manifest_error(j, "unknown_field", "step");
}

TEST(Manifest, NameMustMatchTheDirectoryAndBeValid) {
  expect_manifest_error(base_manifest(), "name_mismatch", "name", "other-dir");
  for (const char* bad : {"Test-Gen", "-lead", "has space", "dot.name", ""}) {
    auto j = base_manifest();
    j["name"] = bad;
    expect_manifest_error(j, "invalid_manifest", "name");
  }
  auto j = base_manifest();
  j["name"] = std::string(static_cast<std::size_t>(limits::kNameBytesMax), 'a');
  EXPECT_TRUE(parse_manifest(j.dump(), ""));
  j["name"] = std::string(static_cast<std::size_t>(limits::kNameBytesMax) + 1, 'a');
  expect_manifest_error(j, "invalid_manifest", "name");
  // The name defaults to the directory name.
  j = base_manifest();
  j.erase("name");
  EXPECT_EQ(must_parse(j, "test-gen").name, "test-gen");
}

TEST(Manifest, BadParamTypes) {
  auto j = base_manifest();
  j["params"][0]["type"] = "float";
  expect_manifest_error(j, "invalid_manifest", "params.count.type");
  j = base_manifest();
  j["params"][0].erase("type");
  expect_manifest_error(j, "invalid_manifest", "params.count");
  j = base_manifest();
  j["params"][0]["min"] = "1";
  expect_manifest_error(j, "invalid_manifest", "params.count");
  j = base_manifest();
  j["params"][1].erase("max");
  expect_manifest_error(j, "invalid_manifest", "params.scale");
  j = base_manifest();
  j["params"][3].erase("options");
  expect_manifest_error(j, "invalid_manifest", "params.palette.options");
  j = base_manifest();
  j["params"][3]["options"] = json::array({"a", 1});
  expect_manifest_error(j, "invalid_manifest", "params.palette.options");
  j = base_manifest();
  j["params"][0]["name"] = "Bad Name";
  expect_manifest_error(j, "invalid_manifest", "params[0].name");
  j = base_manifest();
  j["params"][1]["name"] = "count";
  expect_manifest_error(j, "invalid_manifest", "params.count");
  j = base_manifest();
  j["params"] = json::object();
  expect_manifest_error(j, "invalid_manifest", "params");
}

TEST(Manifest, MinAboveMax) {
  auto j = base_manifest();
  j["params"][1]["min"] = 3;
  j["params"][1]["max"] = 2;
  j["params"][1]["default"] = 2.5;
  expect_manifest_error(j, "invalid_manifest", "params.scale");
}

TEST(Manifest, DefaultsAreChecked) {
  auto j = base_manifest();
  j["params"][0]["default"] = 11;  // Above max 10.
  auto m = parse_manifest(j.dump(), "");
  ASSERT_FALSE(m);
  EXPECT_EQ(m.error().code, "param_out_of_range");
  EXPECT_THAT(m.error().field, HasSubstr("params.count.default"));
  j = base_manifest();
  j["params"][0]["default"] = 2.5;  // Not an integer.
  expect_manifest_error(j, "invalid_param", "params.count.default");
  j = base_manifest();
  j["params"][3]["default"] = "sepia";  // Not an option.
  expect_manifest_error(j, "param_out_of_range", "params.palette.default");
  j = base_manifest();
  j["params"][4]["default"] = "red";  // Not #rrggbb.
  expect_manifest_error(j, "invalid_param", "params.ink.default");
  j = base_manifest();
  j["params"][2]["default"] = "false";  // A string, not a boolean.
  expect_manifest_error(j, "invalid_param", "params.outline.default");
  j = base_manifest();
  j["params"][2].erase("default");
  expect_manifest_error(j, "invalid_manifest", "params.outline.default");
  j = base_manifest();
  j["params"][1]["default"] = json::array();
  expect_manifest_error(j, "invalid_manifest", "params.scale.default");
}

TEST(Manifest, AspectRatioAndInputs) {
  auto j = base_manifest();
  j["aspect_ratio"] = {{"min", 2}, {"max", 1}};
  expect_manifest_error(j, "invalid_manifest", "aspect_ratio");
  j["aspect_ratio"] = {{"min", 0}, {"max", 1}};
  expect_manifest_error(j, "invalid_manifest", "aspect_ratio");
  j["aspect_ratio"] = "1:1";
  expect_manifest_error(j, "invalid_manifest", "aspect_ratio");
  j = base_manifest();
  j["inputs"][0]["kind"] = "audio";
  expect_manifest_error(j, "invalid_manifest", "inputs.control");
  j = base_manifest();
  j["inputs"].push_back(j["inputs"][0]);
  expect_manifest_error(j, "invalid_manifest", "inputs.control");
  j = base_manifest();
  j["params"] = json::array();
  for (int i = 0; i <= limits::kParamsMax; ++i) {
    j["params"].push_back(
        {{"name", "p" + std::to_string(i)}, {"type", "boolean"}, {"default", true}});
  }
  expect_manifest_error(j, "invalid_manifest", "params");
  j["params"].erase(j["params"].size() - 1);
  EXPECT_TRUE(parse_manifest(j.dump(), ""));
}

// --- parameters --------------------------------------------------------------------------

TEST(Params, DefaultsAreFilledIn) {
  Manifest m = must_parse(base_manifest());
  auto p = resolve_params(m, "{}");
  ASSERT_TRUE(p) << p.error().to_string();
  ASSERT_EQ(p->size(), 5u);
  EXPECT_EQ(std::get<std::int64_t>(p->at("count")), 3);
  EXPECT_EQ(std::get<double>(p->at("scale")), 1.0);
  EXPECT_EQ(std::get<bool>(p->at("outline")), false);
  EXPECT_EQ(std::get<std::string>(p->at("palette")), "dusk");
  EXPECT_EQ(std::get<std::string>(p->at("ink")), "#101010");
  EXPECT_EQ(params_canonical_json(*p),
            R"({"count":3,"ink":"#101010","outline":false,"palette":"dusk","scale":1})");
  auto empty = resolve_params(m, "");
  ASSERT_TRUE(empty);
  EXPECT_EQ(*empty, *p);
}

TEST(Params, GivenValuesAreTypedBySchema) {
  Manifest m = must_parse(base_manifest());
  auto p = resolve_params(
      m, R"({"count": 7.0, "scale": 2, "outline": true, "palette": "kelp", "ink": "#AbCdEf"})");
  ASSERT_TRUE(p) << p.error().to_string();
  EXPECT_EQ(std::get<std::int64_t>(p->at("count")), 7);  // 7.0 is an integer value.
  EXPECT_EQ(std::get<double>(p->at("scale")), 2.0);      // A number param holds a double.
  EXPECT_EQ(std::get<bool>(p->at("outline")), true);
  EXPECT_EQ(std::get<std::string>(p->at("palette")), "kelp");
  EXPECT_EQ(std::get<std::string>(p->at("ink")),
            "#abcdef");  // Colours are normalised to lowercase.
}

void expect_param_error(const Manifest& m, const std::string& params, const std::string& code,
                        const std::string& field) {
  auto p = resolve_params(m, params);
  ASSERT_FALSE(p) << "accepted " << params;
  EXPECT_EQ(p.error().code, code) << params << " -> " << p.error().to_string();
  EXPECT_EQ(p.error().field, field) << params;
  EXPECT_THAT(p.error().message, HasSubstr(field.substr(std::string("params.").size()))) << params;
  EXPECT_EQ(p.error().kind, ErrorKind::kInvalidInput);
}

TEST(Params, ErrorsNameTheParam) {
  Manifest m = must_parse(base_manifest());
  expect_param_error(m, R"({"density": 1})", "unknown_param", "params.density");
  expect_param_error(m, R"({"count": 11})", "param_out_of_range", "params.count");
  expect_param_error(m, R"({"count": 0})", "param_out_of_range", "params.count");
  expect_param_error(m, R"({"count": 2.5})", "invalid_param", "params.count");
  expect_param_error(m, R"({"count": "3"})", "invalid_param", "params.count");
  expect_param_error(m, R"({"scale": 2.5000001})", "param_out_of_range", "params.scale");
  expect_param_error(m, R"({"scale": 0.4999})", "param_out_of_range", "params.scale");
  expect_param_error(m, R"({"scale": true})", "invalid_param", "params.scale");
  expect_param_error(m, R"({"outline": "true"})", "invalid_param", "params.outline");
  expect_param_error(m, R"({"outline": 1})", "invalid_param", "params.outline");
  expect_param_error(m, R"({"palette": "sepia"})", "param_out_of_range", "params.palette");
  expect_param_error(m, R"({"palette": 1})", "invalid_param", "params.palette");
  expect_param_error(m, R"({"ink": "red"})", "invalid_param", "params.ink");
  expect_param_error(m, R"({"ink": "#fff"})", "invalid_param", "params.ink");
  expect_param_error(m, R"({"ink": "#12345g"})", "invalid_param", "params.ink");
  expect_param_error(m, R"({"scale": [1]})", "invalid_param", "params.scale");
  // Both ends of each range are inside it.
  EXPECT_TRUE(resolve_params(m, R"({"count": 1, "scale": 0.5})"));
  EXPECT_TRUE(resolve_params(m, R"({"count": 10, "scale": 2.5})"));
  auto not_object = resolve_params(m, "[1]");
  ASSERT_FALSE(not_object);
  EXPECT_EQ(not_object.error().code, "invalid_params");
  EXPECT_FALSE(resolve_params(m, R"({"count": 1, "count": 2})"));
}

TEST(Params, CheckParamsRechecksTypedValues) {
  Manifest m = must_parse(base_manifest());
  std::map<std::string, ParamValue> given = {{"count", std::int64_t{4}},
                                             {"scale", std::int64_t{2}}};
  auto p = check_params(m, given);
  ASSERT_TRUE(p);
  EXPECT_EQ(std::get<double>(p->at("scale")), 2.0);
  EXPECT_EQ(p->size(), 5u);
  given["count"] = std::int64_t{99};
  auto bad = check_params(m, given);
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().field, "params.count");
}

TEST(Params, FromCliText) {
  Manifest m = must_parse(base_manifest());
  auto count = param_from_text(*m.param("count"), "4");
  ASSERT_TRUE(count);
  EXPECT_EQ(std::get<std::int64_t>(*count), 4);
  auto scale = param_from_text(*m.param("scale"), "0.75");
  ASSERT_TRUE(scale);
  EXPECT_EQ(std::get<double>(*scale), 0.75);
  EXPECT_EQ(std::get<bool>(param_from_text(*m.param("outline"), "true").value()), true);
  EXPECT_EQ(std::get<bool>(param_from_text(*m.param("outline"), "0").value()), false);
  EXPECT_EQ(std::get<std::string>(param_from_text(*m.param("palette"), "kelp").value()), "kelp");
  EXPECT_EQ(std::get<std::string>(param_from_text(*m.param("ink"), "#FF0000").value()), "#ff0000");
  for (auto [name, text] : {std::pair<const char*, const char*>{"count", "four"},
                            {"count", "4.5"},
                            {"count", "11"},
                            {"scale", "1,5"},
                            {"scale", ""},
                            {"scale", "3"},
                            {"outline", "yes"},
                            {"palette", "sepia"},
                            {"ink", "blue"}}) {
    auto r = param_from_text(*m.param(name), text);
    ASSERT_FALSE(r) << name << "=" << text;
    EXPECT_EQ(r.error().field, std::string("params.") + name);
  }
}

// --- bundles -----------------------------------------------------------------------------

// The documented bundle hash, computed here from scratch: sha256 of
// {"files":{"<path>":"<sha256>",...}} with paths sorted (ASCII paths sort the same in UTF-16).
std::string expected_bundle_hash(const fs::path& dir) {
  std::map<std::string, std::string> files;
  for (const auto& e : fs::recursive_directory_iterator(dir)) {
    if (!e.is_regular_file() || e.path().filename().string()[0] == '.') continue;
    files[fs::relative(e.path(), dir).generic_string()] =
        sha256_hex(atelier::testing::read_text(e.path()));
  }
  std::string text = R"({"files":{)";
  bool first = true;
  for (const auto& [path, sha] : files) {
    if (!first) text += ",";
    first = false;
    text += "\"" + path + "\":\"" + sha + "\"";
  }
  text += "}}";
  return sha256_hex(text);
}

TEST(Bundle, HashFollowsTheDocumentedFormula) {
  for (const fs::path& dir :
       {atelier::testing::fixture_dir("test-gen"), atelier::testing::example_dir("pen-plotter"),
        atelier::testing::example_dir("flow-field")}) {
    auto b = load_bundle(dir);
    ASSERT_TRUE(b) << dir << ": " << b.error().to_string();
    EXPECT_EQ(b->hash, expected_bundle_hash(dir)) << dir;
    EXPECT_TRUE(b->files.contains("manifest.json"));
    EXPECT_TRUE(b->files.contains("main.lua"));
    auto again = load_bundle(dir);
    ASSERT_TRUE(again);
    EXPECT_EQ(again->hash, b->hash);
  }
}

TEST(Bundle, AnyChangeIsANewHashButHiddenFilesAreIgnored) {
  TempDir tmp;
  auto dir = atelier::testing::copy_bundle(atelier::testing::fixture_dir("test-gen"), tmp.path(),
                                           "test-gen");
  auto original = load_bundle(dir);
  ASSERT_TRUE(original);
  atelier::testing::write_text(dir / ".DS_Store", "junk");
  fs::create_directories(dir / ".git");
  atelier::testing::write_text(dir / ".git" / "HEAD", "ref");
  EXPECT_EQ(load_bundle(dir).value().hash, original->hash);
  atelier::testing::write_text(dir / "main.lua",
                               atelier::testing::read_text(dir / "main.lua") + "\n-- edit\n");
  auto edited = load_bundle(dir);
  ASSERT_TRUE(edited);
  EXPECT_NE(edited->hash, original->hash);
  atelier::testing::write_text(dir / "notes.txt", "an asset");
  auto with_asset = load_bundle(dir);
  ASSERT_TRUE(with_asset);
  EXPECT_NE(with_asset->hash, edited->hash);
  EXPECT_TRUE(with_asset->files.contains("notes.txt"));
}

TEST(Bundle, Errors) {
  TempDir tmp;
  auto missing = load_bundle(tmp / "nope");
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().code, "bundle_not_found");

  fs::create_directories(tmp / "empty-gen");
  auto no_manifest = load_bundle(tmp / "empty-gen");
  ASSERT_FALSE(no_manifest);
  EXPECT_EQ(no_manifest.error().code, "manifest_missing");

  auto dir = atelier::testing::copy_bundle(atelier::testing::fixture_dir("test-gen"), tmp.path(),
                                           "test-gen");
  fs::remove(dir / "main.lua");
  auto no_script = load_bundle(dir);
  ASSERT_FALSE(no_script);
  EXPECT_EQ(no_script.error().code, "script_missing");

  atelier::testing::write_text(dir / "main.lua", "local x = 1\nlocal y = = 2\n");
  auto syntax = load_bundle(dir);
  ASSERT_FALSE(syntax);
  EXPECT_EQ(syntax.error().code, "script_syntax_error");
  EXPECT_THAT(syntax.error().message, HasSubstr("main.lua:2"));

  // Precompiled bytecode is not a script.
  atelier::testing::write_text(dir / "main.lua", std::string("\x1bLua\x54\x00", 6));
  auto bytecode = load_bundle(dir);
  ASSERT_FALSE(bytecode);
  EXPECT_EQ(bytecode.error().code, "script_syntax_error");

  auto renamed = atelier::testing::copy_bundle(atelier::testing::fixture_dir("test-gen"),
                                               tmp.path(), "renamed");
  auto mismatch = load_bundle(renamed);
  ASSERT_FALSE(mismatch);
  EXPECT_EQ(mismatch.error().code, "name_mismatch");
}

// Issue 14: `ln -s /etc/passwd bundle/notes.txt` made `generator add` copy the outside file
// into the store under a ../../.. path, which GET /v1/generators/{name} then disclosed.
TEST(Bundle, SymlinksAreRefusedWhereverTheyPoint) {
  TempDir tmp;
  fs::create_directories(tmp / "private");
  atelier::testing::write_text(tmp / "private" / "secret.txt", "outside the bundle");
  struct Case {
    const char* what;
    std::function<void(const fs::path& bundle)> make;
    const char* entry;
  };
  const fs::path secret = tmp / "private" / "secret.txt";
  for (const Case& c : {
           Case{"file link to outside",
                [&](const fs::path& d) { fs::create_symlink(secret, d / "notes.txt"); },
                "notes.txt"},
           Case{"file link to /etc/passwd",
                [&](const fs::path& d) { fs::create_symlink("/etc/passwd", d / "pw"); }, "pw"},
           Case{"relative link to outside",
                [&](const fs::path& d) {
                  fs::create_symlink("../private/secret.txt", d / "rel.txt");
                },
                "rel.txt"},
           Case{"directory link to outside",
                [&](const fs::path& d) {
                  fs::create_directory_symlink(tmp / "private", d / "assets");
                },
                "assets"},
           Case{"nested link",
                [&](const fs::path& d) {
                  fs::create_directories(d / "img");
                  fs::create_symlink(secret, d / "img" / "a.png");
                },
                "img/a.png"},
           Case{"link to a file inside",
                [&](const fs::path& d) { fs::create_symlink(d / "main.lua", d / "copy.lua"); },
                "copy.lua"},
           Case{"dangling link",
                [&](const fs::path& d) { fs::create_symlink(tmp / "nowhere", d / "gone.png"); },
                "gone.png"},
       }) {
    TempDir work;
    auto dir = atelier::testing::copy_bundle(atelier::testing::fixture_dir("test-gen"), work.path(),
                                             "test-gen");
    c.make(dir);
    auto b = load_bundle(dir);
    ASSERT_FALSE(b) << c.what;
    EXPECT_EQ(b.error().code, "bundle_symlink") << c.what << ": " << b.error().to_string();
    EXPECT_EQ(b.error().field, "dir");
    EXPECT_THAT(b.error().message, HasSubstr(std::string("\"") + c.entry + "\"")) << c.what;
  }
}

TEST(Bundle, ManifestPathsMustStayInsideTheBundle) {
  const std::string base = R"({"name": "test-gen", "script": "main.lua", "inputs": [)";
  struct Case {
    std::string manifest;
    const char* field;
  };
  for (const Case& c : {
           Case{R"({"name": "test-gen", "script": "../other/main.lua"})", "manifest.script"},
           Case{R"({"name": "test-gen", "script": "/etc/passwd"})", "manifest.script"},
           Case{R"({"name": "test-gen", "script": "lib/../../main.lua"})", "manifest.script"},
           Case{R"({"name": "test-gen", "script": "./main.lua"})", "manifest.script"},
           Case{R"({"name": "test-gen", "script": "..\\main.lua"})", "manifest.script"},
           Case{R"({"name": "test-gen", "script": ""})", "manifest.script"},
           Case{base + R"({"name": "control", "default": "../private/x.png"}]})",
                "manifest.inputs.control.default"},
           Case{base + R"({"name": "control", "default": "/home/studio/x.png"}]})",
                "manifest.inputs.control.default"},
           Case{base + R"({"name": "control", "default": "img//x.png"}]})",
                "manifest.inputs.control.default"},
       }) {
    auto m = parse_manifest(c.manifest, "test-gen");
    ASSERT_FALSE(m) << c.manifest;
    EXPECT_EQ(m.error().code, "bundle_path_outside") << c.manifest << ": " << m.error().to_string();
    EXPECT_EQ(m.error().field, c.field) << c.manifest;
  }
  // Nested paths inside the bundle are fine.
  auto ok = parse_manifest(base + R"({"name": "control", "default": "img/x.png"}]})", "test-gen");
  ASSERT_TRUE(ok) << ok.error().to_string();
  EXPECT_EQ(ok->inputs.at(0).default_file, "img/x.png");

  // Through load_bundle: an input default that climbs out is refused before any file is read.
  TempDir tmp;
  fs::create_directories(tmp / "private");
  atelier::testing::write_text(tmp / "private" / "x.png", "not in the bundle");
  auto dir = atelier::testing::copy_bundle(atelier::testing::fixture_dir("test-gen"), tmp.path(),
                                           "test-gen");
  atelier::testing::write_text(
      dir / "manifest.json",
      R"({"name": "test-gen", "inputs": [{"name": "control", "default": "../private/x.png"}]})");
  auto b = load_bundle(dir);
  ASSERT_FALSE(b);
  EXPECT_EQ(b.error().code, "bundle_path_outside");
  EXPECT_EQ(b.error().field, "manifest.inputs.control.default");
}

TEST(Bundle, ScriptSizeLimitBothSides) {
  TempDir tmp;
  auto dir = atelier::testing::copy_bundle(atelier::testing::fixture_dir("test-gen"), tmp.path(),
                                           "test-gen");
  std::string script = atelier::testing::read_text(dir / "main.lua") + "\n--";
  script += std::string(static_cast<std::size_t>(limits::kScriptBytesMax) - script.size(), 'x');
  ASSERT_EQ(script.size(), static_cast<std::size_t>(limits::kScriptBytesMax));
  atelier::testing::write_text(dir / "main.lua", script);
  auto ok = load_bundle(dir);
  ASSERT_TRUE(ok) << ok.error().to_string();
  atelier::testing::write_text(dir / "main.lua", script + "x");
  auto big = load_bundle(dir);
  ASSERT_FALSE(big);
  EXPECT_EQ(big.error().code, "script_too_large");
}

TEST(Bundle, FileCountLimitBothSides) {
  TempDir tmp;
  auto dir = atelier::testing::copy_bundle(atelier::testing::fixture_dir("test-gen"), tmp.path(),
                                           "test-gen");
  int have = 2;
  for (; have < limits::kBundleFilesMax; ++have) {
    atelier::testing::write_text(dir / ("asset" + std::to_string(have) + ".txt"), "x");
  }
  ASSERT_TRUE(load_bundle(dir));
  atelier::testing::write_text(dir / "one-more.txt", "x");
  auto r = load_bundle(dir);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, "bundle_too_large");
}

TEST(Bundle, InputDefaultMustBeInTheBundle) {
  TempDir tmp;
  auto dir = atelier::testing::copy_bundle(atelier::testing::fixture_dir("test-gen"), tmp.path(),
                                           "test-gen");
  auto m = base_manifest();
  m["inputs"][0]["default"] = "control.png";
  atelier::testing::write_text(dir / "manifest.json", m.dump());
  auto r = load_bundle(dir);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, "input_default_missing");
  EXPECT_EQ(r.error().field, "manifest.inputs.control");
}

}  // namespace
}  // namespace atelier::render
