// Replays every saved input of the recipe fuzz target (fuzz/corpus/recipe/) on every test
// run, so a crasher once found stays fixed (SQLite's practice).
#include "../../fuzz/recipe_fuzz.cc"
#include "tests/fuzz/replay.h"

TEST(FuzzReplay, RecipeCorpus) {
  atelier::testing::replay_corpus("recipe", LLVMFuzzerTestOneInput);
}
