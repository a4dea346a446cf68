// checkpoint.h — C2SP transparency-log checkpoints (c2sp.org/tlog-checkpoint): a log's tree
// head as the text of a signed note.
//
//   example.com/behind-the-sofa                       origin
//   20852163                                          tree size, decimal, no leading zeros
//   CsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=      root hash, base64
//   [extension lines, each non-empty]
//
//   Result<std::string> note = sign_checkpoint({origin, size, root, {}}, signer);
//   Result<Checkpoint> cp = open_checkpoint(*note, verifier, origin);
//
// The log signs with a key named after its origin (the spec's SHOULD); open_checkpoint checks
// the signature first and only then reads the text, as a signed note demands.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.h"
#include "core/hash.h"
#include "provenance/note_key.h"

namespace atelier::provenance {

struct Checkpoint {
  std::string origin;
  std::uint64_t size = 0;
  Digest root{};
  std::vector<std::string> extensions;  // Opaque lines; NOT RECOMMENDED by the spec.

  bool operator==(const Checkpoint&) const = default;
};

// The note text of a checkpoint. Codes: "checkpoint_origin_invalid" (empty, or holding a
// newline or control character, or not UTF-8), "checkpoint_extension_invalid" (likewise).
Result<std::string> checkpoint_text(const Checkpoint& checkpoint);

// Parses checkpoint note text. Codes: "checkpoint_text_unterminated" (no final newline),
// "checkpoint_too_few_lines", "checkpoint_origin_invalid" (empty), "checkpoint_size_invalid"
// (not canonical decimal, or over 2^64 - 1), "checkpoint_root_invalid" (not canonical base64
// of 32 bytes), "checkpoint_extension_invalid" (an empty extension line).
Result<Checkpoint> parse_checkpoint_text(std::string_view text);

// The signed note of a checkpoint: checkpoint_text() signed by `signer`.
Result<std::string> sign_checkpoint(const Checkpoint& checkpoint, const NoteSigner& signer);

// Verifies a signed checkpoint with `verifier` (open_note's codes), parses its text
// (parse_checkpoint_text's codes) and checks its origin: "checkpoint_origin_mismatch".
Result<Checkpoint> open_checkpoint(std::string_view note, const NoteVerifier& verifier,
                                   std::string_view origin);

}  // namespace atelier::provenance
