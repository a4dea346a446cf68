// Replays every saved input of the HTTP request framing fuzz target (fuzz/corpus/http/).
#include "../../fuzz/http_fuzz.cc"
#include "tests/fuzz/replay.h"

TEST(FuzzReplay, HttpCorpus) { atelier::testing::replay_corpus("http", LLVMFuzzerTestOneInput); }
