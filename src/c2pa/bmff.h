// bmff.h — ISO BMFF (ISO/IEC 14496-12: AVIF, HEIF, MP4) for Content Credentials: a bounded box
// walk, the C2PA `uuid` box that carries the manifest store (C2PA 2.x §A.5), moving the
// absolute file offsets in `iloc`/`stco`/`co64` when that box is inserted or removed in front
// of the data they point at, and the `c2pa.hash.bmff.v3` hard binding (§18.6).
//
// Hand-written: libavif reads and writes AVIF but offers no box-level editing, and no Debian
// library computes C2PA's BMFF hash. Everything here reads through bounds-checked spans;
// a box that does not fit its parent is an error (c2pa_container_malformed), never a read
// past the end.
//
//   ATELIER_TRY_ASSIGN(auto boxes, bmff::top_level_boxes(file));
//   Bytes box = bmff::manifest_box(store);              // insert after `ftyp`, then
//   ATELIER_TRY(bmff::relocate_offsets(file, at, box.size(), bmff::Move::kInserted));
//   ATELIER_TRY_ASSIGN(Digest d, bmff::hash(file, bmff::hash_assertion(Digest{})));
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "c2pa/cbor.h"
#include "core/error.h"
#include "core/hash.h"

namespace atelier::c2pa::bmff {

using Bytes = std::vector<std::uint8_t>;
using Uuid = std::array<std::uint8_t, 16>;

// The extended type of C2PA's ContentProvenanceBox, D8FEC3D6-1B0E-483C-9297-5828877EC481.
inline constexpr Uuid kC2paUuid = {0xd8, 0xfe, 0xc3, 0xd6, 0x1b, 0x0e, 0x48, 0x3c,
                                   0x92, 0x97, 0x58, 0x28, 0x87, 0x7e, 0xc4, 0x81};
// The hard binding written (v3, as the current spec and c2pa-rs write). The validator also
// reads v2 (deprecated), which hashes the same way.
inline constexpr const char* kHashLabel = "c2pa.hash.bmff.v3";

struct Box {
  std::uint64_t offset = 0;  // of its size field, in the file
  std::uint64_t size = 0;    // the whole box, headers included
  std::uint32_t header = 0;  // 8, or 16 with a largesize; plus 16 for a `uuid` extended type
  char type[5] = {};         // the four-character code, NUL-terminated
  Uuid user_type{};          // `uuid` boxes only
  std::uint64_t end() const { return offset + size; }
  bool is(const char* fourcc) const;
};

// The boxes that fill file[begin, end) exactly, in order, at most `boxes_max` of them. Size 0
// means "to `end`", size 1 a 64-bit largesize. A truncated header, a size smaller than its
// header, a box past `end`, or more than `boxes_max` boxes: c2pa_container_malformed.
Result<std::vector<Box>> boxes_in(std::span<const std::uint8_t> file, std::uint64_t begin,
                                  std::uint64_t end, std::size_t boxes_max);
// The file's top-level boxes; the first must be `ftyp`.
Result<std::vector<Box>> top_level_boxes(std::span<const std::uint8_t> file);

// A whole C2PA `uuid` box with purpose "manifest" around `store` (a `c2pa` JUMBF superbox):
// FullBox version 0, flags 0, "manifest\0", an 8-byte zero (no auxiliary Merkle boxes), the
// store. c2pa_manifest_too_large when it would need a 64-bit size.
Result<Bytes> manifest_box(std::span<const std::uint8_t> store);

// What a C2PA `uuid` box holds: its purpose and where its data start. For "manifest" and
// "original" the data are the manifest store (after the 8-byte Merkle offset).
struct C2paBox {
  std::string purpose;
  std::uint64_t data_offset = 0;
  std::uint64_t data_size = 0;
};
// nullopt when `box` is not a C2PA `uuid` box; an error when it is one but malformed.
Result<std::optional<C2paBox>> read_c2pa_box(std::span<const std::uint8_t> file, const Box& box);

// Moves the absolute file offsets of item data (`/meta/iloc`, construction method 0) and of
// chunks (`/moov/trak/mdia/minf/stbl/stco|co64`) for `size` bytes inserted at `at` (offsets
// at or past `at` grow) or removed from there (offsets past the removed bytes shrink; one
// inside them is an error). Inserting then removing gives the original bytes back exactly.
// Fragmented files (`moof`, `mfra`) are refused: their offsets are not moved here.
enum class Move { kInserted, kRemoved };
Result<void> relocate_offsets(std::vector<std::uint8_t>& file, std::uint64_t at, std::uint64_t size,
                              Move move);

// The c2pa.hash.bmff.v3 assertion's content: c2pa-rs's default exclusions (every C2PA `uuid`
// box, `ftyp`, `mfra`, `free`, `skip`), alg sha256, `hash`, name "jumbf manifest".
cbor::Value hash_assertion(const Digest& hash);
// SHA-256 of `file` as a BMFF hash assertion (v2 or v3) with these exclusions defines it: every
// top-level box not excluded in full contributes its offset (8 bytes, big-endian) and then its
// bytes less the excluded ranges. An assertion the spec does not allow (no exclusions,
// unordered or overlapping subsets, a Merkle map, an algorithm other than sha256) is
// c2pa_bmff_hash_malformed; a file whose boxes do not parse, c2pa_container_malformed.
Result<Digest> hash(std::span<const std::uint8_t> file, const cbor::Value& assertion);

}  // namespace atelier::c2pa::bmff
