// Replays every saved input of the PDQ fingerprint fuzz target (fuzz/corpus/pdq/).
#include "../../fuzz/pdq_fuzz.cc"
#include "tests/fuzz/replay.h"

TEST(FuzzReplay, PdqCorpus) { atelier::testing::replay_corpus("pdq", LLVMFuzzerTestOneInput); }
