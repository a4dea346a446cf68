// limits.h — the maxima the provenance log enforces on outside input (TIGER_STYLE: put a
// limit on everything). Names carry their unit last. They live here rather than in
// core/limits.h only while the module is young; they are meant to move there.
#pragma once

#include <cstdint>

namespace atelier::provenance::limits {

// Largest tree the proof code accepts. 2^62 leaves is far beyond any real log and keeps every
// `index << level` in the node arithmetic free of overflow.
inline constexpr std::uint64_t kTreeSizeMax = std::uint64_t{1} << 62;

// A whole signed note (text and signature lines). C2SP signed-note asks verifiers to accept at
// least 16 signatures of up to ~5 kB (post-quantum); 1 MiB leaves ample room for that.
inline constexpr std::int64_t kNoteBytesMax = 1 << 20;

// Signature lines in one note: the limit golang.org/x/mod/sumdb/note applies.
inline constexpr std::int64_t kNoteSignaturesMax = 100;

// A key name (the origin of a log, usually a schema-less URL).
inline constexpr std::int64_t kKeyNameBytesMax = 256;

}  // namespace atelier::provenance::limits
