// reference_data.h — the committed test images and the hashes Meta's reference gave them
// (tests/compliance/data/README.md).
#pragma once

#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <sstream>
#include <string>
#include <vector>

namespace atelier::testing {

inline std::filesystem::path pdq_data_dir() {
  const char* env = std::getenv("ATELIER_SOURCE_DIR");
  const std::filesystem::path root = env && *env ? env : ATELIER_SOURCE_DIR_DEFAULT;
  return root / "tests" / "compliance" / "data";
}

inline std::vector<std::uint8_t> read_bytes(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// One line of the reference's output: "hash,quality,file".
struct ReferenceLine {
  std::string hex;
  int quality = 0;
  std::string file;
};

inline std::vector<ReferenceLine> read_reference(const std::string& name) {
  std::ifstream in(pdq_data_dir() / name);
  std::vector<ReferenceLine> lines;
  for (std::string line; std::getline(in, line);) {
    const std::size_t a = line.find(','), b = line.find(',', a + 1);
    if (a == std::string::npos || b == std::string::npos) continue;
    lines.push_back(
        {line.substr(0, a), std::stoi(line.substr(a + 1, b - a - 1)), line.substr(b + 1)});
  }
  return lines;
}

}  // namespace atelier::testing
