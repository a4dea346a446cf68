// libFuzzer target: the provenance parsers that face outside input — signed notes,
// checkpoints, verifier keys and private-key text. Build with `make fuzz`; saved inputs in
// fuzz/corpus/note are replayed by tests/fuzz on every test run.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "provenance/checkpoint.h"
#include "provenance/note.h"
#include "provenance/note_key.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto note = atelier::provenance::parse_note(text);
  if (note) (void)atelier::provenance::parse_checkpoint_text(note->text);
  (void)atelier::provenance::parse_checkpoint_text(text);
  (void)atelier::provenance::NoteVerifier::parse(text);
  (void)atelier::provenance::NoteSigner::parse_private_key(text);
  // Opening with a fixed key exercises signature parsing and verification paths.
  static const std::uint8_t seed[32] = {1, 2, 3};
  static const auto verifier =
      atelier::provenance::NoteSigner::from_seed("fuzz.example/log", seed)->verifier();
  (void)atelier::provenance::open_note(text, verifier);
  return 0;
}
