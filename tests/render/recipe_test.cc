// parse_recipe / recipe_canonical_json: the strict, canonical recipe (DESIGN.md "Recipe").
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <set>
#include <string>

#include "core/hash.h"
#include "core/limits.h"
#include "render/recipe.h"
#include "tests/render/test_util.h"

namespace atelier::render {
namespace {

using nlohmann::json;
using ::testing::HasSubstr;

const std::string kGenHash = sha256_hex(std::string_view("bundle"));

json base_recipe() {
  return json::parse(R"({
    "version": 1,
    "generator": {"name": "flow-field", "hash": ")" + kGenHash + R"("},
    "token_hash": ")" + std::string(atelier::testing::kTokenA) + R"(",
    "width": 256, "height": 128,
    "format": "png", "quality": 90,
    "params": {"turbulence": 1.5, "lines": 100, "palette": "dusk", "outline": false},
    "inputs": {}
  })");
}

Result<Recipe> parse(const json& j) { return parse_recipe(j.dump()); }

void expect_error(const json& j, const std::string& code, const std::string& field) {
  auto r = parse(j);
  ASSERT_FALSE(r) << "accepted: " << j.dump();
  EXPECT_EQ(r.error().code, code) << j.dump() << " -> " << r.error().to_string();
  EXPECT_EQ(r.error().field, field) << j.dump() << " -> " << r.error().to_string();
}

TEST(Recipe, ParsesAndWritesTheCanonicalForm) {
  auto r = parse(base_recipe());
  ASSERT_TRUE(r) << r.error().to_string();
  EXPECT_EQ(r->generator_name, "flow-field");
  EXPECT_EQ(r->generator_hash, kGenHash);
  EXPECT_EQ(r->token_hash, atelier::testing::kTokenA);
  EXPECT_EQ(r->width, 256);
  EXPECT_EQ(r->height, 128);
  EXPECT_EQ(r->format, ImageFormat::kPng);
  EXPECT_EQ(r->quality, 90);
  ASSERT_EQ(r->params.size(), 4u);
  EXPECT_EQ(std::get<std::int64_t>(r->params.at("lines")), 100);
  EXPECT_EQ(std::get<double>(r->params.at("turbulence")), 1.5);
  EXPECT_EQ(std::get<std::string>(r->params.at("palette")), "dusk");
  EXPECT_EQ(std::get<bool>(r->params.at("outline")), false);

  // RFC 8785 by hand: members sorted, no whitespace, integers without ".0".
  const std::string expected =
      R"({"format":"png","generator":{"hash":")" + kGenHash +
      R"(","name":"flow-field"},"height":128,)"
      R"("inputs":{},"params":{"lines":100,"outline":false,"palette":"dusk","turbulence":1.5},)"
      R"("quality":90,"token_hash":")" +
      std::string(atelier::testing::kTokenA) + R"(","version":1,"width":256})";
  EXPECT_EQ(recipe_canonical_json(*r), expected);
  EXPECT_EQ(recipe_id(*r), sha256_hex(expected));

  // The canonical text parses back to the same recipe and the same bytes.
  auto again = parse_recipe(expected);
  ASSERT_TRUE(again) << again.error().to_string();
  EXPECT_EQ(recipe_canonical_json(*again), expected);
  EXPECT_EQ(recipe_id(*again), recipe_id(*r));
}

TEST(Recipe, InputsAreCarriedAndChangeTheId) {
  auto j = base_recipe();
  auto plain = parse(j);
  std::string control = sha256_hex(std::string_view("control image"));
  j["inputs"]["control"] = control;
  auto with = parse(j);
  ASSERT_TRUE(plain && with);
  EXPECT_EQ(with->inputs.at("control"), control);
  EXPECT_THAT(recipe_canonical_json(*with),
              HasSubstr(R"("inputs":{"control":")" + control + R"("})"));
  EXPECT_NE(recipe_id(*with), recipe_id(*plain));
}

TEST(Recipe, EveryFieldChangesTheId) {
  auto base = parse(base_recipe());
  ASSERT_TRUE(base);
  std::set<std::string> ids = {recipe_id(*base)};
  Recipe r = *base;
  r.token_hash = atelier::testing::kTokenB;
  ids.insert(recipe_id(r));
  r = *base, r.width = 257, ids.insert(recipe_id(r));
  r = *base, r.height = 129, ids.insert(recipe_id(r));
  r = *base, r.format = ImageFormat::kWebp, ids.insert(recipe_id(r));
  r = *base, r.quality = 89, ids.insert(recipe_id(r));
  r = *base, r.params["lines"] = std::int64_t{101}, ids.insert(recipe_id(r));
  r = *base, r.generator_hash = sha256_hex(std::string_view("other")), ids.insert(recipe_id(r));
  r = *base, r.generator_name = "flow-field-2", ids.insert(recipe_id(r));
  EXPECT_EQ(ids.size(), 9u);
}

