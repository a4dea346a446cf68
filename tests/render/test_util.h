// Shared helpers of the render tests: temp dirs, the repository root, fixtures, images.
#pragma once

#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include <zlib.h>

#include "tests/store/test_dir.h"

namespace atelier::testing {

// The repository root: $ATELIER_SOURCE_DIR (set by CTest), else the configure-time path.
inline std::filesystem::path source_dir() {
  if (const char* env = std::getenv("ATELIER_SOURCE_DIR"); env && *env) return env;
  return ATELIER_SOURCE_DIR_DEFAULT;
}

inline std::filesystem::path example_dir(const std::string& name) {
  return source_dir() / "examples" / "generators" / name;
}

inline std::filesystem::path fixture_dir(const std::string& name) {
  return source_dir() / "tests" / "data" / "generators" / name;
}

// Copies a bundle directory to `parent/<name>` (the directory name is the generator name).
inline std::filesystem::path copy_bundle(const std::filesystem::path& from,
                                         const std::filesystem::path& parent,
                                         const std::string& name) {
  auto to = parent / name;
  std::filesystem::create_directories(parent);
  std::filesystem::copy(from, to, std::filesystem::copy_options::recursive);
  return to;
}

inline void write_text(const std::filesystem::path& p, const std::string& text) {
  std::ofstream out(p, std::ios::binary | std::ios::trunc);
  out << text;
}

inline std::string read_text(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// Two 32-byte token hashes written out, distinct in both halves.
inline const char* kTokenA = "0x8b7df143d91c716ecfa5fc1730022f6b421b05cedee8fd52b1fc65a96030ad52";
inline const char* kTokenB = "0x2ab8c6ff74b0d1f8e3a2a6c5d1c9be4a5e6f708192a3b4c5d6e7f8091a2b3c4d";
inline const char* kTokenC = "0x00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff";

// Flips one bit at `offset` inside a PNG chunk's data and rewrites that chunk's CRC, the way a
// deliberate tamperer would, so the file stays structurally valid. Returns the input unchanged
// if `offset` is not inside any chunk's data.
inline std::vector<std::uint8_t> tamper_png(std::vector<std::uint8_t> png, std::size_t offset) {
  auto be32 = [&](std::size_t at) {
    return std::uint32_t{png[at]} << 24 | std::uint32_t{png[at + 1]} << 16 |
           std::uint32_t{png[at + 2]} << 8 | png[at + 3];
  };
  for (std::size_t at = 8; at + 12 <= png.size();) {
    std::size_t len = be32(at), data = at + 8;
    if (offset >= data && offset < data + len) {
      png[offset] ^= 0x01;
      uLong crc = crc32(0L, png.data() + at + 4, static_cast<uInt>(len + 4));
      for (int i = 0; i < 4; ++i)
        png[data + len + i] = static_cast<std::uint8_t>(crc >> (24 - 8 * i));
      return png;
    }
    at = data + len + 4;
  }
  return png;
}

}  // namespace atelier::testing
