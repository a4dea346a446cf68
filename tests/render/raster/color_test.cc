#include <gtest/gtest.h>

#include <clocale>
#include <string>

#include "render/raster/color.h"

namespace atelier::render {
namespace {

void expect_rgba(const char* text, double r, double g, double b, double a) {
  auto c = parse_css_color(text);
  ASSERT_TRUE(c) << text;
  EXPECT_NEAR(c->r, r, 1e-9) << text;
  EXPECT_NEAR(c->g, g, 1e-9) << text;
  EXPECT_NEAR(c->b, b, 1e-9) << text;
  EXPECT_NEAR(c->a, a, 1e-9) << text;
}

TEST(CssColor, HexForms) {
  expect_rgba("#fff", 1, 1, 1, 1);
  expect_rgba("#f80", 1, 0x88 / 255.0, 0, 1);
  expect_rgba("#f808", 1, 0x88 / 255.0, 0, 0x88 / 255.0);
  expect_rgba("#ff8000", 1, 128 / 255.0, 0, 1);
  expect_rgba("#FF8000", 1, 128 / 255.0, 0, 1);
  expect_rgba("#ff800080", 1, 128 / 255.0, 0, 128 / 255.0);
  expect_rgba("#102030", 16 / 255.0, 32 / 255.0, 48 / 255.0, 1);
  expect_rgba("  #000  ", 0, 0, 0, 1);
}

TEST(CssColor, RgbAndRgba) {
  expect_rgba("rgb(255, 128, 0)", 1, 128 / 255.0, 0, 1);
  expect_rgba("rgb(255,128,0)", 1, 128 / 255.0, 0, 1);
  expect_rgba("rgba(0, 0, 255, 0.5)", 0, 0, 1, 0.5);
  expect_rgba("rgba(10, 20, 30, 0)", 10 / 255.0, 20 / 255.0, 30 / 255.0, 0);
  expect_rgba("rgb(100%, 50%, 0%)", 1, 0.5, 0, 1);
  expect_rgba("rgb(10 20 30 / 0.25)", 10 / 255.0, 20 / 255.0, 30 / 255.0, 0.25);
  expect_rgba("rgb(300, -5, 0)", 1, 0, 0, 1);  // Clamped, as CSS does.
}

TEST(CssColor, HslAndHsla) {
  expect_rgba("hsl(0, 100%, 50%)", 1, 0, 0, 1);
  expect_rgba("hsl(120, 100%, 50%)", 0, 1, 0, 1);
  expect_rgba("hsl(240, 100%, 50%)", 0, 0, 1, 1);
  expect_rgba("hsl(360, 100%, 50%)", 1, 0, 0, 1);
  expect_rgba("hsl(-120, 100%, 50%)", 0, 0, 1, 1);
  expect_rgba("hsl(0, 0%, 25%)", 0.25, 0.25, 0.25, 1);
  expect_rgba("hsla(60, 100%, 50%, 0.2)", 1, 1, 0, 0.2);
  expect_rgba("hsl(30deg, 100%, 50%)", 1, 0.5, 0, 1);
  expect_rgba("hsl(0, 100%, 75%)", 1, 0.5, 0.5, 1);
}

TEST(CssColor, Names) {
  expect_rgba("black", 0, 0, 0, 1);
  expect_rgba("white", 1, 1, 1, 1);
  expect_rgba("transparent", 0, 0, 0, 0);
}

TEST(CssColor, BadInputIsRejected) {
  for (const char* bad : {"",
                          "#",
                          "#ff",
                          "#fffff",
                          "#fffffff",
                          "#gggggg",
                          "#12345g",
                          "ff0000",
                          "rgb(1,2)",
                          "rgb(1,2,3,4,5)",
                          "rgb(a,b,c)",
                          "rgb(1,2,3",
                          "rgb 1,2,3)",
                          "hsl()",
                          "cmyk(1,2,3,4)",
                          "rgb(1,,2,3)x",
                          "rgb(nan, 0, 0)",
                          "rgb(inf, 0, 0)",
                          "rgb(1e999, 0, 0)",
                          "notacolour",
                          "#ff0000 extra"}) {
    EXPECT_FALSE(parse_css_color(bad)) << "accepted \"" << bad << "\"";
  }
  EXPECT_FALSE(parse_css_color(std::string(200, ' ') + "rgb(" + std::string(200, '1') + ",0,0)"));
}

TEST(CssColor, IsLocaleIndependent) {
  // "0.5" must mean one half even under a locale whose decimal separator is a comma.
  const char* old = std::setlocale(LC_NUMERIC, nullptr);
  std::string saved = old ? old : "C";
  bool switched = std::setlocale(LC_NUMERIC, "de_DE.UTF-8") != nullptr;
  auto c = parse_css_color("rgba(0, 0, 0, 0.5)");
  std::setlocale(LC_NUMERIC, saved.c_str());
  ASSERT_TRUE(c);
  EXPECT_EQ(c->a, 0.5);
  if (!switched) GTEST_SKIP() << "de_DE.UTF-8 is not installed; checked under the C locale only";
}

}  // namespace
}  // namespace atelier::render
