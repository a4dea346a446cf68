// color.h — CSS colour strings as scripts write them: #rgb, #rgba, #rrggbb, #rrggbbaa,
// rgb()/rgba() (0–255 channels, alpha 0–1), hsl()/hsla() (degrees, percentages), and a few
// names. Parsing is locale-free (std::from_chars), so "0.5" means one half everywhere.
#pragma once

#include <optional>
#include <string_view>

namespace atelier::render {

struct Rgba {
  double r = 0, g = 0, b = 0, a = 1;  // Each 0..1.
};

std::optional<Rgba> parse_css_color(std::string_view text);

}  // namespace atelier::render
