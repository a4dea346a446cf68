// Replays every saved input of the amount and token-id parser fuzz target (fuzz/corpus/amount/).
#include "../../fuzz/amount_fuzz.cc"
#include "tests/fuzz/replay.h"

TEST(FuzzReplay, AmountCorpus) {
  atelier::testing::replay_corpus("amount", LLVMFuzzerTestOneInput);
}
