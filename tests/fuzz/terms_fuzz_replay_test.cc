// Replays every saved input of the term list and text screening fuzz target
// (fuzz/corpus/terms/).
#include "../../fuzz/terms_fuzz.cc"
#include "tests/fuzz/replay.h"

TEST(FuzzReplay, TermsCorpus) { atelier::testing::replay_corpus("terms", LLVMFuzzerTestOneInput); }
