// Replays every saved fuzz input (fuzz/corpus/*/) through the fuzz targets on every test run,
// so a crasher once found stays fixed (SQLite's practice).
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <vector>

#include "../../fuzz/recipe_fuzz.cc"

namespace {

TEST(FuzzReplay, RecipeCorpus) {
  std::filesystem::path dir = std::filesystem::path(ATELIER_SOURCE_DIR) / "fuzz/corpus/recipe";
  int replayed = 0;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    std::ifstream in(entry.path(), std::ios::binary);
    std::vector<std::uint8_t> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    EXPECT_EQ(LLVMFuzzerTestOneInput(bytes.data(), bytes.size()), 0) << entry.path();
    ++replayed;
  }
  EXPECT_GT(replayed, 0);
}

}  // namespace
