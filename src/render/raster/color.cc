#include "render/raster/color.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <string>
#include <vector>

namespace atelier::render {

namespace {

int hexval(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::optional<Rgba> parse_hex(std::string_view h) {
  std::vector<int> v;
  for (char c : h) {
    int x = hexval(c);
    if (x < 0) return std::nullopt;
    v.push_back(x);
  }
  Rgba out;
  if (h.size() == 3 || h.size() == 4) {
    out.r = v[0] * 17 / 255.0, out.g = v[1] * 17 / 255.0, out.b = v[2] * 17 / 255.0;
    if (h.size() == 4) out.a = v[3] * 17 / 255.0;
    return out;
  }
  if (h.size() == 6 || h.size() == 8) {
    out.r = (v[0] * 16 + v[1]) / 255.0, out.g = (v[2] * 16 + v[3]) / 255.0,
    out.b = (v[4] * 16 + v[5]) / 255.0;
    if (h.size() == 8) out.a = (v[6] * 16 + v[7]) / 255.0;
    return out;
  }
  return std::nullopt;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// Splits "a, b, c" (commas or spaces, an optional "/" before alpha) into numbers; a trailing
// '%' is reported per item.
bool parse_args(std::string_view body, std::vector<double>& nums, std::vector<bool>& pct) {
  std::string norm(body);
  std::replace(norm.begin(), norm.end(), ',', ' ');
  std::replace(norm.begin(), norm.end(), '/', ' ');
  std::string_view rest(norm);
  while (true) {
    rest = trim(rest);
    if (rest.empty()) break;
    auto end = rest.find(' ');
    auto tok = rest.substr(0, end);
    rest = end == std::string_view::npos ? std::string_view() : rest.substr(end);
    bool is_pct = !tok.empty() && tok.back() == '%';
    if (is_pct) tok.remove_suffix(1);
    if (tok.ends_with("deg")) tok.remove_suffix(3);
    double v = 0;
    auto [p, ec] = std::from_chars(tok.data(), tok.data() + tok.size(), v);
    if (ec != std::errc() || p != tok.data() + tok.size() || !std::isfinite(v)) return false;
    nums.push_back(v);
    pct.push_back(is_pct);
  }
  return true;
}

double clamp01(double v) { return std::clamp(v, 0.0, 1.0); }

double hue_to_rgb(double p, double q, double t) {
  if (t < 0) t += 1;
  if (t > 1) t -= 1;
  if (t < 1.0 / 6) return p + (q - p) * 6 * t;
  if (t < 1.0 / 2) return q;
  if (t < 2.0 / 3) return p + (q - p) * (2.0 / 3 - t) * 6;
  return p;
}

}  // namespace

std::optional<Rgba> parse_css_color(std::string_view text) {
  text = trim(text);
  if (text.size() > 128) return std::nullopt;
  if (text == "black") return Rgba{0, 0, 0, 1};
  if (text == "white") return Rgba{1, 1, 1, 1};
  if (text == "transparent") return Rgba{0, 0, 0, 0};
  if (!text.empty() && text.front() == '#') return parse_hex(text.substr(1));
  auto open = text.find('(');
  if (open == std::string_view::npos || text.back() != ')') return std::nullopt;
  auto fn = trim(text.substr(0, open));
  std::vector<double> n;
  std::vector<bool> pct;
  if (!parse_args(text.substr(open + 1, text.size() - open - 2), n, pct)) return std::nullopt;
  if (n.size() != 3 && n.size() != 4) return std::nullopt;
  double alpha = n.size() == 4 ? clamp01(pct[3] ? n[3] / 100 : n[3]) : 1.0;
  if (fn == "rgb" || fn == "rgba") {
    auto ch = [&](int i) { return clamp01(pct[i] ? n[i] / 100 : n[i] / 255); };
    return Rgba{ch(0), ch(1), ch(2), alpha};
  }
  if (fn == "hsl" || fn == "hsla") {
    double h = std::fmod(n[0], 360.0);
    if (h < 0) h += 360;
    h /= 360;
    double s = clamp01(n[1] / 100), l = clamp01(n[2] / 100);
    if (s == 0) return Rgba{l, l, l, alpha};
    double q = l < 0.5 ? l * (1 + s) : l + s - l * s;
    double p = 2 * l - q;
    return Rgba{hue_to_rgb(p, q, h + 1.0 / 3), hue_to_rgb(p, q, h), hue_to_rgb(p, q, h - 1.0 / 3),
                alpha};
  }
  return std::nullopt;
}

}  // namespace atelier::render
