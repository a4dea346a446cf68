// png_judge.h — runs tests/js/decode-png.mjs (pngjs and upng-js, third-party PNG decoders) over
// PNG files written by a test, each beside its expected RGBA pixels.
#pragma once

#include <sys/wait.h>

#include <array>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "render/image.h"

namespace atelier::testing {

inline std::filesystem::path png_judge_source_dir() {
  if (const char* env = std::getenv("ATELIER_SOURCE_DIR"); env && *env) return env;
  return ATELIER_SOURCE_DIR_DEFAULT;
}

// Why the judges cannot run here, or empty if they can.
inline std::string png_judges_missing() {
  if (std::system("node --version > /dev/null 2>&1") != 0)
    return "node is not installed (run scripts/setup)";
  if (!std::filesystem::exists(png_judge_source_dir() / "tests/js/node_modules/upng-js")) {
    return "tests/js/node_modules lacks upng-js (run scripts/setup, which runs npm ci there)";
  }
  return {};
}

// Writes `dir`/NAME.png and `dir`/NAME.rgba for the judges.
inline void write_png_case(const std::filesystem::path& dir, const std::string& name,
                           const std::vector<std::uint8_t>& png, const render::Image& expected) {
  std::ofstream(dir / (name + ".png"), std::ios::binary)
      .write(reinterpret_cast<const char*>(png.data()), static_cast<std::streamsize>(png.size()));
  std::ofstream(dir / (name + ".rgba"), std::ios::binary)
      .write(reinterpret_cast<const char*>(expected.rgba.data()),
             static_cast<std::streamsize>(expected.rgba.size()));
}

// Runs the judges over `dir`; returns node's exit status (0: every file decoded pixel-exact by
// both) and its output in `output`.
inline int run_png_judges(const std::filesystem::path& dir, std::string& output) {
  const std::string cmd = "node '" + (png_judge_source_dir() / "tests/js/decode-png.mjs").string() +
                          "' '" + dir.string() + "' 2>&1";
  FILE* pipe = popen(cmd.c_str(), "r");
  if (!pipe) return -1;
  std::array<char, 4096> buffer;
  output.clear();
  while (std::size_t n = std::fread(buffer.data(), 1, buffer.size(), pipe))
    output.append(buffer.data(), n);
  const int status = pclose(pipe);
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

}  // namespace atelier::testing
