// Replays every saved input of the rules and oracle parser fuzz target (fuzz/corpus/rules/).
#include "../../fuzz/rules_fuzz.cc"
#include "tests/fuzz/replay.h"

TEST(FuzzReplay, RulesCorpus) {
  atelier::testing::replay_corpus("rules", LLVMFuzzerTestOneInput);
}
