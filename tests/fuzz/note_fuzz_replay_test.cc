// Replays every saved input of the signed-note fuzz target (fuzz/corpus/note/).
#include "../../fuzz/note_fuzz.cc"
#include "tests/fuzz/replay.h"

TEST(FuzzReplay, NoteCorpus) { atelier::testing::replay_corpus("note", LLVMFuzzerTestOneInput); }
