// Replays every saved input of the pricing fuzz target (fuzz/corpus/market/).
#include "../../fuzz/market_fuzz.cc"
#include "tests/fuzz/replay.h"

TEST(FuzzReplay, MarketCorpus) {
  atelier::testing::replay_corpus("market", LLVMFuzzerTestOneInput);
}
