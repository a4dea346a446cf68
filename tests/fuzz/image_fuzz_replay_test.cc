// Replays every saved input of the control-image decoder fuzz target (fuzz/corpus/image/).
#include "../../fuzz/image_fuzz.cc"
#include "tests/fuzz/replay.h"

TEST(FuzzReplay, ImageCorpus) { atelier::testing::replay_corpus("image", LLVMFuzzerTestOneInput); }
