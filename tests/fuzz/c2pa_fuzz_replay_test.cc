// Replays every saved input of the Content Credentials fuzz target (fuzz/corpus/c2pa/).
#include "../../fuzz/c2pa_fuzz.cc"
#include "tests/fuzz/replay.h"

TEST(FuzzReplay, C2paCorpus) { atelier::testing::replay_corpus("c2pa", LLVMFuzzerTestOneInput); }
