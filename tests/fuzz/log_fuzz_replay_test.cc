// Replays every saved input of the log fuzz target (fuzz/corpus/log/): tile paths, proof files.
#include "../../fuzz/log_fuzz.cc"
#include "tests/fuzz/replay.h"

TEST(FuzzReplay, LogCorpus) { atelier::testing::replay_corpus("log", LLVMFuzzerTestOneInput); }
