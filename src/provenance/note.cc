#include "provenance/note.h"

#include "provenance/internal/base64.h"
#include "provenance/internal/text.h"
#include "core/limits.h"

namespace atelier::provenance {

namespace {

constexpr std::string_view kSignaturePrefix = "\xE2\x80\x94 ";  // U+2014 EM DASH, space.
constexpr std::size_t kKeyIdBytes = 4;

Error bad(std::string code, std::string message) {
  return Error::invalid(std::move(code), std::move(message), "note");
}

// The checks every note, signed or about to be, must pass as a whole.
Result<void> check_note_bytes(std::string_view bytes) {
  if (bytes.size() > static_cast<std::size_t>(limits::kNoteBytesMax)) {
    return fail(Error{ErrorKind::kTooLarge, "note_too_large",
                      "a note may hold at most " + std::to_string(limits::kNoteBytesMax) + " bytes",
                      "note"});
  }
  if (!internal::is_valid_utf8(bytes)) return fail(bad("note_not_utf8", "the note is not UTF-8"));
  if (internal::has_control_character(bytes)) {
    return fail(bad("note_control_character", "the note holds a control character"));
  }
  return {};
}

// One "— name base64" line, without its newline.
Result<NoteSignature> parse_signature_line(std::string_view line) {
  if (!line.starts_with(kSignaturePrefix)) {
    return fail(bad("note_signature_line_malformed", "a signature line must start with \"— \""));
  }
  line.remove_prefix(kSignaturePrefix.size());
  std::size_t space = line.find(' ');
  if (space == std::string_view::npos) {
    return fail(bad("note_signature_line_malformed", "a signature line is \"— <name> <base64>\""));
  }
  std::string_view name = line.substr(0, space);
  if (!internal::is_valid_key_name(name)) {
    return fail(bad("note_key_name_invalid", "a signature names an invalid key"));
  }
  auto bytes = internal::base64_decode(line.substr(space + 1));
  if (!bytes) return fail(bad("note_signature_base64_invalid", "a signature is not base64"));
  if (bytes->size() <= kKeyIdBytes) {
    return fail(bad("note_signature_too_short", "a signature is shorter than its key ID"));
  }
  NoteSignature sig;
  sig.key_name = std::string(name);
  for (std::size_t i = 0; i < kKeyIdBytes; ++i) sig.key_id = sig.key_id << 8 | (*bytes)[i];
  sig.signature.assign(bytes->begin() + kKeyIdBytes, bytes->end());
  return sig;
}

Result<std::vector<NoteSignature>> parse_signature_block(std::string_view block) {
  if (block.empty()) return fail(bad("note_signatures_missing", "the note has no signatures"));
  if (block.back() != '\n') {
    return fail(bad("note_signature_line_unterminated", "the last line lacks its newline"));
  }
  std::vector<NoteSignature> sigs;
  while (!block.empty()) {
    if (sigs.size() == static_cast<std::size_t>(limits::kNoteSignaturesMax)) {
      return fail(bad("note_too_many_signatures", "a note may carry at most " +
                                                      std::to_string(limits::kNoteSignaturesMax) +
                                                      " signatures"));
    }
    std::size_t end = block.find('\n');
    Result<NoteSignature> sig = parse_signature_line(block.substr(0, end));
    if (!sig) return fail(sig.error());
    sigs.push_back(std::move(*sig));
    block.remove_prefix(end + 1);
  }
  return sigs;
}

}  // namespace

Result<Note> parse_note(std::string_view message) {
  ATELIER_TRY(check_note_bytes(message));
  // The last blank line separates text from signatures, so the text may contain blank lines.
  std::size_t split = message.rfind("\n\n");
  if (split == std::string_view::npos) {
    return fail(bad("note_missing_blank_line",
                    "a note is text ending in a newline, a blank line, then signature lines"));
  }
  Result<std::vector<NoteSignature>> sigs = parse_signature_block(message.substr(split + 2));
  if (!sigs) return fail(sigs.error());
  return Note{std::string(message.substr(0, split + 1)), std::move(*sigs)};
}

Result<Note> open_note(std::string_view message, const NoteVerifier& verifier) {
  Result<Note> note = parse_note(message);
  if (!note) return note;
  bool verified = false;
  bool name_with_other_id = false;
  for (const NoteSignature& sig : note->signatures) {
    if (sig.key_name != verifier.name()) continue;
    if (sig.key_id != verifier.key_id()) {
      name_with_other_id = true;
      continue;
    }
    // A known key's signature must verify, or the whole note is rejected (C2SP SHOULD).
    if (!verifier.verify(note->text, sig.signature)) {
      return fail(bad("note_signature_invalid",
                      "the signature by " + verifier.name() + " does not verify"));
    }
    verified = true;
  }
  if (verified) return note;
  if (name_with_other_id) {
    return fail(bad("note_key_hash_mismatch",
                    "the note is signed as " + verifier.name() + " but by another key"));
  }
  return fail(bad("note_unverified", "the note carries no signature by " + verifier.name()));
}

Result<std::string> sign_note(std::string_view text, const NoteSigner& signer) {
  if (text.empty()) return fail(bad("note_text_empty", "a note needs text"));
  if (text.back() != '\n') return fail(bad("note_text_unterminated", "the text must end in '\\n'"));
  ATELIER_TRY(check_note_bytes(text));
  Result<Ed25519Signature> sig = signer.sign(text);
  if (!sig) return fail(sig.error());
  std::vector<std::uint8_t> blob;
  blob.reserve(kKeyIdBytes + sig->size());
  for (int shift = 24; shift >= 0; shift -= 8) {
    blob.push_back(static_cast<std::uint8_t>(signer.key_id() >> shift));
  }
  blob.insert(blob.end(), sig->begin(), sig->end());
  std::string note = std::string(text) + "\n" + std::string(kSignaturePrefix) + signer.name() +
                     " " + internal::base64_encode(blob) + "\n";
  ATELIER_TRY(check_note_bytes(note));  // The size limit again, now with the signature line.
  return note;
}

}  // namespace atelier::provenance
