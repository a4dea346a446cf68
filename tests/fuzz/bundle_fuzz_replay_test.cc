// Replays every saved input of the generator bundle (manifest, paths, links) fuzz target
// (fuzz/corpus/bundle/).
#include "../../fuzz/bundle_fuzz.cc"
#include "tests/fuzz/replay.h"

TEST(FuzzReplay, BundleCorpus) {
  atelier::testing::replay_corpus("bundle", LLVMFuzzerTestOneInput);
}
