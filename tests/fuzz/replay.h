// Runs a libFuzzer entry point over every file of fuzz/corpus/<name>/.
#pragma once

#include <gtest/gtest.h>

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

namespace atelier::testing {

inline void replay_corpus(const std::string& name,
                          int (*target)(const std::uint8_t*, std::size_t)) {
  std::filesystem::path dir = std::filesystem::path(ATELIER_SOURCE_DIR) / "fuzz/corpus" / name;
  int replayed = 0;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    std::ifstream in(entry.path(), std::ios::binary);
    std::vector<std::uint8_t> bytes((std::istreambuf_iterator<char>(in)),
                                    std::istreambuf_iterator<char>());
    EXPECT_EQ(target(bytes.data(), bytes.size()), 0) << entry.path();
    ++replayed;
  }
  EXPECT_GT(replayed, 0) << "no saved inputs in " << dir;
}

}  // namespace atelier::testing
