// Replays every saved input of the registry import fuzz target (fuzz/corpus/registry/).
#include "../../fuzz/registry_fuzz.cc"
#include "tests/fuzz/replay.h"

TEST(FuzzReplay, RegistryCorpus) {
  atelier::testing::replay_corpus("registry", LLVMFuzzerTestOneInput);
}
