// Replays every saved input of the API request (mutating routes, raw heads, bearer tokens) fuzz
// target (fuzz/corpus/api/).
#include "../../fuzz/api_fuzz.cc"
#include "tests/fuzz/replay.h"

TEST(FuzzReplay, ApiCorpus) { atelier::testing::replay_corpus("api", LLVMFuzzerTestOneInput); }