TEST(Recipe, EveryFieldIsRequired) {
  for (const char* field : {"version", "generator", "token_hash", "width", "height", "format",
                            "quality", "params", "inputs"}) {
    auto j = base_recipe();
    j.erase(field);
    auto r = parse(j);
    ASSERT_FALSE(r) << "accepted without " << field;
    EXPECT_EQ(r.error().code, "missing_field") << field;
    EXPECT_EQ(r.error().field, field);
    EXPECT_THAT(r.error().message, HasSubstr(field));
    EXPECT_EQ(r.error().kind, ErrorKind::kInvalidInput);
  }
}

TEST(Recipe, UnknownFieldsAreRefusedByName) {
  auto j = base_recipe();
  j["colour"] = "red";
  auto r = parse(j);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, "unknown_field");
  EXPECT_EQ(r.error().field, "colour");
  EXPECT_THAT(r.error().message, HasSubstr("colour"));

  auto g = base_recipe();
  g["generator"]["version"] = "1.0";
  expect_error(g, "invalid_recipe", "generator");
}

TEST(Recipe, DuplicateKeysAndNonObjectsAreRefused) {
  std::string text = base_recipe().dump();
  text.insert(1, R"("width":512,)");
  auto r = parse_recipe(text);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, "duplicate_key");
  for (const char* bad : {"[]", "1", "\"recipe\"", "null", "", "{"}) {
    EXPECT_FALSE(parse_recipe(bad)) << bad;
  }
}

TEST(Recipe, TokenHashSyntax) {
  std::string good = atelier::testing::kTokenA;
  std::string upper = good;
  upper[5] = 'B';
  for (const std::string& bad :
       {good.substr(0, 65), good + "0", "0X" + good.substr(2), good.substr(2) + "00", upper,
        "0x" + std::string(63, 'a') + "g", std::string(""), std::string("0x")}) {
    auto j = base_recipe();
    j["token_hash"] = bad;
    expect_error(j, "invalid_token_hash", "token_hash");
    EXPECT_FALSE(check_token_hash(bad)) << bad;
  }
  auto j = base_recipe();
  j["token_hash"] = 12;
  expect_error(j, "invalid_recipe", "token_hash");
  EXPECT_TRUE(check_token_hash(good));
}

TEST(Recipe, GeneratorShape) {
  auto j = base_recipe();
  j["generator"]["hash"] = std::string(64, 'A');
  expect_error(j, "invalid_recipe", "generator.hash");
  j = base_recipe();
  j["generator"]["hash"] = kGenHash.substr(1);
  expect_error(j, "invalid_recipe", "generator.hash");
  j = base_recipe();
  j["generator"] = "flow-field";
  expect_error(j, "invalid_recipe", "generator");
  j = base_recipe();
  j["generator"]["name"] = 7;
  expect_error(j, "invalid_recipe", "generator");
}

TEST(Recipe, VersionMustBeOne) {
  auto j = base_recipe();
  j["version"] = 2;
  expect_error(j, "invalid_recipe", "version");
  j["version"] = "1";
  expect_error(j, "invalid_recipe", "version");
}

TEST(Recipe, SizeLimitsBothSides) {
  auto with_size = [](std::int64_t w, std::int64_t h) {
    auto j = base_recipe();
    j["width"] = w;
    j["height"] = h;
    return parse(j);
  };
  EXPECT_TRUE(with_size(limits::kImageWidthMax, 1));
  EXPECT_TRUE(with_size(1, limits::kImageHeightMax));
  EXPECT_TRUE(with_size(1, 1));
  auto wide = with_size(limits::kImageWidthMax + 1, 1);
  ASSERT_FALSE(wide);
  EXPECT_EQ(wide.error().code, "invalid_size");
  EXPECT_EQ(wide.error().field, "width");
  EXPECT_THAT(wide.error().message, HasSubstr("image_width_max"));
  auto tall = with_size(1, limits::kImageHeightMax + 1);
  ASSERT_FALSE(tall);
  EXPECT_EQ(tall.error().field, "height");
  EXPECT_THAT(tall.error().message, HasSubstr("image_height_max"));
  for (auto [w, h] : {std::pair<std::int64_t, std::int64_t>{0, 10}, {10, 0}, {-1, 10}, {10, -5}}) {
    auto r = with_size(w, h);
    ASSERT_FALSE(r) << w << "x" << h;
    EXPECT_EQ(r.error().code, "invalid_size");
  }
  // The pixel limit: 8192 x 8192 is exactly image_pixels_max (64 Mpx).
  ASSERT_EQ(8192 * 8192, limits::kImagePixelsMax);
  EXPECT_TRUE(with_size(8192, 8192));
  auto big = with_size(8192, 8193);
  ASSERT_FALSE(big);
  EXPECT_EQ(big.error().code, "image_too_large");
  EXPECT_THAT(big.error().message, HasSubstr("image_pixels_max"));
  EXPECT_FALSE(check_size(limits::kImageWidthMax, limits::kImageHeightMax));
  EXPECT_FALSE(check_size(100000, 100000));
  auto j = base_recipe();
  j["width"] = 256.0;
  expect_error(j, "invalid_recipe", "width");
  j = base_recipe();
  j["height"] = "128";
  expect_error(j, "invalid_recipe", "height");
}

