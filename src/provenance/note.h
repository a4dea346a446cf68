// note.h — C2SP signed notes (c2sp.org/signed-note): text signed by one or more keys.
//
//   text\n            the note text: UTF-8, ends in a newline, may hold empty lines
//   \n                one blank line (the last one in the note separates text and signatures)
//   — name base64\n   signature lines: U+2014, space, key name, space,
//                     base64(4-byte big-endian key ID || signature)
//
//   Result<std::string> note = sign_note(text, signer);
//   Result<Note> opened = open_note(*note, signer.verifier());   // opened->text == text
//
// Parsing is strict and follows golang.org/x/mod/sumdb/note.Open; anything malformed is an
// input error with a stable code, never a crash. The text of a note must be ignored unless
// open_note() succeeded.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.h"
#include "provenance/note_key.h"

namespace atelier::provenance {

struct NoteSignature {
  std::string key_name;
  std::uint32_t key_id = 0;
  std::vector<std::uint8_t> signature;  // Without the key ID.
};

struct Note {
  std::string text;  // Ends in '\n'; excludes the blank separator line.
  std::vector<NoteSignature> signatures;
};

// Checks the syntax of a signed note and splits it; verifies nothing. Codes:
//   "note_too_large"                     more than limits::kNoteBytesMax bytes
//   "note_not_utf8"                      not well-formed UTF-8
//   "note_control_character"             a control character other than newline
//   "note_missing_blank_line"            no blank line before the signatures (this is also
//                                        what a text not ending in a newline looks like)
//   "note_signatures_missing"            nothing after the blank line
//   "note_signature_line_unterminated"   the last signature line lacks its newline
//   "note_signature_line_malformed"      a line not of the form "— name base64"
//   "note_key_name_invalid"              a key name C2SP forbids
//   "note_signature_base64_invalid"      not canonical base64
//   "note_signature_too_short"           fewer than 5 bytes (key ID and signature)
//   "note_too_many_signatures"           more than limits::kNoteSignaturesMax lines
Result<Note> parse_note(std::string_view message);

// Parses `message` and verifies it against one trusted key. Signatures by other keys are
// ignored, as the spec requires. Besides parse_note's codes:
//   "note_signature_invalid"   a signature by the trusted key (same name and key ID) does not
//                              verify: the whole note is rejected
//   "note_key_hash_mismatch"   no signature by the trusted key, but one under its name with
//                              another key ID (a different or rotated key)
//   "note_unverified"          no signature by the trusted key at all
Result<Note> open_note(std::string_view message, const NoteVerifier& verifier);

// Signs `text` and returns the whole signed note. Codes: "note_text_empty",
// "note_text_unterminated" (must end in '\n'), "note_not_utf8", "note_control_character",
// "note_too_large", and the signer's "signing_failed".
Result<std::string> sign_note(std::string_view text, const NoteSigner& signer);

}  // namespace atelier::provenance