TEST(Recipe, FormatNames) {
  for (auto [name, fmt] : {std::pair<const char*, ImageFormat>{"png", ImageFormat::kPng},
                           {"jpeg", ImageFormat::kJpeg},
                           {"webp", ImageFormat::kWebp},
                           {"avif", ImageFormat::kAvif}}) {
    auto j = base_recipe();
    j["format"] = name;
    auto r = parse(j);
    ASSERT_TRUE(r) << name;
    EXPECT_EQ(r->format, fmt);
    EXPECT_STREQ(image_format_name(fmt), name);
  }
  // Only canonical names in a recipe; "jpg" is an alias for requests, not a recipe spelling.
  for (const char* bad : {"jpg", "PNG", "gif", "", "png "}) {
    auto j = base_recipe();
    j["format"] = bad;
    expect_error(j, "invalid_recipe", "format");
  }
  EXPECT_EQ(parse_image_format("jpg"), ImageFormat::kJpeg);
  EXPECT_FALSE(parse_image_format("tiff"));
  EXPECT_STREQ(image_mime_type(ImageFormat::kWebp), "image/webp");
  EXPECT_STREQ(image_file_extension(ImageFormat::kJpeg), "jpg");
}

TEST(Recipe, QualityRange) {
  for (int q : {limits::kQualityMin, 50, limits::kQualityMax}) {
    auto j = base_recipe();
    j["quality"] = q;
    auto r = parse(j);
    ASSERT_TRUE(r) << q;
    EXPECT_EQ(r->quality, q);
  }
  for (int q : {limits::kQualityMin - 1, limits::kQualityMax + 1, -90}) {
    auto j = base_recipe();
    j["quality"] = q;
    expect_error(j, "invalid_recipe", "quality");
  }
}

TEST(Recipe, ParamValuesMustBeScalars) {
  for (json bad : {json::array({1}), json::object({{"a", 1}}), json(nullptr)}) {
    auto j = base_recipe();
    j["params"]["lines"] = bad;
    expect_error(j, "invalid_recipe", "params.lines");
  }
  auto j = base_recipe();
  j["params"] = json::array();
  expect_error(j, "invalid_recipe", "params");
}

TEST(Recipe, InputsLimitAndSyntax) {
  auto j = base_recipe();
  for (int i = 0; i < limits::kInputsMax; ++i) j["inputs"]["in" + std::to_string(i)] = kGenHash;
  EXPECT_TRUE(parse(j));
  j["inputs"]["one-too-many"] = kGenHash;
  expect_error(j, "invalid_recipe", "inputs");
  j = base_recipe();
  j["inputs"]["control"] = "not-a-sha";
  expect_error(j, "invalid_recipe", "inputs.control");
  j = base_recipe();
  j["inputs"] = json::array();
  expect_error(j, "invalid_recipe", "inputs");
}

TEST(Recipe, ByteLimitBothSides) {
  // Pad a string parameter so the whole text is exactly recipe_bytes_max, then one more byte.
  auto j = base_recipe();
  j["params"]["note"] = "";
  std::size_t base_size = j.dump().size();
  j["params"]["note"] = std::string(limits::kRecipeBytesMax - base_size, 'x');
  ASSERT_EQ(j.dump().size(), static_cast<std::size_t>(limits::kRecipeBytesMax));
  EXPECT_TRUE(parse(j));
  j["params"]["note"] = std::string(limits::kRecipeBytesMax - base_size + 1, 'x');
  auto r = parse(j);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind, ErrorKind::kTooLarge);
  EXPECT_EQ(r.error().code, "recipe_too_large");
}

}  // namespace
}  // namespace atelier::render

namespace atelier::render {
namespace {

// Integer param values outside ±2^53 cannot be written as canonical JSON (I-JSON); parse_recipe
// must refuse them rather than hand back a recipe whose canonicalisation fails (verify would
// then throw), and must not wrap values above INT64_MAX.
TEST(Recipe, ParamIntegersBeyondTwoToThe53AreRefused) {
  for (const char* big : {"9007199254740993", "-9007199254740993", "18446744073709551615"}) {
    auto j = base_recipe();
    std::string text = j.dump();
    auto at = text.find("\"lines\":100");
    ASSERT_NE(at, std::string::npos);
    text.replace(at, std::string("\"lines\":100").size(), std::string("\"lines\":") + big);
    auto r = parse_recipe(text);
    if (r) {
      EXPECT_NO_THROW((void)recipe_canonical_json(*r)) << big;
      ADD_FAILURE() << "accepted params.lines = " << big;
    } else {
      EXPECT_EQ(r.error().field, "params.lines") << big;
    }
  }
}

}  // namespace
}  // namespace atelier::render
